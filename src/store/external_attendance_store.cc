#include "store/external_attendance_store.h"

namespace homeroom::store::external_attendance_store {

Result<std::vector<MatchableStudent>> SectionStudents(sql::Connection& c, int64_t section_id) {
  HR_ASSIGN_OR_RETURN(
      auto* st, c.Prepare("SELECT DISTINCT u.id, u.username, u.given_name, u.family_name, u.email"
                          " FROM enrollments e JOIN users u ON u.id = e.user_id"
                          " WHERE e.section_id = ? AND e.active = 1 AND e.role = 'student'"
                          " AND u.active = 1 ORDER BY u.id"));
  st->Bind(1, section_id);
  std::vector<MatchableStudent> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Int(0), st->Text(1), st->Text(2), st->Text(3), st->OptText(4)});
  }
  return out;
}

Status Replace(sql::Connection& c, int64_t session_id,
               const std::vector<ExternalAttendanceRecord>& rows) {
  HR_ASSIGN_OR_RETURN(auto* clear,
                      c.Prepare("DELETE FROM external_attendance WHERE session_id = ?"));
  clear->Bind(1, session_id);
  HR_RETURN_IF_ERROR(clear->Run());
  HR_ASSIGN_OR_RETURN(
      auto* insert, c.Prepare("INSERT INTO external_attendance (session_id, user_id, seconds,"
                              " matched_by, uploaded_by, uploaded_ms) VALUES (?, ?, ?, ?, ?, ?)"));
  for (const auto& r : rows) {
    insert->Reset();  // Run leaves the statement done; rebinding needs a reset
    insert->Bind(1, session_id);
    insert->Bind(2, r.user_id);
    insert->Bind(3, r.seconds);
    insert->Bind(4, r.matched_by);
    insert->Bind(5, r.uploaded_by);
    insert->Bind(6, r.uploaded_ms);
    HR_RETURN_IF_ERROR(insert->Run());
  }
  return Status::Ok();
}

Result<std::vector<ExternalAttendanceRecord>> ForSession(sql::Connection& c, int64_t session_id) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("SELECT session_id, user_id, seconds, matched_by,"
                                          " uploaded_by, uploaded_ms FROM external_attendance"
                                          " WHERE session_id = ? ORDER BY user_id"));
  st->Bind(1, session_id);
  std::vector<ExternalAttendanceRecord> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Int(0), st->Int(1), st->Int(2), st->Text(3), st->Int(4), st->Int(5)});
  }
  return out;
}

}  // namespace homeroom::store::external_attendance_store
