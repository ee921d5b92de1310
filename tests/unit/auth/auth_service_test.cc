#include "auth/auth_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "auth/session_token.h"
#include "store/auth_store.h"
#include "unit/auth/auth_world.h"

namespace homeroom::auth {
namespace {

using test::AuthWorld;
using test::TestOptions;

constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kDayMs = 24 * kHourMs;

void AddSchoolWithStudent(AuthWorld& w) {
  w.AddOrg(1, "school");
  w.AddUserWithPassword(10, "Ana.Lopez", "student", "correct horse");
  w.AddMember(10, 1);
}

TEST(Login, CorrectPasswordReturnsATokenThatWorksAsBearer) {
  AuthWorld w;
  AddSchoolWithStudent(w);
  auto login = w.Login("ana.lopez", "correct horse");
  ASSERT_TRUE(login.ok()) << login.status().ToString();
  EXPECT_EQ(login->principal.user_id, 10);
  EXPECT_EQ(login->principal.role, Role::kStudent);
  EXPECT_EQ(login->principal.display_name, "Given10 Family");
  EXPECT_EQ(login->token.size(), 43u);
  EXPECT_EQ(login->expires_ms, w.clock.NowMs() + 12 * kHourMs);

  auto who = w.Authenticate(login->token);
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(who->user_id, 10);
  EXPECT_EQ(who->session_id, login->principal.session_id);
  EXPECT_EQ(w.metrics.CounterValue("homeroom_auth_logins_total", {{"result", "ok"}}), 1u);
  EXPECT_EQ(w.QueryInt("SELECT COUNT(*) FROM auth_events WHERE kind = 'login_ok' AND user_id = 10"),
            1);
}

TEST(Login, TokenIsStoredOnlyAsItsHash) {
  AuthWorld w;
  AddSchoolWithStudent(w);
  auto login = w.Login("ana.lopez", "correct horse");
  ASSERT_TRUE(login.ok());
  std::string stored = w.QueryText("SELECT token_hash FROM auth_sessions");
  EXPECT_EQ(stored.size(), kSecretHashBytes);
  EXPECT_EQ(stored, *HashSessionToken(login->token));
  EXPECT_EQ(stored.find(login->token), std::string::npos);
  EXPECT_EQ(w.QueryInt("SELECT COUNT(*) FROM auth_sessions WHERE token_hash = '" + login->token +
                       "' OR user_agent LIKE '%" + login->token + "%'"),
            0);
}

TEST(Login, WrongPasswordAndUnknownUserGetTheSameAnswer) {
  AuthWorld w;
  AddSchoolWithStudent(w);
  auto wrong = w.Login("ana.lopez", "wrong horse");
  auto unknown = w.Login("nobody", "wrong horse");
  auto no_password = (w.AddUser(11, "new.kid", "student"), w.Login("new.kid", "anything!"));
  for (const auto* r : {&wrong, &unknown, &no_password}) {
    ASSERT_FALSE(r->ok());
    EXPECT_EQ(r->status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(r->status().message(), "wrong username or password");
  }
  EXPECT_EQ(w.metrics.CounterValue("homeroom_auth_logins_total", {{"result", "failed"}}), 3u);
  EXPECT_EQ(w.QueryInt("SELECT COUNT(*) FROM auth_events WHERE kind = 'login_failed'"), 3);
  EXPECT_EQ(w.QueryInt("SELECT COUNT(*) FROM auth_events WHERE kind = 'login_failed' AND "
                       "user_id IS NULL AND username = 'nobody' AND detail = 'unknown_user'"),
            1);
}

TEST(Login, UsernameIsCaseInsensitive) {
  AuthWorld w;
  AddSchoolWithStudent(w);
  EXPECT_TRUE(w.Login("ANA.LOPEZ", "correct horse").ok());
}

TEST(Login, OverlongPasswordIsRefusedBeforeHashing) {
  AuthWorld w;
  AddSchoolWithStudent(w);
  auto r = w.Login("ana.lopez", std::string(129, 'x'));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w.metrics.CounterValue("homeroom_auth_logins_total", {{"result", "failed"}}), 0u);
}

TEST(Sessions, ExpirySlidesWhileTheSessionIsUsed) {
  AuthWorld w;
  AddSchoolWithStudent(w);
  auto login = w.Login("ana.lopez", "correct horse");
  ASSERT_TRUE(login.ok());
  w.clock.Advance(11 * kHourMs);
  ASSERT_TRUE(w.Authenticate(login->token).ok());
  EXPECT_EQ(w.QueryInt("SELECT expires_ms FROM auth_sessions"), w.clock.NowMs() + 12 * kHourMs);
  w.clock.Advance(11 * kHourMs);  // 22 h after sign-in, 11 h after last use
  ASSERT_TRUE(w.Authenticate(login->token).ok());
  w.clock.Advance(12 * kHourMs + 1000);
  auto expired = w.Authenticate(login->token);
  EXPECT_EQ(expired.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(expired.status().message(), "session expired");
}

TEST(Sessions, LastSeenIsWrittenOnlyWhenItMovedMoreThanTheTouchInterval) {
  AuthWorld w;
  AddSchoolWithStudent(w);
  auto login = w.Login("ana.lopez", "correct horse");
  ASSERT_TRUE(login.ok());
  for (int i = 0; i < 10; ++i) {
    w.clock.Advance(20 * 1000);  // 200 s in all: under the 5 min interval
    ASSERT_TRUE(w.Authenticate(login->token).ok());
  }
  EXPECT_EQ(w.metrics.CounterValue("homeroom_auth_sessions_touched_total"), 0u);
  w.clock.Advance(120 * 1000);
  ASSERT_TRUE(w.Authenticate(login->token).ok());
  EXPECT_EQ(w.metrics.CounterValue("homeroom_auth_sessions_touched_total"), 1u);
  EXPECT_EQ(w.QueryInt("SELECT last_seen_ms FROM auth_sessions"), w.clock.NowMs());
}

TEST(Sessions, RememberedDeviceLastsThirtyDaysIdleAndOtherSessionsTwelveHours) {
  AuthWorld w;
  AddSchoolWithStudent(w);
  auto short_lived = w.Login("ana.lopez", "correct horse", "192.0.2.1", false);
  auto remembered = w.Login("ana.lopez", "correct horse", "192.0.2.1", true);
  ASSERT_TRUE(short_lived.ok() && remembered.ok());
  EXPECT_TRUE(remembered->remember);
  EXPECT_EQ(remembered->expires_ms, w.clock.NowMs() + 30 * kDayMs);
  w.clock.Advance(13 * kHourMs);
  EXPECT_EQ(w.Authenticate(short_lived->token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(w.Authenticate(remembered->token).ok());
  w.clock.Advance(29 * kDayMs);
  EXPECT_TRUE(w.Authenticate(remembered->token).ok());
  w.clock.Advance(30 * kDayMs + 1000);
  EXPECT_EQ(w.Authenticate(remembered->token).status().code(), StatusCode::kUnauthenticated);
}

TEST(Sessions, LogoutEndsThisDeviceOnlyOrEveryDevice) {
  AuthWorld w;
  AddSchoolWithStudent(w);
  auto phone = w.Login("ana.lopez", "correct horse");
  auto laptop = w.Login("ana.lopez", "correct horse");
  ASSERT_TRUE(phone.ok() && laptop.ok());
  ASSERT_TRUE(w.Run(w.auth->Logout(phone->principal, false)).ok());
  EXPECT_EQ(w.Authenticate(phone->token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(w.Authenticate(laptop->token).ok());

  auto tablet = w.Login("ana.lopez", "correct horse");
  ASSERT_TRUE(tablet.ok());
  ASSERT_TRUE(w.Run(w.auth->Logout(tablet->principal, true)).ok());
  EXPECT_EQ(w.Authenticate(laptop->token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(w.Authenticate(tablet->token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(w.QueryInt("SELECT COUNT(*) FROM auth_sessions WHERE revoked_ms IS NULL"), 0);
  EXPECT_EQ(w.QueryInt("SELECT COUNT(*) FROM auth_events WHERE kind = 'logout'"), 2);
}

TEST(Sessions, RevokedTokenIsRefusedEvenWhenCached) {
  AuthWorld w;
  AddSchoolWithStudent(w);
  auto login = w.Login("ana.lopez", "correct horse");
  ASSERT_TRUE(login.ok());
  ASSERT_TRUE(w.Authenticate(login->token).ok());
  ASSERT_TRUE(w.Authenticate(login->token).ok());
  EXPECT_EQ(w.metrics.CounterValue("homeroom_auth_session_cache_hits_total"), 2u);
  EXPECT_EQ(w.metrics.CounterValue("homeroom_auth_session_cache_misses_total"), 0u);
  ASSERT_TRUE(w.Run(w.auth->Logout(login->principal, false)).ok());
  EXPECT_EQ(w.Authenticate(login->token).status().code(), StatusCode::kUnauthenticated);
}

TEST(Sessions, RevocationByAnotherNodeIsSeenWithinTheCacheTtl) {
  AuthWorld w;
  AddSchoolWithStudent(w);
  auto login = w.Login("ana.lopez", "correct horse");
  ASSERT_TRUE(login.ok());
  w.Exec("UPDATE auth_sessions SET revoked_ms = 1");  // as another node's logout would
  EXPECT_TRUE(w.Authenticate(login->token).ok());     // still cached here
  w.clock.Advance(w.auth->options().session_cache_ttl.count() + 1);
  auto after = w.Authenticate(login->token);
  EXPECT_EQ(after.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(after.status().message(), "session revoked");
  EXPECT_EQ(w.metrics.CounterValue("homeroom_auth_session_cache_misses_total"), 1u);
}

TEST(Sessions, EndedSessionsArePrunedAfterTheRetention) {
  AuthWorld w;
  AddSchoolWithStudent(w);
  auto ended = w.Login("ana.lopez", "correct horse");
  auto remembered = w.Login("ana.lopez", "correct horse", "192.0.2.1", true);
  ASSERT_TRUE(ended.ok() && remembered.ok());
  ASSERT_TRUE(w.Run(w.auth->Logout(ended->principal, false)).ok());
  w.clock.Advance(6 * kDayMs);
  auto none = w.Run(w.auth->PruneEndedSessions());
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  w.clock.Advance(2 * kDayMs);
  auto one = w.Run(w.auth->PruneEndedSessions());
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, 1);
  EXPECT_EQ(w.QueryInt("SELECT COUNT(*) FROM auth_sessions"), 1);
  EXPECT_TRUE(w.Authenticate(remembered->token).ok());
}

TEST(Sessions, MalformedAndUnknownTokensAreRefused) {
  AuthWorld w;
  EXPECT_EQ(w.Authenticate("not a token").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(w.Authenticate(NewSessionToken()).status().message(), "unknown session token");
}

TEST(Sessions, FloodOfUnknownTokensFromOneIpIsThrottledWithoutTouchingOthers) {
  AuthOptions o = TestOptions();
  o.token_throttle.ip_failure_burst = 3;
  AuthWorld w(o);
  AddSchoolWithStudent(w);
  auto login = w.Login("ana.lopez", "correct horse");
  ASSERT_TRUE(login.ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(w.Authenticate(NewSessionToken(), "203.0.113.9").status().code(),
              StatusCode::kUnauthenticated);
  }
  auto refused = w.Authenticate(NewSessionToken(), "203.0.113.9");
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_GE(refused.status().retry_after_s().value_or(0), 1);
  EXPECT_EQ(w.metrics.CounterValue("homeroom_auth_token_throttled_total"), 1u);
  EXPECT_TRUE(w.Authenticate(login->token, "192.0.2.1").ok());
}

TEST(Throttle, DelaysGrowAfterFreeFailuresAndAnswerWithRetryAfter) {
  AuthWorld w;
  AddSchoolWithStudent(w);
  const std::string ip = "198.51.100.7";
  for (int i = 0; i < 6; ++i) {  // 5 free, the 6th sets a 1 s delay
    EXPECT_EQ(w.Login("ana.lopez", "wrong horse", ip).status().code(),
              StatusCode::kUnauthenticated);
  }
  auto throttled = w.Login("ana.lopez", "wrong horse", ip);
  EXPECT_EQ(throttled.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(throttled.status().retry_after_s(), 1);
  // Even the right password waits: the pair is throttled, not the password.
  EXPECT_EQ(w.Login("ana.lopez", "correct horse", ip).status().code(),
            StatusCode::kResourceExhausted);
  w.clock.Advance(1000);
  EXPECT_EQ(w.Login("ana.lopez", "wrong horse", ip).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(w.Login("ana.lopez", "wrong horse", ip).status().retry_after_s(), 2);
  w.clock.Advance(2000);
  EXPECT_EQ(w.Login("ana.lopez", "wrong horse", ip).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(w.Login("ana.lopez", "wrong horse", ip).status().retry_after_s(), 4);
  EXPECT_EQ(w.metrics.CounterValue("homeroom_auth_logins_total", {{"result", "throttled"}}), 4u);
  // One auth_events row per throttling period, not one per refused attempt.
  EXPECT_EQ(w.QueryInt("SELECT COUNT(*) FROM auth_events WHERE kind = 'login_throttled'"), 3);

  // A success after the wait clears the pair: the next mistake is free again.
  w.clock.Advance(4000);
  ASSERT_TRUE(w.Login("ana.lopez", "correct horse", ip).ok());
  EXPECT_EQ(w.Login("ana.lopez", "wrong horse", ip).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(w.Login("ana.lopez", "wrong horse", ip).status().code(), StatusCode::kUnauthenticated);
}

TEST(Throttle, FailuresFromOneIpDoNotBlockTheSameAccountFromAnother) {
  AuthWorld w;
  AddSchoolWithStudent(w);
  for (int i = 0; i < 12; ++i)
    (void)w.Login("ana.lopez", "guess" + std::to_string(i), "203.0.113.66");
  EXPECT_EQ(w.Login("ana.lopez", "guess", "203.0.113.66").status().code(),
            StatusCode::kResourceExhausted);
  auto real = w.Login("ana.lopez", "correct horse", "192.0.2.1");
  EXPECT_TRUE(real.ok()) << real.status().ToString();
}

TEST(Throttle, OneIpGuessingManyAccountsIsStoppedButOtherIpsAreNot) {
  AuthOptions o = TestOptions();
  o.login_throttle.ip_failure_burst = 10;
  AuthWorld w(o);
  AddSchoolWithStudent(w);
  const std::string stuffer = "203.0.113.50";
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(w.Login("user" + std::to_string(i), "password1", stuffer).status().code(),
              StatusCode::kUnauthenticated);
  }
  auto refused = w.Login("user99", "password1", stuffer);
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_GE(refused.status().retry_after_s().value_or(0), 1);
  EXPECT_EQ(w.QueryInt("SELECT COUNT(*) FROM auth_events WHERE kind = 'login_throttled' AND "
                       "detail = 'ip' AND ip = '" +
                       stuffer + "'"),
            1);
  EXPECT_TRUE(w.Login("ana.lopez", "correct horse", "192.0.2.1").ok());
}

TEST(HashingPool, FairnessKeyIsTheHostKeySoAnIpv6Slash64IsOneClient) {
  EXPECT_EQ(HashQueueKey("203.0.113.1"), "203.0.113.1/32");
  EXPECT_NE(HashQueueKey("203.0.113.1"), HashQueueKey("203.0.113.2"));
  EXPECT_EQ(HashQueueKey("2001:db8:1:2::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(HashQueueKey("2001:db8:1:2::1"), HashQueueKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd"));
  EXPECT_NE(HashQueueKey("2001:db8:1:2::1"), HashQueueKey("2001:db8:1:3::1"));
  EXPECT_EQ(HashQueueKey("not an address"), "not an address");
}

TEST(HashingPool, FullForOneIpAnswersUnavailableWhileOtherIpsStillGetASlot) {
  AuthOptions o = TestOptions();
  o.hash_threads = 1;
  o.hash_queue_per_ip = 2;
  o.hash_retry_after_s = 3;
  AuthWorld w(o);
  AddSchoolWithStudent(w);
  w.AddUserWithPassword(12, "teacher.kim", "teacher", "teacher pass");
  const std::string busy_ip = "203.0.113.1";

  // Occupy the only hashing thread, then fill busy_ip's share of the queue.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> blocker_started{false};
  WorkPool& pool = w.auth->hashing_pool();
  // The pool's fairness key is the client's host key (HashQueueKey), as AuthService posts it.
  ASSERT_EQ(pool.TryPost(HashQueueKey(busy_ip),
                         [&] {
                           blocker_started = true;
                           released.wait();
                         }),
            WorkPool::PostResult::kAccepted);
  while (!blocker_started) std::this_thread::yield();
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(pool.TryPost(HashQueueKey(busy_ip), [released] { released.wait(); }),
              WorkPool::PostResult::kAccepted);
  }

  Result<LoginResult> refused = Status::Internal("unset");
  Result<LoginResult> other = Status::Internal("unset");
  bool other_was_queued_while_full = false;
  boost::asio::co_spawn(
      w.io,
      [&]() -> boost::asio::awaitable<void> {
        std::string user = "teacher.kim", password = "teacher pass", ip = "192.0.2.99";
        other = co_await w.auth->Login(user, password, false, ip, "ua");
      },
      boost::asio::detached);
  boost::asio::co_spawn(
      w.io,
      [&]() -> boost::asio::awaitable<void> {
        std::string user = "ana.lopez", password = "correct horse";
        refused = co_await w.auth->Login(user, password, false, busy_ip, "ua");
        // Wait (bounded) until the other IP's hash is queued behind the blocker, then release.
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
        for (int i = 0; i < 500 && pool.queued() < 3; ++i) {
          timer.expires_after(std::chrono::milliseconds(10));
          co_await timer.async_wait(boost::asio::use_awaitable);
        }
        other_was_queued_while_full = pool.queued() == 3;
        EXPECT_EQ(w.metrics.GaugeValue("homeroom_auth_hash_queue_depth"), 1);
        release.set_value();
      },
      boost::asio::detached);
  w.io.run();

  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(refused.status().retry_after_s(), 3);
  EXPECT_TRUE(other_was_queued_while_full);
  EXPECT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ(w.metrics.CounterValue("homeroom_auth_logins_total", {{"result", "unavailable"}}), 1u);
  EXPECT_EQ(w.metrics.GaugeValue("homeroom_auth_hash_queue_depth"), 0);
  // A refusal for capacity is not a failed guess.
  EXPECT_EQ(w.metrics.CounterValue("homeroom_auth_logins_total", {{"result", "failed"}}), 0u);
}

TEST(Passwords, ImportHashedPasswordIsRehashedAtFullCostAfterFirstSignIn) {
  AuthWorld w;
  w.AddOrg(1, "school");
  w.AddUser(10, "ana.lopez", "student");
  auto imported = HashPassword("from the export", kImportArgon2Params);
  ASSERT_TRUE(imported.ok());
  w.Exec("UPDATE users SET password_hash = '" + *imported + "' WHERE id = 10");
  ASSERT_TRUE(NeedsRehash(*imported, test::kTestArgon2));

  ASSERT_TRUE(w.Login("ana.lopez", "from the export").ok());
  std::string now_stored = w.QueryText("SELECT password_hash FROM users WHERE id = 10");
  EXPECT_NE(now_stored, *imported);
  EXPECT_FALSE(NeedsRehash(now_stored, test::kTestArgon2));
  EXPECT_TRUE(VerifyPassword(now_stored, "from the export"));
  EXPECT_TRUE(w.Login("ana.lopez", "from the export").ok());
  EXPECT_EQ(w.QueryText("SELECT password_hash FROM users WHERE id = 10"), now_stored);
}

TEST(Principals, RelationshipsAreLoadedForEachRole) {
  AuthWorld w;
  w.AddOrg(1, "district");
  w.AddOrg(2, "school");
  w.AddOrg(3, "school");
  w.AddSection(100, 2);
  w.AddSection(101, 2);
  w.AddSection(102, 3);

  w.AddUserWithPassword(10, "student", "student", "password10");
  w.AddMember(10, 2);
  w.AddMember(10, 1);  // the district is not a school
  w.Enroll(1, 101, 10, "student");
  w.Enroll(2, 100, 10, "student");
  w.Enroll(3, 102, 10, "student", /*active=*/false);

  w.AddUserWithPassword(11, "teacher", "teacher", "password11");
  w.AddMember(11, 2);
  w.AddMember(11, 3);
  w.Enroll(4, 100, 11, "teacher");
  w.Enroll(5, 102, 11, "teacher");

  w.AddUserWithPassword(12, "guardian", "guardian", "password12");
  w.AddUser(13, "sibling", "student");
  w.AddUser(14, "former", "student");
  w.Exec("UPDATE users SET active = 0 WHERE id = 14");
  w.LinkGuardian(12, 13);
  w.LinkGuardian(12, 10);
  w.LinkGuardian(12, 14);

  w.AddUserWithPassword(15, "principal", "school_admin", "password15");
  w.AddMember(15, 3);
  w.AddMember(15, 2, /*active=*/false);

  auto student = w.Login("student", "password10");
  ASSERT_TRUE(student.ok());
  EXPECT_EQ(student->principal.school_ids, (std::vector<int64_t>{2}));
  EXPECT_EQ(student->principal.section_ids, (std::vector<int64_t>{100, 101}));
  EXPECT_TRUE(student->principal.child_ids.empty());

  auto teacher = w.Login("teacher", "password11");
  ASSERT_TRUE(teacher.ok());
  EXPECT_EQ(teacher->principal.role, Role::kTeacher);
  EXPECT_EQ(teacher->principal.school_ids, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(teacher->principal.section_ids, (std::vector<int64_t>{100, 102}));

  auto guardian = w.Login("guardian", "password12");
  ASSERT_TRUE(guardian.ok());
  EXPECT_EQ(guardian->principal.role, Role::kGuardian);
  EXPECT_EQ(guardian->principal.child_ids, (std::vector<int64_t>{10, 13}));
  EXPECT_TRUE(guardian->principal.section_ids.empty());

  auto admin = w.Login("principal", "password15");
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ(admin->principal.role, Role::kSchoolAdmin);
  EXPECT_EQ(admin->principal.school_ids, (std::vector<int64_t>{3}));

  // The same relationships come back from a token read from the store (not the cache).
  w.clock.Advance(w.auth->options().session_cache_ttl.count() + 1);
  auto again = w.Authenticate(guardian->token);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->child_ids, (std::vector<int64_t>{10, 13}));
  EXPECT_EQ(w.metrics.CounterValue("homeroom_auth_session_cache_misses_total"), 1u);
}

TEST(Principals, DisabledAccountCannotSignInOrUseItsSessions) {
  AuthWorld w;
  AddSchoolWithStudent(w);
  auto login = w.Login("ana.lopez", "correct horse");
  ASSERT_TRUE(login.ok());
  w.Exec("UPDATE users SET enabled = 0 WHERE id = 10");
  EXPECT_EQ(w.Login("ana.lopez", "correct horse").status().message(), "wrong username or password");
  w.clock.Advance(w.auth->options().session_cache_ttl.count() + 1);
  EXPECT_EQ(w.Authenticate(login->token).status().message(), "account disabled");
}

TEST(Passwords, SetPasswordEnforcesLengthLimitsAndEndsSessions) {
  AuthWorld w;
  AddSchoolWithStudent(w);
  EXPECT_EQ(w.auth->SetPasswordSync(10, "short").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w.auth->SetPasswordSync(10, std::string(129, 'a')).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(w.auth->SetPasswordSync(10, std::string(128, 'a')).ok());
  // 8 characters of two bytes each: counted as characters, not bytes.
  EXPECT_TRUE(
      w.auth
          ->SetPasswordSync(10, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9")
          .ok());
  EXPECT_EQ(w.auth->SetPasswordSync(10, "\xc3\xa9\xc3\xa9\xc3\xa9").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(w.auth->SetPasswordSync(999, "long enough").code(), StatusCode::kNotFound);

  auto login =
      w.Login("ana.lopez", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
  ASSERT_TRUE(login.ok());
  ASSERT_TRUE(w.auth->SetPasswordSync(10, "a new password").ok());
  EXPECT_EQ(w.Authenticate(login->token).status().code(), StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace homeroom::auth
