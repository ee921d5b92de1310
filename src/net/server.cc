#include "net/server.h"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <exception>
#include <string_view>

#include "core/log.h"
#include "net/connection.h"
#include "net/session.h"

namespace homeroom::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Refusals are written with one non-blocking write and no wait: cheap enough to do on the accept
// path, and a client that is not reading simply gets the close.
constexpr std::string_view kRefusal =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Content-Type: application/json\r\n"
    "Cache-Control: no-store\r\n"
    "Retry-After: 1\r\n"
    "Connection: close\r\n"
    "Content-Length: 84\r\n"
    "\r\n"
    R"({"error":{"code":"unavailable","message":"too many connections, try again shortly"}})";

void LogException(std::string_view what, std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    log::Error("net_coroutine_failed", {{"where", what}, {"what", ex.what()}});
  } catch (...) {
    log::Error("net_coroutine_failed", {{"where", what}, {"what", "unknown exception"}});
  }
}

}  // namespace

std::string ConnectionInfo::RemoteIp() const {
  if (remote.is_v6() && remote.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, remote.to_v6()).to_string();
  }
  return remote.to_string();
}

Server::Server(ServerOptions options, HttpHandler& handler, metrics::Registry& metrics,
               std::string name)
    : options_(std::move(options)),
      handler_(handler),
      name_(std::move(name)),
      metrics_(metrics, name_),
      limiter_(ConnectionCaps{options_.max_connections, options_.max_connections_per_ip,
                              options_.max_connections_per_subnet, options_.trusted_proxies,
                              options_.pressure_on_fraction, options_.pressure_off_fraction},
               [gauge = &metrics_.idle_timeout_shortened](bool on) { gauge->Set(on ? 1 : 0); }),
      ioc_(std::make_unique<asio::io_context>(options_.io_threads > 0 ? options_.io_threads : 1)),
      control_(asio::make_strand(*ioc_)),
      acceptor_(std::make_unique<tcp::acceptor>(*control_)),
      shutdown_timer_(std::make_unique<asio::steady_timer>(*control_)) {
  static_assert(kRefusal.size() - kRefusal.find("\r\n\r\n") - 4 == 84,
                "Content-Length of kRefusal");
}

Server::~Server() {
  bool started;
  {
    std::lock_guard lock(mu_);
    started = started_;
  }
  if (started) {
    Shutdown(std::chrono::milliseconds(0));
    Wait();
  }
  {
    std::lock_guard lock(mu_);
    destroying_ = true;
  }
  acceptor_.reset();
  shutdown_timer_.reset();
  control_.reset();
  ioc_.reset();  // destroys any coroutine frame still pending; their sessions unregister
}

Status Server::Listen(const std::string& host_port) {
  auto colon = host_port.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("listen address needs host:port");
  std::string host = host_port.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned long port_number = 0;
  try {
    size_t used = 0;
    port_number = std::stoul(host_port.substr(colon + 1), &used);
    if (used != host_port.size() - colon - 1 || port_number > 65535) throw std::out_of_range("");
  } catch (const std::exception&) {
    return Status::InvalidArgument("invalid port in listen address '" + host_port + "'");
  }
  error_code ec;
  auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) return Status::InvalidArgument("invalid host in listen address '" + host_port + "'");
  tcp::endpoint endpoint(address, static_cast<uint16_t>(port_number));

  auto fail = [&](const char* step) {
    return Status::Unavailable(
        std::string("cannot listen on ") + host_port + ": " + step + ": " + ec.message(), 0);
  };
  acceptor_->open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("SO_REUSEADDR");
  acceptor_->bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor_->listen(options_.listen_backlog, ec);
  if (ec) return fail("listen");
  port_ = acceptor_->local_endpoint(ec).port();
  return Status::Ok();
}

void Server::Start() {
  std::lock_guard lock(mu_);
  HR_CHECK(!started_, "Server::Start called twice");
  started_ = true;
  if (!draining_) work_.emplace(ioc_->get_executor());
  if (acceptor_->is_open() && !draining_) {
    asio::co_spawn(*control_, AcceptLoop(),
                   [](std::exception_ptr e) { LogException("accept", e); });
  }
  int n = options_.io_threads > 0 ? options_.io_threads : 1;
  for (int i = 0; i < n; ++i) {
    threads_.emplace_back([this] {
      for (;;) {
        try {
          ioc_->run();
          return;
        } catch (const std::exception& e) {
          // A bug in a handler must not take the I/O thread down; keep serving.
          log::Error("net_io_thread_exception", {{"server", name_}, {"what", e.what()}});
        }
      }
    });
  }
}

asio::awaitable<void> Server::AcceptLoop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_->async_accept(asio::make_strand(*ioc_), kTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_->is_open()) co_return;
      namespace errc = boost::system::errc;
      if (ec == errc::too_many_files_open || ec == errc::too_many_files_open_in_system ||
          ec == errc::no_buffer_space || ec == errc::not_enough_memory) {
        metrics_.accept_fd_exhausted.Inc();
      } else {
        metrics_.accept_other.Inc();
      }
      // Back off instead of spinning: the pending connection stays in the backlog until a
      // descriptor frees up.
      asio::steady_timer backoff(*control_, options_.accept_error_backoff);
      co_await backoff.async_wait(kTuple);
      continue;
    }
    StartSession(std::move(socket));
  }
}

void Server::RefuseConnection(tcp::socket& socket, std::string_view /*why*/) {
  error_code ec;
  socket.non_blocking(true, ec);
  socket.write_some(asio::buffer(kRefusal), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

void Server::StartSession(tcp::socket socket) {
  error_code ec;
  tcp::endpoint remote = socket.remote_endpoint(ec);
  if (ec) return;  // the peer is already gone
  uint64_t id;
  {
    std::lock_guard lock(mu_);
    if (draining_) {
      metrics_.refused_shutting_down.Inc();
      RefuseConnection(socket, "shutting down");
      return;
    }
    id = next_id_++;
  }
  if (gate_ != nullptr && !gate_->AllowConnection(remote.address())) {
    metrics_.refused_blocked.Inc();
    Report(guard::ConnectionEvent::kRefusedBlocked, remote.address());
    socket.close(ec);  // no answer: a blocked source learns nothing and costs nothing more
    return;
  }
  auto verdict = limiter_.TryAcquire(remote.address());
  // Only the accept loop takes slots, so the one an eviction gives back is still free here.
  if (verdict == ConnectionLimiter::Verdict::kGlobalCap && options_.evict_idle_unauthenticated &&
      EvictOldestIdle()) {
    verdict = limiter_.TryAcquire(remote.address());
  }
  switch (verdict) {
    case ConnectionLimiter::Verdict::kAccepted:
      break;
    case ConnectionLimiter::Verdict::kGlobalCap:
      metrics_.refused_global_cap.Inc();
      Report(guard::ConnectionEvent::kRefusedCap, remote.address());
      RefuseConnection(socket, "global cap");
      return;
    case ConnectionLimiter::Verdict::kPerIpCap:
      metrics_.refused_per_ip_cap.Inc();
      Report(guard::ConnectionEvent::kRefusedCap, remote.address());
      RefuseConnection(socket, "per-ip cap");
      return;
    case ConnectionLimiter::Verdict::kPerSubnetCap:
      metrics_.refused_per_subnet_cap.Inc();
      Report(guard::ConnectionEvent::kRefusedCap, remote.address());
      RefuseConnection(socket, "per-subnet cap");
      return;
  }
  socket.set_option(tcp::no_delay(true), ec);
  if (options_.send_buffer_bytes > 0) {
    socket.set_option(asio::socket_base::send_buffer_size(options_.send_buffer_bytes), ec);
  }
  metrics_.accepted.Inc();
  metrics_.open_connections.Add(1);

  ConnectionInfo conn;
  conn.remote = remote.address();
  conn.remote_port = remote.port();
  conn.id = id;
  conn.authenticated_flag = std::make_shared<std::atomic<bool>>(false);
  auto session = std::make_shared<Session>(*this, std::move(socket), std::move(conn));
  {
    std::lock_guard lock(mu_);
    sessions_.emplace(id, session);
  }
  auto executor = session->executor();
  asio::co_spawn(executor, Session::Run(std::move(session)),
                 [](std::exception_ptr e) { LogException("session", e); });
}

void Server::Unregister(uint64_t id, const asio::ip::address& remote, bool release_slot) {
  if (release_slot) limiter_.Release(remote);
  metrics_.open_connections.Add(-1);
  std::lock_guard lock(mu_);
  sessions_.erase(id);
  if (draining_ && sessions_.empty()) FinishShutdownLocked();
}

void Server::EnterIdle(const std::shared_ptr<Session>& session, IdleHook& hook) {
  std::lock_guard lock(idle_mu_);
  if (hook.listed || hook.evicted) return;
  hook.position = idle_.insert(idle_.end(), IdleEntry{session.get(), session});
  hook.listed = true;
}

bool Server::LeaveIdle(IdleHook& hook) {
  std::lock_guard lock(idle_mu_);
  if (hook.listed) {
    idle_.erase(hook.position);
    hook.listed = false;
  }
  return !hook.evicted;
}

bool Server::EvictOldestIdle() {
  std::shared_ptr<Session> victim;
  {
    std::lock_guard lock(idle_mu_);
    while (!victim && !idle_.empty()) {
      IdleEntry entry = idle_.front();
      idle_.pop_front();
      entry.session->idle_.listed = false;
      // A session whose last reference is going away is skipped: it gives its slot back itself.
      victim = entry.weak.lock();
      if (victim) victim->idle_.evicted = true;
    }
  }
  if (!victim) return false;
  const asio::ip::address remote = victim->connection().remote;
  limiter_.Release(remote);
  metrics_.evicted.Inc();
  Report(guard::ConnectionEvent::kEvicted, remote);
  auto executor = victim->executor();
  asio::post(executor, [victim = std::move(victim)] { victim->ForceClose(); });
  return true;
}

bool Server::Adopt(uint64_t id, std::weak_ptr<Connection> connection) {
  std::lock_guard lock(mu_);
  sessions_[id] = std::move(connection);
  return draining_;
}

void Server::Shutdown(std::chrono::milliseconds deadline) {
  std::vector<std::shared_ptr<Connection>> sessions;
  {
    std::lock_guard lock(mu_);
    if (draining_) return;
    draining_ = true;
    for (auto& [id, weak] : sessions_) {
      if (auto s = weak.lock()) sessions.push_back(std::move(s));
    }
    if (!started_) {
      error_code ec;
      acceptor_->close(ec);
      return;
    }
  }
  asio::dispatch(*control_, [this, deadline] {
    error_code ec;
    acceptor_->close(ec);
    {
      std::lock_guard lock(mu_);
      if (finished_) return;  // the last session ended first; nothing to wait for
    }
    shutdown_timer_->expires_after(deadline);
    shutdown_timer_->async_wait([this](error_code ec) {
      if (!ec) OnDeadline();
    });
  });
  for (auto& s : sessions) {
    asio::dispatch(s->executor(), [s] { s->BeginDrain(); });
  }
  std::lock_guard lock(mu_);
  if (sessions_.empty()) FinishShutdownLocked();
}

void Server::OnDeadline() {
  std::vector<std::shared_ptr<Connection>> sessions;
  {
    std::lock_guard lock(mu_);
    if (finished_) return;
    for (auto& [id, weak] : sessions_) {
      if (auto s = weak.lock()) sessions.push_back(std::move(s));
    }
  }
  for (auto& s : sessions) {
    asio::dispatch(s->executor(), [s] { s->ForceClose(); });
  }
  // A handler may still be awaiting something the closed socket cannot cancel; stop serving after
  // a grace period so that Wait() returns. Remaining coroutine frames die with the io_context.
  shutdown_timer_->expires_after(options_.shutdown_stop_grace);
  shutdown_timer_->async_wait([this](error_code ec) {
    if (ec) return;
    bool finished;
    {
      std::lock_guard lock(mu_);
      finished = finished_;
    }
    if (!finished) {
      log::Warn("net_shutdown_forced", {{"server", name_}});
      ioc_->stop();
    }
  });
}

void Server::FinishShutdownLocked() {
  if (finished_) return;
  finished_ = true;
  work_.reset();
  if (destroying_) return;
  asio::post(*control_, [this] { shutdown_timer_->cancel(); });
  done_cv_.notify_all();
}

void Server::Wait() {
  std::lock_guard wait_lock(wait_mu_);
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
}

}  // namespace homeroom::net
