#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <string>

#include "storm/http_client.h"

namespace homeroom::storm {

using WsStream = boost::beast::websocket::stream<boost::beast::tcp_stream>;

// The outcome of a WebSocket upgrade: 101, or the HTTP status of the refusal, or a failure kind.
struct WsConnect {
  int status = 0;
  NetError error = NetError::kOther;
  boost::system::error_code ec;
  std::chrono::microseconds latency{0};
  bool open() const { return status == 101; }
};

// Connects `ws` from `source` and upgrades at `path` (a bearer `token` when not empty) before
// `deadline`. After a 101 the stream's own WebSocket timeouts apply (pings answered while
// reading). Never throws.
boost::asio::awaitable<WsConnect> ConnectWebSocket(WsStream& ws, const Target& target,
                                                   const boost::asio::ip::address& source,
                                                   const std::string& path,
                                                   const std::string& token, TimePoint deadline);

// Counts `c` in `stats` (101 or the refusal's status, or the failure kind).
void Record(TrafficStats& stats, const WsConnect& c);

// The close code the server sent, as an event name: "ws.close.1008", or "ws.closed" when the
// socket ended without a close frame.
std::string CloseEventName(const WsStream& ws, const boost::system::error_code& ec);

}  // namespace homeroom::storm
