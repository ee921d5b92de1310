// Short, bounded storms (about two seconds each) against the real server on 127.0.0.1:0.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <optional>

#include "integration/test_server.h"
#include "storm/http_client.h"
#include "storm/report.h"
#include "storm/storm.h"

namespace homeroom::storm {
namespace {

// The fixture's people as a demo-logins.json file (every password is "pw-" + username).
std::string WriteLogins(const std::string& dir) {
  const std::string path = dir + "/logins.json";
  std::ofstream out(path);
  out << "[";
  bool first = true;
  for (const auto& [role, name] :
       std::vector<std::pair<std::string, std::string>>{{"student", "student_a"},
                                                        {"student", "student_b"},
                                                        {"teacher", "teacher_a"},
                                                        {"teacher", "teacher_b"},
                                                        {"district_admin", "district"}}) {
    out << (first ? "" : ",") << R"({"role":")" << role << R"(","username":")" << name
        << R"(","password":"pw-)" << name << R"("})";
    first = false;
  }
  out << "]";
  return path;
}

StormConfig ShortStorm(uint16_t port, const std::string& logins) {
  StormConfig config;
  config.target = *ParseTarget("127.0.0.1:" + std::to_string(port));
  config.duration = std::chrono::milliseconds(2'000);
  config.ramp_up = std::chrono::milliseconds(200);
  config.logins_path = logins;
  config.legit_users = 3;
  config.legit_rate = 30;
  config.returning_fraction = 0.5;
  config.chat_interval = std::chrono::milliseconds(300);
  config.live_rooms = 2;
  config.status_interval = std::chrono::milliseconds(200);
  config.request_timeout = std::chrono::milliseconds(3'000);
  config.setup_timeout = std::chrono::milliseconds(20'000);
  config.max_connections = 500;
  config.seed = 7;
  return config;
}

TEST(StormRun, LegitimateUsersSucceedAndTheFloodIsCounted) {
  testing::TestServer server;
  testing::TempDir dir;
  StormConfig config = ShortStorm(server.port(), WriteLogins(dir.path()));
  config.token_cache = dir.path() + "/tokens.tsv";
  config.attacks = {
      AttackSpec{.kind = AttackKind::kHttpFlood, .rate = 200, .sources = 2, .connections = 4}};
  auto result = RunStorm(config);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const StormResult& r = **result;

  // Legitimate traffic: sign-ins during the run, home calls, a live room and its chat.
  EXPECT_EQ(r.legit_users, 3);
  EXPECT_GE(r.returning_users, 1);
  EXPECT_FALSE(r.rooms.empty());
  EXPECT_GT(r.api->attempts(), 0u);
  EXPECT_EQ(r.api->successes(), r.api->attempts());
  EXPECT_EQ(r.login->successes(), r.login->attempts());
  EXPECT_GT(r.live_connect->StatusCount(101), 0u);
  EXPECT_GT(r.chat->successes(), 0u);

  // The flood: every request counted, by what the server answered (unknown paths, 401s...).
  ASSERT_EQ(r.attacks.size(), 1u);
  const TrafficStats& flood = *r.attacks[0].second;
  EXPECT_GT(flood.attempts(), 0u);
  EXPECT_GT(flood.answers(), 0u);
  EXPECT_EQ(flood.ErrorCount(NetError::kCapped), 0u);

  // The probe ran; today's server may or may not have the route.
  EXPECT_GT(r.detection.polls, 0u);
  auto json = ReportJson(config, r);
  EXPECT_EQ(json.at("legit").at("streams").at("api").at("attempts").to_number<uint64_t>(),
            r.api->attempts());
  EXPECT_TRUE(json.at("attacks").as_object().contains("http-flood"));

  // The sessions gained are kept for the next run.
  auto tokens = ReadTokenCache(config.token_cache);
  ASSERT_TRUE(tokens.ok());
  EXPECT_TRUE(tokens->count("district"));
}

TEST(StormRun, UnderAttackModeLegitimateSignInsSolveTheChallenge) {
  testing::TestServer server([](app::AppConfig& c) {
    c.attack_mode = "on";
    c.admission.proof.difficulty_bits = 8;
  });
  testing::TempDir dir;
  StormConfig config = ShortStorm(server.port(), WriteLogins(dir.path()));
  auto result = RunStorm(config);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const StormResult& r = **result;
  // Every sign-in (setup's and the run's) was challenged, solved it and got in, as the web
  // client does; none is counted as a failure.
  EXPECT_GE(r.returning_users, 1);
  EXPECT_GT(r.login->attempts(), 0u);
  EXPECT_EQ(r.login->successes(), r.login->attempts());
  EXPECT_GE(server.app().metrics().CounterValue("homeroom_guard_admission_total",
                                                {{"class", "login"}, {"decision", "challenged"}}),
            r.login->attempts());
}

TEST(StormRun, SlowClientsAreCountedWhenTheServerClosesThem) {
  testing::TestServer server(
      [](app::AppConfig& c) { c.server.head_timeout = std::chrono::milliseconds(300); });
  StormConfig config = ShortStorm(server.port(), "");
  config.legit_users = 0;
  config.slow_interval = std::chrono::milliseconds(100);
  config.attacks = {
      AttackSpec{.kind = AttackKind::kSlowloris, .rate = 50, .sources = 2, .connections = 5},
      AttackSpec{.kind = AttackKind::kLoginStuffing, .rate = 50, .sources = 1, .connections = 2}};
  auto result = RunStorm(config);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const TrafficStats& loris = *(*result)->attacks[0].second;
  EXPECT_GT(loris.attempts(), 0u);
  // The server's head deadline ends each slow connection: an answer (408/400) or a close.
  const uint64_t ended_by_server =
      loris.answers() + loris.ErrorCount(NetError::kClosed) + loris.ErrorCount(NetError::kReset);
  EXPECT_GT(ended_by_server, 0u);
  const TrafficStats& stuffing = *(*result)->attacks[1].second;
  EXPECT_GT(stuffing.attempts(), 0u);
  EXPECT_EQ(stuffing.successes(), 0u);  // random credentials never sign in
}

TEST(StormRun, SlowPostByDefaultFitsTheRouteAndMeetsTheMinimumBodyRate) {
  testing::TestServer server(
      [](app::AppConfig& c) { c.server.body_rate_grace = std::chrono::milliseconds(200); });
  StormConfig config = ShortStorm(server.port(), "");
  config.legit_users = 0;
  config.slow_interval = std::chrono::milliseconds(100);  // 10 bytes/s, under 512
  config.attacks = {
      AttackSpec{.kind = AttackKind::kSlowPost, .rate = 20, .sources = 2, .connections = 4}};
  auto result = RunStorm(config);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const TrafficStats& post = *(*result)->attacks[0].second;
  EXPECT_GT(post.attempts(), 0u);
  // The default length is under the sign-in route's limit: never refused up front...
  EXPECT_EQ(post.StatusCount(413), 0u);
  // ...so the server reads the trickled body and its minimum body rate cuts it.
  EXPECT_GT(
      server.app().metrics().CounterTotal("homeroom_net_timeouts_total", {{"kind", "body_rate"}}),
      0u);
  EXPECT_EQ(server.app().metrics().CounterTotal("homeroom_net_bad_requests_total",
                                                {{"reason", "body_too_large"}}),
            0u);
}

TEST(StormRun, ConnectionExhaustionPastTheGlobalCapIsEvictedWhileUsersAreServed) {
  testing::TestServer server([](app::AppConfig& c) {
    // The attack's first /24 (sources 0..253) fills its subnet cap; its second /24 then fills
    // the global cap, where idle connections that never signed in are evicted for new ones.
    c.server.max_connections = 20;
    c.server.max_connections_per_subnet = 12;
  });
  testing::TempDir dir;
  StormConfig config = ShortStorm(server.port(), WriteLogins(dir.path()));
  config.token_cache = dir.path() + "/tokens.tsv";
  config.legit_users = 2;
  config.live = false;
  config.attacks = {AttackSpec{
      .kind = AttackKind::kConnectionExhaustion, .rate = 200, .sources = 300, .connections = 40}};
  auto result = RunStorm(config);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const StormResult& r = **result;
  const TrafficStats& idle = *r.attacks[0].second;
  EXPECT_GT(idle.attempts(), 0u);
  EXPECT_EQ(idle.successes(), 0u);  // it never asks for anything
  const metrics::Registry& m = server.app().metrics();
  EXPECT_GT(m.CounterTotal("homeroom_net_connections_evicted_total"), 0u);
  EXPECT_GT(
      m.CounterTotal("homeroom_net_connections_refused_total", {{"reason", "per_subnet_cap"}}), 0u);
  // The users still get their answers (new connections take evicted slots).
  EXPECT_GT(r.api->attempts(), 0u);
  EXPECT_GT(r.api->successes(), 0u);
}

// A browser whose kept-alive connection the server closed meanwhile sends its GET again on a new
// connection (RFC 9112, 9.3.1); the storm's legitimate users do the same, so a keep-alive timeout
// that races a request is not counted as a failure of the server.
TEST(StormHttp, AGetOnAKeepAliveConnectionTheServerClosedIsSentAgainOnce) {
  testing::TestServer server(
      [](app::AppConfig& c) { c.server.idle_timeout = std::chrono::milliseconds(200); });
  Target target = *ParseTarget("127.0.0.1:" + std::to_string(server.port()));
  boost::asio::io_context io;
  ConnectionBudget budget(4);
  HttpConnection conn(io.get_executor(), target, boost::asio::ip::make_address("127.0.0.1"),
                      budget);
  std::optional<Exchange> first, second, post;
  auto run = [&]() -> boost::asio::awaitable<void> {
    // Named locals: GCC 12 destroys a temporary passed to a coroutine twice.
    const TimePoint deadline = SteadyClock::now() + std::chrono::seconds(10);
    Request get = MakeRequest(boost::beast::http::verb::get, "/healthz");
    Request get_again = get;
    Request post_request = MakeRequest(boost::beast::http::verb::post, "/healthz");
    first = co_await conn.Send(std::move(get), deadline);
    boost::asio::steady_timer wait(io, std::chrono::milliseconds(1'000));  // past the idle timeout
    co_await wait.async_wait(boost::asio::use_awaitable);
    second = co_await conn.Send(std::move(get_again), deadline);
    wait.expires_after(std::chrono::milliseconds(1'000));
    co_await wait.async_wait(boost::asio::use_awaitable);
    // Not idempotent: never sent twice.
    post = co_await conn.Send(std::move(post_request), deadline);
  };
  auto done = boost::asio::co_spawn(io, run(), boost::asio::use_future);
  io.run();
  done.get();
  ASSERT_TRUE(first && second && post);
  EXPECT_EQ(first->status, 200);
  EXPECT_FALSE(first->retried);
  EXPECT_EQ(second->status, 200);
  EXPECT_TRUE(second->retried);
  EXPECT_FALSE(post->answered());
  EXPECT_FALSE(post->retried);
}

}  // namespace
}  // namespace homeroom::storm
