// The guard's operator endpoints (docs/security.md, "Defenses" > "Detection and blocking"):
// GET /api/v1/admin/status (load, attack state, top offenders), GET/POST/DELETE
// /api/v1/admin/blocks (manual block and allow rules; automatic blocks listed too), and
// PUT /api/v1/admin/attack-mode. The status: any admin (auth::Action::kViewOperations), with the
// addresses in it (top offenders, attack sources) for district admins only (kViewGuardStatus);
// the rules and every change: district admins only (kViewGuardStatus, kManageGuard). Each: decode
// -> ask the policy -> call the guard service -> encode.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cmath>

#include "api/routes.h"
#include "api/views.h"
#include "auth/policy.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "domain/guard_service.h"
#include "guard/sentinel.h"
#include "http/json_codec.h"

namespace homeroom::api {
namespace {

namespace bhttp = boost::beast::http;
using auth::Action;
using http::RequestContext;
using http::Response;
using Task = boost::asio::awaitable<Result<Response>>;

// Rates are shown with one decimal.
double Round1(double v) { return std::round(v * 10.0) / 10.0; }

boost::json::value OptTime(const std::optional<int64_t>& ms) {
  if (!ms) return nullptr;
  return boost::json::value(FormatIsoUtc(*ms));
}

boost::json::array Strings(const std::vector<std::string>& items) {
  boost::json::array out;
  for (const auto& s : items) out.emplace_back(s);
  return out;
}

boost::json::array SourceRates(const std::vector<guard::SourceRate>& rates) {
  boost::json::array out;
  for (const auto& r : rates) out.push_back({{"source", r.source}, {"rate", Round1(r.rate)}});
  return out;
}

// The admin making a change, for the rule's author and the audit log.
domain::GuardActor Who(const RequestContext& ctx) {
  return {.user_id = ctx.principal->user_id,
          .name = ctx.principal->username,
          .ip = ctx.client_ip,
          .via = "api"};
}

boost::json::object RuleJson(const store::GuardRule& r) {
  return {{"kind", r.kind},
          {"cidr", r.cidr},
          {"automatic", false},
          {"reason", r.reason},
          {"created_by", r.created_by},
          {"since", FormatIsoUtc(r.created_ms)},
          {"until", OptTime(r.expires_ms)}};
}

boost::json::object AttackModeJson(const guard::AttackMode& mode) {
  return {{"mode", guard::AttackModeSettingName(mode.setting())},
          {"detected", mode.detected()},
          {"under_attack", mode.UnderAttack()}};
}

Task GetStatus(Services& s, RequestContext& ctx) {
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kViewOperations, {}));
  // A school admin's view has no addresses: sources from every school can identify households.
  const bool addresses = auth::Authorize(*ctx.principal, Action::kViewGuardStatus, {}).ok();
  guard::Sentinel& sentinel = *s.sentinel;
  guard::DetectorSnapshot snap = sentinel.Snapshot();
  guard::AdmissionRates rates = sentinel.admission_rates();
  const metrics::Registry& m = *s.metrics;

  boost::json::object load{
      {"open_connections", m.GaugeValue("homeroom_net_open_connections", {{"server", "api"}})},
      {"in_flight", m.GaugeValue("homeroom_guard_inflight")},
      {"requests_per_s", Round1(snap.requests_per_s)},
      {"untrusted_requests_per_s", Round1(snap.untrusted_requests_per_s)},
      {"baseline_requests_per_s", Round1(snap.baseline_rps)},
      {"distinct_hosts", std::llround(snap.distinct_hosts)},
      {"shed_per_s", Round1(rates.shed_per_s)},
      {"rate_limited_per_s", Round1(rates.rate_limited_per_s)},
      {"challenged_per_s", Round1(rates.challenged_per_s)},
      {"blocked_requests_per_s", Round1(rates.blocked_per_s)},
      {"blocked_connections_per_s", Round1(snap.blocked_connections_per_s)},
      {"login_failures_per_s", Round1(snap.login_failures_per_s)},
      {"websocket_upgrades_per_s", Round1(snap.ws_upgrades_per_s)},
      {"websocket_untrusted_upgrades_per_s", Round1(snap.ws_untrusted_upgrades_per_s)},
      {"slow_client_timeouts_per_s", Round1(snap.slow_events_per_s)},
      {"window_seconds", Round1(snap.window_seconds)},
      {"measured_at", snap.at_ms ? boost::json::value(FormatIsoUtc(snap.at_ms)) : nullptr}};

  boost::json::array active;
  for (const auto& a : snap.active) {
    active.push_back({{"type", guard::AttackTypeName(a.type)},
                      {"since", FormatIsoUtc(a.since_ms)},
                      {"rate", Round1(a.rate)},
                      {"peak_rate", Round1(a.peak_rate)}});
    if (addresses) active.back().as_object()["sources"] = Strings(a.sources);
  }
  boost::json::array recent;
  for (const auto& e : snap.recent) {
    recent.push_back({{"type", guard::AttackTypeName(e.type)},
                      {"event", e.started ? "started" : "ended"},
                      {"at", FormatIsoUtc(e.at_ms)},
                      {"rate", Round1(e.rate)}});
    if (addresses) recent.back().as_object()["sources"] = Strings(e.sources);
  }
  boost::json::object attack = AttackModeJson(sentinel.attack_mode());
  attack["active"] = std::move(active);
  attack["recent"] = std::move(recent);

  int64_t manual = 0, automatic = 0;
  for (const auto& e : sentinel.block_list().Entries()) ++(e.automatic ? automatic : manual);

  boost::json::object out{{"scope", addresses ? "district" : "school"},
                          {"load", std::move(load)},
                          {"attack", std::move(attack)},
                          {"blocks", {{"manual", manual}, {"automatic", automatic}}},
                          {"media", MediaHealthJson(s.media)}};
  if (addresses) {
    out["top_offenders"] = {{"hosts", SourceRates(snap.top_hosts)},
                            {"subnets", SourceRates(snap.top_subnets)}};
  }
  co_return http::JsonResponse(bhttp::status::ok, out);
}

Task ListBlocks(Services& s, RequestContext& ctx) {
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kViewGuardStatus, {}));
  HR_CO_ASSIGN_OR_RETURN(auto rules, co_await s.guard->ListRules());
  boost::json::array blocked, allowed;
  for (const auto& r : rules) (r.kind == "allow" ? allowed : blocked).push_back(RuleJson(r));
  for (const auto& e : s.sentinel->block_list().Entries()) {
    if (!e.automatic) continue;
    blocked.push_back({{"kind", "block"},
                       {"cidr", e.range.ToString()},
                       {"automatic", true},
                       {"reason", e.reason},
                       {"created_by", "detector"},
                       {"since", FormatIsoUtc(e.since_ms)},
                       {"until", OptTime(e.until_ms)}});
  }
  co_return http::JsonResponse(
      bhttp::status::ok,
      boost::json::object{{"blocked", std::move(blocked)}, {"allowed", std::move(allowed)}});
}

Result<std::string> StringMember(const boost::json::object& body, std::string_view name,
                                 std::optional<std::string> fallback = std::nullopt) {
  auto it = body.find(name);
  if (it == body.end() || it->value().is_null()) {
    if (fallback) return *fallback;
    return Status::InvalidArgument(std::string(name) + " is required");
  }
  if (!it->value().is_string()) {
    return Status::InvalidArgument(std::string(name) + " must be a string");
  }
  return std::string(it->value().as_string());
}

Task AddBlock(Services& s, RequestContext& ctx) {
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kManageGuard, {}));
  HR_CO_ASSIGN_OR_RETURN(auto body, http::ParseJsonObject(ctx.request, {}));
  domain::GuardRuleRequest req;
  HR_CO_ASSIGN_OR_RETURN(req.cidr, StringMember(body, "cidr"));
  HR_CO_ASSIGN_OR_RETURN(req.reason, StringMember(body, "reason"));
  HR_CO_ASSIGN_OR_RETURN(req.kind, StringMember(body, "kind", "block"));
  if (auto it = body.find("ttl_s"); it != body.end() && !it->value().is_null()) {
    if (!it->value().is_int64()) {
      co_return Status::InvalidArgument("ttl_s must be a whole number of seconds");
    }
    req.ttl = std::chrono::seconds(it->value().as_int64());
  }
  req.by = Who(ctx);
  HR_CO_ASSIGN_OR_RETURN(store::GuardRule rule, co_await s.guard->PutRule(std::move(req)));
  co_return http::JsonResponse(bhttp::status::created, RuleJson(rule));
}

Task RemoveBlock(Services& s, RequestContext& ctx) {
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kManageGuard, {}));
  std::optional<std::string> cidr = ctx.Query("cidr");
  if (!cidr || cidr->empty()) co_return Status::InvalidArgument("cidr is required (?cidr=...)");
  std::string kind = ctx.Query("kind").value_or("block");
  HR_CO_RETURN_IF_ERROR(co_await s.guard->DeleteRule(kind, *cidr, Who(ctx)));
  co_return http::JsonResponse(bhttp::status::ok,
                               boost::json::object{{"kind", kind}, {"removed", *cidr}});
}

Task PutAttackMode(Services& s, RequestContext& ctx) {
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kManageGuard, {}));
  HR_CO_ASSIGN_OR_RETURN(auto body, http::ParseJsonObject(ctx.request, {}));
  HR_CO_ASSIGN_OR_RETURN(std::string text, StringMember(body, "mode"));
  HR_CO_ASSIGN_OR_RETURN(guard::AttackModeSetting setting, guard::ParseAttackModeSetting(text));
  HR_CO_RETURN_IF_ERROR(co_await s.guard->SetAttackMode(setting, Who(ctx)));
  co_return http::JsonResponse(bhttp::status::ok, AttackModeJson(s.sentinel->attack_mode()));
}

}  // namespace

void AddAdminGuardRoutes(http::Router& router, Services& s) {
  router.Add(bhttp::verb::get, "/api/v1/admin/status",
             [&s](RequestContext& c) { return GetStatus(s, c); });
  router.Add(bhttp::verb::get, "/api/v1/admin/blocks",
             [&s](RequestContext& c) { return ListBlocks(s, c); });
  router.Add(bhttp::verb::post, "/api/v1/admin/blocks",
             [&s](RequestContext& c) { return AddBlock(s, c); });
  router.Add(bhttp::verb::delete_, "/api/v1/admin/blocks",
             [&s](RequestContext& c) { return RemoveBlock(s, c); });
  router.Add(bhttp::verb::put, "/api/v1/admin/attack-mode",
             [&s](RequestContext& c) { return PutAttackMode(s, c); });
}

}  // namespace homeroom::api
