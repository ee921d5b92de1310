#include "domain/attendance_recorder.h"

#include <gtest/gtest.h>

#include "domain/attendance.h"
#include "testing/temp_dir.h"

namespace homeroom::domain {
namespace {

constexpr int64_t kMin = 60'000;
constexpr int64_t kStart = 1'790'000'000'000;
constexpr int64_t kSession = 1;

// A section (10) with students 100 and 101 and one live session (1) from kStart, 45 minutes.
Status Seed(sql::Connection& c) {
  return c.Exec(
      "INSERT INTO orgs (id, sourced_id, name, type, updated_ms) VALUES (1, 'sch', 'School',"
      " 'school', 0);"
      "INSERT INTO courses (id, sourced_id, title, org_id, updated_ms) VALUES (1, 'c', 'C', 1, 0);"
      "INSERT INTO sections (id, sourced_id, title, course_id, school_id, class_type, updated_ms)"
      " VALUES (10, 's', 'Section', 1, 1, 'scheduled', 0);"
      "INSERT INTO users (id, sourced_id, username, username_key, role, source_role, given_name,"
      " family_name, updated_ms) VALUES"
      " (100, 'u100', 'a', 'a', 'student', 'student', 'A', 'A', 0),"
      " (101, 'u101', 'b', 'b', 'student', 'student', 'B', 'B', 0),"
      " (300, 'u300', 't', 't', 'teacher', 'teacher', 'T', 'T', 0);"
      "INSERT INTO live_sessions (id, section_id, title, starts_ms, ends_ms, status, created_by,"
      " created_ms, updated_ms) VALUES (1, 10, 'Live', 1790000000000, 1790002700000, 'live', 300,"
      " 0, 0);");
}

struct World {
  World() { Open(); }
  void Open() {
    auto opened = store::Database::Open({.path = dir.path() + "/h.db"}, &metrics);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    db = std::move(*opened);
  }
  std::vector<store::AttendanceIntervalRecord> Intervals() {
    std::vector<store::AttendanceIntervalRecord> out;
    Status s = db->ReadSync([&](sql::Connection& c) -> Status {
      HR_ASSIGN_OR_RETURN(out, store::live_store::SessionIntervals(c, kSession));
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }
  testing::TempDir dir;
  metrics::Registry metrics;
  std::unique_ptr<store::Database> db;
};

TEST(AttendanceRecorder, ManyEventsAreWrittenInOneStoreWrite) {
  World w;
  ASSERT_TRUE(w.db->WriteSync(Seed).ok());
  uint64_t writes_before = w.metrics.CounterValue("homeroom_db_writes_total");
  AttendanceRecorder recorder(*w.db, w.metrics, {.flush_interval = std::chrono::hours(1)});
  recorder.Joined(kSession, 100, kStart);
  recorder.Joined(kSession, 101, kStart + kMin);
  for (int i = 1; i <= 40; ++i) recorder.Heartbeat(kSession, {100, 101}, kStart + i * kMin / 2);
  recorder.Left(kSession, 101, kStart + 20 * kMin);
  EXPECT_EQ(recorder.queued(), 43u);
  EXPECT_NE(w.metrics.RenderPrometheus().find("homeroom_attendance_queued_events 43"),
            std::string::npos);
  ASSERT_TRUE(recorder.FlushNow().ok());

  EXPECT_EQ(recorder.queued(), 0u);
  EXPECT_EQ(w.metrics.CounterValue("homeroom_attendance_events_total"), 43u);
  EXPECT_EQ(w.metrics.CounterValue("homeroom_attendance_flushes_total"), 1u);
  EXPECT_EQ(w.metrics.CounterValue("homeroom_db_writes_total") - writes_before, 1u);
  auto intervals = w.Intervals();
  ASSERT_EQ(intervals.size(), 2u);
  EXPECT_EQ(intervals[0].user_id, 100);
  EXPECT_FALSE(intervals[0].left_ms);
  EXPECT_EQ(intervals[0].last_seen_ms, kStart + 20 * kMin);
  EXPECT_EQ(intervals[1].user_id, 101);
  EXPECT_EQ(*intervals[1].left_ms, kStart + 20 * kMin);
}

TEST(AttendanceRecorder, TheFlusherWritesByItselfEveryInterval) {
  World w;
  ASSERT_TRUE(w.db->WriteSync(Seed).ok());
  AttendanceRecorder recorder(*w.db, w.metrics, {.flush_interval = std::chrono::milliseconds(20)});
  recorder.Start();
  recorder.Joined(kSession, 100, kStart);
  for (int i = 0; i < 500 && recorder.queued() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  recorder.Stop();
  EXPECT_EQ(w.Intervals().size(), 1u);
}

TEST(AttendanceRecorder, ReconnectsMakeSeparateIntervalsAndDuplicateJoinsDoNot) {
  World w;
  ASSERT_TRUE(w.db->WriteSync(Seed).ok());
  AttendanceRecorder recorder(*w.db, w.metrics, {.flush_interval = std::chrono::hours(1)});
  recorder.Joined(kSession, 100, kStart);
  recorder.Joined(kSession, 100, kStart + kMin);  // reported twice: one interval
  recorder.Left(kSession, 100, kStart + 10 * kMin);
  recorder.Left(kSession, 100, kStart + 11 * kMin);  // nothing open: ignored
  recorder.Joined(kSession, 100, kStart + 12 * kMin);
  recorder.Left(kSession, 100, kStart + 30 * kMin);
  ASSERT_TRUE(recorder.FlushNow().ok());
  auto intervals = w.Intervals();
  ASSERT_EQ(intervals.size(), 2u);
  auto a = ComputeAttendance(100, {kStart, kStart + 45 * kMin, kStart, kStart + 45 * kMin, false},
                             intervals, {}, kStart + 60 * kMin);
  EXPECT_EQ(a.present_ms, 28 * kMin);
}

TEST(AttendanceRecorder, AFullQueueDropsAndCountsInsteadOfBlocking) {
  World w;
  AttendanceRecorder recorder(*w.db, w.metrics,
                              {.max_queued_events = 3, .flush_interval = std::chrono::hours(1)});
  for (int i = 0; i < 5; ++i) recorder.Joined(kSession, 100, kStart + i);
  EXPECT_EQ(recorder.queued(), 3u);
  EXPECT_EQ(w.metrics.CounterValue("homeroom_attendance_events_dropped_total"), 2u);
}

TEST(AttendanceRecorder, RecoverClosesIntervalsLeftOpenByACrashAtTheirLastHeartbeat) {
  World w;
  ASSERT_TRUE(w.db->WriteSync(Seed).ok());
  {
    // The process that crashes: intervals written, still open, heartbeats up to minute 25.
    AttendanceRecorder recorder(*w.db, w.metrics, {.flush_interval = std::chrono::hours(1)});
    recorder.Joined(kSession, 100, kStart);
    recorder.Joined(kSession, 101, kStart + 2 * kMin);
    for (int m = 1; m <= 25; ++m) recorder.Heartbeat(kSession, {100, 101}, kStart + m * kMin);
    ASSERT_TRUE(recorder.FlushNow().ok());
  }
  // A restart: the store is opened again and nothing else was written.
  w.db.reset();
  w.Open();
  AttendanceRecorder recorder(*w.db, w.metrics, {.flush_interval = std::chrono::hours(1)});
  auto closed = recorder.Recover();
  ASSERT_TRUE(closed.ok()) << closed.status().ToString();
  EXPECT_EQ(*closed, 2);
  EXPECT_EQ(w.metrics.CounterValue("homeroom_attendance_intervals_recovered_total"), 2u);
  auto intervals = w.Intervals();
  ASSERT_EQ(intervals.size(), 2u);
  for (const auto& i : intervals) EXPECT_EQ(*i.left_ms, kStart + 25 * kMin);
  // The room reopens after the restart and student 100 comes back.
  recorder.Joined(kSession, 100, kStart + 28 * kMin);
  recorder.Left(kSession, 100, kStart + 45 * kMin);
  ASSERT_TRUE(recorder.FlushNow().ok());
  intervals = w.Intervals();
  SessionWindow ended{kStart, kStart + 45 * kMin, kStart, kStart + 45 * kMin, false};
  auto a = ComputeAttendance(100, ended, intervals, {}, kStart + 60 * kMin);
  EXPECT_EQ(a.present_ms, (25 + 17) * kMin);  // nothing lost, the 3-minute outage not invented
  auto b = ComputeAttendance(101, ended, intervals, {}, kStart + 60 * kMin);
  EXPECT_EQ(b.present_ms, 23 * kMin);
  EXPECT_TRUE(b.left_early);
  // A second recovery finds nothing open.
  EXPECT_EQ(*recorder.Recover(), 0);
}

}  // namespace
}  // namespace homeroom::domain
