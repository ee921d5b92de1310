#include "guard/cidr.h"

#include <gtest/gtest.h>

#include <unordered_set>

namespace homeroom::guard {
namespace {

namespace asio = boost::asio;

asio::ip::address Ip(const char* text) { return asio::ip::make_address(text); }

TEST(Cidr, ParsesIpv4RangeAndContainsItsAddresses) {
  auto cidr = Cidr::Parse("10.1.2.0/24");
  ASSERT_TRUE(cidr.ok()) << cidr.status().ToString();
  EXPECT_TRUE(cidr->is_v4());
  EXPECT_EQ(cidr->prefix_length(), 24);
  EXPECT_EQ(cidr->ToString(), "10.1.2.0/24");
  EXPECT_TRUE(cidr->Contains(Ip("10.1.2.200")));
  EXPECT_FALSE(cidr->Contains(Ip("10.1.3.1")));
  EXPECT_FALSE(cidr->Contains(Ip("2001:db8::1")));
}

TEST(Cidr, TreatsIpv4MappedIpv6AsTheSameSource) {
  auto cidr = Cidr::Parse("127.1.0.0/16");
  ASSERT_TRUE(cidr.ok());
  EXPECT_TRUE(cidr->Contains(Ip("::ffff:127.1.9.9")));
  EXPECT_EQ(HostKey(Ip("::ffff:127.1.9.9")), HostKey(Ip("127.1.9.9")));
}

TEST(Cidr, ParsesIpv6RangeAndBareAddresses) {
  auto range = Cidr::Parse("2001:db8:1::/48");
  ASSERT_TRUE(range.ok());
  EXPECT_FALSE(range->is_v4());
  EXPECT_TRUE(range->Contains(Ip("2001:db8:1:ffff::1")));
  EXPECT_FALSE(range->Contains(Ip("2001:db8:2::1")));
  auto host = Cidr::Parse("127.0.0.7");
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->ToString(), "127.0.0.7/32");
  EXPECT_TRUE(host->Contains(Ip("127.0.0.7")));
  EXPECT_FALSE(host->Contains(Ip("127.0.0.8")));
}

TEST(Cidr, RefusesGarbageLengthsAndHostBitsWithTheReason) {
  EXPECT_EQ(Cidr::Parse("nonsense").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Cidr::Parse("10.0.0.0/33").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Cidr::Parse("10.0.0.0/").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Cidr::Parse("10.0.0.0/2x").status().code(), StatusCode::kInvalidArgument);
  auto stray = Cidr::Parse("10.1.2.3/24");
  ASSERT_FALSE(stray.ok());
  EXPECT_NE(stray.status().message().find("10.1.2.0/24"), std::string::npos);
}

TEST(Cidr, HostAndSubnetKeysFollowThreatModelLengths) {
  EXPECT_EQ(HostKey(Ip("127.3.4.5")).ToString(), "127.3.4.5/32");
  EXPECT_EQ(SubnetKey(Ip("127.3.4.5")).ToString(), "127.3.4.0/24");
  EXPECT_EQ(HostKey(Ip("2001:db8:1:2:3:4:5:6")).ToString(), "2001:db8:1:2::/64");
  EXPECT_EQ(SubnetKey(Ip("2001:db8:1:2:3:4:5:6")).ToString(), "2001:db8:1::/48");
}

TEST(Cidr, ContainsNarrowerPrefixesOnly) {
  auto wide = Cidr::Parse("127.0.0.0/8").value();
  auto narrow = Cidr::Parse("127.5.0.0/16").value();
  EXPECT_TRUE(wide.Contains(narrow));
  EXPECT_FALSE(narrow.Contains(wide));
}

TEST(Cidr, EqualNetworksHashAlike) {
  std::unordered_set<Cidr, Cidr::Hash> set;
  set.insert(SubnetKey(Ip("127.9.9.1")));
  set.insert(SubnetKey(Ip("127.9.9.2")));
  set.insert(SubnetKey(Ip("127.9.8.1")));
  EXPECT_EQ(set.size(), 2u);
}

}  // namespace
}  // namespace homeroom::guard
