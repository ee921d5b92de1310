#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "storm/stats.h"
#include "storm/target.h"

namespace homeroom::storm {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;
using Request = boost::beast::http::request<boost::beast::http::string_body>;

inline std::chrono::microseconds Since(TimePoint start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start);
}

// Caps the sockets the whole storm holds open at once (--max-connections), so that no setting
// can exhaust this machine's descriptors. Thread-safe.
class ConnectionBudget {
 public:
  explicit ConnectionBudget(size_t max) : max_(max) {}

  // One open socket's place in the budget; gives it back when destroyed.
  class Slot {
   public:
    Slot() = default;
    explicit Slot(ConnectionBudget* budget) : budget_(budget) {}
    Slot(Slot&& other) noexcept : budget_(std::exchange(other.budget_, nullptr)) {}
    Slot& operator=(Slot&& other) noexcept {
      if (this != &other) {
        Release();
        budget_ = std::exchange(other.budget_, nullptr);
      }
      return *this;
    }
    ~Slot() { Release(); }
    explicit operator bool() const { return budget_ != nullptr; }
    void Release() {
      if (budget_) budget_->open_.fetch_sub(1, std::memory_order_relaxed);
      budget_ = nullptr;
    }

   private:
    ConnectionBudget* budget_ = nullptr;
  };

  // A slot, or an empty one when max() sockets are open (counted in capped()).
  Slot TryAcquire();
  size_t max() const { return max_; }
  size_t open() const { return open_.load(std::memory_order_relaxed); }
  size_t peak() const { return peak_.load(std::memory_order_relaxed); }
  uint64_t capped() const { return capped_.load(std::memory_order_relaxed); }

 private:
  const size_t max_;
  std::atomic<size_t> open_{0};
  std::atomic<size_t> peak_{0};
  std::atomic<uint64_t> capped_{0};
};

// The outcome of one HTTP exchange: a status, or the kind of failure.
struct Exchange {
  int status = 0;  // 0: no answer, see error
  NetError error = NetError::kOther;
  boost::system::error_code ec;
  std::chrono::microseconds latency{0};
  std::string body;
  bool keep_alive = false;
  // The server had closed the reused keep-alive connection before answering, and the request was
  // sent again on a new one (as browsers do; counted as the event "retried_closed_keep_alive").
  bool retried = false;
  bool answered() const { return status != 0; }
};

// Counts `e` in `stats` (its status, or its failure kind).
void Record(TrafficStats& stats, const Exchange& e);

// Opens `stream`'s socket, binds it to `source` (skipped for an IPv6 target: only ::1 exists there)
// and connects to `target` before `deadline`. Returns the error (connection_refused, timeout...)
// or success. Never throws.
boost::asio::awaitable<boost::system::error_code> ConnectFrom(
    boost::beast::tcp_stream& stream, const Target& target, const boost::asio::ip::address& source,
    TimePoint deadline, int receive_buffer = 0);

// A keep-alive HTTP/1.1 client connection from one source address, as a browser holds one. It
// connects on the first Send() and again after the server closes it. Answers are read up to
// kMaxResponseBytes. Not thread-safe: one coroutine uses it at a time.
class HttpConnection {
 public:
  static constexpr size_t kMaxResponseBytes = 4 << 20;

  HttpConnection(boost::asio::any_io_executor executor, const Target& target,
                 boost::asio::ip::address source, ConnectionBudget& budget);

  // Sends `req` (Host and keep-alive are set here) and reads the answer before `deadline`.
  // Connects first when needed; the latency includes that connect. When a reused connection turns
  // out closed by the server before any byte of an answer (its keep-alive timeout raced the
  // request) and the request is a GET or HEAD, it is sent once more on a new connection, as
  // browsers do (RFC 9112, section 9.3.1). Never throws; on any failure the connection is closed
  // and the next Send() reconnects.
  boost::asio::awaitable<Exchange> Send(Request req, TimePoint deadline);
  void Close();
  bool connected() const { return connected_; }
  const boost::asio::ip::address& source() const { return source_; }

 private:
  boost::asio::any_io_executor executor_;
  const Target& target_;
  boost::asio::ip::address source_;
  ConnectionBudget& budget_;
  std::unique_ptr<boost::beast::tcp_stream> stream_;
  ConnectionBudget::Slot slot_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;

  // One attempt of Send(). Sets `stale` when the connection was open before it and failed without
  // a byte of an answer: the server had closed it meanwhile.
  boost::asio::awaitable<Exchange> SendOnce(const Request& req, TimePoint deadline, bool& stale);
};

// A request with the usual fields of the API: method, target, optional bearer token and JSON body.
Request MakeRequest(boost::beast::http::verb method, const std::string& target,
                    const std::string& token = "", const std::string& json_body = "");

}  // namespace homeroom::storm
