#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/sql.h"

namespace homeroom::store {

// A student's reconciled time in an external meeting (migrations/0015_external_attendance.sql).
struct ExternalAttendanceRecord {
  int64_t session_id = 0;
  int64_t user_id = 0;
  int64_t seconds = 0;
  std::string matched_by;  // "email", "username", "name"
  int64_t uploaded_by = 0;
  int64_t uploaded_ms = 0;
};

// A student of a section as the matching needs them.
struct MatchableStudent {
  int64_t id = 0;
  std::string username;
  std::string given_name;
  std::string family_name;
  std::optional<std::string> email;
};

// Stateless queries, each on the connection it is given (Database::Read or Database::Write).
// Returns kInternal on a database error.
namespace external_attendance_store {

// Active students of a section, with their email when the roster has one.
Result<std::vector<MatchableStudent>> SectionStudents(sql::Connection& c, int64_t section_id);
// Replaces the session's rows with `rows` (call inside one Write: all or nothing).
Status Replace(sql::Connection& c, int64_t session_id,
               const std::vector<ExternalAttendanceRecord>& rows);
Result<std::vector<ExternalAttendanceRecord>> ForSession(sql::Connection& c, int64_t session_id);

}  // namespace external_attendance_store
}  // namespace homeroom::store
