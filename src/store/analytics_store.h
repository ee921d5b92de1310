#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/roster_records.h"
#include "store/sql.h"

namespace homeroom::store {

// Engagement analytics' storage (migrations/0016_analytics.sql): reads one day's activity out of
// the live, pathway, coursework and telemetry tables, writes it as that day's rollup rows, and sums
// rollup rows by any grouping for reports. Stateless: each function runs on the connection it is
// given (Database::Read or Database::Write). Returns kInternal on a database error.
namespace analytics_store {

// Sums over section-days: every field adds up across rows, and every metric of domain/analytics.h
// is a ratio of two of them.
struct EngagementCounts {
  int64_t section_days = 0;
  int64_t live_sessions = 0;
  int64_t expected_attendances = 0;
  int64_t attendances = 0;
  int64_t timed_attendances = 0;
  int64_t live_seconds = 0;
  int64_t telemetry_attendances = 0;
  int64_t problem_attendances = 0;
  int64_t assignments_due = 0;
  int64_t expected_submissions = 0;
  int64_t submissions = 0;
  int64_t on_time_submissions = 0;
  int64_t graded = 0;
  int64_t grade_centipercent_sum = 0;  // each graded score in hundredths of a percent

  EngagementCounts& operator+=(const EngagementCounts& o);
};

// An active section and its active student enrollments (the rollup's denominators).
struct SectionSize {
  Section section;  // id, school_id, low_grade, high_grade (the fields a pathway rule needs)
  int64_t students = 0;
};

// What happened in one section on one day, before the pathway and the denominators are applied.
struct SectionActivity {
  int64_t section_id = 0;
  EngagementCounts counts;  // section_days, expected_* left 0
};

// One row of analytics_section_days.
struct SectionDayRecord {
  std::string day;  // "2026-09-14"
  int64_t section_id = 0;
  int64_t school_id = 0;
  std::optional<std::string> grade_band;
  std::string pathway;
  int64_t students = 0;
  EngagementCounts counts;  // section_days is 1
};

// Every active section with its number of active students.
Result<std::vector<SectionSize>> SectionSizes(sql::Connection& c);

// The activity of every section with a live session scheduled in [from_ms, to_ms) (not cancelled)
// or an assignment due in it, by section id. A student is present at a session when they have a
// presence interval in Homeroom's room, a reconciled time in the external meeting, or opened its
// link; their time is the longer of the room's intervals and the reconciled time. A connection
// problem is a client-reported live-socket drop ('ws_disconnect' on the session's /room page)
// received in [from_ms, to_ms + slack_ms).
Result<std::vector<SectionActivity>> DayActivity(sql::Connection& c, int64_t from_ms, int64_t to_ms,
                                                 int64_t slack_ms);

// Replaces the rollup of `day` with `rows` and marks the day computed at `computed_ms`.
Status ReplaceDay(sql::Connection& c, const std::string& day,
                  const std::vector<SectionDayRecord>& rows, int64_t computed_ms);

// The computed days in [from_day, to_day] with when each was computed.
struct ComputedDay {
  std::string day;
  int64_t computed_ms = 0;
};
Result<std::vector<ComputedDay>> ComputedDays(sql::Connection& c, const std::string& from_day,
                                              const std::string& to_day);

// How rollup rows are grouped; an unset dimension is summed over.
struct Grouping {
  bool day = false;
  bool grade_band = false;
  bool school = false;
  bool section = false;
  bool pathway = false;
};

// One group's sums, with the group's keys (set only for the grouped dimensions).
struct GroupRow {
  std::string day;
  std::optional<std::string> grade_band;
  int64_t school_id = 0;
  std::string school_name;
  int64_t section_id = 0;
  std::string section_title;
  std::string pathway;
  EngagementCounts counts;
};

// Sums rollup rows of days in [from_day, to_day], of `school_ids` only when given, by `grouping`,
// ordered by the grouped keys (day, grade band, school name, section title, pathway).
Result<std::vector<GroupRow>> Sum(sql::Connection& c, const std::string& from_day,
                                  const std::string& to_day, const Grouping& grouping,
                                  const std::optional<std::vector<int64_t>>& school_ids);

}  // namespace analytics_store
}  // namespace homeroom::store
