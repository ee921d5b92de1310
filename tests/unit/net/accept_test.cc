// The accept loop when the process runs out of file descriptors (EMFILE), in a child process whose
// descriptor limit is lowered, so that the test binary's own limit is never touched.
//
// The child is this test binary executed again, with UBSan told not to halt. Its vptr check keeps
// a small direct-mapped cache of verified (type, vtable) pairs; on a miss it probes the vtable's
// memory by writing it to a pipe(), which fails once descriptors run out, and then reports a valid
// object as having an "invalid vptr". Which pairs miss depends on where ASLR put the vtables, so
// no warm-up makes the child safe. The child's sanitizer reports go to a file, shown when the
// child fails; the check still halts every other test (tests/unit/net/CMakeLists.txt).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/this_coro.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
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
  if (!Eventually([&] { return counter("homeroom_net_requests_total", {}) >= kClients; },
                  milliseconds(10'000))) {
    return kNotRecovered;
  }
  server.Shutdown(milliseconds(1000));
  server.Wait();
  return kOk;
}

// Set in the child's environment: the write end of the pipe that carries the port to the parent.
constexpr char kChildPortFdEnv[] = "HOMEROOM_ACCEPT_TEST_PORT_FD";
constexpr char kThisTest[] = "Server.AcceptBacksOffWithoutSpinningWhenOutOfDescriptorsAndRecovers";

// `variable`=<the caller's value>:<extra>, for the child's environment.
std::string WithOptions(const char* variable, const std::string& extra) {
  const char* inherited = std::getenv(variable);
  std::string options = inherited != nullptr ? inherited : "";
  if (!options.empty()) options += ':';
  return std::string(variable) + "=" + options + extra;
}

// The child's sanitizer reports (empty when there were none), and removes their files.
std::string TakeSanitizerLog(const std::string& log_prefix, pid_t pid) {
  const std::string path = log_prefix + "." + std::to_string(pid);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  ::unlink(path.c_str());
  return text.str();
}

TEST(Server, AcceptBacksOffWithoutSpinningWhenOutOfDescriptorsAndRecovers) {
  if (const char* fd = std::getenv(kChildPortFdEnv)) ::_exit(RunChild(std::atoi(fd)));

  const std::string sanitizer_log =
      "/tmp/homeroom-accept-test-sanitizer-" + std::to_string(::getpid());
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);  // not close-on-exec: the child writes the port to fds[1]
  // Everything the child needs is built before fork(): the test process has threads.
  std::vector<std::string> env_strings = {
      std::string(kChildPortFdEnv) + "=" + std::to_string(fds[1]),
      // UBSan recovers; ASan's runtime, which hosts UBSan's, sends the reports to the file.
      WithOptions("UBSAN_OPTIONS", "halt_on_error=0:log_path=" + sanitizer_log),
      WithOptions("ASAN_OPTIONS", "log_path=" + sanitizer_log)};
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    if (!entry.starts_with("UBSAN_OPTIONS=") && !entry.starts_with("ASAN_OPTIONS=")) {
      env_strings.emplace_back(entry);
    }
  }
  std::vector<char*> env;
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  std::string self = "/proc/self/exe";
  std::string filter = std::string("--gtest_filter=") + kThisTest;
  std::vector<char*> argv = {self.data(), filter.data(), nullptr};

  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    ::execve(self.c_str(), argv.data(), env.data());
    ::_exit(kSetupFailed);
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
  const std::string child_reports = TakeSanitizerLog(sanitizer_log, pid);
  EXPECT_EQ(WEXITSTATUS(status), kOk) << child_reports;
}

}  // namespace
}  // namespace homeroom::net
