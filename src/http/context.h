#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/principal.h"
#include "core/status.h"
#include "http/router.h"
#include "net/body_reader.h"
#include "net/http_handler.h"

namespace homeroom::http {

// Everything a handler knows about one request: the request itself, where it came from, the route
// and its parameters, and who is asking (after authentication). Built by the Dispatcher for each
// request and owned by it for the handler's duration; not synchronized (one request, one strand).
struct RequestContext {
  const Request& request;
  const net::ConnectionInfo& connection;
  std::string request_id;  // 16 lowercase hex characters, also sent as X-Request-Id
  std::string client_ip;
  const Route* route = nullptr;
  std::vector<std::pair<std::string, std::string>> path_params;  // percent-decoded
  std::optional<auth::Principal> principal;  // set once a kSignedIn route is authenticated
  // A WebSocket upgrade request (Dispatcher::HandleUpgrade). Its method is GET, but opening a
  // socket acts for the user: the Authenticator must treat it as state-changing (Origin check for
  // a cookie credential), or any site could open a socket with the user's cookie (cross-site
  // WebSocket hijacking).
  bool upgrade = false;
  // A route with RouteOptions::stream_body: its body, to read as it arrives; null otherwise.
  net::BodyReader* body = nullptr;

  // The path parameter `name` ("{id}"), or nullopt when the route has none of that name.
  std::optional<std::string_view> PathParam(std::string_view name) const;
  // The path parameter `name` as a base-10 int64. kInvalidArgument when absent, not an integer or
  // out of range (the message names the parameter).
  Result<int64_t> PathInt(std::string_view name) const;
  // The first query parameter `name`, percent-decoded ('+' as space), via Boost.URL; nullopt when
  // absent or when the target cannot be parsed.
  std::optional<std::string> Query(std::string_view name) const;
  // The value of cookie `name` from the Cookie header(s), as sent; nullopt when absent.
  std::optional<std::string> Cookie(std::string_view name) const;
};

}  // namespace homeroom::http
