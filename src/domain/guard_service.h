#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "guard/attack_mode.h"
#include "guard/block_list.h"
#include "store/audit_store.h"
#include "store/database.h"
#include "store/guard_store.h"

namespace homeroom::domain {

// Who changes the guard's rules, for the rule's created_by and the audit log's actor.
struct GuardActor {
  std::optional<int64_t> user_id;  // the signed-in account; nullopt for the CLI
  std::string name;                // the username, or "cli:<os user>"
  std::string ip;                  // the client's address, or "local" for the CLI
  std::string via = "api";         // "api" or "cli" (the audit entry's detail)

  // A rule's created_by: "user:12 district" for an account, the name otherwise ("cli:alice").
  std::string Label() const;
};

// An operator's request to block or allow a range.
struct GuardRuleRequest {
  std::string kind;  // "block" or "allow"
  std::string cidr;  // as typed: "203.0.113.0/24", "198.51.100.7", "2001:db8::/48"
  std::string reason;
  std::optional<std::chrono::seconds> ttl;  // none: until removed
  GuardActor by;
};

// The operators' side of blocking (docs/security.md, "Defenses" > "Detection and blocking"): manual
// block and allow rules and the attack-mode setting, kept in the store so that every node (and the
// CLI) shares them, and applied to this node's guard::BlockList and guard::AttackMode.
//
// Every node calls Sync() every few seconds (App), so a rule made on one node or by the CLI takes
// effect everywhere within that interval; a change made through this service takes effect on this
// node at once. Every change is logged (guard_rule_added, guard_rule_removed,
// guard_attack_mode_set) with who made it, and recorded in the audit log (store::AuditStore) in the
// same transaction as the change: actions "block.add", "block.remove", "allow.add",
// "allow.remove", "attack_mode.set", actor the admin's username and address (the CLI: "cli:<os
// user>" from "local"). Lifting an automatic block is audited as "block.remove" with
// "automatic": true. The detector's own automatic blocks are not: they live in each node's memory
// for their TTL (never stored, so a flood costs no store write), and are logged
// (guard_auto_blocked), counted (homeroom_guard_auto_blocks_total) and listed by the admin API
// instead.
//
// Errors: kInvalidArgument (a bad kind, CIDR, reason or TTL; the message says why), kNotFound
// (removing a rule that does not exist), kUnavailable (the store is saturated), kInternal.
// Thread-safe; `db`, `clock`, `blocks` and `mode` must outlive it.
class GuardService {
 public:
  // Limits of a rule.
  static constexpr size_t kMaxReasonChars = 200;
  static constexpr std::chrono::seconds kMaxTtl{366LL * 24 * 3600};
  // The widest ranges that may be blocked: a wider block would shut out most of the district (an
  // allow rule may be as wide as wanted).
  static constexpr int kWidestBlockV4 = 8;
  static constexpr int kWidestBlockV6 = 16;

  GuardService(store::Database& db, const Clock& clock, guard::BlockList& blocks,
               guard::AttackMode& mode);

  // Validates a request and returns the rule to store (CIDR in canonical form). For the API and
  // the CLI.
  static Result<store::GuardRule> MakeRule(const GuardRuleRequest& request, int64_t now_ms);

  // Adds (or replaces) a rule and applies the store's rules to this node.
  boost::asio::awaitable<Result<store::GuardRule>> PutRule(GuardRuleRequest request);
  // Removes the rule of that kind and range; for "block", also lifts an automatic block of exactly
  // that range on this node. kNotFound when there was neither.
  boost::asio::awaitable<Status> DeleteRule(std::string kind, std::string cidr, GuardActor by);
  // The rules in force (unexpired), by kind then range.
  boost::asio::awaitable<Result<std::vector<store::GuardRule>>> ListRules();
  // Stores and applies the attack-mode setting.
  boost::asio::awaitable<Status> SetAttackMode(guard::AttackModeSetting setting, GuardActor by);

  // The store side of the changes, each with its audit entry, on the connection given (inside
  // Database::Write or WriteSync: the change and its audit row commit together). For this service
  // and the CLI, which changes the store without a running guard.
  // Stores `rule` (from MakeRule) and audits "<kind>.add"; returns the stored rule.
  static Result<store::GuardRule> StoreRule(sql::Connection& c, const store::GuardRule& rule,
                                            const GuardActor& by, int64_t now_ms);
  // Deletes the rule of `kind` and canonical range `cidr` and audits "<kind>.remove" when it
  // existed or `lifted_automatic` (an automatic block this node lifted); returns whether a stored
  // rule was deleted.
  static Result<bool> RemoveRule(sql::Connection& c, const std::string& kind,
                                 const std::string& cidr, bool lifted_automatic,
                                 const GuardActor& by, int64_t now_ms);
  // Stores the attack-mode setting and audits "attack_mode.set" (with the previous setting).
  static Status StoreAttackMode(sql::Connection& c, guard::AttackModeSetting setting,
                                const GuardActor& by, int64_t now_ms);

  // Reads the store's rules and setting and applies them (the periodic sync).
  boost::asio::awaitable<Status> Sync();
  // The same, blocking the calling thread (start-up, before serving).
  Status SyncNow();

  // Applies rules and the stored setting to the block list and attack mode. Rules whose CIDR does
  // not parse (a hand-edited store) are skipped with a warning.
  void Apply(const std::vector<store::GuardRule>& rules,
             const std::optional<store::GuardSetting>& attack_mode);

 private:
  struct Loaded {
    std::vector<store::GuardRule> rules;
    std::optional<store::GuardSetting> attack_mode;
  };
  static Result<Loaded> Load(sql::Connection& c, int64_t now_ms);

  store::Database& db_;
  const Clock& clock_;
  guard::BlockList& blocks_;
  guard::AttackMode& mode_;
};

// The name of the attack-mode setting in guard_settings.
inline constexpr const char* kAttackModeSetting = "attack_mode";

}  // namespace homeroom::domain
