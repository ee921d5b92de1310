#include "domain/synthetic_activity.h"

#include "domain/pathways.h"

namespace homeroom::domain {
namespace {

constexpr int64_t kDayMs = 24 * 60 * 60 * 1000;
constexpr int kNoonMinute = 12 * 60;

// 0 = Monday .. 6 = Sunday; 1970-01-01 was a Thursday.
int64_t Weekday(int64_t day_number) { return ((day_number + 3) % 7 + 7) % 7; }

}  // namespace

std::vector<store::SyntheticDay> SchoolDaysFrom(const DistrictZone& zone, LocalDate first,
                                                int count) {
  std::vector<store::SyntheticDay> days;
  for (int64_t n = first.DaysSinceEpoch(); static_cast<int>(days.size()) < count; ++n) {
    if (Weekday(n) >= 5) continue;
    LocalDate date = LocalDate::FromDaysSinceEpoch(n);
    // Local midnight at the day's noon offset: exact for school hours even on a day whose
    // midnight a DST change skips.
    int64_t noon = zone.LocalToUtcMs(date.year, date.month, date.day, kNoonMinute);
    days.push_back({.date = date.ToString(),
                    .day_number = n,
                    .midnight_ms = noon - int64_t{kNoonMinute} * 60 * 1000});
  }
  return days;
}

LocalDate LastFullSchoolWeekBefore(LocalDate today) {
  int64_t week_ago = today.DaysSinceEpoch() - 7;
  return LocalDate::FromDaysSinceEpoch(week_ago - Weekday(week_ago));
}

Result<store::SyntheticActivitySummary> SimulateActivity(sql::Connection& conn,
                                                         const SimulateActivityOptions& options) {
  HR_ASSIGN_OR_RETURN(LocalDate first, ParseLocalDate(options.first_day, "first day"));
  HR_ASSIGN_OR_RETURN(DistrictZone zone, DistrictZone::Load(options.time_zone));
  if (options.school_days < 1 || options.school_days > kMaxSimulatedSchoolDays) {
    return Status::InvalidArgument("school days must be 1.." +
                                   std::to_string(kMaxSimulatedSchoolDays));
  }
  store::SyntheticActivityOptions o;
  o.days = SchoolDaysFrom(zone, first, options.school_days);
  if (o.days.back().midnight_ms + kDayMs > options.now_ms) {
    return Status::InvalidArgument("the simulated days must be over: " + o.days.back().date +
                                   " has not ended yet");
  }
  o.seed = options.seed;
  o.external_grade_band = options.external_grade_band;
  o.now_ms = options.now_ms;
  if (options.rules_end_after_days) {
    o.rules_end = LocalDate::FromDaysSinceEpoch(o.days.back().day_number + 1).ToString();
  }
  o.cache_bytes = options.cache_bytes;
  o.is_external = [](const std::vector<store::PathwayRuleRecord>& rules,
                     const store::Section& section, std::string_view date) {
    auto rule = RuleInForce(rules, section, date);
    return rule && rule->pathway == kExternal;
  };
  return store::WriteSyntheticActivity(conn, o);
}

}  // namespace homeroom::domain
