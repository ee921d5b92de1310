#include "guard/sentinel.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/log.h"

namespace homeroom::guard {
namespace {

namespace asio = boost::asio;

asio::ip::address Ip(const std::string& text) { return asio::ip::make_address(text); }

// An anonymous request.
RequestRecord Request(const std::string& ip, std::string_view route = "/api/v1/me",
                      unsigned status = 200) {
  RequestRecord r;
  r.remote = Ip(ip);
  r.method = "GET";
  r.path = route;
  r.route = route;
  r.status = status;
  return r;
}

// A signed-in user's request.
RequestRecord SignedIn(const std::string& ip, int64_t user_id,
                       std::string_view route = "/api/v1/me", unsigned status = 200) {
  RequestRecord r = Request(ip, route, status);
  r.user_id = user_id;
  return r;
}

struct World {
  World() : blocks(clock), sentinel(clock, Options(), blocks, mode, metrics) {}
  static SentinelOptions Options() {
    SentinelOptions o;
    o.traffic.shards = 4;
    return o;
  }
  // One second of traffic, then the tick.
  void Second(const std::function<void()>& traffic) {
    traffic();
    clock.Advance(1000);
    sentinel.Tick();
  }

  ManualClock clock;
  metrics::Registry metrics;
  BlockList blocks;
  AttackMode mode;
  Sentinel sentinel;
};

TEST(Sentinel, RefusesConnectionsFromBlockedRangesAndCountsThem) {
  World world;
  world.blocks.ReplaceManual({{.range = *Cidr::Parse("127.8.0.0/16"), .reason = "test"}}, {});
  EXPECT_FALSE(world.sentinel.AllowConnection(Ip("127.8.1.2")));
  EXPECT_TRUE(world.sentinel.AllowConnection(Ip("127.9.1.2")));
  EXPECT_EQ(world.metrics.CounterValue("homeroom_guard_blocked_total", {{"stage", "connection"}}),
            1u);
}

TEST(Sentinel, DetectsAndAutoBlocksAFloodingHostWhileOthersStayAllowed) {
  World world;
  for (int s = 0; s < 3; ++s) {
    world.Second([&] {
      for (int i = 0; i < 600; ++i) world.sentinel.OnRequest(Request("127.6.6.6"));
      for (int i = 0; i < 5; ++i) world.sentinel.OnRequest(Request("127.0.0.2"));
    });
  }
  EXPECT_TRUE(world.sentinel.detector().Active(AttackType::kFlood));
  EXPECT_FALSE(world.sentinel.AllowConnection(Ip("127.6.6.6")));
  EXPECT_TRUE(world.sentinel.AllowConnection(Ip("127.0.0.2")));
  DetectorSnapshot snap = world.sentinel.Snapshot();
  ASSERT_FALSE(snap.top_hosts.empty());
  EXPECT_EQ(snap.top_hosts[0].source, "127.6.6.6/32");
  EXPECT_DOUBLE_EQ(snap.top_hosts[0].rate, 600);
  EXPECT_EQ(snap.top_subnets[0].source, "127.6.6.0/24");
  EXPECT_DOUBLE_EQ(snap.requests_per_s, 605);
  EXPECT_EQ(world.metrics.CounterValue("homeroom_guard_auto_blocks_total"), 1u);
}

TEST(Sentinel, ASchoolsSignedInMorningRushBehindOneSubnetIsNotAnAttack) {
  World world;
  for (int s = 0; s < 10; ++s) {
    world.Second([&] {
      // 500 pupils of one school, 127.16.0.0/24, each loading their home page and joining.
      for (int i = 0; i < 500; ++i) {
        std::string ip = "127.16.0." + std::to_string(1 + i % 250);
        world.sentinel.OnRequest(SignedIn(ip, 1000 + i));
        if (s == 0) world.sentinel.OnRequest(SignedIn(ip, 1000 + i, "/api/v1/live", 101));
      }
    });
  }
  for (AttackType type : kAllAttackTypes) {
    EXPECT_FALSE(world.sentinel.detector().Active(type)) << AttackTypeName(type);
  }
  DetectorSnapshot snap = world.sentinel.Snapshot();
  EXPECT_DOUBLE_EQ(snap.requests_per_s, 500);
  EXPECT_DOUBLE_EQ(snap.untrusted_requests_per_s, 0);
  EXPECT_TRUE(snap.top_subnets.empty());
}

TEST(Sentinel, TheSameRateAnonymousFromOneSubnetIsAFlood) {
  World world;
  for (int s = 0; s < 3; ++s) {
    world.Second([&] {
      for (int i = 0; i < 500; ++i) {
        world.sentinel.OnRequest(Request("127.16.0." + std::to_string(1 + i % 250)));
      }
    });
  }
  EXPECT_TRUE(world.sentinel.detector().Active(AttackType::kFlood));
  DetectorSnapshot snap = world.sentinel.Snapshot();
  ASSERT_FALSE(snap.active.empty());
  EXPECT_EQ(snap.active[0].sources.front(), "127.16.0.0/24");
  EXPECT_DOUBLE_EQ(snap.untrusted_requests_per_s, 500);
}

TEST(Sentinel, CountsASignedInUsersRefusedRequestsAsUntrusted) {
  World world;
  for (int s = 0; s < 3; ++s) {
    world.Second([&] {
      for (int i = 0; i < 150; ++i) world.sentinel.OnRequest(SignedIn("127.7.7.7", 5, "/x", 429));
    });
  }
  EXPECT_TRUE(world.sentinel.detector().Active(AttackType::kFlood));
  EXPECT_EQ(world.sentinel.Snapshot().top_hosts.front().source, "127.7.7.7/32");
}

TEST(Sentinel, TypesAWebSocketFloodFromRefusedUpgradesButNotFromSignedInJoins) {
  World joins;
  for (int s = 0; s < 5; ++s) {
    joins.Second([&] {
      for (int i = 0; i < 200; ++i) {
        joins.sentinel.OnRequest(
            SignedIn("127.16.0." + std::to_string(1 + i), 2000 + i, "/api/v1/live", 101));
      }
    });
  }
  EXPECT_FALSE(joins.sentinel.detector().Active(AttackType::kWebSocketFlood));
  EXPECT_DOUBLE_EQ(joins.sentinel.Snapshot().ws_upgrades_per_s, 200);

  World flood;
  for (int s = 0; s < 3; ++s) {
    flood.Second([&] {
      for (int i = 0; i < 80; ++i) {
        flood.sentinel.OnRequest(Request("127.5.5." + std::to_string(1 + i % 4), "/api/v1/live",
                                         i % 2 == 0 ? 429 : 401));
      }
    });
  }
  EXPECT_TRUE(flood.sentinel.detector().Active(AttackType::kWebSocketFlood));
  DetectorSnapshot snap = flood.sentinel.Snapshot();
  EXPECT_DOUBLE_EQ(snap.ws_untrusted_upgrades_per_s, 80);
  ASSERT_FALSE(snap.active.empty());
  EXPECT_EQ(snap.active[0].sources.size(), 4u);
}

TEST(Sentinel, CountsSignInFailuresAndTypesLoginStuffing) {
  World world;
  for (int s = 0; s < 3; ++s) {
    world.Second([&] {
      for (int i = 0; i < 30; ++i) {
        world.sentinel.OnRequest(
            Request("127.4.4." + std::to_string(i % 3), "/api/v1/auth/login", 401));
      }
      world.sentinel.OnRequest(Request("127.0.0.2", "/api/v1/auth/login", 200));
    });
  }
  EXPECT_TRUE(world.sentinel.detector().Active(AttackType::kLoginStuffing));
  DetectorSnapshot snap = world.sentinel.Snapshot();
  EXPECT_DOUBLE_EQ(snap.login_failures_per_s, 30);
}

TEST(Sentinel, FeedsConnectionTimeoutsToTheDetectorAsSlowClients) {
  World world;
  for (int s = 0; s < 12; ++s) {
    world.Second([&] {
      for (int i = 0; i < 10; ++i) {
        world.sentinel.OnConnectionEvent(ConnectionEvent::kHeadTimeout, Ip("127.3.3.3"));
      }
    });
  }
  EXPECT_TRUE(world.sentinel.detector().Active(AttackType::kSlowClients));
  DetectorSnapshot snap = world.sentinel.Snapshot();
  ASSERT_EQ(snap.active.size(), 1u);
  EXPECT_EQ(snap.active[0].sources.front(), "127.3.3.3/32");
}

TEST(Sentinel, TypesEvictionsOfIdleConnectionsAtTheCapAsSlowClients) {
  // Connection exhaustion: idle sockets that never send a request hold the global cap, and the
  // server evicts them to make room; no head timeout ever fires.
  World world;
  for (int s = 0; s < 12; ++s) {
    world.Second([&] {
      for (int i = 0; i < 10; ++i) {
        world.sentinel.OnConnectionEvent(ConnectionEvent::kEvicted,
                                         Ip("127.65." + std::to_string(i) + ".1"));
      }
      world.sentinel.OnConnectionEvent(ConnectionEvent::kEvicted, Ip("127.65.0.1"));
    });
  }
  EXPECT_TRUE(world.sentinel.detector().Active(AttackType::kSlowClients));
  DetectorSnapshot snap = world.sentinel.Snapshot();
  ASSERT_EQ(snap.active.size(), 1u);
  EXPECT_EQ(snap.active[0].sources.front(), "127.65.0.1/32");
}

TEST(Sentinel, RefusalsAtACapAloneAreNotSlowClients) {
  // A school behind one NAT address reaching its per-address cap is not an attack by itself.
  World world;
  for (int s = 0; s < 30; ++s) {
    world.Second([&] {
      for (int i = 0; i < 20; ++i) {
        world.sentinel.OnConnectionEvent(ConnectionEvent::kRefusedCap, Ip("127.8.8.8"));
      }
    });
  }
  EXPECT_FALSE(world.sentinel.detector().Active(AttackType::kSlowClients));
}

TEST(Sentinel, EstimatesDistinctHostsAndTypesAManySourceFlood) {
  World world;
  for (int s = 0; s < 10; ++s) {
    world.Second([&] {
      for (int i = 0; i < 50; ++i) world.sentinel.OnRequest(Request("127.0.0.2"));
    });
  }
  for (int s = 0; s < 3; ++s) {
    world.Second([&] {
      for (int i = 0; i < 3000; ++i) {
        world.sentinel.OnRequest(
            Request("127.50." + std::to_string(i / 250) + "." + std::to_string(i % 250)));
      }
    });
  }
  DetectorSnapshot snap = world.sentinel.Snapshot();
  EXPECT_NEAR(snap.distinct_hosts, 3000, 150);
  EXPECT_TRUE(world.sentinel.detector().Active(AttackType::kManySourceFlood));
  EXPECT_FALSE(world.sentinel.detector().Active(AttackType::kFlood));
  EXPECT_TRUE(world.mode.UnderAttack());
}

TEST(Sentinel, CountsNothingWhenDisabledButStillEnforcesBlocks) {
  ManualClock clock;
  metrics::Registry metrics;
  BlockList blocks(clock);
  AttackMode mode;
  SentinelOptions options;
  options.enabled = false;
  Sentinel sentinel(clock, options, blocks, mode, metrics);
  for (int s = 0; s < 5; ++s) {
    for (int i = 0; i < 1000; ++i) sentinel.OnRequest(Request("127.6.6.6"));
    clock.Advance(1000);
    sentinel.Tick();
  }
  EXPECT_FALSE(sentinel.detector().Active(AttackType::kFlood));
  blocks.ReplaceManual({{.range = *Cidr::Parse("127.6.6.6/32"), .reason = "test"}}, {});
  EXPECT_FALSE(sentinel.AllowConnection(Ip("127.6.6.6")));
}

// The guard_connection_decisions lines in `text` (JSON lines), parsed.
std::vector<boost::json::object> DecisionLines(const std::string& text) {
  std::vector<boost::json::object> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(R"("event":"guard_connection_decisions")") == std::string::npos) continue;
    lines.push_back(boost::json::parse(line).as_object());
  }
  return lines;
}

// What net::Server counts (net/net_metrics.h), written directly: guard does not link net.
void CountNet(metrics::Registry& m, const std::string& name, metrics::Labels labels, int n) {
  labels.insert(labels.begin(), {"server", "api"});
  for (int i = 0; i < n; ++i) m.GetCounter(name, "test", labels).Inc();
}

TEST(Sentinel, LogsConnectionDecisionsAsABoundedPeriodicSummaryWithTheTopSource) {
  auto out = std::make_shared<std::ostringstream>();
  log::Init({.min_level = log::Level::kInfo, .capture = out});
  World world;  // connection_log_interval 10 s
  auto evicted = [&](const std::string& ip, int n) {
    CountNet(world.metrics, "homeroom_net_connections_evicted_total", {}, n);
    for (int i = 0; i < n; ++i) {
      world.sentinel.OnConnectionEvent(ConnectionEvent::kEvicted, Ip(ip));
    }
  };
  world.Second([] {});  // nothing happened: no line
  evicted("127.9.9.9", 30);
  evicted("127.9.9.10", 2);
  CountNet(world.metrics, "homeroom_net_connections_refused_total", {{"reason", "per_subnet_cap"}},
           4);
  CountNet(world.metrics, "homeroom_net_accept_errors_total", {{"reason", "fd_exhausted"}}, 1);
  // Idle keep-alive timeouts are normal: neither counted in the line nor a reason for one.
  CountNet(world.metrics, "homeroom_net_timeouts_total", {{"kind", "idle"}}, 50);
  for (int i = 0; i < 50; ++i) {
    world.sentinel.OnConnectionEvent(ConnectionEvent::kIdleTimeout, Ip("127.1.1.1"));
  }
  for (int s = 0; s < 8; ++s) world.Second([] {});  // 9 s since the start: not yet
  log::Flush();
  EXPECT_TRUE(DecisionLines(out->str()).empty()) << out->str();
  for (int s = 0; s < 5; ++s) world.Second([] {});  // one line at 10 s, none after (nothing new)
  // A flood of decisions still gives one line per interval.
  for (int s = 0; s < 25; ++s) world.Second([&] { evicted("127.7.7.7", 100); });
  log::Flush();
  const std::string text = out->str();
  log::Init({});

  std::vector<boost::json::object> lines = DecisionLines(text);
  ASSERT_EQ(lines.size(), 3u) << text;
  const boost::json::object& first = lines[0];
  EXPECT_EQ(first.at("total").to_number<int64_t>(), 37);
  const boost::json::object& counts = first.at("counts").as_object();
  EXPECT_EQ(counts.at("evicted").to_number<int64_t>(), 32);
  EXPECT_EQ(counts.at("refused_per_subnet_cap").to_number<int64_t>(), 4);
  EXPECT_EQ(counts.at("accept_fd_exhausted").to_number<int64_t>(), 1);
  EXPECT_FALSE(counts.contains("timeout_idle"));
  EXPECT_FALSE(counts.contains("refused_global_cap"));  // only non-zero kinds
  EXPECT_EQ(first.at("top_source").as_string(), "127.9.9.9/32");
  EXPECT_EQ(first.at("top_source_decisions").to_number<int64_t>(), 30);
  EXPECT_EQ(first.at("seconds").to_number<int64_t>(), 10);
  // The flood (from 15 s): one line at 20 s and one at 30 s, each counting since the last line.
  EXPECT_EQ(lines[1].at("counts").at("evicted").to_number<int64_t>(), 600);  // t = 15..20 s
  EXPECT_EQ(lines[1].at("top_source").as_string(), "127.7.7.7/32");
  EXPECT_EQ(lines[2].at("counts").at("evicted").to_number<int64_t>(), 1000);  // t = 21..30 s
}

TEST(Sentinel, LogsConnectionDecisionsEvenWithDetectionOff) {
  auto out = std::make_shared<std::ostringstream>();
  log::Init({.min_level = log::Level::kInfo, .capture = out});
  ManualClock clock;
  metrics::Registry metrics;
  BlockList blocks(clock);
  AttackMode mode;
  SentinelOptions options;
  options.enabled = false;
  options.connection_log_interval = std::chrono::milliseconds(1000);
  Sentinel sentinel(clock, options, blocks, mode, metrics);
  CountNet(metrics, "homeroom_net_timeouts_total", {{"kind", "head"}}, 3);
  CountNet(metrics, "homeroom_net_timeouts_total", {{"kind", "body_rate"}}, 2);
  sentinel.OnConnectionEvent(ConnectionEvent::kHeadTimeout, Ip("2001:db8::1"));
  clock.Advance(1000);
  sentinel.Tick();
  log::Flush();
  const std::string text = out->str();
  log::Init({});
  std::vector<boost::json::object> lines = DecisionLines(text);
  ASSERT_EQ(lines.size(), 1u) << text;
  EXPECT_EQ(lines[0].at("counts").at("timeout_head").to_number<int64_t>(), 3);
  EXPECT_EQ(lines[0].at("counts").at("timeout_body_rate").to_number<int64_t>(), 2);
  EXPECT_FALSE(lines[0].at("counts").as_object().contains("timeout_body"));
  EXPECT_EQ(lines[0].at("top_source").as_string(), "2001:db8::/64");
}

TEST(Sentinel, StartsAndStopsItsTicker) {
  World world;
  world.sentinel.Start();
  world.sentinel.Stop();
  world.sentinel.Stop();  // idempotent
}

}  // namespace
}  // namespace homeroom::guard

namespace homeroom::guard {
namespace {

TEST(Sentinel, ReportsAdmissionRefusalsPerSecondFromTheMetrics) {
  World world;
  auto& shed = world.metrics.GetCounter("homeroom_guard_admission_total", "h",
                                        {{"class", "api_read"}, {"decision", "shed"}});
  auto& limited = world.metrics.GetCounter("homeroom_guard_admission_total", "h",
                                           {{"class", "login"}, {"decision", "rate_limited_ip"}});
  world.Second([&] { shed.Inc(7); });
  EXPECT_DOUBLE_EQ(world.sentinel.admission_rates().shed_per_s, 7);
  world.Second([&] {
    shed.Inc(20);
    limited.Inc(10);
  });
  AdmissionRates rates = world.sentinel.admission_rates();
  EXPECT_DOUBLE_EQ(rates.shed_per_s, 20);
  EXPECT_DOUBLE_EQ(rates.rate_limited_per_s, 10);
  EXPECT_DOUBLE_EQ(rates.blocked_per_s, 0);
}

}  // namespace
}  // namespace homeroom::guard
