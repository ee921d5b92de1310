// Alternate pathways (docs/api.md, "Pathways"): GET/POST /api/v1/pathway-rules,
// DELETE /pathway-rules/{id}, PUT /sections/{id}/meeting-link, GET /me/pathways,
// POST /live-sessions/{id}/open-external. Each: decode -> load facts -> ask the policy -> call
// the pathway service -> encode.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/routes.h"
#include "api/views.h"
#include "auth/policy.h"
#include "domain/external_attendance.h"
#include "domain/live_schedule.h"
#include "domain/pathways.h"
#include "domain/roster_service.h"
#include "http/json_codec.h"

namespace homeroom::api {
namespace {

namespace bhttp = boost::beast::http;
using auth::Action;
using http::RequestContext;
using http::Response;
using Task = boost::asio::awaitable<Result<Response>>;

boost::json::value OptJson(const std::optional<std::string>& v) {
  if (!v) return nullptr;
  return boost::json::value(*v);
}

boost::json::object RuleJson(const store::PathwayRuleRecord& r) {
  boost::json::object o{{"id", r.id},
                        {"scope", r.scope},
                        {"grade_band", OptJson(r.grade_band)},
                        {"pathway", r.pathway},
                        {"effective_from", r.effective_from},
                        {"created_by", r.created_by},
                        {"created_at", FormatIsoUtc(r.created_ms)}};
  if (r.scope_id) {
    o["scope_id"] = *r.scope_id;
  } else {
    o["scope_id"] = nullptr;
  }
  return o;
}

// The policy's target of a rule: its section (with the section's school), its school, or nothing
// (a district rule). kNotFound when the school or section does not exist.
boost::asio::awaitable<Result<auth::Target>> RuleTarget(Services& s,
                                                        const store::PathwayRuleRecord& r) {
  auth::Target target;
  if (r.scope == "section" && r.scope_id) {
    HR_CO_ASSIGN_OR_RETURN(auto view, co_await s.roster.GetSection(*r.scope_id));
    target = SectionTarget(view);
  } else if (r.scope == "school" && r.scope_id) {
    HR_CO_ASSIGN_OR_RETURN(auto school, co_await s.roster.GetSchool(*r.scope_id));
    target.school_ids = {school.id};
  }
  co_return target;
}

Result<std::optional<std::string>> OptStringMember(const boost::json::object& body,
                                                   std::string_view name) {
  auto it = body.find(name);
  if (it == body.end() || it->value().is_null()) return std::optional<std::string>();
  if (!it->value().is_string()) {
    return Status::InvalidArgument(std::string(name) + " must be a string");
  }
  return std::optional<std::string>(std::string(it->value().as_string()));
}

Task ListRules(Services& s, RequestContext& ctx) {
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kViewPathwayRules, {}));
  HR_CO_ASSIGN_OR_RETURN(auto rules, co_await s.pathways->ListRules());
  boost::json::array items;
  for (const auto& r : rules) items.push_back(RuleJson(r));
  co_return http::JsonResponse(
      bhttp::status::ok,
      boost::json::object{{"items", std::move(items)}, {"today", s.pathways->Today()}});
}

Task AddRule(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(auto body, http::ParseJsonObject(ctx.request, {}));
  store::PathwayRuleRecord rule;
  HR_CO_ASSIGN_OR_RETURN(auto scope, OptStringMember(body, "scope"));
  HR_CO_ASSIGN_OR_RETURN(auto pathway, OptStringMember(body, "pathway"));
  HR_CO_ASSIGN_OR_RETURN(auto effective_from, OptStringMember(body, "effective_from"));
  HR_CO_ASSIGN_OR_RETURN(rule.grade_band, OptStringMember(body, "grade_band"));
  rule.scope = scope.value_or("");
  rule.pathway = pathway.value_or("");
  // Without a date the rule applies from today.
  rule.effective_from = effective_from.value_or(s.pathways->Today());
  if (auto it = body.find("scope_id"); it != body.end() && !it->value().is_null()) {
    if (!it->value().is_int64()) co_return Status::InvalidArgument("scope_id must be an integer");
    rule.scope_id = it->value().as_int64();
  }
  HR_CO_RETURN_IF_ERROR(domain::ValidatePathwayRule(rule));
  HR_CO_ASSIGN_OR_RETURN(auto target, co_await RuleTarget(s, rule));
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kManagePathways, target));
  rule.created_by = ctx.principal->user_id;
  HR_CO_ASSIGN_OR_RETURN(auto saved, co_await s.pathways->AddRule(std::move(rule)));
  co_return http::JsonResponse(bhttp::status::created, RuleJson(saved));
}

Task DeleteRule(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto rule, co_await s.pathways->GetRule(id));
  if (!rule) co_return Status::NotFound("no pathway rule with id " + std::to_string(id));
  HR_CO_ASSIGN_OR_RETURN(auto target, co_await RuleTarget(s, *rule));
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kManagePathways, target));
  HR_CO_RETURN_IF_ERROR(co_await s.pathways->DeleteRule(id));
  co_return http::JsonResponse(bhttp::status::ok, boost::json::object{{"deleted", id}});
}

// The section of the path's {id}, once the caller is allowed to manage its pathway (404 for an
// unknown section, 403 for someone else's).
boost::asio::awaitable<Result<int64_t>> ManagedSectionId(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t section_id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto view, co_await s.roster.GetSection(section_id));
  HR_CO_RETURN_IF_ERROR(
      auth::Authorize(*ctx.principal, Action::kManagePathways, SectionTarget(view)));
  co_return section_id;
}

Task PutMeetingLink(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t section_id, co_await ManagedSectionId(s, ctx));
  HR_CO_ASSIGN_OR_RETURN(auto body, http::ParseJsonObject(ctx.request, {}));
  HR_CO_ASSIGN_OR_RETURN(auto url, OptStringMember(body, "url"));
  if (!url) co_return Status::InvalidArgument("url is required (an https:// meeting link)");
  std::string link = *url;
  HR_CO_RETURN_IF_ERROR(
      co_await s.pathways->SetMeetingLink(section_id, std::move(link), ctx.principal->user_id));
  co_return http::JsonResponse(bhttp::status::ok,
                               boost::json::object{{"section_id", section_id}, {"url", *url}});
}

// The section's saved link for those who manage it (students get it from /me/pathways only while
// their section is external).
Task GetMeetingLink(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t section_id, co_await ManagedSectionId(s, ctx));
  HR_CO_ASSIGN_OR_RETURN(auto url, co_await s.pathways->MeetingLink(section_id));
  co_return http::JsonResponse(
      bhttp::status::ok, boost::json::object{{"section_id", section_id}, {"url", OptJson(url)}});
}

Task DeleteMeetingLink(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t section_id, co_await ManagedSectionId(s, ctx));
  HR_CO_ASSIGN_OR_RETURN(bool deleted, co_await s.pathways->DeleteMeetingLink(section_id));
  co_return http::JsonResponse(
      bhttp::status::ok, boost::json::object{{"section_id", section_id}, {"deleted", deleted}});
}

// The caller's sections (a guardian's: their children's) with what Join does in each today.
Task MyPathways(Services& s, RequestContext& ctx) {
  const auth::Principal& who = *ctx.principal;
  std::vector<store::Section> sections;
  std::vector<int64_t> people{who.user_id};
  if (who.role == auth::Role::kGuardian) people = who.child_ids;
  for (int64_t person : people) {
    HR_CO_ASSIGN_OR_RETURN(auto mine, co_await s.roster.SectionsOfUser(person));
    for (auto& section : mine) {
      bool seen = false;
      for (const auto& have : sections) seen = seen || have.id == section.id;
      if (!seen) sections.push_back(std::move(section));
    }
  }
  HR_CO_ASSIGN_OR_RETURN(auto effective, co_await s.pathways->ForSections(std::move(sections)));
  boost::json::array items;
  for (const auto& p : effective) {
    boost::json::object o{{"section_id", p.section_id}, {"pathway", p.pathway}};
    o["rule_id"] = p.rule_id ? boost::json::value(*p.rule_id) : boost::json::value(nullptr);
    o["meeting_url"] = OptJson(p.pathway == domain::kExternal ? p.meeting_url : std::nullopt);
    items.push_back(std::move(o));
  }
  co_return http::JsonResponse(
      bhttp::status::ok,
      boost::json::object{{"items", std::move(items)}, {"today", s.pathways->Today()}});
}

Task OpenExternal(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto view, co_await s.live->Get(id));
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kJoinLiveSession, view.Target()));
  HR_CO_ASSIGN_OR_RETURN(auto section, co_await s.roster.GetSection(view.session.section_id));
  HR_CO_ASSIGN_OR_RETURN(auto url, co_await s.pathways->OpenExternal(view.session, section.section,
                                                                     ctx.principal->user_id));
  co_return http::JsonResponse(bhttp::status::ok,
                               boost::json::object{{"session_id", id}, {"url", url}});
}

boost::json::object ReconciledJson(const store::ExternalAttendanceRecord& r) {
  return {{"user_id", r.user_id},         {"minutes", (r.seconds + 30) / 60},
          {"seconds", r.seconds},         {"matched_by", r.matched_by},
          {"uploaded_by", r.uploaded_by}, {"uploaded_at", FormatIsoUtc(r.uploaded_ms)}};
}

// The teacher's upload of an external meeting's attendance report (the body as exported: CSV or
// tab-separated, UTF-8 or UTF-16); answers who was matched and who was not.
Task PutExternalAttendance(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto view, co_await s.live->Get(id));
  HR_CO_RETURN_IF_ERROR(
      auth::Authorize(*ctx.principal, Action::kManageLiveSessions, view.Target()));
  if (ctx.request.body().empty()) {
    co_return Status::InvalidArgument("send the meeting's attendance report as the request body");
  }
  std::string report = ctx.request.body();
  store::LiveSessionRecord session = view.session;
  HR_CO_ASSIGN_OR_RETURN(
      auto result, co_await s.external_attendance->Reconcile(std::move(session), std::move(report),
                                                             ctx.principal->user_id));
  boost::json::array matched, unmatched;
  for (const auto& m : result.matched) {
    matched.push_back({{"user_id", m.student.id},
                       {"name", m.student.given_name + " " + m.student.family_name},
                       {"minutes", (m.seconds + 30) / 60},
                       {"matched_by", m.matched_by}});
  }
  for (const auto& p : result.unmatched) {
    unmatched.push_back({{"name", p.name}, {"email", p.email}, {"minutes", (p.seconds + 30) / 60}});
  }
  co_return http::JsonResponse(bhttp::status::ok,
                               boost::json::object{{"session_id", id},
                                                   {"rows", result.rows},
                                                   {"matched", std::move(matched)},
                                                   {"unmatched", std::move(unmatched)}});
}

Task GetExternalAttendance(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto view, co_await s.live->Get(id));
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kViewAttendance, view.Target()));
  HR_CO_ASSIGN_OR_RETURN(auto rows, co_await s.external_attendance->ForSession(id));
  boost::json::array items;
  for (const auto& r : rows) items.push_back(ReconciledJson(r));
  co_return http::JsonResponse(
      bhttp::status::ok, boost::json::object{{"session_id", id}, {"items", std::move(items)}});
}

}  // namespace

void AddPathwayRoutes(http::Router& router, Services& s) {
  auto add = [&](bhttp::verb verb, const char* pattern, Task (*fn)(Services&, RequestContext&)) {
    router.Add(verb, pattern, [&s, fn](RequestContext& c) { return fn(s, c); });
  };
  add(bhttp::verb::get, "/api/v1/pathway-rules", ListRules);
  add(bhttp::verb::post, "/api/v1/pathway-rules", AddRule);
  add(bhttp::verb::delete_, "/api/v1/pathway-rules/{id}", DeleteRule);
  add(bhttp::verb::put, "/api/v1/sections/{id}/meeting-link", PutMeetingLink);
  add(bhttp::verb::get, "/api/v1/sections/{id}/meeting-link", GetMeetingLink);
  add(bhttp::verb::delete_, "/api/v1/sections/{id}/meeting-link", DeleteMeetingLink);
  add(bhttp::verb::get, "/api/v1/me/pathways", MyPathways);
  add(bhttp::verb::post, "/api/v1/live-sessions/{id}/open-external", OpenExternal);
  add(bhttp::verb::get, "/api/v1/live-sessions/{id}/external-attendance", GetExternalAttendance);
  router.Add(
      bhttp::verb::put, "/api/v1/live-sessions/{id}/external-attendance",
      [&s](RequestContext& c) { return PutExternalAttendance(s, c); },
      http::RouteOptions{.body_limit = s.external_attendance->limits().max_bytes});
}

}  // namespace homeroom::api
