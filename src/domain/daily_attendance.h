#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "domain/live_calendar.h"
#include "store/daily_attendance_store.h"
#include "store/database.h"

namespace homeroom::domain {

// Daily attendance (docs/api.md, "Daily attendance"): whether a student was present for a school
// day, per section and per school, for the student information system. A day is present when the
// district's policy says so from what the student did that day in the section (minutes in its live
// sessions, work submitted to its assignments, its external meeting link opened), unless a teacher
// overrode it with a reason; every override is in the audit log. Days are the district's calendar
// days; Monday to Friday are listed always, a weekend day only when something happened on it.

// The district's rule (one per district; a district admin sets it, teachers read it).
struct AttendancePolicy {
  int64_t min_live_minutes = 20;      // minutes in the section's live sessions that day
  bool count_submissions = true;      // or work submitted that day
  bool count_external_opens = true;   // or the external meeting link opened that day
  std::optional<int64_t> updated_by;  // absent: these defaults, never set
  std::optional<int64_t> updated_ms;
};

struct DailyAttendanceOptions {
  // Most days one report covers (a month of school days and its weekends).
  int max_days = 31;
  // Longest override reason, in bytes.
  size_t max_reason_bytes = 500;
  // Largest min_live_minutes a policy may set (a school day).
  int64_t max_policy_minutes = 600;
};

// Why a day is what it is, the first that applies: "override", "live", "work", "external", "none".
struct DayAttendance {
  std::string status = "absent";  // "present" or "absent"
  std::string basis = "none";
  int64_t live_minutes = 0;  // in the section's sessions that started that day
  int submissions = 0;       // (re)submissions made that day
  bool opened_external = false;
  std::optional<store::daily_attendance_store::OverrideRecord> override_record;
};

// One student in one section (section_id 0 in a school's combined report), one entry per day.
struct DailyAttendanceRow {
  int64_t section_id = 0;
  std::string section_sourced_id;
  std::string section_title;
  int64_t school_id = 0;
  store::EnrolledStudent student;
  std::vector<DayAttendance> days;
};

struct DailyAttendanceReport {
  AttendancePolicy policy;
  std::vector<LocalDate> days;
  std::vector<DailyAttendanceRow> rows;
};

// What the computation reads, for a scope and the window of its days.
struct DailyAttendanceFacts {
  std::vector<store::daily_attendance_store::SectionStudent> students;
  std::vector<store::daily_attendance_store::SessionWithIntervals> sessions;
  std::vector<store::daily_attendance_store::SubmissionEvent> submissions;
  std::vector<store::daily_attendance_store::ExternalOpen> opens;
  std::vector<store::daily_attendance_store::OverrideRecord> overrides;
  std::vector<store::daily_attendance_store::ExternalTime> external;
};

// The report of [from, until] (inclusive; until >= from) from its facts, one row per student and
// section. A live session's minutes are its attendance (domain/attendance.h) counted on the local
// day it was scheduled to start, plus the student's reconciled time when it ran as an external
// meeting (domain/external_attendance.h); a session still live counts up to `now_ms`. Pure.
DailyAttendanceReport ComputeDailyAttendance(const AttendancePolicy& policy,
                                             const DistrictZone& zone, LocalDate from,
                                             LocalDate until, const DailyAttendanceFacts& facts,
                                             int64_t now_ms);

// A school's report: one row per student (section 0), present on a day when present in any of
// their sections (the basis of the first such section), minutes and submissions summed. Pure.
DailyAttendanceReport CombineBySchool(const DailyAttendanceReport& by_section);

// The report as CSV for a student information system (RFC 4180, CRLF, one line per student and
// day, header row): date,school_id,section_id,section_sourced_id,student_id,student_sourced_id,
// username,family_name,given_name,status,basis,live_minutes,submissions,opened_external,
// override_reason. section_id and section_sourced_id are empty in a school's report.
std::string DailyAttendanceCsv(const DailyAttendanceReport& report);

// Who changes a policy or an override, for the audit log.
struct AttendanceActor {
  int64_t user_id = 0;
  std::string username;
  std::string ip;
};

// A teacher's override: status "present" or "absent" with a reason, or "policy" to remove the
// override and let the policy decide again.
struct OverrideRequest {
  int64_t section_id = 0;
  int64_t student_id = 0;
  std::string date;  // "YYYY-MM-DD"
  std::string status;
  std::string reason;
};

// Daily attendance over the store. Handlers authorize; this validates, computes and audits.
// Thread-safe.
class DailyAttendanceService {
 public:
  DailyAttendanceService(store::Database& db, const Clock& clock, DistrictZone zone,
                         DailyAttendanceOptions options)
      : db_(db), clock_(clock), zone_(std::move(zone)), options_(options) {}

  const DailyAttendanceOptions& options() const { return options_; }
  const std::string& time_zone() const { return zone_.name(); }

  boost::asio::awaitable<Result<AttendancePolicy>> Policy();
  // kInvalidArgument when min_live_minutes is outside 0..max_policy_minutes. Audited
  // ("attendance.policy.set", detail: the new and the previous policy).
  boost::asio::awaitable<Result<AttendancePolicy>> SetPolicy(AttendancePolicy policy,
                                                             AttendanceActor by);

  // The days [from, to] ("YYYY-MM-DD", both optional: this week, Monday to today). kInvalidArgument
  // for a bad date, from after to, or more than max_days.
  Result<std::pair<LocalDate, LocalDate>> Range(const std::optional<std::string>& from,
                                                const std::optional<std::string>& to) const;
  // The per-section report of the scope's sections.
  boost::asio::awaitable<Result<DailyAttendanceReport>> Report(
      store::daily_attendance_store::Scope scope, LocalDate from, LocalDate until);

  // Sets or removes an override (audited as "attendance.override" with the previous one, in the
  // same transaction). kInvalidArgument for a bad status, date or reason, a date in the future;
  // kNotFound when the student is not enrolled in the section. Returns the day as it now stands.
  boost::asio::awaitable<Result<DayAttendance>> Override(OverrideRequest request,
                                                         AttendanceActor by);

 private:
  store::Database& db_;
  const Clock& clock_;
  DistrictZone zone_;
  DailyAttendanceOptions options_;
};

}  // namespace homeroom::domain
