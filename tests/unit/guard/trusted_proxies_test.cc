#include "guard/trusted_proxies.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace homeroom::guard {
namespace {

namespace asio = boost::asio;

asio::ip::address Ip(const std::string& text) { return asio::ip::make_address(text); }

TrustedProxies Trusting(std::vector<std::string> entries) {
  Result<TrustedProxies> proxies = TrustedProxies::Parse(entries);
  EXPECT_TRUE(proxies.ok()) << proxies.status().message();
  return *proxies;
}

std::string ClientOf(const TrustedProxies& proxies, const std::string& peer,
                     std::vector<std::string_view> headers) {
  return proxies.ClientOf(Ip(peer), headers).to_string();
}

TEST(TrustedProxies, AConnectionFromAnUntrustedPeerIsItsOwnClientWhateverItSends) {
  TrustedProxies proxies = Trusting({"10.0.0.0/8"});
  EXPECT_EQ(ClientOf(proxies, "127.9.9.9", {"203.0.113.7"}), "127.9.9.9");
  EXPECT_EQ(ClientOf(TrustedProxies(), "127.9.9.9", {"203.0.113.7"}), "127.9.9.9");
}

TEST(TrustedProxies, TheClientIsTheRightmostHopThatIsNotATrustedProxy) {
  TrustedProxies proxies = Trusting({"10.0.0.0/8", "192.0.2.7"});
  EXPECT_EQ(ClientOf(proxies, "10.1.1.1", {"203.0.113.7"}), "203.0.113.7");
  // The client wrote "1.2.3.4" itself; the proxies appended what they saw.
  EXPECT_EQ(ClientOf(proxies, "10.1.1.1", {"1.2.3.4, 203.0.113.7, 192.0.2.7"}), "203.0.113.7");
  // Several headers read as one list, the last one last.
  EXPECT_EQ(ClientOf(proxies, "10.1.1.1", {"1.2.3.4, 203.0.113.7", "10.2.2.2"}), "203.0.113.7");
}

TEST(TrustedProxies, WithoutAHeaderTheProxyIsTheClient) {
  TrustedProxies proxies = Trusting({"10.0.0.0/8"});
  EXPECT_EQ(ClientOf(proxies, "10.1.1.1", {}), "10.1.1.1");
  EXPECT_EQ(ClientOf(proxies, "10.1.1.1", {""}), "10.1.1.1");
}

TEST(TrustedProxies, GarbageStopsTheWalkAtTheLastHopATrustedProxyVouchedFor) {
  TrustedProxies proxies = Trusting({"10.0.0.0/8"});
  EXPECT_EQ(ClientOf(proxies, "10.1.1.1", {"203.0.113.7, unknown"}), "10.1.1.1");
  EXPECT_EQ(ClientOf(proxies, "10.1.1.1", {"nonsense, 10.3.3.3"}), "10.3.3.3");
  EXPECT_EQ(ClientOf(proxies, "10.1.1.1", {"203.0.113.7:443"}), "10.1.1.1");
}

TEST(TrustedProxies, ReadsIpv6HopsPlainOrInBrackets) {
  TrustedProxies proxies = Trusting({"2001:db8:1::/48"});
  EXPECT_EQ(ClientOf(proxies, "2001:db8:1::5", {"[2001:db8:9::1]"}), "2001:db8:9::1");
  EXPECT_EQ(ClientOf(proxies, "2001:db8:1::5", {" 2001:db8:9::2 "}), "2001:db8:9::2");
}

TEST(TrustedProxies, WhenEveryHopIsTrustedTheLeftmostIsTheClient) {
  TrustedProxies proxies = Trusting({"10.0.0.0/8"});
  EXPECT_EQ(ClientOf(proxies, "10.1.1.1", {"10.4.4.4, 10.3.3.3"}), "10.4.4.4");
}

TEST(TrustedProxies, RefusesAnEntryThatIsNotAnAddressOrRange) {
  std::vector<std::string> bad = {"10.0.0.0/8", "proxy.example"};
  Result<TrustedProxies> parsed = TrustedProxies::Parse(bad);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("proxy.example"), std::string::npos);
  std::vector<std::string> sloppy = {"10.0.0.1/8"};  // bits past the prefix: a likely typo
  EXPECT_FALSE(TrustedProxies::Parse(sloppy).ok());
}

}  // namespace
}  // namespace homeroom::guard
