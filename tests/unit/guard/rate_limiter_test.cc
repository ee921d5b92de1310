#include "guard/rate_limiter.h"

#include <gtest/gtest.h>

namespace homeroom::guard {
namespace {

namespace asio = boost::asio;

asio::ip::address Ip(const char* text) { return asio::ip::make_address(text); }

TEST(TokenBucket, StartsFullAndRefillsAtItsRate) {
  const RateLimit limit{2, 3};
  TokenBucket bucket(limit, 0);
  int64_t wait_ms = 0;
  EXPECT_TRUE(bucket.Take(limit, 0, &wait_ms));
  EXPECT_TRUE(bucket.Take(limit, 0, &wait_ms));
  EXPECT_TRUE(bucket.Take(limit, 0, &wait_ms));
  EXPECT_FALSE(bucket.Take(limit, 0, &wait_ms));
  EXPECT_EQ(wait_ms, 500);  // one token at 2/s
  EXPECT_FALSE(bucket.Take(limit, 499, &wait_ms));
  EXPECT_TRUE(bucket.Take(limit, 500, &wait_ms));
  EXPECT_FALSE(bucket.Full(limit, 500));
  EXPECT_TRUE(bucket.Full(limit, 2000));
}

TEST(TokenBucket, ZeroRateMeansNoLimit) {
  const RateLimit none;
  TokenBucket bucket(none, 0);
  int64_t wait_ms = 0;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(bucket.Take(none, 0, &wait_ms));
}

RateLimiterOptions Small() {
  RateLimiterOptions options;
  options.For(RouteClass::kApiRead) = {{1, 3}, {1, 5}, {1, 2}};
  options.For(RouteClass::kLogin) = {{1, 1}, {}, {}};
  return options;
}

TEST(RateLimiter, LimitsOneHostAndLetsAnotherThrough) {
  ManualClock clock;
  RateLimiter limiter(clock, Small());
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(limiter.CheckSource(Ip("127.0.1.1"), RouteClass::kApiRead, false).allowed());
  }
  RateVerdict refused = limiter.CheckSource(Ip("127.0.1.1"), RouteClass::kApiRead, false);
  EXPECT_EQ(refused.kind, RateVerdict::Kind::kIpLimited);
  EXPECT_EQ(refused.retry_after_s, 1);
  EXPECT_TRUE(limiter.CheckSource(Ip("127.0.2.1"), RouteClass::kApiRead, false).allowed());
  clock.Advance(1000);
  EXPECT_TRUE(limiter.CheckSource(Ip("127.0.1.1"), RouteClass::kApiRead, false).allowed());
}

TEST(RateLimiter, ClassesHaveSeparateBuckets) {
  ManualClock clock;
  RateLimiter limiter(clock, Small());
  EXPECT_TRUE(limiter.CheckSource(Ip("127.0.1.1"), RouteClass::kLogin, false).allowed());
  EXPECT_FALSE(limiter.CheckSource(Ip("127.0.1.1"), RouteClass::kLogin, false).allowed());
  EXPECT_TRUE(limiter.CheckSource(Ip("127.0.1.1"), RouteClass::kApiRead, false).allowed());
}

TEST(RateLimiter, SubnetBucketCatchesManyHostsOfOneSubnet) {
  ManualClock clock;
  RateLimiter limiter(clock, Small());
  for (int i = 1; i <= 5; ++i) {
    const std::string ip = "127.0.9." + std::to_string(i);
    EXPECT_TRUE(limiter.CheckSource(Ip(ip.c_str()), RouteClass::kApiRead, false).allowed());
  }
  RateVerdict refused = limiter.CheckSource(Ip("127.0.9.77"), RouteClass::kApiRead, false);
  EXPECT_EQ(refused.kind, RateVerdict::Kind::kSubnetLimited);
  EXPECT_TRUE(limiter.CheckSource(Ip("127.0.10.1"), RouteClass::kApiRead, false).allowed());
  // The refused request's host token was given back: that host still has its whole burst.
  clock.Advance(1000);  // one subnet token
  EXPECT_TRUE(limiter.CheckSource(Ip("127.0.9.77"), RouteClass::kApiRead, false).allowed());
}

TEST(RateLimiter, AccountBucketIsPerAccount) {
  ManualClock clock;
  RateLimiter limiter(clock, Small());
  EXPECT_TRUE(limiter.CheckAccount(7, RouteClass::kApiRead).allowed());
  EXPECT_TRUE(limiter.CheckAccount(7, RouteClass::kApiRead).allowed());
  RateVerdict refused = limiter.CheckAccount(7, RouteClass::kApiRead);
  EXPECT_EQ(refused.kind, RateVerdict::Kind::kAccountLimited);
  EXPECT_GE(refused.retry_after_s, 1);
  EXPECT_TRUE(limiter.CheckAccount(8, RouteClass::kApiRead).allowed());
}

TEST(RateLimiter, IdleKeysAreForgottenWhenTheTableIsFull) {
  ManualClock clock;
  RateLimiterOptions options = Small();
  options.For(RouteClass::kApiRead).subnet = {};
  options.max_source_keys = 16;  // one per shard
  RateLimiter limiter(clock, options);
  for (int i = 0; i < 200; ++i) {
    const std::string ip = "127.1." + std::to_string(i / 200) + "." + std::to_string(i % 200);
    limiter.CheckSource(Ip(ip.c_str()), RouteClass::kApiRead, false);
    clock.Advance(5000);  // each key is idle (full) again before the next arrives
  }
  EXPECT_LE(limiter.source_keys(), 16u);
}

TEST(RateLimiter, FullTableRefusesNewAnonymousSourcesButNotCredentialedOnes) {
  ManualClock clock;
  RateLimiterOptions options = Small();
  options.For(RouteClass::kApiRead).subnet = {};
  options.max_source_keys = 16;
  RateLimiter limiter(clock, options);
  int refused_full = 0;
  for (int i = 0; i < 200; ++i) {  // active keys, no time passes: shards fill up
    const std::string ip = "127.2.0." + std::to_string(i);
    RateVerdict v = limiter.CheckSource(Ip(ip.c_str()), RouteClass::kApiRead, false);
    if (v.table_full) {
      ++refused_full;
      EXPECT_FALSE(v.allowed());
      EXPECT_EQ(v.retry_after_s, 1);
    }
  }
  EXPECT_GT(refused_full, 0);
  EXPECT_LE(limiter.source_keys(), 16u);
  bool saw_full_credentialed = false;
  for (int i = 200; i < 255; ++i) {
    const std::string ip = "127.2.0." + std::to_string(i);
    RateVerdict v = limiter.CheckSource(Ip(ip.c_str()), RouteClass::kApiRead, true);
    EXPECT_TRUE(v.allowed());
    saw_full_credentialed |= v.table_full;
  }
  EXPECT_TRUE(saw_full_credentialed);
}

TEST(RateLimiter, FullAccountTableNeverRefuses) {
  ManualClock clock;
  RateLimiterOptions options = Small();
  options.max_account_keys = 16;
  RateLimiter limiter(clock, options);
  for (int64_t user = 1; user <= 500; ++user) {
    EXPECT_TRUE(limiter.CheckAccount(user, RouteClass::kApiRead).allowed());
  }
  EXPECT_LE(limiter.account_keys(), 16u);
}

TEST(RateLimiter, DefaultsLetFourHundredPupilsBehindOneAddressOpenTheirHomework) {
  ManualClock clock;
  RateLimiter limiter(clock, RateLimiterOptions{});
  // 400 pupils on one NAT address each load 5 API calls within 10 seconds.
  int refused = 0;
  for (int tick = 0; tick < 100; ++tick) {  // 100 ms steps
    for (int i = 0; i < 20; ++i) {
      if (!limiter.CheckSource(Ip("198.18.0.1"), RouteClass::kApiRead, true).allowed()) ++refused;
    }
    clock.Advance(100);
  }
  EXPECT_EQ(refused, 0);
  // And all of them join their live rooms at the bell.
  for (int i = 0; i < 400; ++i) {
    if (!limiter.CheckSource(Ip("198.18.0.1"), RouteClass::kLive, true).allowed()) ++refused;
  }
  EXPECT_EQ(refused, 0);
}

}  // namespace
}  // namespace homeroom::guard
