#pragma once

#include <boost/asio/ip/address.hpp>

namespace homeroom::guard {

// What the server reports about connections it refused or cut, by kind, so that the attack
// defenses (src/guard) can count them per source and type an attack (slow clients, connection
// exhaustion) without reading metrics.
enum class ConnectionEvent {
  kRefusedBlocked,  // AllowConnection() said no
  kRefusedCap,      // a global, per-IP or per-subnet connection cap was full
  kEvicted,         // an idle connection that never signed in, closed to make room under the
                    // global cap for a new one (the remote is the evicted connection's)
  kHeadTimeout,     // a request head begun did not finish in time (slowloris)
  kIdleTimeout,     // a connection sent no (next) request at all in time: a keep-alive between
                    // requests or a browser's unused preconnect (normal; many from one source
                    // hint at connection exhaustion)
  kBodyTimeout,     // the body did not arrive in time or too slowly (slow POST: the whole-body
                    // deadline or the minimum body rate)
  kWriteTimeout,    // the client read the response too slowly (slow read: the write deadline or
                    // the minimum send rate)
  kBadRequest,      // 400/413/431 from the parser or the limits
  kWebSocketAbuse,  // a WebSocket closed for message size, message rate, invalid frames or slow
                    // consumption (not for timeouts or normal closes)
};

// The application's say over connections before any byte is read, and its ear for what the
// server refused. Set on a net::Server with Server::SetGate() before Start(). Called from every I/O
// thread at once: implementations must be thread-safe and cheap (no I/O, no blocking), since
// AllowConnection() runs on the accept path for every connection.
class ConnectionGate {
 public:
  virtual ~ConnectionGate() = default;
  // False closes the new connection at once without a response (blocked sources get nothing).
  virtual bool AllowConnection(const boost::asio::ip::address& remote) = 0;
  // Told after the server refused or cut a connection from `remote`.
  virtual void OnConnectionEvent(ConnectionEvent event, const boost::asio::ip::address& remote) = 0;
};

}  // namespace homeroom::guard
