// POST /api/v1/auth/login, /auth/logout, /auth/activate.
#include <boost/json/object.hpp>

#include "api/routes.h"
#include "api/session_authenticator.h"
#include "api/views.h"
#include "auth/auth_service.h"
#include "core/clock.h"
#include "http/json_codec.h"

namespace homeroom::api {
namespace {

namespace bhttp = boost::beast::http;
using http::RequestContext;
using http::Response;
using Task = boost::asio::awaitable<Result<Response>>;

// Reads a required string member; kInvalidArgument names the member.
Result<std::string> RequiredString(const boost::json::object& body, std::string_view name) {
  auto it = body.find(name);
  if (it == body.end() || !it->value().is_string() || it->value().as_string().empty()) {
    return Status::InvalidArgument(std::string(name) + " is required (a non-empty string)");
  }
  return std::string(it->value().as_string());
}

Result<bool> OptionalBool(const boost::json::object& body, std::string_view name) {
  auto it = body.find(name);
  if (it == body.end() || it->value().is_null()) return false;
  if (!it->value().is_bool())
    return Status::InvalidArgument(std::string(name) + " must be true or false");
  return it->value().as_bool();
}

// Set-Cookie for a new session: HttpOnly, SameSite=Lax, Secure under TLS; persistent only when
// the user asked to be remembered on this device.
std::string SessionCookie(const RequestContext& ctx, const ApiOptions& options,
                          const auth::LoginResult& login) {
  std::string cookie =
      std::string(kSessionCookie) + "=" + login.token + "; Path=/; HttpOnly; SameSite=Lax";
  if (login.remember) {
    int64_t max_age = (login.expires_ms - SystemClock::Instance().NowMs()) / 1000;
    cookie += "; Max-Age=" + std::to_string(std::max<int64_t>(max_age, 0));
  }
  if (ctx.connection.tls || options.secure_cookies) cookie += "; Secure";
  return cookie;
}

Response SignedIn(const RequestContext& ctx, const ApiOptions& options,
                  const auth::LoginResult& login) {
  boost::json::object body{{"token", login.token},
                           {"expires_at", FormatIsoUtc(login.expires_ms)},
                           {"remember", login.remember},
                           {"user", PrincipalJson(login.principal)}};
  Response res = http::JsonResponse(bhttp::status::ok, body);
  res.set(bhttp::field::set_cookie, SessionCookie(ctx, options, login));
  return res;
}

// Sign-in forms may only be posted from our own pages (login CSRF); API clients without an
// Origin header (curl, the storm tool) are fine because they get no cookie-borne authority.
Status CheckSignInOrigin(const RequestContext& ctx, const ApiOptions& options) {
  if (ctx.request[bhttp::field::origin].empty()) return Status::Ok();
  return CheckSameOrigin(ctx, options);
}

Task Login(Services& s, RequestContext& ctx) {
  HR_CO_RETURN_IF_ERROR(CheckSignInOrigin(ctx, s.options));
  HR_CO_ASSIGN_OR_RETURN(
      auto body, http::ParseJsonObject(ctx.request, {.max_bytes = s.options.auth_body_limit}));
  HR_CO_ASSIGN_OR_RETURN(std::string username, RequiredString(body, "username"));
  HR_CO_ASSIGN_OR_RETURN(std::string password, RequiredString(body, "password"));
  HR_CO_ASSIGN_OR_RETURN(bool remember, OptionalBool(body, "remember"));
  std::string agent(ctx.request[bhttp::field::user_agent]);
  HR_CO_ASSIGN_OR_RETURN(auto login,
                         co_await s.auth.Login(std::move(username), std::move(password), remember,
                                               ctx.client_ip, std::move(agent)));
  co_return SignedIn(ctx, s.options, login);
}

Task Activate(Services& s, RequestContext& ctx) {
  HR_CO_RETURN_IF_ERROR(CheckSignInOrigin(ctx, s.options));
  HR_CO_ASSIGN_OR_RETURN(
      auto body, http::ParseJsonObject(ctx.request, {.max_bytes = s.options.auth_body_limit}));
  HR_CO_ASSIGN_OR_RETURN(std::string code, RequiredString(body, "code"));
  HR_CO_ASSIGN_OR_RETURN(std::string password, RequiredString(body, "new_password"));
  std::string agent(ctx.request[bhttp::field::user_agent]);
  HR_CO_ASSIGN_OR_RETURN(auto login, co_await s.auth.Activate(std::move(code), std::move(password),
                                                              ctx.client_ip, std::move(agent)));
  co_return SignedIn(ctx, s.options, login);
}

Task Logout(Services& s, RequestContext& ctx) {
  bool all_devices = false;
  if (!ctx.request.body().empty()) {
    HR_CO_ASSIGN_OR_RETURN(
        auto body, http::ParseJsonObject(ctx.request, {.max_bytes = s.options.auth_body_limit}));
    HR_CO_ASSIGN_OR_RETURN(all_devices, OptionalBool(body, "all_devices"));
  }
  HR_CO_RETURN_IF_ERROR(co_await s.auth.Logout(*ctx.principal, all_devices));
  Response res = http::JsonResponse(
      bhttp::status::ok, boost::json::object{{"signed_out", true}, {"all_devices", all_devices}});
  res.set(bhttp::field::set_cookie,
          std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
  co_return res;
}

}  // namespace

void AddAuthRoutes(http::Router& router, Services& s) {
  // The sign-in routes are the login class: their own rate limits, priority after signed-in
  // traffic, and under attack a proof of work for every attempt.
  http::RouteOptions sign_in{.access = http::Access::kPublic,
                             .body_limit = s.options.auth_body_limit,
                             .route_class = guard::RouteClass::kLogin};
  router.Add(
      bhttp::verb::post, "/api/v1/auth/login", [&s](RequestContext& ctx) { return Login(s, ctx); },
      sign_in);
  router.Add(
      bhttp::verb::post, "/api/v1/auth/activate",
      [&s](RequestContext& ctx) { return Activate(s, ctx); }, sign_in);
  router.Add(bhttp::verb::post, "/api/v1/auth/logout",
             [&s](RequestContext& ctx) { return Logout(s, ctx); },
             {.access = http::Access::kSignedIn, .body_limit = s.options.auth_body_limit});
}

}  // namespace homeroom::api
