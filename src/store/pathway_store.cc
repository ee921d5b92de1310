#include "store/pathway_store.h"

namespace homeroom::store::pathway_store {
namespace {

constexpr const char* kRuleColumns =
    "SELECT id, scope, scope_id, grade_band, pathway, effective_from, created_by, created_ms"
    " FROM pathway_rules";

PathwayRuleRecord ReadRule(const sql::Statement& st) {
  PathwayRuleRecord r;
  r.id = st.Int(0);
  r.scope = st.Text(1);
  r.scope_id = st.OptInt(2);
  r.grade_band = st.OptText(3);
  r.pathway = st.Text(4);
  r.effective_from = st.Text(5);
  r.created_by = st.Int(6);
  r.created_ms = st.Int(7);
  return r;
}

}  // namespace

Result<int64_t> InsertRule(sql::Connection& c, const PathwayRuleRecord& r) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare("INSERT INTO pathway_rules (scope, scope_id, grade_band, pathway,"
                                " effective_from, created_by, created_ms) VALUES (?, ?, ?, ?, ?,"
                                " ?, ?) RETURNING id"));
  st->Bind(1, r.scope);
  st->Bind(2, r.scope_id);
  st->Bind(3, r.grade_band);
  st->Bind(4, r.pathway);
  st->Bind(5, r.effective_from);
  st->Bind(6, r.created_by);
  st->Bind(7, r.created_ms);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Status::Internal("INSERT ... RETURNING gave no row");
  int64_t id = st->Int(0);
  st->Reset();
  return id;
}

Result<std::optional<PathwayRuleRecord>> GetRule(sql::Connection& c, int64_t id) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(std::string(kRuleColumns) + " WHERE id = ?"));
  st->Bind(1, id);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<PathwayRuleRecord> out;
  if (row) out = ReadRule(*st);
  st->Reset();
  return out;
}

Result<bool> DeleteRule(sql::Connection& c, int64_t id) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("DELETE FROM pathway_rules WHERE id = ?"));
  st->Bind(1, id);
  HR_RETURN_IF_ERROR(st->Run());
  return c.Changes() > 0;
}

Result<std::vector<PathwayRuleRecord>> ListRules(sql::Connection& c) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(std::string(kRuleColumns) + " ORDER BY id"));
  std::vector<PathwayRuleRecord> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadRule(*st));
  }
  return out;
}

Status PutMeetingLink(sql::Connection& c, int64_t section_id, const std::string& url,
                      int64_t user_id, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare("INSERT INTO section_meeting_links (section_id, url, updated_by,"
                                " updated_ms) VALUES (?, ?, ?, ?) ON CONFLICT (section_id) DO"
                                " UPDATE SET url = excluded.url, updated_by ="
                                " excluded.updated_by, updated_ms = excluded.updated_ms"));
  st->Bind(1, section_id);
  st->Bind(2, url);
  st->Bind(3, user_id);
  st->Bind(4, now_ms);
  return st->Run();
}

Result<std::optional<std::string>> GetMeetingLink(sql::Connection& c, int64_t section_id) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare("SELECT url FROM section_meeting_links WHERE section_id = ?"));
  st->Bind(1, section_id);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<std::string> out;
  if (row) out = st->Text(0);
  st->Reset();
  return out;
}

Result<bool> DeleteMeetingLink(sql::Connection& c, int64_t section_id) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare("DELETE FROM section_meeting_links WHERE section_id = ?"));
  st->Bind(1, section_id);
  HR_RETURN_IF_ERROR(st->Run());
  return c.Changes() > 0;
}

Status RecordExternalOpen(sql::Connection& c, int64_t session_id, int64_t user_id, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare("INSERT INTO external_opens (session_id, user_id, first_ms,"
                                " last_ms, opens) VALUES (?, ?, ?, ?, 1) ON CONFLICT (session_id,"
                                " user_id) DO UPDATE SET last_ms = excluded.last_ms, opens ="
                                " external_opens.opens + 1"));
  st->Bind(1, session_id);
  st->Bind(2, user_id);
  st->Bind(3, now_ms);
  st->Bind(4, now_ms);
  return st->Run();
}

Result<std::vector<ExternalOpenRecord>> ExternalOpens(sql::Connection& c, int64_t session_id) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("SELECT session_id, user_id, first_ms, last_ms, opens"
                                          " FROM external_opens WHERE session_id = ? ORDER BY"
                                          " user_id"));
  st->Bind(1, session_id);
  std::vector<ExternalOpenRecord> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Int(0), st->Int(1), st->Int(2), st->Int(3), st->Int(4)});
  }
  return out;
}

}  // namespace homeroom::store::pathway_store
