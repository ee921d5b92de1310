#include "net/session.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json/object.hpp>
#include <exception>
#include <string>

#include "core/log.h"
#include "net/error_response.h"
#include "net/server.h"
#include "net/transfer_pace.h"
#include "net/websocket.h"
#include "net/websocket_session.h"

namespace homeroom::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// Bytes asked of the socket per read while waiting for a keep-alive request or lingering.
constexpr size_t kReadChunk = 4096;

bool IsTimeout(const error_code& ec) { return ec == beast::error::timeout; }

std::string Bytes(size_t n) { return std::to_string(n) + " bytes"; }

}  // namespace

Session::Session(Server& server, asio::ip::tcp::socket socket, ConnectionInfo conn)
    : server_(server),
      stream_(std::move(socket)),
      executor_(stream_.get_executor()),
      // Head bytes plus some slack for the start of the body; the parser enforces the real limits.
      buffer_(server.options_.max_header_bytes + 64 * 1024),
      conn_(std::move(conn)) {}

Session::~Session() {
  // First, while every member is intact: an evicting accept may be looking at this session.
  const bool evicted = !server_.LeaveIdle(idle_);
  if (!handed_over_) server_.Unregister(conn_.id, conn_.remote, /*release_slot=*/!evicted);
}

void Session::EnterIdle() {
  if (!server_.options_.evict_idle_unauthenticated || conn_.authenticated()) return;
  server_.EnterIdle(shared_from_this(), idle_);
}

bool Session::LeaveIdle() {
  if (server_.LeaveIdle(idle_)) return true;
  Close();
  return false;
}

asio::awaitable<void> Session::Run(std::shared_ptr<Session> self) {
  try {
    co_await self->Loop();
  } catch (const std::exception& e) {
    log::Error(
        "net_session_failed",
        {{"server", self->server_.name_}, {"connection", self->conn_.id}, {"what", e.what()}});
  }
  self->Close();
}

void Session::BeginDrain() {
  draining_ = true;
  if (state_ == State::kWaiting) Close();
}

void Session::ForceClose() { Close(); }

void Session::Close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  error_code ec;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  stream_.close();
}

asio::awaitable<bool> Session::WaitForNextRequest() {
  if (buffer_.size() > 0) co_return true;  // a pipelined request is already here
  const ServerOptions& opt = server_.options_;
  stream_.expires_after(server_.limiter_.under_pressure()
                            ? std::min(opt.idle_timeout, opt.idle_timeout_under_pressure)
                            : opt.idle_timeout);
  auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), kTuple);
  if (ec) {
    if (IsTimeout(ec)) {
      server_.metrics_.timeout_idle.Inc();
      server_.Report(guard::ConnectionEvent::kIdleTimeout, conn_.remote);
    }
    co_return false;
  }
  buffer_.commit(n);
  co_return state_ != State::kClosed;
}

asio::awaitable<void> Session::Loop() {
  const ServerOptions& opt = server_.options_;
  NetMetrics& m = server_.metrics_;
  for (bool first = true;; first = false) {
    if (draining_ || state_ == State::kClosed) co_return;
    state_ = State::kWaiting;
    EnterIdle();
    // The first request's head deadline counts from accept; later ones from their first byte.
    if (!first && !co_await WaitForNextRequest()) co_return;

    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(opt.max_header_bytes));
    parser_->body_limit(boost::none);  // set from the handler's decision once the head is known
    stream_.expires_after(opt.head_timeout);
    auto [ec, unused] = co_await http::async_read_header(stream_, buffer_, *parser_, kTuple);
    (void)unused;
    if (ec) {
      co_await OnReadHeaderError(ec);
      co_return;
    }
    if (!LeaveIdle()) co_return;  // evicted while the head arrived
    state_ = State::kBusy;
    const RequestHeader& head = parser_->get().base();
    const unsigned version = head.version();
    if (!co_await CheckHead(version)) co_return;

    HeadDecision decision;
    bool decided = false;
    try {
      decision = server_.handler_.OnHead(head, conn_);
      decided = true;
    } catch (const std::exception& e) {
      log::Error("net_handler_threw",
                 {{"server", server_.name_}, {"where", "OnHead"}, {"what", e.what()}});
    }
    if (!decided) {
      co_await FailAndClose(http::status::internal_server_error, "internal",
                            "the server failed to handle the request", version);
      co_return;
    }
    const auto content_length = parser_->content_length();
    const bool has_body = parser_->chunked() || (content_length && *content_length > 0);
    ++requests_;
    const bool want_keep_alive = parser_->keep_alive();

    if (decision.reject) {
      // The body was not read, so the connection cannot carry another request.
      bool keep_alive = want_keep_alive && !has_body && !decision.close && !draining_ &&
                        requests_ < opt.max_requests_per_connection;
      if (!co_await Write(*decision.reject, version, keep_alive)) co_return;
      if (!keep_alive) {
        if (has_body) co_await LingerAndClose();
        co_return;
      }
      continue;
    }

    if (!has_body && beast::websocket::is_upgrade(parser_->get())) {
      if (!co_await Upgrade(version, want_keep_alive)) co_return;
      continue;
    }

    if (content_length && *content_length > decision.body_limit) {
      m.bad_body_too_large.Inc();
      co_await FailAndClose(http::status::payload_too_large, "payload_too_large",
                            "request body larger than " + Bytes(decision.body_limit), version);
      co_return;
    }

    if (has_body && !co_await ReadBody(decision.body_limit, version)) co_return;
    stream_.expires_never();

    Request request = parser_->release();
    parser_.reset();
    m.requests.Inc();
    Response response;
    bool handled = false;
    try {
      response = co_await server_.handler_.Handle(std::move(request), conn_);
      handled = true;
    } catch (const std::exception& e) {
      log::Error("net_handler_threw",
                 {{"server", server_.name_}, {"where", "Handle"}, {"what", e.what()}});
    }
    if (!handled) {
      response = MakeErrorResponse(http::status::internal_server_error, "internal",
                                   "the server failed to handle the request");
    }
    if (state_ == State::kClosed) co_return;  // force-closed while the handler ran
    bool keep_alive = want_keep_alive && !draining_ && requests_ < opt.max_requests_per_connection;
    if (!co_await Write(response, version, keep_alive)) co_return;
    if (!keep_alive) co_return;
  }
}

asio::awaitable<bool> Session::ReadBody(size_t body_limit, unsigned version) {
  const ServerOptions& opt = server_.options_;
  NetMetrics& m = server_.metrics_;
  parser_->body_limit(body_limit);
  if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    stream_.expires_after(opt.write_timeout);
    auto [wec, wn] = co_await asio::async_write(stream_, asio::buffer(kContinue), kTuple);
    (void)wn;
    if (wec) {
      if (IsTimeout(wec)) {
        m.timeout_write.Inc();
        server_.Report(guard::ConnectionEvent::kWriteTimeout, conn_.remote);
      }
      co_return false;
    }
  }
  // Read piece by piece so that each read's deadline can follow the body's pace (slow POST).
  TransferPace pace(std::chrono::steady_clock::now(), opt.body_timeout,
                    opt.min_body_bytes_per_second, opt.body_rate_grace);
  while (!parser_->is_done()) {
    stream_.expires_at(pace.deadline());
    auto [bec, bn] = co_await http::async_read_some(stream_, buffer_, *parser_, kTuple);
    if (!bec) {
      pace.Progress(bn, std::chrono::steady_clock::now());
      continue;
    }
    if (IsTimeout(bec)) {
      if (pace.cut_by_rate()) {
        m.timeout_body_rate.Inc();
      } else {
        m.timeout_body.Inc();
      }
      server_.Report(guard::ConnectionEvent::kBodyTimeout, conn_.remote);
    } else if (bec == http::error::body_limit) {
      m.bad_body_too_large.Inc();
      co_await FailAndClose(http::status::payload_too_large, "payload_too_large",
                            "request body larger than " + Bytes(body_limit), version);
    } else if (bec != http::error::end_of_stream && bec != asio::error::eof &&
               bec != asio::error::operation_aborted && state_ != State::kClosed) {
      m.bad_malformed.Inc();
      co_await FailAndClose(http::status::bad_request, "invalid_argument",
                            "malformed request body: " + bec.message(), version);
    }
    co_return false;
  }
  co_return true;
}

asio::awaitable<bool> Session::Upgrade(unsigned version, bool want_keep_alive) {
  stream_.expires_never();
  Request request = parser_->release();
  parser_.reset();
  server_.metrics_.requests.Inc();
  Request handshake = request;  // the handler owns `request`; the handshake needs the head too
  UpgradeDecision decision;
  bool decided = false;
  try {
    decision = co_await server_.handler_.HandleUpgrade(std::move(request), conn_);
    decided = true;
  } catch (const std::exception& e) {
    log::Error("net_handler_threw",
               {{"server", server_.name_}, {"where", "HandleUpgrade"}, {"what", e.what()}});
  }
  if (!decided || (!decision.reject && !decision.handler)) {
    decision.reject = MakeErrorResponse(http::status::internal_server_error, "internal",
                                        "the server failed to handle the request");
  }
  if (decision.reject) {
    if (state_ == State::kClosed) co_return false;
    const bool keep_alive =
        want_keep_alive && !draining_ && requests_ < server_.options_.max_requests_per_connection;
    if (!co_await Write(*decision.reject, version, keep_alive)) co_return false;
    co_return keep_alive;
  }

  // Hand over: the WebSocketSession takes the stream and this connection's slot; from now on this
  // session only waits to be destroyed (Close() and the destructor leave both alone).
  const bool closed = state_ == State::kClosed;
  state_ = State::kClosed;
  handed_over_ = true;
  server_.metrics_.ws_upgrades.Inc();
  auto ws = std::make_shared<WebSocketSession>(server_, std::move(stream_), conn_,
                                               std::move(decision.handler), std::move(handshake));
  const bool server_draining = server_.Adopt(conn_.id, ws);
  WebSocketSession::Start(std::move(ws), server_draining || draining_ || closed);
  co_return false;
}

asio::awaitable<void> Session::OnReadHeaderError(error_code ec) {
  NetMetrics& m = server_.metrics_;
  if (IsTimeout(ec)) {
    m.timeout_head.Inc();
    // A connection that never sent a byte is a browser's speculative preconnect as often as an
    // attack (hundreds of them at the morning bell); only a head begun and never finished is the
    // slowloris signal. Silent sockets are held down by the connection caps instead.
    const bool spoke = buffer_.size() > 0 || (parser_ && parser_->got_some());
    server_.Report(
        spoke ? guard::ConnectionEvent::kHeadTimeout : guard::ConnectionEvent::kIdleTimeout,
        conn_.remote);
    co_return;
  }
  // A client closing between requests, or our own Close().
  if (ec == http::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
      ec == asio::error::bad_descriptor || state_ == State::kClosed) {
    co_return;
  }
  const auto* fields = parser_ ? &parser_->get().base() : nullptr;
  auto has = [&](http::field f) { return fields && fields->find(f) != fields->end(); };
  if (ec == http::error::header_limit) {
    m.bad_header_too_large.Inc();
    co_await FailAndClose(http::status::request_header_fields_too_large, "header_too_large",
                          "request head larger than " + Bytes(server_.options_.max_header_bytes),
                          11);
  } else if ((ec == http::error::bad_transfer_encoding && has(http::field::content_length)) ||
             (ec == http::error::bad_content_length && has(http::field::transfer_encoding))) {
    m.bad_length_with_encoding.Inc();
    co_await FailAndClose(http::status::bad_request, "invalid_argument",
                          "Content-Length and Transfer-Encoding must not both be sent", 11);
  } else if (ec == http::error::multiple_content_length) {
    m.bad_duplicate_length.Inc();
    co_await FailAndClose(http::status::bad_request, "invalid_argument",
                          "conflicting Content-Length headers", 11);
  } else if (ec == http::error::bad_content_length || ec == http::error::bad_transfer_encoding) {
    m.bad_framing.Inc();
    co_await FailAndClose(http::status::bad_request, "invalid_argument",
                          "invalid Content-Length or Transfer-Encoding", 11);
  } else {
    m.bad_malformed.Inc();
    co_await FailAndClose(http::status::bad_request, "invalid_argument",
                          "malformed request: " + ec.message(), 11);
  }
}

asio::awaitable<bool> Session::CheckHead(unsigned version) {
  NetMetrics& m = server_.metrics_;
  const RequestHeader& head = parser_->get().base();
  size_t count = 0, lengths = 0;
  bool comma_length = false, transfer_encoding = false;
  for (const auto& field : head) {
    ++count;
    if (field.name() == http::field::content_length) {
      ++lengths;
      if (field.value().find(',') != std::string_view::npos) comma_length = true;
    } else if (field.name() == http::field::transfer_encoding) {
      transfer_encoding = true;
    }
  }
  if (count > server_.options_.max_header_count) {
    m.bad_too_many_headers.Inc();
    co_await FailAndClose(
        http::status::request_header_fields_too_large, "header_too_large",
        "more than " + std::to_string(server_.options_.max_header_count) + " header fields",
        version);
    co_return false;
  }
  if (lengths > 0 && transfer_encoding) {
    m.bad_length_with_encoding.Inc();
    co_await FailAndClose(http::status::bad_request, "invalid_argument",
                          "Content-Length and Transfer-Encoding must not both be sent", version);
    co_return false;
  }
  if (lengths > 1 || comma_length) {
    m.bad_duplicate_length.Inc();
    co_await FailAndClose(http::status::bad_request, "invalid_argument",
                          "Content-Length must be sent once", version);
    co_return false;
  }
  if (transfer_encoding && !parser_->chunked()) {
    m.bad_framing.Inc();
    co_await FailAndClose(http::status::bad_request, "invalid_argument",
                          "only Transfer-Encoding: chunked is accepted", version);
    co_return false;
  }
  co_return true;
}

asio::awaitable<bool> Session::Write(Response& res, unsigned version, bool keep_alive) {
  if (state_ == State::kClosed) co_return false;
  state_ = State::kBusy;
  res.version(version == 10 ? 10 : 11);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  const ServerOptions& opt = server_.options_;
  // Written piece by piece so that each write's deadline can follow the reader's pace (slow read).
  TransferPace pace(std::chrono::steady_clock::now(), opt.write_timeout,
                    opt.min_send_bytes_per_second, opt.send_rate_grace);
  http::serializer<false, http::string_body> serializer(res);
  while (!serializer.is_done()) {
    stream_.expires_at(pace.deadline());
    auto [ec, n] = co_await http::async_write_some(stream_, serializer, kTuple);
    if (!ec) {
      pace.Progress(n, std::chrono::steady_clock::now());
      continue;
    }
    if (IsTimeout(ec)) {
      if (pace.cut_by_rate()) {
        server_.metrics_.timeout_send_rate.Inc();
      } else {
        server_.metrics_.timeout_write.Inc();
      }
      server_.Report(guard::ConnectionEvent::kWriteTimeout, conn_.remote);
    }
    co_return false;
  }
  co_return true;
}

asio::awaitable<void> Session::FailAndClose(http::status status, std::string_view code,
                                            std::string_view message, unsigned version) {
  if (http::to_status_class(status) == http::status_class::client_error) {
    server_.Report(guard::ConnectionEvent::kBadRequest, conn_.remote);
  }
  Response res = MakeErrorResponse(status, code, message);
  if (co_await Write(res, version, false)) co_await LingerAndClose();
}

asio::awaitable<void> Session::LingerAndClose() {
  if (state_ == State::kClosed) co_return;
  error_code ec;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  stream_.expires_after(server_.options_.linger_timeout);
  size_t discarded = 0;
  char scratch[kReadChunk];
  while (discarded < server_.options_.linger_max_bytes && state_ != State::kClosed) {
    auto [rec, n] = co_await stream_.async_read_some(asio::buffer(scratch), kTuple);
    if (rec) break;
    discarded += n;
  }
}

}  // namespace homeroom::net
