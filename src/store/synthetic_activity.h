#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/pathway_store.h"
#include "store/roster_records.h"
#include "store/sql.h"

namespace homeroom::store {

// A simulated week of activity over an imported roster, for benchmarks and demos (the analytics
// benchmark of bench/analytics/run.sh, `homeroom demo --simulate-last-week`); never for a
// production store. domain/synthetic_activity.h is the entry point callers use: it turns a date
// and a time zone into these days and decides each section's pathway with the district's rules.

// One school day of the district's calendar.
struct SyntheticDay {
  std::string date;         // 'YYYY-MM-DD'
  int64_t day_number = 0;   // the date as days since 1970-01-01 (1970-01-01 was a Thursday)
  int64_t midnight_ms = 0;  // UTC instant of the day's local 00:00 (at the day's noon offset)
};

// Decides whether `section` follows the external pathway on `date`, given every pathway rule in
// the store (the ones this run adds included): domain::RuleInForce's answer.
using SyntheticPathwayFn = std::function<bool(const std::vector<PathwayRuleRecord>& rules,
                                              const Section& section, std::string_view date)>;

struct SyntheticActivityOptions {
  // The school days to fill, ascending, each once.
  std::vector<SyntheticDay> days;
  // Same seed and same store: the same rows.
  uint64_t seed = 1;
  // A district rule sends this grade band ("prek-5" | "6-12") to the external pathway from the
  // first day, and about one school in ten that teaches it gets a school rule back to built-in;
  // empty: no rule is added.
  std::string external_grade_band = "6-12";
  // When set ('YYYY-MM-DD', after the last day): every rule this run adds is followed by a
  // built-in rule of the same scope and band effective that day, so that the pathways of the
  // simulated days end with them (the demo: today's classes stay in Homeroom's own room).
  std::string rules_end;
  // When the run happens: created_ms of rules and links. Nothing is dated after it (a late
  // submission or a grade that would be is left out).
  int64_t now_ms = 0;
  // Required: whether a section meets externally on a day.
  SyntheticPathwayFn is_external;
  // Page cache of the connection while the run writes (restored afterwards): the random-order
  // indexes (attendance_intervals_open, submissions_student, ...) stay in memory.
  size_t cache_bytes = size_t{512} << 20;
};

// Rows written per table.
struct SyntheticActivitySummary {
  int64_t sections = 0;  // sections that had sessions
  int64_t live_sessions = 0;
  int64_t external_sessions = 0;  // of live_sessions
  int64_t attendance_intervals = 0;
  int64_t client_events = 0;
  int64_t external_opens = 0;
  int64_t external_attendance = 0;
  int64_t assignments = 0;
  int64_t submissions = 0;
  int64_t submission_events = 0;
  int64_t pathway_rules = 0;
  int64_t meeting_links = 0;

  // "live_sessions=355110 (external 170000) attendance_intervals=... " on one line.
  std::string ToString() const;
};

// Writes a simulated stretch of school days over the roster in `conn`, in one transaction of its
// own (all of it or none of it). For every active section with active students and a teacher,
// on each day: one ended live session at the section's period (08:00-15:00 local), with the
// teacher's and attending students' attendance intervals (some split by a reconnect, with the
// client's ws_disconnect event and a few rtt samples) when it meets in Homeroom, or the students'
// external_opens and, for most sessions, the teacher's uploaded external_attendance when it meets
// externally; and about two assignments per section per five days, due at 23:59 local, with
// submissions (late flag = submitted after due), their submission_events and most of them graded.
// docs/operations.md, "Simulated activity", lists the rates and value conventions.
//
// Returns the rows written, or: kInvalidArgument for no days, days out of order, an unknown
// grade band, a rules_end not after the last day or no is_external; kNotFound when the store has no
// active section (no roster imported) or, with a grade band, no district administrator to own the
// rule; kConflict when a live session already starts within the days (a second run over them writes
// nothing); the connection's error otherwise (rolled back).
//
// Not thread-safe: it uses the connection, which must not be in a transaction.
Result<SyntheticActivitySummary> WriteSyntheticActivity(sql::Connection& conn,
                                                        const SyntheticActivityOptions& options);

}  // namespace homeroom::store
