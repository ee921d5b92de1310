// Client telemetry (docs/api.md, "Client telemetry"): POST /api/v1/telemetry (any signed-in user,
// about their own device), GET /api/v1/users/{id}/client-events (support: the user's school
// admins, district admins). Each: decode -> ask the policy -> call the telemetry service -> encode.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "api/routes.h"
#include "auth/policy.h"
#include "domain/client_telemetry.h"
#include "domain/live_calendar.h"
#include "domain/live_schedule.h"
#include "domain/roster_service.h"
#include "http/json_codec.h"

namespace homeroom::api {
namespace {

namespace bhttp = boost::beast::http;
using auth::Action;
using http::RequestContext;
using http::Response;
using Task = boost::asio::awaitable<Result<Response>>;

// The longest range one timeline read covers.
constexpr int64_t kMaxRangeMs = 31LL * 24 * 60 * 60 * 1000;
constexpr int64_t kDayMs = 24 * 60 * 60 * 1000;

boost::json::object EventJson(const store::ClientEventRecord& e) {
  boost::system::error_code ec;
  boost::json::value detail = boost::json::parse(e.detail, ec);  // stored by this server: valid
  return {{"id", e.id},
          {"kind", e.kind},
          {"at", FormatIsoUtc(e.at_ms)},
          {"received_at", FormatIsoUtc(e.received_ms)},
          {"ip", e.ip},
          {"user_agent", e.user_agent},
          {"page", e.page},
          {"detail", ec ? boost::json::value(boost::json::object()) : std::move(detail)}};
}

// `?name=` as epoch milliseconds (ISO 8601; without an offset, the district's time), or
// `fallback` when absent.
Result<int64_t> InstantParam(Services& s, const RequestContext& ctx, std::string_view name,
                             int64_t fallback) {
  auto text = ctx.Query(name);
  if (!text) return fallback;
  return domain::ParseInstant(*text, s.live->zone(), name);
}

Task Report(Services& s, RequestContext& ctx) {
  const auth::Principal& who = *ctx.principal;
  http::JsonLimits limits;
  limits.max_bytes = s.telemetry->options().max_report_bytes;
  HR_CO_ASSIGN_OR_RETURN(auto body, http::ParseJsonObject(ctx.request, limits));
  auto events = body.find("events");
  if (events == body.end() || !events->value().is_array()) {
    co_return Status::InvalidArgument("events must be an array of events");
  }
  const boost::json::array& list = events->value().as_array();
  std::string user_agent(ctx.request[bhttp::field::user_agent]);
  HR_CO_ASSIGN_OR_RETURN(
      int64_t stored, co_await s.telemetry->Report(who.user_id, ctx.connection.remote.to_string(),
                                                   std::move(user_agent), list));
  co_return http::JsonResponse(bhttp::status::accepted, boost::json::object{{"stored", stored}});
}

Task UserEvents(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto view, co_await s.roster.GetUser(id));
  auth::Target target{
      .user_id = view.user.id, .user_role = view.user.role, .school_ids = view.user.school_ids};
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kViewDiagnostics, target));
  const int64_t now = SystemClock::Instance().NowMs();
  HR_CO_ASSIGN_OR_RETURN(int64_t to, InstantParam(s, ctx, "to", now));
  HR_CO_ASSIGN_OR_RETURN(int64_t from, InstantParam(s, ctx, "from", to - kDayMs));
  if (from >= to) co_return Status::InvalidArgument("from must be before to");
  if (to - from > kMaxRangeMs)
    co_return Status::InvalidArgument("from..to may span at most 31 days");
  HR_CO_ASSIGN_OR_RETURN(auto events, co_await s.telemetry->ForUser(id, from, to));
  boost::json::array items;
  for (const auto& e : events) items.push_back(EventJson(e));
  co_return http::JsonResponse(
      bhttp::status::ok, boost::json::object{{"user_id", id},
                                             {"from", FormatIsoUtc(from)},
                                             {"to", FormatIsoUtc(to)},
                                             {"items", std::move(items)},
                                             {"truncated", static_cast<int64_t>(events.size()) ==
                                                               s.telemetry->options().max_read}});
}

}  // namespace

void AddTelemetryRoutes(http::Router& router, Services& s) {
  auto add = [&](bhttp::verb verb, const char* pattern, Task (*fn)(Services&, RequestContext&)) {
    router.Add(verb, pattern, [&s, fn](RequestContext& c) { return fn(s, c); });
  };
  add(bhttp::verb::post, "/api/v1/telemetry", Report);
  add(bhttp::verb::get, "/api/v1/users/{id}/client-events", UserEvents);
}

}  // namespace homeroom::api
