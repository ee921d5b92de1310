#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/metrics.h"
#include "core/status.h"
#include "guard/connection_gate.h"
#include "net/connection_limiter.h"
#include "net/http_handler.h"
#include "net/net_metrics.h"

namespace homeroom::net {

// Every limit of a WebSocket connection (docs/security.md, "WebSocket"). The defaults suit the
// live-class socket: small JSON commands in, room events out. Per-user socket caps are not here:
// the application counts sockets per user.
struct WebSocketOptions {
  // Bytes of one incoming message (all its frames); a bigger one closes the connection 1009.
  size_t max_message_bytes = 16 * 1024;
  // Incoming messages per second, sustained (token bucket refill rate)...
  double messages_per_second = 20;
  // ...and in a burst (bucket size). Over the rate the connection is closed 1008 "rate limit".
  double message_burst = 40;
  // Outbound bytes queued on one connection (the frame being written included). A Send() that
  // would pass it drops the connection (1008 "slow consumer") instead of waiting for the reader.
  size_t max_queued_bytes = 256 * 1024;
  // The opening handshake (101 written) and the closing handshake (close frames exchanged) must
  // each finish within this; then the socket is closed.
  std::chrono::milliseconds handshake_timeout{10'000};
  // With nothing received for half of this the server pings; with nothing received for all of
  // it (no pong either) the connection is closed as timed out.
  std::chrono::milliseconds idle_timeout{30'000};
  // Writing one frame may take this long; a peer that stopped reading is closed when it passes
  // (usually max_queued_bytes catches it first).
  std::chrono::milliseconds write_timeout{30'000};
};

// Every limit of the HTTP server (docs/security.md, "HTTP connection hygiene"). The defaults are
// safe for the public API port; tests shrink the timeouts to milliseconds.
struct ServerOptions {
  // Threads running the server's io_context (one per core is the usual choice).
  int io_threads = 2;
  // The complete request head must arrive within this, counted from accept (first request) or from
  // the first byte of the request (keep-alive): a slowloris is closed when it runs out.
  std::chrono::milliseconds head_timeout{10'000};
  // A keep-alive connection may wait this long for the first byte of its next request.
  std::chrono::milliseconds idle_timeout{30'000};
  // The keep-alive idle timeout while the server is under connection pressure (open connections
  // past pressure_on_fraction of max_connections, until they fall to pressure_off_fraction): idle
  // sockets give their slots back sooner when slots run short. Applies to idle waits that start
  // under pressure; the shorter of this and idle_timeout is used.
  std::chrono::milliseconds idle_timeout_under_pressure{5'000};
  double pressure_on_fraction = 0.75;
  double pressure_off_fraction = 0.60;
  // The whole request body must arrive within this after the head (slow POST).
  std::chrono::milliseconds body_timeout{30'000};
  // Minimum rate of a request body (slow POST), in bytes per second, after a grace period: the
  // body may stall for at most body_rate_grace, and bytes received buy time only up to
  // body_rate_grace ahead (net/transfer_pace.h). 0 turns it off (body_timeout alone).
  double min_body_bytes_per_second = 512;
  std::chrono::milliseconds body_rate_grace{5'000};
  // Writing one response may take this long; a client reading slower is closed (slow read).
  std::chrono::milliseconds write_timeout{30'000};
  // Minimum rate at which the client takes a response, in bytes per second, with the same rule as
  // the body rate (stall at most send_rate_grace). Responses that fit in the socket's send buffer
  // are written at once and never see it; large ones to a slow reader do. 0 turns it off.
  double min_send_bytes_per_second = 1024;
  std::chrono::milliseconds send_rate_grace{5'000};
  // SO_SNDBUF of every accepted socket (the kernel doubles it for its bookkeeping), so that a
  // slow reader pins a bounded amount of kernel memory; 0 keeps the kernel's autotuning (up to
  // net.ipv4.tcp_wmem's maximum, 4 MiB by default).
  int send_buffer_bytes = 128 * 1024;
  // Request line plus header fields, in bytes; larger heads get 431 and the connection is closed.
  size_t max_header_bytes = 8 * 1024;
  // Header fields per request; more get 431 and the connection is closed.
  size_t max_header_count = 100;
  // Requests served on one keep-alive connection before the server answers Connection: close.
  size_t max_requests_per_connection = 1000;
  // Open connections on this server. When it is full, a new connection takes the slot of the idle
  // connection that has waited longest without ever signing in (evict_idle_unauthenticated);
  // when there is none it is refused at accept.
  size_t max_connections = 10'000;
  // Open connections from one client, by host key (guard::HostKey: the address for IPv4, its /64
  // for IPv6); beyond it refused at accept. Generous because a whole school may share one NAT
  // address; finer per-client limits live above this layer.
  size_t max_connections_per_ip = 2'048;
  // Open connections from one subnet key (guard::SubnetKey: /24 IPv4, /48 IPv6), all its hosts
  // together, so that an attacker cannot multiply the per-IP cap with neighbouring addresses;
  // beyond it refused at accept. Generous: a district's schools may share one provider block.
  size_t max_connections_per_subnet = 4'096;
  // Load balancers and proxies in front: their connections carry many clients, so the per-IP and
  // per-subnet caps do not apply to them (the global cap does).
  guard::TrustedProxies trusted_proxies;
  // At the global cap, evict the idle connection (waiting for a request head, first or next;
  // never one being handled, never a WebSocket) that never carried a signed-in user
  // (ConnectionInfo::MarkAuthenticated) and has waited longest, instead of refusing the new one.
  bool evict_idle_unauthenticated = true;
  // Pause of the accept loop after EMFILE/ENFILE (out of file descriptors) or another accept error,
  // so that a full descriptor table never turns into a busy loop.
  std::chrono::milliseconds accept_error_backoff{50};
  // After an error answer that closes the connection (400, 413, 431), the server half-closes and
  // reads and discards what the client still sends, for at most this long and...
  std::chrono::milliseconds linger_timeout{1'000};
  // ...at most this many bytes, so that the client reads the answer instead of a TCP reset.
  size_t linger_max_bytes = 256 * 1024;
  // After Shutdown()'s deadline has force-closed every connection, the io_context is stopped once
  // this much more time has passed even if a handler is still awaiting something (Wait() returns).
  std::chrono::milliseconds shutdown_stop_grace{1'000};
  // Backlog passed to listen().
  int listen_backlog = 1024;
  // Connections upgraded to WebSocket (HttpHandler::HandleUpgrade). They keep counting against
  // max_connections, max_connections_per_ip and max_connections_per_subnet, and are never evicted.
  WebSocketOptions websocket;
};

class Connection;
class Session;
class WebSocketSession;

// A hardened HTTP/1.1 server (Boost.Beast on Asio, C++20 coroutines) that hands each request to an
// HttpHandler; it knows nothing of routes. A WebSocket upgrade the handler accepts turns the
// connection into a WebSocketSession (websocket_session.h) that keeps its connection slot. It
// enforces the connection hygiene of ServerOptions and counts what it refuses under
// homeroom_net_* (net_metrics.h).
//
// Thread-safety: Listen() before Start(); Start(), Shutdown(), Wait() and port() may be called
// from any thread, Shutdown() and Wait() more than once. The destructor shuts down and waits.
class Server {
 public:
  // `handler` and `metrics` must outlive the Server. `name` labels metrics ("api", "metrics").
  Server(ServerOptions options, HttpHandler& handler, metrics::Registry& metrics, std::string name);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens on "host:port" ("127.0.0.1:0" binds an ephemeral port, "[::1]:8080" for
  // IPv6). Returns kInvalidArgument for an unparsable address and kUnavailable when the address
  // cannot be bound. Call once, before Start().
  Status Listen(const std::string& host_port);
  // The bound port (0 before a successful Listen()).
  uint16_t port() const { return port_; }
  // Starts the accept loop and spawns `io_threads` threads running io_context(). Call once.
  void Start();
  // Stops accepting and closes idle connections at once; requests already being handled may
  // finish (their responses carry Connection: close) and WebSockets are closed with 1001 "going
  // away" until `deadline`, then every connection is closed. Returns without waiting; Wait()
  // returns when it is done.
  void Shutdown(std::chrono::milliseconds deadline);
  // Joins the I/O threads (after Shutdown(), or forever). Returns at once when never started.
  void Wait();

  // Consults `gate` (which must outlive the Server) for every accepted connection and tells it
  // what the server refused or cut. Call before Start(); without a gate every connection within
  // the caps is served.
  void SetGate(guard::ConnectionGate* gate) { gate_ = gate; }
  // Tells the gate, if any, about `event` from `remote`. Any thread.
  void Report(guard::ConnectionEvent event, const boost::asio::ip::address& remote) {
    if (gate_ != nullptr) gate_->OnConnectionEvent(event, remote);
  }

  boost::asio::io_context& io_context() { return *ioc_; }
  const ServerOptions& options() const { return options_; }
  const std::string& name() const { return name_; }

 private:
  friend class Session;
  friend class WebSocketSession;
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  // A Session's place among the idle connections that may be evicted. Guarded by idle_mu_.
  struct IdleEntry {
    Session* session;  // valid while listed: ~Session() unlists itself first
    std::weak_ptr<Session> weak;
  };
  struct IdleHook {
    std::list<IdleEntry>::iterator position;
    bool listed = false;
    bool evicted = false;  // chosen by EvictOldestIdle(); its connection slot is already released
  };

  boost::asio::awaitable<void> AcceptLoop();
  void StartSession(boost::asio::ip::tcp::socket socket);
  void RefuseConnection(boost::asio::ip::tcp::socket& socket, std::string_view why);
  // Called by sessions (any thread). `release_slot` is false for an evicted connection, whose
  // slot was given back when it was chosen.
  void Unregister(uint64_t id, const boost::asio::ip::address& remote, bool release_slot);
  // A session starts waiting for a request head: it may be evicted from now on. Any thread.
  void EnterIdle(const std::shared_ptr<Session>& session, IdleHook& hook);
  // The session stops waiting (its head arrived, or it ends). False when it was evicted meanwhile:
  // it must close. Any thread.
  bool LeaveIdle(IdleHook& hook);
  // Chooses the longest-waiting idle session, gives its slot back, counts and reports the
  // eviction and closes it on its strand. False when there is none. Any thread.
  bool EvictOldestIdle();
  // Makes `connection` the holder of connection `id`'s slot (an HTTP session upgraded to a
  // WebSocket); returns true when the server is already draining. Any thread.
  bool Adopt(uint64_t id, std::weak_ptr<Connection> connection);
  void OnDeadline();
  void FinishShutdownLocked();

  const ServerOptions options_;
  HttpHandler& handler_;
  const std::string name_;
  NetMetrics metrics_;
  ConnectionLimiter limiter_;
  guard::ConnectionGate* gate_ = nullptr;

  std::mutex idle_mu_;
  std::list<IdleEntry> idle_;  // guarded by idle_mu_; longest waiting first

  // Destroyed explicitly in ~Server, I/O objects first, then the io_context (whose pending
  // coroutine frames call back into the members above and below while being destroyed).
  std::unique_ptr<boost::asio::io_context> ioc_;
  std::optional<Strand> control_;  // runs the accept loop and the shutdown timers
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::unique_ptr<boost::asio::steady_timer> shutdown_timer_;
  uint16_t port_ = 0;

  mutable std::mutex mu_;
  std::condition_variable done_cv_;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> sessions_;  // guarded by mu_
  uint64_t next_id_ = 1;                                              // guarded by mu_
  bool started_ = false;                                              // guarded by mu_
  bool draining_ = false;                                             // guarded by mu_
  bool finished_ = false;                                             // guarded by mu_
  bool destroying_ = false;                                           // guarded by mu_
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>
      work_;                          // guarded by mu_
  std::vector<std::thread> threads_;  // guarded by mu_
  std::mutex wait_mu_;                // serializes Wait()
};

}  // namespace homeroom::net
