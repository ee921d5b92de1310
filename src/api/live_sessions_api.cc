// Live-class schedule and attendance: POST/GET /api/v1/sections/{id}/live-sessions,
// GET/PATCH /live-sessions/{id}, POST /live-sessions/{id}/cancel|start|end,
// GET /me/live-sessions, GET /live-sessions/{id}/attendance and /attendance.csv.
// Each: decode -> load facts -> ask the policy -> call the live schedule -> encode.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/routes.h"
#include "api/views.h"
#include "auth/policy.h"
#include "core/clock.h"
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

Response Json(bhttp::status status, const boost::json::object& body) {
  return http::JsonResponse(status, body);
}

boost::json::value OptTime(const std::optional<int64_t>& ms) {
  if (!ms) return nullptr;
  return boost::json::value(FormatIsoUtc(*ms));
}

boost::json::object SessionJson(const domain::LiveScheduleService& live,
                                const store::LiveSessionRecord& s) {
  boost::json::object o{{"id", s.id},
                        {"section_id", s.section_id},
                        {"title", s.title},
                        {"status", s.status},
                        {"starts_at", FormatIsoUtc(s.starts_ms)},
                        {"ends_at", FormatIsoUtc(s.ends_ms)},
                        {"local_start", live.zone().FormatLocal(s.starts_ms)},
                        {"local_end", live.zone().FormatLocal(s.ends_ms)},
                        {"time_zone", live.zone().name()},
                        {"waiting_room", s.waiting_room},
                        {"started_at", OptTime(s.started_ms)},
                        {"ended_at", OptTime(s.ended_ms)}};
  if (s.series_id) {
    o["series_id"] = *s.series_id;
  } else {
    o["series_id"] = nullptr;
  }
  return o;
}

boost::json::object SeriesJson(const store::LiveSeriesRecord& s) {
  boost::json::array days;
  std::string_view rest = s.days;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    days.emplace_back(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return {{"id", s.id},          {"section_id", s.section_id}, {"title", s.title},
          {"days", days},        {"start", s.start_time},      {"end", s.end_time},
          {"from", s.from_date}, {"until", s.until_date},      {"time_zone", s.time_zone}};
}

// Body member readers: kInvalidArgument names the member.
Result<std::optional<std::string>> OptString(const boost::json::object& body,
                                             std::string_view name) {
  auto it = body.find(name);
  if (it == body.end() || it->value().is_null()) return std::optional<std::string>();
  if (!it->value().is_string()) {
    return Status::InvalidArgument(std::string(name) + " must be a string");
  }
  return std::optional<std::string>(std::string(it->value().as_string()));
}

Result<std::string> ReqString(const boost::json::object& body, std::string_view name) {
  HR_ASSIGN_OR_RETURN(auto v, OptString(body, name));
  if (!v || v->empty()) {
    return Status::InvalidArgument(std::string(name) + " is required (a non-empty string)");
  }
  return std::move(*v);
}

Result<std::optional<bool>> OptBool(const boost::json::object& body, std::string_view name) {
  auto it = body.find(name);
  if (it == body.end() || it->value().is_null()) return std::optional<bool>();
  if (!it->value().is_bool()) {
    return Status::InvalidArgument(std::string(name) + " must be true or false");
  }
  return std::optional<bool>(it->value().as_bool());
}

Result<domain::LiveScope> ScopeOf(const boost::json::object& body) {
  HR_ASSIGN_OR_RETURN(auto scope, OptString(body, "scope"));
  if (!scope || *scope == "occurrence") return domain::LiveScope::kOccurrence;
  if (*scope == "series") return domain::LiveScope::kSeries;
  return Status::InvalidArgument("scope must be \"occurrence\" or \"series\"");
}

// A JSON object body; an empty body reads as {} (POST .../cancel needs none).
Result<boost::json::object> BodyOrEmpty(const RequestContext& ctx) {
  if (ctx.request.body().empty()) return boost::json::object();
  return http::ParseJsonObject(ctx.request, {});
}

Result<PageRequest> PageOf(const RequestContext& ctx) {
  return ParsePageRequest(ctx.Query("limit"), ctx.Query("cursor"));
}

domain::LiveScheduleService& Live(Services& s) { return *s.live; }

Task CreateLiveSessions(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t section_id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto section, co_await s.roster.GetSection(section_id));
  HR_CO_RETURN_IF_ERROR(
      auth::Authorize(*ctx.principal, Action::kManageLiveSessions, SectionTarget(section)));
  HR_CO_ASSIGN_OR_RETURN(auto body, http::ParseJsonObject(ctx.request, {}));
  HR_CO_ASSIGN_OR_RETURN(std::string title, ReqString(body, "title"));
  HR_CO_ASSIGN_OR_RETURN(auto waiting_room, OptBool(body, "waiting_room"));
  domain::ScheduleResult result;
  if (body.contains("days")) {
    domain::WeeklyRequest req;
    req.title = std::move(title);
    req.waiting_room = waiting_room.value_or(false);
    const auto& days = body.at("days");
    if (!days.is_array()) co_return Status::InvalidArgument("days must be an array of weekdays");
    for (const auto& d : days.as_array()) {
      if (!d.is_string()) co_return Status::InvalidArgument("days must be an array of weekdays");
      req.days.emplace_back(d.as_string());
    }
    HR_CO_ASSIGN_OR_RETURN(req.start, ReqString(body, "start"));
    HR_CO_ASSIGN_OR_RETURN(req.end, ReqString(body, "end"));
    HR_CO_ASSIGN_OR_RETURN(req.from, ReqString(body, "from"));
    HR_CO_ASSIGN_OR_RETURN(req.until, ReqString(body, "until"));
    HR_CO_ASSIGN_OR_RETURN(result, co_await Live(s).ScheduleWeekly(
                                       section_id, ctx.principal->user_id, std::move(req)));
  } else {
    domain::OneOffRequest req;
    req.title = std::move(title);
    req.waiting_room = waiting_room.value_or(false);
    HR_CO_ASSIGN_OR_RETURN(req.starts_at, ReqString(body, "starts_at"));
    HR_CO_ASSIGN_OR_RETURN(req.ends_at, ReqString(body, "ends_at"));
    HR_CO_ASSIGN_OR_RETURN(result, co_await Live(s).ScheduleOneOff(
                                       section_id, ctx.principal->user_id, std::move(req)));
  }
  boost::json::array items;
  for (const auto& session : result.sessions) items.push_back(SessionJson(Live(s), session));
  boost::json::object out{{"items", std::move(items)}};
  if (result.series) {
    out["series"] = SeriesJson(*result.series);
  } else {
    out["series"] = nullptr;
  }
  co_return Json(bhttp::status::created, out);
}

Task ListSectionLiveSessions(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t section_id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(PageRequest page, PageOf(ctx));
  HR_CO_ASSIGN_OR_RETURN(auto window, Live(s).ParseWindow(ctx.Query("from"), ctx.Query("to")));
  HR_CO_ASSIGN_OR_RETURN(auto section, co_await s.roster.GetSection(section_id));
  HR_CO_RETURN_IF_ERROR(
      auth::Authorize(*ctx.principal, Action::kViewLiveSessions, SectionTarget(section)));
  HR_CO_ASSIGN_OR_RETURN(
      auto sessions, co_await Live(s).ListSection(section_id, window, page.after_id, page.limit));
  domain::LiveScheduleService& live = Live(s);
  co_return Json(bhttp::status::ok,
                 PageJson(sessions, [&](const auto& x) { return SessionJson(live, x); }));
}

// The live session id of the path.
Result<int64_t> SessionId(const RequestContext& ctx) { return ctx.PathInt("id"); }

Task GetLiveSession(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, SessionId(ctx));
  HR_CO_ASSIGN_OR_RETURN(auto view, co_await Live(s).Get(id));
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kViewLiveSessions, view.Target()));
  boost::json::object out = SessionJson(Live(s), view.session);
  out["section_title"] = view.section_title;
  co_return Json(bhttp::status::ok, out);
}

Task PatchLiveSession(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, SessionId(ctx));
  HR_CO_ASSIGN_OR_RETURN(auto view, co_await Live(s).Get(id));
  HR_CO_RETURN_IF_ERROR(
      auth::Authorize(*ctx.principal, Action::kManageLiveSessions, view.Target()));
  HR_CO_ASSIGN_OR_RETURN(auto body, http::ParseJsonObject(ctx.request, {}));
  domain::EditRequest req;
  HR_CO_ASSIGN_OR_RETURN(req.scope, ScopeOf(body));
  HR_CO_ASSIGN_OR_RETURN(req.title, OptString(body, "title"));
  HR_CO_ASSIGN_OR_RETURN(req.starts_at, OptString(body, "starts_at"));
  HR_CO_ASSIGN_OR_RETURN(req.ends_at, OptString(body, "ends_at"));
  HR_CO_ASSIGN_OR_RETURN(req.start, OptString(body, "start"));
  HR_CO_ASSIGN_OR_RETURN(req.end, OptString(body, "end"));
  HR_CO_ASSIGN_OR_RETURN(req.waiting_room, OptBool(body, "waiting_room"));
  HR_CO_ASSIGN_OR_RETURN(auto result, co_await Live(s).Edit(id, std::move(req)));
  boost::json::object out = SessionJson(Live(s), result.session);
  out["updated"] = result.updated;
  co_return Json(bhttp::status::ok, out);
}

Task CancelLiveSession(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, SessionId(ctx));
  HR_CO_ASSIGN_OR_RETURN(auto view, co_await Live(s).Get(id));
  HR_CO_RETURN_IF_ERROR(
      auth::Authorize(*ctx.principal, Action::kManageLiveSessions, view.Target()));
  HR_CO_ASSIGN_OR_RETURN(auto body, BodyOrEmpty(ctx));
  HR_CO_ASSIGN_OR_RETURN(auto scope, ScopeOf(body));
  HR_CO_ASSIGN_OR_RETURN(int64_t cancelled, co_await Live(s).Cancel(id, scope));
  co_return Json(bhttp::status::ok, {{"cancelled", cancelled}});
}

Task StartLiveSession(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, SessionId(ctx));
  HR_CO_ASSIGN_OR_RETURN(auto view, co_await Live(s).Get(id));
  HR_CO_RETURN_IF_ERROR(
      auth::Authorize(*ctx.principal, Action::kManageLiveSessions, view.Target()));
  HR_CO_ASSIGN_OR_RETURN(auto session, co_await Live(s).Start(id));
  co_return Json(bhttp::status::ok, SessionJson(Live(s), session));
}

Task EndLiveSession(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, SessionId(ctx));
  HR_CO_ASSIGN_OR_RETURN(auto view, co_await Live(s).Get(id));
  HR_CO_RETURN_IF_ERROR(
      auth::Authorize(*ctx.principal, Action::kManageLiveSessions, view.Target()));
  HR_CO_ASSIGN_OR_RETURN(auto session, co_await Live(s).End(id));
  co_return Json(bhttp::status::ok, SessionJson(Live(s), session));
}

Task MyLiveSessions(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(PageRequest page, PageOf(ctx));
  HR_CO_ASSIGN_OR_RETURN(auto window, Live(s).ParseWindow(ctx.Query("from"), ctx.Query("to")));
  auth::Principal who = *ctx.principal;
  bool guardian = who.role == auth::Role::kGuardian;
  HR_CO_ASSIGN_OR_RETURN(
      auto sessions, co_await Live(s).ListMine(std::move(who), window, page.after_id, page.limit));
  domain::LiveScheduleService& live = Live(s);
  auto to_json = [&](const domain::MyLiveSession& item) {
    boost::json::object o = SessionJson(live, item.session);
    o["section_title"] = item.section_title;
    if (guardian) {
      boost::json::array children;
      for (const auto& child : item.children) {
        children.push_back({{"id", child.id},
                            {"given_name", child.given_name},
                            {"family_name", child.family_name}});
      }
      o["children"] = std::move(children);
    }
    return o;
  };
  co_return Json(bhttp::status::ok, PageJson(sessions, to_json));
}

Result<boost::json::object> AttendanceJson(const domain::LiveScheduleService& live,
                                           const domain::AttendanceReport& r) {
  boost::json::array items;
  for (const auto& row : r.rows) {
    const auto& a = row.attendance;
    items.push_back({{"user_id", row.student.id},
                     {"sourced_id", row.student.sourced_id},
                     {"username", row.student.username},
                     {"given_name", row.student.given_name},
                     {"family_name", row.student.family_name},
                     {"status", a.Status()},
                     {"minutes_present", a.MinutesPresent()},
                     {"seconds_present", a.present_ms / 1000},
                     {"first_join_at", OptTime(a.first_join_ms)},
                     {"last_leave_at", OptTime(a.last_leave_ms)},
                     {"present_now", a.present_now},
                     {"late", a.late},
                     {"left_early", a.left_early},
                     {"intervals", a.intervals}});
  }
  boost::json::object session = SessionJson(live, r.session);
  session["section_title"] = r.section_title;
  return boost::json::object{
      {"session", std::move(session)},
      {"late_threshold_minutes", r.rules.late_threshold_ms / 60'000},
      {"left_early_threshold_minutes", r.rules.left_early_threshold_ms / 60'000},
      {"items", std::move(items)}};
}

// The attendance report of the session named by the path, when the caller may see it.
boost::asio::awaitable<Result<domain::AttendanceReport>> LoadAttendance(Services& s,
                                                                        RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, SessionId(ctx));
  HR_CO_ASSIGN_OR_RETURN(auto view, co_await Live(s).Get(id));
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kViewAttendance, view.Target()));
  co_return co_await Live(s).Attendance(id);
}

Task GetAttendance(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(auto report, co_await LoadAttendance(s, ctx));
  HR_CO_ASSIGN_OR_RETURN(auto body, AttendanceJson(Live(s), report));
  // Sessions on the external pathway: when each student opened the meeting link (docs/api.md,
  // "Pathways"); null for those who did not.
  HR_CO_ASSIGN_OR_RETURN(auto opens, co_await s.pathways->Opens(report.session.id));
  // Their time in the external meeting, from the teacher's uploaded report (null without one).
  HR_CO_ASSIGN_OR_RETURN(auto reconciled,
                         co_await s.external_attendance->ForSession(report.session.id));
  for (auto& item : body["items"].as_array()) {
    auto& o = item.as_object();
    o["opened_external_at"] = nullptr;
    for (const auto& open : opens) {
      if (open.user_id == o["user_id"].as_int64())
        o["opened_external_at"] = FormatIsoUtc(open.first_ms);
    }
    o["external_minutes"] = nullptr;
    for (const auto& r : reconciled) {
      if (r.user_id == o["user_id"].as_int64()) o["external_minutes"] = (r.seconds + 30) / 60;
    }
  }
  co_return Json(bhttp::status::ok, body);
}

Task GetAttendanceCsv(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(auto report, co_await LoadAttendance(s, ctx));
  co_return CsvResponse(domain::AttendanceCsv(report),
                        "attendance-live-session-" + std::to_string(report.session.id) + ".csv");
}

}  // namespace

void AddLiveSessionRoutes(http::Router& router, Services& s) {
  HR_CHECK(s.live != nullptr, "Services::live must be set before the routes are added");
  auto add = [&](bhttp::verb method, const char* pattern, Task (*fn)(Services&, RequestContext&)) {
    router.Add(method, pattern, [&s, fn](RequestContext& c) { return fn(s, c); });
  };
  using bhttp::verb;
  add(verb::post, "/api/v1/sections/{id}/live-sessions", CreateLiveSessions);
  add(verb::get, "/api/v1/sections/{id}/live-sessions", ListSectionLiveSessions);
  add(verb::get, "/api/v1/live-sessions/{id}", GetLiveSession);
  add(verb::patch, "/api/v1/live-sessions/{id}", PatchLiveSession);
  add(verb::post, "/api/v1/live-sessions/{id}/cancel", CancelLiveSession);
  add(verb::post, "/api/v1/live-sessions/{id}/start", StartLiveSession);
  add(verb::post, "/api/v1/live-sessions/{id}/end", EndLiveSession);
  add(verb::get, "/api/v1/me/live-sessions", MyLiveSessions);
  add(verb::get, "/api/v1/live-sessions/{id}/attendance", GetAttendance);
  add(verb::get, "/api/v1/live-sessions/{id}/attendance.csv", GetAttendanceCsv);
}

}  // namespace homeroom::api
