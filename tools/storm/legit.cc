#include "storm/legit.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <random>
#include <unordered_map>
#include <utility>

#include "guard/proof_of_work.h"
#include "storm/pacer.h"
#include "storm/source_pool.h"
#include "storm/ws_client.h"

namespace homeroom::storm {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

json::value ParseJson(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  return ec ? json::value() : v;
}

// A legitimate live-room socket: the user's loop sends chat commands, a reader on the same strand
// matches their acknowledgements and answers the server's pings.
struct LiveSocket {
  explicit LiveSocket(asio::any_io_executor ex) : ws(ex) {}
  WsStream ws;
  ConnectionBudget::Slot slot;
  bool open = false;
  bool closing = false;
  int64_t next_id = 1;
  std::unordered_map<int64_t, TimePoint> pending;  // command id -> sent at
};

asio::awaitable<void> ReadLive(RunContext& ctx, std::shared_ptr<LiveSocket> live) {
  beast::flat_buffer buffer;
  TrafficStats& chat = *ctx.result.chat;
  while (true) {
    auto [ec, n] = co_await live->ws.async_read(buffer, kTuple);
    (void)n;
    if (ec) {
      live->open = false;
      if (!live->closing) {
        chat.Count(CloseEventName(live->ws, ec));
        // Commands that never got their answer because the server dropped the socket.
        for (const auto& [id, sent] : live->pending)
          chat.RecordError(ClassifyError(ec), Since(sent));
      }
      live->pending.clear();
      co_return;
    }
    json::value v = ParseJson(beast::buffers_to_string(buffer.data()));
    buffer.consume(buffer.size());
    const auto* obj = v.if_object();
    if (!obj) continue;
    const auto* type = obj->if_contains("type");
    if (!type || !type->is_string()) continue;
    const auto* id = obj->if_contains("id");
    if (*type == "welcome") {
      const auto* state = obj->if_contains("state");
      chat.Count(std::string("live.welcome.") +
                 (state && state->is_string() ? std::string(state->as_string()) : "?"));
    } else if ((*type == "ack" || *type == "error") && id && id->is_int64()) {
      auto it = live->pending.find(id->as_int64());
      if (it == live->pending.end()) continue;
      if (*type == "ack") {
        chat.RecordOk(Since(it->second));
      } else {
        const auto* code = obj->if_contains("code");
        std::string code_text = code && code->is_string() ? std::string(code->as_string()) : "?";
        chat.Count("chat.error." + code_text);
        chat.RecordStatus(code_text == "rate_limited" ? 429 : 400, Since(it->second));
      }
      live->pending.erase(it);
    } else if (*type == "error") {
      const auto* code = obj->if_contains("code");
      chat.Count("live.refused." +
                 (code && code->is_string() ? std::string(code->as_string()) : std::string("?")));
    }
  }
}

}  // namespace

namespace {

// The hardest puzzle the storm solves (2^24 hashes, seconds of a core); a harder one is a failure.
constexpr int64_t kMaxSolvedBits = 24;

// The proof-of-work header for a 403 challenge_required answer, or nullopt for anything else.
std::optional<std::pair<std::string, std::string>> SolveChallenge(const Exchange& e) {
  if (e.status != 403) return std::nullopt;
  json::value v = ParseJson(e.body);
  const auto* obj = v.if_object();
  const auto* error = obj ? obj->if_contains("error") : nullptr;
  const auto* err = error ? error->if_object() : nullptr;
  const auto* code = err ? err->if_contains("code") : nullptr;
  const auto* puzzle = err ? err->if_contains("challenge") : nullptr;
  if (!code || *code != "challenge_required" || !puzzle || !puzzle->is_object()) {
    return std::nullopt;
  }
  const auto* text = puzzle->as_object().if_contains("challenge");
  const auto* bits = puzzle->as_object().if_contains("difficulty");
  const auto* header = puzzle->as_object().if_contains("header");
  if (!text || !text->is_string() || !bits || !bits->is_int64() || bits->as_int64() < 0 ||
      bits->as_int64() > kMaxSolvedBits) {
    return std::nullopt;
  }
  std::string name = header && header->is_string() ? std::string(header->as_string())
                                                   : std::string("X-Homeroom-Proof");
  return std::make_pair(
      std::move(name),
      guard::ProofOfWork::Solve(text->as_string(), static_cast<int>(bits->as_int64())));
}

}  // namespace

asio::awaitable<Exchange> PasswordLogin(HttpConnection& conn, const Account& account,
                                        TimePoint deadline, std::string* token) {
  json::object body{{"username", account.username}, {"password", account.password}};
  Request req = MakeRequest(http::verb::post, "/api/v1/auth/login", "", json::serialize(body));
  Exchange e = co_await conn.Send(std::move(req), deadline);
  // Under attack the server asks an anonymous sign-in for proof of work (403 challenge_required
  // with a puzzle, docs/api.md): solve it and sign in again, as the web client does. The two
  // exchanges count as one sign-in, timed from the first.
  if (std::optional<std::pair<std::string, std::string>> proof = SolveChallenge(e)) {
    Request again = MakeRequest(http::verb::post, "/api/v1/auth/login", "", json::serialize(body));
    again.set(proof->first, proof->second);
    const std::chrono::microseconds first = e.latency;
    e = co_await conn.Send(std::move(again), deadline);
    e.latency += first;
  }
  if (e.status == 200) {
    json::value v = ParseJson(e.body);
    const auto* obj = v.if_object();
    const auto* t = obj ? obj->if_contains("token") : nullptr;
    if (t && t->is_string()) *token = std::string(t->as_string());
  }
  co_return e;
}

std::vector<int64_t> LiveSessionIds(const std::string& body) {
  std::vector<int64_t> ids;
  json::value v = ParseJson(body);
  const auto* obj = v.if_object();
  const auto* items = obj ? obj->if_contains("items") : nullptr;
  if (!items || !items->is_array()) return ids;
  for (const auto& item : items->as_array()) {
    const auto* o = item.if_object();
    if (!o) continue;
    const auto* status = o->if_contains("status");
    const auto* id = o->if_contains("id");
    if (status && status->is_string() && *status == "live" && id && id->is_int64()) {
      ids.push_back(id->as_int64());
    }
  }
  return ids;
}

std::vector<int64_t> SectionIds(const std::string& body) {
  std::vector<int64_t> ids;
  json::value v = ParseJson(body);
  const auto* obj = v.if_object();
  const auto* list = obj ? obj->if_contains("section_ids") : nullptr;
  if (!list || !list->is_array()) return ids;
  for (const auto& id : list->as_array()) {
    if (id.is_int64()) ids.push_back(id.as_int64());
  }
  return ids;
}

asio::awaitable<void> RunLegitUser(RunContext& ctx, LegitUser user, TimePoint start_at,
                                   uint64_t seed) {
  const StormConfig& config = ctx.config;
  StormResult& result = ctx.result;
  std::mt19937_64 rng(seed);
  co_await SleepUntil(start_at);
  if (!ctx.Running()) co_return;
  auto executor = co_await asio::this_coro::executor;
  const auto source = SourceBlock::Legit().At(user.source_index);
  HttpConnection conn(executor, config.target, source, ctx.budget);

  // A user without a session signs in, as a student opening the laptop in the morning.
  for (int attempt = 0; user.token.empty() && attempt < 3 && ctx.Running(); ++attempt) {
    Exchange e = co_await PasswordLogin(conn, user.account, ctx.ExchangeDeadline(), &user.token);
    Record(*result.login, e);
    if (!user.token.empty()) {
      ctx.SaveToken(user.account.username, user.token);
      break;
    }
    co_await SleepUntil(
        std::min(SteadyClock::now() + std::chrono::seconds(1 + attempt), ctx.run_end));
  }
  if (user.token.empty()) co_return;

  // Mean gap between this user's requests: its share of --legit-rate.
  const double mean_gap_s = std::max(1, config.legit_users) / config.legit_rate;
  std::exponential_distribution<double> gap(1.0 / mean_gap_s);
  auto next_gap = [&] {
    return std::chrono::duration_cast<SteadyClock::duration>(
        std::chrono::duration<double>(std::min(gap(rng), 600.0)));
  };

  std::shared_ptr<LiveSocket> live;
  std::vector<int64_t> live_sessions;
  TimePoint next_chat = TimePoint::max();
  TimePoint next_join = SteadyClock::now();
  const bool may_join =
      config.live && (user.account.role == "student" || user.account.role == "teacher");

  // One API call; a 401 (the session expired or was revoked) sends the user to the sign-in page.
  auto call = [&](const std::string& target) -> asio::awaitable<Exchange> {
    Request req = MakeRequest(http::verb::get, target, user.token);
    Exchange e = co_await conn.Send(std::move(req), ctx.ExchangeDeadline());
    Record(*result.api, e);
    if (e.status == 401 && ctx.Running()) {
      std::string token;
      Exchange login = co_await PasswordLogin(conn, user.account, ctx.ExchangeDeadline(), &token);
      Record(*result.login, login);
      if (!token.empty()) {
        user.token = token;
        ctx.SaveToken(user.account.username, token);
      }
    }
    co_return e;
  };

  // The home page: who am I, my classes, my live sessions.
  {
    const std::string me_path = "/api/v1/me";
    const std::string sections_path = "/api/v1/me/sections";
    const std::string sessions_path = "/api/v1/me/live-sessions";
    Exchange me = co_await call(me_path);
    if (me.status == 200) user.section_ids = SectionIds(me.body);
    Exchange sections = co_await call(sections_path);
    (void)sections;
    Exchange sessions = co_await call(sessions_path);
    if (sessions.status == 200) live_sessions = LiveSessionIds(sessions.body);
  }

  TimePoint next_call = SteadyClock::now() + next_gap();
  int turn = 0;
  while (ctx.Running()) {
    // Join (or rejoin) a live room of one's own sections.
    if (may_join && !live_sessions.empty() && (!live || !live->open) &&
        SteadyClock::now() >= next_join) {
      next_join = SteadyClock::now() + config.chat_interval * 2;
      live = std::make_shared<LiveSocket>(executor);
      live->slot = ctx.budget.TryAcquire();
      if (!live->slot) {
        result.live_connect->RecordError(NetError::kCapped, {});
      } else {
        int64_t session = live_sessions[rng() % live_sessions.size()];
        const std::string path = "/api/v1/live?session=" + std::to_string(session);
        const TimePoint deadline = ctx.ExchangeDeadline();
        WsConnect c =
            co_await ConnectWebSocket(live->ws, config.target, source, path, user.token, deadline);
        Record(*result.live_connect, c);
        if (c.open()) {
          live->open = true;
          auto reader = ReadLive(ctx, live);
          ctx.Spawn(executor, std::move(reader));
          std::uniform_int_distribution<int64_t> first(0, config.chat_interval.count());
          next_chat = SteadyClock::now() + std::chrono::milliseconds(first(rng));
        } else if (c.status == 409 || c.status == 404 || c.status == 403) {
          live_sessions.clear();  // ended or not ours: look again on the next /me/live-sessions
        }
      }
    }
    const TimePoint wake = std::min({next_call, next_chat, ctx.run_end});
    co_await SleepUntil(wake);
    if (!ctx.Running()) break;
    const TimePoint now = SteadyClock::now();
    if (live && live->open && now >= next_chat) {
      next_chat = now + config.chat_interval;
      const int64_t id = live->next_id++;
      json::object cmd{{"id", id}, {"type", "chat.send"}, {"text", "hello #" + std::to_string(id)}};
      std::string frame = json::serialize(cmd);
      live->pending[id] = now;
      auto [ec, n] = co_await live->ws.async_write(asio::buffer(frame), kTuple);
      (void)n;
      if (ec) {
        live->pending.erase(id);
        result.chat->RecordError(ClassifyError(ec), Since(now));
        live->open = false;
      }
    } else if (!live || !live->open) {
      next_chat = TimePoint::max();
    }
    if (now >= next_call) {
      next_call = now + next_gap();
      std::string target;
      switch (turn++ % 4) {
        case 0:
          target = "/api/v1/me";
          break;
        case 1:
          target = "/api/v1/me/sections";
          break;
        case 2:
          target = "/api/v1/me/live-sessions";
          break;
        default:
          target = user.section_ids.empty()
                       ? "/api/v1/me"
                       : "/api/v1/sections/" +
                             std::to_string(user.section_ids[rng() % user.section_ids.size()]);
      }
      Exchange e = co_await call(target);
      if (target == "/api/v1/me/live-sessions" && e.status == 200) {
        live_sessions = LiveSessionIds(e.body);
      }
    }
  }
  if (live && live->open) {
    live->closing = true;
    auto [ec] = co_await live->ws.async_close(beast::websocket::close_code::going_away, kTuple);
    (void)ec;
  }
  conn.Close();
}

}  // namespace homeroom::storm
