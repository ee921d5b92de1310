// Client telemetry against the real server and store: a device reports, support reads the user's
// events, bad and excessive reports are refused whole with the reason, old events are pruned.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "core/clock.h"
#include "integration/test_server.h"

namespace homeroom::testing {
namespace {

namespace bhttp = boost::beast::http;
using std::chrono::milliseconds;

struct Caller {
  TestServer& server;
  std::string token;
  HttpClient::Response Send(bhttp::verb verb, const std::string& target,
                            const std::string& body = "") {
    auto headers = Bearer(token);
    headers.emplace_back("User-Agent", "HomeroomTest/1.0");
    return server.Client().Send(verb, target, body, headers);
  }
  HttpClient::Response Report(const std::string& events) {
    return Send(bhttp::verb::post, "/api/v1/telemetry", R"({"events":)" + events + "}");
  }
  boost::json::value Events(int64_t user, int expected = 200) {
    auto res = Send(bhttp::verb::get, fmt::format("/api/v1/users/{}/client-events", user));
    EXPECT_EQ(res.result_int(), expected) << res.body();
    return HttpClient::Json(res);
  }
};

size_t Count(const boost::json::value& events) {
  return events.is_object() ? events.at("items").as_array().size() : 0;
}

TEST(Telemetry, ADeviceReportsAndTheUsersSchoolAdminReadsItOldestFirst) {
  TestServer server([](app::AppConfig& c) { c.telemetry.max_text_chars = 8; });
  Caller student{server, server.Login("student_a")};
  const int64_t now = SystemClock::Instance().NowMs();
  auto res = student.Report(fmt::format(
      R"([{{"kind":"page_load","page":"/student","at_ms":{0},"ttfb_ms":120.4,"dom_ms":480,"load_ms":900}},
          {{"kind":"ws_disconnect","page":"/room/3","at_ms":{1},"code":1006,"reason":"","clean":false,"connected_ms":61000}},
          {{"kind":"rtt","page":"/room/3","at_ms":{2},"ms":85,"ignored":"dropped"}},
          {{"kind":"error","page":"/room/3","at_ms":{3},"message":"TypeError: x is undefined","source":"room.js:12"}},
          {{"kind":"rtt","page":"/room/3","at_ms":1000,"ms":90}}])",
      now - 4000, now - 3000, now - 2000, now - 1000));
  ASSERT_EQ(res.result_int(), 202) << res.body();
  EXPECT_EQ(HttpClient::Json(res).at("stored"), 5);

  Caller admin{server, server.Login("admin_a")};
  auto events = admin.Events(server.Id("student_a"));
  ASSERT_EQ(Count(events), 5u) << events;
  const auto& items = events.at("items").as_array();
  EXPECT_EQ(items[0].at("kind"), "page_load");
  EXPECT_EQ(items[0].at("detail").at("ttfb_ms"), 120);  // a browser's fraction, rounded
  EXPECT_EQ(items[0].at("at").as_string(), FormatIsoUtc(now - 4000));
  EXPECT_EQ(items[0].at("ip"), "127.0.0.1");
  EXPECT_EQ(items[0].at("user_agent"), "HomeroomTest/1.0");
  EXPECT_EQ(items[1].at("detail").at("code"), 1006);
  EXPECT_EQ(items[1].at("detail").at("clean"), false);
  EXPECT_EQ(items[1].at("page"), "/room/3");
  EXPECT_FALSE(items[2].at("detail").as_object().contains("ignored"));
  EXPECT_EQ(items[3].at("detail").at("message"), "TypeErro");  // cut at max_text_chars
  // A device clock in 1970 does not move the event: it is placed at its receipt.
  EXPECT_EQ(items[4].at("at"), items[4].at("received_at"));

  Caller district{server, server.Login("district")};
  EXPECT_EQ(Count(district.Events(server.Id("student_a"))), 5u);
  Caller other_admin{server, server.Login("admin_b")};
  other_admin.Events(server.Id("student_a"), 404);
  Caller teacher{server, server.Login("teacher_a")};
  teacher.Events(server.Id("student_a"), 403);
}

TEST(Telemetry, ABadReportIsRefusedWholeWithTheReason) {
  TestServer server([](app::AppConfig& c) {
    c.telemetry.max_events_per_report = 3;
    c.telemetry.max_report_bytes = 1024;
  });
  Caller student{server, server.Login("student_a")};
  struct Case {
    std::string events;
    int status;
    const char* reason;
  };
  const Case cases[] = {
      {R"([{"kind":"rtt","page":"/","ms":5},{"kind":"weather","page":"/"}])", 400,
       "events[1]: kind must be"},
      {R"([{"kind":"rtt","page":"/","ms":-5}])", 400, "events[0]: ms must be a number"},
      {R"([{"kind":"rtt","page":"student","ms":5}])", 400, "page must be the app's path"},
      {R"([{"kind":"error","page":"/"}])", 400, "events[0]: message is required"},
      {R"([{"kind":"ws_disconnect","page":"/","code":1006,"clean":"no"}])", 400, "clean must be"},
      {R"([])", 400, "must not be empty"},
      {R"({"kind":"rtt"})", 400, "events must be an array"},
      {R"([{"kind":"rtt","page":"/","ms":1},{"kind":"rtt","page":"/","ms":1},
           {"kind":"rtt","page":"/","ms":1},{"kind":"rtt","page":"/","ms":1}])",
       400, "at most 3 events"},
      {R"([{"kind":"error","page":"/","message":")" + std::string(1100, 'x') + R"("}])", 413, ""},
  };
  for (const auto& c : cases) {
    auto res = student.Report(c.events);
    EXPECT_EQ(res.result_int(), c.status) << c.events.substr(0, 80) << ": " << res.body();
    EXPECT_NE(res.body().find(c.reason), std::string::npos) << res.body();
  }
  Caller district{server, server.Login("district")};
  EXPECT_EQ(Count(district.Events(server.Id("student_a"))), 0u);
  EXPECT_GE(server.app().metrics().CounterValue("homeroom_telemetry_refused_total",
                                                {{"reason", "invalid"}}),
            7u);
  auto anonymous = server.Client().Post("/api/v1/telemetry", R"({"events":[]})");
  EXPECT_EQ(anonymous.result_int(), 401);
}

TEST(Telemetry, AUserOverTheRateIsToldToWaitAndOthersAreNot) {
  TestServer server([](app::AppConfig& c) {
    c.telemetry.events_per_minute = 6;  // one every 10 s
    c.telemetry.burst = 3;
  });
  Caller student{server, server.Login("student_a")};
  const std::string two = R"([{"kind":"rtt","page":"/","ms":1},{"kind":"rtt","page":"/","ms":2}])";
  EXPECT_EQ(student.Report(two).result_int(), 202);
  auto refused = student.Report(two);  // one token left: the report is refused whole
  EXPECT_EQ(refused.result_int(), 429) << refused.body();
  EXPECT_NE(refused.body().find("at most 6 telemetry events a minute"), std::string::npos);
  EXPECT_FALSE(refused[bhttp::field::retry_after].empty());
  EXPECT_EQ(student.Report(R"([{"kind":"rtt","page":"/","ms":3}])").result_int(), 202);
  Caller other{server, server.Login("student_b")};
  EXPECT_EQ(other.Report(two).result_int(), 202);
  Caller district{server, server.Login("district")};
  EXPECT_EQ(Count(district.Events(server.Id("student_a"))), 3u);
  EXPECT_EQ(server.app().metrics().CounterValue("homeroom_telemetry_refused_total",
                                                {{"reason", "rate_limited"}}),
            1u);
  EXPECT_EQ(
      server.app().metrics().CounterValue("homeroom_telemetry_events_total", {{"kind", "rtt"}}),
      5u);
}

TEST(Telemetry, EventsPastTheRetentionArePruned) {
  TestServer server([](app::AppConfig& c) {
    c.telemetry.retention = std::chrono::hours(0);
    c.maintenance_interval = std::chrono::seconds(1);
  });
  Caller student{server, server.Login("student_a")};
  ASSERT_EQ(student.Report(R"([{"kind":"rtt","page":"/","ms":1}])").result_int(), 202);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server.app().metrics().CounterValue("homeroom_telemetry_pruned_total") < 1 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(server.app().metrics().CounterValue("homeroom_telemetry_pruned_total"), 1u);
  Caller district{server, server.Login("district")};
  EXPECT_EQ(Count(district.Events(server.Id("student_a"))), 0u);
}

}  // namespace
}  // namespace homeroom::testing
