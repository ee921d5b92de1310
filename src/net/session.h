#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>
#include <string_view>

#include "net/connection.h"
#include "net/http_handler.h"
#include "net/server.h"

namespace homeroom::net {

class Server;

// One HTTP/1.1 connection of a Server: reads requests one at a time under the server's deadlines
// and limits, asks the handler, writes the responses in order. Private to src/net.
//
// Everything runs on the connection's strand (the socket's executor): Run(), BeginDrain() and
// ForceClose() must be called there. A WebSocket upgrade the handler accepts hands the stream and
// the connection's slot in the Server over to a WebSocketSession; this session then ends.
class Session final : public Connection, public std::enable_shared_from_this<Session> {
 public:
  Session(Server& server, boost::asio::ip::tcp::socket socket, ConnectionInfo conn);
  ~Session() override;

  // The connection's loop; ends when the connection is closed or handed over.
  static boost::asio::awaitable<void> Run(std::shared_ptr<Session> self);
  // Shutdown: a connection waiting for a request is closed now; one whose request is being handled
  // answers it with Connection: close.
  void BeginDrain() override;
  // Shutdown deadline: closes the socket whatever the state.
  void ForceClose() override;

  boost::asio::any_io_executor executor() override { return executor_; }
  const ConnectionInfo& connection() const { return conn_; }

 private:
  friend class Server;  // the idle list (idle_)

  enum class State { kWaiting, kBusy, kClosed };
  class StreamedBody;  // the BodyReader of Stream(), in session.cc
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

  boost::asio::awaitable<void> Loop();
  // Waits for the first byte of the next keep-alive request; false when the connection should end.
  boost::asio::awaitable<bool> WaitForNextRequest();
  // Reads the body announced by the head in parser_ under body_timeout and the minimum body rate;
  // false when the connection should end (answered or closed).
  boost::asio::awaitable<bool> ReadBody(size_t body_limit, unsigned version);
  // Answers a request whose body the handler reads as it arrives (HeadDecision::stream_body);
  // false when the connection should end.
  boost::asio::awaitable<bool> Stream(size_t body_limit, unsigned version, bool has_body,
                                      bool want_keep_alive);
  // Answers Expect: 100-continue when the head asks for it; false when the write failed.
  boost::asio::awaitable<bool> SendContinue();
  // Writes `res` with the version and keep-alive given, under write_timeout and the minimum send
  // rate; false when the write failed.
  boost::asio::awaitable<bool> Write(Response& res, unsigned version, bool keep_alive);
  // The connection waits for a request head: evictable unless it ever carried a signed-in user.
  void EnterIdle();
  // The head arrived; false when the connection was evicted meanwhile (then it is closed).
  bool LeaveIdle();
  // Answers an error that ends the connection, then lingers and closes.
  boost::asio::awaitable<void> FailAndClose(boost::beast::http::status status,
                                            std::string_view code, std::string_view message,
                                            unsigned version);
  // Half-closes, discards what the client still sends (bounded), and closes.
  boost::asio::awaitable<void> LingerAndClose();
  // Checks a parsed head against the framing rules and header count; on failure answers and
  // returns false.
  boost::asio::awaitable<bool> CheckHead(unsigned version);
  boost::asio::awaitable<void> OnReadHeaderError(boost::system::error_code ec);
  // Asks the handler about a WebSocket upgrade (parser_ holds the complete request) and hands the
  // connection over when it accepts. True when the connection stays HTTP and may go on.
  boost::asio::awaitable<bool> Upgrade(unsigned version, bool want_keep_alive);
  void Close();

  Server& server_;
  boost::beast::tcp_stream stream_;
  const boost::asio::any_io_executor executor_;  // stream_'s, kept for after a hand-over
  boost::beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  const ConnectionInfo conn_;
  State state_ = State::kWaiting;
  bool draining_ = false;
  bool handed_over_ = false;  // the stream and the server slot belong to a WebSocketSession
  size_t requests_ = 0;
  Server::IdleHook idle_;  // guarded by Server::idle_mu_
};

}  // namespace homeroom::net
