#include "store/daily_attendance_store.h"

namespace homeroom::store::daily_attendance_store {
namespace {

// The scope as a condition on a section id column; binds ?1 (section), ?2 (school), ?5 (student).
std::string InScope(const std::string& section_column) {
  return section_column +
         " IN (SELECT id FROM sections WHERE (?1 IS NOT NULL AND id = ?1)"
         " OR (?2 IS NOT NULL AND school_id = ?2)"
         " OR (?5 IS NOT NULL AND id IN (SELECT section_id FROM enrollments WHERE user_id = ?5"
         " AND active = 1 AND role = 'student')))";
}

void BindScope(sql::Statement* st, const Scope& scope) {
  st->Bind(1, scope.section_id);
  st->Bind(2, scope.school_id);
  st->Bind(5, scope.student_id);
}

}  // namespace

Result<std::optional<PolicyRecord>> GetPolicy(sql::Connection& c) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("SELECT min_live_minutes, count_submissions,"
                                          " count_external_opens, updated_by, updated_ms"
                                          " FROM attendance_policy WHERE id = 1"));
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<PolicyRecord>();
  PolicyRecord p{st->Int(0), st->Int(1) != 0, st->Int(2) != 0, st->Int(3), st->Int(4)};
  st->Reset();
  return std::optional(p);
}

Status PutPolicy(sql::Connection& c, const PolicyRecord& p) {
  HR_ASSIGN_OR_RETURN(
      auto* st, c.Prepare("INSERT INTO attendance_policy (id, min_live_minutes, count_submissions,"
                          " count_external_opens, updated_by, updated_ms)"
                          " VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                          " min_live_minutes = excluded.min_live_minutes,"
                          " count_submissions = excluded.count_submissions,"
                          " count_external_opens = excluded.count_external_opens,"
                          " updated_by = excluded.updated_by, updated_ms = excluded.updated_ms"));
  st->Bind(1, p.min_live_minutes);
  st->Bind(2, p.count_submissions);
  st->Bind(3, p.count_external_opens);
  st->Bind(4, p.updated_by);
  st->Bind(5, p.updated_ms);
  return st->Run();
}

Result<std::vector<SectionStudent>> Students(sql::Connection& c, const Scope& scope) {
  HR_ASSIGN_OR_RETURN(
      auto* st,
      c.Prepare("SELECT e.section_id, s.sourced_id, s.title, s.school_id, u.id, u.sourced_id,"
                " u.username, u.given_name, u.family_name"
                " FROM enrollments e JOIN users u ON u.id = e.user_id"
                " JOIN sections s ON s.id = e.section_id"
                " WHERE " +
                InScope("e.section_id") +
                " AND e.active = 1 AND e.role = 'student' AND u.active = 1"
                " AND (?5 IS NULL OR u.id = ?5)"
                " ORDER BY e.section_id, u.family_name, u.given_name, u.id"));
  BindScope(st, scope);
  std::vector<SectionStudent> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    SectionStudent s{
        st->Int(0), st->Text(1), st->Text(2), st->Int(3),
        EnrolledStudent{st->Int(4), st->Text(5), st->Text(6), st->Text(7), st->Text(8)}};
    if (!out.empty() && out.back().section_id == s.section_id &&
        out.back().student.id == s.student.id) {
      continue;  // enrolled twice in one section
    }
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<SessionWithIntervals>> SessionsWithIntervals(sql::Connection& c,
                                                                const Scope& scope, int64_t from_ms,
                                                                int64_t to_ms) {
  HR_ASSIGN_OR_RETURN(
      auto* st,
      c.Prepare("SELECT ls.id, ls.section_id, ls.starts_ms, ls.ends_ms, ls.status, ls.started_ms,"
                " ls.ended_ms, i.user_id, i.joined_ms, i.left_ms, i.last_seen_ms"
                " FROM live_sessions ls"
                " LEFT JOIN attendance_intervals i ON i.session_id = ls.id"
                " WHERE " +
                InScope("ls.section_id") +
                " AND ls.starts_ms >= ?3 AND ls.starts_ms < ?4 AND ls.started_ms IS NOT NULL"
                " ORDER BY ls.id, i.user_id, i.joined_ms"));
  BindScope(st, scope);
  st->Bind(3, from_ms);
  st->Bind(4, to_ms);
  std::vector<SessionWithIntervals> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    if (out.empty() || out.back().session.id != st->Int(0)) {
      SessionWithIntervals s;
      s.session.id = st->Int(0);
      s.session.section_id = st->Int(1);
      s.session.starts_ms = st->Int(2);
      s.session.ends_ms = st->Int(3);
      s.session.status = st->Text(4);
      s.session.started_ms = st->OptInt(5);
      s.session.ended_ms = st->OptInt(6);
      out.push_back(std::move(s));
    }
    if (st->IsNull(7)) continue;  // a session nobody joined
    out.back().intervals.push_back({st->Int(7), st->Int(8), st->OptInt(9), st->Int(10)});
  }
  return out;
}

namespace {

// Runs `sql` (conditions with ?1, ?2, ?5 from InScope and the window as ?3, ?4) and reads each row
// with `read`.
template <typename T, typename Window, typename Read>
Result<std::vector<T>> ScopedRows(sql::Connection& c, const std::string& sql, const Scope& scope,
                                  const Window& from, const Window& to, Read read) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(sql));
  BindScope(st, scope);
  st->Bind(3, from);
  st->Bind(4, to);
  std::vector<T> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(read(st));
  }
  return out;
}

}  // namespace

Result<std::vector<SubmissionEvent>> Submissions(sql::Connection& c, const Scope& scope,
                                                 int64_t from_ms, int64_t to_ms) {
  return ScopedRows<SubmissionEvent>(
      c,
      "SELECT a.section_id, e.student_id, e.submitted_ms FROM submission_events e"
      " JOIN assignments a ON a.id = e.assignment_id WHERE " +
          InScope("a.section_id") + " AND e.submitted_ms >= ?3 AND e.submitted_ms < ?4",
      scope, from_ms, to_ms, [](sql::Statement* st) {
        return SubmissionEvent{st->Int(0), st->Int(1), st->Int(2)};
      });
}

Result<std::vector<ExternalOpen>> ExternalOpens(sql::Connection& c, const Scope& scope,
                                                int64_t from_ms, int64_t to_ms) {
  return ScopedRows<ExternalOpen>(
      c,
      "SELECT ls.section_id, o.user_id, ls.starts_ms FROM external_opens o"
      " JOIN live_sessions ls ON ls.id = o.session_id WHERE " +
          InScope("ls.section_id") + " AND ls.starts_ms >= ?3 AND ls.starts_ms < ?4",
      scope, from_ms, to_ms, [](sql::Statement* st) {
        return ExternalOpen{st->Int(0), st->Int(1), st->Int(2)};
      });
}

Result<std::vector<ExternalTime>> ExternalTimes(sql::Connection& c, const Scope& scope,
                                                int64_t from_ms, int64_t to_ms) {
  return ScopedRows<ExternalTime>(
      c,
      "SELECT ls.section_id, x.user_id, ls.starts_ms, x.seconds FROM external_attendance x"
      " JOIN live_sessions ls ON ls.id = x.session_id WHERE " +
          InScope("ls.section_id") + " AND ls.starts_ms >= ?3 AND ls.starts_ms < ?4",
      scope, from_ms, to_ms, [](sql::Statement* st) {
        return ExternalTime{st->Int(0), st->Int(1), st->Int(2), st->Int(3)};
      });
}

namespace {
constexpr const char* kOverrideColumns =
    "section_id, student_id, day, status, reason, set_by, set_ms";

OverrideRecord ReadOverride(sql::Statement* st) {
  return {st->Int(0), st->Int(1), st->Text(2), st->Text(3), st->Text(4), st->Int(5), st->Int(6)};
}
}  // namespace

Result<std::vector<OverrideRecord>> Overrides(sql::Connection& c, const Scope& scope,
                                              const std::string& from_day,
                                              const std::string& to_day) {
  return ScopedRows<OverrideRecord>(c,
                                    std::string("SELECT ") + kOverrideColumns +
                                        " FROM attendance_overrides WHERE " +
                                        InScope("section_id") + " AND day >= ?3 AND day <= ?4",
                                    scope, from_day, to_day, ReadOverride);
}

Result<std::optional<OverrideRecord>> GetOverride(sql::Connection& c, int64_t section_id,
                                                  int64_t student_id, const std::string& day) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(std::string("SELECT ") + kOverrideColumns +
                                          " FROM attendance_overrides WHERE section_id = ?"
                                          " AND student_id = ? AND day = ?"));
  st->Bind(1, section_id);
  st->Bind(2, student_id);
  st->Bind(3, day);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<OverrideRecord>();
  OverrideRecord o = ReadOverride(st);
  st->Reset();
  return std::optional(std::move(o));
}

Status PutOverride(sql::Connection& c, const OverrideRecord& o) {
  HR_ASSIGN_OR_RETURN(
      auto* st,
      c.Prepare(std::string("INSERT INTO attendance_overrides (") + kOverrideColumns +
                ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (section_id, day, student_id) DO"
                " UPDATE SET status = excluded.status, reason = excluded.reason,"
                " set_by = excluded.set_by, set_ms = excluded.set_ms"));
  st->Bind(1, o.section_id);
  st->Bind(2, o.student_id);
  st->Bind(3, o.day);
  st->Bind(4, o.status);
  st->Bind(5, o.reason);
  st->Bind(6, o.set_by);
  st->Bind(7, o.set_ms);
  return st->Run();
}

Status DeleteOverride(sql::Connection& c, int64_t section_id, int64_t student_id,
                      const std::string& day) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("DELETE FROM attendance_overrides WHERE section_id = ?"
                                          " AND student_id = ? AND day = ?"));
  st->Bind(1, section_id);
  st->Bind(2, student_id);
  st->Bind(3, day);
  return st->Run();
}

}  // namespace homeroom::store::daily_attendance_store
