#include "store/diagnostics_store.h"

namespace homeroom::store::diagnostics_store {

Result<std::vector<UserAuthEvent>> AuthEvents(sql::Connection& c, int64_t user_id,
                                              const std::string& username, int64_t from_ms,
                                              int64_t to_ms, int64_t limit) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare("SELECT at_ms, ip, kind, COALESCE(detail, '') FROM auth_events"
                                " WHERE (user_id = ? OR (user_id IS NULL AND username = ?))"
                                " AND at_ms >= ? AND at_ms < ? ORDER BY at_ms, id LIMIT ?"));
  st->Bind(1, user_id);
  st->Bind(2, username);
  st->Bind(3, from_ms);
  st->Bind(4, to_ms);
  st->Bind(5, limit);
  std::vector<UserAuthEvent> out;
  while (true) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Int(0), st->Text(1), st->Text(2), st->Text(3)});
  }
  st->Reset();
  return out;
}

Result<std::vector<UserSignIn>> SignIns(sql::Connection& c, int64_t user_id, int64_t from_ms,
                                        int64_t to_ms, int64_t limit) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare("SELECT created_ms, COALESCE(ip, ''), COALESCE(user_agent, ''),"
                                " revoked_ms FROM auth_sessions WHERE user_id = ?"
                                " AND created_ms >= ? AND created_ms < ? ORDER BY created_ms, id"
                                " LIMIT ?"));
  st->Bind(1, user_id);
  st->Bind(2, from_ms);
  st->Bind(3, to_ms);
  st->Bind(4, limit);
  std::vector<UserSignIn> out;
  while (true) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Int(0), st->Text(1), st->Text(2), st->OptInt(3)});
  }
  st->Reset();
  return out;
}

Result<std::vector<UserLiveInterval>> LiveIntervals(sql::Connection& c, int64_t user_id,
                                                    int64_t from_ms, int64_t to_ms, int64_t limit) {
  HR_ASSIGN_OR_RETURN(
      auto* st,
      c.Prepare(
          "SELECT a.session_id, s.title, a.joined_ms, a.left_ms, a.last_seen_ms"
          " FROM attendance_intervals a JOIN live_sessions s ON s.id = a.session_id"
          " WHERE a.user_id = ? AND a.joined_ms < ? AND COALESCE(a.left_ms, a.last_seen_ms) >= ?"
          " ORDER BY a.joined_ms, a.id LIMIT ?"));
  st->Bind(1, user_id);
  st->Bind(2, to_ms);
  st->Bind(3, from_ms);
  st->Bind(4, limit);
  std::vector<UserLiveInterval> out;
  while (true) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Int(0), st->Text(1), st->Int(2), st->OptInt(3), st->Int(4)});
  }
  st->Reset();
  return out;
}

Result<std::vector<BlockRuleRow>> BlockRules(sql::Connection& c, int64_t from_ms, int64_t to_ms) {
  HR_ASSIGN_OR_RETURN(
      auto* st, c.Prepare("SELECT cidr, reason, created_ms, expires_ms FROM guard_rules"
                          " WHERE kind = 'block' AND created_ms <= ?"
                          " AND (expires_ms IS NULL OR expires_ms >= ?) ORDER BY created_ms"));
  st->Bind(1, to_ms);
  st->Bind(2, from_ms);
  std::vector<BlockRuleRow> out;
  while (true) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Text(0), st->Text(1), st->Int(2), st->OptInt(3)});
  }
  st->Reset();
  return out;
}

}  // namespace homeroom::store::diagnostics_store
