#include "store/forensics_store.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <set>

namespace homeroom::store::forensics_store {
namespace {

constexpr const char* kColumns =
    "id, slice_ms, slice_end_ms, scope, source, subnet, requests, requests_uncertain, first_ms,"
    " last_ms, status_1xx, status_2xx, status_3xx, status_4xx, status_5xx, bytes_in, bytes_out,"
    " paths, other_paths, agents, other_agents, user_ids, more_accounts FROM source_activity";

std::string TopJson(const std::vector<guard::NamedCount>& list) {
  boost::json::array a;
  for (const auto& e : list) a.push_back(boost::json::array{boost::json::string(e.name), e.count});
  return boost::json::serialize(a);
}

std::string IdsJson(const std::vector<int64_t>& ids) {
  boost::json::array a;
  for (int64_t id : ids) a.push_back(id);
  return boost::json::serialize(a);
}

Status Corrupt(const std::string& what) {
  return Status::Internal("source_activity row has a bad " + what);
}

Result<std::vector<guard::NamedCount>> ParseTop(const std::string& text, const char* what) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return Corrupt(what);
  std::vector<guard::NamedCount> out;
  for (const auto& item : v.as_array()) {
    const auto* pair = item.if_array();
    if (!pair || pair->size() != 2 || !(*pair)[0].is_string() || !(*pair)[1].is_int64()) {
      return Corrupt(what);
    }
    out.push_back({std::string((*pair)[0].as_string()), (*pair)[1].as_int64()});
  }
  return out;
}

Result<std::vector<int64_t>> ParseIds(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return Corrupt("user_ids");
  std::vector<int64_t> out;
  for (const auto& item : v.as_array()) {
    if (!item.is_int64()) return Corrupt("user_ids");
    out.push_back(item.as_int64());
  }
  return out;
}

Result<guard::SourceActivity> ReadRow(const sql::Statement& st) {
  guard::SourceActivity a;
  a.slice_ms = st.Int(1);
  a.slice_end_ms = st.Int(2);
  if (!guard::ParseScope(st.Text(3), &a.scope)) return Corrupt("scope");
  auto source = guard::Cidr::Parse(st.Text(4));
  if (!source.ok()) return Corrupt("source");
  a.source = *source;
  auto subnet = guard::Cidr::Parse(st.Text(5));
  if (!subnet.ok()) return Corrupt("subnet");
  a.subnet = *subnet;
  a.requests = st.Int(6);
  a.requests_uncertain = st.Int(7);
  a.first_ms = st.Int(8);
  a.last_ms = st.Int(9);
  for (int i = 0; i < 5; ++i) a.status_classes[i] = st.Int(10 + i);
  a.bytes_in = st.Int(15);
  a.bytes_out = st.Int(16);
  HR_ASSIGN_OR_RETURN(a.paths, ParseTop(st.Text(17), "paths"));
  a.other_paths = st.Int(18);
  HR_ASSIGN_OR_RETURN(a.agents, ParseTop(st.Text(19), "agents"));
  a.other_agents = st.Int(20);
  HR_ASSIGN_OR_RETURN(a.user_ids, ParseIds(st.Text(21)));
  a.more_accounts = st.Int(22) != 0;
  return a;
}

// Binds the value columns of a row from index `first` on (requests .. more_accounts: 17 values).
void BindValues(sql::Statement* st, int first, const guard::SourceActivity& a) {
  int i = first;
  st->Bind(i++, a.requests);
  st->Bind(i++, a.requests_uncertain);
  st->Bind(i++, a.first_ms);
  st->Bind(i++, a.last_ms);
  for (int64_t n : a.status_classes) st->Bind(i++, n);
  st->Bind(i++, a.bytes_in);
  st->Bind(i++, a.bytes_out);
  st->Bind(i++, TopJson(a.paths));
  st->Bind(i++, a.other_paths);
  st->Bind(i++, TopJson(a.agents));
  st->Bind(i++, a.other_agents);
  st->Bind(i++, IdsJson(a.user_ids));
  st->Bind(i++, a.more_accounts);
}

Status WriteOne(sql::Connection& c, const guard::SourceActivity& record,
                const guard::ActivityLimits& limits) {
  const std::string scope(guard::ScopeName(record.scope));
  const std::string source = record.source.ToString();
  HR_ASSIGN_OR_RETURN(auto* find, c.Prepare(std::string("SELECT ") + kColumns +
                                            " WHERE slice_ms = ? AND scope = ? AND source = ?"));
  find->Bind(1, record.slice_ms);
  find->Bind(2, scope);
  find->Bind(3, source);
  HR_ASSIGN_OR_RETURN(bool row, find->Step());
  if (row) {
    int64_t id = find->Int(0);
    HR_ASSIGN_OR_RETURN(guard::SourceActivity merged, ReadRow(*find));
    find->Reset();
    guard::MergeActivity(merged, record, limits);
    HR_ASSIGN_OR_RETURN(
        auto* update,
        c.Prepare("UPDATE source_activity SET requests = ?, requests_uncertain = ?, first_ms = ?,"
                  " last_ms = ?, status_1xx = ?, status_2xx = ?, status_3xx = ?, status_4xx = ?,"
                  " status_5xx = ?, bytes_in = ?, bytes_out = ?, paths = ?, other_paths = ?,"
                  " agents = ?, other_agents = ?, user_ids = ?, more_accounts = ? WHERE id = ?"));
    BindValues(update, 1, merged);
    update->Bind(18, id);
    return update->Run();
  }
  find->Reset();
  // A record straight from the log may hold more than the limits (never, today); trim it alike.
  guard::SourceActivity fresh;
  guard::MergeActivity(fresh, record, limits);
  fresh.scope = record.scope;
  fresh.source = record.source;
  fresh.subnet = record.subnet;
  HR_ASSIGN_OR_RETURN(
      auto* insert,
      c.Prepare("INSERT INTO source_activity (slice_ms, slice_end_ms, scope, source, subnet,"
                " requests, requests_uncertain, first_ms, last_ms, status_1xx, status_2xx,"
                " status_3xx, status_4xx, status_5xx, bytes_in, bytes_out, paths, other_paths,"
                " agents, other_agents, user_ids, more_accounts)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  insert->Bind(1, record.slice_ms);
  insert->Bind(2, record.slice_end_ms);
  insert->Bind(3, scope);
  insert->Bind(4, source);
  insert->Bind(5, record.subnet.ToString());
  BindValues(insert, 6, fresh);
  return insert->Run();
}

// Keeps the heaviest `max_rows` rows of one slice.
Status TrimSlice(sql::Connection& c, int64_t slice_ms, size_t max_rows) {
  HR_ASSIGN_OR_RETURN(auto* count,
                      c.Prepare("SELECT COUNT(*) FROM source_activity WHERE slice_ms = ?"));
  count->Bind(1, slice_ms);
  HR_ASSIGN_OR_RETURN(bool row, count->Step());
  int64_t n = row ? count->Int(0) : 0;
  count->Reset();
  if (n <= static_cast<int64_t>(max_rows)) return Status::Ok();
  HR_ASSIGN_OR_RETURN(
      auto* trim,
      c.Prepare("DELETE FROM source_activity WHERE slice_ms = ? AND id NOT IN (SELECT id FROM"
                " source_activity WHERE slice_ms = ? ORDER BY requests + requests_uncertain DESC,"
                " id LIMIT ?)"));
  trim->Bind(1, slice_ms);
  trim->Bind(2, slice_ms);
  trim->Bind(3, static_cast<int64_t>(max_rows));
  return trim->Run();
}

}  // namespace

Result<int64_t> MergeActivity(sql::Connection& c, const std::vector<guard::SourceActivity>& records,
                              const guard::ActivityLimits& limits, size_t max_sources_per_slice) {
  std::set<int64_t> slices;
  for (const auto& record : records) {
    HR_RETURN_IF_ERROR(WriteOne(c, record, limits));
    slices.insert(record.slice_ms);
  }
  for (int64_t slice : slices) HR_RETURN_IF_ERROR(TrimSlice(c, slice, max_sources_per_slice));
  return static_cast<int64_t>(records.size());
}

Result<std::vector<guard::SourceActivity>> SourceSlices(sql::Connection& c,
                                                        guard::SourceScope scope,
                                                        const guard::Cidr& source, int64_t from_ms,
                                                        int64_t to_ms) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(std::string("SELECT ") + kColumns +
                                          " WHERE scope = ? AND source = ? AND slice_ms < ? AND"
                                          " slice_end_ms > ? ORDER BY slice_ms"));
  st->Bind(1, std::string(guard::ScopeName(scope)));
  st->Bind(2, source.ToString());
  st->Bind(3, to_ms);
  st->Bind(4, from_ms);
  std::vector<guard::SourceActivity> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    HR_ASSIGN_OR_RETURN(guard::SourceActivity a, ReadRow(*st));
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<guard::SourceActivity>> TopSources(sql::Connection& c, guard::SourceScope scope,
                                                      int64_t from_ms, int64_t to_ms, int limit,
                                                      const guard::ActivityLimits& limits) {
  // slice_end_ms > from_ms is implied for the slices that matter by slice_ms > from_ms - length;
  // the plain form keeps the index on slice_ms useful for the upper bound.
  HR_ASSIGN_OR_RETURN(
      auto* st, c.Prepare("SELECT source, SUM(requests) AS n FROM source_activity WHERE scope = ?"
                          " AND slice_ms < ? AND slice_end_ms > ? GROUP BY source"
                          " ORDER BY n DESC, source LIMIT ?"));
  st->Bind(1, std::string(guard::ScopeName(scope)));
  st->Bind(2, to_ms);
  st->Bind(3, from_ms);
  st->Bind(4, limit);
  std::vector<guard::Cidr> sources;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    auto source = guard::Cidr::Parse(st->Text(0));
    if (!source.ok()) return Corrupt("source");
    sources.push_back(*source);
  }
  std::vector<guard::SourceActivity> out;
  for (const guard::Cidr& source : sources) {
    HR_ASSIGN_OR_RETURN(auto slices, SourceSlices(c, scope, source, from_ms, to_ms));
    guard::SourceActivity total;
    for (const auto& slice : slices) guard::MergeActivity(total, slice, limits);
    total.scope = scope;
    total.source = source;
    if (!slices.empty()) total.subnet = slices.front().subnet;
    out.push_back(std::move(total));
  }
  return out;
}

Result<int64_t> DeleteActivityBefore(sql::Connection& c, int64_t before_ms) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("DELETE FROM source_activity WHERE slice_ms < ?"));
  st->Bind(1, before_ms);
  HR_RETURN_IF_ERROR(st->Run());
  return c.Changes();
}

Result<std::vector<SignInRow>> ListSignIns(sql::Connection& c, const SignInQuery& q) {
  std::string sql =
      "SELECT e.at_ms, e.ip, e.user_id, u.username, u.role FROM auth_events e"
      " JOIN users u ON u.id = e.user_id WHERE e.kind IN ('login_ok', 'activated')"
      " AND e.at_ms >= ? AND e.at_ms < ?";
  if (q.ip) {
    sql += " AND e.ip = ?";
  } else if (q.ip_from && q.ip_to) {
    sql += " AND e.ip >= ? AND e.ip < ?";
  } else if (q.ipv6_only) {
    sql += " AND e.ip LIKE '%:%'";
  }
  sql += " ORDER BY e.at_ms, e.id LIMIT ?";
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(sql));
  int i = 1;
  st->Bind(i++, q.from_ms);
  st->Bind(i++, q.to_ms);
  if (q.ip) {
    st->Bind(i++, *q.ip);
  } else if (q.ip_from && q.ip_to) {
    st->Bind(i++, *q.ip_from);
    st->Bind(i++, *q.ip_to);
  }
  st->Bind(i++, q.limit);
  std::vector<SignInRow> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Int(0), st->Text(1), st->Int(2), st->Text(3), st->Text(4)});
  }
  return out;
}

Result<std::vector<AccountName>> LookUpAccounts(sql::Connection& c,
                                                const std::vector<int64_t>& user_ids) {
  std::vector<AccountName> out;
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("SELECT id, username, role FROM users WHERE id = ?"));
  std::set<int64_t> ids(user_ids.begin(), user_ids.end());
  for (int64_t id : ids) {
    st->Reset();
    st->Bind(1, id);
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (row) out.push_back({st->Int(0), st->Text(1), st->Text(2)});
  }
  st->Reset();
  return out;
}

}  // namespace homeroom::store::forensics_store
