#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/policy.h"
#include "auth/principal.h"
#include "core/clock.h"
#include "domain/attendance.h"
#include "domain/live_calendar.h"
#include "live/room_types.h"
#include "store/database.h"
#include "store/live_store.h"
#include "store/roster_records.h"

namespace homeroom::domain {

template <typename T>
using LiveTask = boost::asio::awaitable<T>;

// Settings of the live schedule (serve flags --district-time-zone, --live-*, --attendance-*).
struct LiveOptions {
  // The district's IANA time zone: local times in requests and weekly patterns are read in it.
  std::string district_time_zone = "America/New_York";
  // Occurrences one weekly series may materialize (a school year of one period a day is ~180).
  size_t max_series_occurrences = 400;
  // Longest title, in bytes.
  size_t max_title_bytes = 200;
  // Longest session, scheduled end minus start.
  std::chrono::minutes max_session_length{12 * 60};
  // How long before its scheduled start a teacher may start a session.
  std::chrono::minutes max_early_start{60};
  // A list without ?to= covers this long after ?from= (default: now minus a day) ...
  std::chrono::hours default_list_window{15 * 24};
  // ... and no list may cover more than this.
  std::chrono::hours max_list_window{400 * 24};
  // Late and left-early thresholds of attendance reports.
  AttendanceRules attendance;
};

// A live session with the facts about its section that the policy needs.
struct LiveSessionView {
  store::LiveSessionRecord session;
  int64_t school_id = 0;
  std::string section_title;
  std::vector<int64_t> student_ids;  // active students of the section
  // The policy's target for this session's section.
  auth::Target Target() const;
};

// POST /sections/{id}/live-sessions, one-off: times are ISO 8601 with an offset or local
// date-times in the district's zone (ParseInstant).
struct OneOffRequest {
  std::string title;
  std::string starts_at;
  std::string ends_at;
  bool waiting_room = false;
};

// POST /sections/{id}/live-sessions, weekly: local days and times in the district's zone, every
// matching day from `from` to `until` inclusive.
struct WeeklyRequest {
  std::string title;
  std::vector<std::string> days;  // "mon", "wed", ...
  std::string start;              // "09:00"
  std::string end;                // "09:45"
  std::string from;               // "2026-09-01"
  std::string until;              // "2026-12-18"
  bool waiting_room = false;
};

struct ScheduleResult {
  std::optional<store::LiveSeriesRecord> series;  // weekly only
  std::vector<store::LiveSessionRecord> sessions;
};

// Which sessions an edit or a cancel applies to: the one named, or it and every later scheduled
// occurrence of its series.
enum class LiveScope { kOccurrence, kSeries };

// PATCH /live-sessions/{id}. kOccurrence may change title, starts_at/ends_at, waiting_room;
// kSeries may change title, start/end (local HH:MM) and waiting_room of this and later occurrences.
struct EditRequest {
  LiveScope scope = LiveScope::kOccurrence;
  std::optional<std::string> title;
  std::optional<std::string> starts_at;
  std::optional<std::string> ends_at;
  std::optional<std::string> start;
  std::optional<std::string> end;
  std::optional<bool> waiting_room;
};

struct EditResult {
  store::LiveSessionRecord session;  // the session named, after the edit
  int64_t updated = 0;               // sessions changed
};

// [from_ms, to_ms): a list shows the sessions overlapping it.
struct TimeWindow {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
};

// An item of GET /me/live-sessions: for guardians, the children it concerns.
struct MyLiveSession {
  store::LiveSessionRecord session;
  std::string section_title;
  std::vector<store::User> children;
};

// What the WebSocket glue needs to put a participant in a room.
struct JoinGrant {
  live::RoomInfo room;
  live::Participant participant;  // user id, display name and room role
};

// The live-class schedule: sessions of a section (one-off or weekly series), their state machine
// (scheduled -> live -> ended; scheduled or live -> cancelled), lists, the join decision for the
// WebSocket, and attendance reports. Every call runs on the store's threads and resumes the
// caller. Failures: kNotFound (no such session or section), kInvalidArgument (a malformed or
// out-of-range request: the message names the field or the limit), kConflict (the session's
// state does not allow it), kPermissionDenied (AuthorizeJoin only: other calls leave
// authorization to the handler, through auth::Authorize with LiveSessionView::Target()),
// kUnavailable (store saturated). Thread-safe.
class LiveScheduleService {
 public:
  // Called with (session id, "ended" | "cancelled") after a live session was ended or cancelled
  // through the API, so the hub can close its room.
  using OnEnd = std::function<void(int64_t session_id, std::string reason)>;

  // Fails with kInvalidArgument when the district time zone is unknown.
  static Result<std::unique_ptr<LiveScheduleService>> Create(store::Database& db,
                                                             const Clock& clock,
                                                             LiveOptions options);

  // Sets the on-end hook (replacing any previous one). Thread-safe.
  void SetOnEnd(OnEnd on_end);

  LiveTask<Result<ScheduleResult>> ScheduleOneOff(int64_t section_id, int64_t by_user,
                                                  OneOffRequest request);
  LiveTask<Result<ScheduleResult>> ScheduleWeekly(int64_t section_id, int64_t by_user,
                                                  WeeklyRequest request);

  // The session and its section's facts.
  LiveTask<Result<LiveSessionView>> Get(int64_t session_id);
  // Sessions of a section overlapping the window, by start time; cursor paging by session id.
  LiveTask<Result<store::Page<store::LiveSessionRecord>>> ListSection(int64_t section_id,
                                                                      TimeWindow window,
                                                                      int64_t after_id, int limit);
  // The caller's sessions: students' and teachers' sections; guardians' children's sections.
  LiveTask<Result<store::Page<MyLiveSession>>> ListMine(auth::Principal who, TimeWindow window,
                                                        int64_t after_id, int limit);

  LiveTask<Result<EditResult>> Edit(int64_t session_id, EditRequest request);
  // Cancels the session (scheduled or live) or, with kSeries, it and every later scheduled
  // occurrence. Returns how many were cancelled. kConflict when it already ended or was cancelled.
  LiveTask<Result<int64_t>> Cancel(int64_t session_id, LiveScope scope);
  // scheduled -> live. kConflict outside [start - max_early_start, scheduled end) or not scheduled.
  LiveTask<Result<store::LiveSessionRecord>> Start(int64_t session_id);
  // live -> ended, then the on-end hook. kConflict when not live.
  LiveTask<Result<store::LiveSessionRecord>> End(int64_t session_id);
  // live -> ended without calling the hook: for the hub, when a room ends by itself (empty after
  // its scheduled end). OK when the session is no longer live.
  LiveTask<Status> MarkEndedByRoom(int64_t session_id);
  // Live sessions whose scheduled end passed more than `grace_ms` ago (at most `limit`, oldest
  // first): the app ends those that have no room on this node (never joined, or their room was
  // lost in a restart), since only a room ends a session by itself.
  LiveTask<Result<std::vector<int64_t>>> LivePastEnd(int64_t grace_ms, int limit);

  // Whether `who` may join the session's room, as whom, and the room's facts. kNotFound for an
  // unknown session; kPermissionDenied for guardians and non-members; kConflict with "the teacher
  // has not started this session yet", "this session has ended" or "this session was cancelled".
  LiveTask<Result<JoinGrant>> AuthorizeJoin(const auth::Principal& who, int64_t live_session_id);

  // Attendance of every enrolled student (from what the recorder has written).
  LiveTask<Result<AttendanceReport>> Attendance(int64_t session_id);

  // Parses ?from= and ?to= (ParseInstant; defaults and limit from LiveOptions).
  Result<TimeWindow> ParseWindow(const std::optional<std::string>& from,
                                 const std::optional<std::string>& to) const;

  const DistrictZone& zone() const { return zone_; }
  const LiveOptions& options() const { return options_; }

  static constexpr int kMaxPageSize = 200;
  static constexpr int kDefaultPageSize = 50;

 private:
  LiveScheduleService(store::Database& db, const Clock& clock, LiveOptions options,
                      DistrictZone zone);
  Status CheckTitle(const std::string& title) const;
  Status CheckTimes(int64_t starts_ms, int64_t ends_ms) const;
  void NotifyEnd(int64_t session_id, const char* reason);

  store::Database& db_;
  const Clock& clock_;
  const LiveOptions options_;
  const DistrictZone zone_;
  std::mutex on_end_mu_;
  OnEnd on_end_;  // guarded by on_end_mu_
};

}  // namespace homeroom::domain
