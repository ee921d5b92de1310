#pragma once

#include <boost/asio/awaitable.hpp>

#include "auth/principal.h"
#include "core/status.h"
#include "http/context.h"

namespace homeroom::http {

// Decides who is making a request (session cookie or bearer token), for routes with
// Access::kSignedIn. Implemented by the auth side of the app; the Dispatcher calls it on the
// connection's strand, so it must not block (offload lookups). Must be thread-safe.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The caller's principal, or kUnauthenticated (401) when there is no valid credential;
  // kUnavailable/kResourceExhausted when it cannot decide now.
  virtual boost::asio::awaitable<Result<auth::Principal>> Authenticate(RequestContext& ctx) = 0;
  // Whether a request head carries a credential this authenticator would check (a session
  // cookie, a bearer token), without checking it: admission's cheap, provisional sign of a
  // signed-in caller (guard/admission.h). Must be cheap and thread-safe.
  virtual bool CarriesCredential(const net::RequestHeader& head) const {
    (void)head;
    return false;
  }
};

}  // namespace homeroom::http
