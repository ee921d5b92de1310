#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sql.h"

namespace homeroom::store {

// A sign-in event of a user (table auth_events): login_ok, login_failed, login_throttled, logout,
// activated. Plain value.
struct UserAuthEvent {
  int64_t at_ms = 0;
  std::string ip;
  std::string kind;
  std::string detail;
};

// A session a user signed in with (table auth_sessions): where from and on what device.
struct UserSignIn {
  int64_t at_ms = 0;
  std::string ip;
  std::string user_agent;
  std::optional<int64_t> revoked_ms;
};

// A stretch of a user in a live session (table attendance_intervals) with the session's title.
struct UserLiveInterval {
  int64_t session_id = 0;
  std::string title;
  int64_t joined_ms = 0;
  std::optional<int64_t> left_ms;
  int64_t last_seen_ms = 0;
};

// An operator's block rule (table guard_rules) in force at some time of a range.
struct BlockRuleRow {
  std::string cidr;
  std::string reason;
  int64_t created_ms = 0;
  std::optional<int64_t> expires_ms;
};

// What the server recorded about one user, for the diagnostics timeline
// (domain/diagnostics.h). Stateless; kInternal on a database error. Each list is bounded by
// `limit` rows, oldest first.
namespace diagnostics_store {

// Events of `user_id`, or of `username` when the event has no user (throttled before the account
// was looked up), in [from_ms, to_ms).
Result<std::vector<UserAuthEvent>> AuthEvents(sql::Connection& c, int64_t user_id,
                                              const std::string& username, int64_t from_ms,
                                              int64_t to_ms, int64_t limit);
Result<std::vector<UserSignIn>> SignIns(sql::Connection& c, int64_t user_id, int64_t from_ms,
                                        int64_t to_ms, int64_t limit);
// Intervals that overlap [from_ms, to_ms).
Result<std::vector<UserLiveInterval>> LiveIntervals(sql::Connection& c, int64_t user_id,
                                                    int64_t from_ms, int64_t to_ms, int64_t limit);
// Block rules created by `to_ms` that had not expired by `from_ms` (removed rules are gone).
Result<std::vector<BlockRuleRow>> BlockRules(sql::Connection& c, int64_t from_ms, int64_t to_ms);

}  // namespace diagnostics_store
}  // namespace homeroom::store
