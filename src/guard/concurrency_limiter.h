#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace homeroom::guard {

// Who is served first when the server is at its concurrency limit.
enum class Priority {
  kHigh = 0,   // live-class traffic and signed-in users' API calls (a credential is present)
  kLogin = 1,  // sign-in and activation
  kAnonymous = 2,
};
inline constexpr size_t kPriorityCount = 3;
std::string_view PriorityName(Priority priority);

// The adaptive limit and its queue (docs/security.md, "Defenses" > "Admission").
struct ConcurrencyOptions {
  // Requests handled at once: the limit starts here and moves between min and max.
  int initial_limit = 200;
  int min_limit = 16;
  int max_limit = 2000;
  // Gradient2: the limit shrinks when the recent latency exceeds `tolerance` times the long-term
  // latency (and only then), by at most half per update, smoothed by `smoothing`.
  double tolerance = 2.0;
  double smoothing = 0.2;
  // Updates the long-term latency average spans (an exponential moving average).
  int long_window_updates = 100;
  // The recent latency is the mean of the samples of one update window: at least this many
  // samples and this long.
  int min_window_samples = 20;
  int64_t window_ms = 250;
  // Requests waiting for a slot at most; beyond, the lowest priority is shed (503).
  size_t max_queue = 128;
  // CoDel as in "Fail at Scale": a request waits up to `queue_interval_ms`, but only
  // `queue_target_ms` when the queue has not been empty for a whole interval (standing queue).
  int64_t queue_interval_ms = 100;
  int64_t queue_target_ms = 10;
  // Retry-After of a shed request.
  int retry_after_s = 1;
};

// A gradient-style adaptive limit on requests handled at once (Netflix concurrency-limits'
// Gradient2: limit = limit * clamp(tolerance * long_rtt / short_rtt, 0.5, 1) + sqrt(limit),
// smoothed; it does not grow while less than half of it is used), with a short priority queue
// drained highest priority first (first come, first served within a priority), CoDel-style
// timeouts, and shedding of the lowest priority first when the queue is full: a new request evicts
// the newest queued request of a lower priority, or is itself shed.
//
// Nothing here waits: Acquire() answers at once (admitted, queued or shed); a queued request is
// told through its `notify` callback when it is admitted or shed, and its owner calls Resolve()
// after being notified or at its deadline. That keeps the limiter free of any I/O library and
// deterministic under a ManualClock (guard::Admission does the asynchronous waiting).
//
// Thread-safe: one mutex; notify callbacks run after it is released, on the releasing thread.
class ConcurrencyLimiter {
 public:
  // A queued request. Opaque to callers.
  struct Waiter;

  struct Acquired {
    enum class Kind { kAdmitted, kQueued, kShed };
    Kind kind = Kind::kShed;
    std::shared_ptr<Waiter> waiter;  // kQueued only
    int64_t deadline_ms = 0;         // kQueued only: monotonic ms when to give up
  };

  ConcurrencyLimiter(const Clock& clock, ConcurrencyOptions options);

  // Admits (the caller holds a slot and must Release() it), queues, or sheds a request.
  // `notify` (queued requests only) is called once, possibly from another thread, when the request
  // leaves the queue by being admitted or shed to make room; it must be cheap and must not call
  // back into the limiter.
  Acquired Acquire(Priority priority, std::function<void()> notify);
  // The outcome of a queued request, after its notify or at its deadline: true when it was
  // admitted (it holds a slot: Release() it), false when shed or timed out (it is removed).
  bool Resolve(const std::shared_ptr<Waiter>& waiter);
  // Frees a slot and admits the next queued request. `latency_s`: the handling time of the
  // request, fed to the gradient (nullopt: not a sample, e.g. a password hash's wait).
  void Release(std::optional<double> latency_s);

  int limit() const;
  int inflight() const;
  size_t queue_depth() const;
  // Requests shed since start (queue full, evicted, or timed out in the queue).
  uint64_t shed() const;

 private:
  Acquired Enqueue(Priority priority, std::function<void()> notify, int64_t now_ms,
                   std::vector<std::function<void()>>* notify_after);
  void UpdateLimitLocked(double short_latency_s);
  // Moves queued requests into free slots; collects the callbacks to run after unlocking.
  void DrainLocked(int64_t now_ms, std::vector<std::function<void()>>* notify);
  size_t QueuedLocked() const;

  const Clock& clock_;
  const ConcurrencyOptions options_;
  mutable std::mutex mu_;
  double limit_;                                                            // guarded by mu_
  int inflight_ = 0;                                                        // guarded by mu_
  std::array<std::deque<std::shared_ptr<Waiter>>, kPriorityCount> queues_;  // guarded by mu_
  int64_t last_empty_ms_ = 0;  // guarded by mu_: last time the queue was empty
  uint64_t shed_ = 0;          // guarded by mu_
  // The current update window.
  double window_sum_s_ = 0;      // guarded by mu_
  int window_samples_ = 0;       // guarded by mu_
  int64_t window_start_ms_ = 0;  // guarded by mu_
  int window_max_inflight_ = 0;  // guarded by mu_
  double long_latency_s_ = 0;    // guarded by mu_; 0 until the first window
};

}  // namespace homeroom::guard
