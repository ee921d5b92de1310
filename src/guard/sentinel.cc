#include "guard/sentinel.h"

namespace homeroom::guard {

namespace {

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
      admission_totals_(AdmissionTotals(metrics)) {}

Sentinel::~Sentinel() { Stop(); }

bool Sentinel::AllowConnection(const boost::asio::ip::address& remote) {
  if (!block_list_.IsBlocked(remote)) return true;
  blocked_connections_.Inc();
  return false;
}

void Sentinel::OnConnectionEvent(ConnectionEvent event, const boost::asio::ip::address& remote) {
  if (options_.enabled) monitor_.OnConnectionEvent(event, remote);
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
  TrafficWindow window = monitor_.Roll(seconds, options_.detector.top_sources);
  detector_.Observe(window);
  SampleAdmission(seconds);
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
  if (!options_.enabled || thread_.joinable()) return;
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
