// A user's preferences (PATCH /api/v1/me/preferences) and what GET /api/v1/me says about them and
// about the district's time zone, against the real server and store.
#include <gtest/gtest.h>

#include <string>

#include "integration/test_server.h"

namespace homeroom::testing {
namespace {

namespace bhttp = boost::beast::http;

HttpClient::Response SetLanguage(TestServer& server, const std::string& token,
                                 const std::string& body) {
  return server.Client().Send(bhttp::verb::patch, "/api/v1/me/preferences", body, Bearer(token));
}

boost::json::value Me(TestServer& server, const std::string& token) {
  auto res = server.Client().Get("/api/v1/me", Bearer(token));
  EXPECT_EQ(res.result_int(), 200) << res.body();
  return HttpClient::Json(res);
}

TEST(Preferences, TheLanguageIsUnsetUntilChosenThenFollowsTheUserToAnotherDevice) {
  TestServer server;
  std::string laptop = server.Login("student_a");
  EXPECT_TRUE(Me(server, laptop).at("language").is_null());

  auto set = SetLanguage(server, laptop, R"({"language":"es"})");
  ASSERT_EQ(set.result_int(), 200) << set.body();
  EXPECT_EQ(HttpClient::Json(set).at("language").as_string(), "es");

  std::string phone = server.Login("student_a");  // another session: another device
  EXPECT_EQ(Me(server, phone).at("language").as_string(), "es");
  // Another user's choice is their own.
  EXPECT_TRUE(Me(server, server.Login("student_b")).at("language").is_null());

  ASSERT_EQ(SetLanguage(server, phone, R"({"language":"ht"})").result_int(), 200);
  EXPECT_EQ(Me(server, laptop).at("language").as_string(), "ht");
  auto cleared = SetLanguage(server, phone, R"({"language":null})");
  ASSERT_EQ(cleared.result_int(), 200) << cleared.body();
  EXPECT_TRUE(Me(server, laptop).at("language").is_null());
}

TEST(Preferences, AnUnknownLanguageOrPreferenceIsRefusedAndChangesNothing) {
  TestServer server;
  std::string token = server.Login("teacher_a");
  ASSERT_EQ(SetLanguage(server, token, R"({"language":"es"})").result_int(), 200);

  for (const char* body : {R"({"language":"fr"})", R"({"language":"ES"})", R"({"language":7})",
                           R"({"lang":"en"})", R"({})", R"({"language":"en","theme":"dark"})"}) {
    auto res = SetLanguage(server, token, body);
    EXPECT_EQ(res.result_int(), 400) << body << ": " << res.body();
    auto error = HttpClient::Json(res).at("error");
    EXPECT_EQ(error.at("code").as_string(), "invalid_argument") << body;
  }
  auto fr = SetLanguage(server, token, R"({"language":"fr"})");
  std::string message(HttpClient::Json(fr).at("error").at("message").as_string());
  EXPECT_NE(message.find("\"en\", \"es\", \"ht\""), std::string::npos) << message;
  EXPECT_EQ(Me(server, token).at("language").as_string(), "es");
}

TEST(Preferences, MeNamesTheDistrictsTimeZone) {
  TestServer server([](app::AppConfig& c) { c.live.district_time_zone = "America/Chicago"; });
  EXPECT_EQ(Me(server, server.Login("guardian_a")).at("time_zone").as_string(), "America/Chicago");
}

}  // namespace
}  // namespace homeroom::testing
