#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace homeroom::net {

// Who is on the other end of a connection. A plain value, copied into each request's context;
// the copies share one flag, `authenticated`, that the application sets and the server reads.
struct ConnectionInfo {
  boost::asio::ip::address remote;
  uint16_t remote_port = 0;
  uint64_t id = 0;   // unique per Server, in accept order
  bool tls = false;  // TLS is not implemented yet: always false
  // Set by the Server for every connection it accepts and shared by every copy of this value;
  // null in a ConnectionInfo made elsewhere (tests), where the two methods below do nothing.
  std::shared_ptr<std::atomic<bool>> authenticated_flag;

  // "127.0.0.1", "::1" (IPv4-mapped IPv6 addresses are shown as IPv4).
  std::string RemoteIp() const;

  // Tells the server that this connection has carried a signed-in user: the application calls it
  // once a request on it authenticated (http::Dispatcher does, where authentication succeeds).
  // From then on the server never evicts the connection to make room under its global cap
  // (ServerOptions::evict_idle_unauthenticated). It cannot be undone. Thread-safe, cheap.
  void MarkAuthenticated() const {
    if (authenticated_flag) authenticated_flag->store(true, std::memory_order_relaxed);
  }
  // Whether MarkAuthenticated() was called on any copy. Thread-safe.
  bool authenticated() const {
    return authenticated_flag && authenticated_flag->load(std::memory_order_relaxed);
  }
};

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using RequestHeader = boost::beast::http::request_header<>;

struct UpgradeDecision;  // net/websocket.h
class BodyReader;        // net/body_reader.h

// What the server asks the handler once a request head has arrived, before reading any body.
struct HeadDecision {
  // Bytes allowed for this request's body. A Content-Length above it is answered 413 before the
  // body is read; a chunked body is cut at it with 413.
  size_t body_limit = 0;
  // Set to answer at once without reading the body. The connection is closed afterwards when the
  // request announced a body (it was not read), and kept alive otherwise.
  std::optional<Response> reject;
  // With `reject`: close the connection after the answer even when it could be kept alive (a
  // blocked source gets no further requests on a connection opened before the block).
  bool close = false;
  // Hand the body to HandleStream() as it arrives (net/body_reader.h) instead of reading it whole
  // into the request before Handle(): for bodies that must never be held in memory (uploads).
  // A Content-Length over body_limit is then not refused up front by the server: the handler sees
  // it (BodyReader::content_length()) before reading and answers in its own terms, and the reader
  // never reads past body_limit.
  bool stream_body = false;
};

// The application side of a Server: what to do with each request. Every method is called on the
// connection's I/O strand and must not block (hand blocking work to a pool, e.g. core/offload.h).
// One handler serves every connection of a Server concurrently, so implementations must be
// thread-safe. The server sets the response's version, Connection and Content-Length headers.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Decides from the head alone: the body limit, or an immediate answer (404, 405, 401...).
  virtual HeadDecision OnHead(const RequestHeader& head, const ConnectionInfo& conn) = 0;
  // Answers one complete request. Should not throw; an escaped exception becomes a 500 and a log
  // line, never a crash.
  virtual boost::asio::awaitable<Response> Handle(Request&& request,
                                                  const ConnectionInfo& conn) = 0;
  // Answers one request whose head OnHead() accepted with stream_body set: `request` has an empty
  // body, and `body` reads it from the connection (valid only during this call). Should not throw.
  // The default reads the body whole (up to the decided limit) and calls Handle(); a body error
  // is answered with its status.
  virtual boost::asio::awaitable<Response> HandleStream(Request&& request, BodyReader& body,
                                                        const ConnectionInfo& conn);
  // Answers a WebSocket upgrade request (GET with Connection: Upgrade and Upgrade: websocket, no
  // body), after OnHead() accepted its head: a WebSocketHandler to run on the connection once the
  // handshake is done, or an HTTP response instead (401, 403, 404, 429...; the connection then
  // stays an HTTP connection). Include net/websocket.h to implement it. The default refuses every
  // upgrade with 404. Should not throw; an escaped exception becomes a 500.
  virtual boost::asio::awaitable<UpgradeDecision> HandleUpgrade(Request&& request,
                                                                const ConnectionInfo& conn);
};

}  // namespace homeroom::net
