#include "auth/login_throttle.h"

#include <gtest/gtest.h>

#include <string>

namespace homeroom::auth {
namespace {

TEST(LoginThrottle, PairDelaysDoubleAfterTheFreeFailuresUpToTheCap) {
  ManualClock clock;
  LoginThrottle t(clock, {.pair_free_failures = 2,
                          .pair_base_delay = std::chrono::seconds(1),
                          .pair_max_delay = std::chrono::seconds(8)});
  int expected[] = {0, 0, 1, 2, 4, 8, 8, 8};
  for (int want : expected) {
    auto d = t.Check("ana", "10.0.0.1");
    ASSERT_TRUE(d.allowed);
    t.RecordFailure("ana", "10.0.0.1");
    auto next = t.Check("ana", "10.0.0.1");
    if (want == 0) {
      EXPECT_TRUE(next.allowed);
    } else {
      EXPECT_FALSE(next.allowed);
      EXPECT_EQ(next.retry_after_s, want);
      EXPECT_STREQ(next.reason, "account_ip");
      clock.Advance(want * 1000);
    }
  }
}

TEST(LoginThrottle, RefusedAttemptsDoNotMakeTheWaitLonger) {
  ManualClock clock;
  LoginThrottle t(clock, {.pair_free_failures = 0});
  t.RecordFailure("ana", "10.0.0.1");
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(t.Check("ana", "10.0.0.1").allowed);
  clock.Advance(1000);
  EXPECT_TRUE(t.Check("ana", "10.0.0.1").allowed);
}

TEST(LoginThrottle, OnlyTheFirstRefusalOfABlockIsMarkedForLogging) {
  ManualClock clock;
  LoginThrottle t(clock, {.pair_free_failures = 0});
  t.RecordFailure("ana", "10.0.0.1");
  EXPECT_TRUE(t.Check("ana", "10.0.0.1").first_refusal);
  EXPECT_FALSE(t.Check("ana", "10.0.0.1").first_refusal);
  clock.Advance(1000);
  t.RecordFailure("ana", "10.0.0.1");
  EXPECT_TRUE(t.Check("ana", "10.0.0.1").first_refusal);
}

TEST(LoginThrottle, FailuresFromOneIpNeverBlockTheAccountFromAnother) {
  ManualClock clock;
  LoginThrottle t(clock, {});
  for (int i = 0; i < 10'000; ++i) t.RecordFailure("ana", "203.0.113.1");
  EXPECT_FALSE(t.Check("ana", "203.0.113.1").allowed);
  auto real_user = t.Check("ana", "192.0.2.10");
  EXPECT_TRUE(real_user.allowed);
  // The account-wide record only slows the real user down, briefly.
  EXPECT_EQ(real_user.slow_down, t.options().account_slow_down);
  EXPECT_LE(real_user.slow_down, std::chrono::seconds(2));
}

TEST(LoginThrottle, AccountSlowDownStartsOverItsBurstAndDrains) {
  ManualClock clock;
  LoginThrottle t(clock, {.account_failure_burst = 3, .account_failures_per_minute = 60});
  for (int i = 0; i < 3; ++i) t.RecordFailure("ana", "10.0.0." + std::to_string(i));
  EXPECT_GT(t.Check("ana", "10.9.9.9").slow_down.count(), 0);
  EXPECT_EQ(t.Check("bob", "10.9.9.9").slow_down.count(), 0);
  clock.Advance(1000);  // one failure drained
  EXPECT_EQ(t.Check("ana", "10.9.9.9").slow_down.count(), 0);
}

TEST(LoginThrottle, IpBucketStopsStuffingAcrossAccountsAndDrains) {
  ManualClock clock;
  LoginThrottle t(clock, {.ip_failure_burst = 5, .ip_failures_per_minute = 60});
  for (int i = 0; i < 5; ++i) t.RecordFailure("user" + std::to_string(i), "203.0.113.9");
  auto d = t.Check("someone-new", "203.0.113.9");
  EXPECT_FALSE(d.allowed);
  EXPECT_STREQ(d.reason, "ip");
  EXPECT_EQ(d.retry_after_s, 1);
  EXPECT_TRUE(t.Check("someone-new", "198.51.100.1").allowed);
  clock.Advance(1000);
  EXPECT_TRUE(t.Check("someone-new", "203.0.113.9").allowed);
}

TEST(LoginThrottle, SuccessClearsOnlyThatPair) {
  ManualClock clock;
  LoginThrottle t(clock, {.pair_free_failures = 0});
  t.RecordFailure("ana", "10.0.0.1");
  t.RecordFailure("ana", "10.0.0.2");
  t.RecordSuccess("ana", "10.0.0.1");
  EXPECT_TRUE(t.Check("ana", "10.0.0.1").allowed);
  EXPECT_FALSE(t.Check("ana", "10.0.0.2").allowed);
}

TEST(LoginThrottle, QuietPairsAreForgotten) {
  ManualClock clock;
  LoginThrottle t(clock, {.pair_free_failures = 1, .pair_forget_after = std::chrono::minutes(10)});
  t.RecordFailure("ana", "10.0.0.1");
  t.RecordFailure("ana", "10.0.0.1");
  EXPECT_FALSE(t.Check("ana", "10.0.0.1").allowed);
  clock.Advance(10 * 60 * 1000);
  EXPECT_TRUE(t.Check("ana", "10.0.0.1").allowed);
  t.RecordFailure("ana", "10.0.0.1");  // the count starts again: free
  EXPECT_TRUE(t.Check("ana", "10.0.0.1").allowed);
}

TEST(LoginThrottle, MemoryIsBoundedWhateverTheAttackerSends) {
  ManualClock clock;
  LoginThrottle t(clock, {.max_pairs = 100, .max_ips = 50, .max_accounts = 70});
  for (int i = 0; i < 10'000; ++i) {
    t.RecordFailure("user" + std::to_string(i),
                    "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256));
  }
  EXPECT_EQ(t.pairs(), 100u);
  EXPECT_EQ(t.ips(), 50u);
  EXPECT_EQ(t.accounts(), 70u);
}

}  // namespace
}  // namespace homeroom::auth
