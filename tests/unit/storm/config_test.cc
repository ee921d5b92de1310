#include "storm/config.h"

#include <gtest/gtest.h>

namespace homeroom::storm {
namespace {

TEST(Config, AttackSpecTakesKindRateAndSources) {
  auto spec = ParseAttackSpec("many-source-flood:2000:5000", 10, 0, 0);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->kind, AttackKind::kManySourceFlood);
  EXPECT_EQ(spec->rate, 2000);
  EXPECT_EQ(spec->sources, 5000);
  EXPECT_EQ(spec->connections, DefaultConnections(AttackKind::kManySourceFlood));
}

TEST(Config, AttackSpecFallsBackToTheDefaults) {
  auto spec = ParseAttackSpec("slowloris", 25, 0, 0);
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->rate, 25);
  EXPECT_EQ(spec->sources, DefaultSources(AttackKind::kSlowloris));
  auto given = ParseAttackSpec("http-flood:100", 25, 7, 3);
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(given->rate, 100);
  EXPECT_EQ(given->sources, 7);
  EXPECT_EQ(given->connections, 3);
}

TEST(Config, AttackSpecRefusesUnknownKindsAndBadNumbers) {
  for (const char* text :
       {"syn-flood", "http-flood:fast", "http-flood:0", "http-flood:-5", "http-flood:10:0",
        "http-flood:10:999999", "http-flood:1:2:3", "http-flood:1e9"}) {
    EXPECT_FALSE(ParseAttackSpec(text, 10, 0, 0).ok()) << text;
  }
}

TEST(Config, EveryAttackNameRoundTrips) {
  for (int i = 0; i < kAttackKindCount; ++i) {
    auto kind = static_cast<AttackKind>(i);
    EXPECT_EQ(ParseAttackName(AttackName(kind)), kind) << AttackName(kind);
  }
}

TEST(Config, FinalizeBoundsDurationAndConnections) {
  StormArgs args;
  StormConfig config;
  args.duration_s = 601;
  EXPECT_FALSE(FinalizeConfig(args, config).ok());
  args.duration_s = 600;
  EXPECT_TRUE(FinalizeConfig(args, config).ok());
  EXPECT_EQ(config.duration, std::chrono::minutes(10));
  config.max_connections = kMaxConnectionsCap + 1;
  EXPECT_FALSE(FinalizeConfig(args, config).ok());
  config.max_connections = 100;
  args.attacks = {"http-flood", "http-flood:5"};
  EXPECT_FALSE(FinalizeConfig(args, config).ok());
  args.attacks = {"http-flood", "slow-read:5:2"};
  ASSERT_TRUE(FinalizeConfig(args, config).ok());
  ASSERT_EQ(config.attacks.size(), 2u);
  EXPECT_EQ(config.attacks[1].sources, 2);
}

}  // namespace
}  // namespace homeroom::storm
