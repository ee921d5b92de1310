#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/live_store.h"
#include "store/sql.h"

namespace homeroom::store {

// Daily attendance's facts (migrations/0014_daily_attendance.sql): the district's policy, the
// teachers' overrides, and, for a scope and a window, what students did (live intervals, work
// submitted, external meeting links opened). Stateless: each function runs on the connection it is
// given (Database::Read or Database::Write). Returns kInternal on a database error; "not found" is
// an empty optional.
namespace daily_attendance_store {

// The sections a query covers (exactly one is set): one section, every section of a school, or
// every section one student is enrolled in (and then only that student).
struct Scope {
  std::optional<int64_t> section_id;
  std::optional<int64_t> school_id;
  std::optional<int64_t> student_id;
};

struct PolicyRecord {
  int64_t min_live_minutes = 0;
  bool count_submissions = false;
  bool count_external_opens = false;
  int64_t updated_by = 0;
  int64_t updated_ms = 0;
};

struct OverrideRecord {
  int64_t section_id = 0;
  int64_t student_id = 0;
  std::string day;     // "2026-09-01"
  std::string status;  // "present", "absent"
  std::string reason;
  int64_t set_by = 0;
  int64_t set_ms = 0;
};

// An active student of a section of the scope (a student in two sections appears twice).
struct SectionStudent {
  int64_t section_id = 0;
  std::string section_sourced_id;
  std::string section_title;
  int64_t school_id = 0;
  EnrolledStudent student;
};

// A live session of the scope that ran, with every presence interval in it.
struct SessionWithIntervals {
  LiveSessionRecord session;
  std::vector<AttendanceIntervalRecord> intervals;
};

struct SubmissionEvent {
  int64_t section_id = 0;
  int64_t student_id = 0;
  int64_t submitted_ms = 0;
};

// A student opened the meeting link of an external session of the section starting at starts_ms.
struct ExternalOpen {
  int64_t section_id = 0;
  int64_t student_id = 0;
  int64_t starts_ms = 0;
};

// A student's reconciled time in an external meeting (a session starting at starts_ms).
struct ExternalTime {
  int64_t section_id = 0;
  int64_t student_id = 0;
  int64_t starts_ms = 0;
  int64_t seconds = 0;
};

Result<std::optional<PolicyRecord>> GetPolicy(sql::Connection& c);
Status PutPolicy(sql::Connection& c, const PolicyRecord& policy);

// Students of the scope's sections, by section, family name, given name.
Result<std::vector<SectionStudent>> Students(sql::Connection& c, const Scope& scope);
// Sessions of the scope that started (live or ended) and are scheduled to start in [from, to).
Result<std::vector<SessionWithIntervals>> SessionsWithIntervals(sql::Connection& c,
                                                                const Scope& scope, int64_t from_ms,
                                                                int64_t to_ms);
// (Re)submissions to the scope's assignments made in [from, to).
Result<std::vector<SubmissionEvent>> Submissions(sql::Connection& c, const Scope& scope,
                                                 int64_t from_ms, int64_t to_ms);
// Opened links of the scope's sessions scheduled to start in [from, to).
Result<std::vector<ExternalOpen>> ExternalOpens(sql::Connection& c, const Scope& scope,
                                                int64_t from_ms, int64_t to_ms);
// Reconciled external meeting time of the scope's sessions scheduled to start in [from, to).
Result<std::vector<ExternalTime>> ExternalTimes(sql::Connection& c, const Scope& scope,
                                                int64_t from_ms, int64_t to_ms);
// Overrides of the scope's sections for days in [from_day, to_day] ("YYYY-MM-DD").
Result<std::vector<OverrideRecord>> Overrides(sql::Connection& c, const Scope& scope,
                                              const std::string& from_day,
                                              const std::string& to_day);
Result<std::optional<OverrideRecord>> GetOverride(sql::Connection& c, int64_t section_id,
                                                  int64_t student_id, const std::string& day);
// Sets (replaces) an override, or removes the one of that section, student and day.
Status PutOverride(sql::Connection& c, const OverrideRecord& o);
Status DeleteOverride(sql::Connection& c, int64_t section_id, int64_t student_id,
                      const std::string& day);

}  // namespace daily_attendance_store
}  // namespace homeroom::store
