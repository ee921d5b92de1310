#include "guard/attack_mode.h"

#include <string>

namespace homeroom::guard {

std::string_view AttackModeSettingName(AttackModeSetting setting) {
  switch (setting) {
    case AttackModeSetting::kAuto:
      return "auto";
    case AttackModeSetting::kOn:
      return "on";
    case AttackModeSetting::kOff:
      return "off";
  }
  return "auto";
}

Result<AttackModeSetting> ParseAttackModeSetting(std::string_view text) {
  if (text == "auto") return AttackModeSetting::kAuto;
  if (text == "on") return AttackModeSetting::kOn;
  if (text == "off") return AttackModeSetting::kOff;
  return Status::InvalidArgument("attack mode must be auto, on or off, not '" + std::string(text) +
                                 "'");
}

void AttackMode::SetSetting(AttackModeSetting setting) {
  setting_.store(setting, std::memory_order_relaxed);
}

AttackModeSetting AttackMode::setting() const { return setting_.load(std::memory_order_relaxed); }

void AttackMode::SetDetected(bool attack) { detected_.store(attack, std::memory_order_relaxed); }

bool AttackMode::detected() const { return detected_.load(std::memory_order_relaxed); }

bool AttackMode::UnderAttack() const {
  switch (setting()) {
    case AttackModeSetting::kOn:
      return true;
    case AttackModeSetting::kOff:
      return false;
    case AttackModeSetting::kAuto:
      return detected();
  }
  return false;
}

}  // namespace homeroom::guard
