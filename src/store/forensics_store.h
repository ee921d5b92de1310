#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "guard/activity_log.h"
#include "store/sql.h"

namespace homeroom::store {

// A successful sign-in (auth_events kind login_ok or activated) with the account's name and role.
// Every session row (auth_sessions) is created in the same transaction as one of these events, so
// the events alone name every account that signed in from an address.
struct SignInRow {
  int64_t at_ms = 0;
  std::string ip;  // as stored: "127.0.0.66", "2001:db8::1"
  int64_t user_id = 0;
  std::string username;
  std::string role;
};

// Which sign-ins ListSignIns returns, always within [from_ms, to_ms). `ip` set: that address only.
// Else `ip_from`/`ip_to` set: addresses whose text lies in [ip_from, ip_to) (an IPv4 /24 is the
// text range ["a.b.c.", "a.b.c/")). Else `ipv6_only`: every address with a ':'. Callers still check
// each address against the prefix they want.
struct SignInQuery {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  std::optional<std::string> ip;
  std::optional<std::string> ip_from;
  std::optional<std::string> ip_to;
  bool ipv6_only = false;
  int64_t limit = 10'000;  // rows at most
};

// An account as the forensics report names it.
struct AccountName {
  int64_t user_id = 0;
  std::string username;
  std::string role;
};

// The SQL of forensics: per-source activity (source_activity) and the sign-ins behind it.
// Stateless; each function runs on the connection it is given, inside Database::Write
// (MergeActivity, DeleteActivityBefore) or Database::Read. Returns kInternal on a database error or
// a corrupt row. Not thread-safe in itself: a connection belongs to one thread.
namespace forensics_store {

// Adds each record to its (slice, scope, source) row, creating it or merging into it
// (guard::MergeActivity with `limits`), then keeps at most `max_sources_per_slice` rows in each
// slice it touched (the heaviest by requests + uncertainty). Returns the number of records written.
// One call is one transaction's worth: the activity recorder calls it once per flush.
Result<int64_t> MergeActivity(sql::Connection& c, const std::vector<guard::SourceActivity>& records,
                              const guard::ActivityLimits& limits, size_t max_sources_per_slice);

// The `limit` sources of `scope` with the most requests in the slices overlapping [from_ms, to_ms),
// each summed over those slices (guard::MergeActivity with `limits`), most requests first (ties by
// source text).
Result<std::vector<guard::SourceActivity>> TopSources(sql::Connection& c, guard::SourceScope scope,
                                                      int64_t from_ms, int64_t to_ms, int limit,
                                                      const guard::ActivityLimits& limits);

// Every stored slice of one source overlapping [from_ms, to_ms), oldest first.
Result<std::vector<guard::SourceActivity>> SourceSlices(sql::Connection& c,
                                                        guard::SourceScope scope,
                                                        const guard::Cidr& source, int64_t from_ms,
                                                        int64_t to_ms);

// Deletes the slices that started before `before_ms` (retention); returns rows deleted.
Result<int64_t> DeleteActivityBefore(sql::Connection& c, int64_t before_ms);

// Successful sign-ins matching `q`, oldest first, at most q.limit.
Result<std::vector<SignInRow>> ListSignIns(sql::Connection& c, const SignInQuery& q);

// The accounts with these ids that exist, in id order.
Result<std::vector<AccountName>> LookUpAccounts(sql::Connection& c,
                                                const std::vector<int64_t>& user_ids);

}  // namespace forensics_store
}  // namespace homeroom::store
