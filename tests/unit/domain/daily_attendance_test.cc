#include "domain/daily_attendance.h"

#include <gtest/gtest.h>

namespace homeroom::domain {
namespace {

namespace das = store::daily_attendance_store;

constexpr int64_t kMinute = 60'000;

class DailyAttendanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto zone = DistrictZone::Load("America/New_York");
    ASSERT_TRUE(zone.ok());
    zone_ = *zone;
  }
  // Local `hour`:00 of a day of November 2026 in the district.
  int64_t At(unsigned day, int hour) const { return zone_->LocalToUtcMs(2026, 11, day, hour * 60); }
  static LocalDate Nov(unsigned day) { return {2026, 11, day}; }

  // Student 100 in section 10 and student 101 in sections 10 and 11.
  DailyAttendanceFacts Facts() const {
    DailyAttendanceFacts f;
    f.students = {{10, "s10", "Math", 2, {100, "u100", "ana", "Ana", "Pierre"}},
                  {10, "s10", "Math", 2, {101, "u101", "ben", "Ben", "Diaz"}},
                  {11, "s11", "Art", 2, {101, "u101", "ben", "Ben", "Diaz"}}};
    return f;
  }
  // An ended session of `section` on `day` 09:00-10:00 with intervals [from, to) minutes after 9.
  das::SessionWithIntervals Session(int64_t id, int64_t section, unsigned day,
                                    std::vector<std::tuple<int64_t, int, int>> intervals) const {
    das::SessionWithIntervals s;
    s.session.id = id;
    s.session.section_id = section;
    s.session.starts_ms = At(day, 9);
    s.session.ends_ms = At(day, 10);
    s.session.status = "ended";
    s.session.started_ms = At(day, 9);
    s.session.ended_ms = At(day, 10);
    for (auto [user, from, to] : intervals) {
      s.intervals.push_back({user, At(day, 9) + from * kMinute, At(day, 9) + to * kMinute,
                             At(day, 9) + to * kMinute});
    }
    return s;
  }
  std::optional<DistrictZone> zone_;
};

TEST_F(DailyAttendanceTest, WeekdaysAreListedAndAWeekendDayOnlyWhenSomethingHappened) {
  DailyAttendanceFacts f = Facts();
  // Mon 16 .. Sun 22 November 2026; work submitted on Saturday the 21st.
  f.submissions = {{10, 100, At(21, 11)}};
  auto r = ComputeDailyAttendance({}, *zone_, Nov(16), Nov(22), f, At(23, 12));
  ASSERT_EQ(r.days.size(), 6u);
  EXPECT_EQ(r.days.front().ToString(), "2026-11-16");
  EXPECT_EQ(r.days.back().ToString(), "2026-11-21");
  EXPECT_EQ(r.rows[0].days.back().basis, "work");
  EXPECT_EQ(r.rows[1].days.back().status, "absent");  // Ben did nothing that Saturday
}

TEST_F(DailyAttendanceTest, TheFirstRuleThatAppliesDecidesInOrder) {
  DailyAttendanceFacts f = Facts();
  // Ana: 25 minutes live and work on the 18th; Ben: 10 minutes and an opened link.
  f.sessions = {Session(1, 10, 18, {{100, 0, 15}, {100, 15, 25}, {101, 5, 15}})};
  f.submissions = {{10, 100, At(18, 13)}};
  f.opens = {{10, 101, At(18, 9)}};
  AttendancePolicy policy;  // 20 minutes, work and links count
  auto r = ComputeDailyAttendance(policy, *zone_, Nov(18), Nov(18), f, At(19, 0));
  EXPECT_EQ(r.rows[0].days[0].basis, "live");
  EXPECT_EQ(r.rows[0].days[0].live_minutes, 25);
  EXPECT_EQ(r.rows[1].days[0].basis, "external");
  EXPECT_EQ(r.rows[1].days[0].live_minutes, 10);
  EXPECT_EQ(r.rows[2].days[0].basis, "none");  // Ben in Art: nothing there

  policy.min_live_minutes = 30;
  policy.count_external_opens = false;
  r = ComputeDailyAttendance(policy, *zone_, Nov(18), Nov(18), f, At(19, 0));
  EXPECT_EQ(r.rows[0].days[0].basis, "work");
  EXPECT_EQ(r.rows[1].days[0].status, "absent");

  // An override beats everything, present or absent.
  f.overrides = {{10, 100, "2026-11-18", "absent", "left after roll call", 300, At(18, 12)}};
  r = ComputeDailyAttendance(policy, *zone_, Nov(18), Nov(18), f, At(19, 0));
  EXPECT_EQ(r.rows[0].days[0].status, "absent");
  EXPECT_EQ(r.rows[0].days[0].basis, "override");
  EXPECT_EQ(r.rows[0].days[0].live_minutes, 25);  // what happened stays visible
}

TEST_F(DailyAttendanceTest, ASessionCountsOnTheDistrictsDayItWasScheduledOn) {
  DailyAttendanceFacts f = Facts();
  // 21:00-22:00 in New York on the 18th is the 19th in UTC.
  das::SessionWithIntervals late = Session(1, 10, 18, {{100, 0, 60}});
  late.session.starts_ms = At(18, 21);
  late.session.ends_ms = At(18, 22);
  late.session.started_ms = At(18, 21);
  late.session.ended_ms = At(18, 22);
  late.intervals = {{100, At(18, 21), At(18, 22), At(18, 22)}};
  f.sessions = {late};
  auto r = ComputeDailyAttendance({}, *zone_, Nov(18), Nov(19), f, At(20, 0));
  EXPECT_EQ(r.rows[0].days[0].live_minutes, 60);
  EXPECT_EQ(r.rows[0].days[1].live_minutes, 0);
}

TEST_F(DailyAttendanceTest, ASchoolReportIsPresentWhenPresentInAnySection) {
  DailyAttendanceFacts f = Facts();
  f.sessions = {Session(1, 11, 18, {{101, 0, 40}})};  // Ben, 40 minutes of Art
  f.overrides = {{10, 100, "2026-11-18", "absent", "camera off", 300, At(18, 12)}};
  auto by_section = ComputeDailyAttendance({}, *zone_, Nov(18), Nov(18), f, At(19, 0));
  auto school = CombineBySchool(by_section);
  ASSERT_EQ(school.rows.size(), 2u);  // one row per student, by family name
  EXPECT_EQ(school.rows[0].student.family_name, "Diaz");
  EXPECT_EQ(school.rows[0].days[0].status, "present");
  EXPECT_EQ(school.rows[0].days[0].basis, "live");
  EXPECT_EQ(school.rows[0].days[0].live_minutes, 40);
  EXPECT_EQ(school.rows[1].days[0].basis, "override");  // Ana's absent day keeps its reason
  EXPECT_NE(DailyAttendanceCsv(school).find("2026-11-18,2,,,100,u100,ana,Pierre,Ana,absent,"
                                            "override,0,0,false,camera off\r\n"),
            std::string::npos);
}

}  // namespace
}  // namespace homeroom::domain
