// ws-connect-flood and ws-message-flood: WebSocket abuse with the attacker's own session (the
// student with a stresser has an account), or anonymously when the storm has none.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <unordered_map>

#include "storm/attack.h"
#include "storm/ws_client.h"

namespace homeroom::storm {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace json = boost::json;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::string LivePath(const AttackContext& a) {
  // Without a room of the attacker's, an upgrade for a session that does not exist: the server
  // still has to authenticate it before refusing.
  return "/api/v1/live?session=" + std::to_string(a.ctx.attacker_room.value_or(999'999'999));
}

// Upgrades at the attack's rate; each upgraded socket is held open, reading (and so answering
// pings), until the server closes it or the storm ends.
asio::awaitable<void> ConnectFloodWorker(AttackContext& a, uint64_t worker) {
  co_await SleepUntil(a.ctx.attack_start);
  auto executor = co_await asio::this_coro::executor;
  uint64_t round = 0;
  const std::string path = LivePath(a);
  while (co_await a.pacer.Next()) {
    ConnectionBudget::Slot slot = a.ctx.budget.TryAcquire();
    if (!slot) {
      a.stats.RecordError(NetError::kCapped, {});
      continue;
    }
    const uint64_t source = worker + round++ * static_cast<uint64_t>(a.spec.connections);
    auto ws = std::make_shared<WsStream>(executor);
    const TimePoint deadline = a.ctx.ExchangeDeadline();
    WsConnect c = co_await ConnectWebSocket(*ws, a.ctx.config.target, a.Source(source), path,
                                            a.ctx.attacker_token, deadline);
    Record(a.stats, c);
    if (!c.open()) continue;
    // At the end of the run a pending read is cancelled; the socket counts as held to the end.
    asio::steady_timer guard(executor);
    guard.expires_at(a.ctx.run_end);
    guard.async_wait([ws](boost::system::error_code ec) {
      if (!ec) {
        boost::system::error_code ignored;
        beast::get_lowest_layer(*ws).socket().cancel(ignored);
      }
    });
    beast::flat_buffer buffer;
    while (true) {
      auto [ec, n] = co_await ws->async_read(buffer, kTuple);
      (void)n;
      buffer.consume(buffer.size());
      if (ec) {
        a.stats.Count(a.ctx.Running() ? CloseEventName(*ws, ec) : std::string("held_to_end"));
        break;
      }
    }
    guard.cancel();
    boost::system::error_code ignored;
    beast::get_lowest_layer(*ws).socket().close(ignored);
  }
}

struct FloodSocket {
  explicit FloodSocket(asio::any_io_executor ex) : ws(ex) {}
  WsStream ws;
  bool open = false;
  std::unordered_map<int64_t, TimePoint> pending;
};

asio::awaitable<void> ReadAnswers(AttackContext& a, std::shared_ptr<FloodSocket> s) {
  beast::flat_buffer buffer;
  while (true) {
    auto [ec, n] = co_await s->ws.async_read(buffer, kTuple);
    (void)n;
    if (ec) {
      if (s->open) a.stats.Count(CloseEventName(s->ws, ec));
      s->open = false;
      co_return;
    }
    boost::system::error_code parse_error;
    json::value v = json::parse(beast::buffers_to_string(buffer.data()), parse_error);
    buffer.consume(buffer.size());
    const auto* obj = v.if_object();
    if (!obj) continue;
    const auto* type = obj->if_contains("type");
    const auto* id = obj->if_contains("id");
    if (!type || !type->is_string() || !id || !id->is_int64()) continue;
    auto it = s->pending.find(id->as_int64());
    if (it == s->pending.end()) continue;
    if (*type == "ack") {
      a.stats.RecordStatus(200, Since(it->second));
    } else {
      const auto* code = obj->if_contains("code");
      std::string code_text = code && code->is_string() ? std::string(code->as_string()) : "?";
      a.stats.Count("ws.error." + code_text);
      a.stats.RecordStatus(code_text == "rate_limited" ? 429 : 400, Since(it->second));
    }
    s->pending.erase(it);
  }
}

// One socket (reopened when the server closes it) sending chat commands at its share of the rate.
asio::awaitable<void> MessageFloodWorker(AttackContext& a, uint64_t worker) {
  co_await SleepUntil(a.ctx.attack_start);
  auto executor = co_await asio::this_coro::executor;
  const std::string path = LivePath(a);
  std::shared_ptr<FloodSocket> s;
  ConnectionBudget::Slot slot;
  int64_t next_id = 1;
  uint64_t round = 0;
  while (co_await a.pacer.Next()) {
    if (!s || !s->open) {
      slot.Release();
      slot = a.ctx.budget.TryAcquire();
      if (!slot) {
        a.stats.RecordError(NetError::kCapped, {});
        continue;
      }
      s = std::make_shared<FloodSocket>(executor);
      const uint64_t source = worker + round++ * static_cast<uint64_t>(a.spec.connections);
      const TimePoint deadline = a.ctx.ExchangeDeadline();
      WsConnect c = co_await ConnectWebSocket(s->ws, a.ctx.config.target, a.Source(source), path,
                                              a.ctx.attacker_token, deadline);
      a.stats.Count(c.open()   ? "upgrade.101"
                    : c.status ? "upgrade." + std::to_string(c.status)
                               : std::string("upgrade.") + NetErrorName(c.error));
      if (!c.open()) {
        Record(a.stats, c);
        continue;
      }
      s->open = true;
      auto reader = ReadAnswers(a, s);
      a.ctx.Spawn(executor, std::move(reader));
    }
    const int64_t id = next_id++;
    json::object cmd{{"id", id}, {"type", "chat.send"}, {"text", "spam " + std::to_string(id)}};
    std::string frame = json::serialize(cmd);
    s->pending[id] = SteadyClock::now();
    auto [ec, n] = co_await s->ws.async_write(asio::buffer(frame), kTuple);
    (void)n;
    if (ec) {
      s->pending.erase(id);
      a.stats.RecordError(ClassifyError(ec), {});
      s->open = false;
    }
  }
  if (s && s->open) {
    s->open = false;
    auto [ec] = co_await s->ws.async_close(beast::websocket::close_code::going_away, kTuple);
    (void)ec;
  }
}

}  // namespace

void StartWsConnectFlood(AttackContext& a) {
  if (a.ctx.attacker_token.empty()) a.ctx.Note("ws-connect-flood: no attacker session, anonymous");
  for (int i = 0; i < a.spec.connections; ++i) {
    auto worker = ConnectFloodWorker(a, static_cast<uint64_t>(i));
    a.ctx.Spawn(asio::make_strand(a.ctx.io), std::move(worker));
  }
}

void StartWsMessageFlood(AttackContext& a) {
  if (a.ctx.attacker_token.empty() || !a.ctx.attacker_room) {
    a.ctx.Note("ws-message-flood: no attacker session in a live room; upgrades will be refused");
  }
  for (int i = 0; i < a.spec.connections; ++i) {
    auto worker = MessageFloodWorker(a, static_cast<uint64_t>(i));
    a.ctx.Spawn(asio::make_strand(a.ctx.io), std::move(worker));
  }
}

}  // namespace homeroom::storm
