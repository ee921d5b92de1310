#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "storm/storm.h"

namespace homeroom::storm {

// The attack state an answer of GET /api/v1/admin/status reports, as a short string. Homeroom's
// answer has "attack": {"active": [{"type": "flood", ...}, ...]}: the state is the sorted types
// in progress joined by '+' ("flood+slow_clients"), or "none". Other shapes: the first of
// "attack_state", "attack" (its "state", else its "type", else the whole value), "under_attack",
// "mode" and "state" that is present, serialized; "" when the body is not a JSON object or has
// none of them. Tolerant on purpose: the route is being built while the storm
// is, and any change of that value after the attacks start is what "detected" means.
std::string AttackStateOf(const std::string& body);

// Polls GET /api/v1/admin/status as the admin every --status-interval from the run's start to
// its end and fills ctx.result.detection: a 404 (or 401/403: no such route or no admin) three
// times in a row stops polling and leaves detection "n/a"; otherwise the time from attack_start
// to the first poll whose state differs from the state reported when the attacks started.
boost::asio::awaitable<void> RunDetectionProbe(RunContext& ctx);

}  // namespace homeroom::storm
