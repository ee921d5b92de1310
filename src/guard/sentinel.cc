#include "guard/sentinel.h"

#include <iterator>

#include "core/log.h"

namespace homeroom::guard {

namespace {

// The connection-stage decisions the summary line counts: the net::Server's counters
// (net/net_metrics.h) of every server on the registry, summed. Idle timeouts are left out: a
// keep-alive connection ending between requests is normal, not a defense at work.
struct ConnectionDecision {
  const char* field;   // in the log line
  const char* metric;  // homeroom_net_*
  const char* label;   // label name, or nullptr for the whole family
  const char* value;
};
constexpr ConnectionDecision kConnectionDecisions[] = {
    {"refused_global_cap", "homeroom_net_connections_refused_total", "reason", "global_cap"},
    {"refused_per_ip_cap", "homeroom_net_connections_refused_total", "reason", "per_ip_cap"},
    {"refused_per_subnet_cap", "homeroom_net_connections_refused_total", "reason",
     "per_subnet_cap"},
    {"refused_blocked", "homeroom_net_connections_refused_total", "reason", "blocked"},
    {"evicted", "homeroom_net_connections_evicted_total", nullptr, nullptr},
    {"timeout_head", "homeroom_net_timeouts_total", "kind", "head"},
    {"timeout_body", "homeroom_net_timeouts_total", "kind", "body"},
    {"timeout_body_rate", "homeroom_net_timeouts_total", "kind", "body_rate"},
    {"timeout_write", "homeroom_net_timeouts_total", "kind", "write"},
    {"timeout_send_rate", "homeroom_net_timeouts_total", "kind", "send_rate"},
    {"bad_request", "homeroom_net_bad_requests_total", nullptr, nullptr},
    {"ws_close_too_big", "homeroom_net_ws_closes_total", "reason", "too_big"},
    {"ws_close_rate", "homeroom_net_ws_closes_total", "reason", "rate"},
    {"ws_close_slow_consumer", "homeroom_net_ws_closes_total", "reason", "slow_consumer"},
    {"ws_close_protocol", "homeroom_net_ws_closes_total", "reason", "protocol"},
    {"accept_fd_exhausted", "homeroom_net_accept_errors_total", "reason", "fd_exhausted"},
    {"accept_error_other", "homeroom_net_accept_errors_total", "reason", "other"},
};
// Host keys tracked between two summary lines (the heaviest is named).
constexpr size_t kDecisionSources = 32;

std::vector<uint64_t> ConnectionTotals(const metrics::Registry& m) {
  std::vector<uint64_t> totals;
  totals.reserve(std::size(kConnectionDecisions));
  for (const auto& d : kConnectionDecisions) {
    totals.push_back(d.label == nullptr ? m.CounterTotal(d.metric)
                                        : m.CounterTotal(d.metric, {{d.label, d.value}}));
  }
  return totals;
}

constexpr const char* kAdmission = "homeroom_guard_admission_total";

// Totals of shed, rate-limited, blocked and challenged requests, in AdmissionRates' order.
std::array<uint64_t, 4> AdmissionTotals(const metrics::Registry& m) {
  return {m.CounterTotal(kAdmission, {{"decision", "shed"}}),
          m.CounterTotal(kAdmission, {{"decision", "rate_limited_ip"}}) +
              m.CounterTotal(kAdmission, {{"decision", "rate_limited_subnet"}}) +
              m.CounterTotal(kAdmission, {{"decision", "rate_limited_account"}}),
          m.CounterTotal(kAdmission, {{"decision", "blocked"}}),
          m.CounterTotal(kAdmission, {{"decision", "challenged"}})};
}

}  // namespace

Sentinel::Sentinel(const Clock& clock, SentinelOptions options, BlockList& block_list,
                   AttackMode& attack_mode, metrics::Registry& metrics)
    : clock_(clock),
      options_(std::move(options)),
      block_list_(block_list),
      attack_mode_(attack_mode),
      blocked_connections_(metrics.GetCounter(kBlockedTotal, kBlockedTotalHelp,
                                              {{"stage", std::string(kBlockedStageConnection)}})),
      monitor_(options_.traffic),
      detector_(clock, options_.detector, metrics, &block_list, &attack_mode),
      window_start_ms_(clock.MonotonicMs()),
      metrics_(metrics),
      admission_totals_(AdmissionTotals(metrics)),
      connection_totals_(ConnectionTotals(metrics)),
      connection_logged_ms_(clock.MonotonicMs()),
      decision_sources_(kDecisionSources) {}

Sentinel::~Sentinel() { Stop(); }

bool Sentinel::AllowConnection(const boost::asio::ip::address& remote) {
  if (!block_list_.IsBlocked(remote)) return true;
  blocked_connections_.Inc();
  return false;
}

void Sentinel::OnConnectionEvent(ConnectionEvent event, const boost::asio::ip::address& remote) {
  if (options_.enabled) monitor_.OnConnectionEvent(event, remote);
  if (event == ConnectionEvent::kIdleTimeout) return;  // not a decision (see kConnectionDecisions)
  const Cidr host = HostKey(remote);
  std::lock_guard lock(sources_mu_);
  decision_sources_.Add(host);
}

void Sentinel::OnRequest(const RequestRecord& record) {
  if (options_.enabled) monitor_.OnRequest(record);
}

void Sentinel::Tick() {
  std::lock_guard lock(tick_mu_);
  int64_t now = clock_.MonotonicMs();
  double seconds = static_cast<double>(now - window_start_ms_) / 1000.0;
  if (seconds <= 0) return;
  window_start_ms_ = now;
  if (options_.enabled) {
    TrafficWindow window = monitor_.Roll(seconds, options_.detector.top_sources);
    detector_.Observe(window);
    SampleAdmission(seconds);
  }
  LogConnectionDecisions(now);
}

void Sentinel::LogConnectionDecisions(int64_t now_ms) {
  if (now_ms - connection_logged_ms_ < options_.connection_log_interval.count()) return;
  std::vector<uint64_t> now = ConnectionTotals(metrics_);
  boost::json::object counts;
  uint64_t total = 0;
  for (size_t i = 0; i < now.size(); ++i) {
    const uint64_t delta = now[i] >= connection_totals_[i] ? now[i] - connection_totals_[i] : 0;
    if (delta == 0) continue;
    counts[kConnectionDecisions[i].field] = delta;
    total += delta;
  }
  std::vector<SpaceSaving<Cidr, Cidr::Hash>::Entry> top;
  {
    std::lock_guard lock(sources_mu_);
    if (total > 0) top = decision_sources_.Top(1);
    decision_sources_.Clear();
  }
  if (total == 0) return;  // nothing decided: no line, and the interval keeps running from the last
  boost::json::object fields;
  fields["seconds"] = (now_ms - connection_logged_ms_ + 500) / 1000;  // whole seconds covered
  fields["total"] = total;
  fields["counts"] = std::move(counts);
  if (!top.empty()) {
    fields["top_source"] = top[0].key.ToString();
    fields["top_source_decisions"] = top[0].count;
  }
  log::Warn("guard_connection_decisions", std::move(fields));
  connection_totals_ = std::move(now);
  connection_logged_ms_ = now_ms;
}

void Sentinel::SampleAdmission(double seconds) {
  std::array<uint64_t, 4> now = AdmissionTotals(metrics_);
  std::array<double, 4> rate{};
  for (size_t i = 0; i < now.size(); ++i) {
    uint64_t delta = now[i] >= admission_totals_[i] ? now[i] - admission_totals_[i] : 0;
    rate[i] = static_cast<double>(delta) / seconds;
  }
  admission_totals_ = now;
  std::lock_guard lock(rates_mu_);
  rates_ = {rate[0], rate[1], rate[2], rate[3]};
}

AdmissionRates Sentinel::admission_rates() const {
  std::lock_guard lock(rates_mu_);
  return rates_;
}

void Sentinel::Start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(run_mu_);
    stopping_ = false;
  }
  {
    std::lock_guard lock(tick_mu_);
    window_start_ms_ = clock_.MonotonicMs();
  }
  thread_ = std::thread([this] { Run(); });
}

void Sentinel::Stop() {
  {
    std::lock_guard lock(run_mu_);
    stopping_ = true;
  }
  run_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Sentinel::Run() {
  std::unique_lock lock(run_mu_);
  for (;;) {
    if (run_cv_.wait_for(lock, options_.tick, [this] { return stopping_; })) return;
    lock.unlock();
    Tick();
    lock.lock();
  }
}

}  // namespace homeroom::guard
