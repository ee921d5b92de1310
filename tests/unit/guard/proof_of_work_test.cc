#include "guard/proof_of_work.h"

#include <gtest/gtest.h>

namespace homeroom::guard {
namespace {

namespace asio = boost::asio;

asio::ip::address Ip(const char* text) { return asio::ip::make_address(text); }

ProofOfWorkOptions Easy() {
  ProofOfWorkOptions options;
  options.difficulty_bits = 8;
  options.secret = "unit-test-secret-unit-test-secret";
  return options;
}

TEST(ProofOfWork, SolvedChallengeIsAcceptedOnce) {
  ManualClock clock;
  ProofOfWork pow(clock, Easy());
  Challenge challenge = pow.Issue(Ip("127.0.0.5"));
  EXPECT_EQ(challenge.difficulty_bits, 8);
  EXPECT_EQ(challenge.expires_ms, clock.NowMs() + 120'000);
  const std::string proof = ProofOfWork::Solve(challenge.text, 8);
  EXPECT_GE(ProofOfWork::LeadingZeroBits(proof), 8);
  EXPECT_EQ(pow.Verify(proof, Ip("127.0.0.5")), ProofResult::kValid);
  EXPECT_EQ(pow.Verify(proof, Ip("127.0.0.5")), ProofResult::kReplayed);
  EXPECT_EQ(pow.used_size(), 1u);
}

TEST(ProofOfWork, ChallengeIsBoundToTheClientHost) {
  ManualClock clock;
  ProofOfWork pow(clock, Easy());
  const std::string proof = ProofOfWork::Solve(pow.Issue(Ip("127.0.0.5")).text, 8);
  EXPECT_EQ(pow.Verify(proof, Ip("127.0.0.6")), ProofResult::kForged);
  EXPECT_EQ(pow.Verify(proof, Ip("127.0.0.5")), ProofResult::kValid);
}

TEST(ProofOfWork, ChallengeOfAnotherServerSecretIsForged) {
  ManualClock clock;
  ProofOfWork ours(clock, Easy());
  ProofOfWorkOptions other_options = Easy();
  other_options.secret = "another-secret-another-secret-xx";
  ProofOfWork other(clock, other_options);
  const std::string proof = ProofOfWork::Solve(other.Issue(Ip("127.0.0.5")).text, 8);
  EXPECT_EQ(ours.Verify(proof, Ip("127.0.0.5")), ProofResult::kForged);
}

TEST(ProofOfWork, ExpiredChallengeIsRefused) {
  ManualClock clock;
  ProofOfWork pow(clock, Easy());
  const std::string proof = ProofOfWork::Solve(pow.Issue(Ip("127.0.0.5")).text, 8);
  clock.Advance(120'000);
  EXPECT_EQ(pow.Verify(proof, Ip("127.0.0.5")), ProofResult::kExpired);
}

TEST(ProofOfWork, UnsolvedOrMalformedProofsAreRefused) {
  ManualClock clock;
  ProofOfWorkOptions options = Easy();
  options.difficulty_bits = 20;
  ProofOfWork pow(clock, options);
  const std::string challenge = pow.Issue(Ip("127.0.0.5")).text;
  // Find a counter that does NOT solve it (almost every counter).
  std::string wrong;
  for (int i = 0;; ++i) {
    wrong = challenge + ":" + std::to_string(i);
    if (ProofOfWork::LeadingZeroBits(wrong) < 20) break;
  }
  EXPECT_EQ(pow.Verify(wrong, Ip("127.0.0.5")), ProofResult::kUnsolved);
  EXPECT_EQ(pow.Verify("", Ip("127.0.0.5")), ProofResult::kMissing);
  EXPECT_EQ(pow.Verify("nonsense", Ip("127.0.0.5")), ProofResult::kMalformed);
  EXPECT_EQ(pow.Verify(challenge + ":x1", Ip("127.0.0.5")), ProofResult::kMalformed);
  EXPECT_EQ(pow.Verify("1.2.3.4.5:6", Ip("127.0.0.5")), ProofResult::kMalformed);
  EXPECT_EQ(pow.Verify(std::string(1000, 'a'), Ip("127.0.0.5")), ProofResult::kMalformed);
}

TEST(ProofOfWork, ChallengeIssuedAtALowerDifficultyIsTooEasy) {
  ManualClock clock;
  ProofOfWorkOptions easy = Easy();
  ProofOfWork issuer(clock, easy);
  ProofOfWorkOptions hard = Easy();
  hard.difficulty_bits = 12;
  ProofOfWork verifier(clock, hard);  // same secret, difficulty raised since
  const std::string proof = ProofOfWork::Solve(issuer.Issue(Ip("127.0.0.5")).text, 8);
  if (ProofOfWork::LeadingZeroBits(proof) < 12) {
    EXPECT_EQ(verifier.Verify(proof, Ip("127.0.0.5")), ProofResult::kTooEasy);
  }
}

TEST(ProofOfWork, UsedSetIsBoundedAndFailsClosedWhenFull) {
  ManualClock clock;
  ProofOfWorkOptions options = Easy();
  options.max_used = 2;
  ProofOfWork pow(clock, options);
  for (int i = 0; i < 2; ++i) {
    const std::string proof = ProofOfWork::Solve(pow.Issue(Ip("127.0.0.5")).text, 8);
    EXPECT_EQ(pow.Verify(proof, Ip("127.0.0.5")), ProofResult::kValid);
  }
  const std::string third = ProofOfWork::Solve(pow.Issue(Ip("127.0.0.5")).text, 8);
  EXPECT_EQ(pow.Verify(third, Ip("127.0.0.5")), ProofResult::kBusy);
  clock.Advance(120'000);  // the used ones expire and make room
  const std::string fourth = ProofOfWork::Solve(pow.Issue(Ip("127.0.0.5")).text, 8);
  EXPECT_EQ(pow.Verify(fourth, Ip("127.0.0.5")), ProofResult::kValid);
  EXPECT_EQ(pow.used_size(), 1u);
}

}  // namespace
}  // namespace homeroom::guard
