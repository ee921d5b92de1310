#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/sql.h"

namespace homeroom::store {

// All the SQL of sign-in: credentials, sessions, activation codes, auth events and the facts a
// Principal is built from. src/auth calls these inside Database::Read / Write (or the *Sync
// variants); nothing else in the code base writes these tables.
//
// Every function takes the caller's connection and returns kInternal (or kConflict for a broken
// uniqueness constraint, kUnavailable when SQLite is busy) when a statement fails. Tokens and
// codes arrive here only as hashes. Not thread-safe in itself: a connection belongs to one thread.

// What sign-in needs about a user.
struct UserCredential {
  int64_t user_id = 0;
  std::string username;
  std::string role;  // "student", "teacher", ...
  std::optional<std::string> password_hash;
  bool enabled = false;
  bool active = false;
};

// Looks a user up by lower-cased username. kNotFound when there is none.
Result<UserCredential> FindCredentialByUsernameKey(sql::Connection& c, std::string_view key);
// Looks a user up by id. kNotFound when there is none.
Result<UserCredential> FindCredentialById(sql::Connection& c, int64_t user_id);
// Stores a new password hash. kNotFound when the user does not exist.
Status UpdatePasswordHash(sql::Connection& c, int64_t user_id, std::string_view hash,
                          int64_t now_ms);

// A user and the relationships the authorization policy needs, each list sorted and distinct.
struct PrincipalFacts {
  int64_t user_id = 0;
  std::string username;
  std::string role;
  std::string display_name;          // "Given Family"
  std::vector<int64_t> school_ids;   // active memberships of active orgs of type school
  std::vector<int64_t> section_ids;  // active enrollments in active sections, any role
  std::vector<int64_t> child_ids;    // guardians: active links to active students
};
// kNotFound when the user does not exist or is disabled or inactive.
Result<PrincipalFacts> LoadPrincipalFacts(sql::Connection& c, int64_t user_id);

struct NewSession {
  std::string token_hash;  // raw hash bytes
  int64_t user_id = 0;
  int64_t now_ms = 0;
  int64_t expires_ms = 0;
  bool remember = false;
  std::string ip;
  std::string user_agent;
};
// Returns the new session's id.
Result<int64_t> InsertSession(sql::Connection& c, const NewSession& s);

struct SessionRow {
  int64_t id = 0;
  std::string token_hash;
  int64_t user_id = 0;
  int64_t last_seen_ms = 0;
  int64_t expires_ms = 0;
  bool remember = false;
  std::optional<int64_t> revoked_ms;
};
// The session with this token hash, revoked or expired ones included; kNotFound when none.
Result<SessionRow> FindSessionByTokenHash(sql::Connection& c, std::string_view token_hash);
// Slides a live session's expiry. kNotFound when it was revoked meanwhile.
Status TouchSession(sql::Connection& c, int64_t session_id, int64_t now_ms, int64_t expires_ms);
// Revokes one session (no-op when already revoked).
Status RevokeSession(sql::Connection& c, int64_t session_id, int64_t now_ms);
// Revokes every live session of a user; returns how many.
Result<int64_t> RevokeUserSessions(sql::Connection& c, int64_t user_id, int64_t now_ms);
// Deletes sessions that expired or were revoked before `before_ms`; returns how many.
Result<int64_t> DeleteSessionsEndedBefore(sql::Connection& c, int64_t before_ms);

// One row of auth_events. `kind`: login_ok, login_failed, login_throttled, logout, activated,
// activation_failed, activation_throttled.
struct AuthEvent {
  int64_t at_ms = 0;
  std::optional<int64_t> user_id;
  std::optional<std::string> username;
  std::string ip;
  std::string kind;
  std::optional<std::string> detail;
};
Status InsertAuthEvent(sql::Connection& c, const AuthEvent& e);

struct ActivationCodeRow {
  int64_t id = 0;
  int64_t user_id = 0;
  int64_t expires_ms = 0;
  std::optional<int64_t> used_ms;
};
// The code with this hash, used or expired ones included; kNotFound when none.
Result<ActivationCodeRow> FindActivationCode(sql::Connection& c, std::string_view code_hash);
// Marks a code used. kConflict when it was already used (two activations raced).
Status ConsumeActivationCode(sql::Connection& c, int64_t code_id, int64_t now_ms);
// Stores a new code's hash.
Status InsertActivationCode(sql::Connection& c, int64_t user_id, std::string_view code_hash,
                            int64_t now_ms, int64_t expires_ms);
// Ends a user's unused, unexpired codes now (a new code supersedes them).
Status ExpireUnusedActivationCodes(sql::Connection& c, int64_t user_id, int64_t now_ms);

// A user who may be sent an activation code.
struct ActivationCandidate {
  int64_t user_id = 0;
  std::string username;
  std::string name;  // "Given Family"
  std::string role;
};
// True when `org_id` is an org of type school.
Result<bool> IsSchool(sql::Connection& c, int64_t org_id);
// Active, enabled users with an active membership of the school; only those without a password
// unless `all_users`. Ordered by id.
Result<std::vector<ActivationCandidate>> ListActivationCandidates(sql::Connection& c,
                                                                  int64_t school_id,
                                                                  bool all_users);

}  // namespace homeroom::store
