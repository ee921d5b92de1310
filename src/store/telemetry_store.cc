#include "store/telemetry_store.h"

namespace homeroom::store::telemetry_store {

Status Insert(sql::Connection& c, const std::vector<ClientEventRecord>& events) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("INSERT INTO client_events (user_id, kind, at_ms,"
                                          " received_ms, ip, user_agent, page, detail)"
                                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  for (const auto& e : events) {
    st->Bind(1, e.user_id);
    st->Bind(2, e.kind);
    st->Bind(3, e.at_ms);
    st->Bind(4, e.received_ms);
    st->Bind(5, e.ip);
    st->Bind(6, e.user_agent);
    st->Bind(7, e.page);
    st->Bind(8, e.detail);
    HR_RETURN_IF_ERROR(st->Run());
    st->Reset();  // a statement must be rewound before it is bound again
  }
  return Status::Ok();
}

Result<std::vector<ClientEventRecord>> ForUser(sql::Connection& c, int64_t user_id, int64_t from_ms,
                                               int64_t to_ms, int64_t limit) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare("SELECT id, user_id, kind, at_ms, received_ms, ip, user_agent,"
                                " page, detail FROM client_events WHERE user_id = ? AND at_ms >= ?"
                                " AND at_ms < ? ORDER BY at_ms, id LIMIT ?"));
  st->Bind(1, user_id);
  st->Bind(2, from_ms);
  st->Bind(3, to_ms);
  st->Bind(4, limit);
  std::vector<ClientEventRecord> out;
  while (true) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    ClientEventRecord e;
    e.id = st->Int(0);
    e.user_id = st->Int(1);
    e.kind = st->Text(2);
    e.at_ms = st->Int(3);
    e.received_ms = st->Int(4);
    e.ip = st->Text(5);
    e.user_agent = st->Text(6);
    e.page = st->Text(7);
    e.detail = st->Text(8);
    out.push_back(std::move(e));
  }
  st->Reset();
  return out;
}

Result<int64_t> PruneBefore(sql::Connection& c, int64_t before_ms) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("DELETE FROM client_events WHERE received_ms < ?"));
  st->Bind(1, before_ms);
  HR_RETURN_IF_ERROR(st->Run());
  return c.Changes();
}

}  // namespace homeroom::store::telemetry_store
