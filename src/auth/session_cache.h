#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/principal.h"
#include "core/clock.h"

namespace homeroom::auth {

// Sessions validated recently, keyed by token hash, so that most API requests are answered
// without touching the store. Entries live for a short TTL (a revocation made by another node is
// seen within it) and the cache holds at most `max_entries` (the oldest are dropped first).
//
// Revocations made by this process are seen at once: EraseSession/EraseUser drop the entries and
// advance an epoch; Put() ignores an entry read from the store before the latest revocation, so a
// lookup racing a logout cannot bring the revoked session back.
//
// Thread-safe: one mutex.
class SessionCache {
 public:
  struct Options {
    size_t max_entries = 100'000;           // ~1 KB each
    std::chrono::milliseconds ttl{30'000};  // how stale a cached session may be
  };
  struct Entry {
    std::string token_hash;
    Principal principal;       // principal.session_id identifies the session
    int64_t last_seen_ms = 0;  // as stored
    int64_t expires_ms = 0;    // as stored
    bool remember = false;
  };

  SessionCache(const Clock& clock, Options options);
  SessionCache(const SessionCache&) = delete;
  SessionCache& operator=(const SessionCache&) = delete;

  // The entry for this token hash, or nullopt when absent or older than the TTL. The stored hash
  // is compared with `token_hash` in constant time.
  std::optional<Entry> Find(std::string_view token_hash);
  // The revocation epoch; read it before reading a session from the store.
  uint64_t epoch() const;
  // Caches an entry read from the store when no revocation happened since `epoch_seen`.
  void Put(Entry entry, uint64_t epoch_seen);
  // Records that a session's expiry slid (no-op when not cached).
  void UpdateSeen(std::string_view token_hash, int64_t last_seen_ms, int64_t expires_ms);
  // Drops an entry that turned out expired or revoked.
  void Erase(std::string_view token_hash);
  // Drops one session / every session of a user, and advances the epoch.
  void EraseSession(int64_t session_id);
  void EraseUser(int64_t user_id);

  size_t size() const;

 private:
  struct Slot {
    Entry entry;
    int64_t cached_mono_ms = 0;
    std::list<std::string>::iterator pos;
  };
  void EraseLocked(std::unordered_map<std::string, Slot>::iterator it);

  const Clock& clock_;
  const Options options_;
  mutable std::mutex mu_;
  std::list<std::string> order_;                         // oldest first; guarded by mu_
  std::unordered_map<std::string, Slot> by_hash_;        // guarded by mu_
  std::unordered_map<int64_t, std::string> by_session_;  // session id -> hash; guarded by mu_
  uint64_t epoch_ = 0;                                   // guarded by mu_
};

}  // namespace homeroom::auth
