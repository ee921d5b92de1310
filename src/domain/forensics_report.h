#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "domain/live_calendar.h"
#include "guard/activity_log.h"
#include "store/audit_store.h"
#include "store/forensics_store.h"
#include "store/sql.h"

namespace homeroom::domain {

// Limits of the forensics report (serve flags --forensics-*; the CLI takes the same defaults).
struct ForensicsOptions {
  // A report without ?from= covers this long before ?to= (default: now).
  std::chrono::hours default_window{1};
  // Longest from..to: the report sums every stored slice of each top source in the window.
  std::chrono::hours max_window{7 * 24};
  // Longest accounts_from..accounts_to (the sign-ins looked up per source).
  std::chrono::hours max_accounts_window{31 * 24};
  // Top sources per scope (hosts, subnets) without ?top=, and at most.
  int default_top = 20;
  int max_top = 100;
  // Accounts listed per source (signed in from it); the rest are counted.
  size_t max_accounts_per_source = 50;
  // Sign-in rows read per source (and once for all IPv6 sources); beyond, the list is marked
  // truncated.
  int64_t max_sign_in_rows = 20'000;
};

// The query parameters as given (strings, unparsed), from the API's query or the CLI's flags.
struct ForensicsParams {
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::optional<std::string> top;
  std::optional<std::string> accounts_from;
  std::optional<std::string> accounts_to;
};

// A parsed and checked report request: activity in [from_ms, to_ms), sign-ins in
// [accounts_from_ms, accounts_to_ms) (the activity window unless given).
struct ForensicsQuery {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  int top = 20;
  int64_t accounts_from_ms = 0;
  int64_t accounts_to_ms = 0;
};

// Reads and checks `params`: times are ISO 8601 (with an offset, or local to `zone`: ParseInstant),
// top an integer 1..max_top. kInvalidArgument names the parameter and the limit it broke.
Result<ForensicsQuery> ParseForensicsQuery(const ForensicsParams& params, const DistrictZone& zone,
                                           int64_t now_ms, const ForensicsOptions& options);

// An account that signed in from a source in the accounts window.
struct SignedInAccount {
  int64_t user_id = 0;
  std::string username;
  std::string role;
  int64_t sign_ins = 0;
  int64_t first_ms = 0;
  int64_t last_ms = 0;
  std::vector<std::string> ips;  // the addresses of the source it signed in from, sorted
};

// One source of the report: its activity summed over the window, the accounts whose requests
// authenticated from it (from the activity), and the accounts that signed in from it (auth_events).
struct ForensicsSource {
  guard::SourceActivity activity;
  std::vector<store::AccountName> authenticated;
  std::vector<SignedInAccount> signed_in;  // most sign-ins first
  bool signed_in_truncated = false;        // more accounts or rows than the limits
};

struct ForensicsReport {
  ForensicsQuery query;
  int64_t generated_ms = 0;
  std::vector<ForensicsSource> hosts;    // host keys (/32, /64), most requests first
  std::vector<ForensicsSource> subnets;  // subnet keys (/24, /48), most requests first
};

// Builds the report from the store: the top sources of each scope (store::forensics_store), each
// with the accounts behind it. Runs on the connection given (Database::Read or ReadSync). What is
// still in the activity log's memory is not seen: flush it first (the API does;
// domain::ActivityRecorder). Returns the store's error.
Result<ForensicsReport> BuildForensicsReport(sql::Connection& c, const ForensicsQuery& query,
                                             const ForensicsOptions& options,
                                             const guard::ActivityLimits& limits, int64_t now_ms);

// How a source is written: a v4 host as its address ("127.0.0.66"), any other key with its length
// ("127.0.0.0/24", "2001:db8::/64").
std::string SourceLabel(const guard::SourceActivity& activity);

// The report as JSON (docs/openapi.yaml, ForensicsReport) and as CSV (RFC 4180, CRLF, one row per
// source, hosts first; list fields hold one "count text" line per entry; a field starting with
// = + - @ is prefixed with ' so spreadsheets do not run it). Both carry the same facts.
boost::json::object ForensicsJson(const ForensicsReport& report);
std::string ForensicsCsv(const ForensicsReport& report);

// The audit entry of one access to the report: action "forensics.report", detail
// {"from","to","accounts_from","accounts_to","top","format","via"}.
store::AuditEntry ForensicsAuditEntry(const ForensicsQuery& query, std::string_view format,
                                      std::string_view via, int64_t at_ms);

}  // namespace homeroom::domain
