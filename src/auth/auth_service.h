#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/login_throttle.h"
#include "auth/password_hasher.h"
#include "auth/principal.h"
#include "auth/session_cache.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "core/work_pool.h"
#include "store/auth_store.h"
#include "store/database.h"

namespace homeroom::auth {

// Every limit of sign-in, with its default (docs/security.md, "Sign-in").
struct AuthOptions {
  // Argon2id cost of stored passwords; default OWASP's minimum (19 MiB, t=2, p=1). Hashes made
  // with other parameters (roster imports) are re-hashed with these at the next sign-in.
  Argon2Params argon2;

  // The hashing pool: bounded and fair across client IPs, so one source cannot fill it.
  int hash_threads = 2;  // at most one per core
  // Hashes waiting, all IPs together: a morning burst of sign-ins from many addresses waits (256
  // at ~40 hashes/s on two cores is at most ~6 s) rather than being refused.
  size_t hash_queue = 256;
  size_t hash_queue_per_ip = 4;  // hashes waiting for one client (host key: /32, /64 IPv6)
  int hash_retry_after_s = 2;    // Retry-After when the pool is full

  // Sessions: sliding expiry. A session ends after `session_idle_ttl` without a request, or
  // `remember_ttl` when the user ticked "remember this device" (so the morning rush reuses
  // sessions instead of hashing passwords).
  std::chrono::seconds session_idle_ttl{std::chrono::hours(12)};
  std::chrono::seconds remember_ttl{std::chrono::hours(30 * 24)};
  // last_seen/expiry are written only when they moved more than this (not on every request).
  std::chrono::seconds session_touch_interval{std::chrono::minutes(5)};
  // Validated sessions kept in memory so most requests do not touch the store.
  size_t session_cache_entries = 100'000;
  std::chrono::milliseconds session_cache_ttl{std::chrono::seconds(30)};

  // Wrong passwords: per (account, IP) growing delays, per-IP stuffing bucket, per-account
  // slow-down (see LoginThrottle).
  LoginThrottle::Options login_throttle;
  // Wrong activation codes, per IP (codes have no account until they match).
  LoginThrottle::Options activation_throttle;
  // Unknown session tokens, per IP: a flood of random tokens would otherwise be a store read each.
  LoginThrottle::Options token_throttle{
      .pair_free_failures = 1'000'000'000, .ip_failure_burst = 200, .ip_failures_per_minute = 120};

  // Ended (expired or revoked) sessions are deleted by PruneEndedSessions after this long; until
  // then they stay for support and forensics.
  std::chrono::seconds ended_session_retention{std::chrono::hours(7 * 24)};

  // Activation codes issued by `homeroom accounts issue-codes` expire after this.
  std::chrono::seconds activation_code_ttl{std::chrono::hours(30 * 24)};

  // Input limits. Passwords are counted in characters (UTF-8 code points).
  size_t min_password_chars = 8;
  size_t max_password_chars = 128;
  size_t max_username_bytes = 256;
  size_t max_user_agent_bytes = 256;  // longer user agents are cut before they are stored
};

// A signed-in session handed to the client.
struct LoginResult {
  std::string token;  // 256 random bits, base64url; only its hash is stored
  Principal principal;
  int64_t expires_ms = 0;  // current expiry (it slides with use)
  bool remember = false;
};

// Signs people in and resolves session tokens into Principals.
//
// Password hashing runs on the service's own hashing pool (keyed by client IP), store work through
// store::Database Read/Write: nothing here blocks the calling I/O thread. Every coroutine resumes
// on the caller's executor.
//
// Errors: kUnauthenticated for wrong credentials and bad tokens; kInvalidArgument for inputs
// outside the limits; kResourceExhausted (429, retry_after) when throttled; kUnavailable (503,
// retry_after) when the hashing pool or the store is at capacity; kInternal for store failures.
//
// Metrics (asserted in tests/unit/auth):
//   homeroom_auth_logins_total{result=ok|failed|throttled|unavailable}
//   homeroom_auth_activations_total{result=ok|failed|throttled|unavailable}
//   homeroom_auth_hash_queue_depth
//   homeroom_auth_session_cache_hits_total, homeroom_auth_session_cache_misses_total
//   homeroom_auth_sessions_touched_total, homeroom_auth_token_throttled_total
//
// Thread-safe. Must outlive every coroutine it started; destroy it after the io_context stopped.
// The fairness key of the hashing pool for a client address: its host key (guard::HostKey, "/32"
// for IPv4, "/64" for IPv6), so that the addresses of one IPv6 /64 share one client's share
// (AuthOptions::hash_queue_per_ip). Text that is not an address is its own key.
std::string HashQueueKey(std::string_view ip);

class AuthService {
 public:
  AuthService(store::Database& db, const Clock& clock, metrics::Registry& metrics,
              AuthOptions options);
  ~AuthService();
  AuthService(const AuthService&) = delete;
  AuthService& operator=(const AuthService&) = delete;

  // Signs in. Wrong username or password -> kUnauthenticated "wrong username or password" (the
  // same answer, after the same work, for an unknown user: it is verified against a dummy hash).
  // Throttled -> kResourceExhausted with retry_after; hashing pool full -> kUnavailable with
  // retry_after. Records an auth_events row (login_ok / login_failed / login_throttled, the last
  // once per throttling period).
  boost::asio::awaitable<Result<LoginResult>> Login(std::string username, std::string password,
                                                    bool remember, std::string ip,
                                                    std::string user_agent);

  // Resolves a token (cookie or bearer) into a Principal with its relationships, sliding the
  // expiry. kUnauthenticated for malformed, unknown, expired or revoked tokens, or a disabled
  // account; kResourceExhausted when `ip` sent too many unknown tokens. The caller sets
  // Principal::via_cookie.
  boost::asio::awaitable<Result<Principal>> Authenticate(std::string token, std::string ip);

  // Revokes this session (who.session_id), or every session of the user. Takes effect at once in
  // this process; other nodes stop honouring it within session_cache_ttl.
  boost::asio::awaitable<Status> Logout(const Principal& who, bool all_devices);

  // First sign-in with a one-time activation code: checks the password limits, consumes the code,
  // sets the password, ends the user's other sessions and signs in. Wrong, used or expired code
  // -> kUnauthenticated "wrong or expired activation code" (throttled per IP like logins).
  boost::asio::awaitable<Result<LoginResult>> Activate(std::string code, std::string new_password,
                                                       std::string ip, std::string user_agent);

  // Deletes sessions that ended more than ended_session_retention ago; returns how many. Call it
  // from a periodic timer (a few times a day is enough).
  boost::asio::awaitable<Result<int64_t>> PruneEndedSessions();

  // Sets a user's password directly (demo setup, tests) and ends their sessions. Hashes on the
  // calling thread and waits for the store: not for I/O threads. kInvalidArgument outside the
  // length limits, kNotFound for an unknown user.
  Status SetPasswordSync(int64_t user_id, std::string_view password);

  // kInvalidArgument when the password is outside the configured length limits.
  Status CheckPasswordLimits(std::string_view password) const;

  const AuthOptions& options() const { return options_; }
  // The hashing pool (tests, diagnostics).
  WorkPool& hashing_pool() { return *hash_pool_; }
  size_t cached_sessions() const { return cache_.size(); }

 private:
  struct Metrics;
  struct Verified;
  // Hashes or verifies on the hashing pool, keeping the queue-depth gauge.
  template <typename Fn>
  auto OnHashPool(const std::string& ip, Fn fn) -> boost::asio::awaitable<decltype(fn())>;
  // Runs `in_txn` (may be empty), creates the session, records `event` (stamped now), loads the
  // principal, all in one write; then caches the session.
  boost::asio::awaitable<Result<LoginResult>> StartSession(
      int64_t user_id, bool remember, const std::string& ip, const std::string& user_agent,
      std::function<Status(sql::Connection&)> in_txn, store::AuthEvent event);
  // Builds an auth_events row; the attacker-chosen username is cut to a fixed length.
  static store::AuthEvent Event(int64_t at_ms, std::optional<int64_t> user_id,
                                std::string_view username, std::string_view ip,
                                std::string_view kind, std::string_view detail);
  // Writes an auth_events row; a store at capacity loses the row, not the request.
  boost::asio::awaitable<void> RecordEvent(store::AuthEvent e);
  int64_t TtlMs(bool remember) const;

  store::Database& db_;
  const Clock& clock_;
  const AuthOptions options_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<WorkPool> hash_pool_;
  LoginThrottle login_throttle_;
  LoginThrottle activation_throttle_;
  LoginThrottle token_throttle_;
  SessionCache cache_;
  std::string dummy_hash_;  // verified for unknown users so they cost the same time
};

// The key sign-in looks usernames up by: ASCII lower-case (users.username_key). The roster
// importer must store the same.
std::string UsernameKey(std::string_view username);

// An activation code as handed out (once: only its hash is stored).
struct IssuedCode {
  int64_t user_id = 0;
  std::string username, name, role, code;
  int64_t expires_ms = 0;
};

// Issues one-time activation codes for every active user of a school who has no password yet (or
// all of them, with `all_users`); a user's earlier unused codes expire. Only a hash of each code
// is stored. kNotFound when `school_id` is not a school. Synchronous: for the CLI.
Result<std::vector<IssuedCode>> IssueActivationCodes(store::Database& db, int64_t school_id,
                                                     bool all_users, int64_t now_ms,
                                                     std::chrono::seconds ttl);

}  // namespace homeroom::auth
