#include "integration/test_server.h"

#include <fmt/format.h>

#include "auth/auth_service.h"
#include "store/database.h"

namespace homeroom::testing {
namespace {

struct FixtureUser {
  int64_t id;
  const char* username;
  const char* role;
  const char* given;
  const char* family;
  std::optional<int> grade;
  int64_t org;
};

const FixtureUser kUsers[] = {
    {100, "student_a", "student", "Ana", "Pierre", 3, 2},
    {101, "student_b", "student", "Bruno", "Díaz", 10, 3},
    {200, "guardian_a", "guardian", "Marie", "Pierre", std::nullopt, 2},
    {201, "guardian_b", "guardian", "Carlos", "Díaz", std::nullopt, 3},
    {300, "teacher_a", "teacher", "Tess", "Adams", std::nullopt, 2},
    {301, "teacher_b", "teacher", "Tom", "Baker", std::nullopt, 3},
    {400, "admin_a", "school_admin", "Alma", "Cruz", std::nullopt, 2},
    {401, "admin_b", "school_admin", "Ben", "Duval", std::nullopt, 3},
    {500, "district", "district_admin", "Dina", "Evans", std::nullopt, 1},
};

Status Seed(sql::Connection& c) {
  const int64_t now = 1'767'225'600'000;
  std::string s = fmt::format(
      "INSERT INTO orgs (id, sourced_id, name, type, parent_id, low_grade, high_grade, updated_ms) "
      "VALUES"
      " (1, 'dist', 'Demo District', 'district', NULL, NULL, NULL, {0}),"
      " (2, 'sch-coral', 'Coral Elementary', 'school', 1, -1, 5, {0}),"
      " (3, 'sch-bay', 'Bay High', 'school', 1, 9, 12, {0});"
      "INSERT INTO academic_sessions (id, sourced_id, title, type, start_date, end_date, "
      "school_year,"
      " updated_ms) VALUES (1, 'y2026', '2026-2027', 'schoolYear', '2026-08-15', '2027-06-05', "
      "2027, {0});"
      "INSERT INTO courses (id, sourced_id, title, org_id, updated_ms) VALUES"
      " (1, 'c-hr3', 'Homeroom 3', 2, {0}), (2, 'c-hr4', 'Homeroom 4', 2, {0}),"
      " (3, 'c-alg', 'Algebra I', 3, {0});"
      "INSERT INTO sections (id, sourced_id, title, course_id, school_id, class_type, low_grade,"
      " high_grade, updated_ms) VALUES"
      " (10, 'sec-10', 'Grade 3 Homeroom', 1, 2, 'homeroom', 3, 3, {0}),"
      " (11, 'sec-11', 'Grade 4 Homeroom', 2, 2, 'homeroom', 4, 4, {0}),"
      " (20, 'sec-20', 'Algebra I', 3, 3, 'scheduled', 9, 10, {0});",
      now);
  HR_RETURN_IF_ERROR(c.Exec(s));
  for (const auto& u : kUsers) {
    HR_ASSIGN_OR_RETURN(auto* st,
                        c.Prepare("INSERT INTO users (id, sourced_id, username, username_key, role,"
                                  " source_role, given_name, family_name, grade_level, updated_ms)"
                                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    st->Bind(1, u.id);
    st->Bind(2, std::string("u-") + u.username);
    st->Bind(3, u.username);
    st->Bind(4, auth::UsernameKey(u.username));
    st->Bind(5, u.role);
    st->Bind(6, u.role);
    st->Bind(7, u.given);
    st->Bind(8, u.family);
    if (u.grade)
      st->Bind(9, *u.grade);
    else
      st->BindNull(9);
    st->Bind(10, now);
    HR_RETURN_IF_ERROR(st->Run());
    HR_ASSIGN_OR_RETURN(auto* org,
                        c.Prepare("INSERT INTO user_orgs (user_id, org_id) VALUES (?, ?)"));
    org->Bind(1, u.id);
    org->Bind(2, u.org);
    HR_RETURN_IF_ERROR(org->Run());
  }
  return c.Exec(fmt::format(
      "INSERT INTO enrollments (id, sourced_id, section_id, user_id, role, is_primary, updated_ms) "
      "VALUES"
      " (1, 'e1', 10, 100, 'student', 0, {0}), (2, 'e2', 20, 101, 'student', 0, {0}),"
      " (3, 'e3', 10, 300, 'teacher', 1, {0}), (4, 'e4', 20, 301, 'teacher', 1, {0});"
      "INSERT INTO guardian_links (guardian_id, student_id) VALUES (200, 100), (201, 101);",
      now));
}

}  // namespace

TestServer::TestServer(std::function<void(app::AppConfig&)> configure)
    : TestServer("", /*seed=*/true, std::move(configure)) {}

TestServer::TestServer(std::string data_dir, bool seed,
                       std::function<void(app::AppConfig&)> configure)
    : data_dir_(data_dir.empty() ? dir_.path() + "/data" : std::move(data_dir)) {
  for (const auto& u : kUsers) ids_[u.username] = u.id;
  app::AppConfig config;
  config.listen = "127.0.0.1:0";
  config.metrics_listen = "127.0.0.1:0";
  config.data_dir = data_dir_;
  config.server.io_threads = 2;
  config.shutdown_deadline = std::chrono::milliseconds(2000);
  config.auth.argon2 = {.ops_limit = 1, .mem_limit_bytes = 64 << 10};
  // Every test client comes from 127.0.0.1 and sends far more than one pupil would: the rate
  // limits are off unless a test sets its own (guard_admission_test.cc); the production defaults
  // stay as they are.
  for (guard::RouteClass route_class : guard::kAllRouteClasses) {
    config.admission.rates.For(route_class) = {};
  }
  // No web app unless a test serves one (web_test.cc): every other test sees the API alone,
  // whether or not web/dist has been built in this checkout.
  config.web.root.clear();
  if (configure) configure(config);
  auto app = app::App::Create(config);
  if (!app.ok()) {
    ADD_FAILURE() << "App::Create: " << app.status().ToString();
    return;
  }
  app_ = std::move(*app);
  if (seed) {
    Status seeded = app_->db().WriteSync(Seed);
    EXPECT_TRUE(seeded.ok()) << seeded.ToString();
    for (const auto& u : kUsers) {
      Status pw = app_->auth().SetPasswordSync(u.id, std::string("pw-") + u.username);
      EXPECT_TRUE(pw.ok()) << pw.ToString();
    }
  }
  Status started = app_->Start();
  EXPECT_TRUE(started.ok()) << started.ToString();
}

TestServer::~TestServer() {
  if (app_) {
    app_->Shutdown();
    app_->Wait();
  }
}

std::string TestServer::Login(const std::string& username) {
  auto res =
      Client().Post("/api/v1/auth/login",
                    fmt::format(R"({{"username":"{}","password":"pw-{}"}})", username, username));
  EXPECT_EQ(res.result_int(), 200) << username << ": " << res.body();
  auto body = HttpClient::Json(res);
  if (!body.is_object() || !body.as_object().contains("token")) return "";
  return std::string(body.at("token").as_string());
}

}  // namespace homeroom::testing
