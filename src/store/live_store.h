#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/roster_records.h"
#include "store/sql.h"

namespace homeroom::store {

// A live session as stored (migrations/0003_live.sql). Plain value; not synchronized.
struct LiveSessionRecord {
  int64_t id = 0;
  int64_t section_id = 0;
  std::optional<int64_t> series_id;
  std::string title;
  int64_t starts_ms = 0;
  int64_t ends_ms = 0;
  std::string status = "scheduled";  // scheduled, live, ended, cancelled
  bool waiting_room = false;
  std::optional<int64_t> started_ms;
  std::optional<int64_t> ended_ms;  // when it ended or was cancelled
  int64_t created_by = 0;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

// A weekly pattern in local time; its occurrences are LiveSessionRecords with its id.
struct LiveSeriesRecord {
  int64_t id = 0;
  int64_t section_id = 0;
  std::string title;
  std::string days;        // "mon,wed"
  std::string start_time;  // "09:00"
  std::string end_time;    // "09:45"
  std::string from_date;   // "2026-09-01"
  std::string until_date;  // "2026-12-18"
  std::string time_zone;   // "America/New_York"
  int64_t created_by = 0;
  int64_t created_ms = 0;
};

// One presence interval of a participant; left_ms is absent while it is open.
struct AttendanceIntervalRecord {
  int64_t user_id = 0;
  int64_t joined_ms = 0;
  std::optional<int64_t> left_ms;
  int64_t last_seen_ms = 0;
};

// What a room reported, queued by the attendance recorder and applied in order in one batch.
struct AttendanceEvent {
  enum class Kind { kJoined, kLeft, kHeartbeat };
  Kind kind = Kind::kJoined;
  int64_t session_id = 0;
  int64_t at_ms = 0;
  std::vector<int64_t> user_ids;  // one user for kJoined/kLeft; everyone present for kHeartbeat
};

// An active student of a section, as an attendance report lists them.
struct EnrolledStudent {
  int64_t id = 0;
  std::string sourced_id;
  std::string username;
  std::string given_name;
  std::string family_name;
};

// Queries over live sessions and attendance intervals. Stateless: each function runs on the
// connection it is given (through Database::Read or Database::Write). Returns kInternal on a
// database error; "not found" is an empty optional, not an error.
namespace live_store {

// Inserts a series and returns its id.
Result<int64_t> InsertSeries(sql::Connection& c, const LiveSeriesRecord& series);
Result<std::optional<LiveSeriesRecord>> GetSeries(sql::Connection& c, int64_t id);
// Updates a series' title and local times.
Status UpdateSeries(sql::Connection& c, const LiveSeriesRecord& series);

// Inserts sessions (ids ignored) and returns them with their new ids, in the order given.
Result<std::vector<LiveSessionRecord>> InsertSessions(sql::Connection& c,
                                                      std::vector<LiveSessionRecord> sessions);
Result<std::optional<LiveSessionRecord>> GetSession(sql::Connection& c, int64_t id);
// Writes every mutable column of `s` (title, times, status, waiting_room, started/ended, updated).
Status UpdateSession(sql::Connection& c, const LiveSessionRecord& s);
// Sessions of a series with status 'scheduled' starting at or after `from_starts_ms`, by start.
Result<std::vector<LiveSessionRecord>> ScheduledInSeriesFrom(sql::Connection& c, int64_t series_id,
                                                             int64_t from_starts_ms);

// Sessions of the given sections that overlap [from_ms, to_ms), ordered by (starts_ms, id), paged
// after the session `after_id` (0: from the first). Empty `section_ids` gives an empty page.
Result<Page<LiveSessionRecord>> ListSessions(sql::Connection& c,
                                             const std::vector<int64_t>& section_ids,
                                             int64_t from_ms, int64_t to_ms, int64_t after_id,
                                             int limit);

// Active students of a section by family name, given name, id.
Result<std::vector<EnrolledStudent>> SectionStudents(sql::Connection& c, int64_t section_id);

// Applies queued events in order: kJoined opens an interval (or refreshes the one already open),
// kLeft closes the open one, kHeartbeat moves last_seen_ms of the open ones. Events about intervals
// that are not open are ignored. Returns the number of rows changed.
Result<int64_t> ApplyAttendance(sql::Connection& c, const std::vector<AttendanceEvent>& events);
// Closes every open interval at its last_seen_ms (start-up recovery). Returns how many.
Result<int64_t> CloseOpenIntervals(sql::Connection& c);
// Ids of live sessions whose scheduled end is at or before `cutoff_ms`, oldest end first, at most
// `limit`.
Result<std::vector<int64_t>> LiveSessionIdsPastEnd(sql::Connection& c, int64_t cutoff_ms,
                                                   int limit);
// Every interval of a session, by user then join time.
Result<std::vector<AttendanceIntervalRecord>> SessionIntervals(sql::Connection& c,
                                                               int64_t session_id);

}  // namespace live_store
}  // namespace homeroom::store
