#include "net/connection_limiter.h"

#include <gtest/gtest.h>

namespace homeroom::net {
namespace {

using boost::asio::ip::make_address;

TEST(ConnectionLimiter, RefusesAnAddressOverItsCapButNotOthers) {
  ConnectionLimiter limiter(10, 2);
  auto a = make_address("10.0.0.1"), b = make_address("::1");
  EXPECT_EQ(limiter.TryAcquire(a), ConnectionLimiter::Verdict::kAccepted);
  EXPECT_EQ(limiter.TryAcquire(a), ConnectionLimiter::Verdict::kAccepted);
  EXPECT_EQ(limiter.TryAcquire(a), ConnectionLimiter::Verdict::kPerIpCap);
  EXPECT_EQ(limiter.TryAcquire(b), ConnectionLimiter::Verdict::kAccepted);
  EXPECT_EQ(limiter.total(), 3u);
  limiter.Release(a);
  EXPECT_EQ(limiter.ForIp(a), 1u);
  EXPECT_EQ(limiter.TryAcquire(a), ConnectionLimiter::Verdict::kAccepted);
}

TEST(ConnectionLimiter, RefusesEveryoneOverTheGlobalCap) {
  ConnectionLimiter limiter(2, 5);
  EXPECT_EQ(limiter.TryAcquire(make_address("10.0.0.1")), ConnectionLimiter::Verdict::kAccepted);
  EXPECT_EQ(limiter.TryAcquire(make_address("10.0.0.2")), ConnectionLimiter::Verdict::kAccepted);
  EXPECT_EQ(limiter.TryAcquire(make_address("10.0.0.3")), ConnectionLimiter::Verdict::kGlobalCap);
  limiter.Release(make_address("10.0.0.1"));
  EXPECT_EQ(limiter.TryAcquire(make_address("10.0.0.3")), ConnectionLimiter::Verdict::kAccepted);
  EXPECT_EQ(limiter.ForIp(make_address("10.0.0.1")), 0u);
}

}  // namespace
}  // namespace homeroom::net
