#include "storm/ws_client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/websocket/error.hpp>

#include "storm/storm.h"

namespace homeroom::storm {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

asio::awaitable<WsConnect> ConnectWebSocket(WsStream& ws, const Target& target,
                                            const asio::ip::address& source,
                                            const std::string& path, const std::string& token,
                                            TimePoint deadline) {
  WsConnect out;
  const TimePoint start = SteadyClock::now();
  auto& stream = beast::get_lowest_layer(ws);
  boost::system::error_code ec = co_await ConnectFrom(stream, target, source, deadline);
  if (ec) {
    out.ec = ec;
    out.error = ClassifyError(ec);
    out.latency = Since(start);
    co_return out;
  }
  std::string authorization = token.empty() ? std::string() : "Bearer " + token;
  ws.set_option(websocket::stream_base::decorator([authorization](websocket::request_type& req) {
    req.set(beast::http::field::user_agent, "homeroom-storm");
    if (!authorization.empty()) req.set(beast::http::field::authorization, authorization);
  }));
  stream.expires_at(deadline);
  websocket::response_type response;
  auto [handshake_error] = co_await ws.async_handshake(response, target.host_header, path,
                                                       asio::as_tuple(asio::use_awaitable));
  out.latency = Since(start);
  if (!handshake_error) {
    out.status = 101;
    // From here the WebSocket timeouts rule: the TCP stream's own expiry is turned off.
    stream.expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = kDrain;  // also bounds the closing handshake
    timeouts.idle_timeout = std::chrono::seconds(60);
    timeouts.keep_alive_pings = false;
    ws.set_option(timeouts);
    co_return out;
  }
  if (response.result_int() != 0 && handshake_error == websocket::error::upgrade_declined) {
    out.status = static_cast<int>(response.result_int());
  } else {
    out.ec = handshake_error;
    out.error = ClassifyError(handshake_error);
  }
  co_return out;
}

void Record(TrafficStats& stats, const WsConnect& c) {
  if (c.status != 0) {
    stats.RecordStatus(c.status, c.latency);
  } else {
    stats.RecordError(c.error, c.latency);
  }
}

std::string CloseEventName(const WsStream& ws, const boost::system::error_code& ec) {
  if (ec == websocket::error::closed && ws.reason().code != websocket::close_code::none) {
    return "ws.close." + std::to_string(static_cast<int>(ws.reason().code));
  }
  return std::string("ws.ended.") + NetErrorName(ClassifyError(ec));
}

}  // namespace homeroom::storm
