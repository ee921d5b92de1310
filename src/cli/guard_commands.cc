#include "cli/guard_commands.h"

#include <pwd.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "core/clock.h"
#include "domain/guard_service.h"
#include "store/database.h"
#include "store/guard_store.h"

namespace homeroom::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitNotFound = 1;
constexpr int kExitError = 2;

Result<std::unique_ptr<store::Database>> OpenStore(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  return store::Database::Open({.path = data_dir + "/homeroom.db", .readers = 1}, nullptr);
}

std::string OsUser() {
  if (const passwd* pw = ::getpwuid(::geteuid())) return pw->pw_name;
  return "uid" + std::to_string(::geteuid());
}

// The audit log's actor of a CLI change: "cli:<os user>" from "local".
domain::GuardActor By(const std::string& os_user) {
  return {.user_id = std::nullopt,
          .name = "cli:" + (os_user.empty() ? OsUser() : os_user),
          .ip = "local",
          .via = "cli"};
}

int Fail(std::ostream& err, const std::string& command, const Status& s) {
  err << "homeroom " << command << ": " << s.message() << "\n";
  return kExitError;
}

}  // namespace

Result<std::chrono::seconds> ParseTtl(const std::string& text) {
  const Status bad =
      Status::InvalidArgument("--ttl must be like 90s, 15m, 1h or 7d (at most 366d)");
  if (text.empty()) return bad;
  std::string_view digits = text;
  int64_t unit = 1;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    default:
      unit = 0;  // plain seconds
  }
  if (unit == 0) {
    unit = 1;
  } else {
    digits.remove_suffix(1);
  }
  int64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || n <= 0 ||
      n > domain::GuardService::kMaxTtl.count() / unit) {
    return bad;
  }
  return std::chrono::seconds(n * unit);
}

int RunRuleAdd(const GuardRuleArgs& args, std::ostream& out, std::ostream& err) {
  const std::string command = args.kind + " add";
  domain::GuardRuleRequest req{args.kind, args.cidr, args.reason, std::nullopt, By(args.os_user)};
  if (!args.ttl.empty()) {
    Result<std::chrono::seconds> ttl = ParseTtl(args.ttl);
    if (!ttl.ok()) return Fail(err, command, ttl.status());
    req.ttl = *ttl;
  }
  const int64_t now = SystemClock::Instance().NowMs();
  Result<store::GuardRule> rule = domain::GuardService::MakeRule(req, now);
  if (!rule.ok()) return Fail(err, command, rule.status());
  auto db = OpenStore(args.data_dir);
  if (!db.ok()) return Fail(err, command, db.status());
  store::GuardRule stored;
  Status s = (*db)->WriteSync([&](sql::Connection& c) -> Status {
    HR_ASSIGN_OR_RETURN(stored, domain::GuardService::StoreRule(c, *rule, req.by, now));
    return Status::Ok();
  });
  if (!s.ok()) return Fail(err, command, s);
  out << (args.kind == "block" ? "blocked " : "allowed ") << stored.cidr;
  if (stored.expires_ms) out << " until " << FormatIsoUtc(*stored.expires_ms);
  out << " (running servers apply it within their sync interval)\n";
  return kExitOk;
}

int RunRuleRemove(const GuardRuleArgs& args, std::ostream& out, std::ostream& err) {
  const std::string command = args.kind + " remove";
  Result<guard::Cidr> cidr = guard::Cidr::Parse(args.cidr);
  if (!cidr.ok()) return Fail(err, command, cidr.status());
  auto db = OpenStore(args.data_dir);
  if (!db.ok()) return Fail(err, command, db.status());
  bool deleted = false;
  const int64_t now = SystemClock::Instance().NowMs();
  Status s = (*db)->WriteSync([&](sql::Connection& c) -> Status {
    // Automatic blocks live in the servers' memory: the CLI removes stored rules only.
    HR_ASSIGN_OR_RETURN(deleted, domain::GuardService::RemoveRule(c, args.kind, cidr->ToString(),
                                                                  false, By(args.os_user), now));
    return Status::Ok();
  });
  if (!s.ok()) return Fail(err, command, s);
  if (!deleted) {
    err << "homeroom " << command << ": no " << args.kind << " rule for " << cidr->ToString()
        << "\n";
    return kExitNotFound;
  }
  out << "removed " << args.kind << " rule for " << cidr->ToString() << "\n";
  return kExitOk;
}

int RunRuleList(const GuardRuleArgs& args, std::ostream& out, std::ostream& err) {
  const std::string command = args.kind + " list";
  auto db = OpenStore(args.data_dir);
  if (!db.ok()) return Fail(err, command, db.status());
  std::vector<store::GuardRule> rules;
  int64_t now = SystemClock::Instance().NowMs();
  Status s = (*db)->ReadSync([&](sql::Connection& c) -> Status {
    HR_ASSIGN_OR_RETURN(rules, store::guard_store::ListRules(c, now));
    return Status::Ok();
  });
  if (!s.ok()) return Fail(err, command, s);
  out << "cidr\treason\tby\tsince\tuntil\n";
  for (const store::GuardRule& r : rules) {
    if (r.kind != args.kind) continue;
    out << r.cidr << '\t' << r.reason << '\t' << r.created_by << '\t' << FormatIsoUtc(r.created_ms)
        << '\t' << (r.expires_ms ? FormatIsoUtc(*r.expires_ms) : "-") << '\n';
  }
  return kExitOk;
}

int RunAttackModeSet(const AttackModeArgs& args, std::ostream& out, std::ostream& err) {
  const std::string command = "attack-mode";
  Result<guard::AttackModeSetting> setting = guard::ParseAttackModeSetting(args.mode);
  if (!setting.ok()) return Fail(err, command, setting.status());
  auto db = OpenStore(args.data_dir);
  if (!db.ok()) return Fail(err, command, db.status());
  const int64_t now = SystemClock::Instance().NowMs();
  Status s = (*db)->WriteSync([&](sql::Connection& c) {
    return domain::GuardService::StoreAttackMode(c, *setting, By(args.os_user), now);
  });
  if (!s.ok()) return Fail(err, command, s);
  out << "attack mode " << guard::AttackModeSettingName(*setting)
      << " (running servers apply it within their sync interval)\n";
  return kExitOk;
}

void AddGuardCommands(CLI::App& app) {
  static GuardRuleArgs block_args{.kind = "block"};
  static GuardRuleArgs allow_args{.kind = "allow"};
  auto add_group = [&app](const char* name, const char* about, GuardRuleArgs& args) {
    CLI::App* group = app.add_subcommand(name, about);
    group->require_subcommand(1);
    auto data_dir = [&args](CLI::App* cmd) {
      cmd->add_option("--data-dir", args.data_dir, "Directory of the SQLite store")
          ->envname("HOMEROOM_DATA_DIR")
          ->capture_default_str();
    };
    CLI::App* add = group->add_subcommand("add", "Add a rule for a range (replaces its rule)");
    add->add_option("cidr", args.cidr, "The range: 203.0.113.0/24, 198.51.100.7, 2001:db8::/48")
        ->required();
    add->add_option("--reason", args.reason, "Why (kept with the rule)")->required();
    add->add_option("--ttl", args.ttl, "Expire after 90s, 15m, 1h, 7d (default: until removed)");
    data_dir(add);
    add->callback([&args] {
      int code = RunRuleAdd(args, std::cout, std::cerr);
      if (code != kExitOk) std::exit(code);
    });
    CLI::App* remove = group->add_subcommand("remove", "Remove the rule for a range");
    remove->add_option("cidr", args.cidr, "The range")->required();
    data_dir(remove);
    remove->callback([&args] {
      int code = RunRuleRemove(args, std::cout, std::cerr);
      if (code != kExitOk) std::exit(code);
    });
    CLI::App* list = group->add_subcommand("list", "List the rules in force");
    data_dir(list);
    list->callback([&args] {
      int code = RunRuleList(args, std::cout, std::cerr);
      if (code != kExitOk) std::exit(code);
    });
  };
  static AttackModeArgs mode_args;
  CLI::App* mode = app.add_subcommand(
      "attack-mode", "Set under-attack mode for every server: auto (follow detection), on, off");
  mode->add_option("mode", mode_args.mode, "auto | on | off")->required();
  mode->add_option("--data-dir", mode_args.data_dir, "Directory of the SQLite store")
      ->envname("HOMEROOM_DATA_DIR")
      ->capture_default_str();
  mode->callback([] {
    int code = RunAttackModeSet(mode_args, std::cout, std::cerr);
    if (code != kExitOk) std::exit(code);
  });
  add_group("block", "Block network ranges (every server applies the change)", block_args);
  add_group("allow", "Allow network ranges: never blocked, never auto-blocked", allow_args);
}

}  // namespace homeroom::cli
