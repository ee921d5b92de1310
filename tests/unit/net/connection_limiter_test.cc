#include "net/connection_limiter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace homeroom::net {
namespace {

using boost::asio::ip::make_address;
using Verdict = ConnectionLimiter::Verdict;

ConnectionCaps Caps(size_t total, size_t per_host, size_t per_subnet) {
  ConnectionCaps caps;
  caps.max_total = total;
  caps.max_per_host = per_host;
  caps.max_per_subnet = per_subnet;
  return caps;
}

TEST(ConnectionLimiter, RefusesAnAddressOverItsCapButNotOthers) {
  ConnectionLimiter limiter(Caps(10, 2, 100));
  auto a = make_address("10.0.0.1"), b = make_address("::1");
  EXPECT_EQ(limiter.TryAcquire(a), Verdict::kAccepted);
  EXPECT_EQ(limiter.TryAcquire(a), Verdict::kAccepted);
  EXPECT_EQ(limiter.TryAcquire(a), Verdict::kPerIpCap);
  EXPECT_EQ(limiter.TryAcquire(b), Verdict::kAccepted);
  EXPECT_EQ(limiter.total(), 3u);
  limiter.Release(a);
  EXPECT_EQ(limiter.ForHost(a), 1u);
  EXPECT_EQ(limiter.TryAcquire(a), Verdict::kAccepted);
}

TEST(ConnectionLimiter, ATrustedProxyIsSparedThePerIpCapsButNotTheGlobalCap) {
  ConnectionCaps caps = Caps(4, 1, 1);
  std::vector<std::string> proxies = {"10.0.0.9"};
  caps.uncapped = *guard::TrustedProxies::Parse(proxies);
  ConnectionLimiter limiter(caps);
  auto proxy = make_address("10.0.0.9");
  EXPECT_EQ(limiter.TryAcquire(proxy), Verdict::kAccepted);
  EXPECT_EQ(limiter.TryAcquire(proxy), Verdict::kAccepted);
  EXPECT_EQ(limiter.TryAcquire(proxy), Verdict::kAccepted);
  EXPECT_EQ(limiter.TryAcquire(make_address("10.0.0.1")), Verdict::kPerSubnetCap);
  EXPECT_EQ(limiter.TryAcquire(make_address("10.0.1.1")), Verdict::kAccepted);
  EXPECT_EQ(limiter.TryAcquire(proxy), Verdict::kGlobalCap);
}

TEST(ConnectionLimiter, RefusesEveryoneOverTheGlobalCap) {
  ConnectionLimiter limiter(Caps(2, 5, 100));
  EXPECT_EQ(limiter.TryAcquire(make_address("10.0.0.1")), Verdict::kAccepted);
  EXPECT_EQ(limiter.TryAcquire(make_address("10.0.0.2")), Verdict::kAccepted);
  EXPECT_EQ(limiter.TryAcquire(make_address("10.0.0.3")), Verdict::kGlobalCap);
  limiter.Release(make_address("10.0.0.1"));
  EXPECT_EQ(limiter.TryAcquire(make_address("10.0.0.3")), Verdict::kAccepted);
  EXPECT_EQ(limiter.ForHost(make_address("10.0.0.1")), 0u);
}

TEST(ConnectionLimiter, CountsIpv6ClientsByTheirSlash64) {
  ConnectionLimiter limiter(Caps(10, 2, 100));
  EXPECT_EQ(limiter.TryAcquire(make_address("2001:db8:1:2::1")), Verdict::kAccepted);
  EXPECT_EQ(limiter.TryAcquire(make_address("2001:db8:1:2::2")), Verdict::kAccepted);
  // Another privacy address of the same /64 is the same client.
  EXPECT_EQ(limiter.TryAcquire(make_address("2001:db8:1:2:ffff::3")), Verdict::kPerIpCap);
  EXPECT_EQ(limiter.TryAcquire(make_address("2001:db8:1:3::1")), Verdict::kAccepted);
  EXPECT_EQ(limiter.ForHost(make_address("2001:db8:1:2::9")), 2u);
}

TEST(ConnectionLimiter, RefusesASubnetOverItsAggregateCapWhileOtherSubnetsAreServed) {
  ConnectionLimiter limiter(Caps(100, 2, 3));
  EXPECT_EQ(limiter.TryAcquire(make_address("127.0.1.1")), Verdict::kAccepted);
  EXPECT_EQ(limiter.TryAcquire(make_address("127.0.1.2")), Verdict::kAccepted);
  EXPECT_EQ(limiter.TryAcquire(make_address("127.0.1.3")), Verdict::kAccepted);
  EXPECT_EQ(limiter.TryAcquire(make_address("127.0.1.4")), Verdict::kPerSubnetCap);
  EXPECT_EQ(limiter.TryAcquire(make_address("127.0.2.1")), Verdict::kAccepted);
  EXPECT_EQ(limiter.ForSubnet(make_address("127.0.1.200")), 3u);
  limiter.Release(make_address("127.0.1.2"));
  EXPECT_EQ(limiter.TryAcquire(make_address("127.0.1.4")), Verdict::kAccepted);
  // IPv6: the /48 is the subnet.
  ConnectionLimiter v6(Caps(100, 1, 2));
  EXPECT_EQ(v6.TryAcquire(make_address("2001:db8:1:1::1")), Verdict::kAccepted);
  EXPECT_EQ(v6.TryAcquire(make_address("2001:db8:1:2::1")), Verdict::kAccepted);
  EXPECT_EQ(v6.TryAcquire(make_address("2001:db8:1:3::1")), Verdict::kPerSubnetCap);
  EXPECT_EQ(v6.TryAcquire(make_address("2001:db8:2:1::1")), Verdict::kAccepted);
}

TEST(ConnectionLimiter, AFullHostOrSubnetIsReportedBeforeTheGlobalCap) {
  ConnectionLimiter limiter(Caps(2, 1, 10));
  EXPECT_EQ(limiter.TryAcquire(make_address("10.0.0.1")), Verdict::kAccepted);
  EXPECT_EQ(limiter.TryAcquire(make_address("10.0.0.2")), Verdict::kAccepted);
  // Evicting someone would not help this one: its own cap is full.
  EXPECT_EQ(limiter.TryAcquire(make_address("10.0.0.1")), Verdict::kPerIpCap);
  EXPECT_EQ(limiter.TryAcquire(make_address("10.0.0.3")), Verdict::kGlobalCap);
}

TEST(ConnectionLimiter, PressureStartsAtTheHighMarkAndEndsAtTheLowMark) {
  ConnectionCaps caps = Caps(10, 10, 10);
  caps.pressure_on_fraction = 0.75;  // 8 connections
  caps.pressure_off_fraction = 0.5;  // 5 connections
  std::vector<bool> changes;
  ConnectionLimiter limiter(caps, [&](bool on) { changes.push_back(on); });
  auto ip = make_address("10.0.0.1");
  for (int i = 0; i < 7; ++i) limiter.TryAcquire(ip);
  EXPECT_FALSE(limiter.under_pressure());
  limiter.TryAcquire(ip);  // 8
  EXPECT_TRUE(limiter.under_pressure());
  limiter.Release(ip);  // 7: still on (hysteresis)
  limiter.Release(ip);  // 6
  EXPECT_TRUE(limiter.under_pressure());
  limiter.Release(ip);  // 5: off
  EXPECT_FALSE(limiter.under_pressure());
  limiter.TryAcquire(ip);  // 6: stays off until 8 again
  EXPECT_FALSE(limiter.under_pressure());
  EXPECT_EQ(changes, (std::vector<bool>{true, false}));
}

}  // namespace
}  // namespace homeroom::net
