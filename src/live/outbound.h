#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace homeroom::live {

// Where a room sends one participant's frames: that participant's socket. Implemented over
// net::WebSocketSender by the API layer, and by in-memory sinks in unit tests. Thread-safe.
class Outbound {
 public:
  virtual ~Outbound() = default;
  // Queues an encoded frame (shared by every recipient). False when the connection is closing or
  // over its outbound limit (the transport then disconnects it; the room must not wait for it).
  virtual bool Send(std::shared_ptr<const std::string> frame) = 0;
  // Closes the connection (1000 normal, 1008 policy, 1013 try again later).
  virtual void Close(uint16_t code, std::string reason) = 0;
};

}  // namespace homeroom::live
