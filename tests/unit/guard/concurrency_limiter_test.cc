#include "guard/concurrency_limiter.h"

#include <gtest/gtest.h>

#include <vector>

namespace homeroom::guard {
namespace {

using Kind = ConcurrencyLimiter::Acquired::Kind;

ConcurrencyOptions Fixed(int limit, size_t queue) {
  ConcurrencyOptions options;
  options.initial_limit = limit;
  options.min_limit = 1;
  options.max_limit = 1000;
  options.max_queue = queue;
  return options;
}

TEST(ConcurrencyLimiter, AdmitsUpToTheLimitThenQueues) {
  ManualClock clock;
  ConcurrencyLimiter limiter(clock, Fixed(2, 4));
  EXPECT_EQ(limiter.Acquire(Priority::kHigh, nullptr).kind, Kind::kAdmitted);
  EXPECT_EQ(limiter.Acquire(Priority::kHigh, nullptr).kind, Kind::kAdmitted);
  bool notified = false;
  auto queued = limiter.Acquire(Priority::kHigh, [&] { notified = true; });
  EXPECT_EQ(queued.kind, Kind::kQueued);
  EXPECT_EQ(limiter.inflight(), 2);
  EXPECT_EQ(limiter.queue_depth(), 1u);
  limiter.Release(std::nullopt);
  EXPECT_TRUE(notified);
  EXPECT_TRUE(limiter.Resolve(queued.waiter));
  EXPECT_EQ(limiter.inflight(), 2);
  EXPECT_EQ(limiter.queue_depth(), 0u);
}

TEST(ConcurrencyLimiter, ServesHigherPrioritiesFirst) {
  ManualClock clock;
  ConcurrencyLimiter limiter(clock, Fixed(1, 8));
  ASSERT_EQ(limiter.Acquire(Priority::kHigh, nullptr).kind, Kind::kAdmitted);
  std::vector<std::string> order;
  auto anonymous = limiter.Acquire(Priority::kAnonymous, [&] { order.push_back("anonymous"); });
  auto login = limiter.Acquire(Priority::kLogin, [&] { order.push_back("login"); });
  auto high = limiter.Acquire(Priority::kHigh, [&] { order.push_back("high"); });
  for (int i = 0; i < 3; ++i) limiter.Release(std::nullopt);
  EXPECT_EQ(order, (std::vector<std::string>{"high", "login", "anonymous"}));
  EXPECT_TRUE(limiter.Resolve(high.waiter));
  EXPECT_TRUE(limiter.Resolve(login.waiter));
  EXPECT_TRUE(limiter.Resolve(anonymous.waiter));
}

TEST(ConcurrencyLimiter, FullQueueShedsTheLowestPriorityFirst) {
  ManualClock clock;
  ConcurrencyLimiter limiter(clock, Fixed(1, 2));
  ASSERT_EQ(limiter.Acquire(Priority::kHigh, nullptr).kind, Kind::kAdmitted);
  bool anonymous_told = false;
  auto anonymous = limiter.Acquire(Priority::kAnonymous, [&] { anonymous_told = true; });
  auto login = limiter.Acquire(Priority::kLogin, nullptr);
  ASSERT_EQ(anonymous.kind, Kind::kQueued);
  ASSERT_EQ(login.kind, Kind::kQueued);
  // A signed-in request evicts the anonymous one.
  auto high = limiter.Acquire(Priority::kHigh, nullptr);
  EXPECT_EQ(high.kind, Kind::kQueued);
  EXPECT_TRUE(anonymous_told);
  EXPECT_FALSE(limiter.Resolve(anonymous.waiter));
  // Another anonymous one finds nobody below it: shed at once.
  EXPECT_EQ(limiter.Acquire(Priority::kAnonymous, nullptr).kind, Kind::kShed);
  // A signed-in one evicts the login.
  EXPECT_EQ(limiter.Acquire(Priority::kHigh, nullptr).kind, Kind::kQueued);
  EXPECT_FALSE(limiter.Resolve(login.waiter));
  // Only signed-in requests are queued now: a further one is shed.
  EXPECT_EQ(limiter.Acquire(Priority::kHigh, nullptr).kind, Kind::kShed);
  EXPECT_EQ(limiter.shed(), 4u);
}

TEST(ConcurrencyLimiter, QueuedRequestTimesOutAtItsDeadline) {
  ManualClock clock;
  ConcurrencyOptions options = Fixed(1, 8);
  ConcurrencyLimiter limiter(clock, options);
  ASSERT_EQ(limiter.Acquire(Priority::kHigh, nullptr).kind, Kind::kAdmitted);
  auto queued = limiter.Acquire(Priority::kHigh, nullptr);
  EXPECT_EQ(queued.deadline_ms, clock.MonotonicMs() + options.queue_interval_ms);
  clock.Advance(options.queue_interval_ms);
  EXPECT_FALSE(limiter.Resolve(queued.waiter));  // its owner gave up at the deadline
  EXPECT_EQ(limiter.queue_depth(), 0u);
  limiter.Release(std::nullopt);
  EXPECT_EQ(limiter.inflight(), 0);
}

TEST(ConcurrencyLimiter, StandingQueueGetsTheShortCoDelTarget) {
  ManualClock clock;
  ConcurrencyOptions options = Fixed(1, 64);
  ConcurrencyLimiter limiter(clock, options);
  ASSERT_EQ(limiter.Acquire(Priority::kHigh, nullptr).kind, Kind::kAdmitted);
  auto first = limiter.Acquire(Priority::kHigh, nullptr);
  EXPECT_EQ(first.deadline_ms - clock.MonotonicMs(), options.queue_interval_ms);
  // The queue stays non-empty for longer than an interval: new arrivals wait only the target.
  std::vector<ConcurrencyLimiter::Acquired> kept;
  for (int i = 0; i < 12; ++i) {
    clock.Advance(10);
    kept.push_back(limiter.Acquire(Priority::kHigh, nullptr));
  }
  EXPECT_EQ(kept.back().deadline_ms - clock.MonotonicMs(), options.queue_target_ms);
  for (auto& k : kept) limiter.Resolve(k.waiter);
  limiter.Resolve(first.waiter);
  // Once empty, the full interval applies again.
  auto later = limiter.Acquire(Priority::kHigh, nullptr);
  EXPECT_EQ(later.deadline_ms - clock.MonotonicMs(), options.queue_interval_ms);
  limiter.Resolve(later.waiter);
}

// Runs `windows` update windows at `inflight` concurrent requests of `latency_s` each.
void Load(ManualClock& clock, ConcurrencyLimiter& limiter, const ConcurrencyOptions& options,
          int windows, int inflight, double latency_s) {
  for (int w = 0; w < windows; ++w) {
    for (int i = 0; i < options.min_window_samples; ++i) {
      std::vector<ConcurrencyLimiter::Acquired> held;
      for (int j = 0; j < inflight; ++j) held.push_back(limiter.Acquire(Priority::kHigh, nullptr));
      for (auto& h : held) {
        if (h.kind == Kind::kAdmitted) {
          limiter.Release(latency_s);
        } else if (h.kind == Kind::kQueued && limiter.Resolve(h.waiter)) {
          limiter.Release(latency_s);
        }
      }
    }
    clock.Advance(options.window_ms);
  }
}

TEST(ConcurrencyLimiter, LimitShrinksWhenLatencyRisesAndRecoversWhenItFalls) {
  ManualClock clock;
  ConcurrencyOptions options;
  options.initial_limit = 100;
  options.min_limit = 10;
  options.max_limit = 400;
  options.max_queue = 1000;
  ConcurrencyLimiter limiter(clock, options);
  Load(clock, limiter, options, 20, 100, 0.010);  // baseline: 10 ms at full use
  const int baseline = limiter.limit();
  EXPECT_GE(baseline, 100);                            // no congestion: it grew by its headroom
  Load(clock, limiter, options, 10, baseline, 0.050);  // latency x5: congestion
  const int congested = limiter.limit();
  EXPECT_LT(congested, baseline * 3 / 4);
  EXPECT_GE(congested, options.min_limit);
  Load(clock, limiter, options, 40, congested, 0.010);  // back to normal
  EXPECT_GT(limiter.limit(), congested);
}

TEST(ConcurrencyLimiter, LimitDoesNotGrowWhileLittleOfItIsUsed) {
  ManualClock clock;
  ConcurrencyOptions options;
  options.initial_limit = 100;
  ConcurrencyLimiter limiter(clock, options);
  Load(clock, limiter, options, 20, 10, 0.010);
  EXPECT_EQ(limiter.limit(), 100);
}

}  // namespace
}  // namespace homeroom::guard
