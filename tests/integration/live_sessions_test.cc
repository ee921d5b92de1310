// Live sessions against the real server: scheduling (one-off and weekly), who sees what in
// /me/live-sessions, the start/end state machine, series edits and cancels, the join decision the
// WebSocket glue asks, and attendance (JSON and CSV) after feeding the recorder.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <set>
#include <thread>

#include "core/clock.h"
#include "domain/attendance_recorder.h"
#include "domain/live_schedule.h"
#include "integration/test_server.h"

namespace homeroom::testing {
namespace {

namespace bhttp = boost::beast::http;
constexpr int64_t kMin = 60'000;

int64_t Now() { return SystemClock::Instance().NowMs(); }

// Runs a service coroutine to completion on a private io_context.
template <typename T>
T RunTask(boost::asio::awaitable<T> task) {
  boost::asio::io_context io;
  std::optional<T> out;
  // The lambda outlives the coroutine (io.run() returns first), so capturing by reference is safe.
  auto body = [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(task)); };
  boost::asio::co_spawn(io, body(), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run();
  return std::move(*out);
}

class LiveSessions : public ::testing::Test {
 protected:
  HttpClient::Response Send(const std::string& who, bhttp::verb method, const std::string& target,
                            const std::string& body = "") {
    if (!tokens_.count(who)) tokens_[who] = server_.Login(who);
    return server_.Client().Send(method, target, body, Bearer(tokens_[who]));
  }
  HttpClient::Response Get(const std::string& who, const std::string& target) {
    return Send(who, bhttp::verb::get, target);
  }
  HttpClient::Response Post(const std::string& who, const std::string& target,
                            const std::string& body = "") {
    return Send(who, bhttp::verb::post, target, body);
  }
  boost::json::object JsonOf(const HttpClient::Response& res) {
    auto v = HttpClient::Json(res);
    EXPECT_TRUE(v.is_object()) << res.body();
    return v.is_object() ? v.as_object() : boost::json::object();
  }
  // Schedules a one-off session in section 10 as teacher_a; returns its id.
  int64_t OneOff(int64_t starts_ms, int64_t ends_ms, const std::string& title = "Reading") {
    boost::json::object body{{"title", title},
                             {"starts_at", FormatIsoUtc(starts_ms)},
                             {"ends_at", FormatIsoUtc(ends_ms)}};
    auto res = Post("teacher_a", "/api/v1/sections/10/live-sessions", boost::json::serialize(body));
    EXPECT_EQ(res.result_int(), 201) << res.body();
    auto created = JsonOf(res);
    if (!created.contains("items")) return 0;
    return created.at("items").as_array().at(0).at("id").as_int64();
  }
  // A weekly Mon/Wed series over four weeks starting a week from now; returns the response.
  boost::json::object Weekly() {
    std::string from = FormatIsoUtc(Now() + 7 * 24 * 60 * kMin).substr(0, 10);
    std::string until = FormatIsoUtc(Now() + 34 * 24 * 60 * kMin).substr(0, 10);
    auto res = Post("teacher_a", "/api/v1/sections/10/live-sessions",
                    fmt::format(R"({{"title":"Math","days":["mon","wed"],"start":"09:00",)"
                                R"("end":"09:45","from":"{}","until":"{}"}})",
                                from, until));
    EXPECT_EQ(res.result_int(), 201) << res.body();
    return JsonOf(res);
  }
  // Every item of a paged list, following next_cursor with pages of `limit`.
  std::vector<boost::json::object> All(const std::string& who, const std::string& target,
                                       int limit) {
    std::vector<boost::json::object> items;
    std::string cursor;
    for (int page = 0; page < 50; ++page) {
      std::string sep = target.find('?') == std::string::npos ? "?" : "&";
      auto res = Get(who, target + sep + "limit=" + std::to_string(limit) +
                              (cursor.empty() ? "" : "&cursor=" + cursor));
      EXPECT_EQ(res.result_int(), 200) << res.body();
      auto body = JsonOf(res);
      if (!body.contains("items")) break;
      for (auto& item : body.at("items").as_array()) items.push_back(item.as_object());
      if (body.at("next_cursor").is_null()) break;
      cursor = std::string(body.at("next_cursor").as_string());
    }
    return items;
  }
  std::string Window() {
    return fmt::format("from={}&to={}", FormatIsoUtc(Now() - 60 * kMin),
                       FormatIsoUtc(Now() + 60LL * 24 * 60 * kMin));
  }

  TestServer server_;
  std::map<std::string, std::string> tokens_;
};

auth::Principal Student(int64_t id, std::vector<int64_t> sections) {
  return {.user_id = id,
          .role = auth::Role::kStudent,
          .display_name = "S",
          .section_ids = std::move(sections)};
}

TEST_F(LiveSessions, ScheduledSessionsShowForTheSectionItsStudentsAndTheirGuardiansOnly) {
  OneOff(Now() + 10 * kMin, Now() + 55 * kMin);
  auto weekly = Weekly();
  ASSERT_TRUE(weekly.contains("series"));
  EXPECT_FALSE(weekly.at("series").is_null());
  auto occurrences = weekly.at("items").as_array();
  ASSERT_EQ(occurrences.size(), 8u);  // four weeks of Mondays and Wednesdays
  std::set<int64_t> series_ids;
  for (const auto& o : occurrences) {
    EXPECT_EQ(o.at("local_start").as_string().subview(11), "09:00");
    EXPECT_EQ(o.at("time_zone").as_string(), "America/New_York");
    EXPECT_EQ(o.at("status").as_string(), "scheduled");
    series_ids.insert(o.at("series_id").as_int64());
  }
  EXPECT_EQ(series_ids.size(), 1u);

  // Paged in threes, nothing twice, in start order.
  auto mine = All("student_a", "/api/v1/me/live-sessions?" + Window(), 3);
  ASSERT_EQ(mine.size(), 9u);
  std::set<int64_t> ids;
  for (size_t i = 0; i < mine.size(); ++i) {
    ids.insert(mine[i].at("id").as_int64());
    if (i > 0) {
      EXPECT_LE(mine[i - 1].at("starts_at").as_string(), mine[i].at("starts_at").as_string());
    }
    EXPECT_EQ(mine[i].at("section_title").as_string(), "Grade 3 Homeroom");
  }
  EXPECT_EQ(ids.size(), 9u);
  EXPECT_EQ(All("teacher_a", "/api/v1/me/live-sessions?" + Window(), 50).size(), 9u);
  EXPECT_EQ(All("student_a", "/api/v1/sections/10/live-sessions?" + Window(), 4).size(), 9u);

  auto children = All("guardian_a", "/api/v1/me/live-sessions?" + Window(), 50);
  ASSERT_EQ(children.size(), 9u);
  for (const auto& item : children) {
    ASSERT_EQ(item.at("children").as_array().size(), 1u);
    EXPECT_EQ(item.at("children").as_array()[0].at("id").as_int64(), server_.Id("student_a"));
  }
  EXPECT_TRUE(All("student_b", "/api/v1/me/live-sessions?" + Window(), 50).empty());
  EXPECT_TRUE(All("guardian_b", "/api/v1/me/live-sessions?" + Window(), 50).empty());
  EXPECT_EQ(Get("student_b", "/api/v1/sections/10/live-sessions").result_int(), 403);

  // A window that ends before the series starts shows only the one-off.
  auto soon = All("student_a",
                  fmt::format("/api/v1/me/live-sessions?from={}&to={}", FormatIsoUtc(Now()),
                              FormatIsoUtc(Now() + 2 * 60 * kMin)),
                  50);
  EXPECT_EQ(soon.size(), 1u);
  EXPECT_EQ(Get("student_a", "/api/v1/me/live-sessions?from=yesterday").result_int(), 400);
  EXPECT_EQ(Get("student_a", "/api/v1/me/live-sessions?from=2026-01-01&to=2025-01-01").result_int(),
            400);
}

TEST_F(LiveSessions, BadSchedulesAreRefusedWithTheFieldNamed) {
  auto bad = [&](const std::string& body, const std::string& mention) {
    auto res = Post("teacher_a", "/api/v1/sections/10/live-sessions", body);
    EXPECT_EQ(res.result_int(), 400) << body << " -> " << res.body();
    EXPECT_NE(res.body().find(mention), std::string::npos) << res.body();
  };
  bad(R"({"starts_at":"2030-01-01T09:00","ends_at":"2030-01-01T10:00"})", "title");
  bad(R"({"title":"x","starts_at":"soon","ends_at":"2030-01-01T10:00"})", "starts_at");
  bad(R"({"title":"x","starts_at":"2030-01-01T10:00","ends_at":"2030-01-01T09:00"})", "end after");
  bad(R"({"title":"x","starts_at":"2020-01-01T09:00","ends_at":"2020-01-01T10:00"})", "past");
  bad(R"({"title":"x","days":["mon","tue","wed","thu","fri"],"start":"09:00","end":"09:45",)"
      R"("from":"2030-01-01",)"
      R"("until":"2033-01-01"})",
      "max_series_occurrences");
  bad(R"({"title":"x","days":["funday"],"start":"09:00","end":"09:45","from":"2030-01-01",)"
      R"("until":"2030-02-01"})",
      "days");
  EXPECT_EQ(Post("teacher_a", "/api/v1/sections/999/live-sessions",
                 R"({"title":"x","starts_at":"2030-01-01T09:00","ends_at":"2030-01-01T10:00"})")
                .result_int(),
            404);
}

TEST_F(LiveSessions, TeacherStartsAndEndsAndTheJoinDecisionFollowsTheState) {
  int64_t id = OneOff(Now() + 10 * kMin, Now() + 55 * kMin);
  std::string base = "/api/v1/live-sessions/" + std::to_string(id);
  std::vector<std::pair<int64_t, std::string>> ended;
  std::mutex mu;
  server_.app().live().SetOnEnd([&](int64_t session, std::string reason) {
    std::lock_guard lock(mu);
    ended.emplace_back(session, std::move(reason));
  });
  auto& live = server_.app().live();
  auth::Principal student = Student(server_.Id("student_a"), {10});

  // A student can neither schedule nor start.
  EXPECT_EQ(Post("student_a", "/api/v1/sections/10/live-sessions",
                 R"({"title":"x","starts_at":"2030-01-01T09:00","ends_at":"2030-01-01T10:00"})")
                .result_int(),
            403);
  EXPECT_EQ(Post("student_a", base + "/start").result_int(), 403);

  auto before = RunTask(live.AuthorizeJoin(student, id));
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.status().code(), StatusCode::kConflict);
  EXPECT_EQ(before.status().message(), "the teacher has not started this session yet");
  EXPECT_EQ(Post("teacher_a", base + "/end").result_int(), 409);

  auto started = Post("teacher_a", base + "/start");
  ASSERT_EQ(started.result_int(), 200) << started.body();
  EXPECT_EQ(JsonOf(started).at("status").as_string(), "live");
  EXPECT_FALSE(JsonOf(started).at("started_at").is_null());
  EXPECT_EQ(Post("teacher_a", base + "/start").result_int(), 409);

  auto join = RunTask(live.AuthorizeJoin(student, id));
  ASSERT_TRUE(join.ok()) << join.status().ToString();
  EXPECT_EQ(join->room.session_id, id);
  EXPECT_EQ(join->room.section_id, 10);
  EXPECT_EQ(join->room.title, "Reading");
  EXPECT_EQ(join->participant.role, live::RoomRole::kStudent);
  EXPECT_EQ(join->participant.user_id, server_.Id("student_a"));

  auth::Principal teacher{
      .user_id = server_.Id("teacher_a"), .role = auth::Role::kTeacher, .section_ids = {10}};
  EXPECT_EQ(RunTask(live.AuthorizeJoin(teacher, id))->participant.role, live::RoomRole::kTeacher);
  auth::Principal admin{
      .user_id = server_.Id("admin_a"), .role = auth::Role::kSchoolAdmin, .school_ids = {2}};
  EXPECT_EQ(RunTask(live.AuthorizeJoin(admin, id))->participant.role, live::RoomRole::kObserver);
  auth::Principal guardian{.user_id = server_.Id("guardian_a"),
                           .role = auth::Role::kGuardian,
                           .child_ids = {server_.Id("student_a")}};
  EXPECT_EQ(RunTask(live.AuthorizeJoin(guardian, id)).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(RunTask(live.AuthorizeJoin(Student(server_.Id("student_b"), {20}), id)).status().code(),
            StatusCode::kPermissionDenied);
  auth::Principal other_teacher{
      .user_id = server_.Id("teacher_b"), .role = auth::Role::kTeacher, .section_ids = {20}};
  EXPECT_EQ(RunTask(live.AuthorizeJoin(other_teacher, id)).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(RunTask(live.AuthorizeJoin(student, 987654)).status().code(), StatusCode::kNotFound);

  EXPECT_EQ(Post("student_a", base + "/end").result_int(), 403);
  auto end = Post("teacher_a", base + "/end");
  ASSERT_EQ(end.result_int(), 200) << end.body();
  EXPECT_EQ(JsonOf(end).at("status").as_string(), "ended");
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0], std::make_pair(id, std::string("ended")));
  }
  auto after = RunTask(live.AuthorizeJoin(student, id));
  EXPECT_EQ(after.status().message(), "this session has ended");
  EXPECT_EQ(Post("teacher_a", base + "/end").result_int(), 409);
  EXPECT_EQ(Post("teacher_a", base + "/cancel").result_int(), 409);
  EXPECT_EQ(Send("teacher_a", bhttp::verb::patch, base, R"({"title":"Again"})").result_int(), 409);

  // Cancelling a live session tells the hub too.
  int64_t second = OneOff(Now() + 5 * kMin, Now() + 30 * kMin);
  std::string second_base = "/api/v1/live-sessions/" + std::to_string(second);
  ASSERT_EQ(Post("teacher_a", second_base + "/start").result_int(), 200);
  ASSERT_EQ(Post("teacher_a", second_base + "/cancel").result_int(), 200);
  std::lock_guard lock(mu);
  ASSERT_EQ(ended.size(), 2u);
  EXPECT_EQ(ended[1], std::make_pair(second, std::string("cancelled")));
}

TEST_F(LiveSessions, SeriesEditsAndCancelsApplyFromTheOccurrenceOn) {
  auto weekly = Weekly();
  auto items = weekly.at("items").as_array();
  ASSERT_EQ(items.size(), 8u);
  auto id_at = [&](size_t i) { return items[i].at("id").as_int64(); };
  auto url = [&](size_t i) { return "/api/v1/live-sessions/" + std::to_string(id_at(i)); };

  auto edit =
      Send("teacher_a", bhttp::verb::patch, url(2),
           R"json({"scope":"series","start":"10:00","end":"10:30","title":"Math (new time)"})json");
  ASSERT_EQ(edit.result_int(), 200) << edit.body();
  EXPECT_EQ(JsonOf(edit).at("updated").as_int64(), 6);
  EXPECT_EQ(JsonOf(edit).at("local_start").as_string().subview(11), "10:00");
  // One occurrence alone.
  auto alone = Send("teacher_a", bhttp::verb::patch, url(0), R"({"title":"Special"})");
  ASSERT_EQ(alone.result_int(), 200) << alone.body();
  EXPECT_EQ(JsonOf(alone).at("updated").as_int64(), 1);
  EXPECT_EQ(Send("teacher_a", bhttp::verb::patch, url(0), R"({"scope":"weekly"})").result_int(),
            400);
  EXPECT_EQ(Send("teacher_a", bhttp::verb::patch, url(0), R"({"start":"10:00"})").result_int(),
            400);

  auto list = All("teacher_a", "/api/v1/sections/10/live-sessions?" + Window(), 50);
  ASSERT_EQ(list.size(), 8u);
  EXPECT_EQ(list[0].at("title").as_string(), "Special");
  EXPECT_EQ(list[1].at("title").as_string(), "Math");
  EXPECT_EQ(list[1].at("local_start").as_string().subview(11), "09:00");
  for (size_t i = 2; i < 8; ++i) {
    EXPECT_EQ(list[i].at("title").as_string(), "Math (new time)");
    EXPECT_EQ(list[i].at("local_start").as_string().subview(11), "10:00");
    EXPECT_EQ(list[i].at("local_end").as_string().subview(11), "10:30");
  }

  auto cancel = Post("teacher_a", url(4) + "/cancel", R"({"scope":"series"})");
  ASSERT_EQ(cancel.result_int(), 200) << cancel.body();
  EXPECT_EQ(JsonOf(cancel).at("cancelled").as_int64(), 4);
  ASSERT_EQ(Post("teacher_a", url(1) + "/cancel").result_int(), 200);
  list = All("teacher_a", "/api/v1/sections/10/live-sessions?" + Window(), 50);
  std::string statuses;
  for (const auto& s : list) statuses += s.at("status").as_string().subview(0, 1);
  EXPECT_EQ(statuses, "scsscccc");
}

TEST_F(LiveSessions, AttendanceAndCsvReflectWhatTheRecorderWrote) {
  // Scheduled 2 minutes ago for 45 minutes, and started now.
  int64_t start = Now() - 2 * kMin;
  int64_t id = OneOff(start, start + 45 * kMin, "Science, \"lab\"");
  std::string base = "/api/v1/live-sessions/" + std::to_string(id);
  auto started = Post("teacher_a", base + "/start");
  ASSERT_EQ(started.result_int(), 200) << started.body();
  int64_t started_ms = SystemClock::Instance().NowMs();

  auto& recorder = server_.app().attendance();
  int64_t student = server_.Id("student_a");
  recorder.Joined(id, server_.Id("teacher_a"), started_ms);
  recorder.Joined(id, student, started_ms + 7 * kMin);
  recorder.Heartbeat(id, {student}, started_ms + 10 * kMin);
  recorder.Left(id, student, started_ms + 15 * kMin);    // a dropped connection ...
  recorder.Joined(id, student, started_ms + 16 * kMin);  // ... and a reconnect
  recorder.Left(id, student, started_ms + 30 * kMin);
  ASSERT_TRUE(recorder.FlushNow().ok());
  EXPECT_GE(server_.app().metrics().CounterValue("homeroom_attendance_flushes_total"), 1u);
  EXPECT_EQ(server_.app().metrics().CounterValue("homeroom_attendance_events_total"), 6u);

  // Present 7..15 and 16..30 minutes after the actual start: 22 minutes, all in the window.
  int64_t expected_ms = 22 * kMin;
  auto res = Get("teacher_a", base + "/attendance");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  auto report = JsonOf(res);
  auto rows = report.at("items").as_array();
  ASSERT_EQ(rows.size(), 1u);  // the enrolled students only: not the teacher
  const auto& row = rows[0].as_object();
  EXPECT_EQ(row.at("user_id").as_int64(), student);
  EXPECT_EQ(row.at("status").as_string(), "late");  // 7 minutes after the teacher started
  EXPECT_EQ(row.at("seconds_present").as_int64(), expected_ms / 1000);
  EXPECT_EQ(row.at("minutes_present").as_int64(), 22);
  EXPECT_TRUE(row.at("left_early").as_bool());
  EXPECT_EQ(row.at("intervals").as_int64(), 2);
  EXPECT_EQ(row.at("first_join_at").as_string(), FormatIsoUtc(started_ms + 7 * kMin));
  EXPECT_EQ(report.at("late_threshold_minutes").as_int64(), 5);

  auto csv = Get("admin_a", base + "/attendance.csv");
  ASSERT_EQ(csv.result_int(), 200) << csv.body();
  EXPECT_EQ(csv[bhttp::field::content_type].substr(0, 8), "text/csv");
  EXPECT_NE(csv[bhttp::field::content_disposition].find("attendance-live-session-" +
                                                        std::to_string(id) + ".csv"),
            std::string::npos);
  std::string body = csv.body();
  size_t lines = 0;
  for (size_t p = body.find("\r\n"); p != std::string::npos; p = body.find("\r\n", p + 2)) ++lines;
  EXPECT_EQ(lines, 2u);  // header and student_a
  EXPECT_NE(body.find("\"Science, \"\"lab\"\"\""), std::string::npos) << body;
  EXPECT_NE(body.find(",u-student_a,student_a,Pierre,Ana,late,22,"), std::string::npos) << body;

  EXPECT_EQ(Get("student_a", base + "/attendance").result_int(), 403);
  EXPECT_EQ(Get("guardian_a", base + "/attendance.csv").result_int(), 403);
  EXPECT_EQ(Get("teacher_b", base + "/attendance").result_int(), 403);

  // Nobody joined this one: student_a is absent.
  int64_t empty = OneOff(Now() + 10 * kMin, Now() + 20 * kMin, "Empty");
  auto absent =
      JsonOf(Get("teacher_a", "/api/v1/live-sessions/" + std::to_string(empty) + "/attendance"));
  ASSERT_EQ(absent.at("items").as_array().size(), 1u);
  EXPECT_EQ(absent.at("items").as_array()[0].at("status").as_string(), "absent");
  EXPECT_EQ(absent.at("items").as_array()[0].at("minutes_present").as_int64(), 0);
}

}  // namespace
}  // namespace homeroom::testing

namespace homeroom::testing {
namespace {

// A session the teacher started but nobody joined has no room, and only a room ends a session by
// itself: the app's sweep ends it once past its end and the auto-end delay. One far from its end
// stays live.
TEST(LiveSweep, StartedSessionNobodyJoinedEndsAfterItsEndAndTheDelay) {
  TestServer server([](app::AppConfig& c) {
    c.live_sweep_interval = std::chrono::milliseconds(50);
    c.hub.auto_end_delay_ms = 100;
  });
  const std::string token = server.Login("teacher_a");
  auto schedule = [&](int64_t ends_ms) -> int64_t {
    boost::json::object body{{"title", "Reading"},
                             {"starts_at", FormatIsoUtc(Now() - 5 * kMin)},
                             {"ends_at", FormatIsoUtc(ends_ms)}};
    auto res = server.Client().Send(bhttp::verb::post, "/api/v1/sections/10/live-sessions",
                                    boost::json::serialize(body), Bearer(token));
    EXPECT_EQ(res.result_int(), 201) << res.body();
    auto created = HttpClient::Json(res);
    return created.at("items").as_array().at(0).at("id").as_int64();
  };
  auto status_of = [&](int64_t id) {
    auto res = server.Client().Send(bhttp::verb::get, "/api/v1/live-sessions/" + std::to_string(id),
                                    "", Bearer(token));
    EXPECT_EQ(res.result_int(), 200) << res.body();
    return std::string(HttpClient::Json(res).at("status").as_string());
  };
  const int64_t ends_soon = schedule(Now() + 2'000);
  const int64_t ends_later = schedule(Now() + 60 * kMin);
  for (int64_t id : {ends_soon, ends_later}) {
    auto res = server.Client().Send(bhttp::verb::post,
                                    "/api/v1/live-sessions/" + std::to_string(id) + "/start", "",
                                    Bearer(token));
    ASSERT_EQ(res.result_int(), 200) << res.body();
  }
  EXPECT_EQ(status_of(ends_soon), "live");
  std::string status;
  for (int i = 0; i < 200 && status != "ended"; ++i) {  // at most 10 s
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    status = status_of(ends_soon);
  }
  EXPECT_EQ(status, "ended");
  EXPECT_EQ(status_of(ends_later), "live");
}

}  // namespace
}  // namespace homeroom::testing
