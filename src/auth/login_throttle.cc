#include "auth/login_throttle.h"

#include <algorithm>
#include <cmath>

namespace homeroom::auth {
namespace {

int CeilSeconds(double ms) { return std::max(1, static_cast<int>(std::ceil(ms / 1000.0))); }

}  // namespace

template <typename V>
V* LoginThrottle::Lru<V>::Find(const std::string& key) {
  auto it = map_.find(key);
  return it == map_.end() ? nullptr : &it->second.value;
}

template <typename V>
V& LoginThrottle::Lru<V>::Upsert(const std::string& key) {
  auto it = map_.find(key);
  if (it != map_.end()) {
    order_.splice(order_.end(), order_, it->second.pos);
    return it->second.value;
  }
  if (map_.size() >= std::max<size_t>(capacity_, 1)) {
    map_.erase(order_.front());
    order_.pop_front();
  }
  order_.push_back(key);
  auto [slot, inserted] = map_.emplace(key, Slot{V{}, std::prev(order_.end())});
  return slot->second.value;
}

template <typename V>
void LoginThrottle::Lru<V>::Erase(const std::string& key) {
  auto it = map_.find(key);
  if (it == map_.end()) return;
  order_.erase(it->second.pos);
  map_.erase(it);
}

LoginThrottle::LoginThrottle(const Clock& clock, Options options)
    : clock_(clock),
      options_(std::move(options)),
      pairs_(options_.max_pairs),
      ips_(options_.max_ips),
      accounts_(options_.max_accounts) {}

std::string LoginThrottle::PairKey(std::string_view account, std::string_view ip) {
  // A separator that cannot appear in an IP address keeps ("a", "b:c") and ("a:b", "c") apart.
  std::string key;
  key.reserve(ip.size() + 1 + account.size());
  key.append(ip).push_back('\x1f');
  key.append(account);
  return key;
}

int64_t LoginThrottle::PairDelayMs(int failures) const {
  int paid = failures - options_.pair_free_failures;
  if (paid <= 0) return 0;
  int64_t delay = options_.pair_base_delay.count() << std::min(paid - 1, 30);
  return std::min<int64_t>(delay, options_.pair_max_delay.count());
}

double LoginThrottle::Drain(BucketState& b, double per_minute, int64_t now_ms) {
  double elapsed = static_cast<double>(std::max<int64_t>(0, now_ms - b.updated_ms));
  b.level = std::max(0.0, b.level - elapsed * per_minute / 60'000.0);
  b.updated_ms = now_ms;
  return b.level;
}

LoginThrottle::Decision LoginThrottle::Check(std::string_view account, std::string_view ip) {
  const int64_t now = clock_.MonotonicMs();
  Decision d;
  std::lock_guard lock(mu_);

  const std::string pair_key = PairKey(account, ip);
  if (PairState* p = pairs_.Find(pair_key)) {
    if (now - p->last_failure_ms >= options_.pair_forget_after.count()) {
      pairs_.Erase(pair_key);
    } else if (int64_t wait_until = p->last_failure_ms + PairDelayMs(p->failures);
               now < wait_until) {
      d.allowed = false;
      d.reason = "account_ip";
      d.retry_after_s = CeilSeconds(static_cast<double>(wait_until - now));
      d.first_refusal = !p->refusal_logged;
      p->refusal_logged = true;
    }
  }

  if (BucketState* b = ips_.Find(std::string(ip))) {
    double level = Drain(*b, options_.ip_failures_per_minute, now);
    if (level + 1 > options_.ip_failure_burst) {
      double wait_ms = (level + 1 - options_.ip_failure_burst) * 60'000.0 /
                       std::max(options_.ip_failures_per_minute, 1e-9);
      int retry = CeilSeconds(wait_ms);
      if (d.allowed || retry > d.retry_after_s) {
        d.reason = "ip";
        d.retry_after_s = retry;
      }
      if (d.allowed) d.first_refusal = !b->refusal_logged;
      d.allowed = false;
      b->refusal_logged = true;
    }
  }
  if (!d.allowed) return d;

  if (!account.empty()) {
    if (BucketState* a = accounts_.Find(std::string(account))) {
      double level = Drain(*a, options_.account_failures_per_minute, now);
      if (level + 1 > options_.account_failure_burst) d.slow_down = options_.account_slow_down;
    }
  }
  return d;
}

void LoginThrottle::RecordFailure(std::string_view account, std::string_view ip) {
  const int64_t now = clock_.MonotonicMs();
  std::lock_guard lock(mu_);

  const std::string pair_key = PairKey(account, ip);
  if (PairState* p = pairs_.Find(pair_key);
      p && now - p->last_failure_ms >= options_.pair_forget_after.count()) {
    pairs_.Erase(pair_key);
  }
  PairState& p = pairs_.Upsert(pair_key);
  p.failures = std::min(p.failures + 1, 1'000'000);
  p.last_failure_ms = now;
  p.refusal_logged = false;

  BucketState& b = ips_.Upsert(std::string(ip));
  Drain(b, options_.ip_failures_per_minute, now);
  b.level += 1;
  b.refusal_logged = false;

  if (!account.empty()) {
    BucketState& a = accounts_.Upsert(std::string(account));
    Drain(a, options_.account_failures_per_minute, now);
    a.level += 1;
  }
}

void LoginThrottle::RecordSuccess(std::string_view account, std::string_view ip) {
  std::lock_guard lock(mu_);
  pairs_.Erase(PairKey(account, ip));
}

size_t LoginThrottle::pairs() const {
  std::lock_guard lock(mu_);
  return pairs_.size();
}

size_t LoginThrottle::ips() const {
  std::lock_guard lock(mu_);
  return ips_.size();
}

size_t LoginThrottle::accounts() const {
  std::lock_guard lock(mu_);
  return accounts_.size();
}

}  // namespace homeroom::auth
