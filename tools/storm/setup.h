#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "storm/config.h"
#include "storm/credentials.h"
#include "storm/stats.h"
#include "storm/storm.h"

namespace homeroom::storm {

// What setup prepared for the run.
struct SetupResult {
  std::string admin_token;
  std::string attacker_token;
  std::vector<LegitUser> users;  // returning users carry a checked token, the others none
  std::vector<int64_t> rooms;    // live sessions setup opened (and teardown ends)
  std::optional<int64_t> attacker_room;
  std::map<int64_t, std::string> room_tokens;  // room -> a token that may end it
  std::vector<std::string> notes;
};

// Before the clock starts, on its own io_context, bounded by config.setup_timeout:
//  - signs in the admin and the attacker (token from `tokens` when it still works);
//  - gives each returning user (the first returning_fraction of `users`) a session: its cached
//    token when GET /api/v1/me accepts it, else a password sign-in (setup_concurrency at once);
//  - opens config.live_rooms live rooms (the sections most of the returning users share, created
//    and started by the admin, or else by one of their teachers), plus one in a section of the
//    attacker for the WebSocket attacks.
// Every exchange is counted in `stats`. New tokens are added to `tokens`. Fails only when the
// server cannot be reached at all (nothing answered).
Result<SetupResult> RunSetup(const StormConfig& config, const std::vector<Account>& accounts,
                             std::vector<LegitUser> users, const Account* admin,
                             const Account* attacker, std::map<std::string, std::string>& tokens,
                             TrafficStats& stats);

// Ends the rooms setup opened (POST /api/v1/live-sessions/{id}/end with the token that opened
// each), bounded by a few seconds. Failures are ignored: the rooms also end by themselves.
void EndRooms(const StormConfig& config, const std::map<int64_t, std::string>& room_tokens);

}  // namespace homeroom::storm
