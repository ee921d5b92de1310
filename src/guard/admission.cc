#include "guard/admission.h"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <string>
#include <utility>

namespace homeroom::guard {

namespace asio = boost::asio;

std::string_view AdmissionDecisionName(AdmissionDecision decision) {
  switch (decision) {
    case AdmissionDecision::kAccepted:
      return "accepted";
    case AdmissionDecision::kRateLimitedIp:
      return "rate_limited_ip";
    case AdmissionDecision::kRateLimitedSubnet:
      return "rate_limited_subnet";
    case AdmissionDecision::kRateLimitedAccount:
      return "rate_limited_account";
    case AdmissionDecision::kShed:
      return "shed";
    case AdmissionDecision::kBlocked:
      return "blocked";
    case AdmissionDecision::kChallenged:
      return "challenged";
  }
  return "accepted";
}

AdmissionSlot::AdmissionSlot(AdmissionSlot&& other) noexcept
    : admission_(std::exchange(other.admission_, nullptr)) {}

AdmissionSlot& AdmissionSlot::operator=(AdmissionSlot&& other) noexcept {
  if (this != &other) {
    Done(std::nullopt);
    admission_ = std::exchange(other.admission_, nullptr);
  }
  return *this;
}

AdmissionSlot::~AdmissionSlot() { Done(std::nullopt); }

void AdmissionSlot::Done(std::optional<double> latency_s) {
  if (Admission* admission = std::exchange(admission_, nullptr)) admission->Release(latency_s);
}

Admission::Admission(const Clock& clock, metrics::Registry& metrics, const BlockList& block_list,
                     const AttackMode& attack_mode, AdmissionOptions options)
    : clock_(clock),
      block_list_(block_list),
      attack_mode_(attack_mode),
      options_(options),
      rates_(clock, options.rates),
      limiter_(clock, options.concurrency),
      proof_(clock, options.proof),
      blocked_requests_(metrics.GetCounter(kBlockedTotal, kBlockedTotalHelp,
                                           {{"stage", std::string(kBlockedStageRequest)}})),
      limit_gauge_(metrics.GetGauge("homeroom_guard_concurrency_limit",
                                    "Requests the adaptive concurrency limit lets run at once.")),
      inflight_gauge_(
          metrics.GetGauge("homeroom_guard_inflight", "Requests holding a concurrency slot now.")),
      queue_gauge_(metrics.GetGauge("homeroom_guard_queue_depth",
                                    "Requests waiting for a concurrency slot now.")) {
  for (RouteClass route_class : kAllRouteClasses) {
    for (size_t d = 0; d < kAdmissionDecisionCount; ++d) {
      const auto decision = static_cast<AdmissionDecision>(d);
      counts_[static_cast<size_t>(route_class)][d] = &metrics.GetCounter(
          "homeroom_guard_admission_total", "Admission decisions by route class.",
          {{"class", std::string(RouteClassName(route_class))},
           {"decision", std::string(AdmissionDecisionName(decision))}});
    }
  }
  UpdateGauges();
}

Priority Admission::PriorityFor(RouteClass route_class, bool credentialed) {
  if (route_class == RouteClass::kLogin) return Priority::kLogin;
  if (credentialed) return Priority::kHigh;
  return Priority::kAnonymous;
}

void Admission::Count(RouteClass route_class, AdmissionDecision decision) {
  counts_[static_cast<size_t>(route_class)][static_cast<size_t>(decision)]->Inc();
}

AdmissionVerdict Admission::Challenged(const HeadFacts& facts, ProofResult why) {
  AdmissionVerdict verdict;
  verdict.decision = AdmissionDecision::kChallenged;
  verdict.proof = why;
  verdict.challenge = proof_.Issue(facts.remote);
  return verdict;
}

AdmissionVerdict Admission::CheckHead(const HeadFacts& facts) {
  AdmissionVerdict verdict;
  if (block_list_.IsBlocked(facts.remote)) {
    blocked_requests_.Inc();
    verdict.decision = AdmissionDecision::kBlocked;
    return verdict;
  }
  if (!options_.enabled) return verdict;
  const RateVerdict rate = rates_.CheckSource(facts.remote, facts.route_class, facts.credentialed);
  if (!rate.allowed()) {
    verdict.decision = rate.kind == RateVerdict::Kind::kSubnetLimited
                           ? AdmissionDecision::kRateLimitedSubnet
                           : AdmissionDecision::kRateLimitedIp;
    verdict.retry_after_s = rate.retry_after_s;
    return verdict;
  }
  // Under attack, anonymous requests pay with work. A credential defers the question to
  // authentication (CheckAuthenticationFailed); the sign-in routes never authenticate, so they
  // always need a proof.
  if (attack_mode_.UnderAttack() && !facts.challenge_exempt &&
      facts.route_class != RouteClass::kStatic &&
      (!facts.credentialed || facts.route_class == RouteClass::kLogin)) {
    const ProofResult proof = proof_.Verify(facts.proof, facts.remote);
    if (proof != ProofResult::kValid) return Challenged(facts, proof);
  }
  return verdict;
}

AdmissionVerdict Admission::CheckAuthenticationFailed(const HeadFacts& facts) {
  if (!options_.enabled || !attack_mode_.UnderAttack() || facts.challenge_exempt ||
      facts.route_class == RouteClass::kStatic) {
    return AdmissionVerdict{};
  }
  const ProofResult proof = proof_.Verify(facts.proof, facts.remote);
  if (proof != ProofResult::kValid) return Challenged(facts, proof);
  return AdmissionVerdict{};
}

AdmissionVerdict Admission::CheckAccount(int64_t user_id, RouteClass route_class) {
  AdmissionVerdict verdict;
  if (!options_.enabled) return verdict;
  const RateVerdict rate = rates_.CheckAccount(user_id, route_class);
  if (!rate.allowed()) {
    verdict.decision = AdmissionDecision::kRateLimitedAccount;
    verdict.retry_after_s = rate.retry_after_s;
  }
  return verdict;
}

asio::awaitable<std::optional<AdmissionSlot>> Admission::Enter(Priority priority) {
  if (!options_.enabled) co_return AdmissionSlot();
  auto executor = co_await asio::this_coro::executor;
  auto timer = std::make_shared<asio::steady_timer>(executor);
  // Called by whoever admits or evicts this request: wakes the wait below on its own executor
  // (the connection's strand, so the cancel cannot run before the wait has started).
  auto notify = [timer, executor] { asio::post(executor, [timer] { timer->cancel(); }); };
  ConcurrencyLimiter::Acquired acquired = limiter_.Acquire(priority, std::move(notify));
  bool admitted = acquired.kind == ConcurrencyLimiter::Acquired::Kind::kAdmitted;
  if (acquired.kind == ConcurrencyLimiter::Acquired::Kind::kQueued) {
    UpdateGauges();
    const int64_t wait_ms = std::max<int64_t>(0, acquired.deadline_ms - clock_.MonotonicMs());
    timer->expires_after(std::chrono::milliseconds(wait_ms));
    boost::system::error_code ec;
    co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    admitted = limiter_.Resolve(acquired.waiter);
  }
  UpdateGauges();
  if (!admitted) co_return std::nullopt;
  co_return AdmissionSlot(this);
}

void Admission::Release(std::optional<double> latency_s) {
  limiter_.Release(latency_s);
  UpdateGauges();
}

void Admission::UpdateGauges() {
  limit_gauge_.Set(limiter_.limit());
  inflight_gauge_.Set(limiter_.inflight());
  queue_gauge_.Set(static_cast<int64_t>(limiter_.queue_depth()));
}

}  // namespace homeroom::guard
