#include "store/guard_store.h"

namespace homeroom::store::guard_store {
namespace {

Status CheckKind(std::string_view kind) {
  if (kind == kBlock || kind == kAllow) return Status::Ok();
  return Status::InvalidArgument("a guard rule is \"block\" or \"allow\"");
}

GuardRule ReadRule(const sql::Statement& st) {
  GuardRule r;
  r.id = st.Int(0);
  r.kind = st.Text(1);
  r.cidr = st.Text(2);
  r.reason = st.Text(3);
  r.created_by = st.Text(4);
  r.created_ms = st.Int(5);
  r.expires_ms = st.OptInt(6);
  return r;
}

}  // namespace

Result<GuardRule> PutRule(sql::Connection& c, GuardRule rule) {
  HR_RETURN_IF_ERROR(CheckKind(rule.kind));
  HR_ASSIGN_OR_RETURN(
      auto* st,
      c.Prepare("INSERT INTO guard_rules (kind, cidr, reason, created_by, created_ms, expires_ms)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, cidr) DO UPDATE SET"
                " reason = excluded.reason, created_by = excluded.created_by,"
                " created_ms = excluded.created_ms, expires_ms = excluded.expires_ms"
                " RETURNING id"));
  st->Bind(1, rule.kind);
  st->Bind(2, rule.cidr);
  st->Bind(3, rule.reason);
  st->Bind(4, rule.created_by);
  st->Bind(5, rule.created_ms);
  st->Bind(6, rule.expires_ms);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Status::Internal("INSERT ... RETURNING gave no row");
  rule.id = st->Int(0);
  st->Reset();
  return rule;
}

Result<bool> DeleteRule(sql::Connection& c, std::string_view kind, std::string_view cidr) {
  HR_RETURN_IF_ERROR(CheckKind(kind));
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("DELETE FROM guard_rules WHERE kind = ? AND cidr = ?"));
  st->Bind(1, kind);
  st->Bind(2, cidr);
  HR_RETURN_IF_ERROR(st->Run());
  return c.Changes() > 0;
}

Result<std::vector<GuardRule>> ListRules(sql::Connection& c, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare("SELECT id, kind, cidr, reason, created_by, created_ms, expires_ms"
                                " FROM guard_rules WHERE expires_ms IS NULL OR expires_ms > ?"
                                " ORDER BY kind, cidr"));
  st->Bind(1, now_ms);
  std::vector<GuardRule> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadRule(*st));
  }
  st->Reset();
  return out;
}

Result<int64_t> DeleteExpired(sql::Connection& c, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("DELETE FROM guard_rules WHERE expires_ms <= ?"));
  st->Bind(1, now_ms);
  HR_RETURN_IF_ERROR(st->Run());
  return c.Changes();
}

Status PutSetting(sql::Connection& c, const GuardSetting& s) {
  HR_ASSIGN_OR_RETURN(
      auto* st,
      c.Prepare(
          "INSERT INTO guard_settings (name, value, updated_by, updated_ms) VALUES (?, ?, ?, ?)"
          " ON CONFLICT (name) DO UPDATE SET value = excluded.value,"
          " updated_by = excluded.updated_by, updated_ms = excluded.updated_ms"));
  st->Bind(1, s.name);
  st->Bind(2, s.value);
  st->Bind(3, s.updated_by);
  st->Bind(4, s.updated_ms);
  return st->Run();
}

Result<std::optional<GuardSetting>> GetSetting(sql::Connection& c, std::string_view name) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("SELECT name, value, updated_by, updated_ms"
                                          " FROM guard_settings WHERE name = ?"));
  st->Bind(1, name);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<GuardSetting>();
  GuardSetting s{st->Text(0), st->Text(1), st->Text(2), st->Int(3)};
  st->Reset();
  return std::optional<GuardSetting>(std::move(s));
}

}  // namespace homeroom::store::guard_store
