#pragma once

#include "api/services.h"
#include "http/authenticator.h"
#include "http/context.h"
#include "http/router.h"

namespace homeroom::api {

// Turns a request's credentials into a Principal for routes that need one: a bearer token
// (`Authorization: Bearer ...`) or the session cookie. Cookie-authenticated requests that change
// state must come from an allowed Origin (the server's own or ApiOptions::allowed_origins): that is
// the CSRF defense, on top of SameSite=Lax; WebSocket upgrades get the same check. Thread-safe.
class SessionAuthenticator final : public http::Authenticator {
 public:
  explicit SessionAuthenticator(Services& services) : services_(services) {}
  boost::asio::awaitable<Result<auth::Principal>> Authenticate(http::RequestContext& ctx) override;
  // A bearer token or the session cookie is present.
  bool CarriesCredential(const net::RequestHeader& head) const override;

 private:
  Services& services_;
};

// OK when the request's Origin (or, without one, its Referer) is the server's own or allowed;
// kPermissionDenied otherwise. Used for cookie-authenticated unsafe methods and for sign-in.
Status CheckSameOrigin(const http::RequestContext& ctx, const ApiOptions& options);

}  // namespace homeroom::api
