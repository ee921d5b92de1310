#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

namespace homeroom::testing {

// A real WebSocket client (Boost.Beast) for server tests. The handshake runs in the constructor;
// then, unless told not to read, a thread reads every message into a queue (which also answers
// the server's pings). Every wait has a timeout. Methods other than the constructor may be called
// from the test thread only.
class WsClient {
 public:
  using ms = std::chrono::milliseconds;
  using Response = boost::beast::websocket::response_type;

  struct Options {
    std::string source_ip = "127.0.0.1";
    int rcvbuf = 0;      // > 0: SO_RCVBUF set before connecting (slow-reader tests)
    bool read = true;    // false: never reads (a slow consumer)
    std::string header;  // extra request header "Name: value" (e.g. an Authorization)
  };

  WsClient(uint16_t port, const std::string& target) : WsClient(port, target, Options()) {}

  WsClient(uint16_t port, const std::string& target, Options options) : ws_(ioc_) {
    namespace ip = boost::asio::ip;
    namespace websocket = boost::beast::websocket;
    auto& socket = boost::beast::get_lowest_layer(ws_).socket();
    boost::system::error_code ec;
    socket.open(ip::tcp::v4(), ec);
    if (options.rcvbuf > 0) {
      socket.set_option(boost::asio::socket_base::receive_buffer_size(options.rcvbuf), ec);
    }
    socket.bind(ip::tcp::endpoint(ip::make_address(options.source_ip), 0), ec);
    socket.connect(ip::tcp::endpoint(ip::make_address("127.0.0.1"), port), ec);
    if (ec) {
      handshake_error_ = ec;
      return;
    }
    std::string header = options.header;
    ws_.set_option(websocket::stream_base::decorator([header](websocket::request_type& req) {
      auto colon = header.find(':');
      if (colon != std::string::npos) {
        req.set(header.substr(0, colon), header.substr(colon + 2));
      }
    }));
    bool done = false;
    ws_.async_handshake(response_, "127.0.0.1", target, [&](boost::system::error_code e) {
      handshake_error_ = e;
      done = true;
    });
    ioc_.run_for(ms(5000));
    if (!done) {
      handshake_error_ = boost::asio::error::timed_out;
      return;
    }
    ioc_.restart();
    if (handshake_error_) return;
    open_ = true;
    work_.emplace(ioc_.get_executor());
    if (options.read) Read();
    thread_ = std::thread([this] { ioc_.run(); });
  }

  ~WsClient() {
    boost::asio::post(ioc_, [this] {
      boost::system::error_code ec;
      boost::beast::get_lowest_layer(ws_).socket().close(ec);
    });
    work_.reset();
    if (thread_.joinable()) thread_.join();
  }

  // True when the handshake succeeded (101).
  bool open() const { return open_; }
  boost::system::error_code handshake_error() const { return handshake_error_; }
  // The server's answer to the upgrade request (101, or the refusal).
  const Response& response() const { return response_; }

  // Writes one message; the error of the write (or timed_out).
  boost::system::error_code Write(std::string text, bool binary = false) {
    auto promise = std::make_shared<std::promise<boost::system::error_code>>();
    auto future = promise->get_future();
    boost::asio::post(ioc_, [this, promise, binary, text = std::move(text)]() mutable {
      auto owned = std::make_shared<std::string>(std::move(text));
      ws_.binary(binary);
      ws_.async_write(
          boost::asio::buffer(*owned),
          [promise, owned](boost::system::error_code ec, size_t) { promise->set_value(ec); });
    });
    if (future.wait_for(ms(5000)) != std::future_status::ready) {
      return boost::asio::error::timed_out;
    }
    return future.get();
  }

  // Sends a close frame (the reader thread sees the close complete).
  void Close(uint16_t code = 1000) {
    boost::asio::post(ioc_, [this, code] {
      ws_.async_close(boost::beast::websocket::close_reason(
                          static_cast<boost::beast::websocket::close_code>(code)),
                      [](boost::system::error_code) {});
    });
  }

  // The next message received, or nullopt when the connection ends or `timeout` passes first.
  std::optional<std::string> Next(ms timeout = ms(5000)) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return !messages_.empty() || ended_; });
    if (messages_.empty()) return std::nullopt;
    std::string m = std::move(messages_.front());
    messages_.pop_front();
    return m;
  }

  // Waits for the reader to see the end of the connection; the close code the server sent, or
  // 1006 when the connection ended without a close frame. nullopt on timeout.
  std::optional<uint16_t> WaitClosed(ms timeout = ms(5000)) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return ended_; })) return std::nullopt;
    return close_code_;
  }
  std::string close_reason() {
    std::lock_guard lock(mu_);
    return close_reason_;
  }
  size_t received() {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  void Read() {
    ws_.async_read(buffer_, [this](boost::system::error_code ec, size_t) {
      std::lock_guard lock(mu_);
      if (ec) {
        ended_ = true;
        // A close the server started ends the read with `closed`; one this client started
        // ends it otherwise, with the server's answer in reason() all the same.
        if (ws_.reason().code != boost::beast::websocket::close_code::none) {
          close_code_ = static_cast<uint16_t>(ws_.reason().code);
          close_reason_ = std::string(ws_.reason().reason.data(), ws_.reason().reason.size());
        }
        cv_.notify_all();
        return;
      }
      messages_.push_back(boost::beast::buffers_to_string(buffer_.data()));
      buffer_.consume(buffer_.size());
      ++received_;
      cv_.notify_all();
      Read();
    });
  }

  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
  Response response_;
  boost::system::error_code handshake_error_;
  bool open_ = false;
  boost::beast::flat_buffer buffer_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> messages_;  // guarded by mu_
  size_t received_ = 0;               // guarded by mu_
  bool ended_ = false;                // guarded by mu_
  uint16_t close_code_ = 1006;        // guarded by mu_
  std::string close_reason_;          // guarded by mu_
};

// The text of a minimal, valid WebSocket upgrade request, for raw-socket tests.
inline std::string UpgradeRequest(const std::string& target, const std::string& extra = "") {
  return "GET " + target +
         " HTTP/1.1\r\nHost: test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
         "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
         extra + "\r\n";
}

}  // namespace homeroom::testing
