#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace homeroom::guard {

// What kind of work a route is, for rate limits and priority (docs/security.md, "Defenses:
// admission"). Set on each route (http::RouteOptions::route_class) or derived: GET/HEAD routes are
// kApiRead, other methods kApiWrite, WebSocket upgrade routes kLive.
enum class RouteClass {
  kStatic,    // the web app's files: cacheable, cheap, exempt from proof of work
  kLogin,     // sign-in and activation: a password hash each, the stuffing target
  kApiRead,   // reading API calls
  kApiWrite,  // changing API calls
  kLive,      // WebSocket upgrades of the live classes
};

inline constexpr size_t kRouteClassCount = 5;

inline constexpr std::array<RouteClass, kRouteClassCount> kAllRouteClasses = {
    RouteClass::kStatic, RouteClass::kLogin, RouteClass::kApiRead, RouteClass::kApiWrite,
    RouteClass::kLive};

// "static", "login", "api_read", "api_write", "live": metric labels and log fields.
inline std::string_view RouteClassName(RouteClass route_class) {
  switch (route_class) {
    case RouteClass::kStatic:
      return "static";
    case RouteClass::kLogin:
      return "login";
    case RouteClass::kApiRead:
      return "api_read";
    case RouteClass::kApiWrite:
      return "api_write";
    case RouteClass::kLive:
      return "live";
  }
  return "api_read";
}

}  // namespace homeroom::guard
