// Video and audio signaling on the live WebSocket, end to end: real server, real WebSocket
// clients, real Janus (the janus package) on a configuration `homeroom janus-config` wrote.
// Homeroom enforces the floor, relays offers and answers to Janus, and never lets a Janus
// credential reach a browser; when Janus dies the class goes on and media comes back with it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <deque>
#include <functional>
#include <sstream>

#include "cli/media_commands.h"
#include "core/clock.h"
#include "integration/janus_process.h"
#include "integration/test_server.h"
#include "media/janus_config.h"
#include "media/media_service.h"
#include "unit/net/ws_client.h"

namespace homeroom::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using ms = std::chrono::milliseconds;

// A browser's SDP offer that sends one audio stream and `videos` video streams (a camera, a
// shared screen). Janus answers it; no media flows (nothing connects in this test).
std::string Offer(int videos) {
  std::string bundle = "0";
  for (int i = 1; i <= videos; ++i) bundle += " " + std::to_string(i);
  std::string sdp =
      "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
      "a=group:BUNDLE " +
      bundle +
      "\r\na=msid-semantic: WMS s\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n"
      "a=ice-ufrag:hr01\r\na=ice-pwd:homeroomhomeroomhomeroom\r\na=ice-options:trickle\r\n"
      "a=fingerprint:sha-256 "
      "12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:"
      "BC:DE:F0\r\na=setup:actpass\r\na=mid:0\r\na=sendonly\r\na=msid:s a0\r\na=rtcp-mux\r\n"
      "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n"
      "a=ssrc:1001 cname:hr\r\n";
  for (int i = 1; i <= videos; ++i) {
    sdp += fmt::format(
        "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n"
        "a=ice-ufrag:hr01\r\na=ice-pwd:homeroomhomeroomhomeroom\r\na=ice-options:trickle\r\n"
        "a=fingerprint:sha-256 "
        "12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:"
        "BC:DE:F0\r\na=setup:actpass\r\na=mid:{}\r\na=sendonly\r\na=msid:s v{}\r\na=rtcp-mux\r\n"
        "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\n"
        "a=ssrc:{} cname:hr\r\n",
        i, i, 2000 + i);
  }
  return sdp;
}

// An SDP offer with only video (a student with the camera but not the microphone).
std::string VideoOnlyOffer() {
  std::string sdp = Offer(1);
  // Turn the audio section off (port 0), as a browser does for a removed track.
  size_t at = sdp.find("m=audio 9 ");
  sdp.replace(at, 10, "m=audio 0 ");
  return sdp;
}

std::string PublishCommand(int id, const std::string& sdp) {
  json::object jsep{{"type", "offer"}, {"sdp", sdp}};
  return json::serialize(json::object{{"id", id}, {"type", "media.publish"}, {"jsep", jsep}});
}

// Every frame a socket received (kept for the credential check); frames skipped while waiting for
// one are kept for later waits, so that no event is lost between two waits.
struct Socket {
  std::unique_ptr<WsClient> ws;
  std::vector<std::string> frames;
  std::deque<json::object> unread;

  // The first frame (unread first, then from the socket) that `match` accepts, or an empty
  // object after the timeout.
  json::object Wait(const std::function<bool(const json::object&)>& match, const std::string& what,
                    ms timeout = ms(15'000)) {
    for (auto it = unread.begin(); it != unread.end(); ++it) {
      if (match(*it)) {
        json::object found = std::move(*it);
        unread.erase(it);
        return found;
      }
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto text =
          ws->Next(std::chrono::duration_cast<ms>(deadline - std::chrono::steady_clock::now()));
      if (!text) break;
      frames.push_back(*text);
      auto v = json::parse(*text).as_object();
      if (match(v)) return v;
      unread.push_back(std::move(v));
    }
    ADD_FAILURE() << "no " << what;
    return {};
  }
  // The next frame of `type`.
  json::object Next(const std::string& type, ms timeout = ms(15'000)) {
    return Wait([&](const json::object& v) { return v.at("type").as_string() == type; },
                type + " frame", timeout);
  }
  // The answer (ack or error) to command `id`.
  json::object Answer(int64_t id) {
    return Wait(
        [&](const json::object& v) {
          auto type = v.at("type").as_string();
          return (type == "ack" || type == "error") && v.at("id").is_int64() &&
                 v.at("id").as_int64() == id;
        },
        "answer to command " + std::to_string(id));
  }
  void Write(const std::string& text) { ws->Write(text); }
};

struct Class {
  explicit Class(bool with_janus, size_t max_publishers = 6) {
    if (with_janus) {
      janus_dir = JanusTempDir();
      janus_options.rtp_port_min = 47900;
      janus_options.rtp_port_max = 47999;
      janus_options.debug_level = 3;
      janus = StartJanusOnFreePorts(janus_dir, janus_options);
      EXPECT_TRUE(janus->ready()) << janus->Log();
    }
    server = std::make_unique<TestServer>([&](app::AppConfig& c) {
      if (with_janus) c.janus = {janus_dir.string()};
      c.media.health_interval_ms = 200;
      c.media.max_publishers_per_room = max_publishers;
    });
  }
  ~Class() {
    server.reset();
    janus.reset();
    if (!janus_dir.empty()) {
      std::error_code ec;
      fs::remove_all(janus_dir, ec);
    }
  }
  // Starts Janus again on the same ports (after a kill).
  void StartJanus() {
    janus = std::make_unique<JanusProcess>(janus_dir, janus_options.http_port);
    EXPECT_TRUE(janus->ready()) << janus->Log();
  }

  std::string Token(const std::string& user) {
    if (!tokens.count(user)) tokens[user] = server->Login(user);
    return tokens[user];
  }
  int64_t StartSession() {
    int64_t now = SystemClock::Instance().NowMs();
    std::string body = fmt::format(R"({{"title":"Grade 3 live","starts_at":"{}","ends_at":"{}"}})",
                                   FormatIsoUtc(now - 60'000), FormatIsoUtc(now + 45 * 60'000));
    auto res = server->Client().Post("/api/v1/sections/10/live-sessions", body,
                                     Bearer(Token("teacher_a")));
    EXPECT_EQ(res.result_int(), 201) << res.body();
    int64_t id = HttpClient::Json(res).at("items").as_array().at(0).at("id").as_int64();
    auto started = server->Client().Post(fmt::format("/api/v1/live-sessions/{}/start", id), "",
                                         Bearer(Token("teacher_a")));
    EXPECT_EQ(started.result_int(), 200) << started.body();
    return id;
  }
  Socket Join(const std::string& user, int64_t session) {
    WsClient::Options options;
    options.header = "Authorization: Bearer " + Token(user);
    Socket s;
    s.ws = std::make_unique<WsClient>(server->port(),
                                      fmt::format("/api/v1/live?session={}", session), options);
    EXPECT_TRUE(s.ws->open());
    return s;
  }
  // Waits for the room's media to be available as seen by `s` (from its welcome on).
  void WaitMediaAvailable(Socket& s) {
    auto welcome = s.Next("welcome");
    if (welcome.contains("snapshot") &&
        welcome.at("snapshot").at("media").at("available").as_bool()) {
      return;
    }
    s.Next("media.available");
  }

  fs::path janus_dir;
  media::JanusConfigOptions janus_options;
  std::unique_ptr<JanusProcess> janus;
  std::unique_ptr<TestServer> server;
  std::map<std::string, std::string> tokens;
};

// Janus's own view of the room: the participants, and whether each has an active publisher
// PeerConnection (through Janus's API with Homeroom's credentials, as an operator could).
std::map<int64_t, bool> JanusParticipants(const Class& c, int64_t session) {
  auto creds = media::ReadJanusCredentials(c.janus_dir);
  EXPECT_TRUE(creds.ok());
  HttpClient api(c.janus_options.http_port);
  auto call = [&](const std::string& path, json::object body) {
    body["transaction"] = "t";
    body["token"] = creds->api_token;
    return HttpClient::Json(api.Post(path, json::serialize(body))).as_object();
  };
  auto created = call("/janus", {{"janus", "create"}});
  std::string session_path = "/janus/" + std::to_string(created.at("data").at("id").as_int64());
  auto handle = call(session_path, {{"janus", "attach"}, {"plugin", "janus.plugin.videoroom"}});
  std::string handle_path =
      session_path + "/" + std::to_string(handle.at("data").at("id").as_int64());
  auto listed = call(handle_path, {{"janus", "message"},
                                   {"body", {{"request", "listparticipants"}, {"room", session}}}});
  std::map<int64_t, bool> out;
  auto data = listed.at("plugindata").at("data").as_object();
  if (!data.contains("participants")) return out;
  for (const auto& p : data.at("participants").as_array()) {
    out[p.at("id").to_number<int64_t>()] = p.at("publisher").as_bool();
  }
  return out;
}

TEST(LiveMedia, TheFloorDecidesWhoPublishesAndHomeroomRelaysToJanus) {
  Class c(/*with_janus=*/true);
  int64_t session = c.StartSession();
  Socket teacher = c.Join("teacher_a", session);
  c.WaitMediaAvailable(teacher);
  Socket student = c.Join("student_a", session);
  auto welcome = student.Next("welcome");
  EXPECT_TRUE(welcome.at("snapshot").at("media").at("enabled").as_bool());
  const int64_t student_id = c.server->Id("student_a");
  const int64_t teacher_id = c.server->Id("teacher_a");

  // Without the floor, a student's publish is refused by Homeroom (Janus never sees it).
  student.Write(PublishCommand(1, Offer(0)));
  auto refused = student.Answer(1);
  EXPECT_EQ(refused.at("type").as_string(), "error");
  EXPECT_EQ(refused.at("code").as_string(), "floor_required");
  // Students do not give the floor.
  student.Write(
      fmt::format(R"({{"id":2,"type":"media.floor","user_id":{},"mic":true}})", student_id));
  EXPECT_EQ(student.Answer(2).at("code").as_string(), "permission_denied");

  // The teacher publishes camera, microphone and screen: Janus answers the offer.
  teacher.Write(PublishCommand(10, Offer(2)));
  auto published = teacher.Answer(10);
  ASSERT_EQ(published.at("type").as_string(), "ack") << json::serialize(published);
  EXPECT_EQ(published.at("jsep").at("type").as_string(), "answer");
  EXPECT_NE(published.at("jsep").at("sdp").as_string().find("m=video"), std::string::npos);
  // The feed is the teacher's participant id in Janus; media.published follows once the
  // PeerConnection is up (it never is here: no browser, see tests/browser/media.mjs).
  EXPECT_EQ(published.at("feed_id").as_int64(), teacher_id);

  // The teacher gives the student the floor for the microphone only.
  teacher.Write(
      fmt::format(R"({{"id":11,"type":"media.floor","user_id":{},"mic":true}})", student_id));
  EXPECT_EQ(teacher.Answer(11).at("type").as_string(), "ack");
  auto floor = student.Next("media.floor");
  EXPECT_TRUE(floor.at("mic").as_bool());
  EXPECT_FALSE(floor.at("camera").as_bool());
  // The camera is still refused; the microphone goes through to Janus.
  student.Write(PublishCommand(3, VideoOnlyOffer()));
  EXPECT_EQ(student.Answer(3).at("code").as_string(), "floor_required");
  student.Write(PublishCommand(4, Offer(0)));
  auto mic = student.Answer(4);
  ASSERT_EQ(mic.at("type").as_string(), "ack") << json::serialize(mic);
  EXPECT_EQ(mic.at("jsep").at("type").as_string(), "answer");
  EXPECT_NE(mic.at("jsep").at("sdp").as_string().find("m=audio"), std::string::npos);
  // Janus has the student in the room (joined by Homeroom with their token and the room's pin).
  EXPECT_EQ(JanusParticipants(c, session).count(student_id), 1u);

  // Nobody can subscribe to a feed whose PeerConnection is not up.
  student.Write(fmt::format(R"({{"id":5,"type":"media.subscribe","feeds":[{}]}})", teacher_id));
  EXPECT_EQ(student.Answer(5).at("code").as_string(), "not_found");

  // Taking the floor back unpublishes the student in Janus.
  teacher.Write(
      fmt::format(R"({{"id":12,"type":"media.floor","user_id":{},"mic":false}})", student_id));
  EXPECT_EQ(teacher.Answer(12).at("type").as_string(), "ack");
  auto unpublished = teacher.Next("media.unpublished");
  EXPECT_EQ(unpublished.at("user_id").as_int64(), student_id);
  EXPECT_EQ(unpublished.at("reason").as_string(), "floor_revoked");
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = !JanusParticipants(c, session).count(student_id);
    if (!gone) std::this_thread::sleep_for(ms(50));
  }
  EXPECT_TRUE(gone) << "Janus still has the student publishing";
  student.Write(PublishCommand(6, Offer(0)));
  EXPECT_EQ(student.Answer(6).at("code").as_string(), "floor_required");

  // No Janus credential, room secret, pin or address ever reached either browser.
  auto creds = media::ReadJanusCredentials(c.janus_dir);
  ASSERT_TRUE(creds.ok());
  const std::vector<std::string> secrets = {
      creds->api_token,
      creds->admin_secret,
      creds->videoroom_admin_key,
      media::MediaService::RoomSecret(creds->videoroom_admin_key, uint64_t(session)),
      media::MediaService::RoomPin(creds->videoroom_admin_key, uint64_t(session)),
      "127.0.0.1:" + std::to_string(c.janus_options.http_port),
      "127.0.0.1:" + std::to_string(c.janus_options.admin_port)};
  size_t frames = 0;
  for (Socket* s : {&teacher, &student}) {
    for (const std::string& frame : s->frames) {
      ++frames;
      for (const std::string& secret : secrets) {
        EXPECT_EQ(frame.find(secret), std::string::npos) << "leaked in " << frame;
      }
    }
  }
  EXPECT_GT(frames, 10u);
  EXPECT_EQ(c.server->app().metrics().CounterValue("homeroom_live_commands_rejected_total",
                                                   {{"code", "floor_required"}}),
            3u);
}

TEST(LiveMedia, SubscribingStreamByStreamIsCheckedByHomeroomBeforeJanus) {
  Class c(/*with_janus=*/true);
  int64_t session = c.StartSession();
  Socket teacher = c.Join("teacher_a", session);
  c.WaitMediaAvailable(teacher);
  Socket student = c.Join("student_a", session);
  c.WaitMediaAvailable(student);
  const int64_t teacher_id = c.server->Id("teacher_a");
  teacher.Write(PublishCommand(1, Offer(2)));
  ASSERT_EQ(teacher.Answer(1).at("type").as_string(), "ack");

  // Malformed choices are refused whatever publishes: both lists, a stream without a mid, a mid
  // that is not a string, an empty list.
  const std::vector<std::string> malformed = {
      fmt::format(R"({{"feeds":[{0}],"streams":[{{"feed":{0},"mid":"0"}}]}})", teacher_id),
      fmt::format(R"({{"streams":[{{"feed":{}}}]}})", teacher_id),
      fmt::format(R"({{"streams":[{{"feed":{},"mid":2}}]}})", teacher_id), R"({"streams":[]})"};
  int id = 10;
  for (const std::string& args : malformed) {
    auto command = json::parse(args).as_object();
    command["id"] = id;
    command["type"] = "media.subscribe";
    student.Write(json::serialize(command));
    auto answer = student.Answer(id++);
    EXPECT_EQ(answer.at("code").as_string(), "invalid_argument") << args;
  }
  // A stream of a feed whose PeerConnection is not up (none is here: no browser) is not found,
  // and nothing reaches Janus: the student has no subscriber there.
  student.Write(fmt::format(
      R"({{"id":20,"type":"media.subscribe","streams":[{{"feed":{},"mid":"0"}},{{"feed":{},"mid":"2"}}]}})",
      teacher_id, teacher_id));
  EXPECT_EQ(student.Answer(20).at("code").as_string(), "not_found");
  EXPECT_EQ(JanusParticipants(c, session).count(c.server->Id("student_a")), 0u);
  // A publisher that is not up is not in the snapshot's publishers (streams come with it there
  // and in media.published, tests/browser/media.mjs).
  // (A new socket of the student: it replaces the old one.)
  Socket again = c.Join("student_a", session);
  auto welcome = again.Next("welcome");
  EXPECT_EQ(welcome.at("protocol").as_int64(), 3);
  EXPECT_TRUE(welcome.at("snapshot").at("media").at("publishers").as_array().empty());
  EXPECT_EQ(c.server->app().metrics().CounterValue("homeroom_live_commands_rejected_total",
                                                   {{"code", "invalid_argument"}}),
            4u);
}

TEST(LiveMedia, ThePublisherCapIsEnforced) {
  Class c(/*with_janus=*/true, /*max_publishers=*/1);
  int64_t session = c.StartSession();
  Socket teacher = c.Join("teacher_a", session);
  c.WaitMediaAvailable(teacher);
  Socket student = c.Join("student_a", session);
  student.Next("welcome");
  teacher.Write(PublishCommand(1, Offer(1)));
  ASSERT_EQ(teacher.Answer(1).at("type").as_string(), "ack");
  teacher.Write(fmt::format(R"({{"id":2,"type":"media.floor","user_id":{},"mic":true}})",
                            c.server->Id("student_a")));
  teacher.Answer(2);
  student.Write(PublishCommand(1, Offer(0)));
  EXPECT_EQ(student.Answer(1).at("code").as_string(), "publishers_full");
}

TEST(LiveMedia, WhenJanusDiesTheClassGoesOnAndMediaComesBackWithIt) {
  Class c(/*with_janus=*/true);
  int64_t session = c.StartSession();
  Socket teacher = c.Join("teacher_a", session);
  c.WaitMediaAvailable(teacher);
  teacher.Write(PublishCommand(1, Offer(1)));
  ASSERT_EQ(teacher.Answer(1).at("type").as_string(), "ack");

  c.janus->Kill();
  auto down = teacher.Next("media.unavailable");
  EXPECT_FALSE(down.empty());
  // The class goes on: chat works, media commands get a typed refusal.
  teacher.Write(R"({"id":2,"type":"chat.send","text":"Video is down, keep going"})");
  EXPECT_EQ(teacher.Answer(2).at("type").as_string(), "ack");
  teacher.Write(PublishCommand(3, Offer(1)));
  EXPECT_EQ(teacher.Answer(3).at("code").as_string(), "media_unavailable");
  auto ready = HttpClient::Json(c.server->Client().Get("/readyz"));
  EXPECT_EQ(ready.at("media").at("state").as_string(), "unavailable");

  c.StartJanus();
  teacher.Next("media.available");
  teacher.Write(PublishCommand(4, Offer(1)));
  auto again = teacher.Answer(4);
  ASSERT_EQ(again.at("type").as_string(), "ack") << json::serialize(again);
  EXPECT_EQ(again.at("jsep").at("type").as_string(), "answer");
  EXPECT_EQ(c.server->app().metrics().CounterValue("homeroom_live_events_total",
                                                   {{"type", "media.unavailable"}}),
            1u);
}

TEST(LiveMedia, WithoutJanusMediaCommandsAnswerMediaUnavailable) {
  Class c(/*with_janus=*/false);
  int64_t session = c.StartSession();
  Socket teacher = c.Join("teacher_a", session);
  auto welcome = teacher.Next("welcome");
  EXPECT_FALSE(welcome.at("snapshot").at("media").at("enabled").as_bool());
  EXPECT_EQ(welcome.at("protocol").as_int64(), 3);
  teacher.Write(PublishCommand(1, Offer(1)));
  EXPECT_EQ(teacher.Answer(1).at("code").as_string(), "media_unavailable");
  teacher.Write(R"({"id":2,"type":"media.bogus"})");
  EXPECT_EQ(teacher.Answer(2).at("code").as_string(), "unsupported");
}

}  // namespace
}  // namespace homeroom::testing
