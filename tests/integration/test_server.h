#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "app/app.h"
#include "testing/http_client.h"
#include "testing/temp_dir.h"

namespace homeroom::testing {

// The real server (app::App: real listeners on 127.0.0.1:0, a real SQLite store in a temporary
// directory) with a small district in it:
//
//   district 1 "Demo District"
//   school 2 "Coral Elementary" (PK-5): section 10 "Grade 3 Homeroom", section 11 "Grade 4
//   Homeroom" school 3 "Bay High" (9-12): section 20 "Algebra I" student_a (grade 3, section 10)
//   student_b (grade 10, section 20) guardian_a (child student_a)         guardian_b (child
//   student_b) teacher_a (teaches 10)               teacher_b (teaches 20) admin_a (school admin of
//   2)          admin_b (school admin of 3) district (district admin)
//
// Every user's password is "pw-" + username. Argon2 runs with tiny parameters so tests are fast.
class TestServer {
 public:
  explicit TestServer(std::function<void(app::AppConfig&)> configure = nullptr);
  // Serves `data_dir` (created if missing; the caller keeps it), seeding the district above only
  // when `seed`. With seed = false it is a restart: a second server on the data directory of one
  // that stopped or crashed, with the users, sessions and attendance that one left behind.
  TestServer(std::string data_dir, bool seed,
             std::function<void(app::AppConfig&)> configure = nullptr);
  ~TestServer();

  // The directory of the SQLite store (AppConfig::data_dir).
  const std::string& data_dir() const { return data_dir_; }

  uint16_t port() const { return app_->api_port(); }
  app::App& app() { return *app_; }
  HttpClient Client(const std::string& source_ip = "127.0.0.1") {
    return HttpClient(port(), source_ip);
  }

  // The user id of a fixture username ("student_a").
  int64_t Id(const std::string& username) const { return ids_.at(username); }
  // Signs in and returns the bearer token (fails the test on error).
  std::string Login(const std::string& username);

 private:
  TempDir dir_;  // unused when the caller names the data directory
  std::string data_dir_;
  std::unique_ptr<app::App> app_;
  std::map<std::string, int64_t> ids_;
};

// A signed-in user of a TestServer: requests with their bearer token, and JSON answers that fail
// the test when the status is not the one expected.
struct ApiUser {
  TestServer& server;
  std::string token;

  HttpClient::Response Send(boost::beast::http::verb verb, const std::string& target,
                            const std::string& body = "") {
    return server.Client().Send(verb, target, body, Bearer(token));
  }
  boost::json::value Json(boost::beast::http::verb verb, const std::string& target, int expected,
                          const std::string& body = "") {
    auto res = Send(verb, target, body);
    EXPECT_EQ(res.result_int(), expected) << verb << " " << target << ": " << res.body();
    return HttpClient::Json(res);
  }
  boost::json::value Get(const std::string& target, int expected = 200) {
    return Json(boost::beast::http::verb::get, target, expected);
  }
};

}  // namespace homeroom::testing
