#include "store/synthetic_activity.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "domain/live_calendar.h"
#include "domain/pathways.h"
#include "domain/synthetic_activity.h"
#include "roster/generator.h"
#include "roster/importer.h"
#include "store/database.h"
#include "store/pathway_store.h"
#include "store/roster_reader.h"
#include "testing/temp_dir.h"

namespace homeroom::store {
namespace {

constexpr const char* kZone = "America/New_York";
// Thursday 2026-09-17: three school days are Thursday, Friday and Monday 2026-09-21.
constexpr const char* kFirstDay = "2026-09-17";
// Long after those days (2026-11-01T00:00Z).
constexpr int64_t kNowMs = 1793491200000;

int64_t Count(sql::Connection& c, const std::string& sql) {
  auto st = c.Prepare(sql);
  EXPECT_TRUE(st.ok()) << st.status().ToString() << " " << sql;
  if (!st.ok()) return -1;
  auto row = (*st)->Step();
  EXPECT_TRUE(row.ok() && *row) << sql;
  int64_t n = (*st)->Int(0);
  (*st)->Reset();
  return n;
}

// Rows per table and a digest of their values: equal for equal activity.
std::map<std::string, int64_t> Fingerprint(sql::Connection& c) {
  std::map<std::string, int64_t> out;
  for (const char* q :
       {"SELECT COUNT(*) FROM live_sessions",
        "SELECT SUM(starts_ms % 1000003 + ends_ms % 7919) FROM live_sessions",
        "SELECT COUNT(*) FROM attendance_intervals",
        "SELECT SUM(user_id * 31 + joined_ms % 1000003 + left_ms % 7919) FROM attendance_intervals",
        "SELECT COUNT(*) FROM client_events", "SELECT COUNT(*) FROM external_opens",
        "SELECT COUNT(*) FROM external_attendance", "SELECT SUM(seconds) FROM external_attendance",
        "SELECT COUNT(*) FROM assignments", "SELECT COUNT(*) FROM submissions",
        "SELECT SUM(COALESCE(score_centi, 7) + submitted_ms % 1000003) FROM submissions",
        "SELECT COUNT(*) FROM pathway_rules", "SELECT COUNT(*) FROM section_meeting_links"}) {
    out[q] = Count(c, q);
  }
  return out;
}

// A small generated district (300 students: a few schools of each kind) imported into a fresh
// store.
class District {
 public:
  District(uint64_t seed = 5) {
    EXPECT_TRUE(
        roster::GenerateDistrict({.students = 300, .seed = seed, .out_dir = dir_.path() + "/set"})
            .ok());
    auto db = Database::Open({.path = dir_.path() + "/h.db", .readers = 1}, nullptr);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto conn = db_->OpenConnection();
    EXPECT_TRUE(conn.ok());
    conn_ = std::move(*conn);
    auto report = roster::ImportOneRoster(*conn_, {.path = dir_.path() + "/set", .now_ms = 1000});
    EXPECT_TRUE(report.ok() && report->applied);
  }

  sql::Connection& conn() { return *conn_; }

  Result<SyntheticActivitySummary> Simulate(uint64_t seed = 1, int days = 3,
                                            const std::string& from = kFirstDay,
                                            int64_t now_ms = kNowMs) {
    return domain::SimulateActivity(*conn_, {.first_day = from,
                                             .school_days = days,
                                             .seed = seed,
                                             .time_zone = kZone,
                                             .external_grade_band = "6-12",
                                             .now_ms = now_ms});
  }

 private:
  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<sql::Connection> conn_;
};

std::vector<std::vector<int64_t>> Rows(sql::Connection& c, const std::string& sql, int columns) {
  std::vector<std::vector<int64_t>> rows;
  auto st = c.Prepare(sql);
  EXPECT_TRUE(st.ok()) << st.status().ToString();
  if (!st.ok()) return rows;
  while (true) {
    auto row = (*st)->Step();
    EXPECT_TRUE(row.ok());
    if (!row.ok() || !*row) break;
    std::vector<int64_t> r;
    for (int i = 0; i < columns; ++i) r.push_back((*st)->Int(i));
    rows.push_back(std::move(r));
  }
  (*st)->Reset();
  return rows;
}

TEST(SyntheticActivity, WritesOneEndedSessionPerSectionAndSchoolDayDuringSchoolHours) {
  District district;
  auto summary = district.Simulate();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  sql::Connection& c = district.conn();
  auto zone = domain::DistrictZone::Load(kZone);
  ASSERT_TRUE(zone.ok());

  // Every section with students and a teacher, every school day, once; never a weekend.
  const int64_t sections =
      Count(c,
            "SELECT COUNT(*) FROM sections s WHERE s.active = 1"
            " AND EXISTS (SELECT 1 FROM enrollments e WHERE e.section_id = s.id AND e.active = 1"
            "             AND e.role = 'student')"
            " AND EXISTS (SELECT 1 FROM enrollments e WHERE e.section_id = s.id AND e.active = 1"
            "             AND e.role = 'teacher')");
  ASSERT_GT(sections, 10);
  EXPECT_EQ(summary->sections, sections);
  EXPECT_EQ(summary->live_sessions, 3 * sections);
  EXPECT_EQ(Count(c, "SELECT COUNT(*) FROM live_sessions"), 3 * sections);
  std::map<std::pair<int64_t, std::string>, int> per_day;
  for (const auto& r :
       Rows(c, "SELECT section_id, starts_ms, ends_ms, started_ms, ended_ms FROM live_sessions",
            5)) {
    std::string local = zone->FormatLocal(r[1]);  // "2026-09-17T08:05"
    ++per_day[{r[0], local.substr(0, 10)}];
    EXPECT_GE(local.substr(11), "08:00");
    EXPECT_LT(local.substr(11), "15:00");
    EXPECT_GE(r[2] - r[1], 30 * 60000);
    EXPECT_LE(r[2] - r[1], 50 * 60000);
    EXPECT_GE(r[3], r[1]);
    EXPECT_GT(r[4], r[3]);
  }
  std::set<std::string> days;
  for (const auto& [key, n] : per_day) {
    EXPECT_EQ(n, 1) << key.first << " " << key.second;
    days.insert(key.second);
  }
  EXPECT_EQ(days, (std::set<std::string>{"2026-09-17", "2026-09-18", "2026-09-21"}));
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM live_sessions WHERE status <> 'ended'"
                  " OR started_ms IS NULL OR ended_ms IS NULL"),
            0);
  // Created by a teacher of the section.
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM live_sessions l WHERE NOT EXISTS (SELECT 1 FROM"
                  " enrollments e WHERE e.section_id = l.section_id AND e.user_id = l.created_by"
                  " AND e.role = 'teacher')"),
            0);
}

TEST(SyntheticActivity, EveryIntervalIsAnEnrolledStudentsOrTheTeachersInsideItsSession) {
  District district;
  auto summary = district.Simulate();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  sql::Connection& c = district.conn();
  ASSERT_GT(summary->attendance_intervals, 100);
  EXPECT_EQ(Count(c, "SELECT COUNT(*) FROM attendance_intervals"), summary->attendance_intervals);
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM attendance_intervals i JOIN live_sessions l"
                  " ON l.id = i.session_id WHERE NOT EXISTS (SELECT 1 FROM enrollments e"
                  " WHERE e.section_id = l.section_id AND e.user_id = i.user_id"
                  " AND e.active = 1 AND (e.role = 'student' OR i.user_id = l.created_by))"),
            0);
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM attendance_intervals i JOIN live_sessions l"
                  " ON l.id = i.session_id WHERE i.left_ms IS NULL OR i.left_ms <= i.joined_ms"
                  " OR i.joined_ms < l.started_ms OR i.left_ms > l.ended_ms"
                  " OR i.last_seen_ms <> i.left_ms"),
            0);
  // Attendance is partial: some students of built-in sessions are absent, most are present.
  double present = static_cast<double>(
      Count(c,
            "SELECT COUNT(DISTINCT session_id || '/' || user_id) FROM attendance_intervals i"
            " JOIN live_sessions l ON l.id = i.session_id WHERE i.user_id <> l.created_by"));
  double expected = static_cast<double>(
      Count(c,
            "SELECT COUNT(*) FROM live_sessions l JOIN enrollments e ON e.section_id ="
            " l.section_id AND e.role = 'student' AND e.active = 1 WHERE EXISTS (SELECT 1 FROM"
            " attendance_intervals i WHERE i.session_id = l.id)"));
  EXPECT_GT(present / expected, 0.75);
  EXPECT_LT(present / expected, 0.97);
}

TEST(SyntheticActivity, ExternalSessionsAreThoseTheRulesSendOutAndHaveOpensNotIntervals) {
  District district;
  auto summary = district.Simulate();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  sql::Connection& c = district.conn();

  auto rules = pathway_store::ListRules(c);
  ASSERT_TRUE(rules.ok());
  ASSERT_GE(rules->size(), 3u);  // the district's, and a school's (or a section's) of each band
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM pathway_rules WHERE scope = 'district' AND"
                  " grade_band = '6-12' AND pathway = 'external'"
                  " AND effective_from = '2026-09-17'"),
            1);
  // Cohorts: band x pathway, all four present.
  std::set<std::pair<std::string, bool>> cohorts;
  int64_t external_sections = 0;
  for (const auto& r : Rows(c, "SELECT DISTINCT section_id FROM live_sessions", 1)) {
    auto section = roster_reader::GetSection(c, r[0]);
    ASSERT_TRUE(section.ok() && *section);
    auto rule = domain::RuleInForce(*rules, **section, "2026-09-17");
    bool external = rule && rule->pathway == "external";
    cohorts.insert({domain::SectionBand(**section).value_or("none"), external});
    const std::string id = std::to_string(r[0]);
    const std::string of_section =
        " JOIN live_sessions l ON l.id = x.session_id WHERE"
        " l.section_id = " +
        id;
    int64_t intervals = Count(c, "SELECT COUNT(*) FROM attendance_intervals x" + of_section);
    int64_t opens = Count(c, "SELECT COUNT(*) FROM external_opens x" + of_section);
    int64_t reported = Count(c, "SELECT COUNT(*) FROM external_attendance x" + of_section);
    int64_t links = Count(c, "SELECT COUNT(*) FROM section_meeting_links WHERE section_id = " + id);
    if (external) {
      ++external_sections;
      EXPECT_EQ(intervals, 0) << id;
      EXPECT_GT(opens, 0) << id;
      EXPECT_EQ(links, 1) << id;
    } else {
      EXPECT_GT(intervals, 0) << id;
      EXPECT_EQ(opens + reported, 0) << id;
      EXPECT_EQ(links, 0) << id;
    }
  }
  EXPECT_EQ(cohorts, (std::set<std::pair<std::string, bool>>{
                         {"prek-5", false}, {"prek-5", true}, {"6-12", false}, {"6-12", true}}));
  EXPECT_EQ(summary->meeting_links, external_sections);
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM section_meeting_links WHERE url NOT LIKE"
                  " 'https://meet.example.org/cls-%'"),
            0);
  // Reports: some sessions have one, only of the section's students, uploaded by its teacher.
  EXPECT_GT(summary->external_attendance, 0);
  EXPECT_LT(Count(c, "SELECT COUNT(DISTINCT session_id) FROM external_attendance"),
            summary->external_sessions);
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM external_attendance x JOIN live_sessions l"
                  " ON l.id = x.session_id WHERE x.uploaded_by <> l.created_by"
                  " OR x.matched_by <> 'email' OR x.seconds <= 0 OR NOT EXISTS (SELECT 1 FROM"
                  " enrollments e WHERE e.section_id = l.section_id AND e.user_id = x.user_id"
                  " AND e.role = 'student')"),
            0);
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM external_opens x JOIN live_sessions l"
                  " ON l.id = x.session_id WHERE x.last_ms < x.first_ms OR x.opens < 1"
                  " OR NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.section_id ="
                  " l.section_id AND e.user_id = x.user_id AND e.role = 'student')"),
            0);
}

TEST(SyntheticActivity, DisconnectEventsPointAtSessionsTheUserAttendedTwice) {
  District district;
  auto summary = district.Simulate();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  sql::Connection& c = district.conn();
  int64_t drops = Count(c, "SELECT COUNT(*) FROM client_events WHERE kind = 'ws_disconnect'");
  ASSERT_GT(drops, 0);
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM client_events WHERE kind NOT IN ('ws_disconnect',"
                  " 'rtt')"),
            0);
  // Dropped where an interval ends, reported when the next one of the same session has begun.
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM client_events e WHERE kind = 'ws_disconnect' AND"
                  " NOT (EXISTS (SELECT 1 FROM attendance_intervals i WHERE i.user_id ="
                  " e.user_id AND i.session_id = CAST(substr(e.page, 7) AS INTEGER) AND"
                  " i.left_ms = e.at_ms) AND EXISTS (SELECT 1 FROM attendance_intervals i"
                  " WHERE i.user_id = e.user_id AND i.session_id = CAST(substr(e.page, 7) AS"
                  " INTEGER) AND i.joined_ms > e.at_ms AND i.joined_ms <= e.received_ms))"),
            0);
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM client_events WHERE page NOT LIKE '/room/%'"
                  " OR ip NOT LIKE '127.%' OR user_agent = '' OR received_ms < at_ms"),
            0);
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM client_events WHERE kind = 'ws_disconnect' AND"
                  " detail NOT LIKE '{\"code\":1006,\"reason\":\"\",\"connected_ms\":%,"
                  "\"clean\":false}'"),
            0);
  // About 6% of built-in attendances.
  double attended = static_cast<double>(
      Count(c,
            "SELECT COUNT(DISTINCT session_id || '/' || user_id) FROM attendance_intervals i"
            " JOIN live_sessions l ON l.id = i.session_id WHERE i.user_id <> l.created_by"));
  EXPECT_GT(static_cast<double>(drops) / attended, 0.02);
  EXPECT_LT(static_cast<double>(drops) / attended, 0.12);
}

TEST(SyntheticActivity, LateFlagsAgreeWithDueTimesAndEverySubmissionHasItsEvent) {
  District district;
  auto summary = district.Simulate();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  sql::Connection& c = district.conn();
  ASSERT_GT(summary->submissions, 100);
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM submissions s JOIN assignments a ON a.id ="
                  " s.assignment_id WHERE s.late <> (s.submitted_ms > a.due_ms)"),
            0);
  int64_t late = Count(c, "SELECT COUNT(*) FROM submissions WHERE late = 1");
  EXPECT_GT(late, 0);
  EXPECT_LT(late, summary->submissions / 4);
  EXPECT_EQ(summary->submission_events, summary->submissions);
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM submissions s WHERE NOT EXISTS (SELECT 1 FROM"
                  " submission_events v WHERE v.assignment_id = s.assignment_id AND"
                  " v.student_id = s.student_id AND v.submitted_ms = s.submitted_ms)"),
            0);
  // Graded within the points, by the section's teacher; ungraded ones entirely so.
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM submissions s JOIN assignments a ON a.id ="
                  " s.assignment_id WHERE s.score_centi IS NOT NULL AND (s.score_centi < 0 OR"
                  " s.score_centi > a.points * 100 OR s.graded_by <> a.created_by OR"
                  " s.graded_ms < s.submitted_ms)"),
            0);
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM submissions WHERE (score_centi IS NULL) <>"
                  " (graded_by IS NULL) OR (score_centi IS NULL) <> (graded_ms IS NULL)"),
            0);
  EXPECT_GT(Count(c, "SELECT COUNT(*) FROM submissions WHERE score_centi IS NOT NULL"), 0);
  // Due at 23:59 in New York (EDT, UTC-4) on a school day; students of the section only.
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM assignments WHERE (due_ms / 60000) % 1440 <>"
                  " (23 * 60 + 59 + 4 * 60) % 1440 OR points NOT IN (10, 20, 100)"),
            0);
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM submissions s JOIN assignments a ON a.id ="
                  " s.assignment_id WHERE NOT EXISTS (SELECT 1 FROM enrollments e WHERE"
                  " e.section_id = a.section_id AND e.user_id = s.student_id AND e.role ="
                  " 'student')"),
            0);
}

TEST(SyntheticActivity, NothingIsDatedAfterNow) {
  District district;
  // Now is the Saturday midnight after the Friday: late work and grades after it are left out.
  auto zone = domain::DistrictZone::Load(kZone);
  ASSERT_TRUE(zone.ok());
  const int64_t now = zone->LocalToUtcMs(2026, 9, 19, 0);
  auto summary = district.Simulate(1, 2, kFirstDay, now);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  sql::Connection& c = district.conn();
  const std::string after = " > " + std::to_string(now);
  for (const std::string& q : {"SELECT COUNT(*) FROM submissions WHERE submitted_ms" + after +
                                   " OR COALESCE(graded_ms, 0)" + after,
                               "SELECT COUNT(*) FROM external_attendance WHERE uploaded_ms" + after,
                               "SELECT COUNT(*) FROM live_sessions WHERE ended_ms" + after,
                               "SELECT COUNT(*) FROM pathway_rules WHERE created_ms" + after}) {
    EXPECT_EQ(Count(c, q), 0) << q;
  }
  EXPECT_GT(summary->submissions, 0);
  // A day that has not ended is refused.
  auto early = district.Simulate(1, 1, "2026-09-21", now);
  EXPECT_EQ(early.status().code(), StatusCode::kInvalidArgument);
}

TEST(SyntheticActivity, TheSameSeedWritesTheSameRowsAndAnotherSeedDoesNot) {
  District a, b, other;
  ASSERT_TRUE(a.Simulate(7).ok());
  ASSERT_TRUE(b.Simulate(7).ok());
  ASSERT_TRUE(other.Simulate(8).ok());
  EXPECT_EQ(Fingerprint(a.conn()), Fingerprint(b.conn()));
  EXPECT_NE(Fingerprint(a.conn()), Fingerprint(other.conn()));
}

TEST(SyntheticActivity, ASecondRunOverTheSameDaysIsRefusedAndWritesNothing) {
  District district;
  ASSERT_TRUE(district.Simulate().ok());
  auto before = Fingerprint(district.conn());
  auto again = district.Simulate(2);
  EXPECT_EQ(again.status().code(), StatusCode::kConflict);
  EXPECT_NE(again.status().message().find("nothing was written"), std::string::npos);
  // Overlapping the last day only.
  auto overlapping = district.Simulate(2, 5, "2026-09-21");
  EXPECT_EQ(overlapping.status().code(), StatusCode::kConflict);
  EXPECT_EQ(Fingerprint(district.conn()), before);
  // The next week is free.
  auto next = district.Simulate(2, 5, "2026-09-22");
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_GT(next->live_sessions, 0);
}

TEST(SyntheticActivity, AStoreWithoutARosterIsRefused) {
  testing::TempDir dir;
  auto db = Database::Open({.path = dir.path() + "/h.db", .readers = 1}, nullptr);
  ASSERT_TRUE(db.ok());
  auto conn = (*db)->OpenConnection();
  ASSERT_TRUE(conn.ok());
  auto r = domain::SimulateActivity(
      **conn, {.first_day = kFirstDay, .school_days = 3, .time_zone = kZone, .now_ms = kNowMs});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("import a roster"), std::string::npos);
  EXPECT_EQ(Count(**conn, "SELECT COUNT(*) FROM live_sessions"), 0);
}

TEST(SyntheticActivity, BadOptionsAreRefused) {
  District district;
  auto run = [&](domain::SimulateActivityOptions o) {
    o.now_ms = kNowMs;
    return domain::SimulateActivity(district.conn(), o).status().code();
  };
  EXPECT_EQ(run({.first_day = "2026-13-01", .time_zone = kZone}), StatusCode::kInvalidArgument);
  EXPECT_EQ(run({.first_day = kFirstDay, .school_days = 0, .time_zone = kZone}),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(run({.first_day = kFirstDay, .time_zone = "Mars/Olympus_Mons"}),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(run({.first_day = kFirstDay, .time_zone = kZone, .external_grade_band = "9-12"}),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Count(district.conn(), "SELECT COUNT(*) FROM live_sessions"), 0);
}

TEST(SyntheticActivity, WithoutAGradeBandNoRuleIsAddedAndEverySessionIsBuiltIn) {
  District district;
  auto r = domain::SimulateActivity(district.conn(), {.first_day = kFirstDay,
                                                      .school_days = 1,
                                                      .time_zone = kZone,
                                                      .external_grade_band = "",
                                                      .now_ms = kNowMs});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->pathway_rules, 0);
  EXPECT_EQ(r->external_sessions, 0);
  EXPECT_EQ(Count(district.conn(), "SELECT COUNT(*) FROM external_opens"), 0);
}

TEST(SyntheticActivity, RulesThatEndAfterTheDaysLeaveTheNextDayBuiltIn) {
  District district;
  auto r = domain::SimulateActivity(district.conn(), {.first_day = kFirstDay,
                                                      .school_days = 2,
                                                      .time_zone = kZone,
                                                      .now_ms = kNowMs,
                                                      .rules_end_after_days = true});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->external_sessions, 0);
  sql::Connection& c = district.conn();
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM pathway_rules WHERE effective_from = '2026-09-19'"
                  " AND pathway = 'built_in'"),
            r->pathway_rules / 2);
  auto rules = pathway_store::ListRules(c);
  ASSERT_TRUE(rules.ok());
  int64_t external_on_friday = 0;
  for (const auto& row : Rows(c, "SELECT id FROM sections WHERE active = 1", 1)) {
    auto section = roster_reader::GetSection(c, row[0]);
    ASSERT_TRUE(section.ok() && *section);
    auto friday = domain::RuleInForce(*rules, **section, "2026-09-18");
    if (friday && friday->pathway == "external") ++external_on_friday;
    for (const char* later : {"2026-09-19", "2026-09-21", "2027-01-04"}) {
      auto rule = domain::RuleInForce(*rules, **section, later);
      EXPECT_TRUE(!rule || rule->pathway == "built_in") << row[0] << " " << later;
    }
  }
  EXPECT_GT(external_on_friday, 0);
}

TEST(SyntheticActivity, TheLastFullSchoolWeekIsOverBeforeToday) {
  using domain::LastFullSchoolWeekBefore;
  using domain::LocalDate;
  // Sunday, Saturday and Monday around the week of 2026-11-23.
  EXPECT_EQ(LastFullSchoolWeekBefore({2026, 11, 29}).ToString(), "2026-11-16");
  EXPECT_EQ(LastFullSchoolWeekBefore({2026, 11, 28}).ToString(), "2026-11-16");
  EXPECT_EQ(LastFullSchoolWeekBefore({2026, 11, 30}).ToString(), "2026-11-23");
  EXPECT_EQ(LastFullSchoolWeekBefore({2026, 12, 4}).ToString(), "2026-11-23");
}

}  // namespace
}  // namespace homeroom::store
