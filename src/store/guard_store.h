#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sql.h"

namespace homeroom::store {

// An operator's rule on a network range (migrations/0005_guard.sql). Plain value; not synchronized.
struct GuardRule {
  int64_t id = 0;
  std::string kind;  // "block" or "allow"
  std::string cidr;  // canonical (guard::Cidr::ToString()); the caller validates it
  std::string reason;
  std::string created_by;  // "user:12 district", "cli:alice"
  int64_t created_ms = 0;
  std::optional<int64_t> expires_ms;  // none: until removed
};

// A run-time setting changed by an operator.
struct GuardSetting {
  std::string name;
  std::string value;
  std::string updated_by;
  int64_t updated_ms = 0;
};

// The guard's rules and settings. Stateless: each function runs on the connection it is given
// (through Database::Read / Write, or ReadSync / WriteSync in the CLI). kInternal on a database
// error; kInvalidArgument when `kind` is neither "block" nor "allow".
namespace guard_store {

inline constexpr std::string_view kBlock = "block";
inline constexpr std::string_view kAllow = "allow";

// Adds a rule, or replaces the one of the same kind and range (new reason, author, time, expiry).
// Returns it with its id.
Result<GuardRule> PutRule(sql::Connection& c, GuardRule rule);
// Removes the rule of that kind and range; true when there was one.
Result<bool> DeleteRule(sql::Connection& c, std::string_view kind, std::string_view cidr);
// Rules of every kind that have not expired at `now_ms`, by kind then range.
Result<std::vector<GuardRule>> ListRules(sql::Connection& c, int64_t now_ms);
// Deletes rules that expired before `now_ms`; returns how many.
Result<int64_t> DeleteExpired(sql::Connection& c, int64_t now_ms);

Status PutSetting(sql::Connection& c, const GuardSetting& setting);
Result<std::optional<GuardSetting>> GetSetting(sql::Connection& c, std::string_view name);

}  // namespace guard_store
}  // namespace homeroom::store
