#include "domain/diagnostics.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/json/parse.hpp>
#include <set>

#include "guard/cidr.h"

namespace homeroom::domain {
namespace {

// Failed sign-ins counted before a throttle: those of the hour before it.
constexpr int64_t kFailureWindowMs = 60 * 60 * 1000;

TimelineItem Server(int64_t at_ms, std::string kind, std::string ip, boost::json::object detail) {
  return {at_ms, std::move(kind), "server", std::move(ip), std::move(detail)};
}

std::string Kind(const std::string& auth_kind) {
  if (auth_kind == "login_ok") return "sign_in";
  if (auth_kind == "login_failed") return "sign_in_failed";
  if (auth_kind == "login_throttled") return "sign_in_throttled";
  if (auth_kind == "logout") return "sign_out";
  return auth_kind;  // activated, and any kind added later, as recorded
}

// The verdict, from the timeline (oldest first). The first rule that matches wins, in the order a
// support desk would check them: could the user sign in at all, was their address blocked, did
// anything reach the server, did the live connection or the app fail on the device.
std::string Verdict(const std::vector<TimelineItem>& items, const DiagnosticsFacts& facts,
                    const DistrictZone& zone) {
  auto clock = [&](int64_t ms) { return zone.FormatLocal(ms).substr(11, 5); };
  const TimelineItem* last_sign_in = nullptr;
  for (const auto& i : items) {
    if (i.kind == "sign_in") last_sign_in = &i;
  }
  const int64_t since = last_sign_in ? last_sign_in->at_ms : facts.from_ms - 1;
  const TimelineItem* throttled = nullptr;
  const TimelineItem* last_failure = nullptr;
  int failures_after = 0;
  for (const auto& i : items) {
    if (i.at_ms <= since) continue;
    if (i.kind == "sign_in_throttled") throttled = &i;
    if (i.kind == "sign_in_failed") {
      last_failure = &i;
      ++failures_after;
    }
  }
  if (throttled) {
    int before = 0;
    for (const auto& i : items) {
      if (i.kind == "sign_in_failed" && i.at_ms <= throttled->at_ms &&
          i.at_ms > throttled->at_ms - kFailureWindowMs) {
        ++before;
      }
    }
    return "password sign-in throttled at " + clock(throttled->at_ms) + " from " + throttled->ip +
           " after " + std::to_string(before) + " failed attempts; no successful sign-in since";
  }
  if (last_failure) {
    return std::to_string(failures_after) + " failed sign-in" + (failures_after == 1 ? "" : "s") +
           " (wrong password), the last at " + clock(last_failure->at_ms) + " from " +
           last_failure->ip + "; no successful sign-in since";
  }
  for (const auto& i : items) {
    if (i.kind == "blocked") {
      return "requests from " + i.ip + " were refused from " + clock(i.at_ms) +
             ": an operator blocked " + std::string(i.detail.at("cidr").as_string());
    }
  }
  if (items.empty()) {
    return "never reached the server in this period: no sign-in, live join or report from the "
           "user's devices";
  }
  int drops = 0;
  const TimelineItem* last_drop = nullptr;
  int errors = 0;
  const TimelineItem* last_error = nullptr;
  for (const auto& i : items) {
    if (i.kind == "device_disconnect" && i.detail.at("code").as_int64() != 1000 &&
        i.detail.at("code").as_int64() != 1001) {
      ++drops;
      last_drop = &i;
    }
    if (i.kind == "device_error") {
      ++errors;
      last_error = &i;
    }
  }
  if (last_drop) {
    const int64_t code = last_drop->detail.at("code").as_int64();
    return "the live connection dropped " + std::to_string(drops) + " time" +
           (drops == 1 ? "" : "s") + ", the last at " + clock(last_drop->at_ms) + " (code " +
           std::to_string(code) +
           (code == 1006 ? ": the network between the device and the server" : "") + ")";
  }
  if (last_error) {
    return "the app reported " + std::to_string(errors) + " error" + (errors == 1 ? "" : "s") +
           " on the device, the last at " + clock(last_error->at_ms) + ": " +
           std::string(last_error->detail.at("message").as_string());
  }
  if (last_sign_in) {
    return "signed in at " + clock(last_sign_in->at_ms) + " from " + last_sign_in->ip +
           "; nothing wrong recorded";
  }
  return "no problem recorded in this period";
}

}  // namespace

Timeline BuildTimeline(const DiagnosticsFacts& f, const DistrictZone& zone) {
  Timeline t;
  t.truncated = f.truncated;
  std::set<std::string> addresses;
  for (const auto& e : f.auth_events) {
    if (e.kind == "login_ok") continue;  // the session row says the same, with the device
    boost::json::object detail;
    if (!e.detail.empty()) detail["reason"] = e.detail;
    t.items.push_back(Server(e.at_ms, Kind(e.kind), e.ip, std::move(detail)));
    addresses.insert(e.ip);
  }
  for (const auto& s : f.sign_ins) {
    t.items.push_back(Server(s.at_ms, "sign_in", s.ip, {{"device", s.user_agent}}));
    addresses.insert(s.ip);
  }
  for (const auto& l : f.live) {
    boost::json::object detail{{"session_id", l.session_id}, {"title", l.title}};
    if (l.joined_ms >= f.from_ms) t.items.push_back(Server(l.joined_ms, "live_join", "", detail));
    if (l.left_ms && *l.left_ms < f.to_ms) {
      t.items.push_back(Server(*l.left_ms, "live_leave", "", detail));
    }
  }
  for (const auto& d : f.device) {
    boost::system::error_code ec;
    boost::json::value detail = boost::json::parse(d.detail, ec);
    if (ec || !detail.is_object() || d.kind == "rtt") continue;  // round trips: too many lines
    std::string kind = d.kind == "error"           ? "device_error"
                       : d.kind == "ws_disconnect" ? "device_disconnect"
                                                   : "device_page_load";
    detail.as_object()["page"] = d.page;
    detail.as_object()["device"] = d.user_agent;
    t.items.push_back({d.at_ms, std::move(kind), "device", d.ip, std::move(detail.as_object())});
    addresses.insert(d.ip);
  }
  // An operator's block that covers an address the user came from, from when it applied.
  for (const auto& rule : f.block_rules) {
    auto cidr = guard::Cidr::Parse(rule.cidr);
    if (!cidr.ok()) continue;
    for (const auto& ip : addresses) {
      boost::system::error_code ec;
      auto address = boost::asio::ip::make_address(ip, ec);
      if (ec || !cidr->Contains(address)) continue;
      t.items.push_back(Server(std::max(rule.created_ms, f.from_ms), "blocked", ip,
                               {{"cidr", rule.cidr}, {"reason", rule.reason}}));
    }
  }
  std::stable_sort(t.items.begin(), t.items.end(),
                   [](const TimelineItem& a, const TimelineItem& b) { return a.at_ms < b.at_ms; });
  t.verdict = Verdict(t.items, f, zone);
  return t;
}

boost::asio::awaitable<Result<Timeline>> DiagnosticsService::ForUser(int64_t user_id,
                                                                     std::string username,
                                                                     int64_t from_ms,
                                                                     int64_t to_ms) {
  namespace ds = store::diagnostics_store;
  auto job = [user_id, username = std::move(username), from_ms,
              to_ms](sql::Connection& c) -> Result<DiagnosticsFacts> {
    constexpr int64_t n = kMaxRowsPerSource;
    DiagnosticsFacts f{.from_ms = from_ms, .to_ms = to_ms};
    HR_ASSIGN_OR_RETURN(f.auth_events, ds::AuthEvents(c, user_id, username, from_ms, to_ms, n));
    HR_ASSIGN_OR_RETURN(f.sign_ins, ds::SignIns(c, user_id, from_ms, to_ms, n));
    HR_ASSIGN_OR_RETURN(f.live, ds::LiveIntervals(c, user_id, from_ms, to_ms, n));
    HR_ASSIGN_OR_RETURN(f.block_rules, ds::BlockRules(c, from_ms, to_ms));
    HR_ASSIGN_OR_RETURN(f.device, store::telemetry_store::ForUser(c, user_id, from_ms, to_ms, n));
    f.truncated = static_cast<int64_t>(f.auth_events.size()) == n ||
                  static_cast<int64_t>(f.sign_ins.size()) == n ||
                  static_cast<int64_t>(f.live.size()) == n ||
                  static_cast<int64_t>(f.device.size()) == n;
    return f;
  };
  HR_CO_ASSIGN_OR_RETURN(auto facts, co_await db_.Read(std::move(job)));
  co_return BuildTimeline(facts, zone_);
}

}  // namespace homeroom::domain
