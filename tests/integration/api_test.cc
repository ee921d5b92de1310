// REST API v1 against the real server: sign-in, sessions, errors, paging, CSRF, health.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "auth/auth_service.h"
#include "core/clock.h"
#include "integration/test_server.h"

namespace homeroom::testing {
namespace {

namespace bhttp = boost::beast::http;

std::string LoginBody(const std::string& user, const std::string& password, bool remember = false) {
  return fmt::format(R"({{"username":"{}","password":"{}","remember":{}}})", user, password,
                     remember ? "true" : "false");
}

std::string CookieValue(const HttpClient::Response& res) {
  std::string set_cookie(res[bhttp::field::set_cookie]);
  auto eq = set_cookie.find('=');
  return set_cookie.substr(eq + 1, set_cookie.find(';') - eq - 1);
}

TEST(Api, LoginReturnsATokenAndAHttpOnlyCookieThatBothAuthenticate) {
  TestServer server;
  auto res = server.Client().Post("/api/v1/auth/login", LoginBody("Teacher_A", "pw-teacher_a"));
  ASSERT_EQ(res.result_int(), 200) << res.body();
  auto body = HttpClient::Json(res);
  std::string token(body.at("token").as_string());
  EXPECT_GE(token.size(), 43u);  // 256 bits in base64url
  EXPECT_EQ(body.at("user").at("role").as_string(), "teacher");
  std::string cookie(res[bhttp::field::set_cookie]);
  EXPECT_NE(cookie.find("homeroom_session="), std::string::npos);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  EXPECT_EQ(cookie.find("Max-Age"), std::string::npos)
      << "not remembered: a browser-session cookie";

  auto me = server.Client().Get("/api/v1/me", Bearer(token));
  ASSERT_EQ(me.result_int(), 200) << me.body();
  EXPECT_EQ(HttpClient::Json(me).at("username").as_string(), "teacher_a");
  EXPECT_EQ(HttpClient::Json(me).at("section_ids").as_array().size(), 1u);

  auto by_cookie =
      server.Client().Get("/api/v1/me", {{"Cookie", "homeroom_session=" + CookieValue(res)}});
  EXPECT_EQ(by_cookie.result_int(), 200) << by_cookie.body();
}

TEST(Api, RememberThisDeviceSetsAPersistentCookie) {
  TestServer server;
  auto res =
      server.Client().Post("/api/v1/auth/login", LoginBody("student_a", "pw-student_a", true));
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_NE(std::string(res[bhttp::field::set_cookie]).find("Max-Age="), std::string::npos);
  EXPECT_TRUE(HttpClient::Json(res).at("remember").as_bool());
}

TEST(Api, UnknownUserAndWrongPasswordGetTheSameAnswer) {
  TestServer server;
  auto wrong = server.Client().Post("/api/v1/auth/login", LoginBody("student_a", "nope-nope"));
  auto unknown = server.Client().Post("/api/v1/auth/login", LoginBody("nobody_here", "nope-nope"));
  EXPECT_EQ(wrong.result_int(), 401);
  EXPECT_EQ(unknown.result_int(), 401);
  EXPECT_EQ(wrong.body(), unknown.body());
  EXPECT_EQ(HttpClient::Json(wrong).at("error").at("code").as_string(), "unauthenticated");
}

TEST(Api, RepeatedFailuresAreThrottledWithRetryAfterButOtherSourcesStillSignIn) {
  TestServer server;
  int throttled = 0;
  for (int i = 0; i < 12; ++i) {
    auto res = server.Client("127.0.0.7")
                   .Post("/api/v1/auth/login", LoginBody("student_a", "wrong-password"));
    if (res.result_int() == 429) {
      ++throttled;
      EXPECT_FALSE(res[bhttp::field::retry_after].empty());
    }
  }
  EXPECT_GT(throttled, 0);
  // The real student, from another address, is not locked out.
  auto real =
      server.Client("127.0.0.8").Post("/api/v1/auth/login", LoginBody("student_a", "pw-student_a"));
  EXPECT_EQ(real.result_int(), 200) << real.body();
}

TEST(Api, LogoutRevokesThisDeviceOrAll) {
  TestServer server;
  std::string phone = server.Login("student_a");
  std::string laptop = server.Login("student_a");
  auto out = server.Client().Post("/api/v1/auth/logout", "", Bearer(phone));
  ASSERT_EQ(out.result_int(), 200) << out.body();
  EXPECT_EQ(server.Client().Get("/api/v1/me", Bearer(phone)).result_int(), 401);
  EXPECT_EQ(server.Client().Get("/api/v1/me", Bearer(laptop)).result_int(), 200);
  std::string tablet = server.Login("student_a");
  ASSERT_EQ(server.Client()
                .Post("/api/v1/auth/logout", R"({"all_devices":true})", Bearer(tablet))
                .result_int(),
            200);
  EXPECT_EQ(server.Client().Get("/api/v1/me", Bearer(laptop)).result_int(), 401);
}

TEST(Api, ActivationCodeSetsThePasswordOnceAndSignsIn) {
  TestServer server;
  auto codes = auth::IssueActivationCodes(server.app().db(), 2, /*all_users=*/true,
                                          SystemClock::Instance().NowMs(), std::chrono::hours(24));
  ASSERT_TRUE(codes.ok()) << codes.status().ToString();
  const auth::IssuedCode* code = nullptr;
  for (const auto& c : *codes) {
    if (c.username == "student_a") code = &c;
  }
  ASSERT_NE(code, nullptr);
  std::string body =
      fmt::format(R"({{"code":"{}","new_password":"a brand new password"}})", code->code);
  auto res = server.Client().Post("/api/v1/auth/activate", body);
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(HttpClient::Json(res).at("user").at("username").as_string(), "student_a");
  EXPECT_EQ(server.Client().Post("/api/v1/auth/activate", body).result_int(), 401) << "single use";
  EXPECT_EQ(server.Client()
                .Post("/api/v1/auth/login", LoginBody("student_a", "a brand new password"))
                .result_int(),
            200);
}

TEST(Api, CookieAuthenticatedChangesNeedOurOwnOrigin) {
  TestServer server;
  auto login = server.Client().Post("/api/v1/auth/login", LoginBody("student_a", "pw-student_a"));
  std::string cookie = "homeroom_session=" + CookieValue(login);
  auto forged = server.Client().Post("/api/v1/auth/logout", "",
                                     {{"Cookie", cookie}, {"Origin", "https://evil.example"}});
  EXPECT_EQ(forged.result_int(), 403) << forged.body();
  auto no_origin = server.Client().Post("/api/v1/auth/logout", "", {{"Cookie", cookie}});
  EXPECT_EQ(no_origin.result_int(), 403);
  EXPECT_EQ(server.Client().Get("/api/v1/me", {{"Cookie", cookie}}).result_int(), 200)
      << "still signed in";
  std::string own = "http://127.0.0.1:" + std::to_string(server.port());
  auto ours =
      server.Client().Post("/api/v1/auth/logout", "", {{"Cookie", cookie}, {"Origin", own}});
  EXPECT_EQ(ours.result_int(), 200) << ours.body();
}

TEST(Api, ErrorsAreJsonWithACodeAndEveryResponseHasARequestId) {
  TestServer server;
  std::string token = server.Login("district");
  auto missing = server.Client().Get("/api/v1/sections/999", Bearer(token));
  EXPECT_EQ(missing.result_int(), 404);
  EXPECT_EQ(HttpClient::Json(missing).at("error").at("code").as_string(), "not_found");
  EXPECT_EQ(missing[bhttp::field::content_type], "application/json");
  EXPECT_EQ(missing["X-Request-Id"].size(), 16u);
  auto bad_id = server.Client().Get("/api/v1/sections/abc", Bearer(token));
  EXPECT_EQ(bad_id.result_int(), 400);
  auto bad_json = server.Client().Post("/api/v1/auth/login", "{\"username\":");
  EXPECT_EQ(bad_json.result_int(), 400);
  EXPECT_EQ(HttpClient::Json(bad_json).at("error").at("code").as_string(), "invalid_argument");
  auto no_route = server.Client().Get("/api/v1/nothing-here");
  EXPECT_EQ(no_route.result_int(), 404);
  EXPECT_FALSE(no_route["X-Request-Id"].empty());
  auto wrong_method = server.Client().Send(bhttp::verb::delete_, "/api/v1/me", "", Bearer(token));
  EXPECT_EQ(wrong_method.result_int(), 405);
  auto bad_limit = server.Client().Get("/api/v1/schools?limit=1000", Bearer(token));
  EXPECT_EQ(bad_limit.result_int(), 400);
  EXPECT_NE(bad_limit.body().find("limit"), std::string::npos);
}

TEST(Api, ListsPageWithACursor) {
  TestServer server;
  std::string token = server.Login("district");
  auto first = HttpClient::Json(server.Client().Get("/api/v1/schools?limit=1", Bearer(token)));
  ASSERT_EQ(first.at("items").as_array().size(), 1u);
  ASSERT_TRUE(first.at("next_cursor").is_string());
  std::string next =
      "/api/v1/schools?limit=1&cursor=" + std::string(first.at("next_cursor").as_string());
  auto second = HttpClient::Json(server.Client().Get(next, Bearer(token)));
  ASSERT_EQ(second.at("items").as_array().size(), 1u);
  EXPECT_NE(first.at("items").at(0).at("id"), second.at("items").at(0).at("id"));
  EXPECT_TRUE(second.at("next_cursor").is_null());
  EXPECT_EQ(server.Client().Get("/api/v1/schools?cursor=zzz", Bearer(token)).result_int(), 400);
}

TEST(Api, GuardianSeesChildrenWithTheirSectionsAndRosterShowsTeachersAndStudents) {
  TestServer server;
  auto kids = HttpClient::Json(
      server.Client().Get("/api/v1/me/children", Bearer(server.Login("guardian_a"))));
  ASSERT_EQ(kids.at("items").as_array().size(), 1u);
  EXPECT_EQ(kids.at("items").at(0).at("username").as_string(), "student_a");
  EXPECT_EQ(kids.at("items").at(0).at("grade").as_string(), "03");
  EXPECT_EQ(kids.at("items").at(0).at("sections").at(0).at("title").as_string(),
            "Grade 3 Homeroom");
  auto roster = HttpClient::Json(
      server.Client().Get("/api/v1/sections/10/roster", Bearer(server.Login("teacher_a"))));
  EXPECT_EQ(roster.at("items").as_array().size(), 2u);
  auto school =
      HttpClient::Json(server.Client().Get("/api/v1/schools/2", Bearer(server.Login("admin_a"))));
  EXPECT_EQ(school.at("grade_bands").as_array().size(), 1u);
  EXPECT_EQ(school.at("grade_bands").at(0).as_string(), "prek-5");
}

TEST(Api, HealthAndReadinessAnswerWithoutSignIn) {
  TestServer server;
  EXPECT_EQ(server.Client().Get("/healthz").result_int(), 200);
  auto ready = server.Client().Get("/readyz");
  EXPECT_EQ(ready.result_int(), 200);
  EXPECT_EQ(HttpClient::Json(ready).at("store").as_string(), "ok");
}

TEST(Api, MetricsListenerServesPrometheusText) {
  TestServer server;
  server.Client().Get("/healthz");
  HttpClient metrics(server.app().metrics_port());
  auto res = metrics.Get("/metrics");
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_NE(res.body().find("homeroom_http_requests_total{"), std::string::npos);
  EXPECT_NE(res.body().find("homeroom_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(res.body().find("homeroom_db_queue_depth"), std::string::npos);
  EXPECT_NE(res.body().find("homeroom_auth_hash_queue_depth"), std::string::npos);
}

}  // namespace
}  // namespace homeroom::testing

namespace homeroom::testing {
namespace {

TEST(Api, SecureCookiesSettingMarksTheCookieSecureBehindATlsProxy) {
  TestServer plain;
  auto res = plain.Client().Post("/api/v1/auth/login", LoginBody("student_a", "pw-student_a"));
  EXPECT_EQ(std::string(res[bhttp::field::set_cookie]).find("Secure"), std::string::npos);
  TestServer proxied([](app::AppConfig& c) { c.api.secure_cookies = true; });
  res = proxied.Client().Post("/api/v1/auth/login", LoginBody("student_a", "pw-student_a"));
  EXPECT_NE(std::string(res[bhttp::field::set_cookie]).find("; Secure"), std::string::npos);
}

}  // namespace
}  // namespace homeroom::testing
