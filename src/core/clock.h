#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace homeroom {

// Time as the rest of the code sees it: UTC epoch milliseconds for what is stored, and a monotonic
// millisecond count for deadlines and rates. Tests substitute ManualClock. Implementations are
// thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMs() const = 0;        // wall clock, UTC epoch milliseconds
  virtual int64_t MonotonicMs() const = 0;  // never goes backwards; arbitrary origin
};

class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override;
  int64_t MonotonicMs() const override;
  // The process-wide instance.
  static SystemClock& Instance();
};

// A clock that moves only when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_ms = 1'700'000'000'000) : now_ms_(now_ms), mono_ms_(0) {}
  int64_t NowMs() const override { return now_ms_.load(); }
  int64_t MonotonicMs() const override { return mono_ms_.load(); }
  void Advance(int64_t ms) {
    now_ms_ += ms;
    mono_ms_ += ms;
  }

 private:
  std::atomic<int64_t> now_ms_;
  std::atomic<int64_t> mono_ms_;
};

// Formats epoch milliseconds as ISO 8601 UTC: 2026-09-01T12:00:00.000Z.
std::string FormatIsoUtc(int64_t epoch_ms);

}  // namespace homeroom
