#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/sql.h"

namespace homeroom::store {

// What a guardian (or the student) should hear about: a live session the student missed, work past
// due that they never turned in. Computed from the schedule, attendance and coursework tables; no
// table of its own.
struct AlertRecord {
  std::string kind;  // "missed_session" or "missing_work"
  int64_t student_id = 0;
  std::string student_name;  // "Ana Pierre"
  int64_t section_id = 0;
  std::string section_title;
  int64_t item_id = 0;  // the live session or the assignment
  std::string title;
  int64_t at_ms = 0;  // the session's scheduled start, or the assignment's due time
};

// Stateless queries (through Database::Read). Only the students' active enrollments count.
// Returns kInternal on a database error.
namespace alerts_store {

// Sessions that ran (started in [from, to), then ended; a class may start before its scheduled
// time) in which the student never joined and never opened the external meeting link.
Result<std::vector<AlertRecord>> MissedSessions(sql::Connection& c,
                                                const std::vector<int64_t>& student_ids,
                                                int64_t from_ms, int64_t to_ms);
// Assignments due in [from, to) with no submission from the student.
Result<std::vector<AlertRecord>> MissingWork(sql::Connection& c,
                                             const std::vector<int64_t>& student_ids,
                                             int64_t from_ms, int64_t to_ms);

}  // namespace alerts_store
}  // namespace homeroom::store
