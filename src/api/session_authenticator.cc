#include "api/session_authenticator.h"

#include <algorithm>

#include "auth/auth_service.h"

namespace homeroom::api {
namespace {

namespace bhttp = boost::beast::http;

bool IsSafeMethod(bhttp::verb method) {
  return method == bhttp::verb::get || method == bhttp::verb::head ||
         method == bhttp::verb::options;
}

// "https://host:port/path" -> "host:port"
std::string_view HostOf(std::string_view origin) {
  auto scheme = origin.find("://");
  if (scheme == std::string_view::npos) return {};
  origin.remove_prefix(scheme + 3);
  return origin.substr(0, origin.find('/'));
}

}  // namespace

Status CheckSameOrigin(const http::RequestContext& ctx, const ApiOptions& options) {
  const auto& req = ctx.request;
  std::string_view origin = req[bhttp::field::origin];
  if (origin.empty()) origin = req[bhttp::field::referer];
  if (origin.empty()) {
    return Status::PermissionDenied(
        "a signed-in request that changes something must carry an Origin header");
  }
  std::string_view host = req[bhttp::field::host];
  if (!host.empty() && HostOf(origin) == host) return Status::Ok();
  for (const std::string& allowed : options.allowed_origins) {
    if (origin == allowed || origin.starts_with(allowed + "/")) return Status::Ok();
  }
  return Status::PermissionDenied("cross-site request refused: origin " + std::string(origin) +
                                  " is not allowed");
}

bool SessionAuthenticator::CarriesCredential(const net::RequestHeader& head) const {
  if (head[bhttp::field::authorization].starts_with("Bearer ")) return true;
  const std::string name = std::string(kSessionCookie) + "=";
  auto [begin, end] = head.equal_range(bhttp::field::cookie);
  for (auto it = begin; it != end; ++it) {
    const std::string_view cookies = it->value();
    for (size_t at = cookies.find(name); at != std::string_view::npos;
         at = cookies.find(name, at + 1)) {
      if (at == 0 || cookies[at - 1] == ' ' || cookies[at - 1] == ';') return true;
    }
  }
  return false;
}

boost::asio::awaitable<Result<auth::Principal>> SessionAuthenticator::Authenticate(
    http::RequestContext& ctx) {
  std::string token;
  bool via_cookie = false;
  std::string_view authorization = ctx.request[bhttp::field::authorization];
  if (authorization.starts_with("Bearer ")) {
    token = authorization.substr(7);
  } else if (auto cookie = ctx.Cookie(kSessionCookie)) {
    token = std::move(*cookie);
    via_cookie = true;
  }
  if (token.empty()) co_return Status::Unauthenticated("sign in first");
  // A WebSocket upgrade is a GET, but browsers send cookies on cross-site WebSocket handshakes and
  // do not apply CORS to them: it gets the Origin check like any change (cross-site WebSocket
  // hijacking).
  if (via_cookie && (ctx.upgrade || !IsSafeMethod(ctx.request.method()))) {
    HR_CO_RETURN_IF_ERROR(CheckSameOrigin(ctx, services_.options));
  }
  HR_CO_ASSIGN_OR_RETURN(auth::Principal who,
                         co_await services_.auth.Authenticate(std::move(token), ctx.client_ip));
  who.via_cookie = via_cookie;
  co_return who;
}

}  // namespace homeroom::api
