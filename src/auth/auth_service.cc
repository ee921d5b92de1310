#include "auth/auth_service.h"

#include <fmt/format.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "auth/session_token.h"
#include "core/log.h"
#include "core/offload.h"
#include "guard/cidr.h"
#include "store/auth_store.h"

namespace homeroom::auth {
namespace {

namespace asio = boost::asio;

constexpr std::string_view kWrongCredentials = "wrong username or password";
constexpr std::string_view kWrongCode = "wrong or expired activation code";
// Usernames are stored in auth_events for forensics; an attacker chooses them, so they are cut.
constexpr size_t kEventUsernameBytes = 64;

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

std::string Truncate(std::string s, size_t max) {
  if (s.size() > max) s.resize(max);
  return s;
}

Result<Principal> ToPrincipal(const store::PrincipalFacts& f, int64_t session_id) {
  Principal p;
  if (!ParseRole(f.role, &p.role)) {
    return Status::Internal(fmt::format("user {} has unknown role '{}'", f.user_id, f.role));
  }
  p.user_id = f.user_id;
  p.username = f.username;
  p.display_name = f.display_name;
  p.session_id = session_id;
  p.school_ids = f.school_ids;
  p.section_ids = f.section_ids;
  p.child_ids = f.child_ids;
  return p;
}

}  // namespace

// Counters and gauges of sign-in, declared once (style.md, 8).
struct AuthService::Metrics {
  explicit Metrics(metrics::Registry& r) {
    const std::string logins_help = "Password sign-ins by result.";
    logins_ok = &r.GetCounter("homeroom_auth_logins_total", logins_help, {{"result", "ok"}});
    logins_failed =
        &r.GetCounter("homeroom_auth_logins_total", logins_help, {{"result", "failed"}});
    logins_throttled =
        &r.GetCounter("homeroom_auth_logins_total", logins_help, {{"result", "throttled"}});
    logins_unavailable =
        &r.GetCounter("homeroom_auth_logins_total", logins_help, {{"result", "unavailable"}});
    const std::string act_help = "Activation-code sign-ins by result.";
    activations_ok = &r.GetCounter("homeroom_auth_activations_total", act_help, {{"result", "ok"}});
    activations_failed =
        &r.GetCounter("homeroom_auth_activations_total", act_help, {{"result", "failed"}});
    activations_throttled =
        &r.GetCounter("homeroom_auth_activations_total", act_help, {{"result", "throttled"}});
    activations_unavailable =
        &r.GetCounter("homeroom_auth_activations_total", act_help, {{"result", "unavailable"}});
    hash_queue_depth = &r.GetGauge("homeroom_auth_hash_queue_depth",
                                   "Password hashes waiting for the hashing pool.");
    cache_hits = &r.GetCounter("homeroom_auth_session_cache_hits_total",
                               "Session lookups answered from memory.");
    cache_misses = &r.GetCounter("homeroom_auth_session_cache_misses_total",
                                 "Session lookups that read the store.");
    sessions_touched = &r.GetCounter("homeroom_auth_sessions_touched_total",
                                     "Session expiry slides written to the store.");
    token_throttled = &r.GetCounter("homeroom_auth_token_throttled_total",
                                    "Token lookups refused: too many unknown tokens from the IP.");
  }
  metrics::Counter* logins_ok;
  metrics::Counter* logins_failed;
  metrics::Counter* logins_throttled;
  metrics::Counter* logins_unavailable;
  metrics::Counter* activations_ok;
  metrics::Counter* activations_failed;
  metrics::Counter* activations_throttled;
  metrics::Counter* activations_unavailable;
  metrics::Gauge* hash_queue_depth;
  metrics::Counter* cache_hits;
  metrics::Counter* cache_misses;
  metrics::Counter* sessions_touched;
  metrics::Counter* token_throttled;
};

struct AuthService::Verified {
  bool match = false;
  std::optional<std::string> rehash;  // a new hash at current cost, when the old one was cheaper
};

std::string UsernameKey(std::string_view username) {
  std::string key(username);
  for (char& ch : key) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return key;
}

AuthService::AuthService(store::Database& db, const Clock& clock, metrics::Registry& metrics,
                         AuthOptions options)
    : db_(db),
      clock_(clock),
      options_(std::move(options)),
      metrics_(std::make_unique<Metrics>(metrics)),
      hash_pool_(std::make_unique<WorkPool>(
          WorkPool::Options{.name = "hashing",
                            .threads = std::max(1, options_.hash_threads),
                            .max_queued = options_.hash_queue,
                            .max_per_key = options_.hash_queue_per_ip})),
      login_throttle_(clock, options_.login_throttle),
      activation_throttle_(clock, options_.activation_throttle),
      token_throttle_(clock, options_.token_throttle),
      cache_(clock, SessionCache::Options{.max_entries = options_.session_cache_entries,
                                          .ttl = options_.session_cache_ttl}) {
  // A hash of a random password at the configured cost: unknown users are verified against it.
  auto dummy = HashPassword(NewSessionToken(), options_.argon2);
  HR_CHECK(dummy.ok(), "cannot compute the dummy password hash");
  dummy_hash_ = std::move(dummy).value();
}

AuthService::~AuthService() { hash_pool_->Stop(); }

int64_t AuthService::TtlMs(bool remember) const {
  auto ttl = remember ? options_.remember_ttl : options_.session_idle_ttl;
  return std::chrono::duration_cast<std::chrono::milliseconds>(ttl).count();
}

Status AuthService::CheckPasswordLimits(std::string_view password) const {
  size_t chars = CodePoints(password);
  if (chars < options_.min_password_chars) {
    return Status::InvalidArgument(
        fmt::format("password must have at least {} characters", options_.min_password_chars));
  }
  // The byte bound keeps a hash's input small whatever the encoding (4 bytes per code point).
  if (chars > options_.max_password_chars || password.size() > 4 * options_.max_password_chars) {
    return Status::InvalidArgument(
        fmt::format("password must have at most {} characters", options_.max_password_chars));
  }
  return Status::Ok();
}

std::string HashQueueKey(std::string_view ip) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(ip, ec);
  if (ec) return std::string(ip);  // not an address (a test's label): itself
  return guard::HostKey(address).ToString();
}

template <typename Fn>
auto AuthService::OnHashPool(const std::string& ip, Fn fn) -> asio::awaitable<decltype(fn())> {
  auto started = std::make_shared<std::atomic<bool>>(false);
  metrics::Gauge* depth = metrics_->hash_queue_depth;
  depth->Add(1);
  // GCC 12 destroys a lambda temporary passed to a coroutine inside co_await twice: every
  // callable handed to a coroutine in this file is a named local.
  auto job = [fn = std::move(fn), started, depth]() mutable {
    started->store(true);
    depth->Add(-1);
    return fn();
  };
  // Fair by host key (/32 IPv4, /64 IPv6) like every other per-client limit: an IPv6 client
  // rotating addresses inside its /64 is one client, not one per address.
  std::string key = HashQueueKey(ip);
  auto result =
      co_await Offload(*hash_pool_, std::move(key), std::move(job), options_.hash_retry_after_s);
  if (!started->load()) depth->Add(-1);  // refused: it never ran
  co_return result;
}

store::AuthEvent AuthService::Event(int64_t at_ms, std::optional<int64_t> user_id,
                                    std::string_view username, std::string_view ip,
                                    std::string_view kind, std::string_view detail) {
  store::AuthEvent e;
  e.at_ms = at_ms;
  e.user_id = user_id;
  if (!username.empty()) e.username = std::string(username.substr(0, kEventUsernameBytes));
  e.ip = std::string(ip);
  e.kind = std::string(kind);
  if (!detail.empty()) e.detail = std::string(detail);
  return e;
}

asio::awaitable<void> AuthService::RecordEvent(store::AuthEvent e) {
  auto write = [e](sql::Connection& c) { return store::InsertAuthEvent(c, e); };
  Status s = co_await db_.Write(std::move(write));
  // The answer to the client does not depend on the audit row; a full store only loses the row.
  if (!s.ok()) log::Warn("auth_event_lost", {{"kind", e.kind}, {"error", s.ToString()}});
}

asio::awaitable<Result<LoginResult>> AuthService::StartSession(
    int64_t user_id, bool remember, const std::string& ip, const std::string& user_agent,
    std::function<Status(sql::Connection&)> in_txn, store::AuthEvent event) {
  const int64_t now = clock_.NowMs();
  std::string token = NewSessionToken();
  std::optional<std::string> token_hash = HashSessionToken(token);
  HR_CHECK(token_hash.has_value(), "a new token does not parse");
  store::NewSession row{.token_hash = *token_hash,
                        .user_id = user_id,
                        .now_ms = now,
                        .expires_ms = now + TtlMs(remember),
                        .remember = remember,
                        .ip = ip,
                        .user_agent = Truncate(user_agent, options_.max_user_agent_bytes)};
  event.at_ms = now;
  if (remember) event.detail = "remember";
  struct Started {
    int64_t session_id;
    store::PrincipalFacts facts;
  };
  const uint64_t epoch = cache_.epoch();
  auto write = [row = std::move(row), event = std::move(event),
                in_txn = std::move(in_txn)](sql::Connection& c) -> Result<Started> {
    if (in_txn) HR_RETURN_IF_ERROR(in_txn(c));
    HR_ASSIGN_OR_RETURN(int64_t id, store::InsertSession(c, row));
    HR_RETURN_IF_ERROR(store::InsertAuthEvent(c, event));
    HR_ASSIGN_OR_RETURN(store::PrincipalFacts facts, store::LoadPrincipalFacts(c, row.user_id));
    return Started{id, std::move(facts)};
  };
  Result<Started> started = co_await db_.Write(std::move(write));
  if (!started.ok()) co_return started.status();
  Result<Principal> built = ToPrincipal(started->facts, started->session_id);
  if (!built.ok()) co_return built.status();
  Principal principal = std::move(built).value();

  LoginResult result{.token = std::move(token),
                     .principal = principal,
                     .expires_ms = now + TtlMs(remember),
                     .remember = remember};
  cache_.Put(SessionCache::Entry{.token_hash = std::move(*token_hash),
                                 .principal = std::move(principal),
                                 .last_seen_ms = now,
                                 .expires_ms = result.expires_ms,
                                 .remember = remember},
             epoch);
  co_return result;
}

asio::awaitable<Result<LoginResult>> AuthService::Login(std::string username, std::string password,
                                                        bool remember, std::string ip,
                                                        std::string user_agent) {
  if (username.empty() || password.empty()) {
    co_return Status::InvalidArgument("username and password are required");
  }
  if (username.size() > options_.max_username_bytes) {
    co_return Status::InvalidArgument(
        fmt::format("username must have at most {} bytes", options_.max_username_bytes));
  }
  if (CodePoints(password) > options_.max_password_chars ||
      password.size() > 4 * options_.max_password_chars) {
    co_return Status::InvalidArgument(
        fmt::format("password must have at most {} characters", options_.max_password_chars));
  }
  const std::string key = UsernameKey(username);

  LoginThrottle::Decision decision = login_throttle_.Check(key, ip);
  if (!decision.allowed) {
    metrics_->logins_throttled->Inc();
    if (decision.first_refusal) {
      store::AuthEvent event =
          Event(clock_.NowMs(), std::nullopt, username, ip, "login_throttled", decision.reason);
      co_await RecordEvent(std::move(event));
    }
    co_return Status::ResourceExhausted("too many failed sign-ins; try again later",
                                        decision.retry_after_s);
  }
  if (decision.slow_down.count() > 0) {
    // Many failures on this account from many sources: slow every attempt a little, refuse none.
    asio::steady_timer timer(co_await asio::this_coro::executor, decision.slow_down);
    co_await timer.async_wait(asio::use_awaitable);
  }

  // Database::Read wraps its callable in a lambda temporary (the GCC 12 bug above): what goes to
  // Read captures only references to this frame, which outlives the read.
  auto find = [&key](sql::Connection& c) { return store::FindCredentialByUsernameKey(c, key); };
  Result<store::UserCredential> cred = co_await db_.Read(std::move(find));
  if (!cred.ok() && cred.status().code() != StatusCode::kNotFound) {
    if (cred.status().code() == StatusCode::kUnavailable) metrics_->logins_unavailable->Inc();
    co_return cred.status();
  }
  const bool usable = cred.ok() && cred->enabled && cred->active && cred->password_hash;
  // Unknown or unusable accounts cost the same hash as real ones: no timing oracle.
  std::string encoded = usable ? *cred->password_hash : dummy_hash_;
  auto verify = [encoded = std::move(encoded), password = std::move(password),
                 params = options_.argon2]() -> Result<Verified> {
    Verified v;
    v.match = VerifyPassword(encoded, password);
    if (v.match && NeedsRehash(encoded, params)) {
      HR_ASSIGN_OR_RETURN(v.rehash, HashPassword(password, params));
    }
    return v;
  };
  Result<Verified> verified = co_await OnHashPool(ip, std::move(verify));
  if (!verified.ok()) {
    metrics_->logins_unavailable->Inc();
    co_return verified.status();
  }

  if (!usable || !verified->match) {
    login_throttle_.RecordFailure(key, ip);
    metrics_->logins_failed->Inc();
    std::string detail = !cred.ok()                        ? "unknown_user"
                         : !cred->enabled || !cred->active ? "disabled"
                         : !cred->password_hash            ? "no_password"
                                                           : "wrong_password";
    store::AuthEvent event =
        Event(clock_.NowMs(), cred.ok() ? std::optional<int64_t>(cred->user_id) : std::nullopt,
              username, ip, "login_failed", detail);
    co_await RecordEvent(std::move(event));
    co_return Status::Unauthenticated(std::string(kWrongCredentials));
  }

  login_throttle_.RecordSuccess(key, ip);
  std::function<Status(sql::Connection&)> rehash;
  if (verified->rehash) {
    rehash = [id = cred->user_id, hash = *verified->rehash, now = clock_.NowMs()](
                 sql::Connection& c) { return store::UpdatePasswordHash(c, id, hash, now); };
  }
  store::AuthEvent event = Event(0, cred->user_id, username, ip, "login_ok", "");
  Result<LoginResult> result = co_await StartSession(cred->user_id, remember, ip, user_agent,
                                                     std::move(rehash), std::move(event));
  if (!result.ok()) {
    if (result.status().code() == StatusCode::kUnavailable) metrics_->logins_unavailable->Inc();
    co_return result.status();
  }
  metrics_->logins_ok->Inc();
  co_return result;
}

asio::awaitable<Result<Principal>> AuthService::Authenticate(std::string token, std::string ip) {
  std::optional<std::string> hash = HashSessionToken(token);
  if (!hash) co_return Status::Unauthenticated("malformed session token");
  const int64_t now = clock_.NowMs();
  const int64_t touch_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.session_touch_interval)
          .count();

  if (std::optional<SessionCache::Entry> e = cache_.Find(*hash)) {
    metrics_->cache_hits->Inc();
    if (now >= e->expires_ms) {
      cache_.Erase(*hash);
      co_return Status::Unauthenticated("session expired");
    }
    if (now - e->last_seen_ms >= touch_ms) {
      const int64_t expires = now + TtlMs(e->remember);
      auto touch = [id = e->principal.session_id, now, expires](sql::Connection& c) {
        return store::TouchSession(c, id, now, expires);
      };
      Status s = co_await db_.Write(std::move(touch));
      if (s.code() == StatusCode::kNotFound) {
        cache_.Erase(*hash);
        co_return Status::Unauthenticated("session revoked");
      }
      // A store too busy to record the slide does not fail the request; the next one retries.
      if (s.ok()) {
        metrics_->sessions_touched->Inc();
        cache_.UpdateSeen(*hash, now, expires);
      }
    }
    co_return std::move(e->principal);
  }
  metrics_->cache_misses->Inc();

  LoginThrottle::Decision decision = token_throttle_.Check("", ip);
  if (!decision.allowed) {
    metrics_->token_throttled->Inc();
    co_return Status::ResourceExhausted("too many unknown session tokens from this address",
                                        decision.retry_after_s);
  }

  struct Loaded {
    store::SessionRow session;
    std::optional<store::PrincipalFacts> facts;  // nullopt: the account is disabled
  };
  const uint64_t epoch = cache_.epoch();
  const std::string& h = *hash;
  auto read = [&h](sql::Connection& c) -> Result<Loaded> {  // references only: see Login
    HR_ASSIGN_OR_RETURN(store::SessionRow session, store::FindSessionByTokenHash(c, h));
    Loaded l{std::move(session), std::nullopt};
    auto facts = store::LoadPrincipalFacts(c, l.session.user_id);
    if (facts.ok()) {
      l.facts = std::move(facts).value();
    } else if (facts.status().code() != StatusCode::kNotFound) {
      return facts.status();
    }
    return l;
  };
  Result<Loaded> loaded = co_await db_.Read(std::move(read));
  if (!loaded.ok()) {
    if (loaded.status().code() != StatusCode::kNotFound) co_return loaded.status();
    token_throttle_.RecordFailure("", ip);
    co_return Status::Unauthenticated("unknown session token");
  }
  const store::SessionRow& s = loaded->session;
  if (!ConstantTimeEquals(s.token_hash, *hash)) {
    co_return Status::Unauthenticated("unknown session token");
  }
  if (s.revoked_ms) co_return Status::Unauthenticated("session revoked");
  if (now >= s.expires_ms) co_return Status::Unauthenticated("session expired");
  if (!loaded->facts) co_return Status::Unauthenticated("account disabled");
  Result<Principal> built = ToPrincipal(*loaded->facts, s.id);
  if (!built.ok()) co_return built.status();
  Principal principal = std::move(built).value();

  SessionCache::Entry entry{.token_hash = *hash,
                            .principal = principal,
                            .last_seen_ms = s.last_seen_ms,
                            .expires_ms = s.expires_ms,
                            .remember = s.remember};
  if (now - s.last_seen_ms >= touch_ms) {
    const int64_t expires = now + TtlMs(s.remember);
    auto touch = [id = s.id, now, expires](sql::Connection& c) {
      return store::TouchSession(c, id, now, expires);
    };
    Status t = co_await db_.Write(std::move(touch));
    if (t.code() == StatusCode::kNotFound) co_return Status::Unauthenticated("session revoked");
    if (t.ok()) {
      metrics_->sessions_touched->Inc();
      entry.last_seen_ms = now;
      entry.expires_ms = expires;
    }
  }
  cache_.Put(std::move(entry), epoch);
  co_return principal;
}

asio::awaitable<Status> AuthService::Logout(const Principal& who, bool all_devices) {
  const int64_t now = clock_.NowMs();
  store::AuthEvent event = Event(now, who.user_id, who.username, "", "logout",
                                 all_devices ? "all_devices" : "this_device");
  auto write = [user_id = who.user_id, session_id = who.session_id, all_devices, now,
                event = std::move(event)](sql::Connection& c) -> Status {
    if (all_devices) {
      HR_RETURN_IF_ERROR(store::RevokeUserSessions(c, user_id, now).status());
    } else {
      HR_RETURN_IF_ERROR(store::RevokeSession(c, session_id, now));
    }
    return store::InsertAuthEvent(c, event);
  };
  Status s = co_await db_.Write(std::move(write));
  if (!s.ok()) co_return s;
  // After the commit: a lookup that read the session before it is refused by the epoch.
  if (all_devices) {
    cache_.EraseUser(who.user_id);
  } else {
    cache_.EraseSession(who.session_id);
  }
  co_return Status::Ok();
}

asio::awaitable<Result<LoginResult>> AuthService::Activate(std::string code,
                                                           std::string new_password, std::string ip,
                                                           std::string user_agent) {
  if (Status limits = CheckPasswordLimits(new_password); !limits.ok()) co_return limits;

  LoginThrottle::Decision decision = activation_throttle_.Check("", ip);
  if (!decision.allowed) {
    metrics_->activations_throttled->Inc();
    if (decision.first_refusal) {
      store::AuthEvent event =
          Event(clock_.NowMs(), std::nullopt, "", ip, "activation_throttled", decision.reason);
      co_await RecordEvent(std::move(event));
    }
    co_return Status::ResourceExhausted("too many wrong activation codes; try again later",
                                        decision.retry_after_s);
  }

  const int64_t now = clock_.NowMs();
  struct Found {
    store::ActivationCodeRow code;
    store::UserCredential user;
  };
  std::optional<std::string> canonical = NormalizeActivationCode(code);
  Result<Found> found = Status::NotFound("malformed code");
  if (canonical) {
    const std::string h = HashActivationCode(*canonical);
    auto read = [&h](sql::Connection& c) -> Result<Found> {  // references only: see Login
      HR_ASSIGN_OR_RETURN(store::ActivationCodeRow row, store::FindActivationCode(c, h));
      HR_ASSIGN_OR_RETURN(store::UserCredential user, store::FindCredentialById(c, row.user_id));
      return Found{row, std::move(user)};
    };
    found = co_await db_.Read(std::move(read));
  }
  if (!found.ok() && found.status().code() != StatusCode::kNotFound) {
    if (found.status().code() == StatusCode::kUnavailable) {
      metrics_->activations_unavailable->Inc();
    }
    co_return found.status();
  }
  std::string why = !found.ok()                                   ? "unknown_code"
                    : found->code.used_ms                         ? "used"
                    : now >= found->code.expires_ms               ? "expired"
                    : !found->user.enabled || !found->user.active ? "disabled"
                                                                  : "";
  if (!why.empty()) {
    activation_throttle_.RecordFailure("", ip);
    metrics_->activations_failed->Inc();
    store::AuthEvent event =
        Event(now, found.ok() ? std::optional(found->user.user_id) : std::nullopt, "", ip,
              "activation_failed", why);
    co_await RecordEvent(std::move(event));
    co_return Status::Unauthenticated(std::string(kWrongCode));
  }

  auto hash = [password = std::move(new_password), params = options_.argon2]() {
    return HashPassword(password, params);
  };
  Result<std::string> hashed = co_await OnHashPool(ip, std::move(hash));
  if (!hashed.ok()) {
    if (hashed.status().code() == StatusCode::kUnavailable) {
      metrics_->activations_unavailable->Inc();
    }
    co_return hashed.status();
  }

  const int64_t user_id = found->user.user_id;
  auto in_txn = [code_id = found->code.id, user_id, hash = std::move(hashed).value(),
                 now](sql::Connection& c) -> Status {
    HR_RETURN_IF_ERROR(store::ConsumeActivationCode(c, code_id, now));
    HR_RETURN_IF_ERROR(store::RevokeUserSessions(c, user_id, now).status());
    return store::UpdatePasswordHash(c, user_id, hash, now);
  };
  std::function<Status(sql::Connection&)> txn = std::move(in_txn);
  store::AuthEvent event = Event(0, user_id, found->user.username, ip, "activated", "");
  Result<LoginResult> result = co_await StartSession(user_id, /*remember=*/false, ip, user_agent,
                                                     std::move(txn), std::move(event));
  if (!result.ok()) {
    if (result.status().code() == StatusCode::kConflict) {  // another activation won the race
      metrics_->activations_failed->Inc();
      co_return Status::Unauthenticated(std::string(kWrongCode));
    }
    if (result.status().code() == StatusCode::kUnavailable) {
      metrics_->activations_unavailable->Inc();
    }
    co_return result.status();
  }
  activation_throttle_.RecordSuccess("", ip);
  cache_.EraseUser(user_id);  // sessions from before the new password
  // EraseUser also dropped the new session's entry; it is re-read on first use.
  metrics_->activations_ok->Inc();
  co_return result;
}

asio::awaitable<Result<int64_t>> AuthService::PruneEndedSessions() {
  const int64_t before = clock_.NowMs() - std::chrono::duration_cast<std::chrono::milliseconds>(
                                              options_.ended_session_retention)
                                              .count();
  auto prune = [before](sql::Connection& c) { return store::DeleteSessionsEndedBefore(c, before); };
  Result<int64_t> deleted = co_await db_.Write(std::move(prune));
  co_return deleted;
}

Status AuthService::SetPasswordSync(int64_t user_id, std::string_view password) {
  HR_RETURN_IF_ERROR(CheckPasswordLimits(password));
  HR_ASSIGN_OR_RETURN(std::string hash, HashPassword(password, options_.argon2));
  const int64_t now = clock_.NowMs();
  HR_RETURN_IF_ERROR(db_.WriteSync([&](sql::Connection& c) -> Status {
    HR_RETURN_IF_ERROR(store::UpdatePasswordHash(c, user_id, hash, now));
    return store::RevokeUserSessions(c, user_id, now).status();
  }));
  cache_.EraseUser(user_id);
  return Status::Ok();
}

Result<std::vector<IssuedCode>> IssueActivationCodes(store::Database& db, int64_t school_id,
                                                     bool all_users, int64_t now_ms,
                                                     std::chrono::seconds ttl) {
  if (ttl.count() <= 0) return Status::InvalidArgument("activation code ttl must be positive");
  const int64_t expires_ms =
      now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(ttl).count();
  std::vector<IssuedCode> issued;
  Status s = db.WriteSync([&](sql::Connection& c) -> Status {
    issued.clear();  // the writer runs this once, but keep it idempotent
    HR_ASSIGN_OR_RETURN(bool is_school, store::IsSchool(c, school_id));
    if (!is_school) return Status::NotFound(fmt::format("org {} is not a school", school_id));
    HR_ASSIGN_OR_RETURN(auto candidates, store::ListActivationCandidates(c, school_id, all_users));
    issued.reserve(candidates.size());
    for (store::ActivationCandidate& a : candidates) {
      HR_RETURN_IF_ERROR(store::ExpireUnusedActivationCodes(c, a.user_id, now_ms));
      std::string code = NewActivationCode();
      HR_RETURN_IF_ERROR(store::InsertActivationCode(
          c, a.user_id, HashActivationCode(*NormalizeActivationCode(code)), now_ms, expires_ms));
      issued.push_back(IssuedCode{.user_id = a.user_id,
                                  .username = std::move(a.username),
                                  .name = std::move(a.name),
                                  .role = std::move(a.role),
                                  .code = std::move(code),
                                  .expires_ms = expires_ms});
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return issued;
}

}  // namespace homeroom::auth
