#include "http/dispatcher.h"

#include <boost/beast/http/field.hpp>
#include <boost/json/object.hpp>
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
const std::optional<auth::Principal> kNobody;

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

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

net::HeadDecision Dispatcher::OnHead(const net::RequestHeader& head,
                                     const net::ConnectionInfo& conn) {
  const auto start = Clock::now();
  net::HeadDecision decision;
  bool bad_target = false;
  RouteMatch match = Match(head.method(), head.target(), &bad_target);
  if (match.kind == RouteMatch::Kind::kFound) {
    size_t limit = match.route->options.body_limit;
    decision.body_limit = limit ? limit : options_.default_body_limit;
    return decision;
  }
  Response res = Unmatched(match, bad_target);
  const std::string request_id = NewRequestId();
  Finish(res, Seen{head, conn, request_id, kUnmatched, kNobody, 0, start});
  decision.reject = std::move(res);
  return decision;
}

boost::asio::awaitable<Response> Dispatcher::Handle(Request&& request,
                                                    const net::ConnectionInfo& conn) {
  const auto start = Clock::now();
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

  std::optional<Response> res;
  std::string failure;
  try {
    res = co_await Run(ctx);
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception";
  }
  if (!res) {
    // Handlers return Status values; an exception here is a bug, which must not kill the process.
    log::Error("http_handler_exception",
               {{"request_id", ctx.request_id}, {"route", ctx.route->pattern}, {"what", failure}});
    res = ErrorResponse(Status::Internal("internal error"));
  }
  Finish(*res, Seen{req, conn, ctx.request_id, ctx.route->pattern, ctx.principal, req.body().size(),
                    start});
  co_return std::move(*res);
}

boost::asio::awaitable<net::UpgradeDecision> Dispatcher::HandleUpgrade(
    Request&& request, const net::ConnectionInfo& conn) {
  const auto start = Clock::now();
  net::UpgradeDecision decision;
  bool bad_target = false;
  RouteMatch match = Match(request.method(), request.target(), &bad_target);
  if (match.kind == RouteMatch::Kind::kFound && !match.route->upgrade) {
    decision.reject = co_await Handle(std::move(request), conn);
    co_return decision;
  }
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

  std::optional<Result<std::shared_ptr<net::WebSocketHandler>>> result;
  std::string failure;
  try {
    result = co_await RunUpgrade(ctx);
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception";
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
    Finish(res, Seen{req, conn, ctx.request_id, ctx.route->pattern, ctx.principal, 0, start});
    decision.reject = std::move(res);
    co_return decision;
  }
  Record(101, 0, Seen{req, conn, ctx.request_id, ctx.route->pattern, ctx.principal, 0, start});
  decision.handler = std::move(*result).value();
  co_return decision;
}

boost::asio::awaitable<Result<std::shared_ptr<net::WebSocketHandler>>> Dispatcher::RunUpgrade(
    RequestContext& ctx) {
  if (ctx.route->options.access == Access::kSignedIn) {
    Result<auth::Principal> principal = co_await authenticator_.Authenticate(ctx);
    if (!principal.ok()) co_return principal.status();
    ctx.principal = std::move(principal).value();
  }
  co_return co_await ctx.route->upgrade_handler(ctx);
}

boost::asio::awaitable<Response> Dispatcher::Run(RequestContext& ctx) {
  if (ctx.route->options.access == Access::kSignedIn) {
    Result<auth::Principal> principal = co_await authenticator_.Authenticate(ctx);
    if (!principal.ok()) co_return ErrorResponse(principal.status());
    ctx.principal = std::move(principal).value();
    ctx.connection.MarkAuthenticated();  // net never evicts it at the global cap (CONNGUARD)
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
  if (options_.access_log) {
    log::Info("http_request", {{"request_id", seen.request_id},
                               {"method", method_name},
                               {"route", route_label},
                               {"status", static_cast<int>(status_code)},
                               {"duration_ms", seconds * 1000.0},
                               {"client_ip", seen.conn.RemoteIp()},
                               {"bytes", bytes}});
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
