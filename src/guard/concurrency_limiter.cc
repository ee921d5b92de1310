#include "guard/concurrency_limiter.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace homeroom::guard {

struct ConcurrencyLimiter::Waiter {
  enum class State { kQueued, kAdmitted, kShed };
  Priority priority;
  int64_t deadline_ms;
  std::function<void()> notify;
  State state = State::kQueued;  // guarded by the limiter's mu_
};

std::string_view PriorityName(Priority priority) {
  switch (priority) {
    case Priority::kHigh:
      return "high";
    case Priority::kLogin:
      return "login";
    case Priority::kAnonymous:
      return "anonymous";
  }
  return "anonymous";
}

ConcurrencyLimiter::ConcurrencyLimiter(const Clock& clock, ConcurrencyOptions options)
    : clock_(clock),
      options_(options),
      limit_(std::clamp(options.initial_limit, options.min_limit, options.max_limit)),
      last_empty_ms_(clock.MonotonicMs()),
      window_start_ms_(clock.MonotonicMs()) {}

size_t ConcurrencyLimiter::QueuedLocked() const {
  size_t n = 0;
  for (const auto& queue : queues_) n += queue.size();
  return n;
}

ConcurrencyLimiter::Acquired ConcurrencyLimiter::Acquire(Priority priority,
                                                         std::function<void()> notify) {
  const int64_t now_ms = clock_.MonotonicMs();
  std::vector<std::function<void()>> notify_after;
  Acquired acquired = Enqueue(priority, std::move(notify), now_ms, &notify_after);
  for (auto& fn : notify_after) {
    if (fn) fn();
  }
  return acquired;
}

ConcurrencyLimiter::Acquired ConcurrencyLimiter::Enqueue(
    Priority priority, std::function<void()> notify, int64_t now_ms,
    std::vector<std::function<void()>>* notify_after) {
  std::lock_guard lock(mu_);
  DrainLocked(now_ms, notify_after);  // the limit may have grown since the last release
  Acquired acquired;
  const size_t queued = QueuedLocked();
  if (queued == 0) last_empty_ms_ = now_ms;
  if (inflight_ < static_cast<int>(limit_) && queued == 0) {
    ++inflight_;
    window_max_inflight_ = std::max(window_max_inflight_, inflight_);
    acquired.kind = Acquired::Kind::kAdmitted;
    return acquired;
  }
  if (queued >= options_.max_queue) {
    // Evict the newest request of the lowest priority below ours, or shed this one.
    std::shared_ptr<Waiter> victim;
    for (size_t p = kPriorityCount; p-- > static_cast<size_t>(priority) + 1;) {
      if (!queues_[p].empty()) {
        victim = std::move(queues_[p].back());
        queues_[p].pop_back();
        break;
      }
    }
    ++shed_;
    if (!victim) {
      acquired.kind = Acquired::Kind::kShed;
      return acquired;
    }
    victim->state = Waiter::State::kShed;
    notify_after->push_back(std::move(victim->notify));
  }
  // A standing queue (not empty for a whole interval) gets the short CoDel target.
  const bool standing = queued > 0 && now_ms - last_empty_ms_ > options_.queue_interval_ms;
  auto waiter = std::make_shared<Waiter>();
  waiter->priority = priority;
  waiter->deadline_ms = now_ms + (standing ? options_.queue_target_ms : options_.queue_interval_ms);
  waiter->notify = std::move(notify);
  queues_[static_cast<size_t>(priority)].push_back(waiter);
  acquired.kind = Acquired::Kind::kQueued;
  acquired.deadline_ms = waiter->deadline_ms;
  acquired.waiter = std::move(waiter);
  return acquired;
}

bool ConcurrencyLimiter::Resolve(const std::shared_ptr<Waiter>& waiter) {
  std::lock_guard lock(mu_);
  if (waiter->state == Waiter::State::kQueued) {
    auto& queue = queues_[static_cast<size_t>(waiter->priority)];
    queue.erase(std::remove(queue.begin(), queue.end(), waiter), queue.end());
    waiter->state = Waiter::State::kShed;
    ++shed_;
    if (QueuedLocked() == 0) last_empty_ms_ = clock_.MonotonicMs();
  }
  return waiter->state == Waiter::State::kAdmitted;
}

void ConcurrencyLimiter::Release(std::optional<double> latency_s) {
  const int64_t now_ms = clock_.MonotonicMs();
  std::vector<std::function<void()>> notify;
  {
    std::lock_guard lock(mu_);
    if (inflight_ > 0) --inflight_;
    if (latency_s) {
      window_sum_s_ += *latency_s;
      ++window_samples_;
      if (window_samples_ >= options_.min_window_samples &&
          now_ms - window_start_ms_ >= options_.window_ms) {
        UpdateLimitLocked(window_sum_s_ / window_samples_);
        window_sum_s_ = 0;
        window_samples_ = 0;
        window_start_ms_ = now_ms;
        window_max_inflight_ = inflight_;
      }
    }
    DrainLocked(now_ms, &notify);
  }
  for (auto& fn : notify) {
    if (fn) fn();
  }
}

void ConcurrencyLimiter::DrainLocked(int64_t now_ms, std::vector<std::function<void()>>* notify) {
  for (size_t p = 0; p < kPriorityCount && inflight_ < static_cast<int>(limit_); ++p) {
    auto& queue = queues_[p];
    while (!queue.empty() && inflight_ < static_cast<int>(limit_)) {
      std::shared_ptr<Waiter> next = std::move(queue.front());
      queue.pop_front();
      if (next->deadline_ms < now_ms) {
        next->state = Waiter::State::kShed;  // too late: its owner is answering 503 already
        ++shed_;
      } else {
        next->state = Waiter::State::kAdmitted;
        ++inflight_;
        window_max_inflight_ = std::max(window_max_inflight_, inflight_);
      }
      notify->push_back(std::move(next->notify));
    }
  }
  if (QueuedLocked() == 0) last_empty_ms_ = now_ms;
}

void ConcurrencyLimiter::UpdateLimitLocked(double short_latency_s) {
  if (short_latency_s <= 0) short_latency_s = 1e-6;
  if (long_latency_s_ <= 0) {
    long_latency_s_ = short_latency_s;
  } else {
    const double alpha = 2.0 / (options_.long_window_updates + 1);
    long_latency_s_ = long_latency_s_ * (1 - alpha) + short_latency_s * alpha;
  }
  // After a load drop, let the long-term average catch up faster (Gradient2).
  if (long_latency_s_ / short_latency_s > 2.0) long_latency_s_ *= 0.95;
  // Application-limited: less than half the limit used says nothing about the limit.
  if (window_max_inflight_ < limit_ / 2) return;
  const double gradient =
      std::clamp(options_.tolerance * long_latency_s_ / short_latency_s, 0.5, 1.0);
  const double headroom = std::sqrt(limit_);
  double next = limit_ * gradient + headroom;
  next = limit_ * (1 - options_.smoothing) + next * options_.smoothing;
  limit_ = std::clamp(next, static_cast<double>(options_.min_limit),
                      static_cast<double>(options_.max_limit));
}

int ConcurrencyLimiter::limit() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(limit_);
}

int ConcurrencyLimiter::inflight() const {
  std::lock_guard lock(mu_);
  return inflight_;
}

size_t ConcurrencyLimiter::queue_depth() const {
  std::lock_guard lock(mu_);
  return QueuedLocked();
}

uint64_t ConcurrencyLimiter::shed() const {
  std::lock_guard lock(mu_);
  return shed_;
}

}  // namespace homeroom::guard
