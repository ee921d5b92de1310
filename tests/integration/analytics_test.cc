// Engagement analytics against the real server and store: a day of activity in a built-in
// elementary section and an external high-school section becomes the day's rollup, the decision
// report compares the pathways and grade bands from it (JSON and CSV), school admins see only their
// schools, the limits are named, and the background job computes today by itself.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "core/clock.h"
#include "integration/test_server.h"
#include "store/sql.h"

namespace homeroom::testing {
namespace {

namespace bhttp = boost::beast::http;

// Wednesday 2026-11-18 in the district's zone (America/New_York, UTC-5).
constexpr const char* kDay = "2026-11-18";
constexpr int64_t kStartMs = 1'795'014'000'000;  // 10:00 local
constexpr int64_t kMinute = 60'000;
constexpr int64_t kDueMs = kStartMs + 13 * 60 * kMinute;  // 23:00 local

// Section 10 (grade 3, Coral Elementary) stays built in; the district moves grades 6-12 (section
// 20, Bay High) to an external meeting from November 1.
void MoveHighSchoolToExternal(TestServer& server) {
  ApiUser district{server, server.Login("district")};
  district.Json(bhttp::verb::post, "/api/v1/pathway-rules", 201,
                R"({"scope":"district","grade_band":"6-12","pathway":"external",)"
                R"("effective_from":"2026-11-01"})");
}

// On kDay: student_a (100) spends 25 minutes in section 10's room over two intervals, their
// device reporting the drop between them, and turns in section 10's assignment on time (15 of 20
// points). Student_b (101) opens section 20's external meeting, and the uploaded report gives them
// 30 minutes; they do not turn in section 20's assignment.
void SeedDay(TestServer& server) {
  Status seeded = server.app().db().WriteSync([](sql::Connection& c) {
    return c.Exec(fmt::format(
        "INSERT INTO live_sessions (id, section_id, title, starts_ms, ends_ms, status, started_ms,"
        " ended_ms, created_by, created_ms, updated_ms) VALUES"
        " (900, 10, 'Morning meeting', {0}, {1}, 'ended', {0}, {1}, 300, {0}, {1}),"
        " (901, 20, 'Algebra', {0}, {1}, 'scheduled', NULL, NULL, 301, {0}, {1}),"
        " (902, 20, 'Cancelled review', {0}, {1}, 'cancelled', NULL, {0}, 301, {0}, {1});"
        "INSERT INTO attendance_intervals (session_id, user_id, joined_ms, left_ms, last_seen_ms)"
        " VALUES (900, 100, {2}, {3}, {3}), (900, 100, {4}, {5}, {5}), (900, 300, {0}, {1}, {1});"
        "INSERT INTO client_events (user_id, kind, at_ms, received_ms, ip, user_agent, page, "
        "detail)"
        " VALUES (100, 'ws_disconnect', {3}, {4}, '127.0.0.9', 'test', '/room/900',"
        " '{{\"code\":1006,\"reason\":\"\",\"clean\":false,\"connected_ms\":600000}}'),"
        " (101, 'ws_disconnect', {3}, {4}, '127.0.0.9', 'test', '/home',"
        " '{{\"code\":1006,\"reason\":\"\",\"clean\":false,\"connected_ms\":1000}}');"
        "INSERT INTO external_opens (session_id, user_id, first_ms, last_ms, opens)"
        " VALUES (901, 101, {0}, {0}, 1);"
        "INSERT INTO external_attendance (session_id, user_id, seconds, matched_by, uploaded_by,"
        " uploaded_ms) VALUES (901, 101, 1800, 'email', 301, {1});"
        "INSERT INTO assignments (id, section_id, title, instructions, due_ms, points, created_by,"
        " created_ms) VALUES (700, 10, 'Reading log', '', {6}, 20, 300, {0}),"
        " (701, 20, 'Problem set', '', {6}, 10, 301, {0});"
        "INSERT INTO submissions (assignment_id, student_id, body, submitted_ms, late, score_centi,"
        " graded_by, graded_ms) VALUES (700, 100, 'done', {1}, 0, 1500, 300, {1});",
        kStartMs, kStartMs + 45 * kMinute, kStartMs + 2 * kMinute, kStartMs + 12 * kMinute,
        kStartMs + 13 * kMinute, kStartMs + 28 * kMinute, kDueMs));
  });
  ASSERT_TRUE(seeded.ok()) << seeded.ToString();
}

const boost::json::object& Cohort(const boost::json::value& report, const std::string& band,
                                  const std::string& pathway) {
  for (const auto& c : report.at("cohorts").as_array()) {
    if (c.at("grade_band") == band.c_str() && c.at("pathway") == pathway.c_str()) {
      return c.as_object();
    }
  }
  ADD_FAILURE() << "no cohort " << band << "/" << pathway << " in " << report;
  static const boost::json::object kNone;
  return kNone;
}

std::string Range(const std::string& path) {
  return fmt::format("{}{}from={}&to={}", path, path.find('?') == std::string::npos ? "?" : "&",
                     kDay, kDay);
}

TEST(Analytics, TheDecisionReportComparesPathwaysAndGradeBandsFromADaysActivity) {
  TestServer server;
  MoveHighSchoolToExternal(server);
  SeedDay(server);
  ApiUser district{server, server.Login("district")};

  // Nothing is computed yet: the report says so instead of showing zeros.
  auto before = district.Get(Range("/api/v1/analytics/decision-report"));
  ASSERT_EQ(before.at("days_not_computed").as_array().size(), 1u) << before;
  EXPECT_TRUE(before.at("computed_at").is_null());
  EXPECT_TRUE(before.at("cohorts").as_array().empty());
  EXPECT_TRUE(before.at("district").at("metrics").at("live_attendance_rate").is_null());

  auto refreshed = district.Json(bhttp::verb::post, "/api/v1/analytics/refresh", 200,
                                 fmt::format(R"({{"from":"{0}","to":"{0}"}})", kDay));
  ASSERT_EQ(refreshed.at("days").as_array().size(), 1u) << refreshed;
  EXPECT_EQ(server.app().metrics().CounterValue("homeroom_analytics_days_computed_total"), 1u);

  auto report = district.Get(Range("/api/v1/analytics/decision-report"));
  EXPECT_TRUE(report.at("days_not_computed").as_array().empty()) << report;
  EXPECT_FALSE(report.at("computed_at").is_null());
  ASSERT_EQ(report.at("cohorts").as_array().size(), 2u) << report;

  const auto& elementary = Cohort(report, "prek-5", "built_in");
  const auto& em = elementary.at("metrics");
  EXPECT_DOUBLE_EQ(em.at("live_attendance_rate").as_double(), 1.0);
  EXPECT_DOUBLE_EQ(em.at("avg_live_minutes").as_double(), 25.0);  // two intervals, one student
  EXPECT_DOUBLE_EQ(em.at("connection_problem_rate").as_double(), 1.0);
  EXPECT_DOUBLE_EQ(em.at("submission_rate").as_double(), 1.0);
  EXPECT_DOUBLE_EQ(em.at("on_time_rate").as_double(), 1.0);
  EXPECT_DOUBLE_EQ(em.at("avg_grade").as_double(), 75.0);
  EXPECT_EQ(elementary.at("counts").at("live_sessions").as_int64(), 1);

  const auto& high = Cohort(report, "6-12", "external");
  const auto& hm = high.at("metrics");
  EXPECT_DOUBLE_EQ(hm.at("live_attendance_rate").as_double(), 1.0);
  EXPECT_DOUBLE_EQ(hm.at("avg_live_minutes").as_double(), 30.0);  // the uploaded report's time
  EXPECT_TRUE(hm.at("connection_problem_rate").is_null());        // no room, no telemetry: not 0%
  EXPECT_DOUBLE_EQ(hm.at("submission_rate").as_double(), 0.0);
  EXPECT_TRUE(hm.at("on_time_rate").is_null());
  EXPECT_TRUE(hm.at("avg_grade").is_null());
  // The cancelled session is not one the students missed.
  EXPECT_EQ(high.at("counts").at("live_sessions").as_int64(), 1);
  EXPECT_EQ(high.at("counts").at("expected_attendances").as_int64(), 1);

  // Section 11 had nothing that day: two section-days in all.
  EXPECT_EQ(report.at("district").at("counts").at("section_days").as_int64(), 2);
  EXPECT_DOUBLE_EQ(report.at("district").at("metrics").at("submission_rate").as_double(), 0.5);
  ASSERT_EQ(report.at("pathways").as_array().size(), 2u);
  ASSERT_EQ(report.at("grade_bands").as_array().size(), 2u);
  ASSERT_EQ(report.at("daily").as_array().size(), 2u);
  EXPECT_EQ(report.at("daily").at(0).at("day"), kDay);

  auto csv = district.Send(bhttp::verb::get, Range("/api/v1/analytics/decision-report.csv"));
  ASSERT_EQ(csv.result_int(), 200) << csv.body();
  EXPECT_EQ(csv[bhttp::field::content_type], "text/csv; charset=utf-8; header=present");
  EXPECT_EQ(csv.body().rfind("scope,day,grade_band,pathway,live_attendance_rate,", 0), 0u)
      << csv.body();
  EXPECT_NE(csv.body().find("cohort,,prek-5,built_in,1.0000,25.0000,1.0000,1.0000,75.0000,1.0000,"),
            std::string::npos)
      << csv.body();
  EXPECT_NE(csv.body().find("cohort,,6-12,external,1.0000,30.0000,0.0000,,,,"), std::string::npos)
      << csv.body();

  // The explorer: per day and section within one school.
  auto sections = district.Get(Range("/api/v1/analytics?by=section,pathway&per=day&school_id=2"));
  ASSERT_EQ(sections.at("rows").as_array().size(), 1u) << sections;
  const auto& row = sections.at("rows").at(0);
  EXPECT_EQ(row.at("day"), kDay);
  EXPECT_EQ(row.at("section").at("id").as_int64(), 10);
  EXPECT_EQ(row.at("section").at("title"), "Grade 3 Homeroom");
  EXPECT_EQ(row.at("pathway"), "built_in");
  EXPECT_FALSE(row.as_object().contains("school"));

  // A recomputation follows a late change: the teacher of section 20 grades a late submission.
  Status late = server.app().db().WriteSync([](sql::Connection& c) {
    return c.Exec(fmt::format(
        "INSERT INTO submissions (assignment_id, student_id, body, submitted_ms, late,"
        " score_centi, graded_by, graded_ms) VALUES (701, 101, 'late', {0}, 1, 1000, 301, {0})",
        kDueMs + 60 * kMinute));
  });
  ASSERT_TRUE(late.ok()) << late.ToString();
  district.Json(bhttp::verb::post, "/api/v1/analytics/refresh", 200,
                fmt::format(R"({{"from":"{0}","to":"{0}"}})", kDay));
  auto after = district.Get(Range("/api/v1/analytics/decision-report"));
  const auto& hm2 = Cohort(after, "6-12", "external").at("metrics");
  EXPECT_DOUBLE_EQ(hm2.at("submission_rate").as_double(), 1.0);
  EXPECT_DOUBLE_EQ(hm2.at("on_time_rate").as_double(), 0.0);
  EXPECT_DOUBLE_EQ(hm2.at("avg_grade").as_double(), 100.0);
}

TEST(Analytics, SchoolAdminsSeeTheirSchoolsAndOnlyDistrictAdminsDecide) {
  TestServer server;
  MoveHighSchoolToExternal(server);
  SeedDay(server);
  ApiUser district{server, server.Login("district")};
  ApiUser admin_a{server, server.Login("admin_a")};
  ApiUser teacher{server, server.Login("teacher_a")};
  district.Json(bhttp::verb::post, "/api/v1/analytics/refresh", 200,
                fmt::format(R"({{"from":"{0}","to":"{0}"}})", kDay));

  auto all = district.Get(Range("/api/v1/analytics?by=school"));
  ASSERT_EQ(all.at("rows").as_array().size(), 2u) << all;
  EXPECT_EQ(all.at("rows").at(0).at("school").at("name"), "Bay High");  // by name

  // A school admin's report is their school's, named or not.
  auto own = admin_a.Get(Range("/api/v1/analytics?by=school"));
  ASSERT_EQ(own.at("rows").as_array().size(), 1u) << own;
  EXPECT_EQ(own.at("rows").at(0).at("school").at("id").as_int64(), 2);
  auto sections = admin_a.Get(Range("/api/v1/analytics?by=section"));
  ASSERT_EQ(sections.at("rows").as_array().size(), 1u) << sections;
  admin_a.Get(Range("/api/v1/analytics?school_id=3"), 403);
  auto csv = admin_a.Send(bhttp::verb::get, Range("/api/v1/analytics.csv?by=grade_band"));
  ASSERT_EQ(csv.result_int(), 200) << csv.body();
  EXPECT_EQ(csv.body().rfind("grade_band,live_attendance_rate,", 0), 0u) << csv.body();
  EXPECT_EQ(csv.body().find("6-12"), std::string::npos) << csv.body();  // Bay High's band

  admin_a.Get(Range("/api/v1/analytics/decision-report"), 403);
  admin_a.Json(bhttp::verb::post, "/api/v1/analytics/refresh", 403, "{}");
  teacher.Get(Range("/api/v1/analytics"), 403);
  teacher.Get(Range("/api/v1/analytics/decision-report"), 403);
}

TEST(Analytics, QueriesOutsideTheLimitsAreRefusedWithTheReason) {
  TestServer server([](app::AppConfig& c) {
    c.analytics.max_days = 10;
    c.analytics.max_refresh_days = 3;
    c.analytics.max_rows = 1;
  });
  SeedDay(server);
  ApiUser district{server, server.Login("district")};
  auto refused = [&](bhttp::verb verb, const std::string& target, const std::string& why,
                     const std::string& body = "") {
    auto res = district.Send(verb, target, body);
    EXPECT_EQ(res.result_int(), 400) << target << ": " << res.body();
    EXPECT_NE(res.body().find(why), std::string::npos) << target << ": " << res.body();
  };
  refused(bhttp::verb::get, "/api/v1/analytics?from=2026-11-01&to=2026-11-30", "at most 10 days");
  refused(bhttp::verb::get, "/api/v1/analytics?from=2026-11-20&to=2026-11-18",
          "from must not be after to");
  refused(bhttp::verb::get, Range("/api/v1/analytics?by=teacher"), "unknown dimension");
  refused(bhttp::verb::get, Range("/api/v1/analytics?per=week"), "per must be");
  refused(bhttp::verb::get, Range("/api/v1/analytics?by=section"), "needs a school_id");
  refused(bhttp::verb::get, Range("/api/v1/analytics?school_id=abc"), "school_id");
  refused(bhttp::verb::post, "/api/v1/analytics/refresh", "at most 3 days",
          R"({"from":"2026-11-01","to":"2026-11-18"})");
  district.Json(bhttp::verb::post, "/api/v1/analytics/refresh", 200,
                fmt::format(R"({{"from":"{0}","to":"{0}"}})", kDay));
  refused(bhttp::verb::get, Range("/api/v1/analytics?by=school"), "max_rows");
}

TEST(Analytics, TheBackgroundJobComputesTodayByItself) {
  TestServer server([](app::AppConfig& c) {
    c.analytics.refresh_interval = std::chrono::seconds(1);
    c.analytics.recompute_days = 2;
  });
  // A session of section 10 that started an hour ago, with student_a in it for 20 minutes.
  int64_t now = SystemClock::Instance().NowMs();
  int64_t start = now - 60 * kMinute;
  Status seeded = server.app().db().WriteSync([&](sql::Connection& c) {
    return c.Exec(fmt::format(
        "INSERT INTO live_sessions (id, section_id, title, starts_ms, ends_ms, status, started_ms,"
        " created_by, created_ms, updated_ms) VALUES"
        " (950, 10, 'Now', {0}, {1}, 'live', {0}, 300, {0}, {0});"
        "INSERT INTO attendance_intervals (session_id, user_id, joined_ms, left_ms, last_seen_ms)"
        " VALUES (950, 100, {0}, {2}, {2});",
        start, now + 60 * kMinute, start + 20 * kMinute));
  });
  ASSERT_TRUE(seeded.ok()) << seeded.ToString();
  ApiUser district{server, server.Login("district")};
  // The session may have started yesterday (just after midnight): the job covers both days.
  boost::json::value report;
  for (int i = 0; i < 100; ++i) {  // the job runs every second; up to 10 s on a loaded machine
    report = district.Get("/api/v1/analytics?by=grade_band");
    if (!report.at("rows").as_array().empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(report.at("rows").as_array().size(), 1u) << report;
  EXPECT_EQ(report.at("rows").at(0).at("counts").at("attendances").as_int64(), 1) << report;
  EXPECT_GE(server.app().metrics().CounterValue("homeroom_analytics_days_computed_total"), 1u);
}

}  // namespace
}  // namespace homeroom::testing
