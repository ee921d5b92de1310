// GET /api/v1/me, /me/sections, /me/children: the signed-in user's own view.
#include <boost/json/array.hpp>

#include "api/routes.h"
#include "api/views.h"
#include "auth/policy.h"
#include "domain/roster_service.h"
#include "http/json_codec.h"

namespace homeroom::api {
namespace {

namespace bhttp = boost::beast::http;
using http::RequestContext;
using http::Response;
using Task = boost::asio::awaitable<Result<Response>>;

Task Me(Services&, RequestContext& ctx) {
  co_return http::JsonResponse(bhttp::status::ok, PrincipalJson(*ctx.principal));
}

Task MySections(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(auto sections, co_await s.roster.SectionsOfUser(ctx.principal->user_id));
  boost::json::array items;
  for (const auto& section : sections) items.push_back(SectionJson(section));
  co_return http::JsonResponse(bhttp::status::ok, boost::json::object{{"items", std::move(items)}});
}

Task MyChildren(Services& s, RequestContext& ctx) {
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, auth::Action::kViewOwnChildren, {}));
  HR_CO_ASSIGN_OR_RETURN(auto children, co_await s.roster.ChildrenOf(ctx.principal->user_id));
  boost::json::array items;
  for (const auto& child : children) {
    boost::json::object item = UserJson(child);
    HR_CO_ASSIGN_OR_RETURN(auto sections, co_await s.roster.SectionsOfUser(child.id));
    boost::json::array section_items;
    for (const auto& section : sections) section_items.push_back(SectionJson(section));
    item["sections"] = std::move(section_items);
    items.push_back(std::move(item));
  }
  co_return http::JsonResponse(bhttp::status::ok, boost::json::object{{"items", std::move(items)}});
}

}  // namespace

void AddMeRoutes(http::Router& router, Services& s) {
  router.Add(bhttp::verb::get, "/api/v1/me", [&s](RequestContext& c) { return Me(s, c); });
  router.Add(bhttp::verb::get, "/api/v1/me/sections",
             [&s](RequestContext& c) { return MySections(s, c); });
  router.Add(bhttp::verb::get, "/api/v1/me/children",
             [&s](RequestContext& c) { return MyChildren(s, c); });
}

}  // namespace homeroom::api
