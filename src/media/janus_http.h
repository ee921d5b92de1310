#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"

namespace homeroom::media {

// Where a Janus API lives: parsed once from an api_url / admin_url of homeroom-janus.json
// ("http://127.0.0.1:8088/janus"). Plain HTTP to an IP literal only: Janus is a loopback sidecar.
struct JanusEndpoint {
  std::string host;  // an IP address
  uint16_t port = 0;
  std::string path;  // "/janus", "/admin"

  // InvalidArgument unless `url` is http://<ip>:<port><path>.
  static Result<JanusEndpoint> Parse(const std::string& url);
  std::string ToString() const;
};

// One HTTP exchange with Janus (Boost.Beast over Asio, asynchronous): sends `body` (POST; GET when
// empty) to `target` on `endpoint` over `stream` (a fresh, unconnected tcp_stream on the caller's
// executor, which the caller may close to cancel) and parses the JSON answer. Never throws.
// Returns Unavailable when Janus cannot be reached, times out (`timeout` for the whole exchange)
// or answers something other than JSON with HTTP 200; InvalidArgument when the answer is larger
// than `max_response_bytes`.
boost::asio::awaitable<Result<boost::json::value>> JanusExchange(
    std::shared_ptr<boost::beast::tcp_stream> stream, JanusEndpoint endpoint, std::string target,
    std::string body, std::chrono::milliseconds timeout, size_t max_response_bytes);

}  // namespace homeroom::media
