#include "guard/attack_mode.h"

#include <gtest/gtest.h>

namespace homeroom::guard {
namespace {

TEST(AttackMode, AutoFollowsDetection) {
  AttackMode mode;
  EXPECT_EQ(mode.setting(), AttackModeSetting::kAuto);
  EXPECT_FALSE(mode.UnderAttack());
  mode.SetDetected(true);
  EXPECT_TRUE(mode.detected());
  EXPECT_TRUE(mode.UnderAttack());
  mode.SetDetected(false);
  EXPECT_FALSE(mode.UnderAttack());
}

TEST(AttackMode, OperatorSettingOverridesDetection) {
  AttackMode mode;
  mode.SetSetting(AttackModeSetting::kOn);
  EXPECT_TRUE(mode.UnderAttack());
  mode.SetSetting(AttackModeSetting::kOff);
  mode.SetDetected(true);
  EXPECT_FALSE(mode.UnderAttack());
  EXPECT_TRUE(mode.detected());
}

TEST(AttackMode, GaugeShowsWhetherUnderAttackAfterEveryChange) {
  metrics::Registry metrics;
  AttackMode mode(&metrics);
  auto gauge = [&] { return metrics.GaugeValue("homeroom_guard_under_attack"); };
  EXPECT_EQ(gauge(), 0);
  mode.SetDetected(true);
  EXPECT_EQ(gauge(), 1);
  mode.SetSetting(AttackModeSetting::kOff);
  EXPECT_EQ(gauge(), 0);
  mode.SetSetting(AttackModeSetting::kOn);
  mode.SetDetected(false);
  EXPECT_EQ(gauge(), 1);
  mode.SetSetting(AttackModeSetting::kAuto);
  EXPECT_EQ(gauge(), 0);
}

TEST(AttackMode, SettingNamesRoundTrip) {
  for (auto setting : {AttackModeSetting::kAuto, AttackModeSetting::kOn, AttackModeSetting::kOff}) {
    EXPECT_EQ(ParseAttackModeSetting(AttackModeSettingName(setting)).value(), setting);
  }
  EXPECT_EQ(ParseAttackModeSetting("maybe").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace homeroom::guard
