// GET /api/v1/me, /me/sections, /me/children, PATCH /me/preferences: the signed-in user's own view
// and choices.
#include <boost/json/array.hpp>

#include "api/routes.h"
#include "api/views.h"
#include "auth/policy.h"
#include "domain/live_schedule.h"
#include "domain/preferences.h"
#include "domain/roster_service.h"
#include "http/json_codec.h"

namespace homeroom::api {
namespace {

namespace bhttp = boost::beast::http;
using http::RequestContext;
using http::Response;
using Task = boost::asio::awaitable<Result<Response>>;

boost::json::value LanguageJson(const std::optional<std::string>& language) {
  if (!language) return nullptr;
  return boost::json::value(*language);
}

// The principal, the user's preferences and the district's time zone (the web app formats every
// date and reads every typed time in it, whatever the device's zone).
Task Me(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(auto prefs, co_await s.preferences->Get(ctx.principal->user_id));
  boost::json::object body = PrincipalJson(*ctx.principal);
  body["language"] = LanguageJson(prefs.language);
  body["time_zone"] = s.live->zone().name();
  co_return http::JsonResponse(bhttp::status::ok, body);
}

// {"language": "es"} sets it, {"language": null} clears it; other members are refused so that a
// typo does not pass for a saved choice.
Task UpdatePreferences(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(auto body, http::ParseJsonObject(ctx.request, {}));
  for (const auto& member : body) {
    if (member.key() != "language") {
      co_return Status::InvalidArgument("unknown preference \"" + std::string(member.key()) +
                                        "\" (known: language)");
    }
  }
  auto it = body.find("language");
  if (it == body.end()) co_return Status::InvalidArgument("language is required");
  std::optional<std::string> language;
  if (it->value().is_string()) {
    language = std::string(it->value().as_string());
  } else if (!it->value().is_null()) {
    co_return Status::InvalidArgument("language must be one of \"en\", \"es\", \"ht\" (or null)");
  }
  HR_CO_ASSIGN_OR_RETURN(
      auto prefs, co_await s.preferences->SetLanguage(ctx.principal->user_id, std::move(language)));
  co_return http::JsonResponse(bhttp::status::ok,
                               boost::json::object{{"language", LanguageJson(prefs.language)}});
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
  router.Add(bhttp::verb::patch, "/api/v1/me/preferences",
             [&s](RequestContext& c) { return UpdatePreferences(s, c); });
}

}  // namespace homeroom::api
