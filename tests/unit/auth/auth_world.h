#pragma once

#include <gtest/gtest.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "auth/auth_service.h"
#include "auth/password_hasher.h"
#include "auth/session_token.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "store/database.h"
#include "testing/temp_dir.h"

namespace homeroom::auth::test {

// Argon2id parameters small enough for tests (the minimum memory libsodium accepts is 8 KiB).
// They differ from kImportArgon2Params, so an imported hash still needs a re-hash.
inline constexpr Argon2Params kTestArgon2{.ops_limit = 1, .mem_limit_bytes = 128u << 10};

// True when `code` reads XXXXX-XXXXX in the activation alphabet. (No std::regex: GCC 12 warns
// inside it under the sanitizer build.)
inline bool LooksLikeActivationCode(std::string_view code) {
  if (code.size() != 11 || code[5] != '-') return false;
  for (size_t i = 0; i < code.size(); ++i) {
    if (i != 5 && kActivationAlphabet.find(code[i]) == std::string_view::npos) return false;
  }
  return true;
}

inline AuthOptions TestOptions() {
  AuthOptions o;
  o.argon2 = kTestArgon2;
  return o;
}

// A real SQLite database in a temp dir, a manual clock and an AuthService over them, plus helpers
// to insert roster rows and to drive coroutines to completion.
struct AuthWorld {
  explicit AuthWorld(AuthOptions options = TestOptions(), const std::string& file = "/auth.db") {
    auto opened = store::Database::Open({.path = dir.path() + file}, &metrics);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    db = std::move(opened).value();
    auth = std::make_unique<AuthService>(*db, clock, metrics, std::move(options));
  }

  // Runs a coroutine on `io` until it finishes and returns its value.
  template <typename T>
  T Run(boost::asio::awaitable<T> aw) {
    std::optional<T> out;
    boost::asio::co_spawn(
        io, [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(aw)); },
        boost::asio::detached);
    io.restart();
    io.run();
    EXPECT_TRUE(out.has_value());
    return std::move(*out);
  }

  void Exec(const std::string& sql) {
    Status s = db->WriteSync([&](sql::Connection& c) { return c.Exec(sql); });
    ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << sql;
  }

  // The first column of the first row of `sql`, as an integer (-1 when there is no row).
  int64_t QueryInt(const std::string& sql) {
    int64_t v = -1;
    Status s = db->ReadSync([&](sql::Connection& c) -> Status {
      HR_ASSIGN_OR_RETURN(sql::Statement * st, c.Prepare(sql));
      HR_ASSIGN_OR_RETURN(bool row, st->Step());
      if (row) v = st->Int(0);
      st->Reset();
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return v;
  }
  std::string QueryText(const std::string& sql) {
    std::string v;
    Status s = db->ReadSync([&](sql::Connection& c) -> Status {
      HR_ASSIGN_OR_RETURN(sql::Statement * st, c.Prepare(sql));
      HR_ASSIGN_OR_RETURN(bool row, st->Step());
      if (row) v = st->Text(0);
      st->Reset();
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return v;
  }

  void AddOrg(int64_t id, const std::string& type) {
    Exec("INSERT INTO orgs (id, sourced_id, name, type, updated_ms) VALUES (" + std::to_string(id) +
         ", 'org" + std::to_string(id) + "', 'Org " + std::to_string(id) + "', '" + type + "', 0)");
  }
  // Adds an active, enabled user with no password.
  void AddUser(int64_t id, const std::string& username, const std::string& role) {
    std::string key = UsernameKey(username);
    Exec(
        "INSERT INTO users (id, sourced_id, username, username_key, role, source_role, "
        "given_name, family_name, updated_ms) VALUES (" +
        std::to_string(id) + ", 'u" + std::to_string(id) + "', '" + username + "', '" + key +
        "', '" + role + "', '" + role + "', 'Given" + std::to_string(id) + "', 'Family', 0)");
  }
  void AddMember(int64_t user_id, int64_t org_id, bool active = true) {
    Exec("INSERT INTO user_orgs (user_id, org_id, active) VALUES (" + std::to_string(user_id) +
         ", " + std::to_string(org_id) + ", " + (active ? "1" : "0") + ")");
  }
  void AddSection(int64_t id, int64_t school_id) {
    Exec("INSERT INTO courses (id, sourced_id, title, org_id, updated_ms) VALUES (" +
         std::to_string(id) + ", 'c" + std::to_string(id) + "', 'Course', " +
         std::to_string(school_id) + ", 0)");
    Exec(
        "INSERT INTO sections (id, sourced_id, title, course_id, school_id, class_type, "
        "updated_ms) VALUES (" +
        std::to_string(id) + ", 's" + std::to_string(id) + "', 'Section', " + std::to_string(id) +
        ", " + std::to_string(school_id) + ", 'scheduled', 0)");
  }
  void Enroll(int64_t id, int64_t section_id, int64_t user_id, const std::string& role,
              bool active = true) {
    Exec(
        "INSERT INTO enrollments (id, sourced_id, section_id, user_id, role, active, "
        "updated_ms) VALUES (" +
        std::to_string(id) + ", 'e" + std::to_string(id) + "', " + std::to_string(section_id) +
        ", " + std::to_string(user_id) + ", '" + role + "', " + (active ? "1" : "0") + ", 0)");
  }
  void LinkGuardian(int64_t guardian_id, int64_t student_id, bool active = true) {
    Exec("INSERT INTO guardian_links (guardian_id, student_id, active) VALUES (" +
         std::to_string(guardian_id) + ", " + std::to_string(student_id) + ", " +
         (active ? "1" : "0") + ")");
  }
  // Adds a user with a password at the test cost.
  void AddUserWithPassword(int64_t id, const std::string& username, const std::string& role,
                           const std::string& password) {
    AddUser(id, username, role);
    Status s = auth->SetPasswordSync(id, password);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  Result<LoginResult> Login(const std::string& user, const std::string& password,
                            const std::string& ip = "192.0.2.1", bool remember = false) {
    return Run(auth->Login(user, password, remember, ip, "test-agent"));
  }
  Result<Principal> Authenticate(const std::string& token, const std::string& ip = "192.0.2.1") {
    return Run(auth->Authenticate(token, ip));
  }

  testing::TempDir dir;
  metrics::Registry metrics;
  ManualClock clock;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<AuthService> auth;
  boost::asio::io_context io;
};

}  // namespace homeroom::auth::test
