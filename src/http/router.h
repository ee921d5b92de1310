#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "guard/route_class.h"
#include "net/http_handler.h"
#include "net/websocket.h"

namespace homeroom::http {

using Request = net::Request;
using Response = net::Response;

struct RequestContext;

// Who may call a route: anyone, or only a request the Authenticator accepts.
enum class Access { kPublic, kSignedIn };

struct RouteOptions {
  Access access = Access::kSignedIn;
  // Bytes allowed in the request body; 0 means the dispatcher's default (64 KiB).
  size_t body_limit = 0;
  // The handler reads the body as it arrives through RequestContext::body (uploads that must
  // never be held whole in memory); the request's own body stays empty. The body is read only
  // after authentication, so an anonymous upload is refused before a byte of it is read.
  bool stream_body = false;
  // The route's class for rate limits and priority (guard/route_class.h). Unset: derived when the
  // route is added: GET and HEAD are kApiRead, other methods kApiWrite, upgrade routes kLive. Set
  // kLogin on the sign-in routes and kStatic on the web app's files.
  std::optional<guard::RouteClass> route_class;
  // Under attack, anonymous callers need no proof of work here (health checks, the challenge
  // endpoint itself). kStatic routes are always exempt.
  bool challenge_exempt = false;
};

// The class a route gets when RouteOptions::route_class is unset.
guard::RouteClass DefaultRouteClass(boost::beast::http::verb method, bool upgrade);

// A route's handler: decodes the request from the context, calls a service, encodes the answer.
// Errors are Status values; the dispatcher maps them to HTTP in one place (error_mapping.h).
using Handler = std::function<boost::asio::awaitable<Result<Response>>(RequestContext&)>;

// A WebSocket route's handler: decides from the upgrade request (authenticated like any kSignedIn
// route) whether to accept it, and returns the handler that runs on the socket. An error Status
// refuses the upgrade with the mapped HTTP answer (401, 403, 404, 429...). Must not block.
using UpgradeHandler =
    std::function<boost::asio::awaitable<Result<std::shared_ptr<net::WebSocketHandler>>>(
        RequestContext&)>;

struct Route {
  boost::beast::http::verb method;
  std::string pattern;  // "/api/v1/sections/{id}": literal segments and {name} parameters
  Handler handler;      // empty for upgrade routes
  RouteOptions options;
  // A WebSocket endpoint (Router::AddUpgrade): method is GET and upgrade_handler is set.
  bool upgrade = false;
  // options.route_class, or DefaultRouteClass() when unset.
  guard::RouteClass route_class = guard::RouteClass::kApiRead;
  UpgradeHandler upgrade_handler;
};

// The result of Router::Find().
struct RouteMatch {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed };
  Kind kind = Kind::kNotFound;
  const Route* route = nullptr;                                  // kFound only
  std::vector<std::pair<std::string, std::string>> path_params;  // kFound only, percent-decoded
  std::vector<boost::beast::http::verb> allowed;                 // kMethodNotAllowed, sorted

  // "GET, POST": the Allow header of a 405.
  std::string AllowHeader() const;
};

// Maps (method, path) to a Route. Literal segments win over parameters ("/sections/mine" before
// "/sections/{id}"), with backtracking. A path that matches only with other methods is a 405.
//
// Built once at start-up with Add(), then read concurrently: Find() and routes() are thread-safe
// as long as no Add() runs at the same time. Pointers to routes stay valid until the next Add().
class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Registers a route. A malformed pattern (not starting with '/', an empty or unclosed {param})
  // or a duplicate (method, pattern) is a programming error and crashes loudly at start-up.
  void Add(boost::beast::http::verb method, std::string pattern, Handler handler,
           RouteOptions options = {});
  // Registers a WebSocket endpoint: a GET route (listed in routes() with upgrade set) that only
  // answers WebSocket upgrade requests; a plain GET to it is answered 426 Upgrade Required after
  // authentication. Same pattern rules and crash on duplicates as Add().
  void AddUpgrade(std::string pattern, UpgradeHandler handler, RouteOptions options = {});
  // Registers the handler of GET requests whose path no route matches under any method and that
  // is not `except_prefix` or below it ("/api": "/api" and "/api/..." stay 404): the web app's
  // files and its client-side routes (http/static_site.h). Not listed in routes(); its pattern
  // (the metrics' route label) is "/*". At most one; a second call crashes at start-up.
  void SetFallback(Handler handler, RouteOptions options, std::string except_prefix);
  // Matches an origin-form path without the query ("/api/v1/sections/12"), percent-encoded as
  // received. Never fails: an unparsable path is kNotFound.
  RouteMatch Find(boost::beast::http::verb method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Node;
  void Insert(Route route);
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> param_names_;  // per route, in path order
  std::unique_ptr<Node> root_;
  std::unique_ptr<Route> fallback_;  // SetFallback(); a stable address for RouteMatch::route
  std::string fallback_except_;
};

}  // namespace homeroom::http
