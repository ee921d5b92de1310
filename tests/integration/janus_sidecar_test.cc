// Janus (the Debian package's /usr/bin/janus) started for real with the configuration
// `homeroom janus-config` writes: only Homeroom's credentials open it, it loads VideoRoom and the
// HTTP transport and nothing else, and it listens on loopback only.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "cli/media_commands.h"
#include "integration/janus_process.h"
#include "media/janus_config.h"
#include "testing/http_client.h"

namespace homeroom::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using std::chrono::milliseconds;

json::object Call(HttpClient& client, const std::string& path, json::object body) {
  body["transaction"] = "t" + std::to_string(std::rand());
  auto res = client.Post(path, json::serialize(body));
  auto v = HttpClient::Json(res);
  return v.is_object() ? v.as_object() : json::object{{"http_status", res.result_int()}};
}

bool IsError(const json::object& o, int code) {
  return o.contains("janus") && o.at("janus") == "error" &&
         o.at("error").at("code").as_int64() == code;
}

// The local addresses Janus's process listens on, from /proc/net/tcp{,6}, as "ADDR:PORT" in the
// kernel's hex notation; only sockets whose inode belongs to `pid`.
std::set<std::string> ListeningAddresses(pid_t pid) {
  std::set<std::string> inodes;
  for (const auto& fd : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    std::error_code ec;
    const std::string target = fs::read_symlink(fd.path(), ec).string();
    if (!ec && target.rfind("socket:[", 0) == 0) inodes.insert(target.substr(8, target.size() - 9));
  }
  std::set<std::string> listening;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string sl, local, remote, state, queues, timer, retr, uid, timeout, inode;
      fields >> sl >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >>
          inode;
      if (state == "0A" && inodes.count(inode)) listening.insert(local);  // 0A: LISTEN
    }
  }
  return listening;
}

std::string HexPort(uint16_t port) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04X", port);
  return buf;
}

class JanusSidecar : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kJanus)) << "the janus package is missing: scripts/install-deps";
    dir_ = JanusTempDir();
    options_.http_port = FreeTcpPort();
    options_.admin_port = FreeTcpPort();
    while (options_.admin_port == options_.http_port) options_.admin_port = FreeTcpPort();
    options_.rtp_port_min = 47000;
    options_.rtp_port_max = 47099;
    std::ostringstream out, err;
    ASSERT_EQ(cli::RunJanusConfig(dir_, options_, out, err), 0) << err.str();
    auto creds = media::ReadJanusCredentials(dir_);
    ASSERT_TRUE(creds.ok()) << creds.status().ToString();
    creds_ = *creds;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  fs::path dir_;
  media::JanusConfigOptions options_;
  media::JanusCredentials creds_;
};

TEST_F(JanusSidecar, OnlyHomeroomsCredentialsOpenItAndOnlyVideoRoomIsLoaded) {
  auto started = StartJanusOnFreePorts(dir_, options_);  // the same secrets, maybe new ports
  JanusProcess& janus = *started;
  ASSERT_TRUE(janus.ready()) << janus.Log();
  HttpClient api(options_.http_port);
  HttpClient admin(options_.admin_port);

  // One plugin, one transport, no event handlers or loggers.
  auto info = HttpClient::Json(api.Get("/janus/info"));
  ASSERT_TRUE(info.is_object()) << janus.Log();
  std::set<std::string> plugins, transports;
  for (const auto& [name, _] : info.at("plugins").as_object()) plugins.insert(std::string(name));
  for (const auto& [name, _] : info.at("transports").as_object()) {
    transports.insert(std::string(name));
  }
  EXPECT_EQ(plugins, std::set<std::string>{"janus.plugin.videoroom"});
  EXPECT_EQ(transports, std::set<std::string>{"janus.transport.http"});
  EXPECT_TRUE(info.at("events").as_object().empty());
  EXPECT_EQ(info.at("auth_token").as_bool(), true);

  // Without a token, or with a made-up one, nothing can be done.
  EXPECT_TRUE(IsError(Call(api, "/janus", {{"janus", "create"}}), 403));
  EXPECT_TRUE(IsError(Call(api, "/janus", {{"janus", "create"}, {"token", "guess"}}), 403));
  // The admin API wants the generated secret, not the package's well-known one.
  EXPECT_TRUE(
      IsError(Call(admin, "/admin",
                   {{"janus", "add_token"}, {"token", "x"}, {"admin_secret", "janusoverlord"}}),
              403));
  auto added = Call(
      admin, "/admin",
      {{"janus", "add_token"}, {"token", creds_.api_token}, {"admin_secret", creds_.admin_secret}});
  ASSERT_EQ(added.at("janus"), "success") << json::serialize(added);

  // With Homeroom's token: a session, a VideoRoom handle; a room only with the admin_key.
  auto session = Call(api, "/janus", {{"janus", "create"}, {"token", creds_.api_token}});
  ASSERT_EQ(session.at("janus"), "success") << json::serialize(session);
  const std::string session_path =
      "/janus/" + std::to_string(session.at("data").at("id").as_int64());
  auto handle = Call(
      api, session_path,
      {{"janus", "attach"}, {"plugin", "janus.plugin.videoroom"}, {"token", creds_.api_token}});
  ASSERT_EQ(handle.at("janus"), "success") << json::serialize(handle);
  const std::string handle_path =
      session_path + "/" + std::to_string(handle.at("data").at("id").as_int64());
  auto plugin = [&](json::object body) {
    auto res =
        Call(api, handle_path, {{"janus", "message"}, {"token", creds_.api_token}, {"body", body}});
    return res.contains("plugindata") ? res.at("plugindata").at("data").as_object()
                                      : json::object{{"unexpected", json::serialize(res)}};
  };
  auto refused = plugin({{"request", "create"}, {"room", 1001}});
  EXPECT_TRUE(refused.contains("error_code")) << json::serialize(refused);
  auto created =
      plugin({{"request", "create"}, {"room", 1002}, {"admin_key", creds_.videoroom_admin_key}});
  EXPECT_EQ(created.at("videoroom"), "created") << json::serialize(created);

  // Both APIs listen on 127.0.0.1 only (0100007F in /proc/net/tcp), on the configured ports.
  std::set<std::string> expected{"0100007F:" + HexPort(options_.http_port),
                                 "0100007F:" + HexPort(options_.admin_port)};
  EXPECT_EQ(ListeningAddresses(janus.pid()), expected);
}

// `--event-loops N` makes Janus share N loop threads among its handles (docs/capacity.md,
// "Tuning"); without it, Janus's own default: a thread per handle (0 static loops).
TEST_F(JanusSidecar, EventLoopsAreSharedOnlyWhenAsked) {
  auto static_loops = [&]() -> int64_t {
    auto started = StartJanusOnFreePorts(dir_, options_);
    if (!started->ready()) {
      ADD_FAILURE() << started->Log();
      return -1;
    }
    HttpClient api(options_.http_port);
    auto info = HttpClient::Json(api.Get("/janus/info"));
    if (!info.is_object() || !info.as_object().contains("static-event-loops")) {
      ADD_FAILURE() << json::serialize(info);
      return -1;
    }
    return info.at("static-event-loops").to_number<int64_t>();
  };
  EXPECT_EQ(static_loops(), 0);
  options_.event_loops = 2;
  EXPECT_EQ(static_loops(), 2);
}

TEST_F(JanusSidecar, RewritingTheConfigurationKeepsTheSecrets) {
  std::ostringstream out, err;
  ASSERT_EQ(cli::RunJanusConfig(dir_, options_, out, err), 0) << err.str();
  auto again = media::ReadJanusCredentials(dir_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->admin_secret, creds_.admin_secret);
  EXPECT_EQ(again->api_token, creds_.api_token);
  EXPECT_EQ(again->videoroom_admin_key, creds_.videoroom_admin_key);
  EXPECT_EQ(creds_.admin_secret.size(), 64u);  // 256 bits, hex
  EXPECT_NE(creds_.admin_secret, creds_.api_token);
  for (const char* file : {"janus.jcfg", "janus.transport.http.jcfg", "janus.plugin.videoroom.jcfg",
                           "homeroom-janus.json"}) {
    EXPECT_EQ(fs::status(dir_ / file).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write)
        << file;
  }
  // Exactly one library linked in each folder Janus loads from.
  auto names = [](const fs::path& folder) {
    std::set<std::string> n;
    for (const auto& e : fs::directory_iterator(folder)) n.insert(e.path().filename().string());
    return n;
  };
  EXPECT_EQ(names(dir_ / "plugins"), std::set<std::string>{"libjanus_videoroom.so"});
  EXPECT_EQ(names(dir_ / "transports"), std::set<std::string>{"libjanus_http.so"});
  EXPECT_TRUE(names(dir_ / "events").empty());
}

TEST_F(JanusSidecar, BadOptionsAreRefusedWithTheReason) {
  auto refuse = [&](media::JanusConfigOptions o, const std::string& why) {
    std::ostringstream out, err;
    EXPECT_EQ(cli::RunJanusConfig(dir_ / "bad", o, out, err), 2);
    EXPECT_NE(err.str().find(why), std::string::npos) << err.str();
  };
  media::JanusConfigOptions o = options_;
  o.admin_port = o.http_port;
  refuse(o, "two different ports");
  o = options_;
  o.rtp_port_min = 48000;
  o.rtp_port_max = 47000;
  refuse(o, "--rtp-ports");
  o = options_;
  o.public_ip = "not-an-ip";
  refuse(o, "--public-ip");
  o = options_;
  o.event_loops = -1;
  refuse(o, "--event-loops");
  o = options_;
  o.janus_lib_dir = dir_ / "nowhere";
  refuse(o, "apt install janus");
  EXPECT_FALSE(fs::exists(dir_ / "bad" / "janus.jcfg"));
}

}  // namespace
}  // namespace homeroom::testing
