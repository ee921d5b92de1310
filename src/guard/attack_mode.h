#pragma once

#include <atomic>
#include <string_view>

#include "core/status.h"

namespace homeroom::guard {

// Operators: follow detection, force on, force off.
enum class AttackModeSetting { kAuto, kOn, kOff };

// "auto", "on", "off".
std::string_view AttackModeSettingName(AttackModeSetting setting);
// Parses "auto", "on" or "off"; kInvalidArgument otherwise.
Result<AttackModeSetting> ParseAttackModeSetting(std::string_view text);

// Whether the server is in under-attack mode (anonymous requests must carry proof of work).
// Thread-safe; UnderAttack() is a relaxed atomic read.
class AttackMode {
 public:
  void SetSetting(AttackModeSetting setting);  // operators (admin API, CLI)
  AttackModeSetting setting() const;
  void SetDetected(bool attack);  // the detector, which owns the hysteresis
  bool detected() const;
  bool UnderAttack() const;  // kOn, or kAuto and detected

 private:
  std::atomic<AttackModeSetting> setting_{AttackModeSetting::kAuto};
  std::atomic<bool> detected_{false};
};

}  // namespace homeroom::guard
