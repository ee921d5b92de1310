#include "storm/pacer.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>

namespace homeroom::storm {

namespace asio = boost::asio;

// Slots are kept as steady_clock ticks and the interval is computed in nanoseconds.
static_assert(std::is_same_v<TimePoint::duration, std::chrono::nanoseconds>);

Pacer::Pacer(double rate, TimePoint start, TimePoint end)
    : interval_ns_(std::max<int64_t>(1, static_cast<int64_t>(1e9 / std::max(rate, 1e-6)))),
      end_(end),
      next_ns_(start.time_since_epoch().count()) {}

TimePoint Pacer::Peek() const {
  const int64_t now = SteadyClock::now().time_since_epoch().count();
  return TimePoint(TimePoint::duration(std::max(now, next_ns_.load(std::memory_order_relaxed))));
}

asio::awaitable<bool> Pacer::Next() {
  const int64_t now = SteadyClock::now().time_since_epoch().count();
  int64_t next = next_ns_.load(std::memory_order_relaxed);
  int64_t slot;
  do {
    slot = std::max(now, next);
    if (TimePoint(TimePoint::duration(slot)) >= end_) co_return false;
  } while (!next_ns_.compare_exchange_weak(next, slot + interval_ns_, std::memory_order_relaxed));
  issued_.fetch_add(1, std::memory_order_relaxed);
  co_await SleepUntil(TimePoint(TimePoint::duration(slot)));
  co_return true;
}

asio::awaitable<void> SleepUntil(TimePoint when) {
  if (when <= SteadyClock::now()) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_at(when);
  auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  (void)ec;
}

}  // namespace homeroom::storm
