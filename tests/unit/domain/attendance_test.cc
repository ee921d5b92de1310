#include "domain/attendance.h"

#include <gtest/gtest.h>

#include "core/clock.h"

namespace homeroom::domain {
namespace {

constexpr int64_t kMin = 60'000;
constexpr int64_t kStart = 1'790'000'000'000;  // scheduled start
constexpr int64_t kEnd = kStart + 45 * kMin;   // scheduled end
constexpr int64_t kUser = 7;

store::AttendanceIntervalRecord Closed(int64_t from_min, int64_t to_min, int64_t user = kUser) {
  return {user, kStart + from_min * kMin, kStart + to_min * kMin, kStart + to_min * kMin};
}

SessionWindow Ended() { return {kStart, kEnd, kStart, kEnd, false}; }

StudentAttendance Compute(const std::vector<store::AttendanceIntervalRecord>& intervals,
                          SessionWindow w = Ended(), int64_t now = kEnd + kMin) {
  return ComputeAttendance(kUser, w, intervals, AttendanceRules{}, now);
}

TEST(Attendance, SplitIntervalsFromReconnectsAddUp) {
  auto a = Compute({Closed(0, 10), Closed(12, 30), Closed(31, 45)});
  EXPECT_EQ(a.present_ms, 42 * kMin);
  EXPECT_EQ(a.MinutesPresent(), 42);
  EXPECT_EQ(a.intervals, 3);
  EXPECT_FALSE(a.absent);
  EXPECT_FALSE(a.late);
  EXPECT_FALSE(a.left_early);
  EXPECT_EQ(*a.first_join_ms, kStart);
  EXPECT_EQ(*a.last_leave_ms, kEnd);
}

TEST(Attendance, OverlappingIntervalsFromTwoDevicesCountOnce) {
  auto a = Compute({Closed(10, 30), Closed(0, 20), Closed(15, 25)});
  EXPECT_EQ(a.present_ms, 30 * kMin);
}

TEST(Attendance, TimeOutsideTheScheduledWindowIsClipped) {
  auto a = Compute({Closed(-10, 5), Closed(40, 60)});
  EXPECT_EQ(a.present_ms, 10 * kMin);
}

TEST(Attendance, OtherParticipantsIntervalsAreIgnored) {
  auto a = Compute({Closed(0, 45, /*user=*/8)});
  EXPECT_TRUE(a.absent);
  EXPECT_EQ(a.present_ms, 0);
  EXPECT_STREQ(a.Status(), "absent");
  EXPECT_FALSE(a.first_join_ms);
}

TEST(Attendance, LateIsAFirstJoinPastTheThresholdAfterTheStart) {
  EXPECT_FALSE(Compute({Closed(5, 45)}).late);  // exactly the threshold: on time
  auto late = Compute({Closed(6, 45)});
  EXPECT_TRUE(late.late);
  EXPECT_STREQ(late.Status(), "late");
  // The teacher started 10 minutes late: the clock starts then.
  SessionWindow w = Ended();
  w.started_ms = kStart + 10 * kMin;
  EXPECT_FALSE(Compute({Closed(12, 45)}, w).late);
}

TEST(Attendance, LeftEarlyOnlyWhileTheSessionWentOn) {
  EXPECT_TRUE(Compute({Closed(0, 30)}).left_early);
  EXPECT_FALSE(Compute({Closed(0, 41)}).left_early);  // within the threshold of the end
  // The teacher ended it at minute 30: leaving then is not leaving early.
  SessionWindow w = Ended();
  w.ended_ms = kStart + 30 * kMin;
  EXPECT_FALSE(Compute({Closed(0, 30)}, w).left_early);
}

TEST(Attendance, AnOpenIntervalLastsUntilNowWhileLiveAndUntilTheLastHeartbeatAfter) {
  store::AttendanceIntervalRecord open{kUser, kStart, std::nullopt, kStart + 10 * kMin};
  SessionWindow live{kStart, kEnd, kStart, std::nullopt, true};
  auto now = Compute({open}, live, kStart + 20 * kMin);
  EXPECT_EQ(now.present_ms, 20 * kMin);
  EXPECT_TRUE(now.present_now);
  EXPECT_FALSE(now.last_leave_ms);
  EXPECT_FALSE(now.left_early);
  auto after = Compute({open}, Ended());
  EXPECT_EQ(after.present_ms, 10 * kMin);
  EXPECT_EQ(*after.last_leave_ms, kStart + 10 * kMin);
}

TEST(Attendance, CsvQuotesPerRfc4180AndDefusesFormulas) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("=SUM(A1)"), "'=SUM(A1)");

  AttendanceReport r;
  r.session.id = 5;
  r.session.section_id = 10;
  r.session.title = "Math, \"live\"";
  r.session.starts_ms = kStart;
  r.session.ends_ms = kEnd;
  AttendanceReport::Row row;
  row.student = {100, "u-1", "ana", "Ana", "O'Neil, Jr"};
  row.attendance = Compute({Closed(7, 30)});
  r.rows.push_back(row);
  std::string csv = AttendanceCsv(r);
  auto first_line_end = csv.find("\r\n");
  ASSERT_NE(first_line_end, std::string::npos);
  EXPECT_EQ(csv.substr(0, 11), "session_id,");
  std::string line = csv.substr(first_line_end + 2);
  EXPECT_EQ(line, "5,10,\"Math, \"\"live\"\"\"," + FormatIsoUtc(kStart) + "," + FormatIsoUtc(kEnd) +
                      ",100,u-1,ana,\"O'Neil, Jr\",Ana,late,23," + FormatIsoUtc(kStart + 7 * kMin) +
                      "," + FormatIsoUtc(kStart + 30 * kMin) + ",true,true\r\n");
}

}  // namespace
}  // namespace homeroom::domain
