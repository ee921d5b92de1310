// bench_live_reference: the floor beside the live-class figures. A bare Boost.Beast WebSocket
// broadcast server speaking just enough of the live protocol for bench_live_load: a socket to
// /anything?session=ID joins room ID and gets {"type":"welcome","state":"in_room",...}; a
// `chat.send` or `presence.update` is parsed (Boost.JSON), turned into a `chat.message` or
// `presence.updated` event of about the same size as Homeroom's, encoded once and the same buffer
// queued to every socket of the room (one write in flight per socket, a bounded queue in bytes,
// like Homeroom's transport), then acked to the sender.
//
// What it leaves out, and Homeroom does not: authentication (no token, no store read), the join
// decision, room state (participants, history for resume, rate limits, roles, audiences),
// attendance, metrics. Same threads as `homeroom serve` on this machine (--threads 2, one strand
// per socket), same socket options (30 s idle timeout with pings, read buffer released after
// each message).
//
// Usage: bench_live_reference --listen 127.0.0.1:28382 [--threads 2]
// Runs until SIGTERM/SIGINT.
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using boost::system::error_code;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// The same limits as Homeroom's defaults (net::WebSocketOptions).
constexpr size_t kMaxMessageBytes = 16 * 1024;
constexpr size_t kMaxQueuedBytes = 256 * 1024;
constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);

class Session;

struct Room {
  std::mutex mu;
  std::vector<std::weak_ptr<Session>> members;  // guarded by mu
  int64_t seq = 0;                              // guarded by mu
};

std::mutex g_rooms_mu;
std::unordered_map<int64_t, std::shared_ptr<Room>> g_rooms;  // guarded by g_rooms_mu

std::shared_ptr<Room> RoomFor(int64_t id) {
  std::lock_guard lock(g_rooms_mu);
  auto& r = g_rooms[id];
  if (!r) r = std::make_shared<Room>();
  return r;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : ws_(std::move(socket)) {}

  // Queues a frame from any thread; the write happens on the socket's strand.
  void Send(std::shared_ptr<const std::string> frame) {
    asio::post(ws_.get_executor(), [self = shared_from_this(), frame = std::move(frame)]() mutable {
      if (self->closed_) return;
      if (self->queued_ + frame->size() > kMaxQueuedBytes) {
        self->closed_ = true;  // a slow consumer is dropped
        beast::get_lowest_layer(self->ws_).close();
        return;
      }
      self->queued_ += frame->size();
      self->queue_.push_back(std::move(frame));
      if (!self->writing_) self->WriteNext();
    });
  }

  asio::awaitable<void> Run() {
    // The handshake's request and buffer are gone once it is done (an idle socket keeps none).
    const int64_t room_id = co_await Handshake();
    if (room_id < 0) co_return;
    room_ = RoomFor(room_id);
    int64_t seq;
    {
      std::lock_guard lock(room_->mu);
      room_->members.push_back(weak_from_this());
      seq = room_->seq;
    }
    Send(
        std::make_shared<const std::string>(json::serialize(json::object{{"type", "welcome"},
                                                                         {"protocol", 1},
                                                                         {"epoch", "reference"},
                                                                         {"seq", seq},
                                                                         {"state", "in_room"},
                                                                         {"resume", "snapshot"}})));
    beast::flat_buffer in;
    for (;;) {
      auto [ec, n] = co_await ws_.async_read(in, kTuple);
      if (ec) break;
      std::string message = beast::buffers_to_string(in.data());
      in.consume(in.size());
      in.shrink_to_fit();
      OnText(message);
    }
    closed_ = true;
    std::lock_guard lock(room_->mu);
    auto& m = room_->members;
    m.erase(std::remove_if(m.begin(), m.end(),
                           [this](const std::weak_ptr<Session>& w) {
                             auto s = w.lock();
                             return !s || s.get() == this;
                           }),
            m.end());
  }

 private:
  // Reads the upgrade request and accepts it; returns the room id, or -1 when the handshake failed.
  asio::awaitable<int64_t> Handshake() {
    beast::flat_buffer buffer;
    http::request<http::empty_body> req;
    beast::get_lowest_layer(ws_).expires_after(kHandshakeTimeout);
    auto [rec, rn] = co_await http::async_read(ws_.next_layer(), buffer, req, kTuple);
    if (rec || !websocket::is_upgrade(req)) co_return -1;
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout t;
    t.handshake_timeout = kHandshakeTimeout;
    t.idle_timeout = kIdleTimeout;
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.read_message_max(kMaxMessageBytes);
    ws_.auto_fragment(false);
    auto [aec] = co_await ws_.async_accept(req, kTuple);
    if (aec) co_return -1;
    std::string_view target = req.target();
    size_t at = target.find("session=");
    co_return at == std::string_view::npos ? 0 : std::atoll(target.data() + at + 8);
  }

  void OnText(const std::string& message) {
    error_code ec;
    json::value v = json::parse(message, ec);
    if (ec || !v.is_object()) return;
    const json::object& cmd = v.as_object();
    const json::value* id = cmd.if_contains("id");
    const json::value* type = cmd.if_contains("type");
    if (!id || !type || !type->is_string()) return;
    json::object event;
    std::vector<std::shared_ptr<Session>> to;
    std::shared_ptr<const std::string> frame;
    int64_t seq;
    {
      std::lock_guard lock(room_->mu);
      seq = ++room_->seq;
      if (type->as_string() == "chat.send") {
        const json::value* text = cmd.if_contains("text");
        event = {
            {"type", "chat.message"},
            {"seq", seq},
            {"epoch", "reference"},
            {"message_id", seq},
            {"from", json::object{{"user_id", 0}, {"name", "Reference User"}, {"role", "student"}}},
            {"text", text ? *text : json::value("")},
            {"private", false},
            {"at_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count()}};
      } else {
        event = {{"type", "presence.updated"}, {"seq", seq},
                 {"epoch", "reference"},       {"user_id", 0},
                 {"quality", "good"},          {"rtt_ms", 20}};
      }
      frame = std::make_shared<const std::string>(json::serialize(event));
      for (auto& w : room_->members)
        if (auto s = w.lock()) to.push_back(std::move(s));
    }
    for (auto& s : to) s->Send(frame);
    Send(std::make_shared<const std::string>(
        json::serialize(json::object{{"type", "ack"}, {"id", *id}, {"seq", seq}})));
  }

  void WriteNext() {
    writing_ = true;
    auto frame = queue_.front();
    ws_.async_write(asio::buffer(*frame),
                    [self = shared_from_this(), frame](error_code ec, size_t) {
                      self->queued_ -= frame->size();
                      self->queue_.pop_front();
                      if (ec || self->closed_) {
                        self->writing_ = false;
                        return;
                      }
                      if (self->queue_.empty()) {
                        self->writing_ = false;
                      } else {
                        self->WriteNext();
                      }
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<Room> room_;
  // On the strand:
  std::deque<std::shared_ptr<const std::string>> queue_;
  size_t queued_ = 0;
  bool writing_ = false;
  bool closed_ = false;
};

asio::awaitable<void> RunSession(std::shared_ptr<Session> session) { co_await session->Run(); }

asio::awaitable<void> Accept(tcp::acceptor& acceptor, asio::io_context& io) {
  asio::steady_timer backoff(io);
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), kTuple);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) {  // out of descriptors: pause instead of spinning
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(kTuple);
      continue;
    }
    auto ex = socket.get_executor();  // the socket's own strand
    auto session = std::make_shared<Session>(std::move(socket));
    asio::co_spawn(ex, RunSession(std::move(session)), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:28382";
  int threads = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string f = argv[i];
    if (f == "--listen") listen = argv[i + 1];
    if (f == "--threads") threads = std::atoi(argv[i + 1]);
  }
  size_t colon = listen.rfind(':');
  asio::io_context io(threads);
  tcp::endpoint ep(asio::ip::make_address(listen.substr(0, colon)),
                   static_cast<uint16_t>(std::atoi(listen.c_str() + colon + 1)));
  tcp::acceptor acceptor(io);
  acceptor.open(ep.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(ep);
  acceptor.listen(4096);
  asio::co_spawn(io, Accept(acceptor, io), asio::detached);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](error_code, int) { io.stop(); });
  std::printf("bench_live_reference listening on %s\n", listen.c_str());
  std::fflush(stdout);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  return 0;
}
