#include "http/dispatcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/log.h"
#include "http/error_mapping.h"
#include "http/json_codec.h"
#include "http/metrics_handler.h"
#include "net/server.h"
#include "net/websocket.h"
#include "unit/net/test_client.h"
#include "unit/net/ws_client.h"

namespace homeroom::http {
namespace {

namespace beast_http = boost::beast::http;
using beast_http::verb;
using testing::RawClient;
using testing::WsClient;
using Awaitable = boost::asio::awaitable<Result<Response>>;
using UpgradeAwaitable = boost::asio::awaitable<Result<std::shared_ptr<net::WebSocketHandler>>>;

// The test double of the Authenticator: "Authorization: Bearer good" is user 1.
class TokenAuthenticator : public Authenticator {
 public:
  std::atomic<int> upgrades_seen{0};

  boost::asio::awaitable<Result<auth::Principal>> Authenticate(RequestContext& ctx) override {
    if (ctx.upgrade) ++upgrades_seen;
    if (ctx.request[beast_http::field::authorization] != "Bearer good") {
      co_return Status::Unauthenticated("sign in first");
    }
    auth::Principal p;
    p.user_id = 1;
    p.username = "ada";
    co_return p;
  }
};

// A WebSocket handler that echoes text messages, prefixed with the user's name.
class EchoHandler : public net::WebSocketHandler {
 public:
  explicit EchoHandler(std::string username) : username_(std::move(username)) {}
  void OnOpen(std::shared_ptr<net::WebSocketSender> sender) override { sender_ = sender; }
  void OnText(std::string message) override {
    sender_->Send(std::make_shared<const std::string>(username_ + ":" + message));
  }
  void OnClose(uint16_t, std::string_view) override { sender_.reset(); }

 private:
  const std::string username_;
  std::shared_ptr<net::WebSocketSender> sender_;  // the strand's only
};

Router MakeRouter() {
  Router r;
  r.AddUpgrade("/api/v1/live", [](RequestContext& ctx) -> UpgradeAwaitable {
    if (ctx.Query("deny")) co_return Status::PermissionDenied("not in this section");
    if (ctx.Query("busy")) co_return Status::ResourceExhausted("too many sockets", 7);
    if (ctx.Query("null")) co_return std::shared_ptr<net::WebSocketHandler>();
    co_return std::make_shared<EchoHandler>(ctx.principal->username);
  });
  r.Add(verb::get, "/api/v1/public",
        [](RequestContext&) -> Awaitable {
          co_return JsonResponse(beast_http::status::ok, {{"hello", "world"}});
        },
        {Access::kPublic});
  r.Add(verb::get, "/api/v1/me", [](RequestContext& ctx) -> Awaitable {
    co_return JsonResponse(beast_http::status::ok, {{"username", ctx.principal->username}});
  });
  r.Add(verb::post, "/api/v1/items",
        [](RequestContext& ctx) -> Awaitable {
          auto body = ParseJsonObject(ctx.request, {});
          if (!body.ok()) co_return body.status();
          co_return JsonResponse(beast_http::status::created, *body);
        },
        {Access::kSignedIn, 32});
  r.Add(verb::get, "/api/v1/items/{id}", [](RequestContext& ctx) -> Awaitable {
    auto parsed = ctx.PathInt("id");
    if (!parsed.ok()) co_return parsed.status();
    int64_t id = *parsed;
    if (id != 5) co_return Status::NotFound("no item " + std::to_string(id));
    co_return JsonResponse(beast_http::status::ok, {{"id", id}});
  });
  r.Add(verb::delete_, "/api/v1/items/{id}",
        [](RequestContext&) -> Awaitable { co_return Status::PermissionDenied("no"); });
  r.Add(verb::get, "/api/v1/boom",
        [](RequestContext&) -> Awaitable {
          throw std::runtime_error("bug in a handler");
          co_return Response();
        },
        {Access::kPublic});
  r.Add(verb::get, "/api/v1/busy",
        [](RequestContext&) -> Awaitable { co_return Status::Unavailable("database is busy", 3); },
        {Access::kPublic});
  r.Add(verb::get, "/api/v1/cached",
        [](RequestContext&) -> Awaitable {
          Response res = JsonResponse(beast_http::status::ok, {});
          res.set(beast_http::field::cache_control, "max-age=60");
          co_return res;
        },
        {Access::kPublic});
  return r;
}

// Keeps a copy of every RequestRecord the Dispatcher reports.
class RecordingObserver : public guard::RequestObserver {
 public:
  struct Copy {
    std::string remote, method, path, route, user_agent;
    unsigned status = 0;
    size_t bytes_in = 0, bytes_out = 0;
    std::optional<int64_t> user_id;
  };
  void OnRequest(const guard::RequestRecord& r) override {
    std::lock_guard lock(mu_);
    seen_.push_back(Copy{r.remote.to_string(), std::string(r.method), std::string(r.path),
                         std::string(r.route), std::string(r.user_agent), r.status, r.bytes_in,
                         r.bytes_out, r.user_id});
  }
  std::vector<Copy> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  std::mutex mu_;
  std::vector<Copy> seen_;
};

net::ServerOptions Options() {
  net::ServerOptions o;
  o.io_threads = 2;
  o.head_timeout = std::chrono::milliseconds(2000);
  o.linger_timeout = std::chrono::milliseconds(200);
  return o;
}

struct Fixture {
  explicit Fixture(net::ServerOptions options = Options())
      : router(MakeRouter()),
        dispatcher(router, authenticator, registry, {}),
        server(options, dispatcher, registry, "api") {
    log::Options lo;
    lo.capture = log_text;
    log::Init(lo);
    dispatcher.AddObserver(&observer);
    EXPECT_TRUE(server.Listen("127.0.0.1:0").ok());
    server.Start();
  }
  ~Fixture() {
    server.Shutdown(std::chrono::milliseconds(500));
    server.Wait();
    log::Init({});
  }
  std::optional<Response> Call(const std::string& request) {
    RawClient c(server.port());
    c.Send(request);
    return c.Read();
  }
  uint64_t Requests(const std::string& route, const std::string& method, const std::string& st) {
    return registry.CounterValue("homeroom_http_requests_total",
                                 {{"route", route}, {"method", method}, {"status", st}});
  }
  std::string Logged() {
    log::Flush();
    return log_text->str();
  }

  metrics::Registry registry;
  RecordingObserver observer;
  TokenAuthenticator authenticator;
  Router router;
  Dispatcher dispatcher;
  net::Server server;
  std::shared_ptr<std::ostringstream> log_text = std::make_shared<std::ostringstream>();
};

std::string ErrorCode(const Response& res) {
  return std::string(boost::json::parse(res.body()).at("error").at("code").as_string());
}

TEST(Dispatcher, PublicRouteAnswersWithSecurityHeadersAndRequestId) {
  Fixture f;
  auto res = f.Call(RawClient::Get("/api/v1/public"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), beast_http::status::ok);
  EXPECT_EQ(res->body(), R"({"hello":"world"})");
  std::string id((*res)["X-Request-Id"]);
  EXPECT_EQ(id.size(), 16u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ((*res)[beast_http::field::cache_control], "no-store");
  EXPECT_EQ((*res)["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ((*res)["Referrer-Policy"], "no-referrer");
  EXPECT_EQ(f.Requests("/api/v1/public", "GET", "200"), 1u);
}

TEST(Dispatcher, ObserversSeeEveryAnsweredRequestWithSourcePathAndAccount) {
  Fixture f;
  {
    RawClient c(f.server.port());
    c.Send(
        "GET /api/v1/me?x=1 HTTP/1.1\r\nAuthorization: Bearer good\r\n"
        "User-Agent: probe/1\r\n\r\n");
    ASSERT_TRUE(c.Read());
  }
  ASSERT_TRUE(f.Call(RawClient::Get("/api/v1/random/abc")));
  auto seen = f.observer.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].remote, "127.0.0.1");
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].path, "/api/v1/me");
  EXPECT_EQ(seen[0].route, "/api/v1/me");
  EXPECT_EQ(seen[0].user_agent, "probe/1");
  EXPECT_EQ(seen[0].status, 200u);
  EXPECT_GT(seen[0].bytes_out, 0u);
  EXPECT_EQ(seen[0].user_id, 1);
  EXPECT_EQ(seen[1].path, "/api/v1/random/abc");
  EXPECT_EQ(seen[1].route, "unmatched");
  EXPECT_EQ(seen[1].status, 404u);
  EXPECT_FALSE(seen[1].user_id.has_value());
}

TEST(Dispatcher, HandlerCacheControlIsKept) {
  Fixture f;
  auto res = f.Call(RawClient::Get("/api/v1/cached"));
  ASSERT_TRUE(res);
  EXPECT_EQ((*res)[beast_http::field::cache_control], "max-age=60");
}

TEST(Dispatcher, UnknownPathIs404BeforeTheBodyIsRead) {
  Fixture f;
  RawClient c(f.server.port());
  c.Send("POST /api/v1/nope HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n");
  auto res = c.Read(std::chrono::milliseconds(2000));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), beast_http::status::not_found);
  EXPECT_EQ(ErrorCode(*res), "not_found");
  EXPECT_FALSE((*res)["X-Request-Id"].empty());
  EXPECT_EQ(f.Requests("unmatched", "POST", "404"), 1u);
}

TEST(Dispatcher, WrongMethodIs405WithAllow) {
  Fixture f;
  auto res = f.Call("PUT /api/v1/items/5 HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), beast_http::status::method_not_allowed);
  EXPECT_EQ((*res)[beast_http::field::allow], "DELETE, GET");
  EXPECT_EQ(ErrorCode(*res), "method_not_allowed");
}

TEST(Dispatcher, SignedInRouteNeedsTheAuthenticator) {
  Fixture f;
  auto denied = f.Call(RawClient::Get("/api/v1/me"));
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->result(), beast_http::status::unauthorized);
  EXPECT_EQ(ErrorCode(*denied), "unauthenticated");
  auto ok = f.Call(RawClient::Get("/api/v1/me", "Authorization: Bearer good\r\n"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->result(), beast_http::status::ok);
  EXPECT_EQ(ok->body(), R"({"username":"ada"})");
  EXPECT_EQ(f.Requests("/api/v1/me", "GET", "401"), 1u);
  EXPECT_EQ(f.Requests("/api/v1/me", "GET", "200"), 1u);
}

TEST(Dispatcher, ASignedInConnectionIsMarkedSoTheServerNeverEvictsIt) {
  net::ServerOptions o = Options();
  o.max_connections = 2;
  o.idle_timeout = std::chrono::milliseconds(5000);
  Fixture f(o);
  RawClient signed_in(f.server.port(), "127.0.0.21");
  ASSERT_TRUE(signed_in.Send(RawClient::Get("/api/v1/me", "Authorization: Bearer good\r\n")));
  ASSERT_TRUE(signed_in.Read());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // back to waiting, longest
  // A failed sign-in does not mark the connection.
  RawClient anonymous(f.server.port(), "127.0.0.22");
  ASSERT_TRUE(anonymous.Send(RawClient::Get("/api/v1/me", "Authorization: Bearer bad\r\n")));
  ASSERT_TRUE(anonymous.Read());

  // The server is full. The anonymous connection is evictable once its session is back to waiting
  // for a head, which may be just after its answer arrived here: until then a newcomer is refused
  // at the cap, so it tries again (bounded) rather than the test guessing a delay.
  std::optional<RawClient> arriving;
  for (int attempt = 0; attempt < 100; ++attempt) {
    arriving.emplace(f.server.port(), "127.0.0.23");
    if (arriving->Send(RawClient::Get("/api/v1/public"))) {
      auto answer = arriving->Read();
      if (answer && answer->result() == beast_http::status::ok) break;  // else 503 at the cap
    }
    arriving.reset();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(arriving.has_value()) << "no newcomer was ever admitted";
  EXPECT_TRUE(anonymous.WaitClosed());
  EXPECT_EQ(f.registry.CounterValue("homeroom_net_connections_evicted_total", {{"server", "api"}}),
            1u);
  ASSERT_TRUE(signed_in.Send(RawClient::Get("/api/v1/me", "Authorization: Bearer good\r\n")));
  auto res = signed_in.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), beast_http::status::ok);
}

TEST(Dispatcher, StatusErrorsAreMappedInOnePlace) {
  Fixture f;
  auto missing = f.Call(RawClient::Get("/api/v1/items/6", "Authorization: Bearer good\r\n"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->result(), beast_http::status::not_found);
  auto bad = f.Call(RawClient::Get("/api/v1/items/abc", "Authorization: Bearer good\r\n"));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->result(), beast_http::status::bad_request);
  auto busy = f.Call(RawClient::Get("/api/v1/busy"));
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->result(), beast_http::status::service_unavailable);
  EXPECT_EQ((*busy)[beast_http::field::retry_after], "3");
}

TEST(Dispatcher, JsonBodyWithinTheRouteLimitIsDecoded) {
  Fixture f;
  std::string body = R"({"name":"x"})";
  auto res = f.Call(
      "POST /api/v1/items HTTP/1.1\r\nAuthorization: Bearer good\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), beast_http::status::created);
  EXPECT_EQ(res->body(), body);
}

TEST(Dispatcher, BodyOverTheRouteLimitIs413UpFront) {
  Fixture f;
  RawClient c(f.server.port());
  c.Send(
      "POST /api/v1/items HTTP/1.1\r\nContent-Type: application/json\r\n"
      "Content-Length: 100\r\n\r\n");
  auto res = c.Read(std::chrono::milliseconds(2000));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), beast_http::status::payload_too_large);
  EXPECT_NE(res->body().find("larger than 32 bytes"), std::string::npos);
}

TEST(Dispatcher, EscapedExceptionBecomes500AndIsLogged) {
  Fixture f;
  auto res = f.Call(RawClient::Get("/api/v1/boom"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), beast_http::status::internal_server_error);
  EXPECT_EQ(ErrorCode(*res), "internal");
  std::string logged = f.Logged();
  EXPECT_NE(logged.find("\"event\":\"http_handler_exception\""), std::string::npos) << logged;
  EXPECT_NE(logged.find("bug in a handler"), std::string::npos);
  EXPECT_EQ(f.Requests("/api/v1/boom", "GET", "500"), 1u);
}

TEST(Dispatcher, AccessLogLineHasTheRoutePatternAndNoCredentials) {
  Fixture f;
  auto res =
      f.Call(RawClient::Get("/api/v1/items/5?token=querysecret",
                            "Authorization: Bearer good\r\nCookie: hr_session=cookiesecret\r\n"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), beast_http::status::ok);
  std::string logged = f.Logged();
  std::string line;
  std::istringstream lines(logged);
  while (std::getline(lines, line)) {
    if (line.find("\"event\":\"http_request\"") != std::string::npos) break;
  }
  ASSERT_NE(line.find("http_request"), std::string::npos) << logged;
  auto entry = boost::json::parse(line).as_object();
  EXPECT_EQ(entry.at("level").as_string(), "info");
  EXPECT_TRUE(entry.contains("time"));
  EXPECT_EQ(entry.at("request_id").as_string(), (*res)["X-Request-Id"]);
  EXPECT_EQ(entry.at("method").as_string(), "GET");
  EXPECT_EQ(entry.at("route").as_string(), "/api/v1/items/{id}");
  EXPECT_EQ(entry.at("status").as_int64(), 200);
  EXPECT_TRUE(entry.at("duration_ms").is_double());
  EXPECT_EQ(entry.at("client_ip").as_string(), "127.0.0.1");
  EXPECT_EQ(entry.at("bytes").to_number<size_t>(), res->body().size());
  EXPECT_EQ(logged.find("good"), std::string::npos);
  EXPECT_EQ(logged.find("cookiesecret"), std::string::npos);
  EXPECT_EQ(logged.find("querysecret"), std::string::npos);
}

TEST(Dispatcher, RecordsTheDurationHistogramPerRoute) {
  Fixture f;
  ASSERT_TRUE(f.Call(RawClient::Get("/api/v1/public")));
  ASSERT_TRUE(f.Call(RawClient::Get("/api/v1/public")));
  std::string text = f.registry.RenderPrometheus();
  EXPECT_NE(text.find("homeroom_http_request_duration_seconds_count{route=\"/api/v1/public\"} 2"),
            std::string::npos)
      << text;
}

TEST(Dispatcher, UpgradeRouteAuthenticatesAsAnUpgradeThenHandsOverTheSocket) {
  Fixture f;
  {
    WsClient::Options o;
    o.header = "Authorization: Bearer good";
    WsClient ws(f.server.port(), "/api/v1/live", o);
    ASSERT_TRUE(ws.open()) << ws.handshake_error().message();
    EXPECT_EQ(f.authenticator.upgrades_seen.load(), 1);
    ASSERT_FALSE(ws.Write("hi"));
    EXPECT_EQ(ws.Next(), "ada:hi");
    ws.Close();
    EXPECT_EQ(ws.WaitClosed(), 1000);
  }
  EXPECT_EQ(f.Requests("/api/v1/live", "GET", "101"), 1u);
  std::string logged = f.Logged();
  std::string line;
  std::istringstream lines(logged);
  while (std::getline(lines, line)) {
    if (line.find("\"event\":\"http_request\"") != std::string::npos) break;
  }
  auto entry = boost::json::parse(line).as_object();
  EXPECT_EQ(entry.at("route").as_string(), "/api/v1/live");
  EXPECT_EQ(entry.at("status").as_int64(), 101);
  EXPECT_EQ(logged.find("good"), std::string::npos);
}

TEST(Dispatcher, UpgradeWithoutACredentialIsRefused401) {
  Fixture f;
  WsClient ws(f.server.port(), "/api/v1/live");
  EXPECT_FALSE(ws.open());
  EXPECT_EQ(ws.response().result(), beast_http::status::unauthorized);
  EXPECT_EQ(ErrorCode(ws.response()), "unauthenticated");
  EXPECT_FALSE(ws.response()["X-Request-Id"].empty());
  EXPECT_EQ(f.Requests("/api/v1/live", "GET", "401"), 1u);
  EXPECT_EQ(f.registry.CounterValue("homeroom_net_ws_upgrades_total", {{"server", "api"}}), 0u);
}

TEST(Dispatcher, UpgradeHandlerErrorsAreMappedInOnePlace) {
  Fixture f;
  WsClient::Options o;
  o.header = "Authorization: Bearer good";
  WsClient denied(f.server.port(), "/api/v1/live?deny=1", o);
  EXPECT_FALSE(denied.open());
  EXPECT_EQ(denied.response().result(), beast_http::status::forbidden);
  EXPECT_EQ(ErrorCode(denied.response()), "permission_denied");
  WsClient busy(f.server.port(), "/api/v1/live?busy=1", o);
  EXPECT_FALSE(busy.open());
  EXPECT_EQ(busy.response().result(), beast_http::status::too_many_requests);
  EXPECT_EQ(busy.response()[beast_http::field::retry_after], "7");
  WsClient null(f.server.port(), "/api/v1/live?null=1", o);
  EXPECT_FALSE(null.open());
  EXPECT_EQ(null.response().result(), beast_http::status::internal_server_error);
  EXPECT_EQ(f.Requests("/api/v1/live", "GET", "403"), 1u);
  EXPECT_EQ(f.Requests("/api/v1/live", "GET", "429"), 1u);
  EXPECT_EQ(f.Requests("/api/v1/live", "GET", "500"), 1u);
}

TEST(Dispatcher, PlainGetToAnUpgradeRouteIs426AfterAuthentication) {
  Fixture f;
  auto anonymous = f.Call(RawClient::Get("/api/v1/live"));
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->result(), beast_http::status::unauthorized);
  auto plain = f.Call(RawClient::Get("/api/v1/live", "Authorization: Bearer good\r\n"));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->result(), beast_http::status::upgrade_required);
  EXPECT_EQ((*plain)[beast_http::field::upgrade], "websocket");
  EXPECT_EQ(ErrorCode(*plain), "upgrade_required");
  EXPECT_EQ(f.authenticator.upgrades_seen.load(), 0);
}

TEST(Dispatcher, UpgradeToAnUnknownPathIs404AndToAnOrdinaryRouteIsServedAsHttp) {
  Fixture f;
  WsClient nowhere(f.server.port(), "/api/v1/nope");
  EXPECT_FALSE(nowhere.open());
  EXPECT_EQ(nowhere.response().result(), beast_http::status::not_found);
  WsClient ordinary(f.server.port(), "/api/v1/public");
  EXPECT_FALSE(ordinary.open());
  EXPECT_EQ(ordinary.response().result(), beast_http::status::ok);
  EXPECT_EQ(ordinary.response().body(), R"({"hello":"world"})");
  EXPECT_EQ(f.Requests("/api/v1/public", "GET", "200"), 1u);
}

TEST(MetricsHandler, ServesPrometheusTextOnGetMetricsOnly) {
  metrics::Registry registry;
  registry.GetCounter("homeroom_test_total", "A test counter.").Inc(5);
  MetricsHandler handler(registry);
  net::Server server(Options(), handler, registry, "metrics");
  ASSERT_TRUE(server.Listen("127.0.0.1:0").ok());
  server.Start();
  RawClient c(server.port());
  c.Send(RawClient::Get("/metrics"));
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), beast_http::status::ok);
  EXPECT_EQ((*res)[beast_http::field::content_type], "text/plain; version=0.0.4");
  EXPECT_NE(res->body().find("homeroom_test_total 5"), std::string::npos);
  EXPECT_NE(res->body().find("homeroom_net_open_connections{server=\"metrics\"} 1"),
            std::string::npos);
  c.Send(RawClient::Get("/other"));
  res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), beast_http::status::not_found);
  c.Send("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), beast_http::status::not_found);
  server.Shutdown(std::chrono::milliseconds(500));
  server.Wait();
}

}  // namespace
}  // namespace homeroom::http
