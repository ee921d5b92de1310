#include "media/janus_http.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

namespace homeroom::media {

namespace bhttp = boost::beast::http;

Result<JanusEndpoint> JanusEndpoint::Parse(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "http" || !parsed->has_port()) {
    return Status::InvalidArgument("a Janus URL is http://<ip>:<port>/<path>, not " + url);
  }
  JanusEndpoint e;
  e.host = std::string(parsed->host());
  boost::system::error_code ec;
  boost::asio::ip::make_address(e.host, ec);
  if (ec || parsed->port_number() == 0) {
    return Status::InvalidArgument("a Janus URL names an IP address and a port: " + url);
  }
  e.port = parsed->port_number();
  e.path = std::string(parsed->path());
  if (e.path.empty()) e.path = "/";
  return e;
}

std::string JanusEndpoint::ToString() const {
  return "http://" + host + ":" + std::to_string(port) + path;
}

boost::asio::awaitable<Result<boost::json::value>> JanusExchange(
    std::shared_ptr<boost::beast::tcp_stream> stream, JanusEndpoint endpoint, std::string target,
    std::string body, std::chrono::milliseconds timeout, size_t max_response_bytes) {
  namespace asio = boost::asio;
  boost::system::error_code ec;
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  const std::string where = endpoint.ToString();
  auto fail = [&](const char* step) {
    return Status::Unavailable("Janus at " + where + ": " + step + ": " + ec.message(), 1);
  };

  asio::ip::tcp::endpoint peer(asio::ip::make_address(endpoint.host), endpoint.port);
  stream->expires_after(timeout);
  co_await stream->async_connect(peer, token);
  if (ec) co_return fail("connect");

  bhttp::request<bhttp::string_body> req(body.empty() ? bhttp::verb::get : bhttp::verb::post,
                                         target, 11);
  req.set(bhttp::field::host, endpoint.host + ":" + std::to_string(endpoint.port));
  if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
  req.body() = std::move(body);
  req.prepare_payload();
  co_await bhttp::async_write(*stream, req, token);
  if (ec) co_return fail("send");

  boost::beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(max_response_bytes);
  co_await bhttp::async_read(*stream, buffer, parser, token);
  if (ec == bhttp::error::body_limit) {
    co_return Status::InvalidArgument("Janus at " + where + " answered more than " +
                                      std::to_string(max_response_bytes) + " bytes");
  }
  if (ec) co_return fail("answer");
  boost::system::error_code ignored;
  stream->socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream->close();

  const auto& res = parser.get();
  if (res.result() != bhttp::status::ok) {
    co_return Status::Unavailable(
        "Janus at " + where + " answered HTTP " + std::to_string(res.result_int()), 1);
  }
  boost::json::value value = boost::json::parse(res.body(), ec);
  if (ec) co_return Status::Unavailable("Janus at " + where + " answered something not JSON", 1);
  co_return value;
}

}  // namespace homeroom::media
