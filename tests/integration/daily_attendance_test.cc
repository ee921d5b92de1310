// Daily attendance against the real server and store: the district's policy (live minutes, work
// submitted), a teacher's audited overrides, the per-section and per-school reports with their CSV
// for a student information system, and who may see and change what.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "core/clock.h"
#include "domain/live_calendar.h"
#include "integration/test_server.h"
#include "store/sql.h"

namespace homeroom::testing {
namespace {

namespace bhttp = boost::beast::http;

// Wednesday 2026-11-18, 10:00-10:45 in the district's zone (America/New_York, UTC-5).
constexpr const char* kDay = "2026-11-18";
constexpr int64_t kStartMs = 1'795'014'000'000;  // 15:00 UTC
constexpr int64_t kEndMs = kStartMs + 45 * 60'000;
constexpr int64_t kMinute = 60'000;

// An ended live session of section 10 on kDay in which student_a (100) was present from 10:02 to
// 10:27 (25 minutes, in two intervals around a reconnect) and the teacher for all of it.
void SeedLiveSession(TestServer& server) {
  Status seeded = server.app().db().WriteSync([](sql::Connection& c) {
    return c.Exec(fmt::format(
        "INSERT INTO live_sessions (id, section_id, title, starts_ms, ends_ms, status, started_ms,"
        " ended_ms, created_by, created_ms, updated_ms) VALUES"
        " (900, 10, 'Morning meeting', {0}, {1}, 'ended', {0}, {1}, 300, {0}, {1});"
        "INSERT INTO attendance_intervals (session_id, user_id, joined_ms, left_ms, last_seen_ms)"
        " VALUES (900, 100, {2}, {3}, {3}), (900, 100, {3}, {4}, {4}), (900, 300, {0}, {1}, {1});",
        kStartMs, kEndMs, kStartMs + 2 * kMinute, kStartMs + 12 * kMinute,
        kStartMs + 27 * kMinute));
  });
  ASSERT_TRUE(seeded.ok()) << seeded.ToString();
}

// The day `date` of student `id` in a report.
boost::json::object DayOf(const boost::json::value& report, int64_t id, const std::string& date) {
  for (const auto& item : report.at("items").as_array()) {
    if (item.at("student").at("id").as_int64() != id) continue;
    for (const auto& day : item.at("days").as_array()) {
      if (day.at("date").as_string() == date) return day.as_object();
    }
  }
  ADD_FAILURE() << "no day " << date << " of student " << id << " in " << report;
  return {};
}

// The last day of a report (a default report ends today, which is listed when something happened
// on it even on a weekend).
std::string LastDay(const boost::json::value& report) {
  const auto& days = report.at("days").as_array();
  return days.empty() ? "" : std::string(days.back().as_string());
}

bool AnyPresent(const boost::json::value& report) {
  for (const auto& total : report.at("totals").as_array()) {
    if (total.at("present").as_int64() > 0) return true;
  }
  return false;
}

TEST(DailyAttendance, LiveMinutesOverThePolicysMinimumMakeADayPresent) {
  TestServer server;
  SeedLiveSession(server);
  ApiUser teacher{server, server.Login("teacher_a")};
  ApiUser district{server, server.Login("district")};
  const std::string url = fmt::format("/api/v1/sections/10/daily-attendance?from={0}&to={0}", kDay);

  auto report = teacher.Get(url);
  EXPECT_EQ(report.at("policy").at("min_live_minutes").as_int64(), 20);  // the default
  auto day = DayOf(report, 100, kDay);
  EXPECT_EQ(day["status"], "present");
  EXPECT_EQ(day["basis"], "live");
  EXPECT_EQ(day["live_minutes"].as_int64(), 25);
  // The teacher's own presence is not a student's day.
  EXPECT_EQ(report.at("items").as_array().size(), 1u);
  EXPECT_EQ(report.at("totals").at(0).at("present").as_int64(), 1);

  // The district raises the bar to 30 minutes: 25 is no longer a day.
  district.Json(bhttp::verb::put, "/api/v1/attendance-policy", 200, R"({"min_live_minutes":30})");
  day = DayOf(teacher.Get(url), 100, kDay);
  EXPECT_EQ(day["status"], "absent");
  EXPECT_EQ(day["basis"], "none");
  EXPECT_EQ(day["live_minutes"].as_int64(), 25);
  EXPECT_EQ(teacher.Get("/api/v1/attendance-policy").at("min_live_minutes").as_int64(), 30);

  // The change is in the audit log with the previous policy.
  auto audit = district.Get("/api/v1/admin/audit?action=attendance.policy.set");
  ASSERT_EQ(audit.at("items").as_array().size(), 1u) << audit;
  EXPECT_TRUE(audit.at("items").at(0).at("detail").as_object().contains("previous")) << audit;
}

TEST(DailyAttendance, WorkSubmittedThatDayCountsWhenThePolicySaysSo) {
  TestServer server;
  ApiUser teacher{server, server.Login("teacher_a")};
  ApiUser student{server, server.Login("student_a")};
  ApiUser district{server, server.Login("district")};
  auto created = teacher.Json(bhttp::verb::post, "/api/v1/sections/10/assignments", 201,
                              R"({"title":"Reading log","instructions":"Two pages.",)"
                              R"("due_at":"2099-01-01T12:00:00Z","points":5})");
  EXPECT_FALSE(AnyPresent(teacher.Get("/api/v1/sections/10/daily-attendance")));
  student.Json(bhttp::verb::put,
               fmt::format("/api/v1/assignments/{}/submission", created.at("id").as_int64()), 200,
               R"({"text":"I read chapter one."})");

  auto report = teacher.Get("/api/v1/sections/10/daily-attendance");
  const std::string today = LastDay(report);
  auto day = DayOf(report, 100, today);
  EXPECT_EQ(day["status"], "present");
  EXPECT_EQ(day["basis"], "work");
  EXPECT_EQ(day["submissions"].as_int64(), 1);

  district.Json(bhttp::verb::put, "/api/v1/attendance-policy", 200,
                R"({"count_submissions":false})");
  day = DayOf(teacher.Get("/api/v1/sections/10/daily-attendance"), 100, today);
  EXPECT_EQ(day["status"], "absent");
  EXPECT_EQ(day["submissions"].as_int64(), 1);
}

TEST(DailyAttendance, ATeachersOverrideNeedsAReasonIsAuditedAndCanBeWithdrawn) {
  TestServer server;
  SeedLiveSession(server);
  ApiUser teacher{server, server.Login("teacher_a")};
  ApiUser other_teacher{server, server.Login("teacher_b")};
  ApiUser district{server, server.Login("district")};
  const std::string put = "/api/v1/sections/10/daily-attendance/overrides";
  auto body = [](const std::string& status, const std::string& reason,
                 const std::string& date = kDay, int64_t student = 100) {
    return fmt::format(R"({{"student_id":{},"date":"{}","status":"{}","reason":"{}"}})", student,
                       date, status, reason);
  };

  auto day = teacher.Json(bhttp::verb::put, put, 200, body("absent", "Camera off, no answers"));
  EXPECT_EQ(day.at("status"), "absent");
  EXPECT_EQ(day.at("basis"), "override");
  EXPECT_EQ(day.at("override").at("reason"), "Camera off, no answers");
  EXPECT_EQ(day.at("live_minutes").as_int64(), 25);  // what the student did stays visible

  const std::string url = fmt::format("/api/v1/sections/10/daily-attendance?from={0}&to={0}", kDay);
  EXPECT_EQ(DayOf(teacher.Get(url), 100, kDay)["basis"], "override");

  // Withdrawn: the policy decides again.
  day = teacher.Json(bhttp::verb::put, put, 200, body("policy", ""));
  EXPECT_EQ(day.at("status"), "present");
  EXPECT_EQ(day.at("basis"), "live");
  EXPECT_TRUE(day.at("override").is_null());

  // Both changes are in the audit log, the second naming the first.
  auto audit = district.Get("/api/v1/admin/audit?action=attendance.override");
  const auto& items = audit.at("items").as_array();
  ASSERT_EQ(items.size(), 2u) << audit;
  EXPECT_EQ(items[0].at("actor"), "teacher_a");
  EXPECT_EQ(items[1].at("detail").at("previous").at("reason"), "Camera off, no answers");

  // Refusals, each with its reason.
  auto missing_reason = teacher.Send(bhttp::verb::put, put, body("present", ""));
  EXPECT_EQ(missing_reason.result_int(), 400);
  EXPECT_NE(missing_reason.body().find("reason is required"), std::string::npos);
  EXPECT_EQ(teacher.Send(bhttp::verb::put, put, body("excused", "x")).result_int(), 400);
  auto future = teacher.Send(bhttp::verb::put, put, body("present", "x", "2099-01-05"));
  EXPECT_EQ(future.result_int(), 400);
  EXPECT_NE(future.body().find("future"), std::string::npos);
  EXPECT_EQ(teacher.Send(bhttp::verb::put, put, body("present", "x", kDay, 101)).result_int(),
            404);  // student_b is not in section 10
  EXPECT_EQ(other_teacher.Send(bhttp::verb::put, put, body("present", "x")).result_int(), 403);

  // A mistaken override of a quiet Saturday can be given back: the day is absent again.
  teacher.Json(bhttp::verb::put, put, 200, body("present", "make-up class", "2026-11-21"));
  auto saturday = teacher.Json(bhttp::verb::put, put, 200, body("policy", "", "2026-11-21"));
  EXPECT_EQ(saturday.at("status"), "absent");
  EXPECT_EQ(saturday.at("basis"), "none");
}

TEST(DailyAttendance, ASchoolsReportCombinesSectionsAndExportsCsvForItsAdminsOnly) {
  TestServer server;
  SeedLiveSession(server);
  ApiUser admin_a{server, server.Login("admin_a")};
  ApiUser admin_b{server, server.Login("admin_b")};
  ApiUser teacher{server, server.Login("teacher_a")};
  const std::string query = fmt::format("?from={}&to={}", "2026-11-16", "2026-11-22");

  auto report = admin_a.Get("/api/v1/schools/2/daily-attendance" + query);
  // Monday to Friday; the weekend had nothing in it.
  EXPECT_EQ(report.at("days").as_array().size(), 5u) << report;
  auto day = DayOf(report, 100, kDay);
  EXPECT_EQ(day["status"], "present");
  EXPECT_TRUE(report.at("items").at(0).at("section_id").is_null());
  EXPECT_EQ(DayOf(report, 100, "2026-11-17")["status"], "absent");

  auto csv = admin_a.Send(bhttp::verb::get, "/api/v1/schools/2/daily-attendance.csv" + query);
  ASSERT_EQ(csv.result_int(), 200) << csv.body();
  EXPECT_EQ(csv[bhttp::field::content_type], "text/csv; charset=utf-8; header=present");
  EXPECT_EQ(csv.body().rfind("date,school_id,section_id,section_sourced_id,student_id,", 0), 0u);
  EXPECT_NE(csv.body().find("2026-11-18,2,,,100,u-student_a,student_a,Pierre,Ana,present,live,25,"
                            "0,false,\r\n"),
            std::string::npos)
      << csv.body();

  EXPECT_EQ(admin_b.Send(bhttp::verb::get, "/api/v1/schools/2/daily-attendance").result_int(), 403);
  EXPECT_EQ(teacher.Send(bhttp::verb::get, "/api/v1/schools/2/daily-attendance").result_int(), 403);
}

TEST(DailyAttendance, AStudentsFamilySeesTheirDaysAndNobodyElseDoes) {
  TestServer server;
  SeedLiveSession(server);
  ApiUser guardian{server, server.Login("guardian_a")};
  ApiUser other_guardian{server, server.Login("guardian_b")};
  ApiUser student{server, server.Login("student_a")};
  const std::string url =
      fmt::format("/api/v1/students/100/daily-attendance?from={0}&to={0}", kDay);
  auto report = guardian.Get(url);
  ASSERT_EQ(report.at("items").as_array().size(), 1u) << report;
  EXPECT_EQ(report.at("items").at(0).at("section_title"), "Grade 3 Homeroom");
  EXPECT_EQ(report.at("combined").at(0).at("status"), "present");
  EXPECT_EQ(student.Get(url).at("combined").at(0).at("basis"), "live");
  EXPECT_EQ(other_guardian.Send(bhttp::verb::get, url).result_int(), 404);
}

// Alerts (docs/api.md, "Alerts"): the guardian hears about the session their child missed and the
// work past due never turned in; a day the teacher marked present is no longer a missed session.
TEST(Alerts, AGuardianHearsOfMissedSessionsAndMissingWorkOfTheirChildOnly) {
  TestServer server;
  ApiUser teacher{server, server.Login("teacher_a")};
  ApiUser guardian{server, server.Login("guardian_a")};
  ApiUser other_guardian{server, server.Login("guardian_b")};
  ApiUser student{server, server.Login("student_a")};
  // A session that ended an hour ago which student_a never joined, and an assignment due an hour
  // ago that they never turned in.
  int64_t now = SystemClock::Instance().NowMs();
  int64_t start = now - 2 * 60 * kMinute;
  Status seeded = server.app().db().WriteSync([&](sql::Connection& c) {
    return c.Exec(fmt::format(
        "INSERT INTO live_sessions (id, section_id, title, starts_ms, ends_ms, status, started_ms,"
        " ended_ms, created_by, created_ms, updated_ms) VALUES"
        " (901, 10, 'Reading circle', {0}, {1}, 'ended', {0}, {1}, 300, {0}, {1});"
        "INSERT INTO attendance_intervals (session_id, user_id, joined_ms, left_ms, last_seen_ms)"
        " VALUES (901, 300, {0}, {1}, {1});",
        start, start + 45 * kMinute));
  });
  ASSERT_TRUE(seeded.ok()) << seeded.ToString();
  teacher.Json(bhttp::verb::post, "/api/v1/sections/10/assignments", 201,
               fmt::format(R"({{"title":"Spelling list","instructions":"Ten words.",)"
                           R"("due_at":"{}","points":10}})",
                           FormatIsoUtc(now - 60 * kMinute)));

  auto alerts = guardian.Get("/api/v1/me/alerts");
  const auto& items = alerts.at("items").as_array();
  ASSERT_EQ(items.size(), 2u) << alerts;
  EXPECT_EQ(items[0].at("kind"), "missing_work");  // newest first: due an hour ago
  EXPECT_EQ(items[0].at("title"), "Spelling list");
  EXPECT_EQ(items[0].at("student").at("name"), "Ana Pierre");
  EXPECT_EQ(items[1].at("kind"), "missed_session");
  EXPECT_EQ(items[1].at("session_id").as_int64(), 901);
  EXPECT_EQ(items[1].at("section_title"), "Grade 3 Homeroom");
  EXPECT_EQ(student.Get("/api/v1/me/alerts").at("items").as_array().size(), 2u);
  EXPECT_TRUE(other_guardian.Get("/api/v1/me/alerts").at("items").as_array().empty());
  EXPECT_EQ(teacher.Send(bhttp::verb::get, "/api/v1/me/alerts").result_int(), 403);

  // The teacher says the child was there (by phone): the missed session is no longer an alert.
  auto zone = domain::DistrictZone::Load("America/New_York");
  ASSERT_TRUE(zone.ok());
  std::string day = domain::LocalDate::FromDaysSinceEpoch(zone->LocalDayOf(start)).ToString();
  teacher.Json(bhttp::verb::put, "/api/v1/sections/10/daily-attendance/overrides", 200,
               fmt::format(R"({{"student_id":100,"date":"{}","status":"present",)"
                           R"("reason":"Joined by phone"}})",
                           day));
  alerts = guardian.Get("/api/v1/me/alerts");
  ASSERT_EQ(alerts.at("items").as_array().size(), 1u) << alerts;
  EXPECT_EQ(alerts.at("items").at(0).at("kind"), "missing_work");
}

// Reconciling an external meeting (docs/api.md, "Pathways"): the teacher uploads the platform's
// attendance report; matched students' time counts in the session and the day.
TEST(ExternalAttendance, AnUploadedReportBecomesTheSessionsAttendanceAllOrNothing) {
  TestServer server;
  SeedLiveSession(server);
  ApiUser teacher{server, server.Login("teacher_a")};
  ApiUser other_teacher{server, server.Login("teacher_b")};
  ApiUser student{server, server.Login("student_a")};
  const std::string url = "/api/v1/live-sessions/900/external-attendance";
  auto upload = [&](ApiUser& who, const std::string& body) {
    HttpClient::Headers headers = Bearer(who.token);
    headers.emplace_back("Content-Type", "text/csv");
    return server.Client().Send(bhttp::verb::put, url, body, headers);
  };
  const std::string zoom =
      "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\r\n"
      "Ana (Ana Pierre),student_a@district.example,10:00,10:30,30,No\r\n"
      "Ana (Ana Pierre),student_a@district.example,10:32,10:42,10,No\r\n"
      "Tess Adams,tess@district.example,09:58,10:45,47,No\r\n";

  auto res = upload(teacher, zoom);
  ASSERT_EQ(res.result_int(), 200) << res.body();
  auto body = HttpClient::Json(res);
  ASSERT_EQ(body.at("matched").as_array().size(), 1u) << body;
  EXPECT_EQ(body.at("matched").at(0).at("user_id").as_int64(), 100);
  EXPECT_EQ(body.at("matched").at(0).at("minutes").as_int64(), 40);
  EXPECT_EQ(body.at("matched").at(0).at("matched_by"), "username");
  EXPECT_EQ(body.at("unmatched").at(0).at("name"), "Tess Adams");

  // The session's report and the day both count it.
  auto attendance = teacher.Get("/api/v1/live-sessions/900/attendance");
  EXPECT_EQ(attendance.at("items").at(0).at("external_minutes").as_int64(), 40) << attendance;
  auto day =
      DayOf(teacher.Get(fmt::format("/api/v1/sections/10/daily-attendance?from={0}&to={0}", kDay)),
            100, kDay);
  EXPECT_EQ(day["live_minutes"].as_int64(), 25 + 40);

  // A file that cannot be read, or that names none of the section's students, changes nothing.
  auto unreadable = upload(teacher, "just,some,columns\n1,2,3\n");
  EXPECT_EQ(unreadable.result_int(), 400);
  EXPECT_NE(unreadable.body().find("no header row"), std::string::npos) << unreadable.body();
  auto strangers = upload(teacher, "Name,Duration\nSomeone Else,30\n");
  EXPECT_EQ(strangers.result_int(), 400);
  EXPECT_NE(strangers.body().find("nothing was changed"), std::string::npos);
  auto kept = teacher.Get(url);
  ASSERT_EQ(kept.at("items").as_array().size(), 1u) << kept;
  EXPECT_EQ(kept.at("items").at(0).at("minutes").as_int64(), 40);

  EXPECT_EQ(upload(other_teacher, zoom).result_int(), 403);
  EXPECT_EQ(upload(student, zoom).result_int(), 403);

  // No attendance for a class that has not happened yet.
  auto later = teacher.Json(bhttp::verb::post, "/api/v1/sections/10/live-sessions", 201,
                            R"({"title":"Next week","starts_at":"2099-01-05T15:00:00Z",)"
                            R"("ends_at":"2099-01-05T15:45:00Z"})");
  auto early = server.Client().Send(bhttp::verb::put,
                                    fmt::format("/api/v1/live-sessions/{}/external-attendance",
                                                later.at("items").at(0).at("id").as_int64()),
                                    zoom, Bearer(teacher.token));
  EXPECT_EQ(early.result_int(), 409);
  EXPECT_NE(early.body().find("has not begun"), std::string::npos) << early.body();
}

TEST(DailyAttendance, RangesAndPolicyChangesOutsideTheLimitsAreRefused) {
  TestServer server;
  ApiUser teacher{server, server.Login("teacher_a")};
  ApiUser district{server, server.Login("district")};
  auto too_long = teacher.Send(
      bhttp::verb::get, "/api/v1/sections/10/daily-attendance?from=2026-09-01&to=2026-10-15");
  EXPECT_EQ(too_long.result_int(), 400);
  EXPECT_NE(too_long.body().find("at most 31 days"), std::string::npos);
  EXPECT_EQ(teacher
                .Send(bhttp::verb::get,
                      "/api/v1/sections/10/daily-attendance?from=2026-10-15&to=2026-10-01")
                .result_int(),
            400);
  EXPECT_EQ(teacher.Send(bhttp::verb::get, "/api/v1/sections/10/daily-attendance?from=yesterday")
                .result_int(),
            400);
  EXPECT_EQ(teacher.Send(bhttp::verb::put, "/api/v1/attendance-policy", R"({"min_live_minutes":5})")
                .result_int(),
            403);
  EXPECT_EQ(
      district.Send(bhttp::verb::put, "/api/v1/attendance-policy", R"({"min_live_minutes":-1})")
          .result_int(),
      400);
  EXPECT_EQ(
      district.Send(bhttp::verb::put, "/api/v1/attendance-policy", R"({"count_submissions":"yes"})")
          .result_int(),
      400);
}

}  // namespace
}  // namespace homeroom::testing
