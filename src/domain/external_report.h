#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace homeroom::domain {

// An external meeting's attendance report, as Zoom, Teams and others export it (docs/api.md,
// "Pathways" > "Reconciling an external meeting"): a CSV or tab-separated file in UTF-8 (with or
// without a byte order mark) or UTF-16 with one, with a header row somewhere in it (Teams puts a
// summary first) naming a participant column and a duration column, then a row per participant or
// per join. Known headers, matched without regard to case:
//   identity:  "User Email", "Email", "Email Address", "Participant ID (UPN)", "Name (Original
//              Name)", "Name", "Full Name", "Participant"
//   duration:  "Duration (Minutes)", "Duration (Mins)", "Total Duration (Minutes)", "In-Meeting
//              Duration", "Attendance Duration", "Duration"
// The table ends at the first empty row. A duration is whole minutes ("35"), "1h 5m 3s" in any
// part, or "hh:mm:ss" / "mm:ss".

// One participant of the report, their rows summed (rejoins).
struct ReportParticipant {
  std::string name;   // from a name column, when there is one
  std::string email;  // from an email or UPN column, lower-cased, when there is one
  int64_t seconds = 0;
};

struct ParsedReport {
  std::vector<ReportParticipant> participants;  // in first-seen order
  int rows = 0;                                 // table rows read
};

struct ExternalReportLimits {
  size_t max_bytes = 1 << 20;  // the route's body limit too
  int max_rows = 5000;
};

// Parses a report. kInvalidArgument, saying what is wrong and where ("line 7: duration \"abc\" is
// not minutes, h m s or hh:mm:ss"), for text that is not UTF-8/UTF-16, a missing header, a bad
// duration or more than max_rows rows; kPayloadTooLarge over max_bytes. Pure.
Result<ParsedReport> ParseExternalReport(std::string_view bytes,
                                         const ExternalReportLimits& limits);

// The duration's seconds, or -1 when it is none of the forms above. Pure.
int64_t ParseDurationSeconds(std::string_view text);

}  // namespace homeroom::domain
