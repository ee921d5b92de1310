#pragma once

#include <array>
#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "core/clock.h"
#include "guard/cidr.h"
#include "guard/route_class.h"
#include "guard/token_bucket.h"

namespace homeroom::guard {

// The three buckets of one route class.
struct ClassLimits {
  RateLimit ip;       // per host key (/32 IPv4, /64 IPv6)
  RateLimit subnet;   // per subnet key (/24 IPv4, /48 IPv6)
  RateLimit account;  // per signed-in account
};

// Every rate of admission, by route class (docs/security.md, "Defenses" > "Admission", explains
// each default: one school of 400 students behind one NAT address must not be throttled in normal
// use).
struct RateLimiterOptions {
  std::array<ClassLimits, kRouteClassCount> classes = {{
      // static: the web app's files; a first visit loads a few dozen.
      {{100, 1000}, {200, 2000}, {}},
      // login: every class of a school signing in in the same five minutes.
      {{5, 100}, {10, 200}, {}},
      // api_read: 400 pupils opening their homework at the teacher's word.
      {{200, 2000}, {400, 4000}, {20, 100}},
      // api_write: 400 pupils handing in within ten seconds.
      {{50, 500}, {150, 1500}, {5, 30}},
      // live: 400 pupils joining their rooms at the bell; reconnect storms per account.
      {{20, 400}, {50, 1000}, {2, 20}},
  }};
  // Keys (host or subnet, per class) tracked at most; the account table likewise. Idle keys (whose
  // bucket has refilled) are dropped first. When the source table is full of active keys, a new
  // anonymous source is refused (fail closed, 429) and a request carrying a credential passes
  // untracked; the account table never refuses: it forgets its least recently used account.
  size_t max_source_keys = 100'000;
  size_t max_account_keys = 100'000;

  ClassLimits& For(RouteClass route_class) { return classes[static_cast<size_t>(route_class)]; }
  const ClassLimits& For(RouteClass route_class) const {
    return classes[static_cast<size_t>(route_class)];
  }
};

// What a check decided.
struct RateVerdict {
  enum class Kind { kAllowed, kIpLimited, kSubnetLimited, kAccountLimited };
  Kind kind = Kind::kAllowed;
  int retry_after_s = 0;    // seconds until a token (>= 1) when limited
  bool table_full = false;  // the source table was full of active keys

  bool allowed() const { return kind == Kind::kAllowed; }
};

// Token buckets per source (host and subnet key) and per account, per route class, in bounded
// memory: each table is sharded (a mutex per shard), kept in least-recently-used order, and capped;
// a key is forgotten once its bucket has refilled (it is then the same as a new one).
//
// Thread-safe; a check costs one or two hash probes under a shard's mutex.
class RateLimiter {
 public:
  RateLimiter(const Clock& clock, RateLimiterOptions options);
  ~RateLimiter();

  // Takes a token from `address`'s host bucket and its subnet bucket of `route_class` (the host
  // token is given back when the subnet refuses). `credentialed`: the request carries a session
  // credential, so a full table lets it pass untracked instead of refusing it.
  RateVerdict CheckSource(const boost::asio::ip::address& address, RouteClass route_class,
                          bool credentialed);
  // Takes a token from the account's bucket of `route_class`. Never refused for lack of room.
  RateVerdict CheckAccount(int64_t user_id, RouteClass route_class);

  size_t source_keys() const;
  size_t account_keys() const;
  const RateLimiterOptions& options() const { return options_; }

 private:
  template <typename Key, typename Hash>
  class Table;
  struct SourceKey;
  struct SourceKeyHash;
  struct AccountKey;
  struct AccountKeyHash;

  const Clock& clock_;
  const RateLimiterOptions options_;
  std::unique_ptr<Table<SourceKey, SourceKeyHash>> sources_;
  std::unique_ptr<Table<AccountKey, AccountKeyHash>> accounts_;
};

}  // namespace homeroom::guard
