#pragma once

#include <array>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "guard/attack_mode.h"
#include "guard/block_list.h"
#include "guard/cidr.h"
#include "guard/connection_gate.h"
#include "guard/detector.h"
#include "guard/request_observer.h"
#include "guard/top_k.h"
#include "guard/traffic_monitor.h"

namespace homeroom::guard {

// Settings of attack detection and blocking (docs/security.md, "Defenses" > "Detection and
// blocking"; homeroom serve --help, group "Guard: detection").
struct SentinelOptions {
  // Off: nothing is counted or detected (blocks are still enforced).
  bool enabled = true;
  // The detector's window: traffic is counted per window and judged at its end.
  std::chrono::milliseconds tick{1000};
  TrafficMonitorOptions traffic;
  DetectorOptions detector;
  // The connection-stage decisions of the server (refusals at the caps and of blocked sources at
  // accept, evictions, head/body/write timeouts, 400/413/431, abusive WebSockets, accept errors
  // such as EMFILE) are logged as one summary line, `guard_connection_decisions`, at most once per
  // this interval and only when there were any: counts by kind since the last line and the source
  // that caused most. Never a line per event, so an attacker cannot flood the log. Logged whether
  // or not detection is enabled.
  std::chrono::milliseconds connection_log_interval{10'000};
};

// Admission's refusals per second over the Sentinel's last window, read from
// homeroom_guard_admission_total{decision} (guard::Admission counts one per request).
struct AdmissionRates {
  double shed_per_s = 0;          // decision="shed" (503)
  double rate_limited_per_s = 0;  // decision="rate_limited_ip|subnet|account" (429)
  double blocked_per_s = 0;       // decision="blocked" (403: a request from a blocked source)
  double challenged_per_s = 0;    // decision="challenged" (proof of work asked)
};

// The server's watchman: refuses connections from blocked sources, counts every request and
// connection event per source (TrafficMonitor), and once per tick hands the window to the Detector,
// which types attacks, auto-blocks flooding hosts in the BlockList and drives AttackMode.
//
// It is the app's guard::ConnectionGate (AllowConnection() = !BlockList::IsBlocked(), refusals
// counted in homeroom_guard_blocked_total{stage="connection"}) and one of the dispatcher's
// guard::RequestObservers. Nothing it does on the I/O threads blocks or does I/O: a shard lock and
// a few atomic adds per request. The detector runs on the Sentinel's own thread, which also writes
// the periodic summary of connection-stage decisions (SentinelOptions::connection_log_interval),
// read from the homeroom_net_* counters of the same registry and from OnConnectionEvent().
//
// Thread-safe. Start() and Stop() from one thread; Stop() (or destruction) joins the ticker.
class Sentinel final : public ConnectionGate, public RequestObserver {
 public:
  // `block_list` and `attack_mode` must outlive the Sentinel.
  Sentinel(const Clock& clock, SentinelOptions options, BlockList& block_list,
           AttackMode& attack_mode, metrics::Registry& metrics);
  ~Sentinel() override;

  bool AllowConnection(const boost::asio::ip::address& remote) override;
  void OnConnectionEvent(ConnectionEvent event, const boost::asio::ip::address& remote) override;
  void OnRequest(const RequestRecord& record) override;

  // Starts the ticker thread (one Tick() per options.tick). No-op when started. When detection is
  // disabled the ticker only writes the connection-decision summary.
  void Start();
  // Stops and joins the ticker. Idempotent.
  void Stop();
  // Ends the current window now and lets the detector judge it, then writes the connection-decision
  // summary when one is due (the ticker's step; tests call it with a ManualClock).
  void Tick();

  DetectorSnapshot Snapshot() const { return detector_.Snapshot(); }
  AdmissionRates admission_rates() const;
  const Detector& detector() const { return detector_; }
  BlockList& block_list() { return block_list_; }
  AttackMode& attack_mode() { return attack_mode_; }
  const SentinelOptions& options() const { return options_; }

 private:
  void Run();
  void SampleAdmission(double seconds);         // requires tick_mu_
  void LogConnectionDecisions(int64_t now_ms);  // requires tick_mu_

  const Clock& clock_;
  const SentinelOptions options_;
  BlockList& block_list_;
  AttackMode& attack_mode_;
  metrics::Counter& blocked_connections_;
  TrafficMonitor monitor_;
  Detector detector_;

  std::mutex tick_mu_;       // serializes Tick()
  int64_t window_start_ms_;  // guarded by tick_mu_ (monotonic)
  metrics::Registry& metrics_;
  // Admission counter totals at the last tick; guarded by tick_mu_.
  std::array<uint64_t, 4> admission_totals_{};
  mutable std::mutex rates_mu_;
  AdmissionRates rates_;  // guarded by rates_mu_
  // The connection-decision summary: counter totals at the last line, when it was written, and
  // the host keys behind the decisions since (a small space-saving summary).
  std::vector<uint64_t> connection_totals_;  // guarded by tick_mu_
  int64_t connection_logged_ms_;             // guarded by tick_mu_ (monotonic)
  std::mutex sources_mu_;
  SpaceSaving<Cidr, Cidr::Hash> decision_sources_;  // guarded by sources_mu_

  std::mutex run_mu_;
  std::condition_variable run_cv_;
  bool stopping_ = false;  // guarded by run_mu_
  std::thread thread_;
};

}  // namespace homeroom::guard
