#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <mutex>
#include <unordered_map>

namespace homeroom::net {

// Counts open connections, globally and per remote address, and refuses those over a cap. The
// server asks before it starts a session and releases when the session ends. Thread-safe.
class ConnectionLimiter {
 public:
  enum class Verdict { kAccepted, kGlobalCap, kPerIpCap };

  ConnectionLimiter(size_t max_total, size_t max_per_ip);

  // Takes a slot for `ip` and returns kAccepted, or takes nothing and says which cap is full.
  Verdict TryAcquire(const boost::asio::ip::address& ip);
  // Gives back a slot taken by an accepted TryAcquire().
  void Release(const boost::asio::ip::address& ip);

  size_t total() const;
  size_t ForIp(const boost::asio::ip::address& ip) const;

 private:
  struct AddressHash {
    size_t operator()(const boost::asio::ip::address& a) const;
  };
  const size_t max_total_;
  const size_t max_per_ip_;
  mutable std::mutex mu_;
  size_t total_ = 0;                                                          // guarded by mu_
  std::unordered_map<boost::asio::ip::address, size_t, AddressHash> per_ip_;  // guarded by mu_
};

}  // namespace homeroom::net
