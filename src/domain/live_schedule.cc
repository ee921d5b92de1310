#include "domain/live_schedule.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "store/roster_reader.h"

namespace homeroom::domain {

namespace ls = store::live_store;
namespace rr = store::roster_reader;
using store::LiveSessionRecord;
using store::Page;

namespace {

constexpr const char* kScheduled = "scheduled";
constexpr const char* kLive = "live";
constexpr const char* kEnded = "ended";
constexpr const char* kCancelled = "cancelled";

int ClampLimit(int limit) {
  if (limit <= 0) return LiveScheduleService::kDefaultPageSize;
  return std::min(limit, LiveScheduleService::kMaxPageSize);
}

Status NoSession(int64_t id) {
  return Status::NotFound("no live session with id " + std::to_string(id));
}

// Loads a session with its section's facts on `c`.
Result<LiveSessionView> LoadView(sql::Connection& c, int64_t id) {
  HR_ASSIGN_OR_RETURN(auto session, ls::GetSession(c, id));
  if (!session) return NoSession(id);
  HR_ASSIGN_OR_RETURN(auto section, rr::GetSection(c, session->section_id));
  if (!section) return Status::Internal("live session without its section");
  LiveSessionView view;
  view.session = std::move(*session);
  view.school_id = section->school_id;
  view.section_title = section->title;
  HR_ASSIGN_OR_RETURN(view.student_ids, rr::SectionStudentIds(c, section->id));
  return view;
}

Result<LiveSessionRecord> LoadSession(sql::Connection& c, int64_t id) {
  HR_ASSIGN_OR_RETURN(auto session, ls::GetSession(c, id));
  if (!session) return NoSession(id);
  return std::move(*session);
}

Status NotStartedYet() { return Status::Conflict("the teacher has not started this session yet"); }
Status HasEnded() { return Status::Conflict("this session has ended"); }
Status WasCancelled() { return Status::Conflict("this session was cancelled"); }

// The conflict for a session that is over (ended or cancelled); OK otherwise.
Status CheckNotOver(const LiveSessionRecord& s) {
  if (s.status == kEnded) return HasEnded();
  if (s.status == kCancelled) return WasCancelled();
  return Status::Ok();
}

Status CheckSectionExists(sql::Connection& c, int64_t section_id) {
  HR_ASSIGN_OR_RETURN(auto section, rr::GetSection(c, section_id));
  if (!section) return Status::NotFound("no section with id " + std::to_string(section_id));
  if (!section->active) return Status::Conflict("the section is no longer active");
  return Status::Ok();
}

bool Contains(const std::vector<int64_t>& ids, int64_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

auth::Target LiveSessionView::Target() const {
  return {
      .school_ids = {school_id}, .section_ids = {session.section_id}, .student_ids = student_ids};
}

Result<std::unique_ptr<LiveScheduleService>> LiveScheduleService::Create(store::Database& db,
                                                                         const Clock& clock,
                                                                         LiveOptions options) {
  HR_ASSIGN_OR_RETURN(DistrictZone zone, DistrictZone::Load(options.district_time_zone));
  return std::unique_ptr<LiveScheduleService>(
      new LiveScheduleService(db, clock, std::move(options), std::move(zone)));
}

LiveScheduleService::LiveScheduleService(store::Database& db, const Clock& clock,
                                         LiveOptions options, DistrictZone zone)
    : db_(db), clock_(clock), options_(std::move(options)), zone_(std::move(zone)) {}

void LiveScheduleService::SetOnEnd(OnEnd on_end) {
  std::lock_guard lock(on_end_mu_);
  on_end_ = std::move(on_end);
}

void LiveScheduleService::NotifyEnd(int64_t session_id, const char* reason) {
  OnEnd hook;
  {
    std::lock_guard lock(on_end_mu_);
    hook = on_end_;
  }
  if (hook) hook(session_id, reason);
}

Status LiveScheduleService::CheckTitle(const std::string& title) const {
  if (title.empty() || title.size() > options_.max_title_bytes) {
    return Status::InvalidArgument("title is required, at most " +
                                   std::to_string(options_.max_title_bytes) + " bytes");
  }
  return Status::Ok();
}

Status LiveScheduleService::CheckTimes(int64_t starts_ms, int64_t ends_ms) const {
  if (ends_ms <= starts_ms) return Status::InvalidArgument("a session must end after it starts");
  auto max_ms = std::chrono::duration_cast<std::chrono::milliseconds>(options_.max_session_length);
  if (ends_ms - starts_ms > max_ms.count()) {
    return Status::InvalidArgument("a session may last at most " +
                                   std::to_string(options_.max_session_length.count()) +
                                   " minutes (max_session_length)");
  }
  return Status::Ok();
}

Result<TimeWindow> LiveScheduleService::ParseWindow(const std::optional<std::string>& from,
                                                    const std::optional<std::string>& to) const {
  using std::chrono::milliseconds;
  TimeWindow w;
  if (from) {
    HR_ASSIGN_OR_RETURN(w.from_ms, ParseInstant(*from, zone_, "from"));
  } else {
    w.from_ms = clock_.NowMs() - 24 * 3600 * 1000;
  }
  if (to) {
    HR_ASSIGN_OR_RETURN(w.to_ms, ParseInstant(*to, zone_, "to"));
  } else {
    w.to_ms =
        w.from_ms + std::chrono::duration_cast<milliseconds>(options_.default_list_window).count();
  }
  if (w.to_ms <= w.from_ms) return Status::InvalidArgument("to must be after from");
  if (w.to_ms - w.from_ms >
      std::chrono::duration_cast<milliseconds>(options_.max_list_window).count()) {
    return Status::InvalidArgument("from..to may span at most " +
                                   std::to_string(options_.max_list_window.count() / 24) +
                                   " days (max_list_window)");
  }
  return w;
}

LiveTask<Result<ScheduleResult>> LiveScheduleService::ScheduleOneOff(int64_t section_id,
                                                                     int64_t by_user,
                                                                     OneOffRequest req) {
  HR_CO_RETURN_IF_ERROR(CheckTitle(req.title));
  HR_CO_ASSIGN_OR_RETURN(int64_t starts, ParseInstant(req.starts_at, zone_, "starts_at"));
  HR_CO_ASSIGN_OR_RETURN(int64_t ends, ParseInstant(req.ends_at, zone_, "ends_at"));
  HR_CO_RETURN_IF_ERROR(CheckTimes(starts, ends));
  int64_t now = clock_.NowMs();
  if (ends <= now) co_return Status::InvalidArgument("a session cannot end in the past");
  LiveSessionRecord s;
  s.section_id = section_id;
  s.title = std::move(req.title);
  s.starts_ms = starts;
  s.ends_ms = ends;
  s.waiting_room = req.waiting_room;
  s.created_by = by_user;
  s.created_ms = s.updated_ms = now;
  auto job = [s = std::move(s)](sql::Connection& c) -> Result<ScheduleResult> {
    HR_RETURN_IF_ERROR(CheckSectionExists(c, s.section_id));
    ScheduleResult r;
    HR_ASSIGN_OR_RETURN(r.sessions, ls::InsertSessions(c, {s}));
    return r;
  };
  co_return co_await db_.Write(std::move(job));
}

LiveTask<Result<ScheduleResult>> LiveScheduleService::ScheduleWeekly(int64_t section_id,
                                                                     int64_t by_user,
                                                                     WeeklyRequest req) {
  HR_CO_RETURN_IF_ERROR(CheckTitle(req.title));
  WeeklyPattern p;
  HR_CO_ASSIGN_OR_RETURN(p.weekdays, ParseWeekdays(req.days));
  HR_CO_ASSIGN_OR_RETURN(p.start_minute, ParseLocalTime(req.start, "start"));
  HR_CO_ASSIGN_OR_RETURN(p.end_minute, ParseLocalTime(req.end, "end"));
  HR_CO_ASSIGN_OR_RETURN(p.from, ParseLocalDate(req.from, "from"));
  HR_CO_ASSIGN_OR_RETURN(p.until, ParseLocalDate(req.until, "until"));
  HR_CO_ASSIGN_OR_RETURN(auto occurrences, ExpandWeekly(p, zone_, options_.max_series_occurrences));
  HR_CO_RETURN_IF_ERROR(CheckTimes(occurrences[0].starts_ms, occurrences[0].ends_ms));
  int64_t now = clock_.NowMs();
  store::LiveSeriesRecord series;
  series.section_id = section_id;
  series.title = req.title;
  series.days = FormatWeekdays(p.weekdays);
  series.start_time = FormatLocalTime(p.start_minute);
  series.end_time = FormatLocalTime(p.end_minute);
  series.from_date = p.from.ToString();
  series.until_date = p.until.ToString();
  series.time_zone = zone_.name();
  series.created_by = by_user;
  series.created_ms = now;
  std::vector<LiveSessionRecord> sessions;
  for (const Occurrence& o : occurrences) {
    if (o.ends_ms <= now) continue;  // a series may start in the past: only its future is made
    LiveSessionRecord s;
    s.section_id = section_id;
    s.title = req.title;
    s.starts_ms = o.starts_ms;
    s.ends_ms = o.ends_ms;
    s.waiting_room = req.waiting_room;
    s.created_by = by_user;
    s.created_ms = s.updated_ms = now;
    sessions.push_back(std::move(s));
  }
  if (sessions.empty()) co_return Status::InvalidArgument("every occurrence is in the past");
  auto job = [series = std::move(series),
              sessions = std::move(sessions)](sql::Connection& c) -> Result<ScheduleResult> {
    HR_RETURN_IF_ERROR(CheckSectionExists(c, series.section_id));
    ScheduleResult r;
    r.series = series;
    HR_ASSIGN_OR_RETURN(r.series->id, ls::InsertSeries(c, series));
    std::vector<LiveSessionRecord> rows = sessions;
    for (auto& s : rows) s.series_id = r.series->id;
    HR_ASSIGN_OR_RETURN(r.sessions, ls::InsertSessions(c, std::move(rows)));
    return r;
  };
  co_return co_await db_.Write(std::move(job));
}

LiveTask<Result<LiveSessionView>> LiveScheduleService::Get(int64_t session_id) {
  auto job = [session_id](sql::Connection& c) { return LoadView(c, session_id); };
  co_return co_await db_.Read(std::move(job));
}

LiveTask<Result<Page<LiveSessionRecord>>> LiveScheduleService::ListSection(int64_t section_id,
                                                                           TimeWindow w,
                                                                           int64_t after_id,
                                                                           int limit) {
  limit = ClampLimit(limit);
  auto job = [=](sql::Connection& c) {
    return ls::ListSessions(c, {section_id}, w.from_ms, w.to_ms, after_id, limit);
  };
  co_return co_await db_.Read(std::move(job));
}

LiveTask<Result<Page<MyLiveSession>>> LiveScheduleService::ListMine(auth::Principal who,
                                                                    TimeWindow w, int64_t after_id,
                                                                    int limit) {
  limit = ClampLimit(limit);
  auto job = [=, who = std::move(who)](sql::Connection& c) -> Result<Page<MyLiveSession>> {
    std::vector<int64_t> section_ids;
    std::map<int64_t, std::vector<store::User>> children_of_section;
    if (who.role == auth::Role::kGuardian) {
      // From the store, not the session cache: the children's enrollments change during the year.
      HR_ASSIGN_OR_RETURN(auto children, rr::ChildrenOf(c, who.user_id));
      for (const auto& child : children) {
        HR_ASSIGN_OR_RETURN(auto ids, rr::UserSectionIds(c, child.id));
        for (int64_t id : ids) children_of_section[id].push_back(child);
      }
      for (const auto& [id, kids] : children_of_section) section_ids.push_back(id);
    } else {
      HR_ASSIGN_OR_RETURN(section_ids, rr::UserSectionIds(c, who.user_id));
    }
    HR_ASSIGN_OR_RETURN(auto page,
                        ls::ListSessions(c, section_ids, w.from_ms, w.to_ms, after_id, limit));
    Page<MyLiveSession> out;
    out.next_after = page.next_after;
    std::map<int64_t, std::string> titles;
    for (auto& s : page.items) {
      MyLiveSession item;
      auto title = titles.find(s.section_id);
      if (title == titles.end()) {
        HR_ASSIGN_OR_RETURN(auto section, rr::GetSection(c, s.section_id));
        title = titles.emplace(s.section_id, section ? section->title : "").first;
      }
      item.section_title = title->second;
      auto kids = children_of_section.find(s.section_id);
      if (kids != children_of_section.end()) item.children = kids->second;
      item.session = std::move(s);
      out.items.push_back(std::move(item));
    }
    return out;
  };
  co_return co_await db_.Read(std::move(job));
}

LiveTask<Result<EditResult>> LiveScheduleService::Edit(int64_t session_id, EditRequest req) {
  if (req.title) HR_CO_RETURN_IF_ERROR(CheckTitle(*req.title));
  std::optional<int64_t> starts, ends;
  std::optional<int> start_minute, end_minute;
  if (req.scope == LiveScope::kOccurrence) {
    if (req.start || req.end) {
      co_return Status::InvalidArgument(
          "start and end (local HH:MM) apply to a series: use starts_at and ends_at for one"
          " occurrence, or scope \"series\"");
    }
    if (req.starts_at) {
      HR_CO_ASSIGN_OR_RETURN(starts, ParseInstant(*req.starts_at, zone_, "starts_at"));
    }
    if (req.ends_at) {
      HR_CO_ASSIGN_OR_RETURN(ends, ParseInstant(*req.ends_at, zone_, "ends_at"));
    }
  } else {
    if (req.starts_at || req.ends_at) {
      co_return Status::InvalidArgument(
          "a series edit takes start and end (local HH:MM), not starts_at and ends_at");
    }
    if (req.start) {
      HR_CO_ASSIGN_OR_RETURN(start_minute, ParseLocalTime(*req.start, "start"));
    }
    if (req.end) {
      HR_CO_ASSIGN_OR_RETURN(end_minute, ParseLocalTime(*req.end, "end"));
    }
  }
  int64_t now = clock_.NowMs();
  auto job = [this, session_id, req = std::move(req), starts, ends, start_minute, end_minute,
              now](sql::Connection& c) -> Result<EditResult> {
    HR_ASSIGN_OR_RETURN(LiveSessionRecord s, LoadSession(c, session_id));
    HR_RETURN_IF_ERROR(CheckNotOver(s));
    bool times = starts || ends || start_minute || end_minute;
    if (times && s.status != kScheduled) {
      return Status::Conflict("the times of a session that has started cannot change");
    }
    EditResult result;
    if (req.scope == LiveScope::kOccurrence) {
      if (req.title) s.title = *req.title;
      if (req.waiting_room) s.waiting_room = *req.waiting_room;
      if (starts) s.starts_ms = *starts;
      if (ends) s.ends_ms = *ends;
      HR_RETURN_IF_ERROR(CheckTimes(s.starts_ms, s.ends_ms));
      s.updated_ms = now;
      HR_RETURN_IF_ERROR(ls::UpdateSession(c, s));
      result.session = s;
      result.updated = 1;
      return result;
    }
    if (!s.series_id) return Status::InvalidArgument("this session is not part of a series");
    HR_ASSIGN_OR_RETURN(auto series, ls::GetSeries(c, *s.series_id));
    if (!series) return Status::Internal("series row missing");
    HR_ASSIGN_OR_RETURN(int old_start, ParseLocalTime(series->start_time, "start"));
    HR_ASSIGN_OR_RETURN(int old_end, ParseLocalTime(series->end_time, "end"));
    int new_start = start_minute.value_or(old_start);
    int new_end = end_minute.value_or(old_end);
    if (new_end <= new_start) {
      return Status::InvalidArgument("end must be after start (a period cannot cross midnight)");
    }
    if (req.title) series->title = *req.title;
    series->start_time = FormatLocalTime(new_start);
    series->end_time = FormatLocalTime(new_end);
    HR_RETURN_IF_ERROR(ls::UpdateSeries(c, *series));
    // This occurrence (scheduled or live) and every later scheduled one.
    HR_ASSIGN_OR_RETURN(auto rows, ls::ScheduledInSeriesFrom(c, *s.series_id, s.starts_ms));
    if (s.status == kLive) rows.insert(rows.begin(), s);
    for (auto& row : rows) {
      if (req.title) row.title = *req.title;
      if (req.waiting_room) row.waiting_room = *req.waiting_room;
      if (row.status == kScheduled && (start_minute || end_minute)) {
        // The occurrence's local day, at the new local times.
        std::string day = zone_.FormatLocal(row.starts_ms).substr(0, 10);
        HR_ASSIGN_OR_RETURN(LocalDate d, ParseLocalDate(day, "date"));
        row.starts_ms = zone_.LocalToUtcMs(d.year, d.month, d.day, new_start);
        row.ends_ms = zone_.LocalToUtcMs(d.year, d.month, d.day, new_end);
        HR_RETURN_IF_ERROR(CheckTimes(row.starts_ms, row.ends_ms));
      }
      row.updated_ms = now;
      HR_RETURN_IF_ERROR(ls::UpdateSession(c, row));
      if (row.id == s.id) result.session = row;
    }
    result.updated = static_cast<int64_t>(rows.size());
    return result;
  };
  co_return co_await db_.Write(std::move(job));
}

LiveTask<Result<int64_t>> LiveScheduleService::Cancel(int64_t session_id, LiveScope scope) {
  int64_t now = clock_.NowMs();
  struct Outcome {
    int64_t cancelled = 0;
    bool was_live = false;
  };
  auto job = [session_id, scope, now](sql::Connection& c) -> Result<Outcome> {
    HR_ASSIGN_OR_RETURN(LiveSessionRecord s, LoadSession(c, session_id));
    HR_RETURN_IF_ERROR(CheckNotOver(s));
    Outcome out;
    out.was_live = s.status == kLive;
    std::vector<LiveSessionRecord> rows{s};
    if (scope == LiveScope::kSeries) {
      if (!s.series_id) return Status::InvalidArgument("this session is not part of a series");
      HR_ASSIGN_OR_RETURN(auto later, ls::ScheduledInSeriesFrom(c, *s.series_id, s.starts_ms));
      for (auto& row : later) {
        if (row.id != s.id) rows.push_back(std::move(row));
      }
    }
    for (auto& row : rows) {
      row.status = kCancelled;
      row.ended_ms = now;
      row.updated_ms = now;
      HR_RETURN_IF_ERROR(ls::UpdateSession(c, row));
    }
    out.cancelled = static_cast<int64_t>(rows.size());
    return out;
  };
  HR_CO_ASSIGN_OR_RETURN(Outcome out, co_await db_.Write(std::move(job)));
  if (out.was_live) NotifyEnd(session_id, kCancelled);
  co_return out.cancelled;
}

LiveTask<Result<LiveSessionRecord>> LiveScheduleService::Start(int64_t session_id) {
  int64_t now = clock_.NowMs();
  int64_t early_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.max_early_start).count();
  auto job = [session_id, now, early_ms, this](sql::Connection& c) -> Result<LiveSessionRecord> {
    HR_ASSIGN_OR_RETURN(LiveSessionRecord s, LoadSession(c, session_id));
    HR_RETURN_IF_ERROR(CheckNotOver(s));
    if (s.status == kLive) return Status::Conflict("this session has already started");
    if (now < s.starts_ms - early_ms) {
      return Status::Conflict("too early: this session can start from " +
                              zone_.FormatLocal(s.starts_ms - early_ms) + " (" + zone_.name() +
                              ")");
    }
    if (now >= s.ends_ms) return Status::Conflict("this session's scheduled time has passed");
    s.status = kLive;
    s.started_ms = now;
    s.updated_ms = now;
    HR_RETURN_IF_ERROR(ls::UpdateSession(c, s));
    return s;
  };
  co_return co_await db_.Write(std::move(job));
}

LiveTask<Result<LiveSessionRecord>> LiveScheduleService::End(int64_t session_id) {
  int64_t now = clock_.NowMs();
  auto job = [session_id, now](sql::Connection& c) -> Result<LiveSessionRecord> {
    HR_ASSIGN_OR_RETURN(LiveSessionRecord s, LoadSession(c, session_id));
    HR_RETURN_IF_ERROR(CheckNotOver(s));
    if (s.status != kLive) return NotStartedYet();
    s.status = kEnded;
    s.ended_ms = now;
    s.updated_ms = now;
    HR_RETURN_IF_ERROR(ls::UpdateSession(c, s));
    return s;
  };
  HR_CO_ASSIGN_OR_RETURN(LiveSessionRecord s, co_await db_.Write(std::move(job)));
  NotifyEnd(session_id, kEnded);
  co_return s;
}

LiveTask<Status> LiveScheduleService::MarkEndedByRoom(int64_t session_id) {
  int64_t now = clock_.NowMs();
  auto job = [session_id, now](sql::Connection& c) -> Status {
    HR_ASSIGN_OR_RETURN(LiveSessionRecord s, LoadSession(c, session_id));
    if (s.status != kLive) return Status::Ok();
    s.status = kEnded;
    s.ended_ms = now;
    s.updated_ms = now;
    return ls::UpdateSession(c, s);
  };
  co_return co_await db_.Write(std::move(job));
}

LiveTask<Result<std::vector<int64_t>>> LiveScheduleService::LivePastEnd(int64_t grace_ms,
                                                                        int limit) {
  const int64_t cutoff = clock_.NowMs() - grace_ms;
  auto job = [cutoff, limit](sql::Connection& c) {
    return ls::LiveSessionIdsPastEnd(c, cutoff, limit);
  };
  co_return co_await db_.Read(std::move(job));
}

LiveTask<Result<JoinGrant>> LiveScheduleService::AuthorizeJoin(const auth::Principal& who,
                                                               int64_t live_session_id) {
  // Copied before the first suspension: the caller's principal need not outlive this call.
  auth::Principal me = who;
  HR_CO_ASSIGN_OR_RETURN(LiveSessionView view, co_await Get(live_session_id));
  HR_CO_RETURN_IF_ERROR(auth::Authorize(me, auth::Action::kJoinLiveSession, view.Target()));
  live::RoomRole role = live::RoomRole::kObserver;
  if (me.role == auth::Role::kStudent) {
    role = live::RoomRole::kStudent;
  } else if (me.role == auth::Role::kTeacher && Contains(me.section_ids, view.session.section_id)) {
    role = live::RoomRole::kTeacher;
  }
  const LiveSessionRecord& s = view.session;
  if (s.status == kScheduled) co_return NotStartedYet();
  HR_CO_RETURN_IF_ERROR(CheckNotOver(s));
  JoinGrant grant;
  grant.room.session_id = s.id;
  grant.room.section_id = s.section_id;
  grant.room.title = s.title;
  grant.room.waiting_room = s.waiting_room;
  grant.room.scheduled_end_ms = s.ends_ms;
  grant.participant.user_id = me.user_id;
  grant.participant.name = me.display_name;
  grant.participant.role = role;
  co_return grant;
}

LiveTask<Result<AttendanceReport>> LiveScheduleService::Attendance(int64_t session_id) {
  int64_t now = clock_.NowMs();
  AttendanceRules rules = options_.attendance;
  auto job = [session_id, now, rules](sql::Connection& c) -> Result<AttendanceReport> {
    HR_ASSIGN_OR_RETURN(LiveSessionView view, LoadView(c, session_id));
    HR_ASSIGN_OR_RETURN(auto students, ls::SectionStudents(c, view.session.section_id));
    HR_ASSIGN_OR_RETURN(auto intervals, ls::SessionIntervals(c, session_id));
    AttendanceReport report;
    report.rules = rules;
    report.section_title = view.section_title;
    SessionWindow w{view.session.starts_ms, view.session.ends_ms, view.session.started_ms,
                    view.session.ended_ms, view.session.status == kLive};
    for (auto& student : students) {
      StudentAttendance a = ComputeAttendance(student.id, w, intervals, rules, now);
      report.rows.push_back({std::move(student), a});
    }
    report.session = std::move(view.session);
    return report;
  };
  co_return co_await db_.Read(std::move(job));
}

}  // namespace homeroom::domain
