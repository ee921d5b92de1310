// Alerts for families (docs/api.md, "Alerts"): GET /api/v1/me/alerts, a guardian's children's
// missed live sessions and missing work (a student's own). decode -> ask the policy -> the alert
// service -> encode.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/routes.h"
#include "api/views.h"
#include "auth/policy.h"
#include "domain/alerts.h"
#include "http/json_codec.h"

namespace homeroom::api {
namespace {

namespace bhttp = boost::beast::http;
using http::RequestContext;
using Task = boost::asio::awaitable<Result<http::Response>>;

boost::json::object AlertJson(const store::AlertRecord& a) {
  boost::json::object o{{"kind", a.kind},
                        {"student", {{"id", a.student_id}, {"name", a.student_name}}},
                        {"section_id", a.section_id},
                        {"section_title", a.section_title},
                        {"title", a.title},
                        {"at", FormatIsoUtc(a.at_ms)}};
  o[a.kind == "missed_session" ? "session_id" : "assignment_id"] = a.item_id;
  return o;
}

Task MyAlerts(Services& s, RequestContext& ctx) {
  const auth::Principal& who = *ctx.principal;
  HR_CO_RETURN_IF_ERROR(auth::Authorize(who, auth::Action::kViewOwnAlerts, {}));
  std::vector<int64_t> students =
      who.role == auth::Role::kGuardian ? who.child_ids : std::vector<int64_t>{who.user_id};
  HR_CO_ASSIGN_OR_RETURN(auto alerts, co_await s.alerts->ForStudents(std::move(students)));
  boost::json::array items;
  for (const auto& a : alerts) items.push_back(AlertJson(a));
  co_return http::JsonResponse(
      bhttp::status::ok, boost::json::object{{"lookback_days", s.alerts->options().lookback_days},
                                             {"items", std::move(items)}});
}

}  // namespace

void AddAlertRoutes(http::Router& router, Services& s) {
  HR_CHECK(s.alerts != nullptr, "Services::alerts must be set before the routes are added");
  router.Add(bhttp::verb::get, "/api/v1/me/alerts",
             [&s](RequestContext& c) { return MyAlerts(s, c); });
}

}  // namespace homeroom::api
