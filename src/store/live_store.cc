#include "store/live_store.h"

#include <limits>

namespace homeroom::store::live_store {
namespace {

std::string Placeholders(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += i ? ",?" : "?";
  return s;
}

constexpr const char* kSessionColumns =
    "id, section_id, series_id, title, starts_ms, ends_ms, status, waiting_room, started_ms,"
    " ended_ms, created_by, created_ms, updated_ms FROM live_sessions";

LiveSessionRecord ReadSession(const sql::Statement& st) {
  LiveSessionRecord s;
  s.id = st.Int(0);
  s.section_id = st.Int(1);
  s.series_id = st.OptInt(2);
  s.title = st.Text(3);
  s.starts_ms = st.Int(4);
  s.ends_ms = st.Int(5);
  s.status = st.Text(6);
  s.waiting_room = st.Int(7) != 0;
  s.started_ms = st.OptInt(8);
  s.ended_ms = st.OptInt(9);
  s.created_by = st.Int(10);
  s.created_ms = st.Int(11);
  s.updated_ms = st.Int(12);
  return s;
}

Result<std::vector<LiveSessionRecord>> ReadSessions(sql::Statement* st) {
  std::vector<LiveSessionRecord> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadSession(*st));
  }
  return out;
}

// Refreshes last_seen_ms of the open interval(s) of one participant; never moves it backwards.
constexpr const char* kTouchSql =
    "UPDATE attendance_intervals SET last_seen_ms = CASE WHEN last_seen_ms < ? THEN ? ELSE"
    " last_seen_ms END WHERE session_id = ? AND user_id = ? AND left_ms IS NULL";

Result<int64_t> Touch(sql::Connection& c, int64_t session_id, int64_t user_id, int64_t at_ms) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(kTouchSql));
  st->Bind(1, at_ms);
  st->Bind(2, at_ms);
  st->Bind(3, session_id);
  st->Bind(4, user_id);
  HR_RETURN_IF_ERROR(st->Run());
  return c.Changes();
}

}  // namespace

Result<int64_t> InsertSeries(sql::Connection& c, const LiveSeriesRecord& s) {
  HR_ASSIGN_OR_RETURN(
      auto* st, c.Prepare("INSERT INTO live_series (section_id, title, days, start_time, end_time,"
                          " from_date, until_date, time_zone, created_by, created_ms)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
  st->Bind(1, s.section_id);
  st->Bind(2, s.title);
  st->Bind(3, s.days);
  st->Bind(4, s.start_time);
  st->Bind(5, s.end_time);
  st->Bind(6, s.from_date);
  st->Bind(7, s.until_date);
  st->Bind(8, s.time_zone);
  st->Bind(9, s.created_by);
  st->Bind(10, s.created_ms);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Status::Internal("INSERT ... RETURNING gave no row");
  int64_t id = st->Int(0);
  st->Reset();
  return id;
}

Result<std::optional<LiveSeriesRecord>> GetSeries(sql::Connection& c, int64_t id) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare("SELECT id, section_id, title, days, start_time, end_time,"
                                " from_date, until_date, time_zone, created_by, created_ms"
                                " FROM live_series WHERE id = ?"));
  st->Bind(1, id);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<LiveSeriesRecord>();
  LiveSeriesRecord s;
  s.id = st->Int(0);
  s.section_id = st->Int(1);
  s.title = st->Text(2);
  s.days = st->Text(3);
  s.start_time = st->Text(4);
  s.end_time = st->Text(5);
  s.from_date = st->Text(6);
  s.until_date = st->Text(7);
  s.time_zone = st->Text(8);
  s.created_by = st->Int(9);
  s.created_ms = st->Int(10);
  st->Reset();
  return std::optional<LiveSeriesRecord>(std::move(s));
}

Status UpdateSeries(sql::Connection& c, const LiveSeriesRecord& s) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("UPDATE live_series SET title = ?, start_time = ?,"
                                          " end_time = ? WHERE id = ?"));
  st->Bind(1, s.title);
  st->Bind(2, s.start_time);
  st->Bind(3, s.end_time);
  st->Bind(4, s.id);
  return st->Run();
}

Result<std::vector<LiveSessionRecord>> InsertSessions(sql::Connection& c,
                                                      std::vector<LiveSessionRecord> sessions) {
  HR_ASSIGN_OR_RETURN(
      auto* st,
      c.Prepare("INSERT INTO live_sessions (section_id, series_id, title, starts_ms, ends_ms,"
                " status, waiting_room, started_ms, ended_ms, created_by, created_ms, updated_ms)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
  for (auto& s : sessions) {
    st->Reset();
    st->Bind(1, s.section_id);
    st->Bind(2, s.series_id);
    st->Bind(3, s.title);
    st->Bind(4, s.starts_ms);
    st->Bind(5, s.ends_ms);
    st->Bind(6, s.status);
    st->Bind(7, s.waiting_room);
    st->Bind(8, s.started_ms);
    st->Bind(9, s.ended_ms);
    st->Bind(10, s.created_by);
    st->Bind(11, s.created_ms);
    st->Bind(12, s.updated_ms);
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return Status::Internal("INSERT ... RETURNING gave no row");
    s.id = st->Int(0);
  }
  st->Reset();
  return sessions;
}

Result<std::optional<LiveSessionRecord>> GetSession(sql::Connection& c, int64_t id) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare(std::string("SELECT ") + kSessionColumns + " WHERE id = ?"));
  st->Bind(1, id);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<LiveSessionRecord>();
  LiveSessionRecord s = ReadSession(*st);
  st->Reset();
  return std::optional<LiveSessionRecord>(std::move(s));
}

Status UpdateSession(sql::Connection& c, const LiveSessionRecord& s) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare("UPDATE live_sessions SET title = ?, starts_ms = ?, ends_ms = ?,"
                                " status = ?, waiting_room = ?, started_ms = ?, ended_ms = ?,"
                                " updated_ms = ? WHERE id = ?"));
  st->Bind(1, s.title);
  st->Bind(2, s.starts_ms);
  st->Bind(3, s.ends_ms);
  st->Bind(4, s.status);
  st->Bind(5, s.waiting_room);
  st->Bind(6, s.started_ms);
  st->Bind(7, s.ended_ms);
  st->Bind(8, s.updated_ms);
  st->Bind(9, s.id);
  return st->Run();
}

Result<std::vector<LiveSessionRecord>> ScheduledInSeriesFrom(sql::Connection& c, int64_t series_id,
                                                             int64_t from_starts_ms) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(std::string("SELECT ") + kSessionColumns +
                                          " WHERE series_id = ? AND starts_ms >= ? AND"
                                          " status = 'scheduled' ORDER BY starts_ms, id"));
  st->Bind(1, series_id);
  st->Bind(2, from_starts_ms);
  return ReadSessions(st);
}

Result<Page<LiveSessionRecord>> ListSessions(sql::Connection& c,
                                             const std::vector<int64_t>& section_ids,
                                             int64_t from_ms, int64_t to_ms, int64_t after_id,
                                             int limit) {
  Page<LiveSessionRecord> page;
  if (section_ids.empty()) return page;
  // The cursor names the last session seen; the list continues after its (starts_ms, id).
  int64_t after_starts = std::numeric_limits<int64_t>::min();
  if (after_id > 0) {
    HR_ASSIGN_OR_RETURN(auto* at, c.Prepare("SELECT starts_ms FROM live_sessions WHERE id = ?"));
    at->Bind(1, after_id);
    HR_ASSIGN_OR_RETURN(bool row, at->Step());
    if (!row) return page;
    after_starts = at->Int(0);
    at->Reset();
  }
  HR_ASSIGN_OR_RETURN(
      auto* st, c.Prepare(std::string("SELECT ") + kSessionColumns + " WHERE section_id IN (" +
                          Placeholders(section_ids.size()) +
                          ") AND ends_ms > ? AND starts_ms < ? AND (starts_ms > ? OR"
                          " (starts_ms = ? AND id > ?)) ORDER BY starts_ms, id LIMIT ?"));
  int i = 1;
  for (int64_t id : section_ids) st->Bind(i++, id);
  st->Bind(i++, from_ms);
  st->Bind(i++, to_ms);
  st->Bind(i++, after_starts);
  st->Bind(i++, after_starts);
  st->Bind(i++, after_id);
  st->Bind(i, limit + 1);
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_after = page.items.back().id;
      st->Reset();
      break;
    }
    page.items.push_back(ReadSession(*st));
  }
  return page;
}

Result<std::vector<EnrolledStudent>> SectionStudents(sql::Connection& c, int64_t section_id) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare("SELECT u.id, u.sourced_id, u.username, u.given_name, u.family_name"
                                " FROM enrollments e JOIN users u ON u.id = e.user_id"
                                " WHERE e.section_id = ? AND e.active = 1 AND e.role = 'student'"
                                " AND u.active = 1 ORDER BY u.family_name, u.given_name, u.id"));
  st->Bind(1, section_id);
  std::vector<EnrolledStudent> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    EnrolledStudent s;
    s.id = st->Int(0);
    s.sourced_id = st->Text(1);
    s.username = st->Text(2);
    s.given_name = st->Text(3);
    s.family_name = st->Text(4);
    if (!out.empty() && out.back().id == s.id) continue;  // enrolled twice
    out.push_back(std::move(s));
  }
  return out;
}

Result<int64_t> ApplyAttendance(sql::Connection& c, const std::vector<AttendanceEvent>& events) {
  int64_t changed = 0;
  for (const AttendanceEvent& e : events) {
    switch (e.kind) {
      case AttendanceEvent::Kind::kJoined:
        for (int64_t user : e.user_ids) {
          // A second join while an interval is open (a duplicate report) keeps the open one.
          HR_ASSIGN_OR_RETURN(int64_t touched, Touch(c, e.session_id, user, e.at_ms));
          if (touched > 0) {
            changed += touched;
            continue;
          }
          HR_ASSIGN_OR_RETURN(
              auto* st, c.Prepare("INSERT INTO attendance_intervals (session_id, user_id,"
                                  " joined_ms, left_ms, last_seen_ms) VALUES (?, ?, ?, NULL, ?)"));
          st->Bind(1, e.session_id);
          st->Bind(2, user);
          st->Bind(3, e.at_ms);
          st->Bind(4, e.at_ms);
          HR_RETURN_IF_ERROR(st->Run());
          changed += 1;
        }
        break;
      case AttendanceEvent::Kind::kLeft:
        for (int64_t user : e.user_ids) {
          HR_ASSIGN_OR_RETURN(
              auto* st,
              c.Prepare("UPDATE attendance_intervals SET"
                        " left_ms = CASE WHEN ? < joined_ms THEN joined_ms ELSE ? END,"
                        " last_seen_ms = CASE WHEN last_seen_ms < ? THEN ? ELSE last_seen_ms END"
                        " WHERE session_id = ? AND user_id = ? AND left_ms IS NULL"));
          st->Bind(1, e.at_ms);
          st->Bind(2, e.at_ms);
          st->Bind(3, e.at_ms);
          st->Bind(4, e.at_ms);
          st->Bind(5, e.session_id);
          st->Bind(6, user);
          HR_RETURN_IF_ERROR(st->Run());
          changed += c.Changes();
        }
        break;
      case AttendanceEvent::Kind::kHeartbeat:
        for (int64_t user : e.user_ids) {
          HR_ASSIGN_OR_RETURN(int64_t touched, Touch(c, e.session_id, user, e.at_ms));
          changed += touched;
        }
        break;
    }
  }
  return changed;
}

Result<int64_t> CloseOpenIntervals(sql::Connection& c) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("UPDATE attendance_intervals SET left_ms = last_seen_ms"
                                          " WHERE left_ms IS NULL"));
  HR_RETURN_IF_ERROR(st->Run());
  return c.Changes();
}

Result<std::vector<int64_t>> LiveSessionIdsPastEnd(sql::Connection& c, int64_t cutoff_ms,
                                                   int limit) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("SELECT id FROM live_sessions WHERE status = 'live' AND"
                                          " ends_ms <= ? ORDER BY ends_ms, id LIMIT ?"));
  st->Bind(1, cutoff_ms);
  st->Bind(2, static_cast<int64_t>(limit));
  std::vector<int64_t> ids;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    ids.push_back(st->Int(0));
  }
  return ids;
}

Result<std::vector<AttendanceIntervalRecord>> SessionIntervals(sql::Connection& c,
                                                               int64_t session_id) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("SELECT user_id, joined_ms, left_ms, last_seen_ms FROM"
                                          " attendance_intervals WHERE session_id = ?"
                                          " ORDER BY user_id, joined_ms, id"));
  st->Bind(1, session_id);
  std::vector<AttendanceIntervalRecord> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Int(0), st->Int(1), st->OptInt(2), st->Int(3)});
  }
  return out;
}

}  // namespace homeroom::store::live_store
