#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "domain/live_calendar.h"
#include "store/sql.h"
#include "store/synthetic_activity.h"

namespace homeroom::domain {

// A simulated stretch of school days over an imported roster, for benchmarks and demos only
// (`homeroom simulate-activity`, `homeroom demo --simulate-last-week`; docs/operations.md,
// "Simulated activity"): the district's calendar and pathway rules over
// store::WriteSyntheticActivity, which writes the rows.

// Most school days one run simulates.
inline constexpr int kMaxSimulatedSchoolDays = 60;

struct SimulateActivityOptions {
  std::string first_day;  // 'YYYY-MM-DD'; a Saturday or Sunday starts on the Monday after
  int school_days = 5;    // Monday to Friday only, 1..kMaxSimulatedSchoolDays
  uint64_t seed = 1;
  std::string time_zone = "America/New_York";  // the district's (serve's --district-time-zone)
  std::string external_grade_band = "6-12";    // "prek-5" | "6-12" | "" (no rule added)
  int64_t now_ms = 0;                          // every simulated day must be over by then
  size_t cache_bytes = size_t{512} << 20;      // store::SyntheticActivityOptions::cache_bytes
  // The rules added for the days end after them (back to built-in the next day): the demo.
  bool rules_end_after_days = false;
};

// `count` school days (Monday to Friday) from `first` on, in `zone`.
std::vector<store::SyntheticDay> SchoolDaysFrom(const DistrictZone& zone, LocalDate first,
                                                int count);

// The Monday of the week (Monday to Sunday) that holds the day a week before `today`: the last
// full school week whose every event, late work included, is over by `today`.
LocalDate LastFullSchoolWeekBefore(LocalDate today);

// Simulates the days on `conn` (one transaction; see store::WriteSyntheticActivity). Each
// section's pathway on each day is the one the district's rules give (RuleInForce), the rules
// this run adds included. Returns the rows written, or kInvalidArgument for a bad date, zone,
// band or count, or days not over by now_ms; otherwise store::WriteSyntheticActivity's errors
// (kNotFound without a roster, kConflict when the days already have live sessions).
// Not thread-safe: it uses the connection, which must not be in a transaction.
Result<store::SyntheticActivitySummary> SimulateActivity(sql::Connection& conn,
                                                         const SimulateActivityOptions& options);

}  // namespace homeroom::domain
