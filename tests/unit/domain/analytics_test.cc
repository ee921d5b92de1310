// The analytics' pure parts: the metrics from sums, the grouping words, a day's rollup rows (grade
// band, pathway in force, denominators) and the decision report's parts and CSV.
#include "domain/analytics.h"

#include <gtest/gtest.h>

namespace homeroom::domain {
namespace {

namespace as = store::analytics_store;

as::SectionSize Size(int64_t id, int64_t school, int grade, int64_t students) {
  as::SectionSize s;
  s.section.id = id;
  s.section.school_id = school;
  s.section.low_grade = grade;
  s.section.high_grade = grade;
  s.students = students;
  return s;
}

store::PathwayRuleRecord Rule(int64_t id, std::string scope, std::optional<int64_t> scope_id,
                              std::optional<std::string> band, std::string pathway,
                              std::string from) {
  return {id, std::move(scope), scope_id, std::move(band), std::move(pathway), std::move(from)};
}

TEST(Analytics, MetricsAreRatiosOfSumsAndAbsentWithoutADenominator) {
  as::EngagementCounts c;
  EngagementMetrics none = MetricsOf(c);
  EXPECT_FALSE(none.live_attendance_rate);
  EXPECT_FALSE(none.avg_live_minutes);
  EXPECT_FALSE(none.submission_rate);
  EXPECT_FALSE(none.on_time_rate);
  EXPECT_FALSE(none.avg_grade);
  EXPECT_FALSE(none.connection_problem_rate);

  c.expected_attendances = 40;
  c.attendances = 30;
  c.timed_attendances = 20;
  c.live_seconds = 20 * 35 * 60;
  c.telemetry_attendances = 20;
  c.problem_attendances = 2;
  c.expected_submissions = 50;
  c.submissions = 40;
  c.on_time_submissions = 30;
  c.graded = 4;
  c.grade_centipercent_sum = 4 * 8250;
  EngagementMetrics m = MetricsOf(c);
  EXPECT_DOUBLE_EQ(*m.live_attendance_rate, 0.75);
  EXPECT_DOUBLE_EQ(*m.avg_live_minutes, 35.0);
  EXPECT_DOUBLE_EQ(*m.connection_problem_rate, 0.1);
  EXPECT_DOUBLE_EQ(*m.submission_rate, 0.8);
  EXPECT_DOUBLE_EQ(*m.on_time_rate, 0.75);
  EXPECT_DOUBLE_EQ(*m.avg_grade, 82.5);
}

TEST(Analytics, GroupingWordsAreCheckedAndNamed) {
  auto g = ParseGrouping("pathway,grade_band", "day");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_TRUE(g->day && g->grade_band && g->pathway);
  EXPECT_FALSE(g->school || g->section);
  EXPECT_EQ(GroupingNames(*g), (std::vector<std::string>{"grade_band", "pathway"}));
  auto district = ParseGrouping(std::nullopt, std::nullopt);
  ASSERT_TRUE(district.ok());
  EXPECT_TRUE(GroupingNames(*district).empty());
  EXPECT_FALSE(district->day);
  auto bad = ParseGrouping("school,teacher", std::nullopt);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("\"teacher\""), std::string::npos);
  EXPECT_FALSE(ParseGrouping("school", "week").ok());
}

TEST(Analytics, RollupRowsApplyThePathwayInForceThatDayAndTheDenominators) {
  std::vector<as::SectionSize> sizes = {Size(1, 10, 3, 20), Size(2, 11, 7, 25),
                                        Size(3, 12, 10, 30)};
  // Grades 6-12 external from 09-15; school 12 keeps its own room from 09-01.
  std::vector<store::PathwayRuleRecord> rules = {
      Rule(1, "district", std::nullopt, "6-12", "external", "2026-09-15"),
      Rule(2, "school", 12, std::nullopt, "built_in", "2026-09-01")};
  as::SectionActivity a1{1, {}}, a2{2, {}}, a3{3, {}}, gone{99, {}};
  a1.counts.live_sessions = 2;
  a1.counts.attendances = 35;
  a2.counts.live_sessions = 1;
  a2.counts.assignments_due = 2;
  a3.counts.live_sessions = 1;

  auto before = RollupRows("2026-09-14", sizes, {a1, a2, a3, gone}, rules);
  ASSERT_EQ(before.size(), 3u);              // section 99 is not active any more
  EXPECT_EQ(before[1].pathway, "built_in");  // the district's rule is not in force yet

  auto rows = RollupRows("2026-09-15", sizes, {a1, a2, a3}, rules);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].grade_band, "prek-5");
  EXPECT_EQ(rows[0].pathway, "built_in");
  EXPECT_EQ(rows[0].counts.section_days, 1);
  EXPECT_EQ(rows[0].counts.expected_attendances, 40);  // 2 sessions x 20 students
  EXPECT_EQ(rows[0].counts.attendances, 35);
  EXPECT_EQ(rows[1].grade_band, "6-12");
  EXPECT_EQ(rows[1].pathway, "external");
  EXPECT_EQ(rows[1].counts.expected_submissions, 50);  // 2 assignments x 25 students
  EXPECT_EQ(rows[1].school_id, 11);
  EXPECT_EQ(rows[2].pathway, "built_in");  // school 12's own rule is more specific
}

TEST(Analytics, TheDecisionReportSumsDaysIntoCohortsBandsAndPathways) {
  auto row = [](std::string day, std::optional<std::string> band, std::string pathway,
                int64_t attended, int64_t expected) {
    as::GroupRow r;
    r.day = std::move(day);
    r.grade_band = std::move(band);
    r.pathway = std::move(pathway);
    r.counts.section_days = 1;
    r.counts.attendances = attended;
    r.counts.expected_attendances = expected;
    return r;
  };
  std::vector<as::GroupRow> daily = {
      row("2026-09-14", "6-12", "external", 6, 10), row("2026-09-14", "prek-5", "built_in", 9, 10),
      row("2026-09-15", "6-12", "external", 8, 10), row("2026-09-15", "6-12", "built_in", 9, 10)};
  LocalDate from{2026, 9, 14}, to{2026, 9, 15};
  DecisionReport r = BuildDecisionReport(from, to, daily);
  EXPECT_EQ(r.district.attendances, 32);
  EXPECT_EQ(r.district.section_days, 4);
  ASSERT_EQ(r.cohorts.size(), 3u);
  EXPECT_EQ(r.cohorts[0].grade_band, "6-12");
  EXPECT_EQ(r.cohorts[0].pathway, "built_in");
  EXPECT_EQ(r.cohorts[1].pathway, "external");
  EXPECT_EQ(r.cohorts[1].counts.attendances, 14);
  EXPECT_TRUE(r.cohorts[1].day.empty());
  ASSERT_EQ(r.pathways.size(), 2u);
  EXPECT_EQ(r.pathways[0].pathway, "built_in");
  EXPECT_EQ(r.pathways[0].counts.attendances, 18);
  EXPECT_FALSE(r.pathways[0].grade_band);
  ASSERT_EQ(r.grade_bands.size(), 2u);
  EXPECT_EQ(r.grade_bands[0].counts.attendances, 23);
  EXPECT_TRUE(r.grade_bands[0].pathway.empty());

  std::string csv = DecisionReportCsv(r);
  EXPECT_EQ(csv.rfind("scope,day,grade_band,pathway,live_attendance_rate,", 0), 0u) << csv;
  EXPECT_NE(csv.find("\r\ndistrict,,,,0.8000,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\r\ncohort,,6-12,external,0.7000,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\r\nday,2026-09-14,prek-5,built_in,0.9000,"), std::string::npos) << csv;

  DecisionReport empty = BuildDecisionReport(from, to, {});
  EXPECT_TRUE(empty.cohorts.empty());
  EXPECT_EQ(empty.district.section_days, 0);
}

TEST(Analytics, TheCsvHasTheGroupedKeysAndNeutralizesFormulas) {
  AnalyticsReport report;
  report.query.grouping = {.school = true};
  as::GroupRow row;
  row.school_id = 7;
  row.school_name = "=HYPERLINK(\"x\")";
  row.counts.section_days = 1;
  report.rows.push_back(row);
  std::string csv = AnalyticsCsv(report);
  EXPECT_EQ(csv.rfind("school_id,school_name,live_attendance_rate,", 0), 0u) << csv;
  EXPECT_NE(csv.find("\r\n7,\"'=HYPERLINK(\"\"x\"\")\",,,,,,,1,"), std::string::npos) << csv;
}

}  // namespace
}  // namespace homeroom::domain
