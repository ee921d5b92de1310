#include "storm/target.h"

#include <gtest/gtest.h>

#include "storm/config.h"

namespace homeroom::storm {
namespace {

TEST(Target, AcceptsAddressesOfThisMachine) {
  for (const char* text : {"127.0.0.1:8080", "127.9.8.7:1", "localhost:80", "[::1]:65535"}) {
    auto t = ParseTarget(text);
    ASSERT_TRUE(t.ok()) << text << ": " << t.status().ToString();
    EXPECT_TRUE(IsLoopback(t->endpoint.address())) << text;
  }
  auto t = ParseTarget("localhost:8080");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->endpoint.address().to_string(), "127.0.0.1");
  EXPECT_EQ(t->host_header, "127.0.0.1:8080");
  EXPECT_EQ(ParseTarget("[::1]:8080")->host_header, "[::1]:8080");
}

TEST(Target, RefusesEveryAddressOffThisMachine) {
  for (const char* text :
       {"10.0.0.1:80", "192.168.1.10:8080", "172.16.0.1:80", "8.8.8.8:53", "198.18.0.1:80",
        "0.0.0.0:80", "128.0.0.1:80", "[::2]:80", "[::ffff:10.0.0.1]:80", "[2001:db8::1]:443"}) {
    auto t = ParseTarget(text);
    ASSERT_FALSE(t.ok()) << text;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(t.status().message().find("only sends to this machine"), std::string::npos)
        << t.status().message();
  }
}

TEST(Target, RefusesHostNamesAndBadPorts) {
  for (const char* text : {"example.com:80", "server:8080", "127.0.0.1", "127.0.0.1:0",
                           "127.0.0.1:70000", "127.0.0.1:80x", ":80", "::1:80", "[::1]80"}) {
    EXPECT_FALSE(ParseTarget(text).ok()) << text;
  }
}

TEST(Target, MappedLoopbackIsTreatedAsIpv4) {
  auto t = ParseTarget("[::ffff:127.0.0.1]:8080");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->endpoint.address().is_v4());
}

TEST(Config, FinalizeRefusesATargetOffThisMachine) {
  StormArgs args;
  args.target = "10.1.2.3:8080";
  StormConfig config;
  Status s = FinalizeConfig(args, config);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace homeroom::storm
