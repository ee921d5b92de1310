#include "storm/setup.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <thread>

#include "core/clock.h"
#include "storm/legit.h"
#include "storm/source_pool.h"

namespace homeroom::storm {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

struct SetupState {
  SetupState(const StormConfig& c, TrafficStats& s, std::map<std::string, std::string>& t)
      : config(c), budget(c.max_connections), stats(s), tokens(t) {}
  const StormConfig& config;
  ConnectionBudget budget;
  TrafficStats& stats;
  std::map<std::string, std::string>& tokens;
  TimePoint deadline;
  SetupResult out;
  size_t returning = 0;
  size_t next_user = 0;
  std::vector<int64_t> attacker_sections;

  TimePoint ExchangeDeadline() const {
    return std::min(SteadyClock::now() + config.request_timeout, deadline);
  }
};

// A working token for `account`: the cached one when /me accepts it, else a new sign-in. Fills
// `sections` from /me. Empty when neither works.
asio::awaitable<std::string> EnsureToken(SetupState& s, HttpConnection& conn,
                                         const Account& account, std::vector<int64_t>* sections) {
  std::string token;
  if (auto it = s.tokens.find(account.username); it != s.tokens.end()) token = it->second;
  for (int attempt = 0; attempt < 2 && SteadyClock::now() < s.deadline; ++attempt) {
    if (token.empty()) {
      Exchange login = co_await PasswordLogin(conn, account, s.ExchangeDeadline(), &token);
      Record(s.stats, login);
      if (token.empty()) co_return std::string();
      s.tokens[account.username] = token;
    }
    Request req = MakeRequest(http::verb::get, "/api/v1/me", token);
    Exchange me = co_await conn.Send(std::move(req), s.ExchangeDeadline());
    Record(s.stats, me);
    if (me.status == 200) {
      if (sections) *sections = SectionIds(me.body);
      co_return token;
    }
    if (me.status != 401) co_return std::string();
    s.tokens.erase(account.username);  // expired or from another server: sign in again
    token.clear();
  }
  co_return std::string();
}

asio::awaitable<void> UserWorker(SetupState& s) {
  auto executor = co_await asio::this_coro::executor;
  while (s.next_user < s.returning && SteadyClock::now() < s.deadline) {
    LegitUser& user = s.out.users[s.next_user++];
    HttpConnection conn(executor, s.config.target, SourceBlock::Legit().At(user.source_index),
                        s.budget);
    user.token = co_await EnsureToken(s, conn, user.account, &user.section_ids);
    conn.Close();
  }
}

asio::awaitable<void> SignInRole(SetupState& s, const Account* account, size_t operator_index,
                                 std::string* token, std::vector<int64_t>* sections) {
  if (!account) co_return;
  auto executor = co_await asio::this_coro::executor;
  HttpConnection conn(executor, s.config.target, SourceBlock::Operator().At(operator_index),
                      s.budget);
  *token = co_await EnsureToken(s, conn, *account, sections);
  conn.Close();
}

// Creates a session of `section` from a minute ago to well past the run, and starts it.
asio::awaitable<std::optional<int64_t>> OpenRoom(SetupState& s, HttpConnection& conn,
                                                 int64_t section, const std::string& token) {
  const int64_t now_ms = SystemClock::Instance().NowMs();
  const int64_t end_ms = now_ms +
                         std::chrono::duration_cast<std::chrono::milliseconds>(
                             s.config.setup_timeout + s.config.duration)
                             .count() +
                         10 * 60'000;
  json::object body{{"title", "homeroom-storm room"},
                    {"starts_at", FormatIsoUtc(now_ms - 60'000)},
                    {"ends_at", FormatIsoUtc(end_ms)}};
  Request create = MakeRequest(http::verb::post,
                               "/api/v1/sections/" + std::to_string(section) + "/live-sessions",
                               token, json::serialize(body));
  Exchange created = co_await conn.Send(std::move(create), s.ExchangeDeadline());
  Record(s.stats, created);
  if (created.status != 201) {
    s.out.notes.push_back("setup: scheduling a room in section " + std::to_string(section) +
                          " answered " + std::to_string(created.status));
    co_return std::nullopt;
  }
  boost::system::error_code ec;
  json::value v = json::parse(created.body, ec);
  int64_t id = 0;
  if (!ec && v.is_object()) {
    const auto* items = v.as_object().if_contains("items");
    if (items && items->is_array() && !items->as_array().empty()) {
      const auto* first = items->as_array()[0].if_object();
      const auto* id_value = first ? first->if_contains("id") : nullptr;
      if (id_value && id_value->is_int64()) id = id_value->as_int64();
    }
  }
  if (id == 0) co_return std::nullopt;
  Request start = MakeRequest(http::verb::post,
                              "/api/v1/live-sessions/" + std::to_string(id) + "/start", token);
  Exchange started = co_await conn.Send(std::move(start), s.ExchangeDeadline());
  Record(s.stats, started);
  if (started.status != 200) {
    s.out.notes.push_back("setup: starting room " + std::to_string(id) + " answered " +
                          std::to_string(started.status));
    co_return std::nullopt;
  }
  s.out.room_tokens[id] = token;
  co_return id;
}

asio::awaitable<void> OpenRooms(SetupState& s) {
  auto executor = co_await asio::this_coro::executor;
  HttpConnection conn(executor, s.config.target, SourceBlock::Operator().At(0), s.budget);
  std::map<int64_t, int> students_per_section;
  for (size_t i = 0; i < s.returning; ++i) {
    const LegitUser& u = s.out.users[i];
    if (u.account.role != "student" || u.token.empty()) continue;
    for (int64_t section : u.section_ids) ++students_per_section[section];
  }
  std::vector<std::pair<int, int64_t>> ranked;
  for (const auto& [section, n] : students_per_section) ranked.emplace_back(-n, section);
  std::sort(ranked.begin(), ranked.end());
  std::map<int64_t, int64_t> room_of_section;
  if (s.config.live) {
    for (const auto& [minus_n, section] : ranked) {
      if (static_cast<int>(s.out.rooms.size()) >= s.config.live_rooms) break;
      if (SteadyClock::now() >= s.deadline) break;
      std::string token = s.out.admin_token;
      if (token.empty()) {
        for (size_t i = 0; i < s.returning && token.empty(); ++i) {
          const LegitUser& u = s.out.users[i];
          if (u.account.role == "teacher" &&
              std::count(u.section_ids.begin(), u.section_ids.end(), section) > 0) {
            token = u.token;
          }
        }
      }
      if (token.empty()) continue;
      std::optional<int64_t> room = co_await OpenRoom(s, conn, section, token);
      if (room) {
        s.out.rooms.push_back(*room);
        room_of_section[section] = *room;
      }
    }
  }
  // The attacker's room: a live session of one of its own sections.
  if (!s.out.attacker_token.empty() && !s.attacker_sections.empty()) {
    const int64_t section = s.attacker_sections.front();
    if (auto it = room_of_section.find(section); it != room_of_section.end()) {
      s.out.attacker_room = it->second;
    } else if (!s.out.admin_token.empty()) {
      std::optional<int64_t> room = co_await OpenRoom(s, conn, section, s.out.admin_token);
      if (room) {
        s.out.attacker_room = *room;
        s.out.rooms.push_back(*room);
      }
    }
  }
  conn.Close();
}

}  // namespace

Result<SetupResult> RunSetup(const StormConfig& config, const std::vector<Account>& accounts,
                             std::vector<LegitUser> users, const Account* admin,
                             const Account* attacker, std::map<std::string, std::string>& tokens,
                             TrafficStats& stats) {
  (void)accounts;
  SetupState s(config, stats, tokens);
  s.deadline = SteadyClock::now() + config.setup_timeout;
  s.returning = static_cast<size_t>(
      std::llround(config.returning_fraction * static_cast<double>(users.size())));
  s.out.users = std::move(users);
  asio::io_context io(1);
  // Phase 1: the admin, the attacker and the returning users sign in.
  {
    auto admin_task = SignInRole(s, admin, 0, &s.out.admin_token, nullptr);
    asio::co_spawn(io, std::move(admin_task), asio::detached);
    auto attacker_task = SignInRole(s, attacker, 1, &s.out.attacker_token, &s.attacker_sections);
    asio::co_spawn(io, std::move(attacker_task), asio::detached);
    for (int i = 0; i < config.setup_concurrency; ++i) {
      auto worker = UserWorker(s);
      asio::co_spawn(io, std::move(worker), asio::detached);
    }
    io.run();
  }
  if (s.stats.attempts() > 0 && s.stats.answers() == 0) {
    return Status::Unavailable(
        "setup: the server at " + config.target.host_header + " did not answer any request", 0);
  }
  if (admin && s.out.admin_token.empty()) {
    s.out.notes.push_back("setup: the admin " + admin->username + " could not sign in");
  }
  if (attacker && s.out.attacker_token.empty()) {
    s.out.notes.push_back("setup: the attacker " + attacker->username + " could not sign in");
  }
  size_t without = 0;
  for (size_t i = 0; i < s.returning; ++i) without += s.out.users[i].token.empty() ? 1 : 0;
  if (without > 0) {
    s.out.notes.push_back("setup: " + std::to_string(without) +
                          " returning users got no session (they sign in during the run)");
  }
  // Phase 2: rooms.
  io.restart();
  auto rooms_task = OpenRooms(s);
  asio::co_spawn(io, std::move(rooms_task), asio::detached);
  io.run();
  return std::move(s.out);
}

void EndRooms(const StormConfig& config, const std::map<int64_t, std::string>& room_tokens) {
  if (room_tokens.empty()) return;
  asio::io_context io(1);
  ConnectionBudget budget(4);
  const TimePoint deadline = SteadyClock::now() + std::chrono::seconds(5);
  auto task = [&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    HttpConnection conn(executor, config.target, SourceBlock::Operator().At(0), budget);
    for (const auto& [id, token] : room_tokens) {
      Request req = MakeRequest(http::verb::post,
                                "/api/v1/live-sessions/" + std::to_string(id) + "/end", token);
      Exchange e = co_await conn.Send(std::move(req), deadline);
      (void)e;
    }
    conn.Close();
  };
  auto coroutine = task();
  asio::co_spawn(io, std::move(coroutine), asio::detached);
  io.run();
}

}  // namespace homeroom::storm
