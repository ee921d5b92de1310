#pragma once

// The real Janus (the Debian package's /usr/bin/janus) for integration tests: a configuration
// written by `homeroom janus-config` in a temporary directory, and the process started on it.
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
#include <sstream>
#include <string>
#include <thread>

#include "testing/http_client.h"

namespace homeroom::testing {

inline constexpr const char* kJanus = "/usr/bin/janus";

inline uint16_t FreeTcpPort() {
  boost::asio::io_context ioc;
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
      if (client.Get("/janus/info").result_int() == 200) {
        ready_ = true;
        break;
      }
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
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
};

}  // namespace homeroom::testing
