#include "auth/session_cache.h"

#include <algorithm>

#include "auth/session_token.h"

namespace homeroom::auth {

SessionCache::SessionCache(const Clock& clock, Options options)
    : clock_(clock), options_(std::move(options)) {}

std::optional<SessionCache::Entry> SessionCache::Find(std::string_view token_hash) {
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(std::string(token_hash));
  if (it == by_hash_.end()) return std::nullopt;
  if (clock_.MonotonicMs() - it->second.cached_mono_ms >= options_.ttl.count() ||
      !ConstantTimeEquals(it->second.entry.token_hash, token_hash)) {
    EraseLocked(it);
    return std::nullopt;
  }
  return it->second.entry;
}

uint64_t SessionCache::epoch() const {
  std::lock_guard lock(mu_);
  return epoch_;
}

void SessionCache::Put(Entry entry, uint64_t epoch_seen) {
  if (options_.max_entries == 0) return;
  std::lock_guard lock(mu_);
  if (epoch_seen != epoch_) return;  // a revocation happened while this was read
  if (auto it = by_hash_.find(entry.token_hash); it != by_hash_.end()) EraseLocked(it);
  while (by_hash_.size() >= options_.max_entries) EraseLocked(by_hash_.find(order_.front()));
  order_.push_back(entry.token_hash);
  by_session_[entry.principal.session_id] = entry.token_hash;
  std::string key = entry.token_hash;
  by_hash_.emplace(std::move(key),
                   Slot{std::move(entry), clock_.MonotonicMs(), std::prev(order_.end())});
}

void SessionCache::UpdateSeen(std::string_view token_hash, int64_t last_seen_ms,
                              int64_t expires_ms) {
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(std::string(token_hash));
  if (it == by_hash_.end()) return;
  it->second.entry.last_seen_ms = last_seen_ms;
  it->second.entry.expires_ms = expires_ms;
}

void SessionCache::Erase(std::string_view token_hash) {
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(std::string(token_hash));
  if (it != by_hash_.end()) EraseLocked(it);
}

void SessionCache::EraseSession(int64_t session_id) {
  std::lock_guard lock(mu_);
  ++epoch_;
  auto s = by_session_.find(session_id);
  if (s == by_session_.end()) return;
  auto it = by_hash_.find(s->second);
  if (it != by_hash_.end()) EraseLocked(it);
}

void SessionCache::EraseUser(int64_t user_id) {
  std::lock_guard lock(mu_);
  ++epoch_;
  // Rare (sign out everywhere, password change): a scan is cheaper than another index.
  for (auto it = by_hash_.begin(); it != by_hash_.end();) {
    auto next = std::next(it);
    if (it->second.entry.principal.user_id == user_id) EraseLocked(it);
    it = next;
  }
}

size_t SessionCache::size() const {
  std::lock_guard lock(mu_);
  return by_hash_.size();
}

void SessionCache::EraseLocked(std::unordered_map<std::string, Slot>::iterator it) {
  by_session_.erase(it->second.entry.principal.session_id);
  order_.erase(it->second.pos);
  by_hash_.erase(it);
}

}  // namespace homeroom::auth
