#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/status.h"

namespace homeroom::net {

// The body of one request, read from the connection piece by piece while the handler runs, for
// routes whose body must never be held whole in memory (file uploads). The server hands one to
// HttpHandler::HandleStream(); it reads under the same deadlines, minimum rate and body limit as a
// buffered body (a Content-Length over the limit is refused before the handler is called).
//
// Valid only during the HandleStream() call it was given to, on the connection's strand; not
// thread-safe. A handler that returns before the body is done gets its answer sent with
// Connection: close (the rest of the body is discarded, bounded, then the connection is closed).
class BodyReader {
 public:
  virtual ~BodyReader() = default;

  // Reads the next bytes of the body into `buffer` and returns how many (at least 1), or 0 once
  // the body is complete. Errors end the body (every later call returns the same error):
  //   kPayloadTooLarge   the body went past the route's limit (413)
  //   kDeadlineExceeded  the client sent too slowly (the body deadline or minimum rate); the
  //                      connection is closed, no answer reaches the client
  //   kInvalidArgument   malformed chunked framing
  //   kUnavailable       the connection closed before the body was complete
  virtual boost::asio::awaitable<Result<size_t>> Read(std::span<char> buffer) = 0;

  // True once the whole body was read.
  virtual bool done() const = 0;
  // Body bytes handed out so far.
  virtual uint64_t bytes_read() const = 0;
  // The Content-Length the client announced; none for a chunked body.
  virtual std::optional<uint64_t> content_length() const = 0;
};

}  // namespace homeroom::net
