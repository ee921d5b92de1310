// The accept loop when the process runs out of file descriptors (EMFILE), in a child process whose
// descriptor limit is lowered, so that the test binary's own limit is never touched.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/this_coro.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "net/server.h"
#include "unit/net/test_client.h"

namespace homeroom::net {
namespace {

namespace http = boost::beast::http;
using std::chrono::milliseconds;
using testing::RawClient;

constexpr int kClients = 4;
constexpr milliseconds kBackoff{20};

// What the child reports through its exit status.
enum ChildResult {
  kOk = 0,
  kSetupFailed = 10,
  kNeverExhausted = 11,  // no EMFILE seen: the limit did not bite
  kSpun = 12,            // far more failed accepts than the back-off allows
  kNotRecovered = 13,    // the requests were not all served once descriptors were back
};

class OkHandler : public HttpHandler {
 public:
  HeadDecision OnHead(const RequestHeader&, const ConnectionInfo&) override {
    HeadDecision d;
    d.body_limit = 1024;
    return d;
  }
  boost::asio::awaitable<Response> Handle(Request&&, const ConnectionInfo&) override {
    Response res(http::status::ok, 11);
    res.body() = "ok";
    co_return res;
  }
};

template <typename Fn>
bool Eventually(Fn done, milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return done();
}

// The child: a server whose process may open one more descriptor, then none, then all again.
int RunChild(int port_pipe) {
  metrics::Registry registry;
  OkHandler handler;
  ServerOptions o;
  o.io_threads = 2;
  o.accept_error_backoff = kBackoff;
  Server server(o, handler, registry, "api");
  if (!server.Listen("127.0.0.1:0").ok()) return kSetupFailed;
  server.Start();
  auto counter = [&](const std::string& name, metrics::Labels labels) {
    labels.insert(labels.begin(), {"server", "api"});
    return registry.CounterValue(name, labels);
  };
  auto exhausted = [&] {
    return counter("homeroom_net_accept_errors_total", {{"reason", "fd_exhausted"}});
  };

  // Serve one request while descriptors are plenty. Besides proving the server works, this warms
  // UBSan's vptr type cache: the first check of a type calls pipe() to probe memory, which fails
  // once descriptors run out and would be misreported as an invalid vptr.
  {
    testing::RawClient warmup(server.port(), "127.0.0.79");
    if (!warmup.connected() || !warmup.Send(RawClient::Get("/"))) return kSetupFailed;
    auto res = warmup.Read(milliseconds(5'000));
    if (!res || res->result() != http::status::ok) return kSetupFailed;
  }
  // Its descriptor must be closed on the server's side too before the free ones are counted.
  if (!Eventually(
          [&] {
            return registry.GaugeValue("homeroom_net_open_connections", {{"server", "api"}}) == 0;
          },
          milliseconds(5'000))) {
    return kSetupFailed;
  }

  // Descriptors are numbered lowest-free first: a limit one above the lowest free number leaves
  // room for exactly one more.
  int probe = ::open("/dev/null", O_RDONLY);
  if (probe < 0) return kSetupFailed;
  ::close(probe);
  rlimit old{};
  if (::getrlimit(RLIMIT_NOFILE, &old) != 0) return kSetupFailed;
  rlimit low = old;
  low.rlim_cur = static_cast<rlim_t>(probe) + 1;
  if (::setrlimit(RLIMIT_NOFILE, &low) != 0) return kSetupFailed;

  const uint16_t port = server.port();
  if (::write(port_pipe, &port, sizeof(port)) != sizeof(port)) return kSetupFailed;

  if (!Eventually([&] { return exhausted() >= 1; }, milliseconds(10'000))) return kNeverExhausted;
  // The parent's clients wait in the backlog; the loop must back off, not spin, meanwhile.
  const auto window_start = std::chrono::steady_clock::now();
  const uint64_t before = exhausted();
  std::this_thread::sleep_for(milliseconds(300));
  const uint64_t failed = exhausted() - before;
  const auto window = std::chrono::steady_clock::now() - window_start;
  // One failed accept per back-off (plus slack); a spinning loop makes thousands.
  if (failed > static_cast<uint64_t>(window / kBackoff) + 5) return kSpun;

  ::setrlimit(RLIMIT_NOFILE, &old);
  if (!Eventually([&] { return counter("homeroom_net_requests_total", {}) >= kClients + 1; },
                  milliseconds(10'000))) {
    return kNotRecovered;
  }
  server.Shutdown(milliseconds(1000));
  server.Wait();
  return kOk;
}

TEST(Server, AcceptBacksOffWithoutSpinningWhenOutOfDescriptorsAndRecovers) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    ::_exit(RunChild(fds[1]));
  }
  ::close(fds[1]);
  uint16_t port = 0;
  pollfd pfd{fds[0], POLLIN, 0};
  ASSERT_EQ(::poll(&pfd, 1, 10'000), 1);
  ASSERT_EQ(::read(fds[0], &port, sizeof(port)), static_cast<ssize_t>(sizeof(port)));
  ::close(fds[0]);

  // The handshakes complete in the kernel's backlog whether or not the server can accept them.
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<RawClient>(port, "127.0.0." + std::to_string(80 + i)));
    ASSERT_TRUE(clients.back()->connected());
    ASSERT_TRUE(clients.back()->Send(RawClient::Get("/")));
  }
  for (auto& c : clients) {
    auto res = c->Read(milliseconds(15'000));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result(), http::status::ok);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), kOk);
}

}  // namespace
}  // namespace homeroom::net
