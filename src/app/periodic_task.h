#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <functional>

namespace homeroom::app {

// Runs a coroutine every `interval` on a strand of a server's io_context until Stop().
//
// Stop() may be called from any thread at any moment, even before the first run has begun: the
// stop flag and the timer belong to the strand, so a stop can never fall between the loop's check
// and its wait. (A cancel that lands before the wait is armed is lost; the timer then keeps the
// io_context busy forever and the server's Wait() never returns. That race hung tests that stop a
// server right after starting it.)
class PeriodicTask {
 public:
  using Body = std::function<boost::asio::awaitable<void>()>;

  PeriodicTask(boost::asio::any_io_executor executor, std::chrono::milliseconds interval,
               Body body);
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // The first run is one interval after Start(), or `first_delay` after it.
  void Start();
  void Start(std::chrono::milliseconds first_delay);
  // No run begins after this; a run in progress finishes. The task must outlive its io_context's
  // threads (they may still be finishing a run).
  void Stop();

 private:
  boost::asio::awaitable<void> Loop(std::chrono::milliseconds delay);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::asio::steady_timer timer_;  // strand_ only
  std::chrono::milliseconds interval_;
  Body body_;
  bool stopped_ = false;  // strand_ only
};

}  // namespace homeroom::app
