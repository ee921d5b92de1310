#include "storm/http_client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace homeroom::storm {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
}

ConnectionBudget::Slot ConnectionBudget::TryAcquire() {
  size_t now = open_.load(std::memory_order_relaxed);
  do {
    if (now >= max_) {
      capped_.fetch_add(1, std::memory_order_relaxed);
      return Slot();
    }
  } while (!open_.compare_exchange_weak(now, now + 1, std::memory_order_relaxed));
  size_t peak = peak_.load(std::memory_order_relaxed);
  while (now + 1 > peak && !peak_.compare_exchange_weak(peak, now + 1)) {
  }
  return Slot(this);
}

void Record(TrafficStats& stats, const Exchange& e) {
  if (e.retried) stats.Count("retried_closed_keep_alive");
  if (e.answered()) {
    stats.RecordStatus(e.status, e.latency);
  } else {
    stats.RecordError(e.error, e.latency);
  }
}

asio::awaitable<boost::system::error_code> ConnectFrom(beast::tcp_stream& stream,
                                                       const Target& target,
                                                       const asio::ip::address& source,
                                                       TimePoint deadline, int receive_buffer) {
  boost::system::error_code ec;
  auto& socket = stream.socket();
  socket.open(target.endpoint.protocol(), ec);
  if (ec) co_return ec;
  if (receive_buffer > 0) {
    socket.set_option(asio::socket_base::receive_buffer_size(receive_buffer), ec);
  }
  if (!target.ipv6()) {
    socket.bind(asio::ip::tcp::endpoint(source, 0), ec);
    if (ec) co_return ec;
  }
  if (deadline <= SteadyClock::now()) co_return beast::error::timeout;
  stream.expires_at(deadline);
  auto [connect_error] = co_await stream.async_connect(target.endpoint, kTuple);
  co_return connect_error;
}

HttpConnection::HttpConnection(asio::any_io_executor executor, const Target& target,
                               asio::ip::address source, ConnectionBudget& budget)
    : executor_(std::move(executor)), target_(target), source_(source), budget_(budget) {}

void HttpConnection::Close() {
  if (stream_) {
    boost::system::error_code ignored;
    stream_->socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_->socket().close(ignored);
    stream_.reset();
  }
  slot_.Release();
  buffer_.clear();
  connected_ = false;
}

asio::awaitable<Exchange> HttpConnection::Send(Request req, TimePoint deadline) {
  req.set(http::field::host, target_.host_header);
  req.keep_alive(true);
  req.prepare_payload();
  const TimePoint start = SteadyClock::now();
  bool stale = false;
  Exchange out = co_await SendOnce(req, deadline, stale);
  const bool idempotent = req.method() == http::verb::get || req.method() == http::verb::head;
  if (stale && idempotent) {
    bool stale_again = false;  // a new connection: never stale
    out = co_await SendOnce(req, deadline, stale_again);
    out.retried = true;
  }
  out.latency = Since(start);
  co_return out;
}

asio::awaitable<Exchange> HttpConnection::SendOnce(const Request& req, TimePoint deadline,
                                                   bool& stale) {
  Exchange out;
  const TimePoint start = SteadyClock::now();
  const bool reused = connected_;
  stale = false;
  if (!connected_) {
    slot_ = budget_.TryAcquire();
    if (!slot_) {
      out.error = NetError::kCapped;
      co_return out;
    }
    stream_ = std::make_unique<beast::tcp_stream>(executor_);
    boost::system::error_code ec = co_await ConnectFrom(*stream_, target_, source_, deadline);
    if (ec) {
      out.ec = ec;
      out.error = ClassifyError(ec);
      out.latency = Since(start);
      Close();
      co_return out;
    }
    connected_ = true;
  }
  stream_->expires_at(deadline);
  auto [write_error, written] = co_await http::async_write(*stream_, req, kTuple);
  (void)written;
  if (write_error) {
    out.ec = write_error;
    out.error = ClassifyError(write_error);
    out.latency = Since(start);
    stale = reused && (out.error == NetError::kClosed || out.error == NetError::kReset);
    Close();
    co_return out;
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  parser.header_limit(64 * 1024);
  auto [read_error, read] = co_await http::async_read(*stream_, buffer_, parser, kTuple);
  out.latency = Since(start);
  if (read_error) {
    out.ec = read_error;
    out.error = ClassifyError(read_error);
    stale = reused && read == 0 && buffer_.size() == 0 &&
            (out.error == NetError::kClosed || out.error == NetError::kReset);
    Close();
    co_return out;
  }
  auto res = parser.release();
  out.status = static_cast<int>(res.result_int());
  out.keep_alive = res.keep_alive();
  out.body = std::move(res.body());
  if (!out.keep_alive) Close();
  co_return out;
}

Request MakeRequest(http::verb method, const std::string& target, const std::string& token,
                    const std::string& json_body) {
  Request req(method, target, 11);
  req.set(http::field::user_agent, "homeroom-storm (legitimate)");
  req.set(http::field::accept, "application/json");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!json_body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = json_body;
  }
  return req;
}

}  // namespace homeroom::storm
