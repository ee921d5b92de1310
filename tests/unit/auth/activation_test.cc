#include <gtest/gtest.h>

#include "auth/auth_service.h"
#include "auth/session_token.h"
#include "unit/auth/auth_world.h"

namespace homeroom::auth {
namespace {

using test::AuthWorld;
using test::TestOptions;

constexpr int64_t kDayMs = 24 * 3600 * 1000;

// School 1 with a student and a teacher who have no password yet, a teacher who has one, and a
// student of another school.
void AddSchool(AuthWorld& w) {
  w.AddOrg(1, "school");
  w.AddOrg(2, "school");
  w.AddUser(10, "ana.lopez", "student");
  w.AddUser(11, "kim.park", "teacher");
  w.AddUserWithPassword(12, "old.hand", "teacher", "has a password");
  w.AddUser(13, "elsewhere", "student");
  for (int64_t id : {10, 11, 12}) w.AddMember(id, 1);
  w.AddMember(13, 2);
}

std::string CodeFor(const std::vector<IssuedCode>& codes, int64_t user_id) {
  for (const auto& c : codes) {
    if (c.user_id == user_id) return c.code;
  }
  return "";
}

TEST(ActivationCodes, AreIssuedOnlyToUsersWithoutAPasswordUnlessAllAreAsked) {
  AuthWorld w;
  AddSchool(w);
  auto codes = IssueActivationCodes(*w.db, 1, false, w.clock.NowMs(), std::chrono::hours(24));
  ASSERT_TRUE(codes.ok()) << codes.status().ToString();
  ASSERT_EQ(codes->size(), 2u);
  EXPECT_EQ((*codes)[0].user_id, 10);
  EXPECT_EQ((*codes)[0].username, "ana.lopez");
  EXPECT_EQ((*codes)[0].name, "Given10 Family");
  EXPECT_EQ((*codes)[0].role, "student");
  EXPECT_EQ((*codes)[0].expires_ms, w.clock.NowMs() + kDayMs);
  EXPECT_EQ((*codes)[1].user_id, 11);
  for (const auto& c : *codes) EXPECT_TRUE(test::LooksLikeActivationCode(c.code)) << c.code;
  EXPECT_NE((*codes)[0].code, (*codes)[1].code);

  // Only hashes are stored.
  EXPECT_EQ(w.QueryInt("SELECT COUNT(*) FROM activation_codes"), 2);
  EXPECT_EQ(w.QueryInt("SELECT COUNT(*) FROM activation_codes WHERE length(code_hash) = 32"), 2);
  EXPECT_EQ(w.QueryText("SELECT code_hash FROM activation_codes WHERE user_id = 10"),
            HashActivationCode(*NormalizeActivationCode((*codes)[0].code)));

  auto all = IssueActivationCodes(*w.db, 1, true, w.clock.NowMs(), std::chrono::hours(24));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
  EXPECT_EQ(IssueActivationCodes(*w.db, 99, false, w.clock.NowMs(), std::chrono::hours(1))
                .status()
                .code(),
            StatusCode::kNotFound);
}

TEST(ActivationCodes, CodeSetsThePasswordSignsInAndWorksOnce) {
  AuthWorld w;
  AddSchool(w);
  auto codes = IssueActivationCodes(*w.db, 1, false, w.clock.NowMs(), std::chrono::hours(24));
  ASSERT_TRUE(codes.ok());
  std::string code = CodeFor(*codes, 10);
  // Typed in lower case, without the dash: still the same code.
  std::string typed;
  for (char ch : code) {
    if (ch != '-') typed.push_back(static_cast<char>(std::tolower(ch)));
  }
  auto activated = w.Run(w.auth->Activate(typed, "my first password", "192.0.2.1", "ua"));
  ASSERT_TRUE(activated.ok()) << activated.status().ToString();
  EXPECT_EQ(activated->principal.user_id, 10);
  EXPECT_TRUE(w.Authenticate(activated->token).ok());
  EXPECT_TRUE(w.Login("ana.lopez", "my first password").ok());
  EXPECT_EQ(w.QueryInt("SELECT COUNT(*) FROM activation_codes WHERE used_ms IS NOT NULL"), 1);
  EXPECT_EQ(w.QueryInt("SELECT COUNT(*) FROM auth_events WHERE kind = 'activated'"), 1);
  EXPECT_EQ(w.metrics.CounterValue("homeroom_auth_activations_total", {{"result", "ok"}}), 1u);

  auto again = w.Run(w.auth->Activate(code, "another password", "192.0.2.1", "ua"));
  EXPECT_EQ(again.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(again.status().message(), "wrong or expired activation code");
  EXPECT_TRUE(w.Login("ana.lopez", "my first password").ok());
}

TEST(ActivationCodes, ExpiredOrWrongCodesAreRefused) {
  AuthWorld w;
  AddSchool(w);
  auto codes = IssueActivationCodes(*w.db, 1, false, w.clock.NowMs(), std::chrono::hours(24));
  ASSERT_TRUE(codes.ok());
  auto wrong = w.Run(w.auth->Activate("ZZZZZ-ZZZZZ", "my first password", "192.0.2.1", "ua"));
  EXPECT_EQ(wrong.status().code(), StatusCode::kUnauthenticated);
  auto garbage =
      w.Run(w.auth->Activate("not a code at all", "my first password", "192.0.2.1", "ua"));
  EXPECT_EQ(garbage.status().code(), StatusCode::kUnauthenticated);

  w.clock.Advance(kDayMs);
  auto expired =
      w.Run(w.auth->Activate(CodeFor(*codes, 10), "my first password", "192.0.2.1", "ua"));
  EXPECT_EQ(expired.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(expired.status().message(), "wrong or expired activation code");
  EXPECT_EQ(w.metrics.CounterValue("homeroom_auth_activations_total", {{"result", "failed"}}), 3u);
  EXPECT_EQ(w.QueryInt("SELECT COUNT(*) FROM auth_events WHERE kind = 'activation_failed' AND "
                       "detail = 'expired' AND user_id = 10"),
            1);
}

TEST(ActivationCodes, ANewCodeSupersedesTheOldOne) {
  AuthWorld w;
  AddSchool(w);
  auto first = IssueActivationCodes(*w.db, 1, false, w.clock.NowMs(), std::chrono::hours(24));
  w.clock.Advance(1000);
  auto second = IssueActivationCodes(*w.db, 1, false, w.clock.NowMs(), std::chrono::hours(24));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(w.Run(w.auth->Activate(CodeFor(*first, 10), "my first password", "192.0.2.1", "ua"))
                .status()
                .code(),
            StatusCode::kUnauthenticated);
  EXPECT_TRUE(
      w.Run(w.auth->Activate(CodeFor(*second, 10), "my first password", "192.0.2.1", "ua")).ok());
}

TEST(ActivationCodes, PasswordLengthLimitsApplyAndDoNotConsumeTheCode) {
  AuthWorld w;
  AddSchool(w);
  auto codes = IssueActivationCodes(*w.db, 1, false, w.clock.NowMs(), std::chrono::hours(24));
  ASSERT_TRUE(codes.ok());
  std::string code = CodeFor(*codes, 11);
  EXPECT_EQ(w.Run(w.auth->Activate(code, "1234567", "192.0.2.1", "ua")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(w.Run(w.auth->Activate(code, std::string(129, 'p'), "192.0.2.1", "ua")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(w.Run(w.auth->Activate(code, "12345678", "192.0.2.1", "ua")).ok());
}

TEST(ActivationCodes, WrongCodesAreThrottledPerIp) {
  AuthOptions o = TestOptions();
  o.activation_throttle.pair_free_failures = 3;
  AuthWorld w(o);
  AddSchool(w);
  auto codes = IssueActivationCodes(*w.db, 1, false, w.clock.NowMs(), std::chrono::hours(24));
  ASSERT_TRUE(codes.ok());
  const std::string guesser = "203.0.113.77";
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(w.Run(w.auth->Activate("ZZZZZ-ZZZZ" + std::string(1, "23456789"[i]),
                                     "my first password", guesser, "ua"))
                  .status()
                  .code(),
              StatusCode::kUnauthenticated);
  }
  auto throttled = w.Run(w.auth->Activate(CodeFor(*codes, 10), "my first password", guesser, "ua"));
  EXPECT_EQ(throttled.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(throttled.status().retry_after_s(), 1);
  EXPECT_EQ(w.metrics.CounterValue("homeroom_auth_activations_total", {{"result", "throttled"}}),
            1u);
  // Another address is not affected.
  EXPECT_TRUE(
      w.Run(w.auth->Activate(CodeFor(*codes, 10), "my first password", "192.0.2.1", "ua")).ok());
}

}  // namespace
}  // namespace homeroom::auth
