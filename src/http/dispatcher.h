#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/metrics.h"
#include "guard/admission.h"
#include "guard/request_observer.h"
#include "guard/trusted_proxies.h"
#include "http/authenticator.h"
#include "http/context.h"
#include "http/router.h"
#include "net/http_handler.h"
#include "net/websocket.h"

namespace homeroom::http {

struct DispatcherOptions {
  // Body bytes allowed for routes whose RouteOptions::body_limit is 0.
  size_t default_body_limit = 64 << 10;
  // One JSON access-log line per request (core/log.h, event "http_request").
  bool access_log = true;
  // Load balancers and proxies in front of the server: for a connection from one of them, the
  // client is the one X-Forwarded-For names (guard::TrustedProxies), for admission, detection,
  // forensics, sign-in fairness and logs alike. Empty (the default): every connection is its own
  // client and X-Forwarded-For is ignored.
  guard::TrustedProxies trusted_proxies;
};

// The application's net::HttpHandler: routes each request, authenticates kSignedIn routes, runs
// the handler, maps a Status error through ErrorResponse(), and adds what every API response
// carries (X-Request-Id, Cache-Control: no-store unless the handler set one,
// X-Content-Type-Options, Referrer-Policy, X-Frame-Options). Unknown paths are answered 404 and
// wrong methods 405 (with Allow) from the head alone, before any body is read.
//
// WebSocket upgrades (HandleUpgrade) go to routes added with Router::AddUpgrade: routed, then
// authenticated with RequestContext::upgrade set (so that the Authenticator applies its Origin
// check), then the route's UpgradeHandler decides; an error Status refuses through
// ErrorResponse(). An upgrade request to an ordinary route is served as a plain request (the
// Upgrade header is ignored, RFC 9110 7.8).
//
// Per request it writes one access-log line (time, level, request_id, method, route pattern,
// status, duration_ms, client_ip, bytes; never a credential, cookie or raw path; status 101 for
// an accepted upgrade) and records
//   homeroom_http_requests_total{route,method,status}     counter
//   homeroom_http_request_duration_seconds{route}         histogram
// where route is the pattern, or "unmatched", and tells every guard::RequestObserver (AddObserver).
//
// With admission (SetAdmission, guard/admission.h): OnHead refuses blocked sources (403 "blocked",
// connection closed), sources over their host or subnet bucket of the route's class (429 with
// Retry-After) and, under attack, anonymous requests without a solved challenge (403
// "challenge_required"), all before the body is read or any store work; unmatched paths count
// against the buckets too. Handle and HandleUpgrade then take a slot of the adaptive concurrency
// limit by priority (503 with Retry-After when shed), authenticate, check the account's bucket
// (429), and under attack challenge a request whose credential failed. Each decision is counted
// (homeroom_guard_admission_total{class,decision}) and logged (the access log's "admission").
//
// Thread-safe: called concurrently by every I/O thread. `router`, `authenticator` and `metrics`
// must outlive it; the router must not change while it serves.
class Dispatcher final : public net::HttpHandler {
 public:
  Dispatcher(const Router& router, Authenticator& authenticator, metrics::Registry& metrics,
             DispatcherOptions options = {});

  // Adds an observer told about every answered request. Call before serving; `observer` must
  // outlive the Dispatcher.
  void AddObserver(guard::RequestObserver* observer) { observers_.push_back(observer); }
  // Turns admission control on. Call before serving; `admission` must outlive the Dispatcher.
  void SetAdmission(guard::Admission* admission) { admission_ = admission; }

  net::HeadDecision OnHead(const net::RequestHeader& head,
                           const net::ConnectionInfo& conn) override;
  boost::asio::awaitable<Response> Handle(Request&& request,
                                          const net::ConnectionInfo& conn) override;
  boost::asio::awaitable<net::UpgradeDecision> HandleUpgrade(
      Request&& request, const net::ConnectionInfo& conn) override;

 private:
  using Clock = std::chrono::steady_clock;
  // Routes a target; a target that is not origin-form is kNotFound with *bad_target set.
  RouteMatch Match(boost::beast::http::verb method, std::string_view target,
                   bool* bad_target) const;
  Response Unmatched(const RouteMatch& match, bool bad_target) const;
  // Authenticates (with the admission checks that follow it) and runs the handler.
  boost::asio::awaitable<Response> Run(RequestContext& ctx, guard::AdmissionDecision* decision);
  // Authenticates and asks the upgrade route's handler; a refusal is an error Status or, from
  // admission, *refused.
  boost::asio::awaitable<Result<std::shared_ptr<net::WebSocketHandler>>> RunUpgrade(
      RequestContext& ctx, guard::AdmissionDecision* decision, std::optional<Response>* refused);
  // After authentication: the account's bucket, or under attack the proof of a failed
  // credential. A refusal's answer, or nullopt to go on.
  std::optional<Response> AfterAuthentication(const RequestContext& ctx,
                                              const Result<auth::Principal>& principal,
                                              guard::AdmissionDecision* decision);
  guard::HeadFacts Facts(const net::RequestHeader& head, const net::ConnectionInfo& conn,
                         const Route* route) const;
  // The connection as the rest of the dispatcher sees it: `peer` with `remote` replaced by the
  // client a trusted proxy names (DispatcherOptions::trusted_proxies); `peer` itself otherwise.
  net::ConnectionInfo AsSeen(const net::RequestHeader& head, const net::ConnectionInfo& peer) const;
  // What Record() reports about one request besides its status and size.
  struct Seen {
    const net::RequestHeader& head;
    const net::ConnectionInfo& conn;
    const std::string& request_id;
    std::string_view route;
    const std::optional<auth::Principal>& principal;
    size_t bytes_in = 0;
    Clock::time_point start;
    // Set when admission decided about this request.
    std::optional<guard::AdmissionDecision> admission = std::nullopt;
    guard::RouteClass route_class = guard::RouteClass::kApiRead;
  };
  // Adds the common headers, then Record()s the request.
  void Finish(Response& res, const Seen& seen);
  // Logs the request, records its metrics and tells the observers.
  void Record(unsigned status, size_t bytes_out, const Seen& seen);

  const Router& router_;
  Authenticator& authenticator_;
  metrics::Registry& metrics_;
  const DispatcherOptions options_;
  std::vector<guard::RequestObserver*> observers_;
  guard::Admission* admission_ = nullptr;
};

}  // namespace homeroom::http
