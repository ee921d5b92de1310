#include "domain/guard_service.h"

#include <boost/json/object.hpp>

#include "core/log.h"
#include "guard/cidr.h"

namespace homeroom::domain {

namespace gs = store::guard_store;

GuardService::GuardService(store::Database& db, const Clock& clock, guard::BlockList& blocks,
                           guard::AttackMode& mode)
    : db_(db), clock_(clock), blocks_(blocks), mode_(mode) {}

Result<store::GuardRule> GuardService::MakeRule(const GuardRuleRequest& r, int64_t now_ms) {
  if (r.kind != gs::kBlock && r.kind != gs::kAllow) {
    return Status::InvalidArgument("kind must be \"block\" or \"allow\"");
  }
  Result<guard::Cidr> cidr = guard::Cidr::Parse(r.cidr);
  if (!cidr.ok()) return Status::InvalidArgument("cidr: " + cidr.status().message());
  if (r.kind == gs::kBlock) {
    int widest = cidr->is_v4() ? kWidestBlockV4 : kWidestBlockV6;
    if (cidr->prefix_length() < widest) {
      return Status::InvalidArgument("cidr: " + cidr->ToString() +
                                     " is too wide to block (at most /" + std::to_string(widest) +
                                     " for " + (cidr->is_v4() ? "IPv4" : "IPv6") + ")");
    }
  }
  if (r.reason.empty() || r.reason.size() > kMaxReasonChars) {
    return Status::InvalidArgument("reason is required (1 to " + std::to_string(kMaxReasonChars) +
                                   " characters)");
  }
  store::GuardRule rule;
  rule.kind = r.kind;
  rule.cidr = cidr->ToString();
  rule.reason = r.reason;
  rule.created_by = r.by;
  rule.created_ms = now_ms;
  if (r.ttl) {
    if (r.ttl->count() <= 0 || *r.ttl > kMaxTtl) {
      return Status::InvalidArgument("ttl must be between 1 second and 366 days");
    }
    rule.expires_ms = now_ms + r.ttl->count() * 1000;
  }
  return rule;
}

boost::asio::awaitable<Result<store::GuardRule>> GuardService::PutRule(GuardRuleRequest request) {
  HR_CO_ASSIGN_OR_RETURN(store::GuardRule rule, MakeRule(request, clock_.NowMs()));
  auto job = [rule](sql::Connection& c) { return gs::PutRule(c, rule); };
  HR_CO_ASSIGN_OR_RETURN(store::GuardRule stored, co_await db_.Write(std::move(job)));
  boost::json::object fields{{"kind", stored.kind},
                             {"cidr", stored.cidr},
                             {"reason", stored.reason},
                             {"by", stored.created_by}};
  if (stored.expires_ms) fields["expires_at"] = FormatIsoUtc(*stored.expires_ms);
  log::Warn("guard_rule_added", std::move(fields));
  Status synced = co_await Sync();
  if (!synced.ok()) co_return synced;
  co_return stored;
}

boost::asio::awaitable<Status> GuardService::DeleteRule(std::string kind, std::string cidr_text,
                                                        std::string by) {
  if (kind != gs::kBlock && kind != gs::kAllow) {
    co_return Status::InvalidArgument("kind must be \"block\" or \"allow\"");
  }
  Result<guard::Cidr> cidr = guard::Cidr::Parse(cidr_text);
  if (!cidr.ok()) co_return Status::InvalidArgument("cidr: " + cidr.status().message());
  std::string canonical = cidr->ToString();
  auto job = [kind, canonical](sql::Connection& c) { return gs::DeleteRule(c, kind, canonical); };
  HR_CO_ASSIGN_OR_RETURN(bool deleted, co_await db_.Write(std::move(job)));
  bool lifted = kind == gs::kBlock && blocks_.UnblockAutomatic(*cidr);
  if (!deleted && !lifted) co_return Status::NotFound("no " + kind + " rule for " + canonical);
  log::Warn("guard_rule_removed", {{"kind", kind},
                                   {"cidr", canonical},
                                   {"by", by},
                                   {"manual", deleted},
                                   {"automatic", lifted}});
  co_return co_await Sync();
}

boost::asio::awaitable<Result<std::vector<store::GuardRule>>> GuardService::ListRules() {
  int64_t now = clock_.NowMs();
  auto job = [now](sql::Connection& c) { return gs::ListRules(c, now); };
  co_return co_await db_.Read(std::move(job));
}

boost::asio::awaitable<Status> GuardService::SetAttackMode(guard::AttackModeSetting setting,
                                                           std::string by) {
  store::GuardSetting s{kAttackModeSetting, std::string(guard::AttackModeSettingName(setting)), by,
                        clock_.NowMs()};
  auto job = [s](sql::Connection& c) { return gs::PutSetting(c, s); };
  HR_CO_RETURN_IF_ERROR(co_await db_.Write(std::move(job)));
  mode_.SetSetting(setting);
  log::Warn("guard_attack_mode_set", {{"setting", s.value}, {"by", by}});
  co_return Status::Ok();
}

Result<GuardService::Loaded> GuardService::Load(sql::Connection& c, int64_t now_ms) {
  Loaded loaded;
  HR_ASSIGN_OR_RETURN(loaded.rules, gs::ListRules(c, now_ms));
  HR_ASSIGN_OR_RETURN(loaded.attack_mode, gs::GetSetting(c, kAttackModeSetting));
  return loaded;
}

boost::asio::awaitable<Status> GuardService::Sync() {
  int64_t now = clock_.NowMs();
  auto job = [now](sql::Connection& c) { return Load(c, now); };
  HR_CO_ASSIGN_OR_RETURN(Loaded loaded, co_await db_.Read(std::move(job)));
  Apply(loaded.rules, loaded.attack_mode);
  co_return Status::Ok();
}

Status GuardService::SyncNow() {
  int64_t now = clock_.NowMs();
  Loaded loaded;
  HR_RETURN_IF_ERROR(db_.ReadSync([&](sql::Connection& c) -> Status {
    HR_ASSIGN_OR_RETURN(loaded, Load(c, now));
    return Status::Ok();
  }));
  Apply(loaded.rules, loaded.attack_mode);
  return Status::Ok();
}

void GuardService::Apply(const std::vector<store::GuardRule>& rules,
                         const std::optional<store::GuardSetting>& attack_mode) {
  std::vector<guard::BlockEntry> blocked;
  std::vector<guard::Cidr> allowed;
  for (const store::GuardRule& rule : rules) {
    Result<guard::Cidr> cidr = guard::Cidr::Parse(rule.cidr);
    if (!cidr.ok()) {
      log::Warn("guard_rule_invalid", {{"id", rule.id}, {"cidr", rule.cidr}});
      continue;
    }
    if (rule.kind == gs::kAllow) {
      allowed.push_back(*cidr);
    } else if (rule.kind == gs::kBlock) {
      blocked.push_back({.range = *cidr,
                         .automatic = false,
                         .reason = rule.reason,
                         .since_ms = rule.created_ms,
                         .until_ms = rule.expires_ms});
    }
  }
  blocks_.ReplaceManual(std::move(blocked), std::move(allowed));
  if (attack_mode) {
    Result<guard::AttackModeSetting> setting = guard::ParseAttackModeSetting(attack_mode->value);
    if (setting.ok()) mode_.SetSetting(*setting);
  }
}

}  // namespace homeroom::domain
