#include "guard/rate_limiter.h"

#include <algorithm>
#include <vector>

namespace homeroom::guard {

namespace {
constexpr size_t kShards = 16;
// Least recently used keys looked at for an idle one when a shard is full.
constexpr int kEvictionProbes = 8;
}  // namespace

struct RateLimiter::SourceKey {
  Cidr key;
  RouteClass route_class;
  friend bool operator==(const SourceKey&, const SourceKey&) = default;
};

struct RateLimiter::SourceKeyHash {
  size_t operator()(const SourceKey& k) const {
    return Cidr::Hash()(k.key) * 31 + static_cast<size_t>(k.route_class);
  }
};

struct RateLimiter::AccountKey {
  int64_t user_id;
  RouteClass route_class;
  friend bool operator==(const AccountKey&, const AccountKey&) = default;
};

struct RateLimiter::AccountKeyHash {
  size_t operator()(const AccountKey& k) const {
    uint64_t h = static_cast<uint64_t>(k.user_id) * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h ^ (h >> 29)) * 31 + static_cast<size_t>(k.route_class);
  }
};

// A capped, sharded map of key -> bucket in least-recently-used order.
template <typename Key, typename Hash>
class RateLimiter::Table {
 public:
  explicit Table(size_t capacity) : shard_capacity_(std::max<size_t>(1, capacity / kShards)) {}

  enum class Room { kFound, kAdded, kFull };

  // Runs `fn(bucket)` on the key's bucket, creating it (full) when absent. When the shard is full
  // of active keys: with `force`, the least recently used key is forgotten to make room; without,
  // `fn` is not called and kFull is returned.
  template <typename Fn>
  Room With(const Key& key, const RateLimit& limit, int64_t now_ms, bool force, Fn&& fn) {
    Shard& shard = shards_[Hash()(key) % kShards];
    std::lock_guard lock(shard.mu);
    auto it = shard.map.find(key);
    if (it != shard.map.end()) {
      shard.lru.splice(shard.lru.begin(), shard.lru, it->second.lru);
      fn(it->second.bucket);
      return Room::kFound;
    }
    if (shard.map.size() >= shard_capacity_ && !MakeRoom(shard, now_ms, force)) return Room::kFull;
    shard.lru.push_front(key);
    auto [added, inserted] =
        shard.map.emplace(key, Entry{TokenBucket(limit, now_ms), limit, shard.lru.begin()});
    (void)inserted;
    fn(added->second.bucket);
    return Room::kAdded;
  }

  size_t size() const {
    size_t n = 0;
    for (const Shard& shard : shards_) {
      std::lock_guard lock(shard.mu);
      n += shard.map.size();
    }
    return n;
  }

 private:
  struct Entry {
    TokenBucket bucket;
    RateLimit limit;  // the rate it refills at, to tell when it is idle
    typename std::list<Key>::iterator lru;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<Key, Entry, Hash> map;  // guarded by mu
    std::list<Key> lru;                        // guarded by mu; most recent first
  };

  bool MakeRoom(Shard& shard, int64_t now_ms, bool force) {
    auto it = shard.lru.end();
    for (int i = 0; i < kEvictionProbes && it != shard.lru.begin(); ++i) {
      --it;
      auto entry = shard.map.find(*it);
      if (entry->second.bucket.Full(entry->second.limit, now_ms)) {
        shard.map.erase(entry);
        shard.lru.erase(it);
        return true;
      }
    }
    if (!force || shard.lru.empty()) return false;
    shard.map.erase(shard.lru.back());
    shard.lru.pop_back();
    return true;
  }

  const size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
};

namespace {

int RetryAfterSeconds(int64_t wait_ms) {
  return static_cast<int>(std::max<int64_t>(1, (wait_ms + 999) / 1000));
}

}  // namespace

RateLimiter::RateLimiter(const Clock& clock, RateLimiterOptions options)
    : clock_(clock),
      options_(options),
      sources_(std::make_unique<Table<SourceKey, SourceKeyHash>>(options.max_source_keys)),
      accounts_(std::make_unique<Table<AccountKey, AccountKeyHash>>(options.max_account_keys)) {}

RateLimiter::~RateLimiter() = default;

RateVerdict RateLimiter::CheckSource(const boost::asio::ip::address& address,
                                     RouteClass route_class, bool credentialed) {
  const ClassLimits& limits = options_.For(route_class);
  const int64_t now_ms = clock_.MonotonicMs();
  RateVerdict verdict;
  if (!limits.ip.unlimited()) {
    const SourceKey host{HostKey(address), route_class};
    bool ok = true;
    int64_t wait_ms = 0;
    auto room = sources_->With(host, limits.ip, now_ms, false,
                               [&](TokenBucket& b) { ok = b.Take(limits.ip, now_ms, &wait_ms); });
    if (room == Table<SourceKey, SourceKeyHash>::Room::kFull) {
      verdict.table_full = true;
      if (!credentialed) {
        verdict.kind = RateVerdict::Kind::kIpLimited;
        verdict.retry_after_s = 1;
      }
      return verdict;
    }
    if (!ok) {
      verdict.kind = RateVerdict::Kind::kIpLimited;
      verdict.retry_after_s = RetryAfterSeconds(wait_ms);
      return verdict;
    }
  }
  if (!limits.subnet.unlimited()) {
    const SourceKey subnet{SubnetKey(address), route_class};
    bool ok = true;
    int64_t wait_ms = 0;
    auto room = sources_->With(subnet, limits.subnet, now_ms, false, [&](TokenBucket& b) {
      ok = b.Take(limits.subnet, now_ms, &wait_ms);
    });
    if (room == Table<SourceKey, SourceKeyHash>::Room::kFull) {
      verdict.table_full = true;
      if (!credentialed) {
        verdict.kind = RateVerdict::Kind::kSubnetLimited;
        verdict.retry_after_s = 1;
      }
    } else if (!ok) {
      verdict.kind = RateVerdict::Kind::kSubnetLimited;
      verdict.retry_after_s = RetryAfterSeconds(wait_ms);
    }
    if (!verdict.allowed() && !limits.ip.unlimited()) {
      sources_->With(SourceKey{HostKey(address), route_class}, limits.ip, now_ms, false,
                     [&](TokenBucket& b) { b.Refund(limits.ip); });
    }
  }
  return verdict;
}

RateVerdict RateLimiter::CheckAccount(int64_t user_id, RouteClass route_class) {
  const RateLimit& limit = options_.For(route_class).account;
  RateVerdict verdict;
  if (limit.unlimited()) return verdict;
  const int64_t now_ms = clock_.MonotonicMs();
  bool ok = true;
  int64_t wait_ms = 0;
  accounts_->With(AccountKey{user_id, route_class}, limit, now_ms, /*force=*/true,
                  [&](TokenBucket& b) { ok = b.Take(limit, now_ms, &wait_ms); });
  if (!ok) {
    verdict.kind = RateVerdict::Kind::kAccountLimited;
    verdict.retry_after_s = RetryAfterSeconds(wait_ms);
  }
  return verdict;
}

size_t RateLimiter::source_keys() const { return sources_->size(); }
size_t RateLimiter::account_keys() const { return accounts_->size(); }

}  // namespace homeroom::guard
