#include "app/periodic_task.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

#include "core/log.h"

namespace homeroom::app {

PeriodicTask::PeriodicTask(boost::asio::any_io_executor executor,
                           std::chrono::milliseconds interval, Body body)
    : strand_(boost::asio::make_strand(std::move(executor))),
      timer_(strand_),
      interval_(interval),
      body_(std::move(body)) {}

void PeriodicTask::Start() { Start(interval_); }

void PeriodicTask::Start(std::chrono::milliseconds first_delay) {
  boost::asio::co_spawn(strand_, Loop(first_delay), boost::asio::detached);
}

void PeriodicTask::Stop() {
  boost::asio::post(strand_, [this] {
    stopped_ = true;
    timer_.cancel();
  });
}

boost::asio::awaitable<void> PeriodicTask::Loop(std::chrono::milliseconds delay) {
  while (!stopped_) {
    timer_.expires_after(delay);
    delay = interval_;
    boost::system::error_code ec;
    co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    if (ec || stopped_) co_return;
    // A run that throws is logged and the next one still comes (detached: nobody else would see).
    try {
      co_await body_();
    } catch (const std::exception& e) {
      log::Error("periodic_task_failed", {{"error", e.what()}});
    }
  }
}

}  // namespace homeroom::app
