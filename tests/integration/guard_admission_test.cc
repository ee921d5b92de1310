// Admission before handlers against the real server: rate limits per source, blocked ranges,
// under-attack mode's proof of work, and fair sign-in across sources (docs/security.md,
// "Defenses: admission").
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "guard/admission.h"
#include "guard/attack_mode.h"
#include "guard/block_list.h"
#include "guard/proof_of_work.h"
#include "integration/test_server.h"
#include "unit/net/test_client.h"
#include "unit/net/ws_client.h"

namespace homeroom::testing {
namespace {

using guard::RouteClass;

uint64_t Decisions(TestServer& server, const char* route_class, const char* decision) {
  return server.app().metrics().CounterValue("homeroom_guard_admission_total",
                                             {{"class", route_class}, {"decision", decision}});
}

std::string ErrorCode(const HttpClient::Response& res) {
  auto body = HttpClient::Json(res);
  if (!body.is_object() || !body.as_object().contains("error")) return "";
  return std::string(body.at("error").at("code").as_string());
}

TEST(GuardAdmission, FloodFromOneSourceGets429WhileAnotherSourceSucceeds) {
  TestServer server([](app::AppConfig& c) {
    c.admission.rates.For(RouteClass::kApiRead) = {{1, 5}, {}, {}};
  });
  HttpClient attacker = server.Client("127.0.10.1");
  int ok = 0;
  int limited = 0;
  for (int i = 0; i < 30; ++i) {
    auto res = attacker.Get("/healthz");
    if (res.result_int() == 200) ++ok;
    if (res.result_int() == 429) {
      ++limited;
      EXPECT_FALSE(res[boost::beast::http::field::retry_after].empty());
      EXPECT_EQ(ErrorCode(res), "rate_limited");
    }
  }
  EXPECT_GE(ok, 5);
  EXPECT_GE(limited, 20);  // 5 at once, then one a second
  // Random URLs from the same source are limited too (before the 404).
  EXPECT_EQ(attacker.Get("/no/such/path/42").result_int(), 429);
  // Another source is untouched.
  EXPECT_EQ(server.Client("127.0.11.1").Get("/healthz").result_int(), 200);
  EXPECT_GE(Decisions(server, "api_read", "rate_limited_ip"), 21u);
  EXPECT_GE(Decisions(server, "api_read", "accepted"), 6u);
}

TEST(GuardAdmission, BehindATrustedProxyEachForwardedClientHasItsOwnBucket) {
  TestServer server([](app::AppConfig& c) {
    c.admission.rates.For(RouteClass::kApiRead) = {{1, 5}, {}, {}};
    c.trusted_proxies = {"127.0.20.1"};
  });
  HttpClient proxy = server.Client("127.0.20.1");
  const HttpClient::Headers attacker = {{"X-Forwarded-For", "127.0.30.1"}};
  int limited = 0;
  for (int i = 0; i < 10; ++i) {
    if (proxy.Get("/healthz", attacker).result_int() == 429) ++limited;
  }
  EXPECT_GE(limited, 4);
  // Another client through the same proxy is untouched; so is the proxy's own traffic.
  EXPECT_EQ(proxy.Get("/healthz", {{"X-Forwarded-For", "127.0.30.2"}}).result_int(), 200);
}

TEST(GuardAdmission, AnUntrustedClientCannotChooseItsAddressWithXForwardedFor) {
  TestServer server([](app::AppConfig& c) {
    c.admission.rates.For(RouteClass::kApiRead) = {{1, 5}, {}, {}};
    c.trusted_proxies = {"127.0.20.1"};
  });
  HttpClient attacker = server.Client("127.0.21.1");
  int limited = 0;
  for (int i = 0; i < 10; ++i) {
    const HttpClient::Headers spoof = {{"X-Forwarded-For", fmt::format("127.0.31.{}", i + 1)}};
    if (attacker.Get("/healthz", spoof).result_int() == 429) ++limited;
  }
  EXPECT_GE(limited, 4);  // one bucket: its own address
}

TEST(GuardAdmission, SubnetBucketLimitsManySourcesOfOneSubnet) {
  TestServer server([](app::AppConfig& c) {
    c.admission.rates.For(RouteClass::kApiRead) = {{}, {1, 10}, {}};
  });
  int limited = 0;
  for (int i = 1; i <= 20; ++i) {
    auto res = server.Client(fmt::format("127.0.12.{}", i)).Get("/healthz");
    if (res.result_int() == 429) ++limited;
  }
  EXPECT_GE(limited, 9);
  EXPECT_EQ(server.Client("127.0.13.1").Get("/healthz").result_int(), 200);
  EXPECT_GE(Decisions(server, "api_read", "rate_limited_subnet"), 9u);
}

TEST(GuardAdmission, AccountOverItsBucketGets429) {
  TestServer server([](app::AppConfig& c) {
    c.admission.rates.For(RouteClass::kApiRead) = {{}, {}, {1, 3}};
  });
  const std::string token = server.Login("student_a");
  int limited = 0;
  for (int i = 0; i < 10; ++i) {
    auto res = server.Client().Get("/api/v1/me", Bearer(token));
    if (res.result_int() == 429) {
      ++limited;
      EXPECT_FALSE(res[boost::beast::http::field::retry_after].empty());
    }
  }
  EXPECT_GE(limited, 6);
  // Another account from the same address is fine.
  const std::string other = server.Login("student_b");
  EXPECT_EQ(server.Client().Get("/api/v1/me", Bearer(other)).result_int(), 200);
  EXPECT_GE(Decisions(server, "api_read", "rate_limited_account"), 6u);
}

TEST(GuardAdmission, BlockedRangeIsRefusedAndItsOpenConnectionClosed) {
  TestServer server;
  // A keep-alive connection opened before the block.
  RawClient early(server.port(), "127.0.22.1");
  ASSERT_TRUE(early.connected());
  ASSERT_TRUE(early.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto first = early.Read();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->result_int(), 200);

  server.app().block_list().ReplaceManual(
      {guard::BlockEntry{guard::Cidr::Parse("127.0.20.0/24").value(), false, "test", 0, {}}}, {});
  ASSERT_TRUE(server.app().block_list().BlockAutomatically(
      guard::Cidr::Parse("127.0.22.1/32").value(), "test flood", std::chrono::seconds(60)));

  // A new connection from a blocked range is closed at accept, unanswered (stage "connection").
  RawClient refused(server.port(), "127.0.20.5");
  ASSERT_TRUE(refused.connected());
  refused.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");  // may fail: already closed
  EXPECT_FALSE(refused.Read().has_value());
  EXPECT_TRUE(refused.WaitClosed());
  EXPECT_GE(server.app().metrics().CounterValue("homeroom_net_connections_refused_total",
                                                {{"server", "api"}, {"reason", "blocked"}}),
            1u);
  EXPECT_GE(server.app().metrics().CounterValue("homeroom_guard_blocked_total",
                                                {{"stage", "connection"}}),
            1u);
  EXPECT_EQ(server.Client("127.0.21.5").Get("/healthz").result_int(), 200);

  ASSERT_TRUE(early.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto second = early.Read();
  ASSERT_TRUE(second.has_value());
  // One opened before the block is answered 403 at its next request, then closed (stage
  // "request").
  EXPECT_EQ(second->result_int(), 403);
  EXPECT_EQ(ErrorCode(*second), "blocked");
  EXPECT_TRUE(early.WaitClosed());
  EXPECT_EQ(Decisions(server, "api_read", "blocked"), 1u);
  EXPECT_EQ(
      server.app().metrics().CounterValue("homeroom_guard_blocked_total", {{"stage", "request"}}),
      1u);
}

TEST(GuardAdmission, UnderAttackAnonymousRequestsAreChallengedAndSignedInOnesAreNot) {
  TestServer server([](app::AppConfig& c) { c.admission.proof.difficulty_bits = 8; });
  const std::string token = server.Login("student_a");
  server.app().attack_mode().SetSetting(guard::AttackModeSetting::kOn);
  const std::string login_body = R"({"username":"student_b","password":"pw-student_b"})";

  // Anonymous sign-in: challenged, with the puzzle in the answer.
  auto challenged = server.Client("127.0.30.1").Post("/api/v1/auth/login", login_body);
  ASSERT_EQ(challenged.result_int(), 403) << challenged.body();
  EXPECT_EQ(ErrorCode(challenged), "challenge_required");
  auto puzzle = HttpClient::Json(challenged).at("error").at("challenge");
  EXPECT_EQ(puzzle.at("difficulty").as_int64(), 8);
  EXPECT_EQ(puzzle.at("header").as_string(), "X-Homeroom-Proof");
  EXPECT_EQ(puzzle.at("rejected").as_string(), "missing");

  // Signed in: served as usual.
  EXPECT_EQ(server.Client("127.0.30.1").Get("/api/v1/me", Bearer(token)).result_int(), 200);
  // A forged credential fails authentication and is anonymous after all.
  auto forged = server.Client("127.0.30.1").Get("/api/v1/me", Bearer("not-a-real-token"));
  EXPECT_EQ(forged.result_int(), 403);
  EXPECT_EQ(ErrorCode(forged), "challenge_required");
  // Health checks are exempt.
  EXPECT_EQ(server.Client("127.0.30.1").Get("/healthz").result_int(), 200);

  // Solve a challenge from the endpoint and sign in with it; the solution works once.
  auto issued = server.Client("127.0.30.1").Get("/api/v1/challenge");
  ASSERT_EQ(issued.result_int(), 200);
  auto issued_body = HttpClient::Json(issued);
  EXPECT_TRUE(issued_body.at("under_attack").as_bool());
  const std::string proof =
      guard::ProofOfWork::Solve(std::string(issued_body.at("challenge").as_string()),
                                issued_body.at("difficulty").as_int64());
  // Bound to the address it was issued to.
  auto elsewhere = server.Client("127.0.30.2")
                       .Post("/api/v1/auth/login", login_body, {{"X-Homeroom-Proof", proof}});
  EXPECT_EQ(elsewhere.result_int(), 403);
  EXPECT_EQ(HttpClient::Json(elsewhere).at("error").at("challenge").at("rejected").as_string(),
            "forged");
  auto solved = server.Client("127.0.30.1")
                    .Post("/api/v1/auth/login", login_body, {{"X-Homeroom-Proof", proof}});
  EXPECT_EQ(solved.result_int(), 200) << solved.body();
  auto replayed = server.Client("127.0.30.1")
                      .Post("/api/v1/auth/login", login_body, {{"X-Homeroom-Proof", proof}});
  EXPECT_EQ(replayed.result_int(), 403);
  EXPECT_EQ(HttpClient::Json(replayed).at("error").at("challenge").at("rejected").as_string(),
            "replayed");

  EXPECT_GE(Decisions(server, "login", "challenged"), 3u);
  EXPECT_GE(Decisions(server, "api_read", "challenged"), 1u);

  // Off again: no puzzle.
  server.app().attack_mode().SetSetting(guard::AttackModeSetting::kAuto);
  EXPECT_EQ(server.Client("127.0.30.1").Post("/api/v1/auth/login", login_body).result_int(), 200);
}

TEST(GuardAdmission, OneSourceCannotFillTheHashingQueueForAnother) {
  TestServer server([](app::AppConfig& c) {
    // Hashes slow enough to queue, one hashing thread, room for two per source.
    c.auth.argon2 = {.ops_limit = 2, .mem_limit_bytes = 8 << 20};
    c.auth.hash_threads = 1;
    c.auth.hash_queue = 4;
    c.auth.hash_queue_per_ip = 2;
  });
  const std::string body_a = R"({"username":"student_a","password":"pw-student_a"})";
  std::atomic<bool> stop{false};
  std::atomic<int> attacker_unavailable{0};
  std::atomic<int> attacker_requests{0};
  std::vector<std::thread> attackers;
  for (int t = 0; t < 6; ++t) {
    attackers.emplace_back([&] {
      HttpClient client = server.Client("127.0.40.1");
      for (int i = 0; i < 300 && !stop.load(); ++i) {
        auto res = client.Post("/api/v1/auth/login", body_a);
        ++attacker_requests;
        if (res.result_int() == 503) ++attacker_unavailable;
      }
    });
  }
  // Wait (bounded) until the attacking source has filled its share of the queue.
  for (int i = 0; i < 2000 && attacker_unavailable.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const bool saturated = attacker_unavailable.load() > 0;
  int victim_ok = 0;
  for (int i = 0; i < 5; ++i) {
    auto res =
        server.Client("127.0.41.1")
            .Post("/api/v1/auth/login", R"({"username":"student_b","password":"pw-student_b"})");
    if (res.result_int() == 200) ++victim_ok;
  }
  stop = true;
  for (auto& t : attackers) t.join();
  EXPECT_TRUE(saturated) << attacker_requests.load() << " attacking sign-ins, none refused";
  EXPECT_EQ(victim_ok, 5);
}

TEST(GuardAdmission, AddressesOfOneIpv6Slash64ShareOneClientsShareOfTheHashingQueue) {
  TestServer server([](app::AppConfig& c) {
    c.auth.argon2 = {.ops_limit = 2, .mem_limit_bytes = 8 << 20};
    c.auth.hash_threads = 1;
    c.auth.hash_queue = 16;  // never full here: only the per-client share can refuse
    c.auth.hash_queue_per_ip = 2;
    // The clients are IPv6 addresses forwarded by a trusted proxy (the loopback has one IPv6
    // address); no sign-in bucket and no detection, so only the hashing queue answers 503.
    c.trusted_proxies = {"127.0.20.1"};
    c.admission.rates.For(RouteClass::kLogin) = {{}, {}, {}};
    c.sentinel.enabled = false;
  });
  const std::string body_a = R"({"username":"student_a","password":"pw-student_a"})";
  std::atomic<bool> stop{false};
  std::atomic<int> unavailable{0};
  std::atomic<int> requests{0};
  std::vector<std::thread> rotating;
  // Six addresses of 2001:db8:1:2::/64, one sign-in in flight each: six waiting from one client
  // when keyed by /64 (over its share of 2), one per key when keyed by the raw address.
  for (int t = 0; t < 6; ++t) {
    rotating.emplace_back([&, t] {
      HttpClient proxy = server.Client("127.0.20.1");
      const HttpClient::Headers from = {
          {"X-Forwarded-For", fmt::format("2001:db8:1:2::{}", t + 1)}};
      for (int i = 0; i < 300 && !stop.load(); ++i) {
        auto res = proxy.Post("/api/v1/auth/login", body_a, from);
        ++requests;
        if (res.result_int() == 503) ++unavailable;
      }
    });
  }
  for (int i = 0; i < 2000 && unavailable.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const bool refused = unavailable.load() > 0;
  // Another /64 is another client: served.
  int other_ok = 0;
  for (int i = 0; i < 3; ++i) {
    auto res =
        server.Client("127.0.20.1")
            .Post("/api/v1/auth/login", R"({"username":"student_b","password":"pw-student_b"})",
                  {{"X-Forwarded-For", "2001:db8:1:3::1"}});
    if (res.result_int() == 200) ++other_ok;
  }
  stop = true;
  for (auto& t : rotating) t.join();
  EXPECT_TRUE(refused) << requests.load()
                       << " sign-ins from six addresses of one /64, none over the share";
  EXPECT_EQ(other_ok, 3);
}

TEST(GuardAdmission, WebSocketUpgradesOverTheLiveRatePerAddressGet429WhileAnotherAddressUpgrades) {
  TestServer server([](app::AppConfig& c) {
    // Three upgrades at once per address, then (practically) none: the live class's address
    // bucket; no account bucket, so the address is what limits.
    c.admission.rates.For(RouteClass::kLive) = {{0.001, 3}, {}, {}};
  });
  const std::string teacher = server.Login("teacher_a");
  const std::string student = server.Login("student_a");
  const int64_t now = SystemClock::Instance().NowMs();
  const std::string body = fmt::format(R"({{"title":"Rate","starts_at":"{}","ends_at":"{}"}})",
                                       FormatIsoUtc(now - 60'000), FormatIsoUtc(now + 45 * 60'000));
  auto created = server.Client().Post("/api/v1/sections/10/live-sessions", body, Bearer(teacher));
  ASSERT_EQ(created.result_int(), 201) << created.body();
  const int64_t session =
      HttpClient::Json(created).at("items").as_array().at(0).at("id").as_int64();
  auto started = server.Client().Post(fmt::format("/api/v1/live-sessions/{}/start", session), "",
                                      Bearer(teacher));
  ASSERT_EQ(started.result_int(), 200) << started.body();
  const std::string target = fmt::format("/api/v1/live?session={}", session);
  auto join = [&](const std::string& source_ip, const std::string& token) {
    WsClient::Options options;
    options.source_ip = source_ip;
    options.header = "Authorization: Bearer " + token;
    return std::make_unique<WsClient>(server.port(), target, options);
  };

  std::vector<std::unique_ptr<WsClient>> sockets;
  int upgraded = 0;
  int limited = 0;
  for (int i = 0; i < 8; ++i) {
    sockets.push_back(join("127.0.50.1", student));
    const auto& res = sockets.back()->response();
    if (res.result_int() == 101) ++upgraded;
    if (res.result_int() == 429) {
      ++limited;
      EXPECT_FALSE(res[boost::beast::http::field::retry_after].empty());
    }
  }
  EXPECT_EQ(upgraded, 3);
  EXPECT_EQ(limited, 5);
  // Another address still upgrades (the teacher: the student holds the 3 sockets a user may).
  auto other = join("127.0.51.1", teacher);
  EXPECT_EQ(other->response().result_int(), 101);
  EXPECT_EQ(Decisions(server, "live", "rate_limited_ip"), 5u);
}

}  // namespace
}  // namespace homeroom::testing
