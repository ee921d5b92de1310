#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace homeroom::testing {

// A small blocking HTTP/1.1 client for integration tests: one connection per request, from a
// chosen 127.x.y.z source address, with a timeout on every request. Not thread-safe.
class HttpClient {
 public:
  using Response = boost::beast::http::response<boost::beast::http::string_body>;
  using Headers = std::vector<std::pair<std::string, std::string>>;

  explicit HttpClient(uint16_t port, std::string source_ip = "127.0.0.1")
      : port_(port), source_ip_(std::move(source_ip)) {}

  // Sends one request; a response with status 0 and the error in the body when the exchange fails
  // or takes longer than kTimeout. The exchange runs as asynchronous operations on a private
  // io_context because Beast's stream deadline (expires_after) bounds asynchronous operations only:
  // a blocking read from a server that never answers would wait forever.
  Response Send(boost::beast::http::verb method, const std::string& target,
                const std::string& body = "", const Headers& headers = {}) {
    namespace http = boost::beast::http;
    namespace ip = boost::asio::ip;
    boost::asio::io_context ioc;
    boost::beast::tcp_stream stream(ioc);
    boost::system::error_code ec;
    stream.socket().open(ip::tcp::v4(), ec);
    stream.socket().bind(ip::tcp::endpoint(ip::make_address(source_ip_), 0), ec);
    if (ec) return Failed("bind " + source_ip_ + ": " + ec.message());
    http::request<http::string_body> req(method, target, 11);
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    Response res;
    boost::beast::flat_buffer buffer;
    std::string failure;
    // One deadline for the whole exchange: set once, never renewed.
    stream.expires_after(kTimeout);
    stream.async_connect(
        ip::tcp::endpoint(ip::make_address("127.0.0.1"), port_), [&](boost::system::error_code e) {
          if (e) {
            failure = "connect: " + e.message();
            return;
          }
          http::async_write(stream, req, [&](boost::system::error_code e, size_t) {
            if (e) {
              failure = "write: " + e.message();
              return;
            }
            http::async_read(stream, buffer, res, [&](boost::system::error_code e, size_t) {
              if (e) failure = "read: " + e.message();
            });
          });
        });
    ioc.run();
    if (!failure.empty()) return Failed(std::move(failure));
    return res;
  }

  Response Get(const std::string& target, const Headers& headers = {}) {
    return Send(boost::beast::http::verb::get, target, "", headers);
  }
  Response Post(const std::string& target, const std::string& body, const Headers& headers = {}) {
    return Send(boost::beast::http::verb::post, target, body, headers);
  }

  // The JSON body of a response (null when it is not JSON).
  static boost::json::value Json(const Response& res) {
    boost::system::error_code ec;
    auto v = boost::json::parse(res.body(), ec);
    return ec ? boost::json::value() : v;
  }

 private:
  static Response Failed(std::string why) {
    Response res;
    res.result(0);
    res.body() = std::move(why);
    return res;
  }

  // A request the server has not answered by then failed (the test reports it instead of hanging
  // until CTest's timeout kills the whole binary).
  static constexpr std::chrono::seconds kTimeout{30};

  uint16_t port_;
  std::string source_ip_;
};

// "Authorization: Bearer <token>"
inline HttpClient::Headers Bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

}  // namespace homeroom::testing
