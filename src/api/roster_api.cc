// GET /api/v1/schools, /schools/{id}, /schools/{id}/sections, /sections/{id},
// /sections/{id}/roster, /users/{id}, /users?q=. Each: decode -> load facts -> ask the policy ->
// encode.
#include "api/routes.h"
#include "api/views.h"
#include "auth/policy.h"
#include "domain/roster_service.h"
#include "http/json_codec.h"

namespace homeroom::api {
namespace {

namespace bhttp = boost::beast::http;
using auth::Action;
using http::RequestContext;
using http::Response;
using Task = boost::asio::awaitable<Result<Response>>;

Result<PageRequest> PageOf(const RequestContext& ctx) {
  return ParsePageRequest(ctx.Query("limit"), ctx.Query("cursor"));
}

Response Ok(const boost::json::object& body) { return http::JsonResponse(bhttp::status::ok, body); }

Task ListSchools(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(PageRequest page, PageOf(ctx));
  const auth::Principal& who = *ctx.principal;
  HR_CO_RETURN_IF_ERROR(auth::Authorize(who, Action::kListSchools, {}));
  std::optional<std::vector<int64_t>> only;
  if (!auth::SeesAllSchools(who)) only = who.school_ids;
  HR_CO_ASSIGN_OR_RETURN(auto schools,
                         co_await s.roster.ListSchools(page.after_id, page.limit, only));
  co_return Ok(PageJson(schools, SchoolJson));
}

Task GetSchool(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto school, co_await s.roster.GetSchool(id));
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kViewSchool, {.school_ids = {id}}));
  co_return Ok(SchoolJson(school));
}

Task ListSchoolSections(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(PageRequest page, PageOf(ctx));
  HR_CO_ASSIGN_OR_RETURN(auto school, co_await s.roster.GetSchool(id));
  HR_CO_RETURN_IF_ERROR(
      auth::Authorize(*ctx.principal, Action::kListSchoolSections, {.school_ids = {school.id}}));
  HR_CO_ASSIGN_OR_RETURN(auto sections,
                         co_await s.roster.ListSchoolSections(id, page.after_id, page.limit));
  co_return Ok(PageJson(sections, SectionJson));
}

Task GetSection(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto view, co_await s.roster.GetSection(id));
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kViewSection, SectionTarget(view)));
  co_return Ok(SectionJson(view.section));
}

Task GetSectionRoster(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(PageRequest page, PageOf(ctx));
  HR_CO_ASSIGN_OR_RETURN(auto view, co_await s.roster.GetSection(id));
  HR_CO_RETURN_IF_ERROR(
      auth::Authorize(*ctx.principal, Action::kViewSectionRoster, SectionTarget(view)));
  HR_CO_ASSIGN_OR_RETURN(auto roster,
                         co_await s.roster.SectionRoster(id, page.after_id, page.limit));
  co_return Ok(PageJson(roster, RosterEntryJson));
}

Task GetUser(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto view, co_await s.roster.GetUser(id));
  auth::Target target = UserTarget(view);
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kViewUser, target));
  co_return Ok(UserJson(view.user));
}

Task SearchUsers(Services& s, RequestContext& ctx) {
  const auth::Principal& who = *ctx.principal;
  HR_CO_RETURN_IF_ERROR(auth::Authorize(who, Action::kSearchUsers, {}));
  HR_CO_ASSIGN_OR_RETURN(PageRequest page, PageOf(ctx));
  std::optional<std::string> q = ctx.Query("q");
  if (!q) co_return Status::InvalidArgument("q is required: a name or username prefix");
  std::optional<std::vector<int64_t>> only;
  if (!auth::SeesAllSchools(who)) only = who.school_ids;
  HR_CO_ASSIGN_OR_RETURN(auto users,
                         co_await s.roster.SearchUsers(*q, only, page.after_id, page.limit));
  co_return Ok(PageJson(users, UserJson));
}

}  // namespace

void AddRosterRoutes(http::Router& router, Services& s) {
  auto add = [&](const char* pattern, Task (*fn)(Services&, RequestContext&)) {
    router.Add(bhttp::verb::get, pattern, [&s, fn](RequestContext& c) { return fn(s, c); });
  };
  add("/api/v1/schools", ListSchools);
  add("/api/v1/schools/{id}", GetSchool);
  add("/api/v1/schools/{id}/sections", ListSchoolSections);
  add("/api/v1/sections/{id}", GetSection);
  add("/api/v1/sections/{id}/roster", GetSectionRoster);
  add("/api/v1/users/{id}", GetUser);
  add("/api/v1/users", SearchUsers);
}

}  // namespace homeroom::api
