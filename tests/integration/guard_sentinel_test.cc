// Detection and blocking against the real server (docs/security.md, "Defenses: detection and
// blocking"): a flooding source is typed and auto-blocked while others are served; the status
// endpoint names the attack and the offender; manual blocks through the API and the CLI; attack
// mode through the API. Every loop is bounded in count and time and stops by itself.
#include <gtest/gtest.h>

#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <sstream>
#include <thread>

#include "cli/guard_commands.h"
#include "guard/attack_mode.h"
#include "guard/block_list.h"
#include "integration/test_server.h"

namespace homeroom::testing {
namespace {

namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

// Thresholds low enough for a test client: a host over 20 requests/s floods, over 40 is blocked;
// two hot windows of 200 ms start an attack, which then lasts for the rest of the test.
void SensitiveGuard(app::AppConfig& c) {
  c.sentinel.tick = std::chrono::milliseconds(200);
  c.guard_sync_interval = std::chrono::milliseconds(100);
  auto& d = c.sentinel.detector;
  d.flood_host_rps = 20;
  d.flood_subnet_rps = 1'000'000;
  d.auto_block_factor = 2;
  d.start_after_hot_windows = 2;
  d.end_after_quiet_windows = 100'000;
}

bool Contains(const boost::json::array& items, const std::string& text) {
  for (const auto& v : items) {
    if (v.is_string() && v.as_string() == text) return true;
  }
  return false;
}

// The audit log's entries of one action, read through GET /api/v1/admin/audit, oldest first.
boost::json::array Audited(TestServer& server, const std::string& token,
                           const std::string& action) {
  auto res = server.Client().Get("/api/v1/admin/audit?action=" + action, Bearer(token));
  EXPECT_EQ(res.result_int(), 200) << res.body();
  if (res.result_int() != 200) return {};
  return HttpClient::Json(res).at("items").as_array();
}

// Repeats `attempt` until it returns true, at most `tries` times over at most 30 s.
template <typename Fn>
bool Eventually(Fn attempt, int tries = 300) {
  auto deadline = Clock::now() + std::chrono::seconds(30);
  for (int i = 0; i < tries && Clock::now() < deadline; ++i) {
    if (attempt()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(GuardSentinel, AFloodingSourceIsDetectedAndAutoBlockedWhileAnotherIsServed) {
  TestServer server(SensitiveGuard);
  std::string token = server.Login("district");
  HttpClient attacker = server.Client("127.6.6.6");
  HttpClient student = server.Client("127.0.0.2");

  // Flood until the server stops answering the attacker (bounded: 5,000 requests or 60 s).
  int sent = 0;
  bool refused = false;
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (sent < 5000 && Clock::now() < deadline) {
    auto res = attacker.Get("/healthz");
    ++sent;
    if (res.result_int() == 0) {
      refused = true;
      break;
    }
  }
  ASSERT_TRUE(refused) << "still served after " << sent << " requests";
  EXPECT_EQ(attacker.Get("/healthz").result_int(), 0);  // new connections are closed unanswered
  EXPECT_EQ(student.Get("/healthz").result_int(), 200);
  EXPECT_TRUE(server.app().block_list().IsBlocked(boost::asio::ip::make_address("127.6.6.6")));

  metrics::Registry& m = server.app().metrics();
  EXPECT_GE(m.CounterValue("homeroom_guard_attacks_total", {{"type", "flood"}}), 1u);
  EXPECT_EQ(m.GaugeValue("homeroom_guard_attack_active", {{"type", "flood"}}), 1);
  EXPECT_EQ(m.CounterValue("homeroom_guard_auto_blocks_total"), 1u);
  EXPECT_GE(m.CounterValue("homeroom_guard_blocked_total", {{"stage", "connection"}}), 1u);

  // The status page shows the attack, its source, and the automatic block.
  auto res = server.Client().Get("/api/v1/admin/status", Bearer(token));
  ASSERT_EQ(res.result_int(), 200) << res.body();
  auto status = HttpClient::Json(res).as_object();
  const auto& active = status.at("attack").at("active").as_array();
  ASSERT_FALSE(active.empty()) << res.body();
  bool named = false;
  for (const auto& a : active) {
    if (a.at("type").as_string() == "flood") {
      named = Contains(a.at("sources").as_array(), "127.6.6.6/32");
    }
  }
  EXPECT_TRUE(named) << res.body();
  EXPECT_GE(status.at("blocks").at("automatic").as_int64(), 1) << res.body();
  EXPECT_TRUE(status.at("load").as_object().contains("open_connections"));
  EXPECT_TRUE(status.at("top_offenders").at("hosts").is_array());
  const auto& recent = status.at("attack").at("recent").as_array();
  ASSERT_FALSE(recent.empty());
  EXPECT_EQ(recent.back().at("event").as_string(), "started");

  auto blocks = server.Client().Get("/api/v1/admin/blocks", Bearer(token));
  ASSERT_EQ(blocks.result_int(), 200);
  bool listed = false;
  boost::json::value blocks_json = HttpClient::Json(blocks);
  for (const auto& b : blocks_json.at("blocked").as_array()) {
    if (b.at("cidr").as_string() == "127.6.6.6/32") listed = b.at("automatic").as_bool();
  }
  EXPECT_TRUE(listed) << blocks.body();

  // An operator lifts the automatic block.
  auto lifted = server.Client().Send(bhttp::verb::delete_,
                                     "/api/v1/admin/blocks?cidr=127.6.6.6%2F32", "", Bearer(token));
  EXPECT_EQ(lifted.result_int(), 200) << lifted.body();
  EXPECT_FALSE(server.app().block_list().IsBlocked(boost::asio::ip::make_address("127.6.6.6")));
  // The lift is audited (the detector's own block is not: it was never stored).
  boost::json::array removed = Audited(server, token, "block.remove");
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].at("actor").as_string(), "district");
  EXPECT_EQ(removed[0].at("detail").at("range").as_string(), "127.6.6.6/32");
  EXPECT_TRUE(removed[0].at("detail").at("automatic").as_bool());
  EXPECT_FALSE(removed[0].at("detail").at("manual").as_bool());
  EXPECT_TRUE(Audited(server, token, "block.add").empty());
}

TEST(GuardSentinel, TheTopOffendersNameTheHeaviestSource) {
  TestServer server([](app::AppConfig& c) {
    SensitiveGuard(c);
    c.sentinel.detector.auto_block = false;
  });
  std::string token = server.Login("district");
  HttpClient heavy = server.Client("127.7.7.7");
  // Keep sending while polling the status, until a window shows the source on top (bounded).
  bool seen = Eventually([&] {
    for (int i = 0; i < 30; ++i) heavy.Get("/healthz");
    auto res = server.Client().Get("/api/v1/admin/status", Bearer(token));
    if (res.result_int() != 200) return false;
    boost::json::value body = HttpClient::Json(res);
    const auto& hosts = body.at("top_offenders").at("hosts").as_array();
    return !hosts.empty() && hosts[0].at("source").as_string() == "127.7.7.7/32" &&
           hosts[0].at("rate").to_number<double>() > 0;
  });
  EXPECT_TRUE(seen);
}

TEST(GuardSentinel, ASchoolAdminSeesTheAttackAndTheLoadButNoAddress) {
  TestServer server([](app::AppConfig& c) {
    SensitiveGuard(c);
    c.sentinel.detector.auto_block = false;
  });
  std::string district = server.Login("district");
  std::string school = server.Login("admin_a");
  HttpClient heavy = server.Client("127.7.7.9");
  // Flood until the district's view shows the attack and its source on top (bounded).
  bool seen = Eventually([&] {
    for (int i = 0; i < 30; ++i) heavy.Get("/healthz");
    auto res = server.Client().Get("/api/v1/admin/status", Bearer(district));
    if (res.result_int() != 200) return false;
    boost::json::value body = HttpClient::Json(res);
    const auto& hosts = body.at("top_offenders").at("hosts").as_array();
    return !body.at("attack").at("active").as_array().empty() && !hosts.empty() &&
           hosts[0].at("source").as_string() == "127.7.7.9/32";
  });
  ASSERT_TRUE(seen);
  auto full = server.Client().Get("/api/v1/admin/status", Bearer(district));
  EXPECT_EQ(HttpClient::Json(full).at("scope").as_string(), "district");

  auto res = server.Client().Get("/api/v1/admin/status", Bearer(school));
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(res.body().find("127.7.7.9"), std::string::npos) << res.body();
  boost::json::object status = HttpClient::Json(res).as_object();
  EXPECT_EQ(status.at("scope").as_string(), "school");
  EXPECT_FALSE(status.contains("top_offenders")) << res.body();
  // The attack state and the load are there, without the sources.
  const auto& active = status.at("attack").at("active").as_array();
  ASSERT_FALSE(active.empty()) << res.body();
  EXPECT_EQ(active[0].at("type").as_string(), "flood");
  EXPECT_FALSE(active[0].as_object().contains("sources"));
  for (const auto& e : status.at("attack").at("recent").as_array()) {
    EXPECT_FALSE(e.as_object().contains("sources"));
  }
  EXPECT_GT(status.at("load").at("requests_per_s").to_number<double>(), 0);
  // The rules name addresses too: still district only.
  EXPECT_EQ(server.Client().Get("/api/v1/admin/blocks", Bearer(school)).result_int(), 403);
}

TEST(GuardSentinel, AManualBlockThroughTheApiRefusesTheRangeAndTheCliListsIt) {
  TestServer server(SensitiveGuard);
  std::string token = server.Login("district");
  ASSERT_EQ(server.Client("127.9.1.1").Get("/healthz").result_int(), 200);

  auto bad = server.Client().Post("/api/v1/admin/blocks",
                                  R"({"cidr":"127.9.1.1/16","reason":"typo"})", Bearer(token));
  EXPECT_EQ(bad.result_int(), 400);
  EXPECT_NE(bad.body().find("cidr"), std::string::npos) << bad.body();
  auto wide = server.Client().Post("/api/v1/admin/blocks", R"({"cidr":"0.0.0.0/0","reason":"all"})",
                                   Bearer(token));
  EXPECT_EQ(wide.result_int(), 400) << wide.body();

  auto res = server.Client().Post("/api/v1/admin/blocks",
                                  R"({"cidr":"127.9.0.0/16","reason":"stresser","ttl_s":3600})",
                                  Bearer(token));
  ASSERT_EQ(res.result_int(), 201) << res.body();
  auto rule = HttpClient::Json(res).as_object();
  EXPECT_EQ(rule.at("cidr").as_string(), "127.9.0.0/16");
  EXPECT_EQ(rule.at("created_by").as_string(), "user:500 district");
  EXPECT_TRUE(rule.at("until").is_string());

  EXPECT_EQ(server.Client("127.9.1.1").Get("/healthz").result_int(), 0);  // at once on this node
  EXPECT_EQ(server.Client("127.0.0.3").Get("/healthz").result_int(), 200);

  cli::GuardRuleArgs args{.data_dir = server.app().config().data_dir, .kind = "block"};
  std::ostringstream out, err;
  ASSERT_EQ(cli::RunRuleList(args, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("127.9.0.0/16\tstresser\tuser:500 district"), std::string::npos)
      << out.str();

  auto removed = server.Client().Send(
      bhttp::verb::delete_, "/api/v1/admin/blocks?cidr=127.9.0.0%2F16", "", Bearer(token));
  EXPECT_EQ(removed.result_int(), 200) << removed.body();
  EXPECT_EQ(server.Client("127.9.1.1").Get("/healthz").result_int(), 200);
  auto again = server.Client().Send(bhttp::verb::delete_,
                                    "/api/v1/admin/blocks?cidr=127.9.0.0%2F16", "", Bearer(token));
  EXPECT_EQ(again.result_int(), 404) << again.body();

  // The add and the removal are in the audit log, by the admin from their address; the refused
  // requests (bad range, too wide, nothing to remove) are not.
  boost::json::array added = Audited(server, token, "block.add");
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0].at("actor").as_string(), "district");
  EXPECT_EQ(added[0].at("actor_user_id").as_int64(), 500);
  EXPECT_EQ(added[0].at("actor_ip").as_string(), "127.0.0.1");
  EXPECT_EQ(added[0].at("detail").at("range").as_string(), "127.9.0.0/16");
  EXPECT_EQ(added[0].at("detail").at("reason").as_string(), "stresser");
  EXPECT_TRUE(added[0].at("detail").at("until").is_string());
  EXPECT_EQ(added[0].at("detail").at("via").as_string(), "api");
  boost::json::array removed_rows = Audited(server, token, "block.remove");
  ASSERT_EQ(removed_rows.size(), 1u);
  EXPECT_EQ(removed_rows[0].at("actor").as_string(), "district");
  EXPECT_EQ(removed_rows[0].at("detail").at("range").as_string(), "127.9.0.0/16");
  EXPECT_TRUE(removed_rows[0].at("detail").at("manual").as_bool());
}

TEST(GuardSentinel, ABlockMadeByTheCliReachesTheRunningServer) {
  TestServer server(SensitiveGuard);
  ASSERT_EQ(server.Client("127.10.0.1").Get("/healthz").result_int(), 200);
  cli::GuardRuleArgs args{.data_dir = server.app().config().data_dir,
                          .kind = "block",
                          .cidr = "127.10.0.0/16",
                          .reason = "from the CLI"};
  std::ostringstream out, err;
  ASSERT_EQ(cli::RunRuleAdd(args, out, err), 0) << err.str();
  // The server re-reads the rules every 100 ms here.
  EXPECT_TRUE(
      Eventually([&] { return server.Client("127.10.0.1").Get("/healthz").result_int() == 0; }));
  // An allow rule wins over the block.
  cli::GuardRuleArgs allow{.data_dir = args.data_dir,
                           .kind = "allow",
                           .cidr = "127.10.0.1",
                           .reason = "the school's gateway"};
  ASSERT_EQ(cli::RunRuleAdd(allow, out, err), 0) << err.str();
  EXPECT_TRUE(
      Eventually([&] { return server.Client("127.10.0.1").Get("/healthz").result_int() == 200; }));
  EXPECT_EQ(server.Client("127.10.0.2").Get("/healthz").result_int(), 0);

  cli::GuardRuleArgs unallow = allow;
  unallow.os_user = "ops";
  ASSERT_EQ(cli::RunRuleRemove(unallow, out, err), 0) << err.str();

  // The CLI's changes are audited as cli:<os user> from local.
  std::string token = server.Login("district");
  boost::json::array blocks = Audited(server, token, "block.add");
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_TRUE(blocks[0].at("actor").as_string().starts_with("cli:"));
  EXPECT_EQ(blocks[0].at("actor_ip").as_string(), "local");
  EXPECT_TRUE(blocks[0].at("actor_user_id").is_null());
  EXPECT_EQ(blocks[0].at("detail").at("via").as_string(), "cli");
  boost::json::array allows = Audited(server, token, "allow.add");
  ASSERT_EQ(allows.size(), 1u);
  EXPECT_EQ(allows[0].at("detail").at("range").as_string(), "127.10.0.1/32");
  boost::json::array unallows = Audited(server, token, "allow.remove");
  ASSERT_EQ(unallows.size(), 1u);
  EXPECT_EQ(unallows[0].at("actor").as_string(), "cli:ops");
}

TEST(GuardSentinel, AttackModeSetByTheCliReachesTheRunningServerAndIsAudited) {
  TestServer server(SensitiveGuard);
  const std::string token = server.Login("district");  // signed in: never challenged
  cli::AttackModeArgs args{
      .data_dir = server.app().config().data_dir, .mode = "on", .os_user = "ops"};
  std::ostringstream out, err;
  ASSERT_EQ(cli::RunAttackModeSet(args, out, err), 0) << err.str();
  EXPECT_TRUE(Eventually([&] { return server.app().attack_mode().UnderAttack(); }));
  args.mode = "sometimes";
  EXPECT_EQ(cli::RunAttackModeSet(args, out, err), 2);

  boost::json::array set = Audited(server, token, "attack_mode.set");
  ASSERT_EQ(set.size(), 1u);
  EXPECT_EQ(set[0].at("actor").as_string(), "cli:ops");
  EXPECT_EQ(set[0].at("actor_ip").as_string(), "local");
  EXPECT_EQ(set[0].at("detail").at("mode").as_string(), "on");
  EXPECT_EQ(set[0].at("detail").at("via").as_string(), "cli");
}

TEST(GuardSentinel, AttackModeIsSetThroughTheApi) {
  TestServer server;
  std::string token = server.Login("district");
  std::string teacher = server.Login("teacher_a");
  auto put = [&](const std::string& body, const std::string& who) {
    return server.Client().Send(bhttp::verb::put, "/api/v1/admin/attack-mode", body, Bearer(who));
  };
  auto on = put(R"({"mode":"on"})", token);
  ASSERT_EQ(on.result_int(), 200) << on.body();
  EXPECT_EQ(HttpClient::Json(on).at("mode").as_string(), "on");
  EXPECT_TRUE(HttpClient::Json(on).at("under_attack").as_bool());
  EXPECT_TRUE(server.app().attack_mode().UnderAttack());
  EXPECT_EQ(server.app().metrics().GaugeValue("homeroom_guard_under_attack"), 1);
  auto status = server.Client().Get("/api/v1/admin/status", Bearer(token));
  EXPECT_EQ(HttpClient::Json(status).at("attack").at("mode").as_string(), "on") << status.body();

  auto off = put(R"({"mode":"off"})", token);
  ASSERT_EQ(off.result_int(), 200) << off.body();
  EXPECT_FALSE(server.app().attack_mode().UnderAttack());
  EXPECT_EQ(server.app().attack_mode().setting(), guard::AttackModeSetting::kOff);

  EXPECT_EQ(put(R"({"mode":"maybe"})", token).result_int(), 400);
  EXPECT_EQ(put(R"({"mode":"on"})", teacher).result_int(), 403);
  EXPECT_EQ(server.app().attack_mode().setting(), guard::AttackModeSetting::kOff);
  ASSERT_EQ(put(R"({"mode":"auto"})", token).result_int(), 200);

  // Three changes audited, each with the setting it replaced; the refused ones are not.
  boost::json::array set = Audited(server, token, "attack_mode.set");
  ASSERT_EQ(set.size(), 3u);
  EXPECT_EQ(set[0].at("detail").at("mode").as_string(), "on");
  EXPECT_EQ(set[1].at("detail").at("mode").as_string(), "off");
  EXPECT_EQ(set[1].at("detail").at("previous").as_string(), "on");
  EXPECT_EQ(set[2].at("detail").at("mode").as_string(), "auto");
  for (const auto& e : set) {
    EXPECT_EQ(e.at("actor").as_string(), "district");
    EXPECT_EQ(e.at("actor_ip").as_string(), "127.0.0.1");
  }
  // The attack-state gauge follows the mode.
  EXPECT_EQ(server.app().metrics().GaugeValue("homeroom_guard_under_attack"), 0);
}

}  // namespace
}  // namespace homeroom::testing
