// oversized: requests and frames over the server's limits, in turn: a JSON body of
// --oversize-bytes to the sign-in route (expect 413), a 64 KiB request head (expect 431), and,
// when the attacker has a live room, one WebSocket text frame of --oversize-bytes (expect close
// 1009). Events say which: "body.<status>", "head.<status>", "frame.<close>".
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>

#include "storm/attack.h"
#include "storm/ws_client.h"

namespace homeroom::storm {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Writes `raw` on a fresh connection and reads the answer, even when the server answered early
// and stopped reading (the answer may be waiting although the write failed).
asio::awaitable<Exchange> SendRaw(AttackContext& a, const asio::ip::address& source,
                                  const std::string& raw) {
  Exchange out;
  ConnectionBudget::Slot slot = a.ctx.budget.TryAcquire();
  if (!slot) {
    out.error = NetError::kCapped;
    co_return out;
  }
  auto executor = co_await asio::this_coro::executor;
  beast::tcp_stream stream(executor);
  const TimePoint start = SteadyClock::now();
  const TimePoint deadline = a.ctx.ExchangeDeadline();
  boost::system::error_code ec =
      co_await ConnectFrom(stream, a.ctx.config.target, source, deadline);
  if (ec) {
    out.error = ClassifyError(ec);
    out.latency = Since(start);
    co_return out;
  }
  stream.expires_at(deadline);
  auto [write_error, written] = co_await asio::async_write(stream, asio::buffer(raw), kTuple);
  (void)written;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024);
  if (!write_error || write_error == asio::error::broken_pipe ||
      write_error == asio::error::connection_reset) {
    stream.expires_at(std::min(deadline, SteadyClock::now() + std::chrono::seconds(2)));
    auto [read_error, read] = co_await http::async_read(stream, buffer, parser, kTuple);
    (void)read;
    out.latency = Since(start);
    if (!read_error || parser.is_header_done()) {
      out.status = static_cast<int>(parser.get().result_int());
      co_return out;
    }
    ec = write_error ? write_error : read_error;
  } else {
    ec = write_error;
  }
  out.latency = Since(start);
  out.ec = ec;
  out.error = ClassifyError(ec);
  co_return out;
}

std::string EventOf(const char* what, const Exchange& e) {
  return std::string(what) + "." +
         (e.answered() ? std::to_string(e.status) : std::string(NetErrorName(e.error)));
}

asio::awaitable<void> OversizedWorker(AttackContext& a, uint64_t worker) {
  std::mt19937_64 rng(a.Seed(worker));
  co_await SleepUntil(a.ctx.attack_start);
  auto executor = co_await asio::this_coro::executor;
  const StormConfig& config = a.ctx.config;
  const bool frames = !a.ctx.attacker_token.empty() && a.ctx.attacker_room.has_value();
  uint64_t n = 0;
  while (co_await a.pacer.Next()) {
    const uint64_t turn = n++;
    const auto source = a.Source(worker + turn * static_cast<uint64_t>(a.spec.connections));
    switch (turn % (frames ? 3 : 2)) {
      case 0: {
        std::string body = "{\"username\":\"" + std::string(config.oversize_bytes, 'x') + "\"}";
        std::string raw =
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: " + config.target.host_header +
            "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n\r\n" + body;
        Exchange e = co_await SendRaw(a, source, raw);
        Record(a.stats, e);
        a.stats.Count(EventOf("body", e));
        break;
      }
      case 1: {
        std::string raw = "GET /api/v1/me HTTP/1.1\r\nHost: " + config.target.host_header +
                          "\r\nUser-Agent: " + RandomUserAgent(rng) +
                          "\r\nX-Pad: " + std::string(64 * 1024, 'p') + "\r\n\r\n";
        Exchange e = co_await SendRaw(a, source, raw);
        Record(a.stats, e);
        a.stats.Count(EventOf("head", e));
        break;
      }
      default: {
        ConnectionBudget::Slot slot = a.ctx.budget.TryAcquire();
        if (!slot) {
          a.stats.RecordError(NetError::kCapped, {});
          break;
        }
        WsStream ws(executor);
        const TimePoint start = SteadyClock::now();
        const TimePoint deadline = a.ctx.ExchangeDeadline();
        const std::string path = "/api/v1/live?session=" + std::to_string(*a.ctx.attacker_room);
        WsConnect c = co_await ConnectWebSocket(ws, config.target, source, path,
                                                a.ctx.attacker_token, deadline);
        if (!c.open()) {
          Record(a.stats, c);
          a.stats.Count("frame.upgrade." + std::to_string(c.status));
          break;
        }
        std::string frame(config.oversize_bytes, 'f');
        auto [write_error, written] = co_await ws.async_write(asio::buffer(frame), kTuple);
        (void)written;
        // The server's answer to the frame is a close; read until it comes (the welcome first).
        beast::flat_buffer buffer;
        boost::system::error_code read_error = write_error;
        beast::get_lowest_layer(ws).expires_at(deadline);
        for (int i = 0; i < 16 && !read_error; ++i) {
          auto [ec, got] = co_await ws.async_read(buffer, kTuple);
          (void)got;
          buffer.consume(buffer.size());
          read_error = ec;
        }
        a.stats.RecordError(ClassifyError(read_error), Since(start));
        a.stats.Count("frame." + CloseEventName(ws, read_error));
        break;
      }
    }
  }
}

}  // namespace

void StartOversized(AttackContext& a) {
  for (int i = 0; i < a.spec.connections; ++i) {
    auto worker = OversizedWorker(a, static_cast<uint64_t>(i));
    a.ctx.Spawn(asio::make_strand(a.ctx.io), std::move(worker));
  }
}

}  // namespace homeroom::storm
