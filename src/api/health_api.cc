// GET /healthz (the process answers) and /readyz (the store answers and its schema is current;
// media health is shown, but Janus down does not make the node unready).
#include "api/routes.h"
#include "api/views.h"
#include "http/json_codec.h"
#include "store/database.h"

namespace homeroom::api {
namespace {

namespace bhttp = boost::beast::http;
using http::RequestContext;
using http::Response;
using Task = boost::asio::awaitable<Result<Response>>;

Task Healthz(Services&, RequestContext&) {
  co_return http::JsonResponse(bhttp::status::ok, boost::json::object{{"status", "alive"}});
}

Task Readyz(Services& s, RequestContext&) {
  auto check = [](sql::Connection& c) { return store::Database::CheckReady(c); };
  Status store = co_await s.db.Read(check);
  if (!store.ok()) co_return Status::Unavailable("not ready: " + store.message(), 5);
  // Media down is not "not ready": classes go on without video (docs/operations.md).
  co_return http::JsonResponse(
      bhttp::status::ok,
      boost::json::object{
          {"status", "ready"}, {"store", "ok"}, {"media", MediaHealthJson(s.media)}});
}

}  // namespace

void AddHealthRoutes(http::Router& router, Services& s) {
  // Load balancers and probes must reach these under attack without solving puzzles.
  http::RouteOptions open{.access = http::Access::kPublic, .challenge_exempt = true};
  router.Add(
      bhttp::verb::get, "/healthz", [&s](RequestContext& c) { return Healthz(s, c); }, open);
  router.Add(
      bhttp::verb::get, "/readyz", [&s](RequestContext& c) { return Readyz(s, c); }, open);
}

}  // namespace homeroom::api
