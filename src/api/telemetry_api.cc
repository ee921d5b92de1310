// Client telemetry (docs/api.md, "Client telemetry"): POST /api/v1/telemetry, from any signed-in
// user about their own device. Decode -> call the telemetry service -> encode. Support reads it
// in diagnostics_api.cc.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/routes.h"
#include "domain/client_telemetry.h"
#include "http/json_codec.h"

namespace homeroom::api {
namespace {

namespace bhttp = boost::beast::http;
using http::RequestContext;
using http::Response;
using Task = boost::asio::awaitable<Result<Response>>;

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

}  // namespace

void AddTelemetryRoutes(http::Router& router, Services& s) {
  auto add = [&](bhttp::verb verb, const char* pattern, Task (*fn)(Services&, RequestContext&)) {
    router.Add(verb, pattern, [&s, fn](RequestContext& c) { return fn(s, c); });
  };
  add(bhttp::verb::post, "/api/v1/telemetry", Report);
}

}  // namespace homeroom::api
