#pragma once

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace homeroom::testing {

// A raw HTTP/1.1 client over a blocking TCP socket, for server tests that need to send bytes the
// server must refuse. Every wait has a timeout, so a broken server fails a test instead of hanging
// it. Not thread-safe.
class RawClient {
 public:
  using Response = boost::beast::http::response<boost::beast::http::string_body>;
  using ms = std::chrono::milliseconds;

  // Connects to 127.0.0.1:`port` from `source_ip` (any address of 127.0.0.0/8). `rcvbuf` > 0 sets
  // SO_RCVBUF before connecting (slow-reader tests).
  explicit RawClient(uint16_t port, const std::string& source_ip = "127.0.0.1", int rcvbuf = 0)
      : socket_(ioc_) {
    namespace ip = boost::asio::ip;
    boost::system::error_code ec;
    socket_.open(ip::tcp::v4(), ec);
    if (rcvbuf > 0) socket_.set_option(boost::asio::socket_base::receive_buffer_size(rcvbuf), ec);
    socket_.bind(ip::tcp::endpoint(ip::make_address(source_ip), 0), ec);
    socket_.connect(ip::tcp::endpoint(ip::make_address("127.0.0.1"), port), ec);
    connected_ = !ec;
  }

  bool connected() const { return connected_; }

  // Writes all of `data`; false when the connection is gone.
  bool Send(std::string_view data) {
    boost::system::error_code ec;
    boost::asio::write(socket_, boost::asio::buffer(data), ec);
    return !ec;
  }

  // Reads one complete response, or nullopt when the connection closes or `timeout` passes first.
  std::optional<Response> Read(ms timeout = ms(5000)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (auto res = TryParse()) return res;
      if (failed_) return std::nullopt;
      if (!Fill(deadline)) return std::nullopt;
    }
  }

  // True when the server closes the connection (EOF or reset) within `timeout`; what it sends
  // before closing is discarded.
  bool WaitClosed(ms timeout = ms(5000)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      buffered_.clear();
      if (!Fill(deadline)) return closed_;
    }
  }

  // Reads and discards at most `max_bytes` of what has arrived, waiting up to `timeout` for
  // something; returns the bytes read, 0 on close or timeout (slow-reader tests).
  size_t ReadSome(size_t max_bytes, ms timeout = ms(1000)) {
    pollfd pfd{socket_.native_handle(), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return 0;
    char chunk[65536];
    ssize_t n = ::recv(socket_.native_handle(), chunk, std::min(max_bytes, sizeof(chunk)), 0);
    if (n <= 0) {
      closed_ = true;
      return 0;
    }
    return static_cast<size_t>(n);
  }

  static std::string Get(std::string_view target, std::string_view extra = "") {
    return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra) +
           "\r\n";
  }

 private:
  // Appends what arrives before `deadline`; false on close (closed_ set) or timeout.
  bool Fill(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<ms>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{socket_.native_handle(), POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready <= 0) return false;
    char chunk[65536];
    ssize_t n = ::recv(socket_.native_handle(), chunk, sizeof(chunk), 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    buffered_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  std::optional<Response> TryParse() {
    if (buffered_.empty()) return std::nullopt;
    boost::beast::http::response_parser<boost::beast::http::string_body> parser;
    parser.eager(true);
    parser.body_limit(boost::none);
    size_t offset = 0;
    boost::system::error_code ec;
    while (!parser.is_done()) {
      size_t n =
          parser.put(boost::asio::buffer(buffered_.data() + offset, buffered_.size() - offset), ec);
      offset += n;
      if (ec == boost::beast::http::error::need_more) return std::nullopt;
      if (ec) {
        failed_ = true;
        return std::nullopt;
      }
      if (n == 0) return std::nullopt;
    }
    buffered_.erase(0, offset);
    return parser.release();
  }

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  bool connected_ = false;
  bool closed_ = false;
  bool failed_ = false;
  std::string buffered_;
};

}  // namespace homeroom::testing
