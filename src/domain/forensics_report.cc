#include "domain/forensics_report.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <map>
#include <set>

#include "core/clock.h"
#include "domain/attendance.h"

namespace homeroom::domain {
namespace {

int64_t Ms(std::chrono::hours h) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(h).count();
}

std::string Hours(std::chrono::hours h) {
  return h.count() % 24 == 0 ? std::to_string(h.count() / 24) + " days"
                             : std::to_string(h.count()) + " hours";
}

// Reads an optional window; `to` defaults to `default_to`, `from` to `to - default_span`.
Status ParseWindow(const std::optional<std::string>& from_text,
                   const std::optional<std::string>& to_text, const char* from_name,
                   const char* to_name, const DistrictZone& zone, int64_t default_to,
                   int64_t default_span, std::chrono::hours max_span, const char* setting,
                   int64_t* from_ms, int64_t* to_ms) {
  if (to_text) {
    HR_ASSIGN_OR_RETURN(*to_ms, ParseInstant(*to_text, zone, to_name));
  } else {
    *to_ms = default_to;
  }
  if (from_text) {
    HR_ASSIGN_OR_RETURN(*from_ms, ParseInstant(*from_text, zone, from_name));
  } else {
    *from_ms = *to_ms - default_span;
  }
  if (*to_ms <= *from_ms) {
    return Status::InvalidArgument(std::string(to_name) + " must be after " + from_name);
  }
  if (*to_ms - *from_ms > Ms(max_span)) {
    return Status::InvalidArgument(std::string(from_name) + ".." + to_name + " may span at most " +
                                   Hours(max_span) + " (" + setting + ")");
  }
  return Status::Ok();
}

// The sign-ins that may lie in `source` (the store narrows by text, the caller checks exactly).
store::SignInQuery SignInQueryFor(const guard::SourceActivity& a, const ForensicsQuery& q,
                                  int64_t limit) {
  store::SignInQuery s;
  s.from_ms = q.accounts_from_ms;
  s.to_ms = q.accounts_to_ms;
  s.limit = limit;
  if (!a.source.is_v4()) {
    s.ipv6_only = true;
  } else if (a.source.prefix_length() == 32) {
    s.ip = a.source.NetworkString();
  } else {
    // "a.b.c.0" -> ["a.b.c.", "a.b.c/"): '/' follows '.' in ASCII. Exact for /24; for other
    // lengths it is an over-approximation the caller filters.
    std::string net = a.source.NetworkString();
    int dots = a.source.prefix_length() / 8;
    size_t cut = 0;
    for (int i = 0; i < dots && cut != std::string::npos; ++i) cut = net.find('.', cut) + 1;
    std::string prefix = net.substr(0, cut);
    s.ip_from = prefix;
    s.ip_to = prefix.empty() ? std::string("\x7f") : prefix.substr(0, prefix.size() - 1) + "/";
  }
  return s;
}

bool InSource(const guard::Cidr& source, const std::string& ip) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(ip, ec);
  return !ec && source.Contains(address);
}

Status AddAccounts(sql::Connection& c, const ForensicsQuery& q, const ForensicsOptions& o,
                   const std::vector<store::SignInRow>* ipv6_rows, bool ipv6_truncated,
                   ForensicsSource& out) {
  const guard::SourceActivity& a = out.activity;
  std::vector<store::SignInRow> own;
  const std::vector<store::SignInRow>* rows = ipv6_rows;
  bool truncated = ipv6_truncated;
  if (a.source.is_v4()) {
    HR_ASSIGN_OR_RETURN(
        own, store::forensics_store::ListSignIns(c, SignInQueryFor(a, q, o.max_sign_in_rows)));
    truncated = static_cast<int64_t>(own.size()) >= o.max_sign_in_rows;
    rows = &own;
  }
  std::map<int64_t, SignedInAccount> by_user;
  std::map<int64_t, std::set<std::string>> ips;
  for (const store::SignInRow& r : *rows) {
    if (!InSource(a.source, r.ip)) continue;
    SignedInAccount& acc = by_user[r.user_id];
    if (acc.sign_ins == 0) {
      acc.user_id = r.user_id;
      acc.username = r.username;
      acc.role = r.role;
      acc.first_ms = r.at_ms;
    }
    ++acc.sign_ins;
    acc.first_ms = std::min(acc.first_ms, r.at_ms);
    acc.last_ms = std::max(acc.last_ms, r.at_ms);
    ips[r.user_id].insert(r.ip);
  }
  for (auto& [id, acc] : by_user) {
    acc.ips.assign(ips[id].begin(), ips[id].end());
    out.signed_in.push_back(std::move(acc));
  }
  std::sort(out.signed_in.begin(), out.signed_in.end(),
            [](const SignedInAccount& x, const SignedInAccount& y) {
              return x.sign_ins != y.sign_ins ? x.sign_ins > y.sign_ins : x.user_id < y.user_id;
            });
  if (out.signed_in.size() > o.max_accounts_per_source) {
    out.signed_in.resize(o.max_accounts_per_source);
    truncated = true;
  }
  out.signed_in_truncated = truncated;
  HR_ASSIGN_OR_RETURN(out.authenticated, store::forensics_store::LookUpAccounts(c, a.user_ids));
  return Status::Ok();
}

std::string StatusKey(size_t i) { return std::to_string(i + 1) + "xx"; }

boost::json::object SourceJson(const ForensicsSource& s) {
  const guard::SourceActivity& a = s.activity;
  boost::json::object status;
  for (size_t i = 0; i < a.status_classes.size(); ++i) status[StatusKey(i)] = a.status_classes[i];
  boost::json::array paths;
  for (const auto& p : a.paths) paths.push_back({{"path", p.name}, {"count", p.count}});
  boost::json::array agents;
  for (const auto& u : a.agents) agents.push_back({{"user_agent", u.name}, {"count", u.count}});
  boost::json::array authenticated;
  for (const auto& acc : s.authenticated) {
    authenticated.push_back(
        {{"user_id", acc.user_id}, {"username", acc.username}, {"role", acc.role}});
  }
  boost::json::array signed_in;
  for (const auto& acc : s.signed_in) {
    boost::json::array ips;
    for (const auto& ip : acc.ips) ips.emplace_back(ip);
    signed_in.push_back({{"user_id", acc.user_id},
                         {"username", acc.username},
                         {"role", acc.role},
                         {"sign_ins", acc.sign_ins},
                         {"first_at", FormatIsoUtc(acc.first_ms)},
                         {"last_at", FormatIsoUtc(acc.last_ms)},
                         {"ips", std::move(ips)}});
  }
  return {{"scope", guard::ScopeName(a.scope)},
          {"source", SourceLabel(a)},
          {"prefix", a.source.ToString()},
          {"subnet", a.subnet.ToString()},
          {"requests", a.requests},
          {"requests_uncertain", a.requests_uncertain},
          {"first_seen", FormatIsoUtc(a.first_ms)},
          {"last_seen", FormatIsoUtc(a.last_ms)},
          {"bytes_in", a.bytes_in},
          {"bytes_out", a.bytes_out},
          {"status", std::move(status)},
          {"paths", std::move(paths)},
          {"other_paths", a.other_paths},
          {"user_agents", std::move(agents)},
          {"other_user_agents", a.other_agents},
          {"authenticated_accounts", std::move(authenticated)},
          {"more_authenticated_accounts", a.more_accounts},
          {"signed_in_accounts", std::move(signed_in)},
          {"signed_in_truncated", s.signed_in_truncated}};
}

// "12 /a\n3 /b\n40 (other)": one entry per line (paths and agents never hold a line break).
std::string Lines(const std::vector<guard::NamedCount>& list, int64_t other) {
  std::string out;
  for (const auto& e : list) {
    if (!out.empty()) out += '\n';
    out += std::to_string(e.count) + ' ' + e.name;
  }
  if (other > 0) {
    if (!out.empty()) out += '\n';
    out += std::to_string(other) + " (other)";
  }
  return out;
}

std::string CsvRow(const ForensicsSource& s) {
  const guard::SourceActivity& a = s.activity;
  std::string signed_in;
  for (const auto& acc : s.signed_in) {
    if (!signed_in.empty()) signed_in += '\n';
    signed_in += std::to_string(acc.sign_ins) + ' ' + acc.username + " (" + acc.role + ", user " +
                 std::to_string(acc.user_id) + ")";
  }
  if (s.signed_in_truncated) signed_in += signed_in.empty() ? "(more)" : "\n(more)";
  std::string authenticated;
  for (const auto& acc : s.authenticated) {
    if (!authenticated.empty()) authenticated += '\n';
    authenticated += acc.username + " (" + acc.role + ", user " + std::to_string(acc.user_id) + ")";
  }
  if (a.more_accounts) authenticated += authenticated.empty() ? "(more)" : "\n(more)";
  std::string row = CsvField(guard::ScopeName(a.scope)) + ',' + CsvField(SourceLabel(a)) + ',' +
                    CsvField(a.subnet.ToString()) + ',' + std::to_string(a.requests) + ',' +
                    std::to_string(a.requests_uncertain) + ',' + FormatIsoUtc(a.first_ms) + ',' +
                    FormatIsoUtc(a.last_ms) + ',' + std::to_string(a.bytes_in) + ',' +
                    std::to_string(a.bytes_out);
  for (int64_t n : a.status_classes) row += ',' + std::to_string(n);
  row += ',' + CsvField(Lines(a.paths, a.other_paths));
  row += ',' + CsvField(Lines(a.agents, a.other_agents));
  row += ',' + CsvField(signed_in);
  row += ',' + CsvField(authenticated);
  return row + "\r\n";
}

}  // namespace

Result<ForensicsQuery> ParseForensicsQuery(const ForensicsParams& p, const DistrictZone& zone,
                                           int64_t now_ms, const ForensicsOptions& o) {
  ForensicsQuery q;
  HR_RETURN_IF_ERROR(ParseWindow(p.from, p.to, "from", "to", zone, now_ms, Ms(o.default_window),
                                 o.max_window, "forensics_max_window_h", &q.from_ms, &q.to_ms));
  if (p.accounts_from || p.accounts_to) {
    HR_RETURN_IF_ERROR(ParseWindow(p.accounts_from, p.accounts_to, "accounts_from", "accounts_to",
                                   zone, q.to_ms, q.to_ms - q.from_ms, o.max_accounts_window,
                                   "forensics_max_accounts_window_h", &q.accounts_from_ms,
                                   &q.accounts_to_ms));
  } else {
    q.accounts_from_ms = q.from_ms;
    q.accounts_to_ms = q.to_ms;
  }
  q.top = o.default_top;
  if (p.top) {
    int value = 0;
    auto [end, ec] = std::from_chars(p.top->data(), p.top->data() + p.top->size(), value);
    if (ec != std::errc() || end != p.top->data() + p.top->size() || value < 1 ||
        value > o.max_top) {
      return Status::InvalidArgument("top must be an integer from 1 to " +
                                     std::to_string(o.max_top) + " (forensics_max_top)");
    }
    q.top = value;
  }
  return q;
}

std::string SourceLabel(const guard::SourceActivity& a) {
  if (a.scope == guard::SourceScope::kHost && a.source.is_v4() && a.source.prefix_length() == 32) {
    return a.source.NetworkString();
  }
  return a.source.ToString();
}

Result<ForensicsReport> BuildForensicsReport(sql::Connection& c, const ForensicsQuery& q,
                                             const ForensicsOptions& o,
                                             const guard::ActivityLimits& limits, int64_t now_ms) {
  ForensicsReport report;
  report.query = q;
  report.generated_ms = now_ms;
  // IPv6 sign-ins are not text-prefix ranges: read them once for every IPv6 source.
  std::optional<std::vector<store::SignInRow>> ipv6;
  bool ipv6_truncated = false;
  for (guard::SourceScope scope : {guard::SourceScope::kHost, guard::SourceScope::kSubnet}) {
    HR_ASSIGN_OR_RETURN(
        auto top, store::forensics_store::TopSources(c, scope, q.from_ms, q.to_ms, q.top, limits));
    auto& out = scope == guard::SourceScope::kHost ? report.hosts : report.subnets;
    for (guard::SourceActivity& a : top) {
      if (!a.source.is_v4() && !ipv6) {
        store::SignInQuery all;
        all.from_ms = q.accounts_from_ms;
        all.to_ms = q.accounts_to_ms;
        all.ipv6_only = true;
        all.limit = o.max_sign_in_rows;
        HR_ASSIGN_OR_RETURN(ipv6, store::forensics_store::ListSignIns(c, all));
        ipv6_truncated = static_cast<int64_t>(ipv6->size()) >= o.max_sign_in_rows;
      }
      ForensicsSource source;
      source.activity = std::move(a);
      HR_RETURN_IF_ERROR(AddAccounts(c, q, o, ipv6 ? &*ipv6 : nullptr, ipv6_truncated, source));
      out.push_back(std::move(source));
    }
  }
  return report;
}

boost::json::object ForensicsJson(const ForensicsReport& r) {
  boost::json::array hosts;
  for (const auto& s : r.hosts) hosts.push_back(SourceJson(s));
  boost::json::array subnets;
  for (const auto& s : r.subnets) subnets.push_back(SourceJson(s));
  return {{"from", FormatIsoUtc(r.query.from_ms)},
          {"to", FormatIsoUtc(r.query.to_ms)},
          {"accounts_from", FormatIsoUtc(r.query.accounts_from_ms)},
          {"accounts_to", FormatIsoUtc(r.query.accounts_to_ms)},
          {"top", r.query.top},
          {"generated_at", FormatIsoUtc(r.generated_ms)},
          {"hosts", std::move(hosts)},
          {"subnets", std::move(subnets)}};
}

std::string ForensicsCsv(const ForensicsReport& r) {
  std::string out =
      "scope,source,subnet,requests,requests_uncertain,first_seen,last_seen,bytes_in,bytes_out,"
      "status_1xx,status_2xx,status_3xx,status_4xx,status_5xx,paths,user_agents,"
      "signed_in_accounts,authenticated_accounts\r\n";
  for (const auto& s : r.hosts) out += CsvRow(s);
  for (const auto& s : r.subnets) out += CsvRow(s);
  return out;
}

store::AuditEntry ForensicsAuditEntry(const ForensicsQuery& q, std::string_view format,
                                      std::string_view via, int64_t at_ms) {
  store::AuditEntry e;
  e.at_ms = at_ms;
  e.action = "forensics.report";
  boost::json::object detail{{"from", FormatIsoUtc(q.from_ms)},
                             {"to", FormatIsoUtc(q.to_ms)},
                             {"accounts_from", FormatIsoUtc(q.accounts_from_ms)},
                             {"accounts_to", FormatIsoUtc(q.accounts_to_ms)},
                             {"top", q.top},
                             {"format", format},
                             {"via", via}};
  e.detail = boost::json::serialize(detail);
  return e;
}

}  // namespace homeroom::domain
