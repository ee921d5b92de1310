#include "domain/guard_service.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/log.h"
#include "guard/cidr.h"

namespace homeroom::domain {

namespace gs = store::guard_store;

namespace {

store::AuditEntry Audit(const GuardActor& by, std::string action, boost::json::object detail,
                        int64_t now_ms) {
  detail["via"] = by.via;
  store::AuditEntry e;
  e.at_ms = now_ms;
  e.actor_user_id = by.user_id;
  e.actor = by.name;
  e.actor_ip = by.ip;
  e.action = std::move(action);
  e.detail = boost::json::serialize(detail);
  return e;
}

}  // namespace

std::string GuardActor::Label() const {
  if (user_id) return "user:" + std::to_string(*user_id) + " " + name;
  return name;
}

Result<store::GuardRule> GuardService::StoreRule(sql::Connection& c, const store::GuardRule& rule,
                                                 const GuardActor& by, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(store::GuardRule stored, gs::PutRule(c, rule));
  boost::json::object detail{{"range", stored.cidr}, {"reason", stored.reason}};
  detail["until"] = stored.expires_ms ? boost::json::value(FormatIsoUtc(*stored.expires_ms))
                                      : boost::json::value(nullptr);
  HR_RETURN_IF_ERROR(
      store::AuditStore::Append(c, Audit(by, stored.kind + ".add", std::move(detail), now_ms))
          .status());
  return stored;
}

Result<bool> GuardService::RemoveRule(sql::Connection& c, const std::string& kind,
                                      const std::string& cidr, bool lifted_automatic,
                                      const GuardActor& by, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(bool deleted, gs::DeleteRule(c, kind, cidr));
  if (deleted || lifted_automatic) {
    boost::json::object detail{
        {"range", cidr}, {"manual", deleted}, {"automatic", lifted_automatic}};
    HR_RETURN_IF_ERROR(
        store::AuditStore::Append(c, Audit(by, kind + ".remove", std::move(detail), now_ms))
            .status());
  }
  return deleted;
}

Status GuardService::StoreAttackMode(sql::Connection& c, guard::AttackModeSetting setting,
                                     const GuardActor& by, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(std::optional<store::GuardSetting> previous,
                      gs::GetSetting(c, kAttackModeSetting));
  store::GuardSetting s{kAttackModeSetting, std::string(guard::AttackModeSettingName(setting)),
                        by.Label(), now_ms};
  HR_RETURN_IF_ERROR(gs::PutSetting(c, s));
  boost::json::object detail{{"mode", s.value}};
  detail["previous"] = previous ? boost::json::value(previous->value) : boost::json::value(nullptr);
  return store::AuditStore::Append(c, Audit(by, "attack_mode.set", std::move(detail), now_ms))
      .status();
}

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
  rule.created_by = r.by.Label();
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
  const int64_t now = clock_.NowMs();
  HR_CO_ASSIGN_OR_RETURN(store::GuardRule rule, MakeRule(request, now));
  auto job = [rule, by = request.by, now](sql::Connection& c) {
    return StoreRule(c, rule, by, now);
  };
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
                                                        GuardActor by) {
  if (kind != gs::kBlock && kind != gs::kAllow) {
    co_return Status::InvalidArgument("kind must be \"block\" or \"allow\"");
  }
  Result<guard::Cidr> cidr = guard::Cidr::Parse(cidr_text);
  if (!cidr.ok()) co_return Status::InvalidArgument("cidr: " + cidr.status().message());
  std::string canonical = cidr->ToString();
  // Lifted before the write, so that the audit entry of the lift commits with the rule's removal.
  const bool lifted = kind == gs::kBlock && blocks_.UnblockAutomatic(*cidr);
  const int64_t now = clock_.NowMs();
  auto job = [kind, canonical, lifted, by, now](sql::Connection& c) {
    return RemoveRule(c, kind, canonical, lifted, by, now);
  };
  HR_CO_ASSIGN_OR_RETURN(bool deleted, co_await db_.Write(std::move(job)));
  if (!deleted && !lifted) co_return Status::NotFound("no " + kind + " rule for " + canonical);
  log::Warn("guard_rule_removed", {{"kind", kind},
                                   {"cidr", canonical},
                                   {"by", by.Label()},
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
                                                           GuardActor by) {
  const int64_t now = clock_.NowMs();
  auto job = [setting, by, now](sql::Connection& c) {
    return StoreAttackMode(c, setting, by, now);
  };
  HR_CO_RETURN_IF_ERROR(co_await db_.Write(std::move(job)));
  mode_.SetSetting(setting);
  log::Warn("guard_attack_mode_set",
            {{"setting", guard::AttackModeSettingName(setting)}, {"by", by.Label()}});
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
