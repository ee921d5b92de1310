#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <ostream>
#include <string>

#include "core/status.h"

namespace homeroom::cli {

// Adds the guard's rule subcommands to the `homeroom` binary (docs/operations.md, "Under attack"):
//   block add CIDR --reason R [--ttl 1h] [--data-dir D]   block a range (replaces its rule)
//   block remove CIDR [--data-dir D]                      remove a block rule
//   block list [--data-dir D]                             list the block rules in force
//   allow add|remove|list ...                             the same for the allow list
//   attack-mode auto|on|off [--data-dir D]                under-attack mode for every server
// They edit the store in --data-dir; every running node applies the change within
// --guard-sync-interval-ms (the store is shared). Each change is recorded in the audit log in the
// same transaction (actions block.add, block.remove, allow.add, allow.remove, attack_mode.set;
// actor "cli:<os user>" from "local"). Exit code 0 on success, 1 when removing a rule that does not
// exist, 2 on any other error (a bad CIDR or TTL says why). The options live in static storage;
// call once per process.
void AddGuardCommands(CLI::App& app);

struct GuardRuleArgs {
  std::string data_dir = "var/data";  // the store is D/homeroom.db
  std::string kind = "block";         // "block" or "allow"
  std::string cidr;
  std::string reason;
  std::string ttl;  // "90s", "15m", "1h", "7d" or plain seconds; empty: until removed
  // Who runs it, for the rule and the audit log ("cli:<os user>" from "local"); the OS user when
  // empty.
  std::string os_user;
};

struct AttackModeArgs {
  std::string data_dir = "var/data";
  std::string mode;     // "auto", "on" or "off"
  std::string os_user;  // as GuardRuleArgs::os_user
};

// The commands themselves, for the CLI and tests: messages to `out`, errors to `err`.
int RunRuleAdd(const GuardRuleArgs& args, std::ostream& out, std::ostream& err);
int RunRuleRemove(const GuardRuleArgs& args, std::ostream& out, std::ostream& err);
// One line per rule: CIDR, reason, who, since, until ("-" when none), tab-separated, after a
// header line.
int RunRuleList(const GuardRuleArgs& args, std::ostream& out, std::ostream& err);

// Stores the attack-mode setting (exit 2 for anything but auto, on, off).
int RunAttackModeSet(const AttackModeArgs& args, std::ostream& out, std::ostream& err);

// "90s", "15m", "1h", "7d" or "3600" (seconds). kInvalidArgument otherwise or when not positive.
Result<std::chrono::seconds> ParseTtl(const std::string& text);

}  // namespace homeroom::cli
