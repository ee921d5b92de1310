#include "guard/detector.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <cmath>

#include "core/log.h"

namespace homeroom::guard {

namespace {

constexpr const char* kActive = "homeroom_guard_attack_active";
constexpr const char* kAttacks = "homeroom_guard_attacks_total";
constexpr const char* kAutoBlocks = "homeroom_guard_auto_blocks_total";
constexpr const char* kTopRate = "homeroom_guard_top_source_rate";
constexpr const char* kBaseline = "homeroom_guard_baseline_rps";

size_t Index(AttackType type) { return static_cast<size_t>(type); }

double PerSecond(uint64_t count, double seconds) {
  return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
}

std::vector<SourceRate> Rates(const std::vector<SourceCount>& counts, double seconds, size_t n) {
  std::vector<SourceRate> out;
  for (const SourceCount& c : counts) {
    if (out.size() == n) break;
    out.push_back({c.source.ToString(), PerSecond(c.count, seconds)});
  }
  return out;
}

// The sources of `counts` at or over `rate` per second, at most n.
std::vector<std::string> Over(const std::vector<SourceCount>& counts, double seconds, double rate,
                              size_t n) {
  std::vector<std::string> out;
  for (const SourceCount& c : counts) {
    if (out.size() == n) break;
    if (PerSecond(c.count, seconds) >= rate) out.push_back(c.source.ToString());
  }
  return out;
}

std::vector<std::string> Names(const std::vector<SourceCount>& counts, size_t n) {
  std::vector<std::string> out;
  for (const SourceCount& c : counts) {
    if (out.size() == n) break;
    out.push_back(c.source.ToString());
  }
  return out;
}

boost::json::array JsonList(const std::vector<std::string>& items) {
  boost::json::array out;
  for (const auto& s : items) out.emplace_back(s);
  return out;
}

}  // namespace

std::string_view AttackTypeName(AttackType type) {
  switch (type) {
    case AttackType::kFlood:
      return "flood";
    case AttackType::kManySourceFlood:
      return "many_source_flood";
    case AttackType::kSlowClients:
      return "slow_clients";
    case AttackType::kLoginStuffing:
      return "login_stuffing";
    case AttackType::kWebSocketFlood:
      return "websocket_flood";
  }
  return "unknown";
}

Detector::Detector(const Clock& clock, DetectorOptions options, metrics::Registry& metrics,
                   BlockList* block_list, AttackMode* attack_mode)
    : clock_(clock),
      options_(std::move(options)),
      block_list_(block_list),
      attack_mode_(attack_mode),
      auto_blocks_(metrics.GetCounter(kAutoBlocks, "Hosts the detector blocked automatically.")),
      top_source_rate_(metrics.GetGauge(
          kTopRate, "Requests per second of the heaviest host in the detector's last window.")),
      baseline_gauge_(
          metrics.GetGauge(kBaseline, "The detector's baseline request rate (quiet windows).")) {
  for (AttackType type : kAllAttackTypes) {
    metrics::Labels labels = {{"type", std::string(AttackTypeName(type))}};
    TypeState& s = states_[Index(type)];
    s.active_gauge = &metrics.GetGauge(kActive, "1 while an attack of this type lasts.", labels);
    s.started = &metrics.GetCounter(kAttacks, "Attacks detected, by type.", labels);
  }
}

std::array<Detector::Verdict, kAttackTypeCount> Detector::Judge(const TrafficWindow& w) const {
  const DetectorOptions& o = options_;
  const double s = w.seconds;
  const size_t n = o.top_sources;
  std::array<Verdict, kAttackTypeCount> v;

  // Few sources: hosts or subnets over their thresholds. A flood the block list already refuses is
  // still a flood in progress (its refused connections count), so it does not end while it lasts.
  Verdict& flood = v[Index(AttackType::kFlood)];
  std::vector<std::string> hot_hosts = Over(w.top_hosts, s, o.flood_host_rps, n);
  std::vector<std::string> hot_subnets = Over(w.top_subnets, s, o.flood_subnet_rps, n);
  std::vector<std::string> hot_blocked = Over(w.blocked_hosts, s, o.flood_host_rps, n);
  double top_host = w.top_hosts.empty() ? 0 : PerSecond(w.top_hosts[0].count, s);
  double top_blocked = w.blocked_hosts.empty() ? 0 : PerSecond(w.blocked_hosts[0].count, s);
  flood.rate = std::max(top_host, top_blocked);
  flood.hot = !hot_hosts.empty() || !hot_subnets.empty() || !hot_blocked.empty();
  for (auto* list : {&hot_hosts, &hot_subnets, &hot_blocked}) {
    for (auto& src : *list) {
      if (flood.sources.size() < n &&
          std::find(flood.sources.begin(), flood.sources.end(), src) == flood.sources.end()) {
        flood.sources.push_back(std::move(src));
      }
    }
  }

  // Many sources: what the flooding hosts do not explain, against the baseline.
  Verdict& many = v[Index(AttackType::kManySourceFlood)];
  uint64_t flooding = 0;
  for (const SourceCount& c : w.top_hosts) {
    if (PerSecond(c.count, s) >= o.flood_host_rps) flooding += c.count;
  }
  double rest = PerSecond(w.untrusted_requests - std::min(w.untrusted_requests, flooding), s);
  double threshold =
      std::max(o.many_source_min_rps, o.many_source_factor * baseline_rps_.value_or(0.0));
  many.rate = PerSecond(w.untrusted_requests, s);
  many.hot = rest >= threshold && w.distinct_hosts >= o.many_source_min_hosts;
  many.sources = Names(w.top_subnets, n);

  Verdict& slow = v[Index(AttackType::kSlowClients)];
  slow.rate = slow_rate_;
  slow.hot = slow.rate >= o.slow_events_per_s;
  slow.sources = slow_sources_;

  Verdict& login = v[Index(AttackType::kLoginStuffing)];
  login.rate = PerSecond(w.login_failures, s);
  login.hot = login.rate >= o.login_failures_per_s;
  login.sources = Names(w.login_failure_hosts, n);

  Verdict& ws = v[Index(AttackType::kWebSocketFlood)];
  double upgrades = PerSecond(w.ws_untrusted_upgrades, s);
  double abuse = PerSecond(w.ws_abuse, s);
  ws.rate = std::max(upgrades, abuse);
  ws.hot = upgrades >= o.ws_untrusted_upgrades_per_s || abuse >= o.ws_abuse_per_s;
  ws.sources = Names(w.ws_hosts, n);
  return v;
}

double Detector::SlowEventRate(const TrafficWindow& w) {
  slow_history_.emplace_back(w.seconds,
                             w.head_timeouts + w.body_timeouts + w.write_timeouts + w.evicted);
  double seconds = 0;
  uint64_t events = 0;
  for (const auto& [s, e] : slow_history_) {
    seconds += s;
    events += e;
  }
  const double span = std::max<double>(1.0, options_.slow_window.count());
  while (slow_history_.size() > 1 && seconds - slow_history_.front().first >= span) {
    seconds -= slow_history_.front().first;
    events -= slow_history_.front().second;
    slow_history_.pop_front();
  }
  if (!w.slow_hosts.empty()) {
    slow_sources_ = Names(w.slow_hosts, options_.top_sources);
  } else if (events == 0) {
    slow_sources_.clear();
  }
  return PerSecond(events, std::max(seconds, span));
}

void Detector::Observe(const TrafficWindow& w) {
  if (w.seconds <= 0) return;
  const int64_t now_ms = clock_.NowMs();
  std::lock_guard lock(mu_);
  slow_rate_ = SlowEventRate(w);
  std::array<Verdict, kAttackTypeCount> verdicts = Judge(w);
  bool any_hot = false;
  for (AttackType type : kAllAttackTypes) {
    Step(type, verdicts[Index(type)], now_ms);
    any_hot = any_hot || verdicts[Index(type)].hot;
  }
  bool any_active = false;
  for (const TypeState& s : states_) any_active = any_active || s.active;

  // The baseline learns only from quiet windows, so an attack never becomes the new normal.
  const double untrusted_rps = PerSecond(w.untrusted_requests, w.seconds);
  if (!any_hot && !any_active) {
    if (!baseline_rps_) {
      baseline_rps_ = untrusted_rps;
    } else {
      double alpha =
          std::min(1.0, w.seconds / std::max<double>(1.0, options_.baseline_window.count()));
      *baseline_rps_ += alpha * (untrusted_rps - *baseline_rps_);
    }
  }

  if (options_.auto_block && block_list_ != nullptr && states_[Index(AttackType::kFlood)].active) {
    AutoBlock(w, now_ms);
  }
  for (auto it = auto_blocked_.begin(); it != auto_blocked_.end();) {
    it = it->second <= now_ms ? auto_blocked_.erase(it) : std::next(it);
  }

  bool many = states_[Index(AttackType::kManySourceFlood)].active;
  if (attack_mode_ != nullptr && many != detected_many_) attack_mode_->SetDetected(many);
  detected_many_ = many;

  double top_rate = w.top_hosts.empty() ? 0 : PerSecond(w.top_hosts[0].count, w.seconds);
  top_source_rate_.Set(std::llround(top_rate));
  baseline_gauge_.Set(std::llround(baseline_rps_.value_or(0.0)));

  DetectorSnapshot& snap = last_;
  snap.at_ms = now_ms;
  snap.window_seconds = w.seconds;
  snap.requests_per_s = PerSecond(w.requests, w.seconds);
  snap.untrusted_requests_per_s = untrusted_rps;
  snap.baseline_rps = baseline_rps_.value_or(0.0);
  snap.distinct_hosts = w.distinct_hosts;
  snap.login_failures_per_s = PerSecond(w.login_failures, w.seconds);
  snap.ws_upgrades_per_s = PerSecond(w.ws_upgrades, w.seconds);
  snap.ws_untrusted_upgrades_per_s = PerSecond(w.ws_untrusted_upgrades, w.seconds);
  snap.slow_events_per_s = slow_rate_;
  snap.blocked_connections_per_s = PerSecond(w.blocked_connections, w.seconds);
  snap.top_hosts = Rates(w.top_hosts, w.seconds, options_.top_sources);
  snap.top_subnets = Rates(w.top_subnets, w.seconds, options_.top_sources);
}

void Detector::Step(AttackType type, const Verdict& verdict, int64_t now_ms) {
  TypeState& s = states_[Index(type)];
  s.rate = verdict.rate;
  if (verdict.hot) {
    ++s.hot_streak;
    s.quiet_streak = 0;
    if (s.active) {
      s.peak_rate = std::max(s.peak_rate, verdict.rate);
      if (!verdict.sources.empty()) s.sources = verdict.sources;
      return;
    }
    if (s.hot_streak < options_.start_after_hot_windows) return;
    s.active = true;
    s.since_ms = now_ms;
    s.peak_rate = verdict.rate;
    s.sources = verdict.sources;
    s.active_gauge->Set(1);
    s.started->Inc();
    log::Warn("guard_attack_started", {{"type", AttackTypeName(type)},
                                       {"rate", std::llround(verdict.rate)},
                                       {"sources", JsonList(verdict.sources)}});
    Record({type, true, now_ms, verdict.sources, verdict.rate});
    return;
  }
  ++s.quiet_streak;
  s.hot_streak = 0;
  if (!s.active || s.quiet_streak < options_.end_after_quiet_windows) return;
  s.active = false;
  s.active_gauge->Set(0);
  log::Info("guard_attack_ended", {{"type", AttackTypeName(type)},
                                   {"duration_s", (now_ms - s.since_ms) / 1000.0},
                                   {"peak_rate", std::llround(s.peak_rate)},
                                   {"sources", JsonList(s.sources)}});
  Record({type, false, now_ms, s.sources, s.peak_rate});
}

void Detector::AutoBlock(const TrafficWindow& w, int64_t now_ms) {
  const double over = options_.auto_block_factor * options_.flood_host_rps;
  for (const SourceCount& c : w.top_hosts) {
    double rate = PerSecond(c.count, w.seconds);
    if (rate < over) break;  // sorted by count
    std::string name = c.source.ToString();
    const bool known = auto_blocked_.count(name) > 0;
    if (!known && auto_blocked_.size() >= options_.max_auto_blocks) {
      log::Warn("guard_auto_block_capped",
                {{"source", name}, {"max_auto_blocks", options_.max_auto_blocks}});
      continue;
    }
    std::string reason = "flood: " + std::to_string(std::llround(rate)) + " requests/s";
    if (!block_list_->BlockAutomatically(c.source, reason, options_.auto_block_ttl)) {
      continue;  // an allowed range
    }
    auto_blocked_[name] = now_ms + options_.auto_block_ttl.count() * 1000;
    if (known) continue;  // extended
    auto_blocks_.Inc();
    log::Warn("guard_auto_blocked", {{"source", name},
                                     {"rate", std::llround(rate)},
                                     {"ttl_s", options_.auto_block_ttl.count()},
                                     {"reason", reason}});
  }
}

void Detector::Record(AttackEvent event) {
  recent_.push_front(std::move(event));
  while (recent_.size() > options_.recent_events) recent_.pop_back();
}

DetectorSnapshot Detector::Snapshot() const {
  std::lock_guard lock(mu_);
  DetectorSnapshot snap = last_;
  for (AttackType type : kAllAttackTypes) {
    const TypeState& s = states_[Index(type)];
    if (!s.active) continue;
    snap.active.push_back({type, s.since_ms, s.rate, s.peak_rate, s.sources});
  }
  snap.recent.assign(recent_.begin(), recent_.end());
  snap.auto_blocks_active = auto_blocked_.size();
  return snap;
}

bool Detector::Active(AttackType type) const {
  std::lock_guard lock(mu_);
  return states_[Index(type)].active;
}

}  // namespace homeroom::guard
