#pragma once

#include <boost/asio/any_io_executor.hpp>

namespace homeroom::net {

// One accepted connection as the Server sees it for shutdown: an HTTP Session, or the
// WebSocketSession it became. Private to src/net. BeginDrain() and ForceClose() must be called on
// executor() (the connection's strand).
class Connection {
 public:
  virtual ~Connection() = default;
  virtual boost::asio::any_io_executor executor() = 0;
  // Graceful shutdown: an idle HTTP connection closes now, a busy one after its response; a
  // WebSocket starts a close handshake with 1001 "going away".
  virtual void BeginDrain() = 0;
  // Shutdown deadline: closes the socket whatever the state.
  virtual void ForceClose() = 0;
};

}  // namespace homeroom::net
