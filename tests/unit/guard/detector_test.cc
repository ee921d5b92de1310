#include "guard/detector.h"

#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>

#include "core/log.h"

namespace homeroom::guard {
namespace {

namespace asio = boost::asio;

Cidr Host(const std::string& ip) { return HostKey(asio::ip::make_address(ip)); }
Cidr Subnet(const std::string& ip) { return SubnetKey(asio::ip::make_address(ip)); }

// A one-second window of `requests` in total, with the given heaviest hosts.
TrafficWindow Window(uint64_t requests, std::vector<SourceCount> hosts = {},
                     double distinct_hosts = 1) {
  TrafficWindow w;
  w.seconds = 1;
  w.requests = requests;
  w.untrusted_requests = requests;
  w.top_hosts = std::move(hosts);
  w.distinct_hosts = distinct_hosts;
  return w;
}

TrafficWindow Quiet() { return Window(20, {{Host("127.0.0.1"), 5}}, 10); }
TrafficWindow Flood(uint64_t rate = 500) {
  TrafficWindow w = Window(rate + 20, {{Host("127.6.6.6"), rate}, {Host("127.0.0.1"), 5}}, 11);
  w.top_subnets = {{Subnet("127.6.6.6"), rate}};
  return w;
}

struct World {
  explicit World(DetectorOptions options = {})
      : blocks(clock), detector(clock, options, metrics, &blocks, &mode) {}
  // Observes `w` n times, a second apart.
  void Feed(const TrafficWindow& w, int n = 1) {
    for (int i = 0; i < n; ++i) {
      clock.Advance(1000);
      detector.Observe(w);
    }
  }
  uint64_t Started(const char* type) {
    return metrics.CounterValue("homeroom_guard_attacks_total", {{"type", type}});
  }
  int64_t ActiveGauge(const char* type) {
    return metrics.GaugeValue("homeroom_guard_attack_active", {{"type", type}});
  }

  ManualClock clock;
  metrics::Registry metrics;
  BlockList blocks;
  AttackMode mode;
  Detector detector;
};

TEST(Detector, TypesAFewSourceFloodAfterConsecutiveHotWindows) {
  World world;
  world.Feed(Quiet(), 10);
  world.Feed(Flood(), 2);
  EXPECT_FALSE(world.detector.Active(AttackType::kFlood));
  world.Feed(Flood());
  EXPECT_TRUE(world.detector.Active(AttackType::kFlood));
  EXPECT_FALSE(world.detector.Active(AttackType::kManySourceFlood));
  EXPECT_EQ(world.Started("flood"), 1u);
  EXPECT_EQ(world.ActiveGauge("flood"), 1);
  DetectorSnapshot snap = world.detector.Snapshot();
  ASSERT_EQ(snap.active.size(), 1u);
  EXPECT_EQ(snap.active[0].type, AttackType::kFlood);
  EXPECT_EQ(snap.active[0].sources.front(), "127.6.6.6/32");
  ASSERT_EQ(snap.recent.size(), 1u);
  EXPECT_TRUE(snap.recent[0].started);
  EXPECT_EQ(snap.top_hosts.front().source, "127.6.6.6/32");
  EXPECT_DOUBLE_EQ(snap.top_hosts.front().rate, 500);
  EXPECT_EQ(world.metrics.GaugeValue("homeroom_guard_top_source_rate"), 500);
}

TEST(Detector, LogsTheStartAndEndOfAnAttackWithItsTypeAndSources) {
  auto out = std::make_shared<std::ostringstream>();
  log::Init({.min_level = log::Level::kInfo, .capture = out});
  DetectorOptions options;
  options.end_after_quiet_windows = 1;
  World world(options);
  world.Feed(Flood(), 3);
  world.Feed(Quiet());
  log::Flush();
  std::string text = out->str();
  log::Init({});
  EXPECT_NE(
      text.find(
          R"("event":"guard_attack_started","type":"flood","rate":500,"sources":["127.6.6.6/32")"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find(R"("event":"guard_attack_ended","type":"flood")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("event":"guard_auto_blocked","source":"127.6.6.6/32")"), std::string::npos)
      << text;
}

TEST(Detector, DetectsWithinSixtySecondsWithDefaultSettings) {
  World world;
  int seconds = 0;
  while (!world.detector.Active(AttackType::kFlood) && seconds < 60) {
    world.Feed(Flood());
    ++seconds;
  }
  EXPECT_TRUE(world.detector.Active(AttackType::kFlood)) << "not detected within 60 s";
}

TEST(Detector, EndsAnAttackOnlyAfterTheQuietRun) {
  DetectorOptions options;
  options.end_after_quiet_windows = 10;
  World world(options);
  world.Feed(Flood(), 3);
  ASSERT_TRUE(world.detector.Active(AttackType::kFlood));
  world.Feed(Quiet(), 9);
  EXPECT_TRUE(world.detector.Active(AttackType::kFlood));
  world.Feed(Quiet());
  EXPECT_FALSE(world.detector.Active(AttackType::kFlood));
  EXPECT_EQ(world.ActiveGauge("flood"), 0);
  DetectorSnapshot snap = world.detector.Snapshot();
  ASSERT_EQ(snap.recent.size(), 2u);
  EXPECT_FALSE(snap.recent[0].started);        // newest first
  EXPECT_DOUBLE_EQ(snap.recent[0].rate, 500);  // the peak
}

TEST(Detector, OnOffPulsesAreOneAttackThatDoesNotFlap) {
  DetectorOptions options;
  options.end_after_quiet_windows = 30;
  World world(options);
  for (int pulse = 0; pulse < 6; ++pulse) {
    world.Feed(Flood(), 10);
    world.Feed(Quiet(), 20);
  }
  EXPECT_TRUE(world.detector.Active(AttackType::kFlood));
  EXPECT_EQ(world.Started("flood"), 1u);
  EXPECT_EQ(world.detector.Snapshot().recent.size(), 1u);  // started, never ended
  world.Feed(Quiet(), 30);
  EXPECT_FALSE(world.detector.Active(AttackType::kFlood));
  EXPECT_EQ(world.Started("flood"), 1u);
}

TEST(Detector, ShortSpikesBelowTheStartRunStartNothing) {
  World world;
  for (int i = 0; i < 20; ++i) {
    world.Feed(Flood(), 2);
    world.Feed(Quiet());
  }
  EXPECT_FALSE(world.detector.Active(AttackType::kFlood));
  EXPECT_EQ(world.Started("flood"), 0u);
}

TEST(Detector, AutoBlocksOnlyHostsFarOverTheThresholdDuringAFlood) {
  World world;
  TrafficWindow w = Window(1300, {{Host("127.6.6.6"), 1000}, {Host("127.7.7.7"), 150}}, 5);
  world.Feed(w, 2);
  EXPECT_FALSE(world.blocks.IsBlocked(asio::ip::make_address("127.6.6.6")));  // not yet typed
  world.Feed(w);
  EXPECT_TRUE(world.blocks.IsBlocked(asio::ip::make_address("127.6.6.6")));
  EXPECT_FALSE(world.blocks.IsBlocked(asio::ip::make_address("127.7.7.7")));  // over, not far over
  EXPECT_EQ(world.metrics.CounterValue("homeroom_guard_auto_blocks_total"), 1u);
  world.Feed(w);  // extends, not counted again
  EXPECT_EQ(world.metrics.CounterValue("homeroom_guard_auto_blocks_total"), 1u);
  EXPECT_EQ(world.detector.Snapshot().auto_blocks_active, 1u);
  auto entries = world.blocks.Entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_TRUE(entries[0].automatic);
  EXPECT_TRUE(entries[0].until_ms.has_value());
}

TEST(Detector, NeverAutoBlocksAnAllowedRange) {
  World world;
  world.blocks.ReplaceManual({}, {*Cidr::Parse("127.6.0.0/16")});
  world.Feed(Window(1000, {{Host("127.6.6.6"), 1000}}, 1), 5);
  EXPECT_TRUE(world.detector.Active(AttackType::kFlood));
  EXPECT_FALSE(world.blocks.IsBlocked(asio::ip::make_address("127.6.6.6")));
  EXPECT_EQ(world.metrics.CounterValue("homeroom_guard_auto_blocks_total"), 0u);
}

TEST(Detector, CapsTheNumberOfAutoBlocks) {
  DetectorOptions options;
  options.max_auto_blocks = 2;
  World world(options);
  std::vector<SourceCount> hosts;
  for (int i = 1; i <= 5; ++i) hosts.push_back({Host("127.9.0." + std::to_string(i)), 1000});
  world.Feed(Window(5000, hosts, 5), 3);
  EXPECT_EQ(world.metrics.CounterValue("homeroom_guard_auto_blocks_total"), 2u);
  EXPECT_EQ(world.blocks.Entries().size(), 2u);
}

TEST(Detector, AutoBlockingCanBeTurnedOff) {
  DetectorOptions options;
  options.auto_block = false;
  World world(options);
  world.Feed(Window(1000, {{Host("127.6.6.6"), 1000}}, 1), 5);
  EXPECT_TRUE(world.detector.Active(AttackType::kFlood));
  EXPECT_TRUE(world.blocks.Entries().empty());
}

TEST(Detector, AFloodRefusedByTheBlockListLastsWhileItsConnectionsKeepComing) {
  DetectorOptions options;
  options.end_after_quiet_windows = 5;
  World world(options);
  world.Feed(Flood(), 3);
  TrafficWindow refused = Quiet();
  refused.blocked_connections = 300;
  refused.blocked_hosts = {{Host("127.6.6.6"), 300}};
  world.Feed(refused, 10);
  EXPECT_TRUE(world.detector.Active(AttackType::kFlood));
  world.Feed(Quiet(), 5);
  EXPECT_FALSE(world.detector.Active(AttackType::kFlood));
}

// 2,000 hosts each far under the per-source threshold.
TrafficWindow Spread(uint64_t total) {
  TrafficWindow w = Window(total, {{Host("127.20.0.1"), 3}, {Host("127.20.0.2"), 2}}, 2000);
  w.top_subnets = {{Subnet("127.20.0.1"), 40}, {Subnet("127.21.0.1"), 38}};
  return w;
}

TEST(Detector, TypesAManySourceFloodAgainstTheBaselineAndTurnsAttackModeOnAndOff) {
  DetectorOptions options;
  options.end_after_quiet_windows = 5;
  World world(options);
  world.Feed(Window(80, {{Host("127.0.0.1"), 2}}, 200), 30);
  EXPECT_NEAR(world.detector.Snapshot().baseline_rps, 80, 1);
  world.Feed(Spread(2000), 3);
  EXPECT_TRUE(world.detector.Active(AttackType::kManySourceFlood));
  EXPECT_FALSE(world.detector.Active(AttackType::kFlood));
  EXPECT_TRUE(world.mode.detected());
  EXPECT_TRUE(world.mode.UnderAttack());
  EXPECT_TRUE(world.blocks.Entries().empty());  // nobody is over the per-source threshold
  world.Feed(Spread(2000), 20);
  // The attack does not become the baseline.
  EXPECT_NEAR(world.detector.Snapshot().baseline_rps, 80, 1);
  world.Feed(Window(80, {{Host("127.0.0.1"), 2}}, 200), 5);
  EXPECT_FALSE(world.detector.Active(AttackType::kManySourceFlood));
  EXPECT_FALSE(world.mode.detected());
  EXPECT_EQ(world.Started("many_source_flood"), 1u);
}

TEST(Detector, HighTrafficFromFewHostsIsNotAManySourceFlood) {
  World world;
  std::vector<SourceCount> hosts;
  for (int i = 1; i <= 10; ++i) hosts.push_back({Host("127.9.0." + std::to_string(i)), 60});
  world.Feed(Window(600, hosts, 10), 10);
  EXPECT_FALSE(world.detector.Active(AttackType::kManySourceFlood));
  EXPECT_FALSE(world.detector.Active(AttackType::kFlood));
}

TEST(Detector, TypesSlowClientsFromTimeoutsAveragedOverTheSlowWindow) {
  World world;
  TrafficWindow w = Quiet();
  w.head_timeouts = 8;
  w.body_timeouts = 1;
  w.slow_hosts = {{Host("127.3.3.3"), 9}};
  // 9 timeouts/s average over the 20 s slow window reach 5/s after 12 s, then 3 hot windows.
  world.Feed(w, 13);
  EXPECT_FALSE(world.detector.Active(AttackType::kSlowClients));
  world.Feed(w, 1);
  EXPECT_TRUE(world.detector.Active(AttackType::kSlowClients));
  DetectorSnapshot snap = world.detector.Snapshot();
  ASSERT_EQ(snap.active.size(), 1u);
  EXPECT_EQ(snap.active[0].sources, std::vector<std::string>{"127.3.3.3/32"});
  EXPECT_DOUBLE_EQ(snap.slow_events_per_s, 9 * 14 / 20.0);
  EXPECT_EQ(world.Started("slow_clients"), 1u);
}

TEST(Detector, TypesSlowClientsWhoseTimeoutsComeInBurstsADeadlineApart) {
  World world;
  TrafficWindow burst = Quiet();
  burst.head_timeouts = 1000;  // a slowloris's sockets all reach the head deadline together
  burst.slow_hosts = {{Host("127.3.3.3"), 500}, {Host("127.3.3.4"), 500}};
  for (int i = 0; i < 3; ++i) {
    world.Feed(Quiet(), 9);
    world.Feed(burst);
  }
  EXPECT_TRUE(world.detector.Active(AttackType::kSlowClients));
  EXPECT_EQ(world.detector.Snapshot().active[0].sources,
            (std::vector<std::string>{"127.3.3.3/32", "127.3.3.4/32"}));
  // It ends once the bursts stop: the average decays over the slow window, then the quiet run.
  world.Feed(Quiet(), 20 + 30);
  EXPECT_FALSE(world.detector.Active(AttackType::kSlowClients));
  EXPECT_EQ(world.Started("slow_clients"), 1u);
}

TEST(Detector, AFewTimeoutsNowAndThenAreNotAnAttack) {
  World world;
  TrafficWindow some = Quiet();
  some.head_timeouts = 30;
  for (int i = 0; i < 10; ++i) {
    world.Feed(Quiet(), 19);
    world.Feed(some);
  }
  EXPECT_FALSE(world.detector.Active(AttackType::kSlowClients));
}

TEST(Detector, TypesLoginStuffingFromSignInFailures) {
  World world;
  TrafficWindow w = Quiet();
  w.login_requests = 60;
  w.login_failures = 50;
  w.login_failure_hosts = {{Host("127.4.4.4"), 50}};
  world.Feed(w, 3);
  EXPECT_TRUE(world.detector.Active(AttackType::kLoginStuffing));
  EXPECT_EQ(world.detector.Snapshot().active[0].sources.front(), "127.4.4.4/32");
  EXPECT_EQ(world.Started("login_stuffing"), 1u);
}

TEST(Detector, TypesAWebSocketFloodFromUntrustedUpgradesOrAbuse) {
  World world;
  TrafficWindow upgrades = Quiet();
  upgrades.ws_untrusted_upgrades = 80;
  upgrades.ws_hosts = {{Host("127.5.5.5"), 80}};
  world.Feed(upgrades, 3);
  EXPECT_TRUE(world.detector.Active(AttackType::kWebSocketFlood));

  World other;
  TrafficWindow abuse = Quiet();
  abuse.ws_abuse = 6;
  other.Feed(abuse, 3);
  EXPECT_TRUE(other.detector.Active(AttackType::kWebSocketFlood));
  EXPECT_EQ(other.Started("websocket_flood"), 1u);
}

TEST(Detector, KeepsABoundedListOfRecentEvents) {
  DetectorOptions options;
  options.recent_events = 4;
  options.start_after_hot_windows = 1;
  options.end_after_quiet_windows = 1;
  World world(options);
  for (int i = 0; i < 10; ++i) {
    world.Feed(Flood());
    world.Feed(Quiet());
  }
  EXPECT_EQ(world.Started("flood"), 10u);
  EXPECT_EQ(world.detector.Snapshot().recent.size(), 4u);
}

TEST(Detector, NamesEveryAttackType) {
  EXPECT_EQ(AttackTypeName(AttackType::kFlood), "flood");
  EXPECT_EQ(AttackTypeName(AttackType::kManySourceFlood), "many_source_flood");
  EXPECT_EQ(AttackTypeName(AttackType::kSlowClients), "slow_clients");
  EXPECT_EQ(AttackTypeName(AttackType::kLoginStuffing), "login_stuffing");
  EXPECT_EQ(AttackTypeName(AttackType::kWebSocketFlood), "websocket_flood");
}

}  // namespace
}  // namespace homeroom::guard
