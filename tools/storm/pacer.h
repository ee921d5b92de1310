#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>

#include "storm/http_client.h"

namespace homeroom::storm {

// Spreads operations evenly at `rate` per second over any number of coroutines that share it:
// each Next() takes the next free time slot and sleeps until it. Slots missed because every worker
// was busy are not made up later (no burst after a stall). Thread-safe.
class Pacer {
 public:
  // Slots start at `start`; none is handed out at or after `end`.
  Pacer(double rate, TimePoint start, TimePoint end);

  // Waits for the next slot; false (at once) when the next slot is at or after the end.
  boost::asio::awaitable<bool> Next();
  // The slot Next() would take now, without taking it (for tests).
  TimePoint Peek() const;
  uint64_t issued() const { return issued_.load(std::memory_order_relaxed); }

 private:
  const int64_t interval_ns_;
  const TimePoint end_;
  std::atomic<int64_t> next_ns_;  // time_since_epoch of the next free slot
  std::atomic<uint64_t> issued_{0};
};

// Sleeps until `when` (returns at once when it has passed). Never throws.
boost::asio::awaitable<void> SleepUntil(TimePoint when);

}  // namespace homeroom::storm
