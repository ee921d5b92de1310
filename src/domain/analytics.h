#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "domain/live_calendar.h"
#include "store/analytics_store.h"
#include "store/database.h"
#include "store/pathway_store.h"

namespace homeroom::domain {

// Engagement analytics and the district's decision report (docs/api.md, "Analytics"): per day and
// over a range, by grade band, school, section and pathway, how students took part: live
// attendance rate, average minutes in live sessions, submission rate, on-time rate, average grade
// and connection-problem rate.
//
// Reports read a daily rollup (store/analytics_store.h), not the activity tables: a background job
// recomputes the recent days (AnalyticsOptions::recompute_days) every refresh_interval, and a
// district admin can recompute a range now. A report lists the days of its range not computed yet.

// The six metrics; each absent when its denominator is 0 (nothing to measure is not 0%).
struct EngagementMetrics {
  std::optional<double> live_attendance_rate;     // attendances / expected attendances
  std::optional<double> avg_live_minutes;         // minutes / attendances with a known time
  std::optional<double> submission_rate;          // submissions / expected submissions
  std::optional<double> on_time_rate;             // on-time submissions / submissions
  std::optional<double> avg_grade;                // percent of the points, over graded work
  std::optional<double> connection_problem_rate;  // dropped sockets / attendances in the room
};
EngagementMetrics MetricsOf(const store::analytics_store::EngagementCounts& counts);

struct AnalyticsOptions {
  // Longest range of a report, in days.
  int max_days = 366;
  // Longest range a district admin recomputes in one request, in days.
  int max_refresh_days = 31;
  // Most rows one report returns; more is kInvalidArgument asking for a narrower query.
  size_t max_rows = 20000;
  // How often the background job recomputes the recent days; 0 turns it off.
  std::chrono::seconds refresh_interval{3600};
  // How many days, ending today, the job recomputes (grades and uploaded reports arrive late).
  int recompute_days = 14;
  // How long after a day ends a device's report of a dropped socket still counts for it.
  std::chrono::minutes telemetry_slack{60};
};

// Parses a report's grouping: `by` a comma list of grade_band, school, section, pathway (empty or
// absent: the whole district) and `per` "range" (default) or "day". kInvalidArgument naming the
// bad word.
Result<store::analytics_store::Grouping> ParseGrouping(const std::optional<std::string>& by,
                                                       const std::optional<std::string>& per);
// The grouping's dimensions as the API names them ("grade_band", ...; not "day").
std::vector<std::string> GroupingNames(const store::analytics_store::Grouping& grouping);

struct AnalyticsQuery {
  LocalDate from, to;  // inclusive, the district's calendar
  store::analytics_store::Grouping grouping;
  std::optional<std::vector<int64_t>> school_ids;  // absent: every school
};

// When a report's rollup was computed: the oldest computation among its days, and the days of
// its range with no rollup yet.
struct Freshness {
  std::optional<int64_t> computed_ms;
  std::vector<LocalDate> days_not_computed;
};

struct AnalyticsReport {
  AnalyticsQuery query;
  Freshness freshness;
  std::vector<store::analytics_store::GroupRow> rows;
};

// The district's comparison of pathways and grade bands over a range.
struct DecisionReport {
  LocalDate from, to;
  Freshness freshness;
  store::analytics_store::EngagementCounts district;
  std::vector<store::analytics_store::GroupRow> grade_bands;  // grade_band set
  std::vector<store::analytics_store::GroupRow> pathways;     // pathway set
  std::vector<store::analytics_store::GroupRow> cohorts;      // grade band x pathway
  std::vector<store::analytics_store::GroupRow> daily;        // day x grade band x pathway
};

// The decision report's parts from rollup sums grouped by day, grade band and pathway. Pure.
DecisionReport BuildDecisionReport(LocalDate from, LocalDate to,
                                   const std::vector<store::analytics_store::GroupRow>& daily);

// A day's rollup rows: each active section's activity with its student count, grade band and the
// pathway in force that day (RuleInForce). Sections without activity get no row. Pure.
std::vector<store::analytics_store::SectionDayRecord> RollupRows(
    const std::string& day, const std::vector<store::analytics_store::SectionSize>& sizes,
    const std::vector<store::analytics_store::SectionActivity>& activity,
    const std::vector<store::PathwayRuleRecord>& rules);

// CSV for a spreadsheet: one line per row, the grouped keys, the six metrics (empty when absent)
// and the counts.
std::string AnalyticsCsv(const AnalyticsReport& report);
// CSV of the decision report: a `scope` column (district, grade_band, pathway, cohort, day).
std::string DecisionReportCsv(const DecisionReport& report);

// Rollups and reports over the store. Thread-safe; one refresh runs at a time.
class AnalyticsService {
 public:
  AnalyticsService(store::Database& db, const Clock& clock, DistrictZone zone,
                   AnalyticsOptions options, metrics::Registry& metrics);

  const AnalyticsOptions& options() const { return options_; }
  const DistrictZone& zone() const { return zone_; }

  // A range from the query's from/to (YYYY-MM-DD): to defaults to today, from to six days before
  // to. kInvalidArgument for a bad date, from after to, or more than `max_days` days.
  Result<std::pair<LocalDate, LocalDate>> Range(const std::optional<std::string>& from,
                                                const std::optional<std::string>& to,
                                                int max_days) const;

  // Recomputes the rollup of each day in [from, to]. kConflict when a refresh is running;
  // kUnavailable once stopping (the days before are recomputed).
  boost::asio::awaitable<Result<std::vector<LocalDate>>> Refresh(LocalDate from, LocalDate to);
  // The background job's pass: the recompute_days days ending today.
  boost::asio::awaitable<Status> RefreshRecent();

  // kInvalidArgument when the report would have more than max_rows rows.
  boost::asio::awaitable<Result<AnalyticsReport>> Report(AnalyticsQuery query);
  boost::asio::awaitable<Result<DecisionReport>> Decide(LocalDate from, LocalDate to);

  // A refresh in progress stops after its current day (the server is shutting down).
  void Stop() { stopping_ = true; }

 private:
  boost::asio::awaitable<Result<Freshness>> FreshnessOf(LocalDate from, LocalDate to);

  store::Database& db_;
  const Clock& clock_;
  DistrictZone zone_;
  AnalyticsOptions options_;
  metrics::Registry& metrics_;
  std::atomic<bool> refreshing_{false};
  std::atomic<bool> stopping_{false};
};

}  // namespace homeroom::domain
