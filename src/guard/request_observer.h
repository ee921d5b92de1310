#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace homeroom::guard {

// One finished request as http::Dispatcher saw it, for whoever watches traffic per source (attack
// detection, forensics). The views are valid only during OnRequest(): copy what you keep.
struct RequestRecord {
  std::chrono::system_clock::time_point at;  // when the answer was ready
  boost::asio::ip::address remote;
  std::string_view method;         // "GET"
  std::string_view path;           // the raw request target without its query ("/api/v1/me")
  std::string_view route;          // the route pattern ("/api/v1/sections/{id}") or "unmatched"
  std::string_view user_agent;     // as sent, possibly empty
  unsigned status = 0;             // 101 for an accepted WebSocket upgrade
  size_t bytes_in = 0;             // request body bytes
  size_t bytes_out = 0;            // response body bytes
  std::optional<int64_t> user_id;  // the signed-in account, when the request authenticated
  double duration_seconds = 0;
};

// Told about every request the Dispatcher answers (answered from the head, handled, refused or
// upgraded). Called on the I/O threads, concurrently, on the request's path: implementations must
// be thread-safe and cheap (no I/O, no blocking; hand heavy work to their own thread).
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void OnRequest(const RequestRecord& record) = 0;
};

}  // namespace homeroom::guard
