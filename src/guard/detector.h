#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "guard/attack_mode.h"
#include "guard/block_list.h"
#include "guard/cidr.h"
#include "guard/traffic_monitor.h"

namespace homeroom::guard {

// The kinds of attack the detector tells apart (threats.md, "Attack and fault classes").
enum class AttackType {
  kFlood,            // a few sources, each over the per-source threshold
  kManySourceFlood,  // the total far above the baseline, spread over many sources each under it
  kSlowClients,      // slowloris, slow POST, slow read, connection exhaustion: head, body and
                     // write timeouts, and idle never-signed-in connections evicted at the cap
  kLoginStuffing,    // sign-in failures at a high rate
  kWebSocketFlood,   // WebSocket upgrades at a high rate, or sockets closed for abuse
};
inline constexpr size_t kAttackTypeCount = 5;
inline constexpr std::array<AttackType, kAttackTypeCount> kAllAttackTypes = {
    AttackType::kFlood, AttackType::kManySourceFlood, AttackType::kSlowClients,
    AttackType::kLoginStuffing, AttackType::kWebSocketFlood};

// "flood", "many_source_flood", "slow_clients", "login_stuffing", "websocket_flood": the names in
// logs, metrics labels and the status API.
std::string_view AttackTypeName(AttackType type);

// Settings of the detector (homeroom serve --help, group "Guard: detection"). Rates are per second
// over one window (one tick) and, but for sign-in failures and timeouts, count untrusted requests
// only (TrafficWindow: anything but a signed-in user's request answered below 400). Defaults suit
// one node serving a few thousand signed-in users; a school behind one NAT address loading the web
// app can reach tens of anonymous requests per second in the morning rush, so the per-source
// threshold stays well above that.
struct DetectorOptions {
  // A host key (/32, /64) over this rate is flooding; a subnet key (/24, /48) over its own.
  double flood_host_rps = 100;
  double flood_subnet_rps = 400;
  // Many-source flood: the untrusted rate not explained by flooding hosts is over max(min, factor
  // x the baseline) and comes from at least `many_source_min_hosts` distinct hosts.
  double many_source_factor = 5;
  double many_source_min_rps = 300;
  double many_source_min_hosts = 50;
  // Slow clients: head, body and write timeouts and evictions of idle connections that never
  // signed in (connection exhaustion) per second, averaged over `slow_window`. Timeouts
  // come in bursts a deadline apart (a slowloris opens its sockets together, and they all time
  // out together), so one window of them says little; the average over a span longer than the
  // deadlines does.
  double slow_events_per_s = 5;
  std::chrono::seconds slow_window{20};
  // Login stuffing: sign-in failures (401, 429) per second.
  double login_failures_per_s = 20;
  // WebSocket flood: untrusted upgrade attempts (anonymous or refused) per second, or sockets
  // closed for abuse per second. Signed-in users' accepted upgrades never count: a whole school
  // joining at the bell is not a flood.
  double ws_untrusted_upgrades_per_s = 50;
  double ws_abuse_per_s = 5;
  // Hysteresis: an attack starts after this many consecutive hot windows and ends after this many
  // consecutive quiet ones, so on/off pulses shorter than the quiet run keep it one attack.
  int start_after_hot_windows = 3;
  int end_after_quiet_windows = 30;
  // The baseline is an exponentially weighted mean of the request rate of quiet windows with this
  // time constant.
  std::chrono::seconds baseline_window{300};
  // Auto-block: during a flood, a host over auto_block_factor x flood_host_rps is blocked for
  // auto_block_ttl (never an allowed range), at most max_auto_blocks at once.
  bool auto_block = true;
  double auto_block_factor = 4;
  std::chrono::seconds auto_block_ttl{600};
  size_t max_auto_blocks = 1000;
  // Sources named in events and the status; attack events remembered.
  size_t top_sources = 10;
  size_t recent_events = 100;
};

// A source with its rate over the last window.
struct SourceRate {
  std::string source;  // "127.1.2.3/32", "127.1.2.0/24"
  double rate = 0;     // per second
};

// An attack that started or ended.
struct AttackEvent {
  AttackType type = AttackType::kFlood;
  bool started = true;  // false: it ended
  int64_t at_ms = 0;    // wall clock
  std::vector<std::string> sources;
  double rate = 0;  // the type's measure when it started; its peak when it ended
};

// An attack in progress.
struct ActiveAttack {
  AttackType type = AttackType::kFlood;
  int64_t since_ms = 0;
  double rate = 0;  // the last window's measure (see DetectorSnapshot)
  double peak_rate = 0;
  std::vector<std::string> sources;  // the heaviest sources of the last hot window
};

// What the detector saw in its last window and decided so far (the status API draws it).
struct DetectorSnapshot {
  int64_t at_ms = 0;
  double window_seconds = 0;
  double requests_per_s = 0;
  double untrusted_requests_per_s = 0;
  double baseline_rps = 0;  // of untrusted requests
  double distinct_hosts = 0;
  double login_failures_per_s = 0;
  double ws_upgrades_per_s = 0;
  double ws_untrusted_upgrades_per_s = 0;
  double slow_events_per_s = 0;  // averaged over DetectorOptions::slow_window
  double blocked_connections_per_s = 0;
  std::vector<ActiveAttack> active;
  std::vector<AttackEvent> recent;  // newest first
  std::vector<SourceRate> top_hosts;
  std::vector<SourceRate> top_subnets;
  size_t auto_blocks_active = 0;
};

// Types attacks from windows of traffic and acts on them: compares each window's totals and top
// sources with fixed per-source thresholds and with a baseline of quiet windows, emits typed start
// and end events with hysteresis (logged as guard_attack_started / guard_attack_ended, counted, and
// kept in a bounded list), blocks flooding hosts with a TTL in the BlockList, and sets
// AttackMode::SetDetected() while a many-source flood lasts.
//
// Metrics (asserted in tests):
//   homeroom_guard_attack_active{type}   gauge: 1 while an attack of that type lasts
//   homeroom_guard_attacks_total{type}   attacks started
//   homeroom_guard_auto_blocks_total     hosts blocked automatically
//   homeroom_guard_top_source_rate       gauge: requests/s of the heaviest host in the last window
//   homeroom_guard_baseline_rps          gauge: the baseline untrusted request rate
//
// Thread-safe: Observe() is called by one thread (the Sentinel's ticker); Snapshot() from any.
class Detector {
 public:
  // `block_list` and `attack_mode` may be null (no action); they must outlive the Detector.
  Detector(const Clock& clock, DetectorOptions options, metrics::Registry& metrics,
           BlockList* block_list, AttackMode* attack_mode);

  // Takes one window and decides.
  void Observe(const TrafficWindow& window);

  DetectorSnapshot Snapshot() const;
  // True while an attack of `type` lasts.
  bool Active(AttackType type) const;

  const DetectorOptions& options() const { return options_; }

 private:
  struct TypeState {
    bool active = false;
    int hot_streak = 0;
    int quiet_streak = 0;
    int64_t since_ms = 0;
    double rate = 0;
    double peak_rate = 0;
    std::vector<std::string> sources;
    metrics::Gauge* active_gauge = nullptr;
    metrics::Counter* started = nullptr;
  };
  // One type's verdict on a window.
  struct Verdict {
    bool hot = false;
    double rate = 0;
    std::vector<std::string> sources;
  };

  std::array<Verdict, kAttackTypeCount> Judge(const TrafficWindow& w) const;  // requires mu_
  // Adds the window's timeouts to the slow_window history; returns their average rate over it.
  double SlowEventRate(const TrafficWindow& w);                        // requires mu_
  void Step(AttackType type, const Verdict& verdict, int64_t now_ms);  // requires mu_
  void AutoBlock(const TrafficWindow& w, int64_t now_ms);              // requires mu_
  void Record(AttackEvent event);                                      // requires mu_

  const Clock& clock_;
  const DetectorOptions options_;
  BlockList* block_list_;
  AttackMode* attack_mode_;
  metrics::Counter& auto_blocks_;
  metrics::Gauge& top_source_rate_;
  metrics::Gauge& baseline_gauge_;

  mutable std::mutex mu_;
  std::array<TypeState, kAttackTypeCount> states_;  // guarded by mu_, by AttackType
  std::optional<double> baseline_rps_;              // guarded by mu_
  std::deque<AttackEvent> recent_;                  // guarded by mu_, newest first
  std::map<std::string, int64_t> auto_blocked_;     // guarded by mu_: host -> until (wall ms)
  DetectorSnapshot last_;                           // guarded by mu_
  bool detected_many_ = false;                      // guarded by mu_: last told AttackMode
  // Guarded by mu_: the last slow_window of (seconds, timeouts), and the hosts that timed out most
  // recently (a burst's sources, named while its average lasts).
  std::deque<std::pair<double, uint64_t>> slow_history_;
  double slow_rate_ = 0;
  std::vector<std::string> slow_sources_;
};

}  // namespace homeroom::guard
