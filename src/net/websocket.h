#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/http_handler.h"

namespace homeroom::net {

// WebSocket close codes used by Homeroom (RFC 6455, section 7.4.1).
namespace close_code {
inline constexpr uint16_t kNormal = 1000;
inline constexpr uint16_t kGoingAway = 1001;    // server shutdown
inline constexpr uint16_t kUnsupported = 1003;  // a binary message
inline constexpr uint16_t kAbnormal = 1006;     // never sent: the connection dropped, timed out
inline constexpr uint16_t kPolicy = 1008;       // "rate limit", "slow consumer", app refusals
inline constexpr uint16_t kTooBig = 1009;       // a message over the size limit
inline constexpr uint16_t kInternal = 1011;     // a handler failed
inline constexpr uint16_t kTryAgainLater = 1013;
}  // namespace close_code

// What WebSocketSender::Send() did with a frame.
enum class SendResult {
  kQueued,     // queued for writing
  kQueueFull,  // refused: the queued bytes would exceed WebSocketOptions::max_queued_bytes; the
               // connection is being dropped as a slow consumer (1008)
  kClosed,     // refused: the connection is already closing or gone (not a slow consumer)
};

// The sending side of an upgraded (WebSocket) connection. Thread-safe: any thread may call it, and
// it never blocks (the frame is posted to the connection's strand). It does not keep the
// connection alive: once the connection is gone every call is a no-op returning false.
class WebSocketSender {
 public:
  virtual ~WebSocketSender() = default;
  // Queues one text frame. The same buffer may be queued to many connections (encode once, send
  // to all): it is shared, never copied. Returns kQueued, or kQueueFull (and starts closing the
  // connection with 1008 "slow consumer") when its queued bytes would exceed the outbound limit
  // (WebSocketOptions::max_queued_bytes), or kClosed once the connection is closing or closed (a
  // null frame too).
  virtual SendResult Send(std::shared_ptr<const std::string> frame) = 0;
  // Starts a close handshake with `code` (1000 normal, 1008 policy, 1011 error, 1013 try again
  // later) and a short reason (at most 123 bytes; longer is cut); frames queued but not yet
  // written are dropped and further Send() calls return kClosed. No-op once closing.
  virtual void Close(uint16_t code, std::string reason) = 0;
};

// What runs on one upgraded connection; created per connection by HttpHandler::HandleUpgrade.
// Every callback runs on the connection's strand, one at a time, and must not block.
class WebSocketHandler {
 public:
  virtual ~WebSocketHandler() = default;
  // The handshake is done; `sender` stays valid (and safe to keep) for the handler's life. Not
  // called when the handshake fails.
  virtual void OnOpen(std::shared_ptr<WebSocketSender> sender) = 0;
  // One complete text message (within the size and rate limits; binary messages close the
  // connection 1003). Not called once the connection is closing.
  virtual void OnText(std::string message) = 0;
  // The connection is gone (close frame from either side, error, timeout, limit, shutdown, or a
  // failed handshake): called exactly once for every handler HandleUpgrade() returned, last.
  // `code` is the close code sent or received, or 1006 when the connection dropped without one
  // (reset, ping or handshake timeout, write deadline). A slow consumer is dropped at once and
  // reported as 1008 "slow consumer" (a peer that does not read would never see a close frame).
  virtual void OnClose(uint16_t code, std::string_view reason) = 0;
};

// The answer to an upgrade request: a handler to run on the socket, or an HTTP response that
// refuses it (401, 403, 404, 429, ...). When `reject` is set, `handler` is ignored (and never
// called); when neither is set the server answers 500.
struct UpgradeDecision {
  std::shared_ptr<WebSocketHandler> handler;
  std::optional<Response> reject;
};

}  // namespace homeroom::net
