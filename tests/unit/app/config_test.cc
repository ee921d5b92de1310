#include "app/config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "testing/temp_dir.h"

namespace homeroom::app {
namespace {

// Parses `args` for `serve` into a fresh config.
AppConfig Parse(std::vector<std::string> args) {
  AppConfig config;
  CLI::App cmd("serve");
  AddServeOptions(cmd, config);
  std::vector<const char*> argv = {"serve"};
  for (const auto& a : args) argv.push_back(a.c_str());
  cmd.parse(static_cast<int>(argv.size()), argv.data());
  return config;
}

TEST(Config, DefaultsAreTheDocumentedOnes) {
  AppConfig c = Parse({});
  EXPECT_EQ(c.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.metrics_listen, "127.0.0.1:9464");
  EXPECT_EQ(c.server.head_timeout, std::chrono::seconds(10));
  EXPECT_EQ(c.server.max_header_bytes, 8192u);
  EXPECT_EQ(c.dispatcher.default_body_limit, 64u << 10);
  EXPECT_EQ(c.auth.argon2.mem_limit_bytes, 19u << 20);
  EXPECT_EQ(c.auth.argon2.ops_limit, 2u);
  EXPECT_GE(c.server.io_threads, 1);
}

TEST(Config, FlagsEnvironmentAndConfigFileAllSetSettings) {
  testing::TempDir dir;
  std::string file = dir.path() + "/homeroom.toml";
  std::ofstream(file) << "head-timeout-ms = 2500\nmax-connections-per-ip = 50\n";
  setenv("HOMEROOM_DATA_DIR", "/srv/homeroom", 1);
  AppConfig c = Parse({"--config", file, "--listen", "0.0.0.0:9000", "--argon2-ops", "3"});
  unsetenv("HOMEROOM_DATA_DIR");
  EXPECT_EQ(c.listen, "0.0.0.0:9000");                                // flag
  EXPECT_EQ(c.data_dir, "/srv/homeroom");                             // environment
  EXPECT_EQ(c.server.head_timeout, std::chrono::milliseconds(2500));  // config file
  EXPECT_EQ(c.server.max_connections_per_ip, 50u);
  EXPECT_EQ(c.auth.argon2.ops_limit, 3u);
  EXPECT_EQ(c.DatabasePath(), "/srv/homeroom/homeroom.db");
}

TEST(Config, GuardDetectionSettingsHaveSafeDefaultsAndFlags) {
  AppConfig d = Parse({});
  EXPECT_TRUE(d.sentinel.enabled);
  EXPECT_EQ(d.sentinel.tick, std::chrono::seconds(1));
  EXPECT_EQ(d.guard_sync_interval, std::chrono::seconds(5));
  EXPECT_EQ(d.sentinel.detector.flood_host_rps, 100);
  EXPECT_TRUE(d.sentinel.detector.auto_block);
  // Detection within 60 s (threats.md) with the default window and start run.
  EXPECT_LE(d.sentinel.tick * d.sentinel.detector.start_after_hot_windows,
            std::chrono::seconds(60));

  AppConfig c = Parse({"--guard-flood-host-rps", "250", "--guard-auto-block", "false",
                       "--guard-auto-block-ttl-s", "60", "--guard-end-after-windows", "90",
                       "--guard-sync-interval-ms", "2000", "--guard-top-k", "128"});
  EXPECT_EQ(c.sentinel.detector.flood_host_rps, 250);
  EXPECT_FALSE(c.sentinel.detector.auto_block);
  EXPECT_EQ(c.sentinel.detector.auto_block_ttl, std::chrono::seconds(60));
  EXPECT_EQ(c.sentinel.detector.end_after_quiet_windows, 90);
  EXPECT_EQ(c.guard_sync_interval, std::chrono::seconds(2));
  EXPECT_EQ(c.sentinel.traffic.top_k_per_shard, 128u);
}

TEST(Config, CourseworkLimitsHaveSafeDefaultsAndTheTypeListIsCommaSeparated) {
  AppConfig d = Parse({});
  EXPECT_EQ(d.coursework.max_file_bytes, 25u << 20);
  EXPECT_EQ(d.coursework.max_user_bytes, 500u << 20);
  EXPECT_EQ(d.coursework.max_files_per_item, 10u);
  const auto& types = d.coursework.allowed_types;
  EXPECT_NE(std::find(types.begin(), types.end(), "application/pdf"), types.end());
  EXPECT_EQ(std::find(types.begin(), types.end(), "text/html"), types.end());
  EXPECT_EQ(std::find(types.begin(), types.end(), "image/svg+xml"), types.end());

  setenv("HOMEROOM_COURSEWORK_MAX_USER_BYTES", "1000000", 1);
  AppConfig c = Parse({"--coursework-max-file-bytes", "1048576", "--coursework-allowed-types",
                       "application/pdf,text/plain"});
  unsetenv("HOMEROOM_COURSEWORK_MAX_USER_BYTES");
  EXPECT_EQ(c.coursework.max_file_bytes, 1u << 20);
  EXPECT_EQ(c.coursework.max_user_bytes, 1000000u);
  EXPECT_EQ(c.coursework.allowed_types,
            (std::vector<std::string>{"application/pdf", "text/plain"}));  // replaces the default
}

TEST(Config, NegativeDurationsAreRefusedWithTheFlagNamed) {
  try {
    Parse({"--idle-timeout-ms", "-5"});
    FAIL() << "a negative timeout was accepted";
  } catch (const CLI::ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("idle-timeout-ms"), std::string::npos) << e.what();
  }
}

TEST(Config, AccountRateFlagsExistOnlyForClassesThatAuthenticate) {
  AppConfig c = Parse({"--rate-api-read-account-per-s", "7", "--rate-live-account-burst", "9"});
  EXPECT_EQ(c.admission.rates.For(guard::RouteClass::kApiRead).account.per_second, 7);
  EXPECT_EQ(c.admission.rates.For(guard::RouteClass::kLive).account.burst, 9);
  // Static and sign-in routes never authenticate, so an account bucket there would never be met.
  for (const char* flag : {"--rate-static-account-per-s", "--rate-static-account-burst",
                           "--rate-login-account-per-s", "--rate-login-account-burst"}) {
    EXPECT_THROW(Parse({flag, "1"}), CLI::ParseError) << flag;
  }
  EXPECT_EQ(Parse({"--rate-login-ip-per-s", "3"})
                .admission.rates.For(guard::RouteClass::kLogin)
                .ip.per_second,
            3);
}

}  // namespace
}  // namespace homeroom::app
