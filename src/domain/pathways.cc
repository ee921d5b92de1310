#include "domain/pathways.h"

#include <tuple>

#include "domain/grades.h"

namespace homeroom::domain {
namespace {

bool OneOf(std::string_view v, std::initializer_list<std::string_view> allowed) {
  for (std::string_view a : allowed) {
    if (v == a) return true;
  }
  return false;
}

int ScopeRank(std::string_view scope) {
  if (scope == "section") return 3;
  if (scope == "school") return 2;
  return 1;
}

bool Applies(const store::PathwayRuleRecord& r, const store::Section& s,
             const std::optional<std::string>& band, std::string_view today) {
  if (r.effective_from > today) return false;  // YYYY-MM-DD compares as text
  if (r.grade_band && r.grade_band != band) return false;
  if (r.scope == "district") return true;
  if (r.scope == "school") return r.scope_id == s.school_id;
  return r.scope == "section" && r.scope_id == s.id;
}

}  // namespace

Status ValidatePathwayRule(const store::PathwayRuleRecord& r) {
  if (!OneOf(r.scope, {"district", "school", "section"})) {
    return Status::InvalidArgument("scope must be \"district\", \"school\" or \"section\"");
  }
  if (r.scope == "district" && r.scope_id) {
    return Status::InvalidArgument("a district rule takes no scope_id");
  }
  if (r.scope != "district" && (!r.scope_id || *r.scope_id <= 0)) {
    return Status::InvalidArgument("scope_id is required: the school's or the section's id");
  }
  if (r.grade_band && !OneOf(*r.grade_band, {"prek-5", "6-12"})) {
    return Status::InvalidArgument("grade_band must be \"prek-5\", \"6-12\" or null");
  }
  if (!OneOf(r.pathway, {kBuiltIn, kExternal})) {
    return Status::InvalidArgument("pathway must be \"built_in\" or \"external\"");
  }
  return ParseLocalDate(r.effective_from, "effective_from").status();
}

Status ValidateMeetingUrl(std::string_view url, size_t max_bytes) {
  if (url.size() > max_bytes) {
    return Status::InvalidArgument("url is longer than " + std::to_string(max_bytes) + " bytes");
  }
  constexpr std::string_view kScheme = "https://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return Status::InvalidArgument("url must be an https:// link");
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return Status::InvalidArgument("url must not contain spaces or control characters");
    }
  }
  std::string_view host = url.substr(kScheme.size());
  host = host.substr(0, host.find_first_of("/?#"));
  if (host.empty() || host.front() == '@' || host.front() == ':') {
    return Status::InvalidArgument("url must name a host");
  }
  return Status::Ok();
}

std::optional<std::string> SectionBand(const store::Section& s) {
  std::optional<int> grade = s.low_grade ? s.low_grade : s.high_grade;
  if (!grade) return std::nullopt;
  return std::string(GradeBandName(BandOfGrade(*grade)));
}

std::optional<store::PathwayRuleRecord> RuleInForce(
    const std::vector<store::PathwayRuleRecord>& rules, const store::Section& section,
    std::string_view today) {
  std::optional<std::string> band = SectionBand(section);
  const store::PathwayRuleRecord* best = nullptr;
  auto key = [](const store::PathwayRuleRecord& r) {
    return std::make_tuple(ScopeRank(r.scope), r.grade_band.has_value(), r.effective_from, r.id);
  };
  for (const auto& r : rules) {
    if (!Applies(r, section, band, today)) continue;
    if (!best || key(r) > key(*best)) best = &r;
  }
  if (!best) return std::nullopt;
  return *best;
}

std::string PathwayService::Today() const {
  return zone_.FormatLocal(clock_.NowMs()).substr(0, 10);
}

boost::asio::awaitable<Result<std::vector<store::PathwayRuleRecord>>> PathwayService::ListRules() {
  auto job = [](sql::Connection& c) { return store::pathway_store::ListRules(c); };
  co_return co_await db_.Read(std::move(job));
}

boost::asio::awaitable<Result<std::optional<store::PathwayRuleRecord>>> PathwayService::GetRule(
    int64_t id) {
  auto job = [id](sql::Connection& c) { return store::pathway_store::GetRule(c, id); };
  co_return co_await db_.Read(std::move(job));
}

boost::asio::awaitable<Result<store::PathwayRuleRecord>> PathwayService::AddRule(
    store::PathwayRuleRecord rule) {
  HR_CO_RETURN_IF_ERROR(ValidatePathwayRule(rule));
  rule.created_ms = clock_.NowMs();
  auto job = [rule](sql::Connection& c) mutable -> Result<store::PathwayRuleRecord> {
    HR_ASSIGN_OR_RETURN(rule.id, store::pathway_store::InsertRule(c, rule));
    return rule;
  };
  co_return co_await db_.Write(std::move(job));
}

boost::asio::awaitable<Status> PathwayService::DeleteRule(int64_t id) {
  auto job = [id](sql::Connection& c) -> Status {
    HR_ASSIGN_OR_RETURN(bool removed, store::pathway_store::DeleteRule(c, id));
    if (!removed) return Status::NotFound("no pathway rule with id " + std::to_string(id));
    return Status::Ok();
  };
  co_return co_await db_.Write(std::move(job));
}

boost::asio::awaitable<Status> PathwayService::SetMeetingLink(int64_t section_id, std::string url,
                                                              int64_t user_id) {
  HR_CO_RETURN_IF_ERROR(ValidateMeetingUrl(url, options_.max_meeting_url_bytes));
  int64_t now_ms = clock_.NowMs();
  auto job = [section_id, url = std::move(url), user_id, now_ms](sql::Connection& c) {
    return store::pathway_store::PutMeetingLink(c, section_id, url, user_id, now_ms);
  };
  co_return co_await db_.Write(std::move(job));
}

boost::asio::awaitable<Result<std::optional<std::string>>> PathwayService::MeetingLink(
    int64_t section_id) {
  auto job = [section_id](sql::Connection& c) {
    return store::pathway_store::GetMeetingLink(c, section_id);
  };
  co_return co_await db_.Read(std::move(job));
}

boost::asio::awaitable<Result<bool>> PathwayService::DeleteMeetingLink(int64_t section_id) {
  auto job = [section_id](sql::Connection& c) {
    return store::pathway_store::DeleteMeetingLink(c, section_id);
  };
  co_return co_await db_.Write(std::move(job));
}

boost::asio::awaitable<Result<std::vector<EffectivePathway>>> PathwayService::ForSections(
    std::vector<store::Section> sections) {
  std::string today = Today();
  auto job = [sections = std::move(sections),
              today](sql::Connection& c) -> Result<std::vector<EffectivePathway>> {
    HR_ASSIGN_OR_RETURN(auto rules, store::pathway_store::ListRules(c));
    std::vector<EffectivePathway> out;
    for (const auto& s : sections) {
      EffectivePathway p;
      p.section_id = s.id;
      if (auto rule = RuleInForce(rules, s, today)) {
        p.pathway = rule->pathway;
        p.rule_id = rule->id;
      }
      HR_ASSIGN_OR_RETURN(p.meeting_url, store::pathway_store::GetMeetingLink(c, s.id));
      out.push_back(std::move(p));
    }
    return out;
  };
  co_return co_await db_.Read(std::move(job));
}

boost::asio::awaitable<Result<std::string>> PathwayService::OpenExternal(
    store::LiveSessionRecord session, store::Section section, int64_t user_id) {
  int64_t now_ms = clock_.NowMs();
  int64_t early_ms = std::chrono::milliseconds(options_.max_early_open).count();
  if (session.status == "cancelled" || session.status == "ended" || now_ms > session.ends_ms ||
      (session.status != "live" && now_ms < session.starts_ms - early_ms)) {
    co_return Status::Conflict("this session is not open now");
  }
  std::string today = Today();
  auto job = [session_id = session.id, section = std::move(section), user_id, now_ms,
              today](sql::Connection& c) -> Result<std::string> {
    HR_ASSIGN_OR_RETURN(auto rules, store::pathway_store::ListRules(c));
    auto rule = RuleInForce(rules, section, today);
    if (!rule || rule->pathway != kExternal) {
      return Status::Conflict("this section's live classes are in Homeroom's own room");
    }
    HR_ASSIGN_OR_RETURN(auto url, store::pathway_store::GetMeetingLink(c, section.id));
    if (!url) return Status::Conflict("the teacher has not set this section's meeting link yet");
    HR_RETURN_IF_ERROR(store::pathway_store::RecordExternalOpen(c, session_id, user_id, now_ms));
    return std::move(*url);
  };
  co_return co_await db_.Write(std::move(job));
}

boost::asio::awaitable<Result<std::vector<store::ExternalOpenRecord>>> PathwayService::Opens(
    int64_t session_id) {
  auto job = [session_id](sql::Connection& c) {
    return store::pathway_store::ExternalOpens(c, session_id);
  };
  co_return co_await db_.Read(std::move(job));
}

}  // namespace homeroom::domain
