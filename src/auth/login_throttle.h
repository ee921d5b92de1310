#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"

namespace homeroom::auth {

// Slows password guessing without ever letting an attacker lock somebody else out
// (docs/security.md, "Sign-in"). Three independent records, each bounded in memory:
//
//  - per (account, source IP) pair: a few free failures, then growing delays (1 s, 2 s, 4 s, ...
//    capped). Only this pair is delayed: the real user signing in from another IP is not.
//    A success clears the pair.
//  - per source IP, across accounts (credential stuffing): a leaky bucket of failures; over its
//    burst, the IP must wait until the bucket drains a little. Only that IP is affected.
//  - per account, across IPs (a botnet guessing one password): over its burst the account's
//    attempts are slowed by a short fixed delay (Decision::slow_down), never refused, so the real
//    user still signs in.
//
// Refused attempts are not counted (they cost nothing to answer), so a client that keeps trying
// while refused does not make its own wait longer.
//
// Thread-safe: one mutex guards all records. Every operation is O(1).
class LoginThrottle {
 public:
  struct Options {
    // Per (account, IP) pair.
    int pair_free_failures = 5;                                // failures before any delay
    std::chrono::milliseconds pair_base_delay{1000};           // delay after the first paid failure
    std::chrono::milliseconds pair_max_delay{15 * 60 * 1000};  // the doubling stops here
    std::chrono::milliseconds pair_forget_after{6 * 3600 * 1000};  // quiet time that clears a pair
    size_t max_pairs = 200'000;  // pairs remembered; the least recently failed are dropped first

    // Per IP across accounts: a leaky bucket of failures.
    double ip_failure_burst = 100;       // failures an IP may accumulate before it must wait
    double ip_failures_per_minute = 30;  // how fast the bucket drains
    size_t max_ips = 100'000;            // IPs remembered (least recently failed dropped first)

    // Per account across IPs: slows, never refuses.
    double account_failure_burst = 50;        // failures across all IPs before attempts are slowed
    double account_failures_per_minute = 10;  // how fast the bucket drains
    std::chrono::milliseconds account_slow_down{1000};  // delay added to every attempt when over
    size_t max_accounts = 200'000;  // accounts remembered (least recently failed dropped)
  };

  // The answer for one attempt.
  struct Decision {
    bool allowed = true;
    int retry_after_s = 0;                   // when refused: seconds until an attempt is accepted
    std::chrono::milliseconds slow_down{0};  // when allowed: wait this long before verifying
    const char* reason = "";                 // when refused: "account_ip" or "ip"
    bool first_refusal = false;  // the first refusal of this block (log it once, not per attempt)
  };

  LoginThrottle(const Clock& clock, Options options);
  LoginThrottle(const LoginThrottle&) = delete;
  LoginThrottle& operator=(const LoginThrottle&) = delete;

  // Decides whether an attempt on `account` (a normalized username, or "" when there is no
  // account, e.g. activation codes) from `ip` may go ahead. Never fails.
  Decision Check(std::string_view account, std::string_view ip);
  // Records a failed attempt (wrong password or code) on the three records.
  void RecordFailure(std::string_view account, std::string_view ip);
  // Records a success: clears the (account, ip) pair. The IP and account buckets keep draining on
  // their own, so one success cannot launder a stuffing run.
  void RecordSuccess(std::string_view account, std::string_view ip);

  // Entries held, for tests and metrics.
  size_t pairs() const;
  size_t ips() const;
  size_t accounts() const;
  const Options& options() const { return options_; }

 private:
  struct PairState {
    int failures = 0;
    int64_t last_failure_ms = 0;
    bool refusal_logged = false;
  };
  struct BucketState {
    double level = 0;
    int64_t updated_ms = 0;
    bool refusal_logged = false;
  };
  // A map bounded by evicting the least recently updated entry. Guarded by the owner's mutex.
  template <typename V>
  class Lru {
   public:
    explicit Lru(size_t capacity) : capacity_(capacity) {}
    V* Find(const std::string& key);
    V& Upsert(const std::string& key);  // moves the key to the most recent end
    void Erase(const std::string& key);
    size_t size() const { return map_.size(); }

   private:
    using Order = std::list<std::string>;
    struct Slot {
      V value;
      typename Order::iterator pos;
    };
    size_t capacity_;
    Order order_;  // front: least recent
    std::unordered_map<std::string, Slot> map_;
  };

  static std::string PairKey(std::string_view account, std::string_view ip);
  int64_t PairDelayMs(int failures) const;
  // Drains the bucket to now and returns its level.
  static double Drain(BucketState& b, double per_minute, int64_t now_ms);

  const Clock& clock_;
  const Options options_;
  mutable std::mutex mu_;
  Lru<PairState> pairs_;       // guarded by mu_
  Lru<BucketState> ips_;       // guarded by mu_
  Lru<BucketState> accounts_;  // guarded by mu_
};

}  // namespace homeroom::auth
