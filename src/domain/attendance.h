#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/live_store.h"

namespace homeroom::domain {

// When a student counts as late or as having left early (named settings; serve flags
// --attendance-late-threshold-s and --attendance-left-early-threshold-s).
struct AttendanceRules {
  int64_t late_threshold_ms = 5 * 60'000;        // first join later than this after the start
  int64_t left_early_threshold_ms = 5 * 60'000;  // last leave earlier than this before the end
};

// What the computation needs to know about the session.
struct SessionWindow {
  int64_t starts_ms = 0;  // scheduled
  int64_t ends_ms = 0;    // scheduled
  std::optional<int64_t> started_ms;
  std::optional<int64_t> ended_ms;
  bool live = false;  // still running: an open interval lasts until now
};

// One student's attendance in one session.
struct StudentAttendance {
  int64_t user_id = 0;
  int64_t present_ms = 0;  // union of intervals, clipped to the scheduled window
  std::optional<int64_t> first_join_ms;
  std::optional<int64_t> last_leave_ms;  // absent while present (or never joined)
  bool present_now = false;              // an interval is still open in a live session
  bool absent = true;                    // never joined
  bool late = false;
  bool left_early = false;
  int intervals = 0;

  // Whole minutes present, rounded to the nearest minute.
  int64_t MinutesPresent() const { return (present_ms + 30'000) / 60'000; }
  // "absent", "late" or "present".
  const char* Status() const { return absent ? "absent" : late ? "late" : "present"; }
};

// Computes one student's attendance from their intervals (any order; overlapping intervals from
// reconnects on two devices count once). An open interval ends now while the session is live and
// at its last heartbeat otherwise. Late is measured from the later of the scheduled start and the
// teacher's actual start; left early from the earlier of the scheduled end and the actual end
// (leaving when the teacher ends the session is not leaving early). Pure; thread-safe.
StudentAttendance ComputeAttendance(int64_t user_id, const SessionWindow& window,
                                    const std::vector<store::AttendanceIntervalRecord>& intervals,
                                    const AttendanceRules& rules, int64_t now_ms);

// A session's attendance, one row per enrolled student (by family name).
struct AttendanceReport {
  store::LiveSessionRecord session;
  std::string section_title;
  AttendanceRules rules;
  struct Row {
    store::EnrolledStudent student;
    StudentAttendance attendance;
  };
  std::vector<Row> rows;
};

// The report as CSV for a student information system (RFC 4180: CRLF line ends, fields with a
// comma, quote, CR or LF quoted, quotes doubled), with a header row:
// session_id,section_id,session_title,scheduled_start,scheduled_end,student_id,student_sourced_id,
// username,family_name,given_name,status,minutes_present,first_join,last_leave,late,left_early
// Times are ISO 8601 UTC; empty when absent. A field starting with = + - @ is prefixed with a
// single quote so a spreadsheet does not run it as a formula.
std::string AttendanceCsv(const AttendanceReport& report);
// Quotes one CSV field per RFC 4180 (and defuses formulas as above).
std::string CsvField(std::string_view value);

}  // namespace homeroom::domain
