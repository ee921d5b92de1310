#include "guard/traffic_monitor.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace homeroom::guard {

namespace {

// The summaries of connection events and of sign-in failures see far fewer sources than requests.
size_t EventCapacity(size_t top_k) { return std::max<size_t>(8, top_k / 4); }

void AppendTop(const SpaceSaving<Cidr, Cidr::Hash>& summary, const CountMinSketch* sketch,
               std::vector<SourceCount>& out) {
  for (const auto& e : summary.Top(summary.size())) {
    uint64_t count = e.count;
    if (sketch != nullptr) count = std::min(count, sketch->Estimate(Cidr::Hash()(e.key)));
    out.push_back({e.key, count});
  }
}

std::vector<SourceCount> Heaviest(std::vector<SourceCount> all, size_t n) {
  std::sort(all.begin(), all.end(),
            [](const SourceCount& a, const SourceCount& b) { return a.count > b.count; });
  if (all.size() > n) all.resize(n);
  return all;
}

}  // namespace

struct TrafficMonitor::Shard {
  explicit Shard(const TrafficMonitorOptions& o)
      : host_sketch(o.sketch_width, o.sketch_depth),
        subnet_sketch(o.sketch_width, o.sketch_depth),
        hosts(o.top_k_per_shard),
        subnets(o.top_k_per_shard),
        login_failures(EventCapacity(o.top_k_per_shard)),
        ws(EventCapacity(o.top_k_per_shard)),
        slow(EventCapacity(o.top_k_per_shard)),
        blocked(EventCapacity(o.top_k_per_shard)) {}

  std::mutex mu;
  // All guarded by mu.
  CountMinSketch host_sketch;
  CountMinSketch subnet_sketch;
  SpaceSaving<Cidr, Cidr::Hash> hosts;
  SpaceSaving<Cidr, Cidr::Hash> subnets;
  SpaceSaving<Cidr, Cidr::Hash> login_failures;
  SpaceSaving<Cidr, Cidr::Hash> ws;
  SpaceSaving<Cidr, Cidr::Hash> slow;
  SpaceSaving<Cidr, Cidr::Hash> blocked;
};

TrafficMonitor::TrafficMonitor(TrafficMonitorOptions options) : options_(std::move(options)) {
  size_t n = std::max<size_t>(1, options_.shards);
  shards_.reserve(n);
  for (size_t i = 0; i < n; ++i) shards_.push_back(std::make_unique<Shard>(options_));
}

TrafficMonitor::~TrafficMonitor() = default;

TrafficMonitor::Shard& TrafficMonitor::ShardOf(const Cidr& subnet) {
  return *shards_[Cidr::Hash()(subnet) % shards_.size()];
}

void TrafficMonitor::MarkDistinct(const Cidr& host) {
  uint64_t h = Cidr::Hash()(host);
  h ^= h >> 33;  // FNV's low bits are weak; fold the high ones in
  size_t bit = h % kDistinctBits;
  distinct_[bit / 64].fetch_or(uint64_t{1} << (bit % 64), std::memory_order_relaxed);
}

void TrafficMonitor::OnRequest(const RequestRecord& record) {
  requests_.fetch_add(1, std::memory_order_relaxed);
  const bool login = record.route == options_.login_route;
  const bool login_failed = login && (record.status == 401 || record.status == 429);
  if (login) login_requests_.fetch_add(1, std::memory_order_relaxed);
  if (login_failed) login_failures_.fetch_add(1, std::memory_order_relaxed);
  if (record.status == 101) ws_upgrades_.fetch_add(1, std::memory_order_relaxed);
  const bool trusted = record.user_id.has_value() && record.status < 400;
  if (trusted) return;

  Cidr host = HostKey(record.remote);
  Cidr subnet = SubnetKey(record.remote);
  untrusted_requests_.fetch_add(1, std::memory_order_relaxed);
  MarkDistinct(host);
  const bool ws_attempt = record.route == options_.live_route;
  if (ws_attempt) ws_untrusted_upgrades_.fetch_add(1, std::memory_order_relaxed);
  Shard& shard = ShardOf(subnet);
  std::lock_guard lock(shard.mu);
  shard.host_sketch.Add(Cidr::Hash()(host));
  shard.subnet_sketch.Add(Cidr::Hash()(subnet));
  shard.hosts.Add(host);
  shard.subnets.Add(subnet);
  if (login_failed) shard.login_failures.Add(host);
  if (ws_attempt) shard.ws.Add(host);
}

void TrafficMonitor::OnConnectionEvent(ConnectionEvent event,
                                       const boost::asio::ip::address& remote) {
  SpaceSaving<Cidr, Cidr::Hash> Shard::*summary = nullptr;
  switch (event) {
    case ConnectionEvent::kRefusedBlocked:
      blocked_.fetch_add(1, std::memory_order_relaxed);
      summary = &Shard::blocked;
      break;
    case ConnectionEvent::kRefusedCap:
      refused_cap_.fetch_add(1, std::memory_order_relaxed);
      break;
    case ConnectionEvent::kEvicted:
      // The global cap was full and this connection held a slot without ever signing in: the
      // slowloris pattern at scale (connection exhaustion), so its source counts as a slow client.
      refused_cap_.fetch_add(1, std::memory_order_relaxed);
      evicted_.fetch_add(1, std::memory_order_relaxed);
      summary = &Shard::slow;
      break;
    case ConnectionEvent::kIdleTimeout:  // normal for browsers between requests: not a signal
      break;
    case ConnectionEvent::kHeadTimeout:
      head_timeouts_.fetch_add(1, std::memory_order_relaxed);
      summary = &Shard::slow;
      break;
    case ConnectionEvent::kBodyTimeout:
      body_timeouts_.fetch_add(1, std::memory_order_relaxed);
      summary = &Shard::slow;
      break;
    case ConnectionEvent::kWriteTimeout:
      write_timeouts_.fetch_add(1, std::memory_order_relaxed);
      summary = &Shard::slow;
      break;
    case ConnectionEvent::kBadRequest:
      bad_requests_.fetch_add(1, std::memory_order_relaxed);
      break;
    case ConnectionEvent::kWebSocketAbuse:
      ws_abuse_.fetch_add(1, std::memory_order_relaxed);
      summary = &Shard::ws;
      break;
  }
  if (summary == nullptr) return;
  Cidr subnet = SubnetKey(remote);
  Shard& shard = ShardOf(subnet);
  std::lock_guard lock(shard.mu);
  (shard.*summary).Add(HostKey(remote));
}

TrafficWindow TrafficMonitor::Roll(double seconds, size_t top_n) {
  TrafficWindow w;
  w.seconds = seconds;
  std::vector<SourceCount> hosts, subnets, login_failures, ws, slow, blocked;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    AppendTop(shard->hosts, &shard->host_sketch, hosts);
    AppendTop(shard->subnets, &shard->subnet_sketch, subnets);
    AppendTop(shard->login_failures, nullptr, login_failures);
    AppendTop(shard->ws, nullptr, ws);
    AppendTop(shard->slow, nullptr, slow);
    AppendTop(shard->blocked, nullptr, blocked);
    shard->host_sketch.Decay(0);
    shard->subnet_sketch.Decay(0);
    for (auto* s : {&shard->hosts, &shard->subnets, &shard->login_failures, &shard->ws,
                    &shard->slow, &shard->blocked}) {
      s->Clear();
    }
  }
  w.top_hosts = Heaviest(std::move(hosts), top_n);
  w.top_subnets = Heaviest(std::move(subnets), top_n);
  w.login_failure_hosts = Heaviest(std::move(login_failures), top_n);
  w.ws_hosts = Heaviest(std::move(ws), top_n);
  w.slow_hosts = Heaviest(std::move(slow), top_n);
  w.blocked_hosts = Heaviest(std::move(blocked), top_n);

  auto take = [](std::atomic<uint64_t>& v) { return v.exchange(0, std::memory_order_relaxed); };
  w.requests = take(requests_);
  w.untrusted_requests = take(untrusted_requests_);
  w.login_requests = take(login_requests_);
  w.login_failures = take(login_failures_);
  w.ws_upgrades = take(ws_upgrades_);
  w.ws_untrusted_upgrades = take(ws_untrusted_upgrades_);
  w.blocked_connections = take(blocked_);
  w.refused_cap = take(refused_cap_);
  w.evicted = take(evicted_);
  w.head_timeouts = take(head_timeouts_);
  w.body_timeouts = take(body_timeouts_);
  w.write_timeouts = take(write_timeouts_);
  w.bad_requests = take(bad_requests_);
  w.ws_abuse = take(ws_abuse_);

  // Linear counting: n ~ -m ln(zero bits / m).
  size_t zeros = 0;
  for (auto& word : distinct_) {
    zeros += static_cast<size_t>(std::popcount(~take(word)));
  }
  const double m = static_cast<double>(kDistinctBits);
  w.distinct_hosts = zeros == 0 ? m * std::log(m) : -m * std::log(static_cast<double>(zeros) / m);
  return w;
}

}  // namespace homeroom::guard
