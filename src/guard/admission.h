#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/clock.h"
#include "core/metrics.h"
#include "guard/attack_mode.h"
#include "guard/block_list.h"
#include "guard/concurrency_limiter.h"
#include "guard/proof_of_work.h"
#include "guard/rate_limiter.h"
#include "guard/route_class.h"

namespace homeroom::guard {

// What admission decided about one request (the label of homeroom_guard_admission_total and the
// access log's "admission" field).
enum class AdmissionDecision {
  kAccepted,
  kRateLimitedIp,
  kRateLimitedSubnet,
  kRateLimitedAccount,
  kShed,
  kBlocked,
  kChallenged,
};
inline constexpr size_t kAdmissionDecisionCount = 7;
// "accepted", "rate_limited_ip", "rate_limited_subnet", "rate_limited_account", "shed", "blocked",
// "challenged".
std::string_view AdmissionDecisionName(AdmissionDecision decision);

// Every admission setting (docs/security.md, "Defenses" > "Admission"; flags in src/app/config.cc).
struct AdmissionOptions {
  // Off: every request is accepted (the other checks are skipped); the block list still applies.
  bool enabled = true;
  RateLimiterOptions rates;
  ConcurrencyOptions concurrency;
  ProofOfWorkOptions proof;
};

// A refusal, or kAccepted.
struct AdmissionVerdict {
  AdmissionDecision decision = AdmissionDecision::kAccepted;
  int retry_after_s = 0;                      // kRateLimited*, kShed
  std::optional<Challenge> challenge;         // kChallenged: a fresh puzzle for the client
  ProofResult proof = ProofResult::kMissing;  // kChallenged: why the proof sent was not accepted

  bool accepted() const { return decision == AdmissionDecision::kAccepted; }
};

// What admission needs to know of a request head.
struct HeadFacts {
  boost::asio::ip::address remote;
  RouteClass route_class = RouteClass::kApiRead;
  // The request carries a session credential (cookie or bearer), not yet checked.
  bool credentialed = false;
  // The route needs no proof of work under attack (health checks, the challenge itself, static).
  bool challenge_exempt = false;
  std::string_view proof;  // the X-Homeroom-Proof header, possibly empty
};

class Admission;

// A slot of the concurrency limit, held while a request is handled; released when destroyed (or
// at Done()). Move-only.
class AdmissionSlot {
 public:
  AdmissionSlot() = default;
  AdmissionSlot(AdmissionSlot&& other) noexcept;
  AdmissionSlot& operator=(AdmissionSlot&& other) noexcept;
  ~AdmissionSlot();

  // Releases the slot with the request's handling time as a latency sample (nullopt: none).
  void Done(std::optional<double> latency_s);

 private:
  friend class Admission;
  explicit AdmissionSlot(Admission* admission) : admission_(admission) {}
  Admission* admission_ = nullptr;
};

// Admission before handlers (docs/security.md, "Defenses" > "Admission"), in the order the
// Dispatcher asks:
//   1. CheckHead(), from the request head before the body is read or any store work: blocked
//      sources (403), the host and subnet token buckets of the route class (429), and under attack
//      the proof of work of anonymous requests (challenge_required).
//   2. Enter(), before the handler: a slot of the adaptive concurrency limit, by priority, or shed
//      (503). Live-class traffic and requests carrying a credential are high priority, then
//      sign-in, then anonymous. A forged credential gets high priority for this one queueing only:
//      it fails authentication right after, which CheckAuthenticationFailed() treats as anonymous.
//   3. CheckAccount(), after authentication: the account's token bucket of the class (429).
//
// Metrics:
//   homeroom_guard_admission_total{class,decision}   counter (Count(), one per request)
//   homeroom_guard_blocked_total{stage="request"}     counter: CheckHead() refused a blocked
//                                                    source (stage="connection" is the
//                                                    Sentinel's, at accept)
//   homeroom_guard_concurrency_limit                 gauge
//   homeroom_guard_inflight                          gauge
//   homeroom_guard_queue_depth                       gauge
//
// Thread-safe. `block_list`, `attack_mode`, `clock` and `metrics` must outlive it.
class Admission {
 public:
  Admission(const Clock& clock, metrics::Registry& metrics, const BlockList& block_list,
            const AttackMode& attack_mode, AdmissionOptions options);

  AdmissionVerdict CheckHead(const HeadFacts& facts);
  // Under attack, a request whose credential failed authentication is anonymous: it needs a valid
  // proof like any other (kChallenged), unless its route is exempt. Accepted otherwise.
  AdmissionVerdict CheckAuthenticationFailed(const HeadFacts& facts);
  AdmissionVerdict CheckAccount(int64_t user_id, RouteClass route_class);

  // Waits (briefly, asynchronously, on the caller's executor) for a slot; nullopt when shed
  // (answer 503 with Retry-After concurrency.retry_after_s).
  boost::asio::awaitable<std::optional<AdmissionSlot>> Enter(Priority priority);

  // The priority of a request from its route class and whether it carries a credential.
  static Priority PriorityFor(RouteClass route_class, bool credentialed);

  // Counts one request's decision (the Dispatcher calls it once per admitted or refused request).
  void Count(RouteClass route_class, AdmissionDecision decision);

  // A challenge for GET /api/v1/challenge.
  Challenge IssueChallenge(const boost::asio::ip::address& client) { return proof_.Issue(client); }
  bool UnderAttack() const { return attack_mode_.UnderAttack(); }
  const AdmissionOptions& options() const { return options_; }
  ConcurrencyLimiter& limiter() { return limiter_; }
  RateLimiter& rates() { return rates_; }
  ProofOfWork& proof() { return proof_; }

 private:
  friend class AdmissionSlot;
  void Release(std::optional<double> latency_s);
  void UpdateGauges();
  AdmissionVerdict Challenged(const HeadFacts& facts, ProofResult why);

  const Clock& clock_;
  const BlockList& block_list_;
  const AttackMode& attack_mode_;
  const AdmissionOptions options_;
  RateLimiter rates_;
  ConcurrencyLimiter limiter_;
  ProofOfWork proof_;
  std::array<std::array<metrics::Counter*, kAdmissionDecisionCount>, kRouteClassCount> counts_{};
  metrics::Counter& blocked_requests_;
  metrics::Gauge& limit_gauge_;
  metrics::Gauge& inflight_gauge_;
  metrics::Gauge& queue_gauge_;
};

}  // namespace homeroom::guard
