// The Janus control plane (media::MediaService, media::JanusInstance) against real Janus processes
// started on configurations `homeroom janus-config` wrote: sessions, keepalive, room creation with
// the admin_key, secret, pin and allowed tokens, placement on the least-loaded healthy instance,
// an instance killed (unhealthy, its rooms moved) and a Janus restart (rooms made again).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "cli/media_commands.h"
#include "core/metrics.h"
#include "integration/janus_process.h"
#include "integration/test_server.h"
#include "media/janus_config.h"
#include "media/media_service.h"

namespace homeroom::testing {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using std::chrono::milliseconds;

// One Janus configuration in a temporary directory, and its process.
struct Janus {
  explicit Janus(uint16_t rtp_base) {
    dir = JanusTempDir();
    options.rtp_port_min = rtp_base;
    options.rtp_port_max = static_cast<uint16_t>(rtp_base + 99);
    options.debug_level = 3;
    process = StartJanusOnFreePorts(dir, options);
    EXPECT_TRUE(process->ready()) << process->Log();
  }
  ~Janus() {
    process.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  // Starts it again on the same ports (after Kill()).
  void Start() {
    process = std::make_unique<JanusProcess>(dir, options.http_port);
    EXPECT_TRUE(process->ready()) << process->Log();
  }
  std::string name() const { return "127.0.0.1:" + std::to_string(options.http_port); }

  fs::path dir;
  media::JanusConfigOptions options;
  std::unique_ptr<JanusProcess> process;
};

// A MediaService on its own io_context with two threads (as on the server's I/O threads).
class Media {
 public:
  explicit Media(std::vector<std::string> janus) {
    options_.health_interval_ms = 200;
    options_.failures_before_unhealthy = 2;
    options_.request_timeout_ms = 2000;
    auto created = media::MediaService::Create(io_.get_executor(), janus, options_, registry_);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    service_ = std::move(created).value();
    service_->SetRoomCallback([this](int64_t session_id, bool available) {
      std::lock_guard lock(mu_);
      changes_.emplace_back(session_id, available);
    });
    service_->Start();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~Media() {
    service_->Stop();
    work_.reset();
    for (auto& t : threads_) t.join();
    service_.reset();
  }

  template <typename R>
  R Run(asio::awaitable<R> op) {
    auto wrapped = media::WrapOptional(std::move(op));
    auto future = asio::co_spawn(io_, std::move(wrapped), asio::use_future);
    return std::move(*future.get());
  }
  Result<media::MediaRoom> Open(int64_t session) {
    return Run(service_->OpenRoom(session, "Class " + std::to_string(session)));
  }
  std::vector<uint64_t> RoomsOn(const std::string& name) {
    auto instance = InstanceNamed(name);
    if (!instance) return {};
    auto rooms = Run(instance->ListRooms());
    EXPECT_TRUE(rooms.ok()) << rooms.status().ToString();
    return rooms.ok() ? *rooms : std::vector<uint64_t>{};
  }
  std::shared_ptr<media::JanusInstance> InstanceNamed(const std::string& name) {
    for (int64_t s : known_sessions_) {
      auto room = service_->FindRoom(s);
      if (room && room->instance->name() == name) return room->instance;
    }
    return nullptr;
  }
  std::vector<media::MediaInstanceStatus> Instances() { return service_->Instances(); }
  // Waits (bounded) until `done` holds.
  bool WaitFor(const std::function<bool()>& done, milliseconds limit = milliseconds(20'000)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(milliseconds(50));
    }
    return done();
  }
  bool WaitHealthy(size_t n) {
    return WaitFor([&] { return service_->healthy_instances() == n; });
  }
  std::vector<std::pair<int64_t, bool>> changes() {
    std::lock_guard lock(mu_);
    return changes_;
  }
  void Remember(int64_t session) { known_sessions_.push_back(session); }

  media::MediaService& service() { return *service_; }
  metrics::Registry& registry() { return registry_; }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  media::MediaOptions options_;
  metrics::Registry registry_;
  std::unique_ptr<media::MediaService> service_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::vector<std::pair<int64_t, bool>> changes_;
  std::vector<int64_t> known_sessions_;
};

bool Contains(const std::vector<uint64_t>& v, uint64_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

TEST(MediaControl, RoomsGoToTheLeastLoadedHealthyInstanceAndCloseDestroysThem) {
  Janus a(47200), b(47300);
  Media media({a.dir.string(), (b.dir / "homeroom-janus.json").string()});
  ASSERT_TRUE(media.WaitHealthy(2));
  EXPECT_EQ(media.registry().GaugeValue("homeroom_media_instances_healthy"), 2);
  EXPECT_EQ(
      media.registry().GaugeValue("homeroom_media_instance_healthy", {{"instance", a.name()}}), 1);

  auto first = media.Open(101);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  media.Remember(101);
  auto second = media.Open(102);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  media.Remember(102);
  // Equal load: the second room goes to the other instance.
  EXPECT_NE(first->instance->name(), second->instance->name());
  // Opening again returns the same room.
  auto again = media.Open(101);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->instance->name(), first->instance->name());

  // Participants weigh too: with five on the first instance, the next room goes to the other.
  media.service().AddParticipants(first->instance->name(), 5);
  auto third = media.Open(103);
  ASSERT_TRUE(third.ok());
  media.Remember(103);
  EXPECT_EQ(third->instance->name(), second->instance->name());
  EXPECT_EQ(media.registry().GaugeValue("homeroom_media_instance_load",
                                        {{"instance", first->instance->name()}}),
            6);
  EXPECT_EQ(media.registry().GaugeValue("homeroom_media_rooms"), 3);

  // Janus itself has them (private rooms are listed with the admin_key).
  auto on_first = media.RoomsOn(first->instance->name());
  auto on_second = media.RoomsOn(second->instance->name());
  EXPECT_TRUE(Contains(on_first, 101));
  EXPECT_TRUE(Contains(on_second, 102));
  EXPECT_TRUE(Contains(on_second, 103));
  EXPECT_FALSE(Contains(on_first, 102));

  // Secrets and pins are per room and never the same.
  EXPECT_NE(first->secret, second->secret);
  EXPECT_NE(first->secret, first->pin);
  EXPECT_EQ(first->secret.size(), 32u);

  ASSERT_TRUE(media.Run(media.service().CloseRoom(103)).ok());
  EXPECT_FALSE(Contains(media.RoomsOn(second->instance->name()), 103));
  EXPECT_FALSE(media.service().FindRoom(103).has_value());
  EXPECT_EQ(media.registry().GaugeValue("homeroom_media_rooms"), 2);
  EXPECT_EQ(
      media.registry().CounterValue("homeroom_media_placements_total", {{"outcome", "placed"}}),
      3u);
}

TEST(MediaControl, AJoinNeedsTheRoomsPinAndAnAllowedToken) {
  Janus a(47400);
  Media media({a.dir.string()});
  ASSERT_TRUE(media.WaitHealthy(1));
  auto room = media.Open(201);
  ASSERT_TRUE(room.ok()) << room.status().ToString();
  auto& janus = *room->instance;
  auto handle = media.Run(janus.Attach(nullptr));
  ASSERT_TRUE(handle.ok()) << handle.status().ToString();
  auto join = [&](std::string pin, std::string token) {
    boost::json::object body{{"request", "join"},
                             {"ptype", "publisher"},
                             {"room", room->room},
                             {"display", "Ms. Rivera"}};
    if (!pin.empty()) body["pin"] = pin;
    if (!token.empty()) body["token"] = token;
    return media.Run(janus.Message(*handle, std::move(body), std::nullopt));
  };
  // The allowed list starts empty: even with the pin, nobody joins.
  auto refused = join(room->pin, "participant-token");
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied) << refused.status().ToString();
  ASSERT_TRUE(
      media.Run(janus.AllowTokens(room->room, room->secret, {"participant-token"}, true)).ok());
  auto no_pin = join("", "participant-token");
  EXPECT_FALSE(no_pin.ok());
  auto joined = join(room->pin, "participant-token");
  ASSERT_TRUE(joined.ok()) << joined.status().ToString();
  EXPECT_EQ(joined->data.at("videoroom").as_string(), "joined");
  // A wrong secret changes nothing.
  EXPECT_EQ(media.Run(janus.AllowTokens(room->room, "guess", {"x"}, true)).code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(media.Run(janus.Detach(*handle)).ok());
}

TEST(MediaControl, AKilledInstanceIsUnhealthyAndItsRoomsMoveToTheOther) {
  Janus a(47500), b(47600);
  Media media({a.dir.string(), b.dir.string()});
  ASSERT_TRUE(media.WaitHealthy(2));
  auto first = media.Open(301);
  ASSERT_TRUE(first.ok());
  Janus& doomed = first->instance->name() == a.name() ? a : b;
  Janus& survivor = first->instance->name() == a.name() ? b : a;

  doomed.process->Kill();
  ASSERT_TRUE(media.WaitHealthy(1));
  EXPECT_EQ(
      media.registry().GaugeValue("homeroom_media_instance_healthy", {{"instance", doomed.name()}}),
      0);
  EXPECT_GE(media.registry().CounterValue("homeroom_media_health_checks_failed_total"), 2u);
  // The room went unavailable, then was made again on the survivor.
  ASSERT_TRUE(media.WaitFor([&] {
    auto room = media.service().FindRoom(301);
    return room && room->instance->name() == survivor.name();
  }));
  auto changes = media.changes();
  ASSERT_GE(changes.size(), 3u);  // available, unavailable, available
  EXPECT_EQ(changes[0], std::make_pair(int64_t{301}, true));
  EXPECT_EQ(changes[1], std::make_pair(int64_t{301}, false));
  EXPECT_EQ(changes.back(), std::make_pair(int64_t{301}, true));
  media.Remember(301);
  EXPECT_TRUE(Contains(media.RoomsOn(survivor.name()), 301));

  // New rooms go to the healthy one only.
  auto next = media.Open(302);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->instance->name(), survivor.name());
  auto statuses = media.Instances();
  for (const auto& s : statuses) EXPECT_EQ(s.healthy, s.name == survivor.name()) << s.name;
}

TEST(MediaControl, AJanusRestartIsNoticedAndTheRoomIsMadeAgain) {
  Janus a(47700);
  Media media({a.dir.string()});
  ASSERT_TRUE(media.WaitHealthy(1));
  auto room = media.Open(401);
  ASSERT_TRUE(room.ok());
  media.Remember(401);
  const uint64_t epoch = room->epoch;

  a.process->Kill();
  ASSERT_TRUE(media.WaitHealthy(0));
  auto refused = media.Open(402);
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(media.service().FindRoom(401).has_value());

  a.Start();
  ASSERT_TRUE(media.WaitHealthy(1));
  ASSERT_TRUE(media.WaitFor([&] {
    auto r = media.service().FindRoom(401);
    return r && r->epoch > epoch && media.service().FindRoom(402).has_value();
  }));
  auto rooms = media.RoomsOn(a.name());
  EXPECT_TRUE(Contains(rooms, 401));
  EXPECT_TRUE(Contains(rooms, 402));  // wanted while Janus was down, made when it came back
  EXPECT_EQ(media.registry().CounterValue("homeroom_media_sessions_lost_total"), 1u);
}

TEST(MediaControl, UnreadableCredentialsAreRefusedWithTheFileName) {
  metrics::Registry registry;
  asio::io_context io;
  auto missing =
      media::MediaService::Create(io.get_executor(), {"/nonexistent/janus"}, {}, registry);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("/nonexistent/janus"), std::string::npos);
  auto none = media::MediaService::Create(io.get_executor(), {}, {}, registry);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE((*none)->enabled());
}

TEST(MediaHealth, ReadinessAndTheAdminStatusShowMediaAndJanusDownLeavesTheNodeReady) {
  Janus a(47800);
  TestServer server([&](app::AppConfig& c) {
    c.janus = {a.dir.string()};
    c.media.health_interval_ms = 200;
  });
  auto media_state = [&] {
    auto ready = server.Client().Get("/readyz");
    EXPECT_EQ(ready.result_int(), 200) << ready.body();
    auto body = HttpClient::Json(ready);
    return body.is_object() ? std::string(body.at("media").at("state").as_string()) : "";
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (media_state() != "ok" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(media_state(), "ok");
  auto status = server.Client().Get("/api/v1/admin/status", Bearer(server.Login("district")));
  ASSERT_EQ(status.result_int(), 200) << status.body();
  auto media = HttpClient::Json(status).at("media").as_object();
  EXPECT_EQ(media.at("healthy").as_int64(), 1);
  EXPECT_EQ(media.at("instances").as_array().at(0).at("name").as_string(), a.name());
  // The body never carries a Janus credential.
  auto creds = media::ReadJanusCredentials(a.dir);
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(status.body().find(creds->api_token), std::string::npos);
  EXPECT_EQ(status.body().find(creds->admin_secret), std::string::npos);

  a.process->Kill();
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (media_state() != "unavailable" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(media_state(), "unavailable");  // and still HTTP 200: classes go on without video
}

TEST(MediaHealth, WithoutJanusMediaIsOff) {
  TestServer server;
  auto ready = HttpClient::Json(server.Client().Get("/readyz"));
  EXPECT_EQ(ready.at("media").at("state").as_string(), "off");
}

}  // namespace
}  // namespace homeroom::testing
