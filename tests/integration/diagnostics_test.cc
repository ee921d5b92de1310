// Diagnostics against the real server and store: support finds, in one user's timeline, why they
// could not sign in or stay connected, with a one-line verdict.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <string>

#include "integration/test_server.h"

namespace homeroom::testing {
namespace {

namespace bhttp = boost::beast::http;

boost::json::value Diagnose(TestServer& server, const std::string& token, int64_t user,
                            int expected = 200) {
  auto res = server.Client().Get(fmt::format("/api/v1/users/{}/diagnostics", user), Bearer(token));
  EXPECT_EQ(res.result_int(), expected) << res.body();
  return HttpClient::Json(res);
}

std::string Verdict(const boost::json::value& timeline) {
  if (!timeline.is_object()) return "";
  return std::string(timeline.at("verdict").as_string());
}

// The kinds of a timeline's items, in order.
std::vector<std::string> Kinds(const boost::json::value& timeline) {
  std::vector<std::string> kinds;
  for (const auto& i : timeline.at("items").as_array()) {
    kinds.emplace_back(i.at("kind").as_string());
  }
  return kinds;
}

TEST(Diagnostics, SupportFindsWhyAThrottledStudentCouldNotSignIn) {
  TestServer server;
  auto client = server.Client("127.3.4.5");
  const std::string wrong = R"({"username":"student_a","password":"not-it"})";
  int throttled = 0;
  int wrong_passwords = 0;
  for (int i = 0; i < 10 && throttled == 0; ++i) {
    auto res = client.Post("/api/v1/auth/login", wrong);
    if (res.result_int() == 429) ++throttled;
    if (res.result_int() == 401) ++wrong_passwords;
  }
  ASSERT_EQ(throttled, 1) << "the password throttle never answered";

  auto timeline = Diagnose(server, server.Login("admin_a"), server.Id("student_a"));
  EXPECT_EQ(timeline.at("user").at("username"), "student_a");
  EXPECT_EQ(Verdict(timeline).rfind("password sign-in throttled at ", 0), 0u) << timeline;
  EXPECT_NE(Verdict(timeline).find(
                fmt::format(" from 127.3.4.5 after {} failed attempts", wrong_passwords)),
            std::string::npos)
      << timeline;
  auto kinds = Kinds(timeline);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "sign_in_failed"), wrong_passwords);
  EXPECT_EQ(kinds.back(), "sign_in_throttled");
  EXPECT_EQ(timeline.at("items").as_array().back().at("ip"), "127.3.4.5");
  EXPECT_EQ(timeline.at("items").as_array().back().at("origin"), "server");

  // Who may look: the student's school admin and the district; not another school's admin (the
  // student stays hidden), not a teacher.
  Diagnose(server, server.Login("district"), server.Id("student_a"));
  Diagnose(server, server.Login("admin_b"), server.Id("student_a"), 404);
  Diagnose(server, server.Login("teacher_a"), server.Id("student_a"), 403);
}

TEST(Diagnostics, ADroppedLiveConnectionReportedByTheDeviceIsTheVerdict) {
  TestServer server;
  std::string token = server.Login("student_a");
  auto res = server.Client().Post(
      "/api/v1/telemetry",
      R"({"events":[{"kind":"page_load","page":"/student","ttfb_ms":40,"dom_ms":300,"load_ms":500},
                    {"kind":"ws_disconnect","page":"/room/1","code":1006,"reason":"","clean":false}]})",
      Bearer(token));
  ASSERT_EQ(res.result_int(), 202) << res.body();

  auto timeline = Diagnose(server, server.Login("admin_a"), server.Id("student_a"));
  EXPECT_EQ(Verdict(timeline).rfind("the live connection dropped 1 time, the last at ", 0), 0u)
      << timeline;
  EXPECT_NE(Verdict(timeline).find("(code 1006: the network between the device and the server)"),
            std::string::npos);
  auto kinds = Kinds(timeline);
  ASSERT_EQ(kinds, (std::vector<std::string>{"sign_in", "device_page_load", "device_disconnect"}));
  const auto& sign_in = timeline.at("items").as_array()[0];
  EXPECT_EQ(sign_in.at("ip"), "127.0.0.1");
  EXPECT_EQ(timeline.at("items").as_array()[2].at("origin"), "device");
}

TEST(Diagnostics, AnOperatorsBlockOfTheUsersAddressIsTheVerdict) {
  TestServer server;
  std::string token;
  {
    auto res =
        server.Client("127.9.9.9")
            .Post("/api/v1/auth/login", R"({"username":"student_a","password":"pw-student_a"})");
    ASSERT_EQ(res.result_int(), 200) << res.body();
  }
  std::string district = server.Login("district");
  auto block = server.Client().Post(
      "/api/v1/admin/blocks", R"({"cidr":"127.9.9.0/24","reason":"stresser"})", Bearer(district));
  ASSERT_EQ(block.result_int(), 201) << block.body();

  auto timeline = Diagnose(server, district, server.Id("student_a"));
  EXPECT_NE(Verdict(timeline).find("requests from 127.9.9.9 were refused from "), std::string::npos)
      << timeline;
  EXPECT_NE(Verdict(timeline).find("an operator blocked 127.9.9.0/24"), std::string::npos);
  EXPECT_EQ(Kinds(timeline).back(), "blocked");
}

TEST(Diagnostics, AUserWithNoRecordNeverReachedTheServer) {
  TestServer server;
  auto timeline = Diagnose(server, server.Login("district"), server.Id("student_b"));
  EXPECT_EQ(Verdict(timeline).rfind("never reached the server in this period", 0), 0u) << timeline;
  EXPECT_TRUE(timeline.at("items").as_array().empty());
  auto bad = server.Client().Get(
      fmt::format("/api/v1/users/{}/diagnostics?from=2026-09-01T00:00Z&to=2026-12-01T00:00Z",
                  server.Id("student_b")),
      Bearer(server.Login("district")));
  EXPECT_EQ(bad.result_int(), 400);
  EXPECT_NE(bad.body().find("at most 31 days"), std::string::npos);
}

}  // namespace
}  // namespace homeroom::testing
