#pragma once

#include <atomic>
#include <mutex>
#include <string_view>

#include "core/metrics.h"
#include "core/status.h"

namespace homeroom::guard {

// Operators: follow detection, force on, force off.
enum class AttackModeSetting { kAuto, kOn, kOff };

// "auto", "on", "off".
std::string_view AttackModeSettingName(AttackModeSetting setting);
// Parses "auto", "on" or "off"; kInvalidArgument otherwise.
Result<AttackModeSetting> ParseAttackModeSetting(std::string_view text);

// Whether the server is in under-attack mode (anonymous requests must carry proof of work).
//
// Metrics (with a registry): homeroom_guard_under_attack, a gauge that is 1 while UnderAttack()
// and 0 otherwise, updated on every change (the detector's typed attacks are
// homeroom_guard_attack_active{type}).
//
// Thread-safe; UnderAttack() is a relaxed atomic read. `metrics`, when given, must outlive it.
class AttackMode {
 public:
  explicit AttackMode(metrics::Registry* metrics = nullptr);

  void SetSetting(AttackModeSetting setting);  // operators (admin API, CLI)
  AttackModeSetting setting() const;
  void SetDetected(bool attack);  // the detector, which owns the hysteresis
  bool detected() const;
  bool UnderAttack() const;  // kOn, or kAuto and detected

 private:
  std::atomic<AttackModeSetting> setting_{AttackModeSetting::kAuto};
  std::atomic<bool> detected_{false};
  // Serializes a change with its gauge update, so the gauge ends at the last state.
  std::mutex publish_mu_;
  metrics::Gauge* under_attack_ = nullptr;
  void Publish();  // requires publish_mu_
};

}  // namespace homeroom::guard
