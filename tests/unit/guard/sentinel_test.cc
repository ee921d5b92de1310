#include "guard/sentinel.h"

#include <gtest/gtest.h>

#include <string>

namespace homeroom::guard {
namespace {

namespace asio = boost::asio;

asio::ip::address Ip(const std::string& text) { return asio::ip::make_address(text); }

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
  for (int s = 0; s < 3; ++s) {
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
