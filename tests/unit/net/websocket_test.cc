// WebSocket sessions of net::Server over real sockets: handshake and hand-over, every limit of
// WebSocketOptions, shutdown, connection accounting and metrics.
#include "net/websocket.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/beast/http/field.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "net/error_response.h"
#include "net/server.h"
#include "unit/net/test_client.h"
#include "unit/net/ws_client.h"

namespace homeroom::net {
namespace {

namespace http = boost::beast::http;
using std::chrono::milliseconds;
using testing::RawClient;
using testing::UpgradeRequest;
using testing::WsClient;

// Waits (bounded) until `done` holds; the server's bookkeeping runs on its own threads.
template <typename Fn>
bool Eventually(Fn done, milliseconds limit = milliseconds(5000)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return done();
}

// Records every callback; echoes text messages when `echo`.
class RecordingHandler : public WebSocketHandler {
 public:
  explicit RecordingHandler(bool echo) : echo_(echo) {}

  void OnOpen(std::shared_ptr<WebSocketSender> sender) override {
    std::lock_guard lock(mu_);
    sender_ = std::move(sender);
    ++opens;
  }
  void OnText(std::string message) override {
    ++texts;
    std::shared_ptr<WebSocketSender> sender;
    {
      std::lock_guard lock(mu_);
      sender = sender_;
    }
    if (echo_ && sender) sender->Send(std::make_shared<const std::string>(std::move(message)));
  }
  void OnClose(uint16_t code, std::string_view reason) override {
    std::lock_guard lock(mu_);
    ++closes;
    close_code = code;
    close_reason = std::string(reason);
  }

  // The sender, once OnOpen has run (it may run just after the client saw the 101).
  std::shared_ptr<WebSocketSender> sender() {
    std::shared_ptr<WebSocketSender> s;
    Eventually([&] {
      std::lock_guard lock(mu_);
      s = sender_;
      return s != nullptr;
    });
    return s;
  }
  uint16_t code() {
    std::lock_guard lock(mu_);
    return close_code;
  }
  std::string reason() {
    std::lock_guard lock(mu_);
    return close_reason;
  }

  std::atomic<int> opens{0};
  std::atomic<int> texts{0};
  std::atomic<int> closes{0};

 private:
  const bool echo_;
  std::mutex mu_;
  std::shared_ptr<WebSocketSender> sender_;  // guarded by mu_
  uint16_t close_code = 0;                   // guarded by mu_
  std::string close_reason;                  // guarded by mu_
};

// Upgrades by target: /echo (echoes), /sink (records only), /reject (403), anything else the
// default (404). Plain requests get 200 "plain".
class TestHandler : public HttpHandler {
 public:
  HeadDecision OnHead(const RequestHeader&, const ConnectionInfo&) override {
    HeadDecision d;
    d.body_limit = 1024;
    return d;
  }
  boost::asio::awaitable<Response> Handle(Request&&, const ConnectionInfo&) override {
    Response res(http::status::ok, 11);
    res.body() = "plain";
    co_return res;
  }
  boost::asio::awaitable<UpgradeDecision> HandleUpgrade(Request&& req,
                                                        const ConnectionInfo& conn) override {
    UpgradeDecision d;
    if (req.target() == "/echo" || req.target() == "/sink") {
      auto h = std::make_shared<RecordingHandler>(req.target() == "/echo");
      std::lock_guard lock(mu_);
      handlers_.push_back(h);
      d.handler = std::move(h);
    } else if (req.target() == "/reject") {
      d.reject = MakeErrorResponse(http::status::forbidden, "permission_denied", "no");
    } else {
      co_return co_await HttpHandler::HandleUpgrade(std::move(req), conn);
    }
    co_return d;
  }

  // The i-th handler created, once it exists.
  std::shared_ptr<RecordingHandler> Handler(size_t i) {
    std::shared_ptr<RecordingHandler> h;
    Eventually([&] {
      std::lock_guard lock(mu_);
      if (handlers_.size() > i) h = handlers_[i];
      return h != nullptr;
    });
    return h;
  }
  std::vector<std::shared_ptr<RecordingHandler>> All() {
    std::lock_guard lock(mu_);
    return handlers_;
  }

 private:
  std::mutex mu_;
  std::vector<std::shared_ptr<RecordingHandler>> handlers_;  // guarded by mu_
};

ServerOptions SmallOptions() {
  ServerOptions o;
  o.io_threads = 2;
  o.head_timeout = milliseconds(2000);
  o.linger_timeout = milliseconds(200);
  o.websocket.max_message_bytes = 1024;
  o.websocket.messages_per_second = 1000;
  o.websocket.message_burst = 1000;
  o.websocket.max_queued_bytes = 64 * 1024;
  o.websocket.handshake_timeout = milliseconds(500);
  o.websocket.idle_timeout = milliseconds(10'000);
  o.websocket.write_timeout = milliseconds(5'000);
  return o;
}

// A started server on 127.0.0.1:0. On destruction it shuts down and checks the one promise every
// handler is owed: OnClose exactly once.
struct Fixture {
  explicit Fixture(ServerOptions options = SmallOptions())
      : server(options, handler, registry, "api") {
    Status s = server.Listen("127.0.0.1:0");
    EXPECT_TRUE(s.ok()) << s.ToString();
    server.Start();
  }
  ~Fixture() {
    server.Shutdown(milliseconds(1000));
    server.Wait();
    for (const auto& h : handler.All()) EXPECT_EQ(h->closes.load(), 1);
    EXPECT_EQ(Gauge("homeroom_net_ws_open"), 0);
    EXPECT_EQ(Gauge("homeroom_net_ws_queued_bytes"), 0);
  }
  uint64_t Counter(const std::string& name, metrics::Labels labels = {}) {
    labels.insert(labels.begin(), {"server", "api"});
    return registry.CounterValue(name, labels);
  }
  uint64_t Closes(const std::string& reason) {
    return Counter("homeroom_net_ws_closes_total", {{"reason", reason}});
  }
  int64_t Gauge(const std::string& name) { return registry.GaugeValue(name, {{"server", "api"}}); }

  metrics::Registry registry;
  TestHandler handler;
  Server server;
};

TEST(WebSocket, UpgradeHandsTheConnectionToTheHandlerAndEchoes) {
  Fixture f;
  {
    WsClient c(f.server.port(), "/echo");
    ASSERT_TRUE(c.open()) << c.handshake_error().message();
    EXPECT_EQ(c.response().result(), http::status::switching_protocols);
    ASSERT_FALSE(c.Write("hello"));
    EXPECT_EQ(c.Next(), "hello");
    ASSERT_FALSE(c.Write("again"));
    EXPECT_EQ(c.Next(), "again");
    auto h = f.handler.Handler(0);
    EXPECT_EQ(h->opens.load(), 1);
    EXPECT_EQ(h->texts.load(), 2);
    EXPECT_EQ(f.Gauge("homeroom_net_ws_open"), 1);
    EXPECT_EQ(f.Gauge("homeroom_net_open_connections"), 1);
    c.Close(1000);
    EXPECT_EQ(c.WaitClosed(), 1000);
    EXPECT_TRUE(Eventually([&] { return h->closes.load() == 1; }));
    EXPECT_EQ(h->code(), 1000);
  }
  EXPECT_TRUE(Eventually([&] { return f.Gauge("homeroom_net_open_connections") == 0; }));
  EXPECT_EQ(f.Counter("homeroom_net_ws_upgrades_total"), 1u);
  EXPECT_EQ(f.Counter("homeroom_net_ws_messages_in_total"), 2u);
  EXPECT_EQ(f.Counter("homeroom_net_ws_messages_out_total"), 2u);
  EXPECT_EQ(f.Closes("normal"), 1u);
  EXPECT_EQ(f.Gauge("homeroom_net_ws_open"), 0);
}

TEST(WebSocket, RejectedUpgradeIsAnsweredOverHttpAndTheConnectionStaysUsable) {
  Fixture f;
  RawClient c(f.server.port());
  ASSERT_TRUE(c.Send(UpgradeRequest("/reject")));
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::forbidden);
  ASSERT_TRUE(c.Send(RawClient::Get("/after")));
  auto plain = c.Read();
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->body(), "plain");

  WsClient ws(f.server.port(), "/reject");
  EXPECT_FALSE(ws.open());
  EXPECT_EQ(ws.response().result(), http::status::forbidden);
  EXPECT_EQ(f.Counter("homeroom_net_ws_upgrades_total"), 0u);
}

TEST(WebSocket, DefaultHandlerRefusesUpgradesWith404) {
  Fixture f;
  WsClient ws(f.server.port(), "/elsewhere");
  EXPECT_FALSE(ws.open());
  EXPECT_EQ(ws.response().result(), http::status::not_found);
}

TEST(WebSocket, OversizeMessageClosesWith1009) {
  Fixture f;
  WsClient c(f.server.port(), "/echo");
  ASSERT_TRUE(c.open());
  ASSERT_FALSE(c.Write(std::string(1024, 'a')));  // at the limit: delivered
  EXPECT_EQ(c.Next()->size(), 1024u);
  c.Write(std::string(1025, 'a'));
  EXPECT_EQ(c.WaitClosed(), 1009);
  auto h = f.handler.Handler(0);
  EXPECT_TRUE(Eventually([&] { return h->closes.load() == 1; }));
  EXPECT_EQ(h->code(), 1009);
  EXPECT_EQ(h->texts.load(), 1);
  EXPECT_EQ(f.Closes("too_big"), 1u);
}

TEST(WebSocket, MessageFloodClosesWith1008RateLimit) {
  ServerOptions o = SmallOptions();
  o.websocket.messages_per_second = 2;
  o.websocket.message_burst = 5;
  Fixture f(o);
  WsClient c(f.server.port(), "/sink");
  ASSERT_TRUE(c.open());
  for (int i = 0; i < 30; ++i) {
    if (c.Write("m" + std::to_string(i))) break;
  }
  EXPECT_EQ(c.WaitClosed(), 1008);
  EXPECT_EQ(c.close_reason(), "rate limit");
  auto h = f.handler.Handler(0);
  EXPECT_TRUE(Eventually([&] { return h->closes.load() == 1; }));
  EXPECT_GE(h->texts.load(), 5);
  EXPECT_LT(h->texts.load(), 10);
  EXPECT_EQ(h->code(), 1008);
  EXPECT_EQ(f.Closes("rate"), 1u);
}

TEST(WebSocket, BinaryMessageClosesWith1003) {
  Fixture f;
  WsClient c(f.server.port(), "/sink");
  ASSERT_TRUE(c.open());
  c.Write("bytes", /*binary=*/true);
  EXPECT_EQ(c.WaitClosed(), 1003);
  auto h = f.handler.Handler(0);
  EXPECT_TRUE(Eventually([&] { return h->closes.load() == 1; }));
  EXPECT_EQ(h->texts.load(), 0);
  EXPECT_EQ(f.Closes("protocol"), 1u);
}

TEST(WebSocket, NonReadingClientIsDroppedWhileAnotherKeepsReceivingEveryFrame) {
  ServerOptions o = SmallOptions();
  o.websocket.max_queued_bytes = 64 * 1024;
  Fixture f(o);
  WsClient reader(f.server.port(), "/sink");
  ASSERT_TRUE(reader.open());
  WsClient::Options stalled;
  stalled.read = false;
  stalled.rcvbuf = 4096;
  WsClient slow(f.server.port(), "/sink", stalled);
  ASSERT_TRUE(slow.open());
  auto to_reader = f.handler.Handler(0)->sender();
  auto slow_handler = f.handler.Handler(1);
  auto to_slow = slow_handler->sender();
  ASSERT_TRUE(to_reader && to_slow);

  // Each frame is encoded once and queued to both; the reader is waited for, the other is not.
  constexpr size_t kFrame = 16 * 1024;
  size_t sent = 0;
  int refused_at = -1;
  for (int i = 0; i < 2000 && sent < 40; ++i) {
    auto frame = std::make_shared<const std::string>(kFrame, static_cast<char>('a' + i % 26));
    SendResult to_slow_result = to_slow->Send(frame);
    if (to_slow_result != SendResult::kQueued && refused_at < 0) {
      // The first refusal is the full queue; the socket is closing from then on.
      EXPECT_EQ(to_slow_result, SendResult::kQueueFull);
      refused_at = i;
    }
    ASSERT_EQ(to_reader->Send(frame), SendResult::kQueued);
    ASSERT_TRUE(Eventually([&] { return reader.received() == static_cast<size_t>(i + 1); }))
        << "reader stalled at frame " << i;
    if (refused_at >= 0) ++sent;  // keep going a while after the slow one is gone
  }
  ASSERT_GE(refused_at, 0) << "the non-reading client was never dropped";
  EXPECT_EQ(to_slow->Send(std::make_shared<const std::string>("late")), SendResult::kClosed);
  EXPECT_TRUE(Eventually([&] { return slow_handler->closes.load() == 1; }));
  EXPECT_EQ(slow_handler->code(), 1008);
  EXPECT_EQ(slow_handler->reason(), "slow consumer");
  EXPECT_EQ(f.Closes("slow_consumer"), 1u);
  for (int i = 0; i < refused_at + 40; ++i) {
    auto m = reader.Next(milliseconds(1000));
    ASSERT_TRUE(m) << "frame " << i;
    ASSERT_EQ(m->size(), kFrame);
    ASSERT_EQ((*m)[0], static_cast<char>('a' + i % 26)) << "frame " << i;
  }
  EXPECT_EQ(f.handler.Handler(0)->closes.load(), 0);
  EXPECT_TRUE(Eventually([&] { return f.Gauge("homeroom_net_ws_queued_bytes") == 0; }));
}

TEST(WebSocket, WriteDeadlineDropsAPeerThatStopsReading) {
  ServerOptions o = SmallOptions();
  o.websocket.max_queued_bytes = 64 << 20;  // the byte limit cannot catch it here
  o.websocket.write_timeout = milliseconds(300);
  Fixture f(o);
  WsClient::Options stalled;
  stalled.read = false;
  stalled.rcvbuf = 4096;
  WsClient slow(f.server.port(), "/sink", stalled);
  ASSERT_TRUE(slow.open());
  auto h = f.handler.Handler(0);
  auto to_slow = h->sender();
  auto frame = std::make_shared<const std::string>(256 * 1024, 'x');
  for (int i = 0; i < 64 && to_slow->Send(frame) == SendResult::kQueued; ++i) {
  }
  EXPECT_TRUE(Eventually([&] { return h->closes.load() == 1; }));
  EXPECT_EQ(h->code(), 1006);
  EXPECT_EQ(f.Closes("timeout"), 1u);
}

TEST(WebSocket, PeerThatNeverAnswersPingsIsClosedAfterTheIdleTimeout) {
  ServerOptions o = SmallOptions();
  o.websocket.idle_timeout = milliseconds(300);
  Fixture f(o);
  RawClient raw(f.server.port());
  ASSERT_TRUE(raw.Send(UpgradeRequest("/sink")));
  auto res = raw.Read();
  ASSERT_TRUE(res);
  ASSERT_EQ(res->result(), http::status::switching_protocols);
  // The ping arrives after half the idle timeout and is never answered.
  EXPECT_TRUE(raw.WaitClosed(milliseconds(3000)));
  auto h = f.handler.Handler(0);
  EXPECT_TRUE(Eventually([&] { return h->closes.load() == 1; }));
  EXPECT_EQ(h->code(), 1006);
  EXPECT_EQ(f.Closes("timeout"), 1u);
}

TEST(WebSocket, PeerThatAnswersPingsOutlivesTheIdleTimeout) {
  ServerOptions o = SmallOptions();
  o.websocket.idle_timeout = milliseconds(200);
  Fixture f(o);
  WsClient c(f.server.port(), "/echo");
  ASSERT_TRUE(c.open());
  std::this_thread::sleep_for(milliseconds(700));  // the client's reader answers every ping
  ASSERT_FALSE(c.Write("still here"));
  EXPECT_EQ(c.Next(), "still here");
  EXPECT_EQ(f.Closes("timeout"), 0u);
}

TEST(WebSocket, PeerThatIgnoresTheCloseFrameIsDroppedAfterTheHandshakeTimeout) {
  Fixture f;  // handshake_timeout 500 ms
  RawClient raw(f.server.port());
  ASSERT_TRUE(raw.Send(UpgradeRequest("/sink")));
  ASSERT_TRUE(raw.Read());
  auto h = f.handler.Handler(0);
  ASSERT_TRUE(Eventually([&] { return h->opens.load() == 1; }));
  h->sender()->Close(1000, "bye");
  // Closing is not a full queue: the caller must not count it as a slow consumer.
  EXPECT_EQ(h->sender()->Send(std::make_shared<const std::string>("late")), SendResult::kClosed);
  EXPECT_TRUE(raw.WaitClosed(milliseconds(3000)));
  EXPECT_TRUE(Eventually([&] { return h->closes.load() == 1; }));
  EXPECT_EQ(h->code(), 1000);
}

TEST(WebSocket, ShutdownClosesSocketsWith1001GoingAway) {
  Fixture f;
  WsClient a(f.server.port(), "/echo");
  WsClient b(f.server.port(), "/echo");
  ASSERT_TRUE(a.open() && b.open());
  f.server.Shutdown(milliseconds(2000));
  EXPECT_EQ(a.WaitClosed(), 1001);
  EXPECT_EQ(b.WaitClosed(), 1001);
  EXPECT_EQ(a.close_reason(), "going away");
  f.server.Wait();
  EXPECT_EQ(f.handler.Handler(0)->code(), 1001);
  EXPECT_EQ(f.handler.Handler(1)->code(), 1001);
  EXPECT_EQ(f.Closes("normal"), 2u);
  EXPECT_EQ(f.Gauge("homeroom_net_open_connections"), 0);
}

TEST(WebSocket, ShutdownDeadlineDropsAPeerThatNeverAnswersTheClose) {
  Fixture f;
  RawClient raw(f.server.port());
  ASSERT_TRUE(raw.Send(UpgradeRequest("/sink")));
  ASSERT_TRUE(raw.Read());
  auto h = f.handler.Handler(0);
  ASSERT_TRUE(Eventually([&] { return h->opens.load() == 1; }));
  const auto start = std::chrono::steady_clock::now();
  f.server.Shutdown(milliseconds(200));
  f.server.Wait();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  EXPECT_EQ(h->closes.load(), 1);
  EXPECT_EQ(h->code(), 1001);
}

TEST(WebSocket, PerIpCapCountsWebSocketConnections) {
  ServerOptions o = SmallOptions();
  o.max_connections_per_ip = 2;
  Fixture f(o);
  WsClient::Options from;
  from.source_ip = "127.0.0.7";
  auto a = std::make_unique<WsClient>(f.server.port(), "/echo", from);
  WsClient b(f.server.port(), "/echo", from);
  ASSERT_TRUE(a->open() && b.open());
  EXPECT_EQ(f.Gauge("homeroom_net_open_connections"), 2);
  RawClient third(f.server.port(), "127.0.0.7");
  auto refused = third.Read();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result(), http::status::service_unavailable);
  EXPECT_EQ(f.Counter("homeroom_net_connections_refused_total", {{"reason", "per_ip_cap"}}), 1u);

  a->Close();
  EXPECT_EQ(a->WaitClosed(), 1000);
  a.reset();
  ASSERT_TRUE(Eventually([&] { return f.Gauge("homeroom_net_open_connections") == 1; }));
  WsClient c(f.server.port(), "/echo", from);
  EXPECT_TRUE(c.open());
}

TEST(WebSocket, AWebSocketIsNeverEvictedAtTheGlobalCap) {
  ServerOptions o = SmallOptions();
  o.max_connections = 1;
  Fixture f(o);
  WsClient ws(f.server.port(), "/echo");  // never signed in: still not evictable
  ASSERT_TRUE(ws.open());
  RawClient refused(f.server.port(), "127.0.0.8");
  auto res = refused.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::service_unavailable);
  EXPECT_EQ(f.Counter("homeroom_net_connections_refused_total", {{"reason", "global_cap"}}), 1u);
  EXPECT_EQ(f.Counter("homeroom_net_connections_evicted_total"), 0u);
  ASSERT_FALSE(ws.Write("still here"));
  EXPECT_EQ(ws.Next(), "still here");
}

TEST(WebSocket, SenderOutlivingTheConnectionIsHarmless) {
  std::shared_ptr<WebSocketSender> sender;
  {
    Fixture f;
    WsClient c(f.server.port(), "/sink");
    ASSERT_TRUE(c.open());
    sender = f.handler.Handler(0)->sender();
    ASSERT_EQ(sender->Send(std::make_shared<const std::string>("one")), SendResult::kQueued);
    EXPECT_EQ(c.Next(), "one");
    c.Close();
    c.WaitClosed();
    auto h = f.handler.Handler(0);
    EXPECT_TRUE(Eventually([&] { return h->closes.load() == 1; }));
    EXPECT_EQ(sender->Send(std::make_shared<const std::string>("two")), SendResult::kClosed);
  }
  EXPECT_EQ(sender->Send(std::make_shared<const std::string>("three")), SendResult::kClosed);
  sender->Close(1000, "none");
}

TEST(WebSocket, SendIsSafeFromManyThreadsAtOnce) {
  ServerOptions o = SmallOptions();
  o.websocket.max_queued_bytes = 8 << 20;
  Fixture f(o);
  WsClient c(f.server.port(), "/sink");
  ASSERT_TRUE(c.open());
  auto sender = f.handler.Handler(0)->sender();
  auto frame = std::make_shared<const std::string>("x");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) sender->Send(frame);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_TRUE(Eventually([&] { return c.received() == 2000u; }));
  EXPECT_EQ(f.Counter("homeroom_net_ws_messages_out_total"), 2000u);
}

}  // namespace
}  // namespace homeroom::net
