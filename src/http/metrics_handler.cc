#include "http/metrics_handler.h"

#include <boost/beast/http/field.hpp>

#include "http/error_mapping.h"

namespace homeroom::http {

namespace beast_http = boost::beast::http;

namespace {

bool IsMetricsRequest(const net::RequestHeader& head) {
  std::string_view target = head.target();
  return head.method() == beast_http::verb::get &&
         (target == "/metrics" || target.starts_with("/metrics?"));
}

}  // namespace

net::HeadDecision MetricsHandler::OnHead(const net::RequestHeader& head,
                                         const net::ConnectionInfo& /*conn*/) {
  net::HeadDecision decision;
  if (!IsMetricsRequest(head)) decision.reject = ErrorResponse(Status::NotFound("no such path"));
  return decision;
}

boost::asio::awaitable<net::Response> MetricsHandler::Handle(net::Request&& request,
                                                             const net::ConnectionInfo& /*conn*/) {
  if (!IsMetricsRequest(request)) co_return ErrorResponse(Status::NotFound("no such path"));
  net::Response res(beast_http::status::ok, 11);
  res.set(beast_http::field::content_type, "text/plain; version=0.0.4");
  res.set(beast_http::field::cache_control, "no-store");
  res.body() = registry_.RenderPrometheus();
  co_return res;
}

}  // namespace homeroom::http
