#include "http/dispatcher.h"

#include <boost/beast/http/field.hpp>
#include <boost/json/object.hpp>
#include <boost/range/iterator_range.hpp>
#include <boost/url/parse.hpp>
#include <exception>
#include <optional>
#include <utility>

#include "core/log.h"
#include "http/error_mapping.h"
#include "http/request_id.h"
#include "net/error_response.h"

namespace homeroom::http {

namespace beast_http = boost::beast::http;

namespace {

constexpr std::string_view kUnmatched = "unmatched";
constexpr std::string_view kForwardedForHeader = "X-Forwarded-For";
const std::optional<auth::Principal> kNobody;

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

// What a request that found no free slot gets: shed (503) with the configured Retry-After.
guard::AdmissionVerdict ShedVerdict(const guard::Admission& admission) {
  guard::AdmissionVerdict shed;
  shed.decision = guard::AdmissionDecision::kShed;
  shed.retry_after_s = admission.options().concurrency.retry_after_s;
  return shed;
}

}  // namespace

Dispatcher::Dispatcher(const Router& router, Authenticator& authenticator,
                       metrics::Registry& metrics, DispatcherOptions options)
    : router_(router), authenticator_(authenticator), metrics_(metrics), options_(options) {}

RouteMatch Dispatcher::Match(beast_http::verb method, std::string_view target,
                             bool* bad_target) const {
  *bad_target = false;
  auto url = boost::urls::parse_origin_form(target);
  if (!url) {
    *bad_target = true;
    return RouteMatch();
  }
  return router_.Find(method, url->encoded_path());
}

Response Dispatcher::Unmatched(const RouteMatch& match, bool bad_target) const {
  if (bad_target) return ErrorResponse(Status::InvalidArgument("invalid request target"));
  if (match.kind == RouteMatch::Kind::kMethodNotAllowed) {
    Response res = ErrorResponse(Status::MethodNotAllowed("method not allowed on this path"));
    res.set(beast_http::field::allow, match.AllowHeader());
    return res;
  }
  return ErrorResponse(Status::NotFound("no such path"));
}

guard::HeadFacts Dispatcher::Facts(const net::RequestHeader& head, const net::ConnectionInfo& conn,
                                   const Route* route) const {
  guard::HeadFacts facts;
  facts.remote = conn.remote;
  facts.route_class = route ? route->route_class : DefaultRouteClass(head.method(), false);
  facts.credentialed = authenticator_.CarriesCredential(head);
  facts.challenge_exempt = route && route->options.challenge_exempt;
  facts.proof = head[kProofHeader];
  return facts;
}

net::ConnectionInfo Dispatcher::AsSeen(const net::RequestHeader& head,
                                       const net::ConnectionInfo& peer) const {
  net::ConnectionInfo seen = peer;
  if (options_.trusted_proxies.empty()) return seen;
  std::vector<std::string_view> forwarded_for;
  for (const auto& field : boost::make_iterator_range(head.equal_range(kForwardedForHeader))) {
    forwarded_for.push_back(field.value());
  }
  seen.remote = options_.trusted_proxies.ClientOf(peer.remote, forwarded_for);
  return seen;
}

net::HeadDecision Dispatcher::OnHead(const net::RequestHeader& head,
                                     const net::ConnectionInfo& peer) {
  const auto start = Clock::now();
  const net::ConnectionInfo conn = AsSeen(head, peer);
  net::HeadDecision decision;
  bool bad_target = false;
  RouteMatch match = Match(head.method(), head.target(), &bad_target);
  const bool found = match.kind == RouteMatch::Kind::kFound;
  const std::string_view route_label = found ? std::string_view(match.route->pattern) : kUnmatched;
  std::optional<guard::AdmissionDecision> admitted;
  guard::RouteClass route_class = guard::RouteClass::kApiRead;
  if (admission_) {
    // Before the body and before any store work: unmatched paths count against the buckets too,
    // or a flood of random URLs would cost nothing to send.
    const guard::HeadFacts facts = Facts(head, conn, found ? match.route : nullptr);
    route_class = facts.route_class;
    guard::AdmissionVerdict verdict = admission_->CheckHead(facts);
    if (!verdict.accepted()) {
      Response res = AdmissionResponse(verdict);
      const std::string request_id = NewRequestId();
      Finish(res, Seen{head, conn, request_id, route_label, kNobody, 0, start, verdict.decision,
                       route_class});
      decision.reject = std::move(res);
      decision.close = verdict.decision == guard::AdmissionDecision::kBlocked;
      return decision;
    }
    if (!found) admitted = guard::AdmissionDecision::kAccepted;
  }
  if (found) {
    size_t limit = match.route->options.body_limit;
    decision.body_limit = limit ? limit : options_.default_body_limit;
    return decision;
  }
  Response res = Unmatched(match, bad_target);
  const std::string request_id = NewRequestId();
  Finish(res, Seen{head, conn, request_id, kUnmatched, kNobody, 0, start, admitted, route_class});
  decision.reject = std::move(res);
  return decision;
}

boost::asio::awaitable<Response> Dispatcher::Handle(Request&& request,
                                                    const net::ConnectionInfo& peer) {
  const auto start = Clock::now();
  const net::ConnectionInfo conn = AsSeen(request, peer);
  const Request req = std::move(request);  // owned by this frame for the handler's duration
  bool bad_target = false;
  RouteMatch match = Match(req.method(), req.target(), &bad_target);
  RequestContext ctx{
      req,         conn, NewRequestId(), conn.RemoteIp(), match.route, std::move(match.path_params),
      std::nullopt};
  if (match.kind != RouteMatch::Kind::kFound) {  // OnHead normally answered these already
    Response res = Unmatched(match, bad_target);
    Finish(res, Seen{req, conn, ctx.request_id, kUnmatched, kNobody, req.body().size(), start});
    co_return res;
  }

  std::optional<guard::AdmissionDecision> decision;
  std::optional<guard::AdmissionSlot> slot;
  if (admission_) {
    const guard::Priority priority = guard::Admission::PriorityFor(
        ctx.route->route_class, authenticator_.CarriesCredential(req));
    slot = co_await admission_->Enter(priority);
    if (!slot) {
      const guard::AdmissionVerdict shed = ShedVerdict(*admission_);
      Response res = AdmissionResponse(shed);
      Finish(res, Seen{req, conn, ctx.request_id, ctx.route->pattern, kNobody, req.body().size(),
                       start, shed.decision, ctx.route->route_class});
      co_return res;
    }
    decision = guard::AdmissionDecision::kAccepted;
  }

  std::optional<Response> res;
  std::string failure;
  const auto handler_start = Clock::now();
  try {
    guard::AdmissionDecision refused = guard::AdmissionDecision::kAccepted;
    res = co_await Run(ctx, &refused);
    if (decision) decision = refused;
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception";
  }
  if (slot) {
    // A sign-in's time is mostly its turn at the hashing pool, which has its own bound and
    // fairness: it says nothing about congestion, so it is no latency sample.
    std::optional<double> latency;
    if (ctx.route->route_class != guard::RouteClass::kLogin) {
      latency = std::chrono::duration<double>(Clock::now() - handler_start).count();
    }
    slot->Done(latency);
  }
  if (!res) {
    // Handlers return Status values; an exception here is a bug, which must not kill the process.
    log::Error("http_handler_exception",
               {{"request_id", ctx.request_id}, {"route", ctx.route->pattern}, {"what", failure}});
    res = ErrorResponse(Status::Internal("internal error"));
  }
  Finish(*res, Seen{req, conn, ctx.request_id, ctx.route->pattern, ctx.principal, req.body().size(),
                    start, decision, ctx.route->route_class});
  co_return std::move(*res);
}

boost::asio::awaitable<net::UpgradeDecision> Dispatcher::HandleUpgrade(
    Request&& request, const net::ConnectionInfo& peer) {
  const auto start = Clock::now();
  net::UpgradeDecision decision;
  bool bad_target = false;
  RouteMatch match = Match(request.method(), request.target(), &bad_target);
  if (match.kind == RouteMatch::Kind::kFound && !match.route->upgrade) {
    decision.reject = co_await Handle(std::move(request), peer);
    co_return decision;
  }
  const net::ConnectionInfo conn = AsSeen(request, peer);
  const Request req = std::move(request);  // owned by this frame for the handler's duration
  RequestContext ctx{
      req,         conn, NewRequestId(), conn.RemoteIp(), match.route, std::move(match.path_params),
      std::nullopt};
  ctx.upgrade = true;
  if (match.kind != RouteMatch::Kind::kFound) {  // OnHead normally answered these already
    Response res = Unmatched(match, bad_target);
    Finish(res, Seen{req, conn, ctx.request_id, kUnmatched, kNobody, 0, start});
    decision.reject = std::move(res);
    co_return decision;
  }

  std::optional<guard::AdmissionDecision> admitted;
  std::optional<guard::AdmissionSlot> slot;
  if (admission_) {
    // Upgrades of signed-in users are high priority; an open socket holds no slot, so nothing
    // established is ever shed to make room.
    const guard::Priority priority = guard::Admission::PriorityFor(
        ctx.route->route_class, authenticator_.CarriesCredential(req));
    slot = co_await admission_->Enter(priority);
    if (!slot) {
      const guard::AdmissionVerdict shed = ShedVerdict(*admission_);
      Response res = AdmissionResponse(shed);
      Finish(res, Seen{req, conn, ctx.request_id, ctx.route->pattern, kNobody, 0, start,
                       shed.decision, ctx.route->route_class});
      decision.reject = std::move(res);
      co_return decision;
    }
    admitted = guard::AdmissionDecision::kAccepted;
  }

  std::optional<Result<std::shared_ptr<net::WebSocketHandler>>> result;
  std::optional<Response> refused;
  std::string failure;
  const auto handler_start = Clock::now();
  try {
    guard::AdmissionDecision refusal = guard::AdmissionDecision::kAccepted;
    result = co_await RunUpgrade(ctx, &refusal, &refused);
    if (admitted) admitted = refusal;
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception";
  }
  if (slot) slot->Done(std::chrono::duration<double>(Clock::now() - handler_start).count());
  if (refused) {
    Finish(*refused, Seen{req, conn, ctx.request_id, ctx.route->pattern, ctx.principal, 0, start,
                          admitted, ctx.route->route_class});
    decision.reject = std::move(*refused);
    co_return decision;
  }
  if (!result) {
    log::Error("http_handler_exception",
               {{"request_id", ctx.request_id}, {"route", ctx.route->pattern}, {"what", failure}});
    result = Status::Internal("internal error");
  } else if (result->ok() && result->value() == nullptr) {
    log::Error("http_upgrade_without_handler",
               {{"request_id", ctx.request_id}, {"route", ctx.route->pattern}});
    result = Status::Internal("internal error");
  }
  if (!result->ok()) {
    Response res = ErrorResponse(result->status());
    Finish(res, Seen{req, conn, ctx.request_id, ctx.route->pattern, ctx.principal, 0, start,
                     admitted, ctx.route->route_class});
    decision.reject = std::move(res);
    co_return decision;
  }
  Record(101, 0,
         Seen{req, conn, ctx.request_id, ctx.route->pattern, ctx.principal, 0, start, admitted,
              ctx.route->route_class});
  decision.handler = std::move(*result).value();
  co_return decision;
}

std::optional<Response> Dispatcher::AfterAuthentication(const RequestContext& ctx,
                                                        const Result<auth::Principal>& principal,
                                                        guard::AdmissionDecision* decision) {
  if (!admission_) return std::nullopt;
  guard::AdmissionVerdict verdict;
  if (principal.ok()) {
    verdict = admission_->CheckAccount(principal->user_id, ctx.route->route_class);
  } else if (principal.status().code() == StatusCode::kUnauthenticated) {
    // A credential that does not authenticate makes the request anonymous after all.
    verdict = admission_->CheckAuthenticationFailed(Facts(ctx.request, ctx.connection, ctx.route));
  }
  if (verdict.accepted()) return std::nullopt;
  *decision = verdict.decision;
  return AdmissionResponse(verdict);
}

boost::asio::awaitable<Result<std::shared_ptr<net::WebSocketHandler>>> Dispatcher::RunUpgrade(
    RequestContext& ctx, guard::AdmissionDecision* decision, std::optional<Response>* refused) {
  if (ctx.route->options.access == Access::kSignedIn) {
    Result<auth::Principal> principal = co_await authenticator_.Authenticate(ctx);
    *refused = AfterAuthentication(ctx, principal, decision);
    if (*refused) co_return Status::Unavailable("refused by admission", 1);
    if (!principal.ok()) co_return principal.status();
    ctx.principal = std::move(principal).value();
  }
  co_return co_await ctx.route->upgrade_handler(ctx);
}

boost::asio::awaitable<Response> Dispatcher::Run(RequestContext& ctx,
                                                 guard::AdmissionDecision* decision) {
  if (ctx.route->options.access == Access::kSignedIn) {
    Result<auth::Principal> principal = co_await authenticator_.Authenticate(ctx);
    std::optional<Response> refused = AfterAuthentication(ctx, principal, decision);
    if (refused) co_return std::move(*refused);
    if (!principal.ok()) co_return ErrorResponse(principal.status());
    ctx.principal = std::move(principal).value();
    ctx.connection.MarkAuthenticated();  // net never evicts it at the global cap
  }
  if (ctx.route->upgrade) {
    // A plain GET to a WebSocket endpoint.
    Response res = net::MakeErrorResponse(beast_http::status::upgrade_required, "upgrade_required",
                                          "this endpoint only accepts a WebSocket upgrade");
    res.set(beast_http::field::upgrade, "websocket");
    co_return res;
  }
  Result<Response> result = co_await ctx.route->handler(ctx);
  if (!result.ok()) co_return ErrorResponse(result.status());
  co_return std::move(result).value();
}

void Dispatcher::Finish(Response& res, const Seen& seen) {
  res.set("X-Request-Id", seen.request_id);
  if (res.find(beast_http::field::cache_control) == res.end()) {
    res.set(beast_http::field::cache_control, "no-store");
  }
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Frame-Options", "DENY");
  Record(res.result_int(), res.body().size(), seen);
}

void Dispatcher::Record(unsigned status_code, size_t bytes, const Seen& seen) {
  const double seconds = std::chrono::duration<double>(Clock::now() - seen.start).count();
  const std::string route_label(seen.route);
  const std::string method_name(seen.head.method_string());
  const std::string status = std::to_string(status_code);
  metrics_
      .GetCounter("homeroom_http_requests_total", "HTTP requests by route, method and status.",
                  {{"route", route_label}, {"method", method_name}, {"status", status}})
      .Inc();
  metrics_
      .GetHistogram("homeroom_http_request_duration_seconds",
                    "Time from the complete request to the response, by route.",
                    {{"route", route_label}})
      .Observe(seconds);
  if (admission_ && seen.admission) admission_->Count(seen.route_class, *seen.admission);
  if (options_.access_log) {
    log::Info("http_request",
              {{"request_id", seen.request_id},
               {"method", method_name},
               {"route", route_label},
               {"status", static_cast<int>(status_code)},
               {"duration_ms", seconds * 1000.0},
               {"client_ip", seen.conn.RemoteIp()},
               {"bytes", bytes},
               {"admission", seen.admission ? guard::AdmissionDecisionName(*seen.admission)
                                            : std::string_view("none")}});
  }
  if (observers_.empty()) return;
  guard::RequestRecord record;
  record.at = std::chrono::system_clock::now();
  record.remote = seen.conn.remote;
  record.method = seen.head.method_string();
  record.path = PathOf(seen.head.target());
  record.route = seen.route;
  record.user_agent = seen.head[beast_http::field::user_agent];
  record.status = status_code;
  record.bytes_in = seen.bytes_in;
  record.bytes_out = bytes;
  if (seen.principal) record.user_id = seen.principal->user_id;
  record.duration_seconds = seconds;
  for (guard::RequestObserver* observer : observers_) observer->OnRequest(record);
}

}  // namespace homeroom::http
