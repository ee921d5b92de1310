#include "store/alerts_store.h"

namespace homeroom::store::alerts_store {
namespace {

// "?, ?, ?" for n values, bound from index 3 on (1 and 2 are the window).
std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

Result<std::vector<AlertRecord>> Run(sql::Connection& c, const std::string& sql, const char* kind,
                                     const std::vector<int64_t>& student_ids, int64_t from_ms,
                                     int64_t to_ms) {
  std::vector<AlertRecord> out;
  if (student_ids.empty()) return out;
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(sql));
  st->Bind(1, from_ms);
  st->Bind(2, to_ms);
  for (size_t i = 0; i < student_ids.size(); ++i) st->Bind(static_cast<int>(i + 3), student_ids[i]);
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({kind, st->Int(0), st->Text(1), st->Int(2), st->Text(3), st->Int(4), st->Text(5),
                   st->Int(6)});
  }
  return out;
}

}  // namespace

Result<std::vector<AlertRecord>> MissedSessions(sql::Connection& c,
                                                const std::vector<int64_t>& student_ids,
                                                int64_t from_ms, int64_t to_ms) {
  std::string sql =
      "SELECT DISTINCT e.user_id, u.given_name || ' ' || u.family_name, s.id, s.title, ls.id, "
      "ls.title,"
      " ls.starts_ms"
      " FROM enrollments e JOIN users u ON u.id = e.user_id"
      " JOIN live_sessions ls ON ls.section_id = e.section_id"
      " JOIN sections s ON s.id = ls.section_id"
      " WHERE ls.status = 'ended' AND ls.started_ms >= ?1 AND ls.started_ms < ?2"
      " AND e.active = 1 AND e.role = 'student' AND e.user_id IN (" +
      Placeholders(student_ids.size()) +
      ")"
      " AND NOT EXISTS (SELECT 1 FROM attendance_intervals i WHERE i.session_id = ls.id"
      " AND i.user_id = e.user_id)"
      " AND NOT EXISTS (SELECT 1 FROM external_opens o WHERE o.session_id = ls.id"
      " AND o.user_id = e.user_id)"
      " AND NOT EXISTS (SELECT 1 FROM external_attendance x WHERE x.session_id = ls.id"
      " AND x.user_id = e.user_id)"
      " ORDER BY ls.starts_ms DESC";
  return Run(c, sql, "missed_session", student_ids, from_ms, to_ms);
}

Result<std::vector<AlertRecord>> MissingWork(sql::Connection& c,
                                             const std::vector<int64_t>& student_ids,
                                             int64_t from_ms, int64_t to_ms) {
  std::string sql =
      "SELECT DISTINCT e.user_id, u.given_name || ' ' || u.family_name, s.id, s.title, a.id, "
      "a.title,"
      " a.due_ms"
      " FROM enrollments e JOIN users u ON u.id = e.user_id"
      " JOIN assignments a ON a.section_id = e.section_id"
      " JOIN sections s ON s.id = a.section_id"
      " WHERE a.due_ms >= ?1 AND a.due_ms < ?2"
      " AND e.active = 1 AND e.role = 'student' AND e.user_id IN (" +
      Placeholders(student_ids.size()) +
      ")"
      " AND NOT EXISTS (SELECT 1 FROM submissions sub WHERE sub.assignment_id = a.id"
      " AND sub.student_id = e.user_id)"
      " ORDER BY a.due_ms DESC";
  return Run(c, sql, "missing_work", student_ids, from_ms, to_ms);
}

}  // namespace homeroom::store::alerts_store
