// Live classes end to end: REST schedule -> WebSocket upgrade -> room (real server, real sockets).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/clock.h"
#include "integration/test_server.h"
#include "unit/net/ws_client.h"

namespace homeroom::testing {
namespace {

using ms = std::chrono::milliseconds;

struct Live {
  TestServer server{[](app::AppConfig& c) { c.attendance.flush_interval = ms(50); }};
  std::map<std::string, std::string> tokens;

  std::string Token(const std::string& user) {
    if (!tokens.count(user)) tokens[user] = server.Login(user);
    return tokens[user];
  }

  // A session of section 10 from a minute ago to 45 minutes from now, started by teacher_a.
  int64_t StartSession(bool start = true) {
    int64_t now = SystemClock::Instance().NowMs();
    std::string body = fmt::format(R"({{"title":"Grade 3 live","starts_at":"{}","ends_at":"{}"}})",
                                   FormatIsoUtc(now - 60'000), FormatIsoUtc(now + 45 * 60'000));
    auto res =
        server.Client().Post("/api/v1/sections/10/live-sessions", body, Bearer(Token("teacher_a")));
    EXPECT_EQ(res.result_int(), 201) << res.body();
    int64_t id = HttpClient::Json(res).at("items").as_array().at(0).at("id").as_int64();
    if (start) {
      auto started = server.Client().Post(fmt::format("/api/v1/live-sessions/{}/start", id), "",
                                          Bearer(Token("teacher_a")));
      EXPECT_EQ(started.result_int(), 200) << started.body();
    }
    return id;
  }

  std::unique_ptr<WsClient> Join(const std::string& user, int64_t session,
                                 const std::string& extra = "") {
    WsClient::Options options;
    options.header = "Authorization: Bearer " + Token(user);
    return std::make_unique<WsClient>(
        server.port(), fmt::format("/api/v1/live?session={}{}", session, extra), options);
  }
};

// The next frame of `type` (skipping others), or null after the timeout.
boost::json::object Next(WsClient& ws, const std::string& type, ms timeout = ms(5000)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto text =
        ws.Next(std::chrono::duration_cast<ms>(deadline - std::chrono::steady_clock::now()));
    if (!text) break;
    auto v = boost::json::parse(*text).as_object();
    if (v.at("type").as_string() == type) return v;
  }
  ADD_FAILURE() << "no " << type << " frame";
  return {};
}

TEST(Live, TeacherAndStudentChatRaiseHandsAndRolesAreEnforced) {
  Live live;
  int64_t session = live.StartSession();
  auto teacher = live.Join("teacher_a", session);
  ASSERT_TRUE(teacher->open()) << teacher->handshake_error().message();
  EXPECT_EQ(Next(*teacher, "welcome").at("role").as_string(), "teacher");
  auto student = live.Join("student_a", session);
  ASSERT_TRUE(student->open());
  EXPECT_EQ(Next(*student, "welcome").at("role").as_string(), "student");
  EXPECT_EQ(Next(*teacher, "presence.joined").at("participant").at("user_id").as_int64(),
            live.server.Id("student_a"));

  student->Write(R"({"id":1,"type":"chat.send","text":"Bonjou! ¿Qué tal?"})");
  auto chat = Next(*teacher, "chat.message");
  EXPECT_EQ(chat.at("text").as_string(), "Bonjou! ¿Qué tal?");
  EXPECT_EQ(Next(*student, "ack").at("id").as_int64(), 1);

  student->Write(R"({"id":2,"type":"hand.raise"})");
  EXPECT_EQ(Next(*teacher, "hand.raised").at("user_id").as_int64(), live.server.Id("student_a"));

  student->Write(R"({"id":3,"type":"hand.lower_all"})");
  auto refused = Next(*student, "error");
  EXPECT_EQ(refused.at("id").as_int64(), 3);
  EXPECT_EQ(refused.at("code").as_string(), "permission_denied");
}

TEST(Live, OutsidersAreRefusedBeforeTheUpgrade) {
  Live live;
  int64_t session = live.StartSession();
  EXPECT_EQ(live.Join("student_b", session)->response().result_int(), 403);  // another section
  EXPECT_EQ(live.Join("guardian_a", session)->response().result_int(),
            403);  // guardians watch elsewhere
  WsClient anonymous(live.server.port(), fmt::format("/api/v1/live?session={}", session));
  EXPECT_EQ(anonymous.response().result_int(), 401);
  EXPECT_EQ(live.Join("student_a", 999999)->response().result_int(), 404);
  int64_t not_started = live.StartSession(/*start=*/false);
  EXPECT_EQ(live.Join("student_a", not_started)->response().result_int(), 409);
  EXPECT_EQ(live.Join("admin_a", session)->open(), true);  // admins observe
}

TEST(Live, CrossSiteWebSocketWithTheCookieIsRefused) {
  Live live;
  int64_t session = live.StartSession();
  auto login = live.server.Client().Post("/api/v1/auth/login",
                                         R"({"username":"student_a","password":"pw-student_a"})");
  std::string set_cookie(login[boost::beast::http::field::set_cookie]);
  std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  WsClient::Options evil;
  evil.header = "Cookie: " + cookie;  // no Origin of ours: refused like any cross-site change
  WsClient ws(live.server.port(), fmt::format("/api/v1/live?session={}", session), evil);
  EXPECT_EQ(ws.response().result_int(), 403);
}

TEST(Live, AReconnectingStudentGetsExactlyTheEventsItMissed) {
  Live live;
  int64_t session = live.StartSession();
  auto teacher = live.Join("teacher_a", session);
  Next(*teacher, "welcome");
  std::string epoch;
  int64_t last_seq = 0;
  {
    auto student = live.Join("student_a", session);
    auto welcome = Next(*student, "welcome");
    epoch = std::string(welcome.at("epoch").as_string());
    last_seq = welcome.at("seq").as_int64();
    student->Close();
    student->WaitClosed();
  }
  Next(*teacher, "presence.reconnecting");
  for (int i = 0; i < 3; ++i) {
    teacher->Write(fmt::format(R"({{"id":{},"type":"chat.send","text":"missed {}"}})", 10 + i, i));
    Next(*teacher, "ack");
  }
  auto student =
      live.Join("student_a", session, fmt::format("&epoch={}&last_seq={}", epoch, last_seq));
  auto welcome = Next(*student, "welcome");
  EXPECT_EQ(welcome.at("resume").as_string(), "replay");
  std::vector<std::string> texts;
  int64_t previous = last_seq;
  while (auto frame = student->Next(ms(1000))) {
    auto v = boost::json::parse(*frame).as_object();
    if (!v.contains("seq")) continue;
    EXPECT_GT(v.at("seq").as_int64(), previous) << "an event twice or out of order";
    previous = v.at("seq").as_int64();
    if (v.at("type").as_string() == "chat.message") texts.emplace_back(v.at("text").as_string());
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"missed 0", "missed 1", "missed 2"}));
}

TEST(Live, AttendanceCountsTheStudentWhoJoined) {
  Live live;
  int64_t session = live.StartSession();
  {
    auto student = live.Join("student_a", session);
    Next(*student, "welcome");
  }
  auto end = live.server.Client().Post(fmt::format("/api/v1/live-sessions/{}/end", session), "",
                                       Bearer(live.Token("teacher_a")));
  ASSERT_EQ(end.result_int(), 200) << end.body();
  // The recorder flushes every 50 ms here; poll briefly until student_a's interval is written.
  boost::json::object row;
  for (int i = 0; i < 50 && row.empty(); ++i) {
    auto res = live.server.Client().Get(fmt::format("/api/v1/live-sessions/{}/attendance", session),
                                        Bearer(live.Token("teacher_a")));
    ASSERT_EQ(res.result_int(), 200) << res.body();
    boost::json::value report = HttpClient::Json(res);
    for (const auto& item : report.at("items").as_array()) {
      if (item.at("user_id").as_int64() == live.server.Id("student_a") &&
          !item.at("first_join_at").is_null()) {
        row = item.as_object();
      }
    }
    if (row.empty()) std::this_thread::sleep_for(ms(100));
  }
  ASSERT_FALSE(row.empty()) << "student_a's join never reached the attendance report";
  EXPECT_EQ(row.at("intervals").as_int64(), 1);
  EXPECT_FALSE(row.at("present_now").as_bool());
  EXPECT_FALSE(row.at("last_leave_at").is_null());
}

}  // namespace
}  // namespace homeroom::testing
