// GET /api/v1/challenge: a proof-of-work puzzle for under-attack mode (docs/api.md).
#include "api/routes.h"
#include "guard/admission.h"
#include "http/error_mapping.h"
#include "http/json_codec.h"

namespace homeroom::api {
namespace {

namespace bhttp = boost::beast::http;
using http::RequestContext;
using http::Response;
using Task = boost::asio::awaitable<Result<Response>>;

Task IssueChallenge(Services& s, RequestContext& ctx) {
  if (s.admission == nullptr) co_return Status::NotFound("admission control is not configured");
  const guard::Challenge challenge = s.admission->IssueChallenge(ctx.connection.remote);
  boost::json::object body = http::ChallengeJson(challenge);
  body["under_attack"] = s.admission->UnderAttack();
  co_return http::JsonResponse(bhttp::status::ok, body);
}

}  // namespace

void AddChallengeRoutes(http::Router& router, Services& s) {
  // Public and exempt from the proof it hands out; a plain read for the rate limits.
  router.Add(bhttp::verb::get, "/api/v1/challenge",
             [&s](RequestContext& ctx) { return IssueChallenge(s, ctx); },
             {.access = http::Access::kPublic,
              .route_class = guard::RouteClass::kApiRead,
              .challenge_exempt = true});
}

}  // namespace homeroom::api
