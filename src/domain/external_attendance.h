#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "domain/external_report.h"
#include "store/database.h"
#include "store/external_attendance_store.h"
#include "store/live_store.h"

namespace homeroom::domain {

// Reconciling an external meeting (docs/api.md, "Pathways"): the teacher uploads the platform's
// attendance report for a session; its participants are matched to the section's students and
// their time in the meeting becomes the session's attendance for them (daily attendance counts it
// as live minutes; a reconciled student has no missed-session alert).
//
// Matching, first that applies, each only when it names exactly one student: the report's email
// equals the student's email (any case); its local part is the student's username
// ("ana.pierre@district.example" -> "ana.pierre"), from an address in one of the domains of the
// roster's emails when it has any; its name equals the student's "given family" name (any case).
// Everyone else (the teacher, guests, a name or email two students share) is listed as unmatched.

struct MatchedParticipant {
  store::MatchableStudent student;
  int64_t seconds = 0;
  std::string matched_by;
};

struct Reconciliation {
  std::vector<MatchedParticipant> matched;
  std::vector<ReportParticipant> unmatched;
  int rows = 0;
};

// Matches a report's participants to students (two participants matching one student: their time
// is summed). Pure.
Reconciliation MatchParticipants(const std::vector<ReportParticipant>& participants,
                                 const std::vector<store::MatchableStudent>& students);

class ExternalAttendanceService {
 public:
  ExternalAttendanceService(store::Database& db, const Clock& clock, ExternalReportLimits limits)
      : db_(db), clock_(clock), limits_(limits) {}

  const ExternalReportLimits& limits() const { return limits_; }

  // Parses `report`, matches it against the section's students and replaces the session's
  // reconciled attendance with the matches, all or nothing. A student's time is capped at the
  // session's scheduled length. Errors as ParseExternalReport's; a report that matches nobody is
  // kInvalidArgument and changes nothing; kConflict for a cancelled session or one that has not
  // begun (no attendance for days that have not happened).
  boost::asio::awaitable<Result<Reconciliation>> Reconcile(store::LiveSessionRecord session,
                                                           std::string report, int64_t uploaded_by);
  boost::asio::awaitable<Result<std::vector<store::ExternalAttendanceRecord>>> ForSession(
      int64_t session_id);

 private:
  store::Database& db_;
  const Clock& clock_;
  ExternalReportLimits limits_;
};

}  // namespace homeroom::domain
