// The connection guard against the real server (docs/security.md, "Defenses"): a slowloris
// connection, trickling header bytes, is closed at the head deadline while a normal client from
// another source is served; every guard decision has its metric. Every loop is bounded in count
// and time.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "integration/test_server.h"
#include "unit/net/test_client.h"

namespace homeroom::testing {
namespace {

using std::chrono::milliseconds;

uint64_t HeadTimeouts(TestServer& server) {
  return server.app().metrics().CounterValue("homeroom_net_timeouts_total",
                                             {{"server", "api"}, {"kind", "head"}});
}

TEST(GuardConnection, SlowlorisIsClosedAtTheHeadDeadlineWhileANormalClientIsServed) {
  TestServer server([](app::AppConfig& c) { c.server.head_timeout = milliseconds(600); });
  RawClient slow(server.port(), "127.0.50.1");
  ASSERT_TRUE(slow.connected());
  ASSERT_TRUE(slow.Send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Trickle: "));
  // One header byte every 50 ms: each arrives well within any idle timer, but the head never
  // completes. At most 200 bytes (10 s), far past the deadline.
  bool closed = false;
  bool normal_served = false;
  for (int i = 0; i < 200 && !closed; ++i) {
    if (!slow.Send("a")) closed = true;
    if (i == 3) {
      // While the slowloris holds its connection, another source is served as usual.
      auto res = server.Client("127.0.51.1").Get("/healthz");
      normal_served = res.result_int() == 200;
    }
    std::this_thread::sleep_for(milliseconds(50));
    if (HeadTimeouts(server) >= 1) closed = true;
  }
  EXPECT_TRUE(normal_served);
  EXPECT_TRUE(closed) << "the trickling connection outlived 200 bytes";
  EXPECT_TRUE(slow.WaitClosed(milliseconds(5000)));
  EXPECT_EQ(HeadTimeouts(server), 1u);
  // It never got an answer: its head was never complete.
  EXPECT_FALSE(slow.Read(milliseconds(100)).has_value());
}

// Issue 4, section 6: every guard decision has a series on the metrics listener from the start
// (a scrape shows zeros, not nothing), under the names docs/security.md ("Defenses") lists.
TEST(GuardConnection, EveryGuardDecisionIsOnTheMetricsListenerFromTheStart) {
  TestServer server;
  HttpClient metrics(server.app().metrics_port());
  auto res = metrics.Get("/metrics");
  ASSERT_EQ(res.result_int(), 200);
  const std::string& text = res.body();
  for (const char* series : {
           R"(homeroom_guard_admission_total{class="api_read",decision="accepted"})",
           R"(homeroom_guard_admission_total{class="static",decision="shed"})",
           R"(homeroom_guard_admission_total{class="login",decision="rate_limited_ip"})",
           R"(homeroom_guard_admission_total{class="live",decision="rate_limited_subnet"})",
           R"(homeroom_guard_admission_total{class="api_write",decision="rate_limited_account"})",
           R"(homeroom_guard_admission_total{class="api_read",decision="blocked"})",
           R"(homeroom_guard_admission_total{class="api_read",decision="challenged"})",
           R"(homeroom_guard_blocked_total{stage="connection"})",
           R"(homeroom_guard_blocked_total{stage="request"})",
           R"(homeroom_net_connections_refused_total{server="api",reason="blocked"})",
           R"(homeroom_net_timeouts_total{server="api",kind="head"})",
           R"(homeroom_net_timeouts_total{server="api",kind="body_rate"})",
           R"(homeroom_net_timeouts_total{server="api",kind="send_rate"})",
           R"(homeroom_guard_attack_active{type="many_source_flood"})",
           R"(homeroom_guard_attacks_total{type="flood"})",
           "homeroom_guard_under_attack",
           "homeroom_guard_auto_blocks_total",
           "homeroom_live_dropped_slow_consumers_total",
       }) {
    EXPECT_NE(text.find(series), std::string::npos) << series;
  }
}

}  // namespace
}  // namespace homeroom::testing
