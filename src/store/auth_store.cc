#include "store/auth_store.h"

namespace homeroom::store {
namespace {

// Resets a statement when a single-row read returns: a statement left mid-result keeps its
// connection's read transaction (and WAL snapshot) open, and later reads would see stale rows.
class ResetOnExit {
 public:
  explicit ResetOnExit(sql::Statement* st) : st_(st) {}
  ~ResetOnExit() { st_->Reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  sql::Statement* st_;
};

// Runs a single-column integer query and collects the values (already sorted by the SQL).
Result<std::vector<int64_t>> Ids(sql::Connection& c, std::string_view query, int64_t id) {
  HR_ASSIGN_OR_RETURN(sql::Statement * st, c.Prepare(query));
  st->Bind(1, id);
  std::vector<int64_t> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(st->Int(0));
  }
  return out;
}

Result<UserCredential> ReadCredential(sql::Statement* st) {
  ResetOnExit reset(st);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Status::NotFound("no such user");
  UserCredential u;
  u.user_id = st->Int(0);
  u.username = st->Text(1);
  u.role = st->Text(2);
  u.password_hash = st->OptText(3);
  u.enabled = st->Int(4) != 0;
  u.active = st->Int(5) != 0;
  return u;
}

constexpr std::string_view kCredentialColumns =
    "SELECT id, username, role, password_hash, enabled, active FROM users ";

}  // namespace

Result<UserCredential> FindCredentialByUsernameKey(sql::Connection& c, std::string_view key) {
  HR_ASSIGN_OR_RETURN(sql::Statement * st,
                      c.Prepare(std::string(kCredentialColumns) + "WHERE username_key = ?"));
  st->Bind(1, key);
  return ReadCredential(st);
}

Result<UserCredential> FindCredentialById(sql::Connection& c, int64_t user_id) {
  HR_ASSIGN_OR_RETURN(sql::Statement * st,
                      c.Prepare(std::string(kCredentialColumns) + "WHERE id = ?"));
  st->Bind(1, user_id);
  return ReadCredential(st);
}

Status UpdatePasswordHash(sql::Connection& c, int64_t user_id, std::string_view hash,
                          int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(
      sql::Statement * st,
      c.Prepare("UPDATE users SET password_hash = ?, password_set_ms = ? WHERE id = ?"));
  st->Bind(1, hash);
  st->Bind(2, now_ms);
  st->Bind(3, user_id);
  HR_RETURN_IF_ERROR(st->Run());
  if (c.Changes() == 0) return Status::NotFound("no such user");
  return Status::Ok();
}

Result<PrincipalFacts> LoadPrincipalFacts(sql::Connection& c, int64_t user_id) {
  PrincipalFacts f;
  {
    HR_ASSIGN_OR_RETURN(sql::Statement * st,
                        c.Prepare("SELECT id, username, role, given_name, family_name FROM users "
                                  "WHERE id = ? AND enabled = 1 AND active = 1"));
    st->Bind(1, user_id);
    ResetOnExit reset(st);
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return Status::NotFound("no such active user");
    f.user_id = st->Int(0);
    f.username = st->Text(1);
    f.role = st->Text(2);
    std::string given = st->Text(3), family = st->Text(4);
    f.display_name = given.empty() ? family : family.empty() ? given : given + " " + family;
  }
  HR_ASSIGN_OR_RETURN(
      f.school_ids,
      Ids(c,
          "SELECT DISTINCT o.id FROM user_orgs uo JOIN orgs o ON o.id = uo.org_id "
          "WHERE uo.user_id = ? AND uo.active = 1 AND o.active = 1 AND o.type = 'school' "
          "ORDER BY o.id",
          user_id));
  HR_ASSIGN_OR_RETURN(
      f.section_ids,
      Ids(c,
          "SELECT DISTINCT e.section_id FROM enrollments e JOIN sections s ON s.id = e.section_id "
          "WHERE e.user_id = ? AND e.active = 1 AND s.active = 1 ORDER BY e.section_id",
          user_id));
  HR_ASSIGN_OR_RETURN(
      f.child_ids,
      Ids(c,
          "SELECT DISTINCT g.student_id FROM guardian_links g JOIN users u ON u.id = g.student_id "
          "WHERE g.guardian_id = ? AND g.active = 1 AND u.active = 1 ORDER BY g.student_id",
          user_id));
  return f;
}

Result<int64_t> InsertSession(sql::Connection& c, const NewSession& s) {
  HR_ASSIGN_OR_RETURN(
      sql::Statement * st,
      c.Prepare("INSERT INTO auth_sessions (token_hash, user_id, created_ms, last_seen_ms, "
                "expires_ms, remember, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING id"));
  st->BindBlob(1, s.token_hash);
  st->Bind(2, s.user_id);
  st->Bind(3, s.now_ms);
  st->Bind(4, s.now_ms);
  st->Bind(5, s.expires_ms);
  st->Bind(6, s.remember);
  st->Bind(7, s.ip);
  st->Bind(8, s.user_agent);
  ResetOnExit reset(st);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Status::Internal("INSERT ... RETURNING gave no row");
  return st->Int(0);
}

Result<SessionRow> FindSessionByTokenHash(sql::Connection& c, std::string_view token_hash) {
  HR_ASSIGN_OR_RETURN(sql::Statement * st,
                      c.Prepare("SELECT id, token_hash, user_id, last_seen_ms, expires_ms, "
                                "remember, revoked_ms FROM auth_sessions WHERE token_hash = ?"));
  st->BindBlob(1, token_hash);
  ResetOnExit reset(st);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Status::NotFound("no such session");
  SessionRow r;
  r.id = st->Int(0);
  r.token_hash = st->Text(1);
  r.user_id = st->Int(2);
  r.last_seen_ms = st->Int(3);
  r.expires_ms = st->Int(4);
  r.remember = st->Int(5) != 0;
  r.revoked_ms = st->OptInt(6);
  return r;
}

Status TouchSession(sql::Connection& c, int64_t session_id, int64_t now_ms, int64_t expires_ms) {
  HR_ASSIGN_OR_RETURN(sql::Statement * st,
                      c.Prepare("UPDATE auth_sessions SET last_seen_ms = ?, expires_ms = ? "
                                "WHERE id = ? AND revoked_ms IS NULL"));
  st->Bind(1, now_ms);
  st->Bind(2, expires_ms);
  st->Bind(3, session_id);
  HR_RETURN_IF_ERROR(st->Run());
  if (c.Changes() == 0) return Status::NotFound("session revoked");
  return Status::Ok();
}

Status RevokeSession(sql::Connection& c, int64_t session_id, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(
      sql::Statement * st,
      c.Prepare("UPDATE auth_sessions SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL"));
  st->Bind(1, now_ms);
  st->Bind(2, session_id);
  return st->Run();
}

Result<int64_t> RevokeUserSessions(sql::Connection& c, int64_t user_id, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(sql::Statement * st, c.Prepare("UPDATE auth_sessions SET revoked_ms = ? "
                                                     "WHERE user_id = ? AND revoked_ms IS NULL"));
  st->Bind(1, now_ms);
  st->Bind(2, user_id);
  HR_RETURN_IF_ERROR(st->Run());
  return c.Changes();
}

Result<int64_t> DeleteSessionsEndedBefore(sql::Connection& c, int64_t before_ms) {
  HR_ASSIGN_OR_RETURN(sql::Statement * st,
                      c.Prepare("DELETE FROM auth_sessions WHERE expires_ms < ? OR "
                                "(revoked_ms IS NOT NULL AND revoked_ms < ?)"));
  st->Bind(1, before_ms);
  st->Bind(2, before_ms);
  HR_RETURN_IF_ERROR(st->Run());
  return c.Changes();
}

Status InsertAuthEvent(sql::Connection& c, const AuthEvent& e) {
  HR_ASSIGN_OR_RETURN(sql::Statement * st,
                      c.Prepare("INSERT INTO auth_events (at_ms, user_id, username, ip, kind, "
                                "detail) VALUES (?, ?, ?, ?, ?, ?)"));
  st->Bind(1, e.at_ms);
  st->Bind(2, e.user_id);
  st->Bind(3, e.username);
  st->Bind(4, e.ip);
  st->Bind(5, e.kind);
  st->Bind(6, e.detail);
  return st->Run();
}

Result<ActivationCodeRow> FindActivationCode(sql::Connection& c, std::string_view code_hash) {
  HR_ASSIGN_OR_RETURN(sql::Statement * st,
                      c.Prepare("SELECT id, user_id, expires_ms, used_ms FROM activation_codes "
                                "WHERE code_hash = ?"));
  st->BindBlob(1, code_hash);
  ResetOnExit reset(st);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Status::NotFound("no such activation code");
  ActivationCodeRow r;
  r.id = st->Int(0);
  r.user_id = st->Int(1);
  r.expires_ms = st->Int(2);
  r.used_ms = st->OptInt(3);
  return r;
}

Status ConsumeActivationCode(sql::Connection& c, int64_t code_id, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(
      sql::Statement * st,
      c.Prepare("UPDATE activation_codes SET used_ms = ? WHERE id = ? AND used_ms IS NULL"));
  st->Bind(1, now_ms);
  st->Bind(2, code_id);
  HR_RETURN_IF_ERROR(st->Run());
  if (c.Changes() == 0) return Status::Conflict("activation code already used");
  return Status::Ok();
}

Status InsertActivationCode(sql::Connection& c, int64_t user_id, std::string_view code_hash,
                            int64_t now_ms, int64_t expires_ms) {
  HR_ASSIGN_OR_RETURN(sql::Statement * st,
                      c.Prepare("INSERT INTO activation_codes (code_hash, user_id, created_ms, "
                                "expires_ms) VALUES (?, ?, ?, ?)"));
  st->BindBlob(1, code_hash);
  st->Bind(2, user_id);
  st->Bind(3, now_ms);
  st->Bind(4, expires_ms);
  return st->Run();
}

Status ExpireUnusedActivationCodes(sql::Connection& c, int64_t user_id, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(sql::Statement * st,
                      c.Prepare("UPDATE activation_codes SET expires_ms = ? WHERE user_id = ? "
                                "AND used_ms IS NULL AND expires_ms > ?"));
  st->Bind(1, now_ms);
  st->Bind(2, user_id);
  st->Bind(3, now_ms);
  return st->Run();
}

Result<bool> IsSchool(sql::Connection& c, int64_t org_id) {
  HR_ASSIGN_OR_RETURN(sql::Statement * st,
                      c.Prepare("SELECT 1 FROM orgs WHERE id = ? AND type = 'school'"));
  st->Bind(1, org_id);
  ResetOnExit reset(st);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  return row;
}

Result<std::vector<ActivationCandidate>> ListActivationCandidates(sql::Connection& c,
                                                                  int64_t school_id,
                                                                  bool all_users) {
  HR_ASSIGN_OR_RETURN(
      sql::Statement * st,
      c.Prepare("SELECT DISTINCT u.id, u.username, u.given_name, u.family_name, u.role "
                "FROM users u JOIN user_orgs uo ON uo.user_id = u.id "
                "WHERE uo.org_id = ? AND uo.active = 1 AND u.active = 1 AND u.enabled = 1 "
                "AND (? = 1 OR u.password_hash IS NULL) ORDER BY u.id"));
  st->Bind(1, school_id);
  st->Bind(2, all_users);
  std::vector<ActivationCandidate> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    ActivationCandidate a;
    a.user_id = st->Int(0);
    a.username = st->Text(1);
    std::string given = st->Text(2), family = st->Text(3);
    a.name = given.empty() ? family : family.empty() ? given : given + " " + family;
    a.role = st->Text(4);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace homeroom::store
