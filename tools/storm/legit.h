#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>

#include "storm/http_client.h"
#include "storm/storm.h"

namespace homeroom::storm {

// Signs `account` in with its password over `conn`. Returns the exchange; on 200 `*token` holds
// the session token (parsed from the answer's "token").
boost::asio::awaitable<Exchange> PasswordLogin(HttpConnection& conn, const Account& account,
                                               TimePoint deadline, std::string* token);

// The live sessions with status "live" in a GET /api/v1/me/live-sessions answer.
std::vector<int64_t> LiveSessionIds(const std::string& body);
// The section_ids of a GET /api/v1/me answer.
std::vector<int64_t> SectionIds(const std::string& body);

// One legitimate student or teacher from `start_at` to ctx.run_end, on its own source address:
// signs in with the password when it has no token, loads the home calls (/me, /me/sections,
// /me/live-sessions), then calls them (and /sections/{id}) at its share of --legit-rate with
// exponential gaps; joins a live room of its sections and chats every --chat-interval. Every
// exchange is counted in ctx.result (api, login, live_connect, chat). Run it on its own strand.
boost::asio::awaitable<void> RunLegitUser(RunContext& ctx, LegitUser user, TimePoint start_at,
                                          uint64_t seed);

}  // namespace homeroom::storm
