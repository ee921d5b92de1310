#pragma once

#include <boost/asio/awaitable.hpp>

#include "core/metrics.h"
#include "net/http_handler.h"

namespace homeroom::http {

// Serves GET /metrics with Registry::RenderPrometheus() (text/plain; version=0.0.4) and 404 for
// anything else; the app runs it on its own Server (default 127.0.0.1:9464) so that scrapes never
// compete with the API port. Thread-safe; `registry` must outlive it.
class MetricsHandler final : public net::HttpHandler {
 public:
  explicit MetricsHandler(const metrics::Registry& registry) : registry_(registry) {}

  net::HeadDecision OnHead(const net::RequestHeader& head,
                           const net::ConnectionInfo& conn) override;
  boost::asio::awaitable<net::Response> Handle(net::Request&& request,
                                               const net::ConnectionInfo& conn) override;

 private:
  const metrics::Registry& registry_;
};

}  // namespace homeroom::http
