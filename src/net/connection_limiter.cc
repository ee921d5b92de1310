#include "net/connection_limiter.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace homeroom::net {

namespace {

template <typename Map, typename Key>
size_t CountOf(const Map& counts, const Key& key) {
  auto it = counts.find(key);
  return it == counts.end() ? 0 : it->second;
}

size_t FractionOf(size_t total, double fraction) {
  if (fraction <= 0) return 0;
  return static_cast<size_t>(std::ceil(static_cast<double>(total) * fraction));
}

}  // namespace

ConnectionLimiter::ConnectionLimiter(ConnectionCaps caps, std::function<void(bool)> on_pressure)
    : caps_(caps),
      pressure_on_(FractionOf(caps.max_total, caps.pressure_on_fraction)),
      pressure_off_(static_cast<size_t>(static_cast<double>(caps.max_total) *
                                        std::max(0.0, caps.pressure_off_fraction))),
      on_pressure_(std::move(on_pressure)) {}

ConnectionLimiter::Verdict ConnectionLimiter::TryAcquire(const boost::asio::ip::address& ip) {
  const guard::Cidr host = guard::HostKey(ip);
  const guard::Cidr subnet = guard::SubnetKey(ip);
  const bool capped = caps_.uncapped.empty() || !caps_.uncapped.Trusts(ip);
  std::lock_guard lock(mu_);
  if (capped && CountOf(per_host_, host) >= caps_.max_per_host) return Verdict::kPerIpCap;
  if (capped && CountOf(per_subnet_, subnet) >= caps_.max_per_subnet) {
    return Verdict::kPerSubnetCap;
  }
  if (total_ >= caps_.max_total) return Verdict::kGlobalCap;
  ++per_host_[host];
  ++per_subnet_[subnet];
  ++total_;
  UpdatePressureLocked();
  return Verdict::kAccepted;
}

void ConnectionLimiter::Release(const boost::asio::ip::address& ip) {
  const guard::Cidr host = guard::HostKey(ip);
  std::lock_guard lock(mu_);
  if (per_host_.find(host) == per_host_.end()) return;
  Decrement(per_host_, host);
  Decrement(per_subnet_, guard::SubnetKey(ip));
  --total_;
  UpdatePressureLocked();
}

void ConnectionLimiter::Decrement(Counts& counts, const guard::Cidr& key) {
  auto it = counts.find(key);
  if (it == counts.end()) return;
  if (--it->second == 0) counts.erase(it);
}

void ConnectionLimiter::UpdatePressureLocked() {
  const bool was = pressure_.load(std::memory_order_relaxed);
  bool now = was;
  if (!was && pressure_on_ > 0 && total_ >= pressure_on_) now = true;
  if (was && total_ <= pressure_off_) now = false;
  if (now == was) return;
  pressure_.store(now, std::memory_order_relaxed);
  if (on_pressure_) on_pressure_(now);
}

size_t ConnectionLimiter::total() const {
  std::lock_guard lock(mu_);
  return total_;
}

size_t ConnectionLimiter::ForHost(const boost::asio::ip::address& ip) const {
  std::lock_guard lock(mu_);
  return CountOf(per_host_, guard::HostKey(ip));
}

size_t ConnectionLimiter::ForSubnet(const boost::asio::ip::address& ip) const {
  std::lock_guard lock(mu_);
  return CountOf(per_subnet_, guard::SubnetKey(ip));
}

}  // namespace homeroom::net
