#include "net/websocket_session.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream_base.hpp>
#include <exception>
#include <string_view>
#include <utility>

#include "core/log.h"
#include "net/server.h"

namespace homeroom::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::system::error_code;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// The longest reason a close frame can carry (125 payload bytes minus the code).
constexpr size_t kMaxCloseReason = 123;

// The handler's view of the connection. Holds the session weakly: a room keeping a sender does
// not keep a closed connection (and its slot) alive.
class Sender final : public WebSocketSender {
 public:
  explicit Sender(std::weak_ptr<WebSocketSession> session) : session_(std::move(session)) {}

  SendResult Send(std::shared_ptr<const std::string> frame) override {
    auto session = session_.lock();
    return session ? session->Send(std::move(frame)) : SendResult::kClosed;
  }
  void Close(uint16_t code, std::string reason) override {
    if (auto session = session_.lock()) session->Close(code, std::move(reason));
  }

 private:
  const std::weak_ptr<WebSocketSession> session_;
};

const char* EndName(int end) {
  static constexpr const char* kNames[] = {"normal",  "too_big",  "rate", "slow_consumer",
                                           "timeout", "protocol", "error"};
  return kNames[end];
}

void LogException(std::string_view where, std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    log::Error("net_coroutine_failed", {{"where", where}, {"what", ex.what()}});
  } catch (...) {
    log::Error("net_coroutine_failed", {{"where", where}, {"what", "unknown exception"}});
  }
}

}  // namespace

WebSocketSession::WebSocketSession(Server& server, beast::tcp_stream&& stream, ConnectionInfo conn,
                                   std::shared_ptr<WebSocketHandler> handler, Request handshake)
    : server_(server),
      options_(server.options_.websocket),
      conn_(std::move(conn)),
      ws_(std::move(stream)),
      executor_(ws_.get_executor()),
      handler_(std::move(handler)),
      handshake_(std::move(handshake)),
      deadline_(executor_),
      started_(std::chrono::steady_clock::now()) {
  // The WebSocket stream runs its own handshake and idle timers; the TCP stream's must be off.
  beast::get_lowest_layer(ws_).expires_never();
}

WebSocketSession::~WebSocketSession() {
  // Only when the io_context was destroyed with this connection's coroutine still pending
  // (Server shutdown after its stop grace): the handler still hears of the end, once.
  if (handler_ && !notified_) {
    notified_ = true;
    try {
      handler_->OnClose(close_code::kGoingAway, "going away");
    } catch (const std::exception& e) {
      log::Error("net_handler_threw",
                 {{"server", server_.name_}, {"where", "OnClose"}, {"what", e.what()}});
    }
  }
  handler_.reset();
  size_t dropped = 0;
  {
    std::lock_guard lock(mu_);
    dropped = queued_bytes_;
    queued_bytes_ = 0;
    queue_.clear();
  }
  server_.metrics_.ws_queued_bytes.Add(-static_cast<int64_t>(dropped));
  server_.Unregister(conn_.id, conn_.remote, /*release_slot=*/true);
}

void WebSocketSession::Start(std::shared_ptr<WebSocketSession> self, bool go_away) {
  self->go_away_ = go_away;
  auto executor = self->executor_;
  asio::co_spawn(executor, Run(std::move(self)),
                 [](std::exception_ptr e) { LogException("websocket", e); });
}

asio::awaitable<void> WebSocketSession::Run(std::shared_ptr<WebSocketSession> self) {
  try {
    co_await self->Loop();
  } catch (const std::exception& e) {
    log::Error(
        "net_session_failed",
        {{"server", self->server_.name_}, {"connection", self->conn_.id}, {"what", e.what()}});
    self->SetEnd(close_code::kInternal, "internal error", End::kError);
  }
  self->Teardown();
  self->CancelDeadline();
  self->Finish();
}

asio::awaitable<void> WebSocketSession::Loop() {
  NetMetrics& m = server_.metrics_;
  if (go_away_ || !beast::get_lowest_layer(ws_).socket().is_open()) {
    SetEnd(close_code::kGoingAway, "going away", End::kNormal);
    co_return;
  }
  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = options_.handshake_timeout;
  timeouts.idle_timeout = options_.idle_timeout;
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.read_message_max(options_.max_message_bytes);
  ws_.auto_fragment(false);  // a frame is written straight from the shared buffer, in one piece

  handshaking_ = true;
  auto [ec] = co_await ws_.async_accept(*handshake_, kTuple);
  handshaking_ = false;
  handshake_.reset();
  if (ec) {
    if (pending_close_) {
      SetEnd(pending_close_->code, pending_close_->reason, pending_close_->why);
    } else if (ec == beast::error::timeout) {
      SetEnd(close_code::kAbnormal, "handshake timeout", End::kTimeout);
    } else {
      SetEnd(close_code::kAbnormal, "handshake failed", End::kError);
    }
    co_return;
  }
  if (close_started_) co_return;  // drained or force-closed during the handshake
  open_ = true;
  m.ws_open.Add(1);
  tokens_ = options_.message_burst;
  tokens_at_ = std::chrono::steady_clock::now();
  if (pending_close_) {
    PendingClose close = std::move(*pending_close_);
    pending_close_.reset();
    StartClose(close.code, std::move(close.reason), close.why, false);
  } else {
    try {
      handler_->OnOpen(std::make_shared<Sender>(weak_from_this()));
    } catch (const std::exception& e) {
      log::Error("net_handler_threw",
                 {{"server", server_.name_}, {"where", "OnOpen"}, {"what", e.what()}});
      StartClose(close_code::kInternal, "internal error", End::kError, false);
    }
  }

  for (;;) {
    auto [rec, n] = co_await ws_.async_read(read_buffer_, kTuple);
    (void)n;
    if (rec) {
      EndFromReadError(rec);
      co_return;
    }
    const bool binary = ws_.got_binary();
    if (close_started_) {
      // Closing: what still arrives before the peer's close frame is not delivered.
    } else if (binary) {
      StartClose(close_code::kUnsupported, "binary messages are not accepted", End::kProtocol,
                 false);
    } else if (!TakeToken()) {
      StartClose(close_code::kPolicy, "rate limit", End::kRate, false);
    } else {
      std::string message = beast::buffers_to_string(read_buffer_.data());
      read_buffer_.consume(read_buffer_.size());
      // An idle socket holds no message buffer (Beast reads the next frame into its own fixed
      // buffer first): memory per socket is what the benchmark's 16 KiB goal is about.
      read_buffer_.shrink_to_fit();
      m.ws_messages_in.Inc();
      try {
        handler_->OnText(std::move(message));
      } catch (const std::exception& e) {
        log::Error("net_handler_threw",
                   {{"server", server_.name_}, {"where", "OnText"}, {"what", e.what()}});
        StartClose(close_code::kInternal, "internal error", End::kError, false);
      }
      continue;
    }
    read_buffer_.consume(read_buffer_.size());
    read_buffer_.shrink_to_fit();
  }
}

void WebSocketSession::EndFromReadError(const error_code& ec) {
  if (ec == websocket::error::closed) {
    const websocket::close_reason& reason = ws_.reason();
    // A close frame without a code is reported as 1005 "no status received" (RFC 6455, 7.4.1).
    const uint16_t code = reason.code == websocket::close_code::none
                              ? uint16_t{1005}
                              : static_cast<uint16_t>(reason.code);
    SetEnd(code, std::string(reason.reason.data(), reason.reason.size()), End::kNormal);
  } else if (ec == websocket::error::message_too_big) {
    // Beast has already sent the 1009 close frame.
    SetEnd(close_code::kTooBig, "message too big", End::kTooBig);
  } else if (ec == beast::error::timeout) {
    SetEnd(close_code::kAbnormal, "timeout", End::kTimeout);
  } else if (ec.category() == make_error_code(websocket::error::closed).category()) {
    // Invalid frames or UTF-8: Beast has sent 1002 or 1007.
    SetEnd(ec == websocket::error::bad_frame_payload ? 1007 : 1002, "protocol error",
           End::kProtocol);
  } else {
    SetEnd(close_code::kAbnormal, "connection lost", End::kError);
  }
}

void WebSocketSession::SetEnd(uint16_t code, std::string reason, End why) {
  if (end_set_) return;
  end_set_ = true;
  end_code_ = code;
  end_reason_ = std::move(reason);
  end_ = why;
}

void WebSocketSession::StartClose(uint16_t code, std::string reason, End why, bool hard) {
  if (close_started_) return;
  if (reason.size() > kMaxCloseReason) reason.resize(kMaxCloseReason);
  if (handshaking_ && !hard) {
    if (!pending_close_) pending_close_ = PendingClose{code, std::move(reason), why};
    return;
  }
  close_started_ = true;
  SetEnd(code, reason, why);
  DropQueued();
  if (hard || !open_) {
    Teardown();
    return;
  }
  // The peer has handshake_timeout to answer the close frame (Beast's own close timeout starts
  // only once a frame being written is done, so the deadline is ours).
  ArmDeadline(options_.handshake_timeout);
  ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), reason),
                  [self = shared_from_this()](error_code ec) {
                    if (ec) self->Teardown();
                  });
}

void WebSocketSession::Teardown() {
  if (torn_down_) return;
  torn_down_ = true;
  error_code ec;
  auto& tcp = beast::get_lowest_layer(ws_);
  tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  tcp.close();
}

void WebSocketSession::BeginDrain() {
  StartClose(close_code::kGoingAway, "going away", End::kNormal, false);
}

void WebSocketSession::ForceClose() {
  StartClose(close_code::kGoingAway, "going away", End::kNormal, true);
  Teardown();
}

SendResult WebSocketSession::Send(std::shared_ptr<const std::string> frame) {
  if (!frame) return SendResult::kClosed;
  const size_t bytes = frame->size();
  bool queued = false, post = false;
  {
    std::lock_guard lock(mu_);
    if (closing_) return SendResult::kClosed;
    if (queued_bytes_ + bytes > options_.max_queued_bytes) {
      closing_ = true;
    } else {
      queue_.push_back(std::move(frame));
      queued_bytes_ += bytes;
      queued = true;
      post = !kick_pending_;
      kick_pending_ = true;
    }
  }
  if (queued) {
    server_.metrics_.ws_queued_bytes.Add(static_cast<int64_t>(bytes));
    if (post) asio::post(executor_, [self = shared_from_this()] { self->Kick(); });
    return SendResult::kQueued;
  }
  // A reader this far behind is dropped, not waited for.
  asio::post(executor_, [self = shared_from_this()] {
    self->StartClose(close_code::kPolicy, "slow consumer", End::kSlowConsumer, true);
  });
  return SendResult::kQueueFull;
}

void WebSocketSession::Close(uint16_t code, std::string reason) {
  {
    std::lock_guard lock(mu_);
    closing_ = true;  // from now on Send() refuses, whichever thread it runs on
  }
  asio::post(executor_, [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
    self->StartClose(code, std::move(reason), End::kNormal, false);
  });
}

void WebSocketSession::Kick() {
  if (writing_) return;  // OnWrite() continues with the next frame
  std::shared_ptr<const std::string> next;
  {
    std::lock_guard lock(mu_);
    if (queue_.empty() || close_started_ || !open_) {
      kick_pending_ = false;
      return;
    }
    next = queue_.front();
  }
  writing_ = true;
  ArmDeadline(options_.write_timeout);
  auto buffer = asio::buffer(*next);
  ws_.async_write(buffer, [self = shared_from_this(), next = std::move(next)](
                              error_code ec, size_t) { self->OnWrite(ec, next->size()); });
}

void WebSocketSession::OnWrite(const error_code& ec, size_t bytes) {
  writing_ = false;
  {
    std::lock_guard lock(mu_);
    if (!queue_.empty()) queue_.pop_front();
    queued_bytes_ -= bytes;
  }
  server_.metrics_.ws_queued_bytes.Add(-static_cast<int64_t>(bytes));
  if (close_started_) {
    Kick();  // clears kick_pending_
    return;
  }
  CancelDeadline();
  if (ec) {
    StartClose(close_code::kAbnormal, "write failed", End::kError, true);
    Kick();
    return;
  }
  server_.metrics_.ws_messages_out.Inc();
  Kick();
}

void WebSocketSession::DropQueued() {
  size_t dropped = 0;
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    const size_t keep = writing_ ? 1 : 0;
    while (queue_.size() > keep) {
      dropped += queue_.back()->size();
      queue_.pop_back();
    }
    queued_bytes_ -= dropped;
  }
  server_.metrics_.ws_queued_bytes.Add(-static_cast<int64_t>(dropped));
}

void WebSocketSession::ArmDeadline(std::chrono::milliseconds after) {
  const uint64_t generation = ++deadline_generation_;
  deadline_.expires_after(after);
  deadline_.async_wait([self = shared_from_this(), generation](error_code ec) {
    if (!ec) self->OnDeadline(generation);
  });
}

void WebSocketSession::CancelDeadline() {
  ++deadline_generation_;
  deadline_.cancel();
}

void WebSocketSession::OnDeadline(uint64_t generation) {
  if (generation != deadline_generation_) return;  // re-armed or cancelled meanwhile
  if (close_started_) {
    Teardown();  // the close handshake took too long
  } else if (writing_) {
    StartClose(close_code::kAbnormal, "write timeout", End::kTimeout, true);
  }
}

bool WebSocketSession::TakeToken() {
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - tokens_at_).count();
  tokens_at_ = now;
  tokens_ = std::min(options_.message_burst, tokens_ + elapsed * options_.messages_per_second);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

void WebSocketSession::Finish() {
  close_started_ = true;
  DropQueued();
  NetMetrics& m = server_.metrics_;
  if (open_) m.ws_open.Add(-1);
  switch (end_) {
    case End::kNormal:
      m.ws_close_normal.Inc();
      break;
    case End::kTooBig:
      m.ws_close_too_big.Inc();
      server_.Report(guard::ConnectionEvent::kWebSocketAbuse, conn_.remote);
      break;
    case End::kRate:
      m.ws_close_rate.Inc();
      server_.Report(guard::ConnectionEvent::kWebSocketAbuse, conn_.remote);
      break;
    case End::kSlowConsumer:
      m.ws_close_slow_consumer.Inc();
      server_.Report(guard::ConnectionEvent::kWebSocketAbuse, conn_.remote);
      break;
    case End::kTimeout:
      m.ws_close_timeout.Inc();
      break;
    case End::kProtocol:
      m.ws_close_protocol.Inc();
      server_.Report(guard::ConnectionEvent::kWebSocketAbuse, conn_.remote);
      break;
    case End::kError:
      m.ws_close_error.Inc();
      break;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  log::Write(end_ == End::kNormal ? log::Level::kDebug : log::Level::kInfo, "ws_closed",
             {{"server", server_.name_},
              {"connection", conn_.id},
              {"client_ip", conn_.RemoteIp()},
              {"code", end_code_},
              {"cause", EndName(static_cast<int>(end_))},
              {"duration_s", seconds}});
  if (!notified_ && handler_) {
    notified_ = true;
    try {
      handler_->OnClose(end_code_, end_reason_);
    } catch (const std::exception& e) {
      log::Error("net_handler_threw",
                 {{"server", server_.name_}, {"where", "OnClose"}, {"what", e.what()}});
    }
  }
  handler_.reset();
}

}  // namespace homeroom::net
