#pragma once

#include <atomic>
#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <functional>
#include <mutex>
#include <unordered_map>

#include "guard/cidr.h"
#include "guard/trusted_proxies.h"

namespace homeroom::net {

// The caps of a ConnectionLimiter (ServerOptions carries the operators' values).
struct ConnectionCaps {
  // Open connections in all.
  size_t max_total = 10'000;
  // Open connections from one host key (guard::HostKey: /32 IPv4, /64 IPv6).
  size_t max_per_host = 2'048;
  // Open connections from one subnet key (guard::SubnetKey: /24 IPv4, /48 IPv6), all its hosts.
  size_t max_per_subnet = 4'096;
  // Addresses the per-host and per-subnet caps spare (trusted proxies: each carries many clients).
  guard::TrustedProxies uncapped;
  // Pressure starts when open connections reach this fraction of max_total...
  double pressure_on_fraction = 0.75;
  // ...and ends when they fall to this fraction or below (hysteresis: no flapping at the edge).
  double pressure_off_fraction = 0.60;
};

// Counts open connections, in all, per host key and per subnet key (guard/cidr.h), and refuses
// those over a cap. The server asks before it starts a session and releases when the session ends
// (or as soon as it evicts one). It also says whether the server is under connection pressure
// (open connections past ConnectionCaps::pressure_on_fraction of the global cap, until they fall
// to pressure_off_fraction), which shortens the keep-alive idle timeout.
//
// Thread-safe; under_pressure() is a relaxed atomic read.
class ConnectionLimiter {
 public:
  enum class Verdict { kAccepted, kGlobalCap, kPerIpCap, kPerSubnetCap };

  // `on_pressure` (may be empty) is called with the new state each time the pressure state
  // changes, under the limiter's lock: it must be cheap and must not call back into the limiter.
  explicit ConnectionLimiter(ConnectionCaps caps, std::function<void(bool)> on_pressure = {});

  // Takes a slot for `ip` and returns kAccepted, or takes nothing and says which cap is full. The
  // per-host and per-subnet caps are checked first, so kGlobalCap means that this address could
  // have a slot if another connection gave one back (an eviction).
  Verdict TryAcquire(const boost::asio::ip::address& ip);
  // Gives back a slot taken by an accepted TryAcquire().
  void Release(const boost::asio::ip::address& ip);

  size_t total() const;
  size_t ForHost(const boost::asio::ip::address& ip) const;
  size_t ForSubnet(const boost::asio::ip::address& ip) const;
  bool under_pressure() const { return pressure_.load(std::memory_order_relaxed); }

 private:
  using Counts = std::unordered_map<guard::Cidr, size_t, guard::Cidr::Hash>;
  // Decrements `key` in `counts`, erasing it at zero.
  static void Decrement(Counts& counts, const guard::Cidr& key);
  void UpdatePressureLocked();

  const ConnectionCaps caps_;
  const size_t pressure_on_;   // connections
  const size_t pressure_off_;  // connections
  const std::function<void(bool)> on_pressure_;
  mutable std::mutex mu_;
  size_t total_ = 0;                   // guarded by mu_
  Counts per_host_;                    // guarded by mu_
  Counts per_subnet_;                  // guarded by mu_
  std::atomic<bool> pressure_{false};  // written under mu_
};

}  // namespace homeroom::net
