#include "net/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/metrics.h"
#include "net/error_response.h"
#include "unit/net/test_client.h"

namespace homeroom::net {
namespace {

namespace http = boost::beast::http;
using std::chrono::milliseconds;
using testing::RawClient;

// A handler that answers by target:
//   /slow    waits `slow_delay` (on a timer, not blocking) then 200
//   /throw   throws from Handle
//   /big     a 16 MiB body
//   /large   a 2 MiB body
//   /reject  answered from OnHead with 403
//   /signin  marks the connection as carrying a signed-in user, then 200
//   else     200 "ok:<body bytes>"
class TestHandler : public HttpHandler {
 public:
  size_t body_limit = 1024;
  milliseconds slow_delay{300};
  std::atomic<int> in_slow{0};
  std::atomic<int> handled{0};

  HeadDecision OnHead(const RequestHeader& head, const ConnectionInfo&) override {
    HeadDecision d;
    d.body_limit = body_limit;
    if (head.target() == "/reject") {
      d.reject = MakeErrorResponse(http::status::forbidden, "permission_denied", "no");
    }
    return d;
  }

  boost::asio::awaitable<Response> Handle(Request&& req, const ConnectionInfo& conn) override {
    ++handled;
    Response res(http::status::ok, 11);
    if (req.target() == "/slow") {
      ++in_slow;
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, slow_delay);
      co_await timer.async_wait(boost::asio::use_awaitable);
      res.body() = "slow done";
    } else if (req.target() == "/throw") {
      throw std::runtime_error("handler bug");
    } else if (req.target() == "/big") {
      res.body() = std::string(16 << 20, 'x');
    } else if (req.target() == "/large") {
      res.body() = std::string(2 << 20, 'y');
    } else if (req.target() == "/ip") {
      res.body() = conn.RemoteIp();
    } else if (req.target() == "/signin") {
      conn.MarkAuthenticated();
      res.body() = "signed in";
    } else {
      res.body() = "ok:" + std::to_string(req.body().size());
    }
    co_return res;
  }
};

ServerOptions FastOptions() {
  ServerOptions o;
  o.io_threads = 2;
  o.head_timeout = milliseconds(300);
  o.idle_timeout = milliseconds(300);
  o.body_timeout = milliseconds(300);
  o.write_timeout = milliseconds(300);
  o.linger_timeout = milliseconds(200);
  return o;
}

// A started server on 127.0.0.1:0 with its own registry and handler.
struct Fixture {
  explicit Fixture(ServerOptions options = FastOptions(), guard::ConnectionGate* gate = nullptr)
      : server(options, handler, registry, "api") {
    server.SetGate(gate);
    Status s = server.Listen("127.0.0.1:0");
    EXPECT_TRUE(s.ok()) << s.ToString();
    server.Start();
  }
  ~Fixture() {
    server.Shutdown(milliseconds(1000));
    server.Wait();
  }
  uint64_t Counter(const std::string& name, metrics::Labels labels) {
    labels.insert(labels.begin(), {"server", "api"});
    return registry.CounterValue(name, labels);
  }
  uint64_t BadRequests(const std::string& reason) {
    return Counter("homeroom_net_bad_requests_total", {{"reason", reason}});
  }
  uint64_t Timeouts(const std::string& kind) {
    return Counter("homeroom_net_timeouts_total", {{"kind", kind}});
  }
  uint64_t Refused(const std::string& reason) {
    return Counter("homeroom_net_connections_refused_total", {{"reason", reason}});
  }
  uint64_t Evicted() { return Counter("homeroom_net_connections_evicted_total", {}); }
  int64_t Gauge(const std::string& name) { return registry.GaugeValue(name, {{"server", "api"}}); }
  int64_t OpenConnections() { return Gauge("homeroom_net_open_connections"); }

  metrics::Registry registry;
  TestHandler handler;
  Server server;
};

// Waits (bounded) until `done` holds; the server's bookkeeping runs on its own threads.
template <typename Fn>
bool Eventually(Fn done, milliseconds limit = milliseconds(3000)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return done();
}

TEST(Server, ListenOnPortZeroBindsAnEphemeralPort) {
  Fixture f;
  EXPECT_NE(f.server.port(), 0);
}

TEST(Server, ListenRejectsAnUnparsableAddress) {
  metrics::Registry registry;
  TestHandler handler;
  Server server(FastOptions(), handler, registry, "api");
  EXPECT_EQ(server.Listen("nonsense").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(server.Listen("127.0.0.1:99999").code(), StatusCode::kInvalidArgument);
}

TEST(Server, KeepAliveServesSeveralRequestsOnOneConnection) {
  Fixture f;
  RawClient c(f.server.port());
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.Send(RawClient::Get("/hello")));
    auto res = c.Read();
    ASSERT_TRUE(res) << "request " << i;
    EXPECT_EQ(res->result(), http::status::ok);
    EXPECT_EQ(res->body(), "ok:0");
    EXPECT_TRUE(res->keep_alive());
  }
  EXPECT_EQ(f.Counter("homeroom_net_connections_accepted_total", {}), 1u);
  EXPECT_EQ(f.Counter("homeroom_net_requests_total", {}), 3u);
  EXPECT_EQ(f.OpenConnections(), 1);
}

TEST(Server, PipelinedRequestsAreAnsweredInOrder) {
  Fixture f;
  RawClient c(f.server.port());
  ASSERT_TRUE(c.Send(RawClient::Get("/a") + "POST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"));
  auto first = c.Read();
  auto second = c.Read();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body(), "ok:0");
  EXPECT_EQ(second->body(), "ok:3");
}

TEST(Server, ConnectionInfoCarriesTheRemoteAddress) {
  Fixture f;
  RawClient c(f.server.port(), "127.0.0.2");
  ASSERT_TRUE(c.Send(RawClient::Get("/ip")));
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), "127.0.0.2");
}

TEST(Server, Http10ClosesUnlessKeepAliveIsAsked) {
  Fixture f;
  RawClient plain(f.server.port());
  ASSERT_TRUE(plain.Send("GET / HTTP/1.0\r\n\r\n"));
  auto res = plain.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->version(), 10u);
  EXPECT_FALSE(res->keep_alive());
  EXPECT_TRUE(plain.WaitClosed());

  RawClient kept(f.server.port());
  ASSERT_TRUE(kept.Send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  res = kept.Read();
  ASSERT_TRUE(res);
  EXPECT_TRUE(res->keep_alive());
  ASSERT_TRUE(kept.Send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_TRUE(kept.Read());
}

TEST(Server, SlowlorisIsClosedAtTheHeadDeadlineWhileANormalClientIsServed) {
  Fixture f;
  RawClient slow(f.server.port());
  ASSERT_TRUE(slow.Send("GET / HTTP/1.1\r\nHost: x\r\n"));
  auto start = std::chrono::steady_clock::now();
  bool closed = false;
  // One header byte every 50 ms: each byte arrives well within any idle timer, but the head never
  // completes.
  for (int i = 0; i < 60 && !closed; ++i) {
    if (!slow.Send("X")) closed = true;
    if (i == 2) {
      RawClient normal(f.server.port());
      ASSERT_TRUE(normal.Send(RawClient::Get("/")));
      auto res = normal.Read();
      ASSERT_TRUE(res);
      EXPECT_EQ(res->result(), http::status::ok);
    }
    std::this_thread::sleep_for(milliseconds(50));
    if (f.Timeouts("head") == 1) closed = true;
  }
  EXPECT_TRUE(closed);
  EXPECT_TRUE(slow.WaitClosed(milliseconds(2000)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_TRUE(Eventually([&] { return f.Timeouts("head") == 1; }));
}

TEST(Server, ConnectionThatSendsNothingIsClosedAtTheHeadDeadline) {
  Fixture f;
  RawClient c(f.server.port());
  EXPECT_TRUE(c.WaitClosed(milliseconds(3000)));
  EXPECT_TRUE(Eventually([&] { return f.Timeouts("head") == 1; }));
}

TEST(Server, HugeHeaderGets431AndTheConnectionIsClosed) {
  Fixture f;
  RawClient c(f.server.port());
  c.Send("GET / HTTP/1.1\r\nX-Big: " + std::string(100 * 1024, 'a') + "\r\n\r\n");
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::request_header_fields_too_large);
  EXPECT_EQ(
      res->body(),
      R"({"error":{"code":"header_too_large","message":"request head larger than 8192 bytes"}})");
  EXPECT_EQ((*res)[http::field::content_type], "application/json");
  EXPECT_FALSE(res->keep_alive());
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_EQ(f.BadRequests("header_too_large"), 1u);
}

TEST(Server, TooManyHeaderFieldsGet431) {
  ServerOptions o = FastOptions();
  o.max_header_count = 10;
  Fixture f(o);
  std::string req = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 11; ++i) req += "X-H" + std::to_string(i) + ": v\r\n";
  RawClient c(f.server.port());
  c.Send(req + "\r\n");
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::request_header_fields_too_large);
  EXPECT_NE(res->body().find("more than 10 header fields"), std::string::npos);
  EXPECT_EQ(f.BadRequests("too_many_headers"), 1u);
}

TEST(Server, TooLargeContentLengthGets413BeforeTheBodyIsSent) {
  Fixture f;
  RawClient c(f.server.port());
  ASSERT_TRUE(c.Send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"));
  auto res = c.Read(milliseconds(2000));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::payload_too_large);
  EXPECT_NE(res->body().find("request body larger than 1024 bytes"), std::string::npos);
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_EQ(f.BadRequests("body_too_large"), 1u);
  EXPECT_EQ(f.handler.handled.load(), 0);
}

TEST(Server, ChunkedBodyIsCutAtTheLimitWith413) {
  Fixture f;
  RawClient c(f.server.port());
  std::string chunk(800, 'z');
  std::string req = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  req += "320\r\n" + chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n";
  c.Send(req);
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::payload_too_large);
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_EQ(f.BadRequests("body_too_large"), 1u);
}

TEST(Server, ChunkedBodyWithinTheLimitIsDelivered) {
  Fixture f;
  RawClient c(f.server.port());
  c.Send("POST /upload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), "ok:5");
}

TEST(Server, ContentLengthWithTransferEncodingGets400AndClose) {
  Fixture f;
  for (std::string head : {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                           "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                           "Transfer-Encoding: gzip\r\nContent-Length: 5\r\n"}) {
    RawClient c(f.server.port());
    c.Send("POST / HTTP/1.1\r\nHost: x\r\n" + head + "\r\nhello");
    auto res = c.Read();
    ASSERT_TRUE(res) << head;
    EXPECT_EQ(res->result(), http::status::bad_request) << head;
    EXPECT_NE(res->body().find("\"code\":\"invalid_argument\""), std::string::npos);
    EXPECT_TRUE(c.WaitClosed()) << head;
  }
  EXPECT_EQ(f.BadRequests("content_length_with_transfer_encoding"), 3u);
  EXPECT_EQ(f.handler.handled.load(), 0);
}

TEST(Server, DuplicateOrConflictingContentLengthGets400AndClose) {
  Fixture f;
  for (std::string head :
       {"Content-Length: 5\r\nContent-Length: 5\r\n", "Content-Length: 5\r\nContent-Length: 6\r\n",
        "Content-Length: 5, 5\r\n"}) {
    RawClient c(f.server.port());
    c.Send("POST / HTTP/1.1\r\nHost: x\r\n" + head + "\r\nhello!");
    auto res = c.Read();
    ASSERT_TRUE(res) << head;
    EXPECT_EQ(res->result(), http::status::bad_request) << head;
    EXPECT_TRUE(c.WaitClosed()) << head;
  }
  EXPECT_EQ(f.BadRequests("duplicate_content_length"), 3u);
}

TEST(Server, MalformedRequestGets400WithAJsonErrorAndClose) {
  Fixture f;
  RawClient c(f.server.port());
  c.Send("THIS IS NOT HTTP\r\n\r\n");
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::bad_request);
  EXPECT_EQ(res->body().rfind(R"({"error":{"code":"invalid_argument","message":)", 0), 0u);
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_EQ(f.BadRequests("malformed"), 1u);
}

TEST(Server, HeadRejectWithoutBodyKeepsTheConnection) {
  Fixture f;
  RawClient c(f.server.port());
  c.Send(RawClient::Get("/reject"));
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::forbidden);
  EXPECT_TRUE(res->keep_alive());
  c.Send(RawClient::Get("/"));
  res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::ok);
}

TEST(Server, HeadRejectWithAnAnnouncedBodyClosesTheConnection) {
  Fixture f;
  RawClient c(f.server.port());
  c.Send("POST /reject HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::forbidden);
  EXPECT_FALSE(res->keep_alive());
  EXPECT_TRUE(c.WaitClosed());
}

TEST(Server, HandlerExceptionBecomes500AndTheServerKeepsServing) {
  Fixture f;
  RawClient c(f.server.port());
  c.Send(RawClient::Get("/throw"));
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::internal_server_error);
  RawClient d(f.server.port());
  d.Send(RawClient::Get("/"));
  res = d.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::ok);
}

TEST(Server, MaxRequestsPerConnectionEndsWithConnectionClose) {
  ServerOptions o = FastOptions();
  o.max_requests_per_connection = 2;
  Fixture f(o);
  RawClient c(f.server.port());
  c.Send(RawClient::Get("/"));
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_TRUE(res->keep_alive());
  c.Send(RawClient::Get("/"));
  res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_FALSE(res->keep_alive());
  EXPECT_TRUE(c.WaitClosed());
}

TEST(Server, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  Fixture f;
  RawClient c(f.server.port());
  c.Send(RawClient::Get("/"));
  ASSERT_TRUE(c.Read());
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.WaitClosed(milliseconds(3000)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_TRUE(Eventually([&] { return f.Timeouts("idle") == 1; }));
  EXPECT_TRUE(Eventually([&] { return f.OpenConnections() == 0; }));
}

TEST(Server, BodyTrickledPastTheBodyDeadlineIsClosed) {
  Fixture f;
  RawClient c(f.server.port());
  c.Send("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly a little");
  EXPECT_TRUE(c.WaitClosed(milliseconds(3000)));
  EXPECT_TRUE(Eventually([&] { return f.Timeouts("body") == 1; }));
  EXPECT_EQ(f.handler.handled.load(), 0);
}

TEST(Server, SlowReaderIsClosedAtTheWriteDeadline) {
  Fixture f;
  RawClient c(f.server.port(), "127.0.0.1", /*rcvbuf=*/4096);
  c.Send(RawClient::Get("/big"));
  // Never read: the 16 MiB response cannot fit in the socket buffers.
  EXPECT_TRUE(Eventually([&] { return f.Timeouts("write") == 1; }, milliseconds(5000)));
  EXPECT_TRUE(Eventually([&] { return f.OpenConnections() == 0; }));
}

TEST(Server, PerIpCapRefusesTheExtraConnectionWhileAnotherAddressIsServed) {
  ServerOptions o = FastOptions();
  o.max_connections_per_ip = 2;
  o.idle_timeout = milliseconds(5000);
  Fixture f(o);
  RawClient a(f.server.port()), b(f.server.port());
  for (RawClient* c : {&a, &b}) {
    ASSERT_TRUE(c->Send(RawClient::Get("/")));
    ASSERT_TRUE(c->Read());
  }
  RawClient extra(f.server.port());
  // Refused at accept: a best-effort 503, then closed.
  auto res = extra.Read(milliseconds(3000));
  if (res) {
    EXPECT_EQ(res->result(), http::status::service_unavailable);
  }
  EXPECT_TRUE(extra.WaitClosed());
  EXPECT_EQ(f.Counter("homeroom_net_connections_refused_total", {{"reason", "per_ip_cap"}}), 1u);

  RawClient other(f.server.port(), "127.0.0.2");
  ASSERT_TRUE(other.Send(RawClient::Get("/")));
  res = other.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::ok);
  // The capped address is still served on the connections it has.
  ASSERT_TRUE(a.Send(RawClient::Get("/")));
  EXPECT_TRUE(a.Read());
}

// Refuses 127.0.0.3 and remembers every event reported.
class BlockingGate : public guard::ConnectionGate {
 public:
  bool AllowConnection(const boost::asio::ip::address& remote) override {
    return remote.to_string() != "127.0.0.3";
  }
  void OnConnectionEvent(guard::ConnectionEvent event,
                         const boost::asio::ip::address& remote) override {
    std::lock_guard lock(mu);
    events.emplace_back(event, remote.to_string());
  }
  std::vector<std::pair<guard::ConnectionEvent, std::string>> Events() {
    std::lock_guard lock(mu);
    return events;
  }
  std::mutex mu;
  std::vector<std::pair<guard::ConnectionEvent, std::string>> events;
};

TEST(Server, GateRefusesABlockedSourceSilentlyAndHearsAboutTimeouts) {
  BlockingGate gate;
  Fixture f(FastOptions(), &gate);
  RawClient blocked(f.server.port(), "127.0.0.3");
  EXPECT_FALSE(blocked.Read(milliseconds(2000)));  // closed without an answer
  EXPECT_TRUE(blocked.WaitClosed());
  EXPECT_EQ(f.Counter("homeroom_net_connections_refused_total", {{"reason", "blocked"}}), 1u);

  RawClient slow(f.server.port(), "127.0.0.4");
  ASSERT_TRUE(slow.Send("GET / HTTP/1.1\r\n"));  // never finishes its head
  EXPECT_TRUE(slow.WaitClosed(milliseconds(3000)));
  ASSERT_TRUE(Eventually([&] { return gate.Events().size() == 2; }));
  auto events = gate.Events();
  EXPECT_EQ(events[0],
            std::make_pair(guard::ConnectionEvent::kRefusedBlocked, std::string("127.0.0.3")));
  EXPECT_EQ(events[1],
            std::make_pair(guard::ConnectionEvent::kHeadTimeout, std::string("127.0.0.4")));

  // A socket that never sends a byte (a browser's unused preconnect) is an idle timeout.
  RawClient silent(f.server.port(), "127.0.0.6");
  EXPECT_TRUE(silent.WaitClosed(milliseconds(3000)));
  ASSERT_TRUE(Eventually([&] { return gate.Events().size() == 3; }));
  EXPECT_EQ(gate.Events()[2],
            std::make_pair(guard::ConnectionEvent::kIdleTimeout, std::string("127.0.0.6")));

  RawClient allowed(f.server.port(), "127.0.0.5");
  ASSERT_TRUE(allowed.Send(RawClient::Get("/")));
  auto res = allowed.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::ok);
}

TEST(Server, GlobalCapRefusesConnectionsBeyondItWhenEvictionIsOff) {
  ServerOptions o = FastOptions();
  o.max_connections = 1;
  o.idle_timeout = milliseconds(5000);
  o.evict_idle_unauthenticated = false;
  Fixture f(o);
  RawClient a(f.server.port());
  ASSERT_TRUE(a.Send(RawClient::Get("/")));
  ASSERT_TRUE(a.Read());
  RawClient b(f.server.port(), "127.0.0.3");
  EXPECT_TRUE(b.WaitClosed());
  EXPECT_EQ(f.Counter("homeroom_net_connections_refused_total", {{"reason", "global_cap"}}), 1u);
}

// Sends a request and expects 200; the helper keeps the new tests short.
::testing::AssertionResult Served(RawClient& c, std::string_view target = "/") {
  if (!c.Send(RawClient::Get(target))) return ::testing::AssertionFailure() << "send failed";
  auto res = c.Read();
  if (!res) return ::testing::AssertionFailure() << "no response";
  if (res->result() != http::status::ok) {
    return ::testing::AssertionFailure() << "status " << res->result_int();
  }
  return ::testing::AssertionSuccess();
}

// Options for the connection-cap tests: nothing times out while a test looks.
ServerOptions PatientOptions() {
  ServerOptions o = FastOptions();
  o.head_timeout = milliseconds(5000);
  o.idle_timeout = milliseconds(5000);
  return o;
}

// A session goes back to waiting for its next request just after the client has read the
// response; the tests that depend on who waited longest give it that moment.
void LetSessionsSettle() { std::this_thread::sleep_for(milliseconds(50)); }

TEST(Server, PerSubnetCapRefusesTheNthConnectionOfASlash24WhileAnotherSubnetIsServed) {
  ServerOptions o = PatientOptions();
  o.max_connections_per_subnet = 2;
  BlockingGate gate;
  Fixture f(o, &gate);
  RawClient a(f.server.port(), "127.0.1.1"), b(f.server.port(), "127.0.1.2");
  ASSERT_TRUE(Served(a));
  ASSERT_TRUE(Served(b));
  // A third address of 127.0.1.0/24: each address is under its own cap, the subnet is not.
  RawClient c(f.server.port(), "127.0.1.3");
  auto res = c.Read(milliseconds(3000));
  if (res) {
    EXPECT_EQ(res->result(), http::status::service_unavailable);
  }
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_EQ(f.Refused("per_subnet_cap"), 1u);
  EXPECT_EQ(f.Refused("per_ip_cap"), 0u);

  RawClient other(f.server.port(), "127.0.2.1");
  EXPECT_TRUE(Served(other));
  EXPECT_TRUE(Served(a));
  ASSERT_TRUE(Eventually([&] { return !gate.Events().empty(); }));
  EXPECT_EQ(gate.Events()[0],
            std::make_pair(guard::ConnectionEvent::kRefusedCap, std::string("127.0.1.3")));
}

TEST(Server, FullGlobalCapEvictsTheLongestIdleUnauthenticatedConnectionForANewOne) {
  ServerOptions o = PatientOptions();
  o.max_connections = 2;
  BlockingGate gate;
  Fixture f(o, &gate);
  RawClient oldest(f.server.port(), "127.0.0.11");
  ASSERT_TRUE(Served(oldest));
  LetSessionsSettle();
  RawClient newer(f.server.port(), "127.0.0.12");
  ASSERT_TRUE(Served(newer));
  LetSessionsSettle();

  RawClient arriving(f.server.port(), "127.0.0.13");
  EXPECT_TRUE(Served(arriving));
  EXPECT_TRUE(oldest.WaitClosed());
  EXPECT_EQ(f.Evicted(), 1u);
  EXPECT_EQ(f.Refused("global_cap"), 0u);
  EXPECT_TRUE(Served(newer));
  EXPECT_TRUE(Eventually([&] { return f.OpenConnections() == 2; }));
  auto events = gate.Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], std::make_pair(guard::ConnectionEvent::kEvicted, std::string("127.0.0.11")));
}

TEST(Server, AnIdleConnectionThatSignedInIsNeverEvicted) {
  ServerOptions o = PatientOptions();
  o.max_connections = 2;
  Fixture f(o);
  RawClient signed_in(f.server.port(), "127.0.0.21");
  ASSERT_TRUE(Served(signed_in, "/signin"));
  LetSessionsSettle();
  RawClient anonymous(f.server.port(), "127.0.0.22");
  ASSERT_TRUE(Served(anonymous));
  LetSessionsSettle();

  // The signed-in connection has waited longest, but the anonymous one goes.
  RawClient arriving(f.server.port(), "127.0.0.23");
  EXPECT_TRUE(Served(arriving));
  EXPECT_TRUE(anonymous.WaitClosed());
  EXPECT_TRUE(Served(signed_in));
  EXPECT_EQ(f.Evicted(), 1u);

  // Both connections now carry signed-in users: nobody can be evicted, so the next is refused.
  ASSERT_TRUE(Served(arriving, "/signin"));
  RawClient refused(f.server.port(), "127.0.0.24");
  EXPECT_TRUE(refused.WaitClosed());
  EXPECT_EQ(f.Refused("global_cap"), 1u);
  EXPECT_EQ(f.Evicted(), 1u);
  EXPECT_TRUE(Served(signed_in));
  EXPECT_TRUE(Served(arriving));
}

TEST(Server, AConnectionBeingServedIsNotEvicted) {
  ServerOptions o = PatientOptions();
  o.max_connections = 1;
  Fixture f(o);
  RawClient busy(f.server.port());
  ASSERT_TRUE(busy.Send(RawClient::Get("/slow")));
  ASSERT_TRUE(Eventually([&] { return f.handler.in_slow.load() == 1; }));
  RawClient refused(f.server.port(), "127.0.0.3");
  EXPECT_TRUE(refused.WaitClosed());
  EXPECT_EQ(f.Refused("global_cap"), 1u);
  EXPECT_EQ(f.Evicted(), 0u);
  auto res = busy.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), "slow done");
}

TEST(Server, MinimumBodyRateClosesATricklingPostWhileANormalPostSucceeds) {
  ServerOptions o = PatientOptions();
  o.body_timeout = milliseconds(20'000);
  o.min_body_bytes_per_second = 1000;
  o.body_rate_grace = milliseconds(200);
  BlockingGate gate;
  Fixture f(o, &gate);
  RawClient slow(f.server.port(), "127.0.0.41");
  ASSERT_TRUE(slow.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"));
  // One byte every 20 ms: 50 bytes/s, far below the minimum, far inside the whole-body deadline.
  for (int i = 0; i < 99 && f.Timeouts("body_rate") == 0; ++i) {
    slow.Send("x");
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_TRUE(Eventually([&] { return f.Timeouts("body_rate") == 1; }));
  EXPECT_TRUE(slow.WaitClosed());
  EXPECT_EQ(f.Timeouts("body"), 0u);
  EXPECT_EQ(f.handler.handled.load(), 0);

  RawClient normal(f.server.port(), "127.0.0.42");
  ASSERT_TRUE(normal.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" +
                          std::string(100, 'x')));
  auto res = normal.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), "ok:100");
  auto events = gate.Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0],
            std::make_pair(guard::ConnectionEvent::kBodyTimeout, std::string("127.0.0.41")));
}

TEST(Server, MinimumSendRateClosesASlowReaderWhileANormalReaderGetsTheWholeResponse) {
  ServerOptions o = PatientOptions();
  o.write_timeout = milliseconds(20'000);
  o.min_send_bytes_per_second = 256 * 1024;
  o.send_rate_grace = milliseconds(200);
  o.send_buffer_bytes = 64 * 1024;
  BlockingGate gate;
  Fixture f(o, &gate);
  RawClient normal(f.server.port(), "127.0.0.51");
  ASSERT_TRUE(normal.Send(RawClient::Get("/large")));
  auto res = normal.Read(milliseconds(10'000));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body().size(), size_t{2} << 20);

  // A small window read 100 bytes at a time: about 5 KB/s.
  RawClient slow(f.server.port(), "127.0.0.52", /*rcvbuf=*/4096);
  ASSERT_TRUE(slow.Send(RawClient::Get("/large")));
  for (int i = 0; i < 250 && f.Timeouts("send_rate") == 0; ++i) {
    slow.ReadSome(100, milliseconds(20));
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_TRUE(Eventually([&] { return f.Timeouts("send_rate") == 1; }));
  EXPECT_TRUE(slow.WaitClosed());
  EXPECT_EQ(f.Timeouts("write"), 0u);
  EXPECT_TRUE(Eventually([&] { return f.OpenConnections() == 1; }));
  auto events = gate.Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0],
            std::make_pair(guard::ConnectionEvent::kWriteTimeout, std::string("127.0.0.52")));
}

TEST(Server, IdleTimeoutShortensUnderConnectionPressureAndRestoresAfter) {
  ServerOptions o = PatientOptions();
  o.max_connections = 4;
  o.pressure_on_fraction = 0.5;    // 2 connections
  o.pressure_off_fraction = 0.25;  // 1 connection
  o.idle_timeout = milliseconds(20'000);
  o.idle_timeout_under_pressure = milliseconds(100);
  BlockingGate gate;
  Fixture f(o, &gate);
  RawClient calm(f.server.port(), "127.0.0.61");
  ASSERT_TRUE(Served(calm));
  LetSessionsSettle();
  EXPECT_EQ(f.Gauge("homeroom_net_idle_timeout_shortened"), 0);

  RawClient pressed(f.server.port(), "127.0.0.62");
  EXPECT_TRUE(Eventually([&] { return f.Gauge("homeroom_net_idle_timeout_shortened") == 1; }));
  ASSERT_TRUE(Served(pressed));
  // Its idle wait began under pressure: closed after the short timeout, not the long one.
  EXPECT_TRUE(pressed.WaitClosed(milliseconds(5000)));
  EXPECT_TRUE(Eventually([&] { return f.Timeouts("idle") == 1; }));
  EXPECT_TRUE(Eventually([&] { return f.Gauge("homeroom_net_idle_timeout_shortened") == 0; }));
  // The connection whose wait began before the pressure is still there.
  EXPECT_TRUE(Served(calm));
  auto events = gate.Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0],
            std::make_pair(guard::ConnectionEvent::kIdleTimeout, std::string("127.0.0.62")));
}

TEST(Server, BadRequestsAreReportedToTheGate) {
  BlockingGate gate;
  Fixture f(FastOptions(), &gate);
  RawClient c(f.server.port(), "127.0.0.71");
  c.Send("THIS IS NOT HTTP\r\n\r\n");
  ASSERT_TRUE(c.Read());
  ASSERT_TRUE(Eventually([&] { return gate.Events().size() == 1; }));
  EXPECT_EQ(gate.Events()[0],
            std::make_pair(guard::ConnectionEvent::kBadRequest, std::string("127.0.0.71")));
}

TEST(Server, GracefulShutdownLetsAnInFlightSlowHandlerFinish) {
  ServerOptions o = FastOptions();
  o.idle_timeout = milliseconds(5000);
  Fixture f(o);
  RawClient idle(f.server.port());
  ASSERT_TRUE(idle.Send(RawClient::Get("/")));
  ASSERT_TRUE(idle.Read());
  RawClient busy(f.server.port());
  ASSERT_TRUE(busy.Send(RawClient::Get("/slow")));
  ASSERT_TRUE(Eventually([&] { return f.handler.in_slow.load() == 1; }));

  f.server.Shutdown(milliseconds(5000));
  EXPECT_TRUE(idle.WaitClosed(milliseconds(2000)));  // idle connections go at once
  auto res = busy.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::ok);
  EXPECT_EQ(res->body(), "slow done");
  EXPECT_FALSE(res->keep_alive());
  auto start = std::chrono::steady_clock::now();
  f.server.Wait();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(f.OpenConnections(), 0);
  RawClient late(f.server.port());
  EXPECT_FALSE(late.connected() && late.Send(RawClient::Get("/")) && late.Read(milliseconds(500)));
}

TEST(Server, ShutdownDeadlineClosesAHandlerThatTakesTooLong) {
  ServerOptions o = FastOptions();
  o.shutdown_stop_grace = milliseconds(200);
  Fixture f(o);
  f.handler.slow_delay = milliseconds(10000);
  RawClient busy(f.server.port());
  ASSERT_TRUE(busy.Send(RawClient::Get("/slow")));
  ASSERT_TRUE(Eventually([&] { return f.handler.in_slow.load() == 1; }));
  auto start = std::chrono::steady_clock::now();
  f.server.Shutdown(milliseconds(100));
  f.server.Wait();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(busy.WaitClosed(milliseconds(2000)));
}

TEST(Server, ShutdownFromSeveralThreadsIsSafe) {
  Fixture f;
  std::thread t1([&] { f.server.Shutdown(milliseconds(100)); });
  std::thread t2([&] { f.server.Shutdown(milliseconds(100)); });
  t1.join();
  t2.join();
  f.server.Wait();
  f.server.Wait();
}

}  // namespace
}  // namespace homeroom::net
