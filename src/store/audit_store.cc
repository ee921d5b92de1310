#include "store/audit_store.h"

#include <algorithm>

namespace homeroom::store {

Result<int64_t> AuditStore::Append(sql::Connection& c, const AuditEntry& e) {
  if (e.action.empty()) return Status::InvalidArgument("an audit entry needs an action");
  if (e.actor.empty()) return Status::InvalidArgument("an audit entry needs an actor");
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare("INSERT INTO audit_log (at_ms, actor_user_id, actor, actor_ip,"
                                " action, detail) VALUES (?, ?, ?, ?, ?, ?) RETURNING id"));
  st->Bind(1, e.at_ms);
  st->Bind(2, e.actor_user_id);
  st->Bind(3, e.actor);
  st->Bind(4, e.actor_ip);
  st->Bind(5, e.action);
  st->Bind(6, e.detail.empty() ? std::string("{}") : e.detail);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Status::Internal("INSERT ... RETURNING gave no row");
  int64_t id = st->Int(0);
  st->Reset();
  return id;
}

Result<Page<AuditEntry>> AuditStore::List(sql::Connection& c, const AuditQuery& q) {
  const int limit = std::clamp(q.limit, 1, 1000);
  std::string sql =
      "SELECT id, at_ms, actor_user_id, actor, actor_ip, action, detail FROM audit_log"
      " WHERE at_ms >= ? AND at_ms < ? AND id > ?";
  if (q.action) sql += " AND action = ?";
  sql += " ORDER BY id LIMIT ?";
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(sql));
  int i = 1;
  st->Bind(i++, q.from_ms);
  st->Bind(i++, q.to_ms);
  st->Bind(i++, q.after_id);
  if (q.action) st->Bind(i++, *q.action);
  st->Bind(i++, limit + 1);  // one more tells whether there is a next page
  Page<AuditEntry> page;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    AuditEntry e;
    e.id = st->Int(0);
    e.at_ms = st->Int(1);
    e.actor_user_id = st->OptInt(2);
    e.actor = st->Text(3);
    e.actor_ip = st->Text(4);
    e.action = st->Text(5);
    e.detail = st->Text(6);
    page.items.push_back(std::move(e));
  }
  if (page.items.size() > static_cast<size_t>(limit)) {
    page.items.pop_back();
    page.next_after = page.items.back().id;
  }
  return page;
}

Result<int64_t> AuditStore::DeleteBefore(sql::Connection& c, int64_t before_ms) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("DELETE FROM audit_log WHERE at_ms < ?"));
  st->Bind(1, before_ms);
  HR_RETURN_IF_ERROR(st->Run());
  return c.Changes();
}

}  // namespace homeroom::store
