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

AttackMode::AttackMode(metrics::Registry* metrics)
    : under_attack_(metrics ? &metrics->GetGauge(
                                  "homeroom_guard_under_attack",
                                  "1 while under-attack mode asks anonymous requests for proof of "
                                  "work (set on, or auto and an attack detected).")
                            : nullptr) {}

void AttackMode::Publish() {
  if (under_attack_) under_attack_->Set(UnderAttack() ? 1 : 0);
}

void AttackMode::SetSetting(AttackModeSetting setting) {
  std::lock_guard lock(publish_mu_);
  setting_.store(setting, std::memory_order_relaxed);
  Publish();
}

AttackModeSetting AttackMode::setting() const { return setting_.load(std::memory_order_relaxed); }

void AttackMode::SetDetected(bool attack) {
  std::lock_guard lock(publish_mu_);
  detected_.store(attack, std::memory_order_relaxed);
  Publish();
}

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
