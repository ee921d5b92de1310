#include "guard/admission.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

namespace homeroom::guard {
namespace {

namespace asio = boost::asio;

asio::ip::address Ip(const char* text) { return asio::ip::make_address(text); }

struct Fixture {
  ManualClock clock;
  metrics::Registry metrics;
  BlockList blocks{clock};
  AttackMode attack;
  std::unique_ptr<Admission> admission;

  explicit Fixture(AdmissionOptions options = Options()) {
    admission = std::make_unique<Admission>(clock, metrics, blocks, attack, options);
  }
  static AdmissionOptions Options() {
    AdmissionOptions options;
    options.rates.For(RouteClass::kApiRead) = {{1, 2}, {}, {1, 1}};
    options.proof.difficulty_bits = 8;
    options.concurrency.initial_limit = 1;
    options.concurrency.min_limit = 1;
    options.concurrency.max_queue = 1;
    return options;
  }
};

HeadFacts Anonymous(const char* ip, RouteClass route_class = RouteClass::kApiRead) {
  return HeadFacts{Ip(ip), route_class, false, false, {}};
}

TEST(Admission, BlockedSourceIsRefusedBeforeAnythingElse) {
  Fixture f;
  f.blocks.ReplaceManual({BlockEntry{Cidr::Parse("127.9.0.0/16").value(), false, "x", 0, {}}}, {});
  EXPECT_EQ(f.admission->CheckHead(Anonymous("127.9.1.1")).decision, AdmissionDecision::kBlocked);
  EXPECT_TRUE(f.admission->CheckHead(Anonymous("127.8.1.1")).accepted());
  EXPECT_EQ(f.metrics.CounterValue("homeroom_guard_blocked_total", {{"stage", "request"}}), 1u);
}

TEST(Admission, HostOverItsBucketIsRateLimitedWithRetryAfter) {
  Fixture f;
  EXPECT_TRUE(f.admission->CheckHead(Anonymous("127.0.0.2")).accepted());
  EXPECT_TRUE(f.admission->CheckHead(Anonymous("127.0.0.2")).accepted());
  AdmissionVerdict refused = f.admission->CheckHead(Anonymous("127.0.0.2"));
  EXPECT_EQ(refused.decision, AdmissionDecision::kRateLimitedIp);
  EXPECT_EQ(refused.retry_after_s, 1);
}

TEST(Admission, AccountBucketAppliesAfterAuthentication) {
  Fixture f;
  EXPECT_TRUE(f.admission->CheckAccount(5, RouteClass::kApiRead).accepted());
  AdmissionVerdict refused = f.admission->CheckAccount(5, RouteClass::kApiRead);
  EXPECT_EQ(refused.decision, AdmissionDecision::kRateLimitedAccount);
  EXPECT_GE(refused.retry_after_s, 1);
}

TEST(Admission, UnderAttackAnonymousRequestsNeedASolvedChallenge) {
  Fixture f;
  f.attack.SetSetting(AttackModeSetting::kOn);
  AdmissionVerdict challenged = f.admission->CheckHead(Anonymous("127.0.0.3"));
  ASSERT_EQ(challenged.decision, AdmissionDecision::kChallenged);
  ASSERT_TRUE(challenged.challenge.has_value());
  EXPECT_EQ(challenged.proof, ProofResult::kMissing);
  HeadFacts solved = Anonymous("127.0.0.3");
  const std::string proof = ProofOfWork::Solve(challenged.challenge->text, 8);
  solved.proof = proof;
  EXPECT_TRUE(f.admission->CheckHead(solved).accepted());
  f.clock.Advance(2000);  // tokens back: the next refusal is the proof's, not the bucket's
  // Single-use.
  EXPECT_EQ(f.admission->CheckHead(solved).decision, AdmissionDecision::kChallenged);
}

TEST(Admission, UnderAttackCredentialedAndExemptRequestsPassTheHead) {
  Fixture f;
  f.attack.SetSetting(AttackModeSetting::kOn);
  HeadFacts credentialed = Anonymous("127.0.0.4");
  credentialed.credentialed = true;
  EXPECT_TRUE(f.admission->CheckHead(credentialed).accepted());
  HeadFacts exempt = Anonymous("127.0.0.4");
  exempt.challenge_exempt = true;
  EXPECT_TRUE(f.admission->CheckHead(exempt).accepted());
  EXPECT_TRUE(f.admission->CheckHead(Anonymous("127.0.0.5", RouteClass::kStatic)).accepted());
  // A credential that fails authentication is anonymous after all.
  EXPECT_EQ(f.admission->CheckAuthenticationFailed(credentialed).decision,
            AdmissionDecision::kChallenged);
  // The sign-in routes never authenticate: a credential does not exempt them.
  HeadFacts login = Anonymous("127.0.0.6", RouteClass::kLogin);
  login.credentialed = true;
  EXPECT_EQ(f.admission->CheckHead(login).decision, AdmissionDecision::kChallenged);
}

TEST(Admission, NotUnderAttackNoProofIsAsked) {
  Fixture f;
  EXPECT_TRUE(f.admission->CheckHead(Anonymous("127.0.0.7")).accepted());
  EXPECT_TRUE(f.admission->CheckAuthenticationFailed(Anonymous("127.0.0.7")).accepted());
}

TEST(Admission, PriorityFollowsClassAndCredential) {
  EXPECT_EQ(Admission::PriorityFor(RouteClass::kApiRead, true), Priority::kHigh);
  EXPECT_EQ(Admission::PriorityFor(RouteClass::kLive, true), Priority::kHigh);
  // A live upgrade without a credential waits as anonymous (it is refused right after anyway).
  EXPECT_EQ(Admission::PriorityFor(RouteClass::kLive, false), Priority::kAnonymous);
  EXPECT_EQ(Admission::PriorityFor(RouteClass::kLogin, false), Priority::kLogin);
  EXPECT_EQ(Admission::PriorityFor(RouteClass::kApiRead, false), Priority::kAnonymous);
}

TEST(Admission, EnterWaitsForAFreedSlotAndShedsBeyondTheQueue) {
  Fixture f;
  asio::io_context io;
  auto strand = asio::make_strand(io);
  std::vector<std::string> events;
  std::optional<AdmissionSlot> first;
  asio::co_spawn(
      strand,
      [&]() -> asio::awaitable<void> {
        first = co_await f.admission->Enter(Priority::kHigh);
        events.push_back(first ? "first admitted" : "first shed");
      },
      asio::detached);
  io.run_one();  // `first` holds the only slot
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(f.metrics.GaugeValue("homeroom_guard_inflight"), 1);
  asio::co_spawn(
      strand,
      [&]() -> asio::awaitable<void> {
        auto slot = co_await f.admission->Enter(Priority::kHigh);
        events.push_back(slot ? "second admitted" : "second shed");
      },
      asio::detached);
  asio::co_spawn(
      strand,
      [&]() -> asio::awaitable<void> {
        auto slot = co_await f.admission->Enter(Priority::kAnonymous);
        events.push_back(slot ? "third admitted" : "third shed");
      },
      asio::detached);
  io.poll();  // second waits in the queue, third finds it full and is shed
  EXPECT_EQ(f.metrics.GaugeValue("homeroom_guard_queue_depth"), 1);
  first->Done(0.001);  // frees the slot: second is admitted
  io.run();
  EXPECT_EQ(events, (std::vector<std::string>{"first admitted", "third shed", "second admitted"}));
  EXPECT_EQ(f.metrics.GaugeValue("homeroom_guard_inflight"), 0);
  EXPECT_EQ(f.metrics.GaugeValue("homeroom_guard_concurrency_limit"), 1);
}

TEST(Admission, CountsEveryDecisionByClass) {
  Fixture f;
  f.admission->Count(RouteClass::kLogin, AdmissionDecision::kChallenged);
  EXPECT_EQ(f.metrics.CounterValue("homeroom_guard_admission_total",
                                   {{"class", "login"}, {"decision", "challenged"}}),
            1u);
  EXPECT_EQ(f.metrics.CounterValue("homeroom_guard_admission_total",
                                   {{"class", "live"}, {"decision", "accepted"}}),
            0u);
}

}  // namespace
}  // namespace homeroom::guard
