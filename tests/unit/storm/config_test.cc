#include "storm/config.h"

#include <gtest/gtest.h>

#include <set>

#include "storm/storm.h"

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

TEST(SelectLegitUsers, TakesWholeClassesWhenTheAccountsListThem) {
  std::vector<Account> accounts;
  // Three classes of 4 students and a teacher each, plus an admin who is never chosen.
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < 5; ++i) {
      accounts.push_back({.role = i == 0 ? "teacher" : "student",
                          .username = "u" + std::to_string(c * 5 + i),
                          .password = "p",
                          .classes = {"class-" + std::to_string(c)}});
    }
  }
  accounts.push_back({.role = "district_admin", .username = "boss", .password = "p"});
  auto chosen = SelectLegitUsers(accounts, 10, 3);
  ASSERT_EQ(chosen.size(), 10u);
  std::set<std::string> classes;
  for (size_t i : chosen) {
    EXPECT_NE(accounts[i].role, "district_admin");
    classes.insert(accounts[i].classes.front());
  }
  EXPECT_EQ(classes.size(), 2u);  // two whole classes, not ten people from everywhere
  EXPECT_EQ(SelectLegitUsers(accounts, 100, 3).size(), 15u);
  EXPECT_EQ(SelectLegitUsers(accounts, 10, 3), chosen);  // the same seed, the same people
}

}  // namespace
}  // namespace homeroom::storm
