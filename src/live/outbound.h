#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace homeroom::live {

// What Outbound::Send() did with a frame. Only kQueueFull is a slow consumer
// (homeroom_live_dropped_slow_consumers_total); a socket that is closing is merely going away.
enum class SendResult {
  kQueued,     // queued for the socket
  kQueueFull,  // refused: over the socket's outbound limit (the transport is dropping it)
  kClosed,     // refused: the socket is closing or gone
};

// Where a room sends one participant's frames: that participant's socket. Implemented over
// net::WebSocketSender by the API layer, and by in-memory sinks in unit tests. Thread-safe.
class Outbound {
 public:
  virtual ~Outbound() = default;
  // Queues an encoded frame (shared by every recipient). kQueueFull when the connection is over
  // its outbound limit (the transport then disconnects it; the room must not wait for it),
  // kClosed when it is closing or closed.
  virtual SendResult Send(std::shared_ptr<const std::string> frame) = 0;
  // Closes the connection (1000 normal, 1008 policy, 1013 try again later).
  virtual void Close(uint16_t code, std::string reason) = 0;
};

}  // namespace homeroom::live
