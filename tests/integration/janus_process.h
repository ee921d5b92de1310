#pragma once

// The real Janus (the Debian package's /usr/bin/janus) for integration tests: a configuration
// written by `homeroom janus-config` in a temporary directory, and the process started on it.
//
// Ports: Janus's HTTP and admin ports are chosen below the kernel's ephemeral range (32768 and up
// by default), so that no outgoing connection of a test running beside this one can take them
// between the choice and Janus's bind; and when another test's listener takes one anyway, Janus
// exits ("Couldn't start webserver") and StartJanusOnFreePorts chooses again.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include "cli/media_commands.h"
#include "media/janus_config.h"
#include "testing/http_client.h"

namespace homeroom::testing {

inline constexpr const char* kJanus = "/usr/bin/janus";

// A TCP port on 127.0.0.1 that nothing listens on now, in [20000, 32767]: below the ephemeral
// range, so outgoing connections never take it (another test's listener still can; see above).
inline uint16_t FreeTcpPort() {
  boost::asio::io_context ioc;
  static std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> pick(20000, 32767);
  for (int attempt = 0; attempt < 100; ++attempt) {
    boost::asio::ip::tcp::acceptor a(ioc);
    boost::system::error_code ec;
    boost::asio::ip::tcp::endpoint at(boost::asio::ip::make_address("127.0.0.1"),
                                      static_cast<uint16_t>(pick(random)));
    a.open(at.protocol(), ec);
    if (!ec) a.bind(at, ec);
    if (!ec) return at.port();
  }
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

inline std::filesystem::path JanusTempDir() {
  std::string templ = (std::filesystem::temp_directory_path() / "homeroom-janus-XXXXXX").string();
  return std::filesystem::path(::mkdtemp(templ.data()));
}

// One Janus process on the written configuration in `dir`, stopped (SIGTERM, then SIGKILL) at the
// end. ready() once its API answers (at most 30 s after the start).
class JanusProcess {
 public:
  JanusProcess(const std::filesystem::path& dir, uint16_t http_port) : log_(dir / "janus.log") {
    const std::string configs = "--configs-folder=" + dir.string();
    const std::string config = "--config=" + (dir / "janus.jcfg").string();
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::execl(kJanus, kJanus, configs.c_str(), config.c_str(), "--disable-colors",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    HttpClient client(http_port);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      const bool answered = client.Get("/janus/info").result_int() == 200;
      // Whoever answered, ours must still be running (a Janus that could not bind exits).
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        exited_ = true;
        break;
      }
      if (answered) {
        ready_ = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ~JanusProcess() { Stop(); }
  JanusProcess(const JanusProcess&) = delete;
  JanusProcess& operator=(const JanusProcess&) = delete;

  // SIGKILL: Janus dies at once, as in a crash.
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 50; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    Kill();
  }
  bool ready() const { return ready_; }
  // True when the process exited before its API answered (a port taken, typically).
  bool exited_early() const { return exited_; }
  pid_t pid() const { return pid_; }
  std::string Log() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
  bool ready_ = false;
  bool exited_ = false;
};

// Chooses free HTTP and admin ports into `options`, writes the configuration into `dir` (as
// `homeroom janus-config` does) and starts Janus on it; when Janus exits at the start because a
// port was taken meanwhile, chooses new ports and tries again (at most 5 times). The result's
// ready() says whether it came up; its Log() says why not.
inline std::unique_ptr<JanusProcess> StartJanusOnFreePorts(const std::filesystem::path& dir,
                                                           media::JanusConfigOptions& options) {
  std::unique_ptr<JanusProcess> process;
  for (int attempt = 0; attempt < 5; ++attempt) {
    options.http_port = FreeTcpPort();
    options.admin_port = FreeTcpPort();
    while (options.admin_port == options.http_port) options.admin_port = FreeTcpPort();
    std::ostringstream out, err;
    EXPECT_EQ(cli::RunJanusConfig(dir, options, out, err), 0) << err.str();
    process = std::make_unique<JanusProcess>(dir, options.http_port);
    if (process->ready() || !process->exited_early()) break;
  }
  return process;
}

}  // namespace homeroom::testing
