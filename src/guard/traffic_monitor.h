#pragma once

#include <array>
#include <atomic>
#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "guard/cidr.h"
#include "guard/connection_gate.h"
#include "guard/count_min_sketch.h"
#include "guard/request_observer.h"
#include "guard/top_k.h"

namespace homeroom::guard {

// Settings of the traffic monitor (homeroom serve --help, group "Guard: detection").
struct TrafficMonitorOptions {
  // Independent locks the request path spreads over (by subnet): more shards, less contention.
  size_t shards = 16;
  // Heaviest sources kept per shard and per key kind (host, subnet): the space-saving capacity.
  size_t top_k_per_shard = 64;
  // Cells of each shard's count-min sketches (width x depth, 8 bytes each, per key kind).
  size_t sketch_width = 1024;
  size_t sketch_depth = 4;
  // The sign-in route, whose volume and failures are counted apart (login stuffing).
  std::string login_route = "/api/v1/auth/login";
  // The live WebSocket route, whose untrusted upgrade attempts are counted apart (WebSocket flood).
  std::string live_route = "/api/v1/live";
};

// How often a source was seen in a window: `count` is the smaller of the top-K's count and the
// count-min sketch's estimate, both upper bounds of the truth.
struct SourceCount {
  Cidr source;
  uint64_t count = 0;
};

// One window of traffic, as TrafficMonitor::Roll() hands it to the detector.
//
// "Untrusted" is every request that is not a signed-in user's request answered below 400:
// anonymous requests, and every refused one. Signed-in users' served requests are bounded per
// account by admission and named by account in forensics; counting them as attack traffic would
// type a school's morning rush (hundreds of pupils behind one /24) as a flood. The per-source lists
// and the distinct-host estimate count untrusted requests only.
struct TrafficWindow {
  double seconds = 0;  // the window's length
  uint64_t requests = 0;
  uint64_t untrusted_requests = 0;
  uint64_t login_requests = 0;
  uint64_t login_failures = 0;         // sign-in answered 401 or 429
  uint64_t ws_upgrades = 0;            // accepted WebSocket upgrades (101)
  uint64_t ws_untrusted_upgrades = 0;  // untrusted upgrade attempts: anonymous or refused
  // Connection events (ConnectionEvent), by kind.
  uint64_t blocked_connections = 0;
  uint64_t refused_cap = 0;  // refused at a cap, or evicted at the global cap
  uint64_t evicted = 0;      // idle connections that never signed in, closed at the global cap
  uint64_t head_timeouts = 0;
  uint64_t body_timeouts = 0;
  uint64_t write_timeouts = 0;
  uint64_t bad_requests = 0;
  uint64_t ws_abuse = 0;
  // Distinct hosts of untrusted requests (a linear-counting estimate; accurate to a few percent up
  // to a few tens of thousands).
  double distinct_hosts = 0;
  // Heaviest sources, by count descending (at most the `top_n` given to Roll()).
  std::vector<SourceCount> top_hosts;    // untrusted requests
  std::vector<SourceCount> top_subnets;  // untrusted requests
  std::vector<SourceCount> login_failure_hosts;
  std::vector<SourceCount> ws_hosts;       // untrusted upgrade attempts and WebSocket abuse closes
  std::vector<SourceCount> slow_hosts;     // head, body and write timeouts, evictions
  std::vector<SourceCount> blocked_hosts;  // connections refused as blocked
};

// Counts traffic per source in bounded memory, window by window: every untrusted request (from
// RequestObserver; see TrafficWindow) and every connection event (from ConnectionGate), by host key
// (/32, /64) and subnet key (/24, /48), in sharded count-min sketches and space-saving top-K
// summaries, plus per-window totals.
//
// Memory is fixed at construction: shards x (2 sketches + 4 summaries), plus one small summary per
// connection-event kind.
//
// Thread-safe. OnRequest() and OnConnectionEvent() run on the I/O threads: each takes one shard's
// lock (chosen by the source's subnet, so a subnet's hosts all land in one shard and the merged
// top lists are exact unions) for a few hash-table operations; totals are relaxed atomics.
// Roll() runs on the detector's thread.
class TrafficMonitor {
 public:
  explicit TrafficMonitor(TrafficMonitorOptions options);
  ~TrafficMonitor();

  void OnRequest(const RequestRecord& record);
  void OnConnectionEvent(ConnectionEvent event, const boost::asio::ip::address& remote);

  // Ends the current window, which lasted `seconds`, and returns what it saw with the `top_n`
  // heaviest sources of each list; the next window starts empty.
  TrafficWindow Roll(double seconds, size_t top_n);

  const TrafficMonitorOptions& options() const { return options_; }

 private:
  struct Shard;
  Shard& ShardOf(const Cidr& subnet);
  void MarkDistinct(const Cidr& host);

  static constexpr size_t kDistinctBits = 1 << 15;  // linear counting bitmap
  static constexpr size_t kDistinctWords = kDistinctBits / 64;

  const TrafficMonitorOptions options_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::array<std::atomic<uint64_t>, kDistinctWords> distinct_{};

  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> untrusted_requests_{0};
  std::atomic<uint64_t> login_requests_{0};
  std::atomic<uint64_t> login_failures_{0};
  std::atomic<uint64_t> ws_upgrades_{0};
  std::atomic<uint64_t> ws_untrusted_upgrades_{0};
  std::atomic<uint64_t> blocked_{0};
  std::atomic<uint64_t> refused_cap_{0};
  std::atomic<uint64_t> evicted_{0};
  std::atomic<uint64_t> head_timeouts_{0};
  std::atomic<uint64_t> body_timeouts_{0};
  std::atomic<uint64_t> write_timeouts_{0};
  std::atomic<uint64_t> bad_requests_{0};
  std::atomic<uint64_t> ws_abuse_{0};
};

}  // namespace homeroom::guard
