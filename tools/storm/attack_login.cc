// login-stuffing: POST /api/v1/auth/login with guessed credentials, part of them for real
// usernames (the lockout an attacker must not be able to cause for someone else).
#include <boost/asio/strand.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "storm/attack.h"
#include "storm/http_client.h"

namespace homeroom::storm {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

asio::awaitable<void> StuffingWorker(AttackContext& a, uint64_t worker) {
  std::mt19937_64 rng(a.Seed(worker));
  std::uniform_real_distribution<double> coin(0, 1);
  co_await SleepUntil(a.ctx.attack_start);
  auto executor = co_await asio::this_coro::executor;
  HttpConnection conn(executor, a.ctx.config.target, a.Source(worker), a.ctx.budget);
  const auto& accounts = a.ctx.accounts;
  while (co_await a.pacer.Next()) {
    std::string username;
    if (!accounts.empty() && coin(rng) < a.ctx.config.stuffing_known_fraction) {
      username = accounts[rng() % accounts.size()].username;
      a.stats.Count("known_username");
    } else {
      username = RandomToken(rng, 5) + "." + RandomToken(rng, 7);
    }
    boost::json::object body{{"username", username}, {"password", RandomToken(rng, 12)}};
    Request req(http::verb::post, "/api/v1/auth/login", 11);
    req.set(http::field::user_agent, RandomUserAgent(rng));
    req.set(http::field::content_type, "application/json");
    req.body() = boost::json::serialize(body);
    Exchange e = co_await conn.Send(std::move(req), a.ctx.ExchangeDeadline());
    Record(a.stats, e);
  }
  conn.Close();
}

}  // namespace

void StartLoginStuffing(AttackContext& a) {
  for (int i = 0; i < a.spec.connections; ++i) {
    auto worker = StuffingWorker(a, static_cast<uint64_t>(i));
    a.ctx.Spawn(asio::make_strand(a.ctx.io), std::move(worker));
  }
}

}  // namespace homeroom::storm
