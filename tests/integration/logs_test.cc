// The logs never carry a password, a token or a cookie, and each request has one access line.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sstream>

#include "core/log.h"
#include "integration/test_server.h"

namespace homeroom::testing {
namespace {

TEST(Logs, NeverContainPasswordsTokensOrCookies) {
  auto captured = std::make_shared<std::ostringstream>();
  log::Init({.min_level = log::Level::kDebug, .capture = captured});
  std::string token;
  std::string cookie;
  {
    TestServer server;
    auto login = server.Client().Post("/api/v1/auth/login",
                                      R"({"username":"student_a","password":"pw-student_a"})");
    ASSERT_EQ(login.result_int(), 200);
    token = std::string(HttpClient::Json(login).at("token").as_string());
    std::string set_cookie(login[boost::beast::http::field::set_cookie]);
    cookie = set_cookie.substr(0, set_cookie.find(';'));
    server.Client().Get("/api/v1/me", Bearer(token));
    server.Client().Get("/api/v1/me", {{"Cookie", cookie}});
    server.Client().Post("/api/v1/auth/login",
                         R"({"username":"student_a","password":"wrong-secret-123"})");
    server.Client().Get("/api/v1/me?token=" + token);
  }
  log::Flush();
  std::string text = captured->str();
  log::Init({});
  ASSERT_NE(text.find("\"event\":\"http_request\""), std::string::npos) << "no access log lines";
  EXPECT_NE(text.find("\"route\":\"/api/v1/me\""), std::string::npos);
  EXPECT_EQ(text.find("pw-student_a"), std::string::npos);
  EXPECT_EQ(text.find("wrong-secret-123"), std::string::npos);
  EXPECT_EQ(text.find(token), std::string::npos);
  EXPECT_EQ(text.find(cookie.substr(cookie.find('=') + 1)), std::string::npos);
}

}  // namespace
}  // namespace homeroom::testing
