#include "domain/analytics.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

#include "core/log.h"
#include "domain/attendance.h"
#include "domain/pathways.h"
#include "store/pathway_store.h"

namespace homeroom::domain {
namespace {

// What a refresh refused during shutdown tells the client to wait: about as long as a node takes
// to be replaced behind the balancer.
constexpr int kShutdownRetryAfterS = 5;

namespace as = store::analytics_store;

std::optional<double> Ratio(double part, int64_t whole) {
  if (whole <= 0) return std::nullopt;
  return part / static_cast<double>(whole);
}

std::vector<std::string> SplitCommas(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view word = text.substr(0, comma);
    if (!word.empty()) out.emplace_back(word);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string Number(const std::optional<double>& v) {
  return v ? fmt::format("{:.4f}", *v) : std::string();
}

// The six metrics and every count, as CSV fields after the keys.
constexpr const char* kMetricsHeader =
    "live_attendance_rate,avg_live_minutes,submission_rate,on_time_rate,avg_grade,"
    "connection_problem_rate,section_days,live_sessions,expected_attendances,attendances,"
    "timed_attendances,live_minutes,telemetry_attendances,problem_attendances,assignments_due,"
    "expected_submissions,submissions,on_time_submissions,graded";

std::string MetricsFields(const as::EngagementCounts& c) {
  EngagementMetrics m = MetricsOf(c);
  return fmt::format(
      "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}", Number(m.live_attendance_rate),
      Number(m.avg_live_minutes), Number(m.submission_rate), Number(m.on_time_rate),
      Number(m.avg_grade), Number(m.connection_problem_rate), c.section_days, c.live_sessions,
      c.expected_attendances, c.attendances, c.timed_attendances, c.live_seconds / 60,
      c.telemetry_attendances, c.problem_attendances, c.assignments_due, c.expected_submissions,
      c.submissions, c.on_time_submissions, c.graded);
}

// Sums rows by a key into `out`, keeping the first row's keys.
template <typename Key>
std::vector<as::GroupRow> Collapse(const std::vector<as::GroupRow>& rows, Key key) {
  std::map<decltype(key(rows.front())), as::GroupRow> groups;
  for (const auto& row : rows) {
    auto [it, fresh] = groups.try_emplace(key(row), row);
    if (!fresh) it->second.counts += row.counts;
  }
  std::vector<as::GroupRow> out;
  for (auto& [k, row] : groups) out.push_back(std::move(row));
  return out;
}

}  // namespace

EngagementMetrics MetricsOf(const as::EngagementCounts& c) {
  EngagementMetrics m;
  m.live_attendance_rate = Ratio(c.attendances, c.expected_attendances);
  m.avg_live_minutes = Ratio(c.live_seconds / 60.0, c.timed_attendances);
  m.submission_rate = Ratio(c.submissions, c.expected_submissions);
  m.on_time_rate = Ratio(c.on_time_submissions, c.submissions);
  m.avg_grade = Ratio(c.grade_centipercent_sum / 100.0, c.graded);
  m.connection_problem_rate = Ratio(c.problem_attendances, c.telemetry_attendances);
  return m;
}

Result<as::Grouping> ParseGrouping(const std::optional<std::string>& by,
                                   const std::optional<std::string>& per) {
  as::Grouping g;
  for (const auto& word : SplitCommas(by.value_or(""))) {
    if (word == "grade_band") {
      g.grade_band = true;
    } else if (word == "school") {
      g.school = true;
    } else if (word == "section") {
      g.section = true;
    } else if (word == "pathway") {
      g.pathway = true;
    } else {
      return Status::InvalidArgument("by: unknown dimension \"" + word +
                                     "\" (grade_band, school, section, pathway)");
    }
  }
  std::string p = per.value_or("range");
  if (p != "range" && p != "day") {
    return Status::InvalidArgument("per must be \"range\" or \"day\"");
  }
  g.day = p == "day";
  return g;
}

std::vector<std::string> GroupingNames(const as::Grouping& g) {
  std::vector<std::string> names;
  if (g.grade_band) names.emplace_back("grade_band");
  if (g.school) names.emplace_back("school");
  if (g.section) names.emplace_back("section");
  if (g.pathway) names.emplace_back("pathway");
  return names;
}

DecisionReport BuildDecisionReport(LocalDate from, LocalDate to,
                                   const std::vector<as::GroupRow>& daily) {
  DecisionReport r;
  r.from = from;
  r.to = to;
  r.daily = daily;
  for (const auto& row : daily) r.district += row.counts;
  if (daily.empty()) return r;
  r.cohorts = Collapse(
      daily, [](const as::GroupRow& g) { return std::make_tuple(g.grade_band, g.pathway); });
  r.grade_bands = Collapse(daily, [](const as::GroupRow& g) { return g.grade_band; });
  r.pathways = Collapse(daily, [](const as::GroupRow& g) { return g.pathway; });
  for (auto& row : r.cohorts) row.day.clear();
  for (auto& row : r.grade_bands) row.day.clear(), row.pathway.clear();
  for (auto& row : r.pathways) row.day.clear(), row.grade_band.reset();
  return r;
}

std::vector<as::SectionDayRecord> RollupRows(const std::string& day,
                                             const std::vector<as::SectionSize>& sizes,
                                             const std::vector<as::SectionActivity>& activity,
                                             const std::vector<store::PathwayRuleRecord>& rules) {
  std::unordered_map<int64_t, const as::SectionSize*> size_of;
  size_of.reserve(sizes.size());
  for (const auto& s : sizes) size_of[s.section.id] = &s;
  std::vector<as::SectionDayRecord> rows;
  rows.reserve(activity.size());
  for (const auto& a : activity) {
    auto found = size_of.find(a.section_id);
    if (found == size_of.end()) continue;  // an inactive section: not part of the district now
    const as::SectionSize& size = *found->second;
    as::SectionDayRecord row;
    row.day = day;
    row.section_id = a.section_id;
    row.school_id = size.section.school_id;
    row.grade_band = SectionBand(size.section);
    auto rule = RuleInForce(rules, size.section, day);
    row.pathway = rule ? rule->pathway : std::string(kBuiltIn);
    row.students = size.students;
    row.counts = a.counts;
    row.counts.section_days = 1;
    row.counts.expected_attendances = a.counts.live_sessions * size.students;
    row.counts.expected_submissions = a.counts.assignments_due * size.students;
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string AnalyticsCsv(const AnalyticsReport& report) {
  const as::Grouping& g = report.query.grouping;
  std::string out;
  if (g.day) out += "day,";
  if (g.grade_band) out += "grade_band,";
  if (g.school) out += "school_id,school_name,";
  if (g.section) out += "section_id,section_title,";
  if (g.pathway) out += "pathway,";
  out += kMetricsHeader;
  out += "\r\n";
  for (const auto& row : report.rows) {
    if (g.day) out += row.day + ",";
    if (g.grade_band) out += row.grade_band.value_or("") + ",";
    if (g.school) out += fmt::format("{},{},", row.school_id, CsvField(row.school_name));
    if (g.section) out += fmt::format("{},{},", row.section_id, CsvField(row.section_title));
    if (g.pathway) out += row.pathway + ",";
    out += MetricsFields(row.counts) + "\r\n";
  }
  return out;
}

std::string DecisionReportCsv(const DecisionReport& r) {
  std::string out = std::string("scope,day,grade_band,pathway,") + kMetricsHeader + "\r\n";
  auto line = [&](std::string_view scope, const as::GroupRow& row) {
    out += fmt::format("{},{},{},{},{}\r\n", scope, row.day, row.grade_band.value_or(""),
                       row.pathway, MetricsFields(row.counts));
  };
  as::GroupRow district;
  district.counts = r.district;
  line("district", district);
  for (const auto& row : r.grade_bands) line("grade_band", row);
  for (const auto& row : r.pathways) line("pathway", row);
  for (const auto& row : r.cohorts) line("cohort", row);
  for (const auto& row : r.daily) line("day", row);
  return out;
}

AnalyticsService::AnalyticsService(store::Database& db, const Clock& clock, DistrictZone zone,
                                   AnalyticsOptions options, metrics::Registry& metrics)
    : db_(db), clock_(clock), zone_(std::move(zone)), options_(options), metrics_(metrics) {
  metrics_.GetCounter("homeroom_analytics_days_computed_total", "Days of rollup recomputed.");
  metrics_.GetCounter("homeroom_analytics_refresh_failures_total",
                      "Rollup refreshes that failed (logged).");
}

Result<std::pair<LocalDate, LocalDate>> AnalyticsService::Range(
    const std::optional<std::string>& from, const std::optional<std::string>& to,
    int max_days) const {
  int64_t last_day = zone_.LocalDayOf(clock_.NowMs());
  if (to) {
    HR_ASSIGN_OR_RETURN(LocalDate last, ParseLocalDate(*to, "to"));
    last_day = last.DaysSinceEpoch();
  }
  int64_t first_day = last_day - 6;
  if (from) {
    HR_ASSIGN_OR_RETURN(LocalDate first, ParseLocalDate(*from, "from"));
    first_day = first.DaysSinceEpoch();
  }
  if (first_day > last_day) return Status::InvalidArgument("from must not be after to");
  if (last_day - first_day + 1 > max_days) {
    return Status::InvalidArgument(fmt::format("a range covers at most {} days", max_days));
  }
  return std::pair(LocalDate::FromDaysSinceEpoch(first_day),
                   LocalDate::FromDaysSinceEpoch(last_day));
}

boost::asio::awaitable<Result<std::vector<LocalDate>>> AnalyticsService::Refresh(LocalDate from,
                                                                                 LocalDate to) {
  if (refreshing_.exchange(true)) {
    co_return Status::Conflict("an analytics refresh is already running; try again when it ends");
  }
  struct Release {
    std::atomic<bool>& flag;
    ~Release() { flag = false; }
  } release{refreshing_};

  // The roster and the rules once for the whole range.
  auto load = [](sql::Connection& c)
      -> Result<std::pair<std::vector<as::SectionSize>, std::vector<store::PathwayRuleRecord>>> {
    HR_ASSIGN_OR_RETURN(auto sizes, as::SectionSizes(c));
    HR_ASSIGN_OR_RETURN(auto rules, store::pathway_store::ListRules(c));
    return std::pair(std::move(sizes), std::move(rules));
  };
  auto loaded = co_await db_.Read(std::move(load));
  if (!loaded.ok()) co_return loaded.status();
  const auto& [sizes, rules] = *loaded;

  std::vector<LocalDate> done;
  int64_t slack_ms = std::chrono::milliseconds(options_.telemetry_slack).count();
  for (int64_t d = from.DaysSinceEpoch(); d <= to.DaysSinceEpoch(); ++d) {
    if (stopping_)
      co_return Status::Unavailable("the server is shutting down", kShutdownRetryAfterS);
    int64_t from_ms = zone_.StartOfDayMs(d);
    int64_t to_ms = zone_.StartOfDayMs(d + 1);
    auto read = [from_ms, to_ms, slack_ms](sql::Connection& c) {
      return as::DayActivity(c, from_ms, to_ms, slack_ms);
    };
    auto activity = co_await db_.Read(std::move(read));
    if (!activity.ok()) co_return activity.status();
    std::string day = LocalDate::FromDaysSinceEpoch(d).ToString();
    auto rows = RollupRows(day, sizes, *activity, rules);
    int64_t now = clock_.NowMs();
    auto write = [day, rows = std::move(rows), now](sql::Connection& c) {
      return as::ReplaceDay(c, day, rows, now);
    };
    Status written = co_await db_.Write(std::move(write));
    if (!written.ok()) co_return written;
    metrics_.GetCounter("homeroom_analytics_days_computed_total", "").Inc();
    done.push_back(LocalDate::FromDaysSinceEpoch(d));
  }
  co_return done;
}

boost::asio::awaitable<Status> AnalyticsService::RefreshRecent() {
  int64_t today = zone_.LocalDayOf(clock_.NowMs());
  LocalDate from = LocalDate::FromDaysSinceEpoch(today - std::max(options_.recompute_days, 1) + 1);
  LocalDate to = LocalDate::FromDaysSinceEpoch(today);
  auto started = std::chrono::steady_clock::now();
  auto done = co_await Refresh(from, to);
  if (!done.ok()) {
    if (done.status().code() != StatusCode::kConflict) {
      metrics_.GetCounter("homeroom_analytics_refresh_failures_total", "").Inc();
    }
    co_return done.status();
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  log::Info("analytics_refreshed", {{"from", from.ToString()},
                                    {"to", to.ToString()},
                                    {"days", static_cast<int64_t>(done->size())},
                                    {"ms", static_cast<int64_t>(ms)}});
  co_return Status::Ok();
}

boost::asio::awaitable<Result<Freshness>> AnalyticsService::FreshnessOf(LocalDate from,
                                                                        LocalDate to) {
  std::string first = from.ToString(), last = to.ToString();
  auto read = [first, last](sql::Connection& c) { return as::ComputedDays(c, first, last); };
  auto computed = co_await db_.Read(std::move(read));
  if (!computed.ok()) co_return computed.status();
  Freshness f;
  size_t next = 0;
  for (int64_t d = from.DaysSinceEpoch(); d <= to.DaysSinceEpoch(); ++d) {
    LocalDate date = LocalDate::FromDaysSinceEpoch(d);
    if (next < computed->size() && (*computed)[next].day == date.ToString()) {
      int64_t ms = (*computed)[next++].computed_ms;
      f.computed_ms = f.computed_ms ? std::min(*f.computed_ms, ms) : ms;
    } else {
      f.days_not_computed.push_back(date);
    }
  }
  co_return f;
}

boost::asio::awaitable<Result<AnalyticsReport>> AnalyticsService::Report(AnalyticsQuery query) {
  AnalyticsReport report;
  report.query = query;
  auto freshness = co_await FreshnessOf(query.from, query.to);
  if (!freshness.ok()) co_return freshness.status();
  report.freshness = std::move(*freshness);
  std::string first = query.from.ToString(), last = query.to.ToString();
  auto read = [first, last, query](sql::Connection& c) {
    return as::Sum(c, first, last, query.grouping, query.school_ids);
  };
  auto rows = co_await db_.Read(std::move(read));
  if (!rows.ok()) co_return rows.status();
  if (rows->size() > options_.max_rows) {
    co_return Status::InvalidArgument(
        fmt::format("the report has {} rows, more than the limit of {} (max_rows): choose a "
                    "shorter range, fewer dimensions or one school",
                    rows->size(), options_.max_rows));
  }
  report.rows = std::move(*rows);
  co_return report;
}

boost::asio::awaitable<Result<DecisionReport>> AnalyticsService::Decide(LocalDate from,
                                                                        LocalDate to) {
  auto freshness = co_await FreshnessOf(from, to);
  if (!freshness.ok()) co_return freshness.status();
  std::string first = from.ToString(), last = to.ToString();
  auto read = [first, last](sql::Connection& c) {
    as::Grouping g{.day = true, .grade_band = true, .pathway = true};
    return as::Sum(c, first, last, g, std::nullopt);
  };
  auto daily = co_await db_.Read(std::move(read));
  if (!daily.ok()) co_return daily.status();
  DecisionReport report = BuildDecisionReport(from, to, *daily);
  report.freshness = std::move(*freshness);
  co_return report;
}

}  // namespace homeroom::domain
