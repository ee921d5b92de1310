#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "net/connection.h"
#include "net/http_handler.h"
#include "net/server.h"
#include "net/websocket.h"

namespace homeroom::net {

class Server;

// One WebSocket connection of a Server, made from an HTTP Session whose upgrade the handler
// accepted: it completes the handshake with the already-read request, then reads text messages
// into the WebSocketHandler and writes what the handler's WebSocketSender queues, one write in
// flight, under the limits of WebSocketOptions (message size, message rate, outbound bytes,
// handshake, idle-ping and write deadlines). It keeps the HTTP session's connection slot until it
// is destroyed. Private to src/net.
//
// Thread-safety: Send() and Close() may be called from any thread (they post to the strand);
// everything else runs on the connection's strand (executor()).
class WebSocketSession final : public Connection,
                               public std::enable_shared_from_this<WebSocketSession> {
 public:
  // Takes over `stream` (the upgraded HTTP connection, still on its strand). `handshake` is the
  // upgrade request; `handler` receives the callbacks.
  WebSocketSession(Server& server, boost::beast::tcp_stream&& stream, ConnectionInfo conn,
                   std::shared_ptr<WebSocketHandler> handler, Request handshake);
  ~WebSocketSession() override;
  WebSocketSession(const WebSocketSession&) = delete;
  WebSocketSession& operator=(const WebSocketSession&) = delete;

  // Spawns the connection's coroutine on its strand. With `go_away` (the server is draining, or
  // the socket was closed meanwhile) no handshake is made: the handler only gets OnClose(1001).
  static void Start(std::shared_ptr<WebSocketSession> self, bool go_away);

  // Connection (strand only).
  boost::asio::any_io_executor executor() override { return executor_; }
  void BeginDrain() override;
  void ForceClose() override;

  // WebSocketSender, for the connection's sender object. Any thread.
  SendResult Send(std::shared_ptr<const std::string> frame);
  void Close(uint16_t code, std::string reason);

 private:
  // Why the connection ended; each is one value of homeroom_net_ws_closes_total{reason}.
  enum class End { kNormal, kTooBig, kRate, kSlowConsumer, kTimeout, kProtocol, kError };

  static boost::asio::awaitable<void> Run(std::shared_ptr<WebSocketSession> self);
  boost::asio::awaitable<void> Loop();
  // Starts ending the connection for `why` (first call wins): drops the frames not yet being
  // written, then sends a close frame (bounded by handshake_timeout) or, when `hard`, closes the
  // socket at once.
  void StartClose(uint16_t code, std::string reason, End why, bool hard);
  // Records how the connection ended unless something already did.
  void SetEnd(uint16_t code, std::string reason, End why);
  void EndFromReadError(const boost::system::error_code& ec);
  void Teardown();
  // Starts the next write when none is in flight.
  void Kick();
  void OnWrite(const boost::system::error_code& ec, size_t bytes);
  // Drops queued frames except the one being written; no Send() succeeds afterwards.
  void DropQueued();
  void ArmDeadline(std::chrono::milliseconds after);
  void CancelDeadline();
  void OnDeadline(uint64_t generation);
  bool TakeToken();
  // Reports the end: metrics, one log line, OnClose (exactly once).
  void Finish();

  Server& server_;
  const WebSocketOptions& options_;
  const ConnectionInfo conn_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  const boost::asio::any_io_executor executor_;
  std::shared_ptr<WebSocketHandler> handler_;
  std::optional<Request> handshake_;  // until the handshake is done
  boost::beast::flat_buffer read_buffer_;
  boost::asio::steady_timer deadline_;
  const std::chrono::steady_clock::time_point started_;

  // Strand state.
  bool go_away_ = false;
  bool handshaking_ = false;  // async_accept in flight
  bool open_ = false;         // handshake done, OnOpen called
  // A graceful close asked for during the handshake: done once the 101 is out (closing the
  // socket then would cut a client that already saw the 101 without a close frame).
  struct PendingClose {
    uint16_t code;
    std::string reason;
    End why;
  };
  std::optional<PendingClose> pending_close_;
  bool close_started_ = false;  // StartClose() ran (or the connection ended)
  bool torn_down_ = false;
  bool writing_ = false;   // one async_write in flight
  bool notified_ = false;  // OnClose called
  bool end_set_ = false;
  uint16_t end_code_ = close_code::kAbnormal;
  std::string end_reason_;
  End end_ = End::kError;
  uint64_t deadline_generation_ = 0;
  double tokens_ = 0;
  std::chrono::steady_clock::time_point tokens_at_;

  // Outbound queue, shared with Send() callers.
  std::mutex mu_;
  std::deque<std::shared_ptr<const std::string>> queue_;  // guarded by mu_; front is in flight
  size_t queued_bytes_ = 0;                               // guarded by mu_
  bool closing_ = false;                                  // guarded by mu_; Send() refuses
  bool kick_pending_ = false;  // guarded by mu_; a Kick() is posted or a write is in flight
};

}  // namespace homeroom::net
