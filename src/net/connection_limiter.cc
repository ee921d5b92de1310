#include "net/connection_limiter.h"

#include <functional>
#include <string_view>

namespace homeroom::net {

size_t ConnectionLimiter::AddressHash::operator()(const boost::asio::ip::address& a) const {
  if (a.is_v4()) return std::hash<uint32_t>()(a.to_v4().to_uint());
  auto bytes = a.to_v6().to_bytes();
  return std::hash<std::string_view>()(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

ConnectionLimiter::ConnectionLimiter(size_t max_total, size_t max_per_ip)
    : max_total_(max_total), max_per_ip_(max_per_ip) {}

ConnectionLimiter::Verdict ConnectionLimiter::TryAcquire(const boost::asio::ip::address& ip) {
  std::lock_guard lock(mu_);
  if (total_ >= max_total_) return Verdict::kGlobalCap;
  size_t& n = per_ip_[ip];
  if (n >= max_per_ip_) {
    if (n == 0) per_ip_.erase(ip);
    return Verdict::kPerIpCap;
  }
  ++n;
  ++total_;
  return Verdict::kAccepted;
}

void ConnectionLimiter::Release(const boost::asio::ip::address& ip) {
  std::lock_guard lock(mu_);
  auto it = per_ip_.find(ip);
  if (it == per_ip_.end()) return;
  if (--it->second == 0) per_ip_.erase(it);
  --total_;
}

size_t ConnectionLimiter::total() const {
  std::lock_guard lock(mu_);
  return total_;
}

size_t ConnectionLimiter::ForIp(const boost::asio::ip::address& ip) const {
  std::lock_guard lock(mu_);
  auto it = per_ip_.find(ip);
  return it == per_ip_.end() ? 0 : it->second;
}

}  // namespace homeroom::net
