#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "domain/live_calendar.h"
#include "store/database.h"
#include "store/live_store.h"
#include "store/pathway_store.h"
#include "store/roster_records.h"

namespace homeroom::domain {

// Alternate pathways (docs/api.md, "Pathways"): whether a section's live classes run in
// Homeroom's own room ("built_in") or in an external meeting ("external": Teams, Zoom, ... at the
// section's meeting link). The district, a school or a section's teacher sets rules, each scoped
// by grade band (or every grade) and effective from a date of the district's calendar.
//
// The rule in force for a section on a day is, among the rules that apply to it (the district's,
// its school's, its own; of its grade band or of every grade) and are effective by that day, the
// most specific: section over school over district, then a grade band over every grade, then the
// latest effective date, then the newest. With none, the pathway is built_in.

inline constexpr std::string_view kBuiltIn = "built_in";
inline constexpr std::string_view kExternal = "external";

// Checks a rule from a request: scope district (no scope_id) | school | section (with scope_id),
// grade band prek-5 | 6-12 | none, pathway built_in | external, effective_from YYYY-MM-DD.
// kInvalidArgument naming what is wrong.
Status ValidatePathwayRule(const store::PathwayRuleRecord& rule);

// Checks a meeting link: an absolute https URL with a host, no spaces or control characters, at
// most `max_bytes`. kInvalidArgument otherwise.
Status ValidateMeetingUrl(std::string_view url, size_t max_bytes);

// The grade band ("prek-5" | "6-12") of a section, from its lowest grade (else its highest);
// none when the section has no grades.
std::optional<std::string> SectionBand(const store::Section& section);

// The rule in force for `section` on `today` (YYYY-MM-DD), or none. Pure.
std::optional<store::PathwayRuleRecord> RuleInForce(
    const std::vector<store::PathwayRuleRecord>& rules, const store::Section& section,
    std::string_view today);

// What a section's Join does today.
struct EffectivePathway {
  int64_t section_id = 0;
  std::string pathway{kBuiltIn};
  std::optional<int64_t> rule_id;          // the rule in force; none: the default
  std::optional<std::string> meeting_url;  // the section's link (shown only when external)
};

struct PathwayOptions {
  // Longest meeting link, in bytes.
  size_t max_meeting_url_bytes = 2048;
  // How long before a session's start students may open its external link (the teacher may
  // start a built-in one as early: LiveOptions::max_early_start).
  std::chrono::minutes max_early_open{60};
};

// Rules, links and opens over the store. Handlers authorize; this validates and decides.
// Thread-safe (the store serializes writes; the zone is immutable).
class PathwayService {
 public:
  PathwayService(store::Database& db, const Clock& clock, DistrictZone zone, PathwayOptions options)
      : db_(db), clock_(clock), zone_(std::move(zone)), options_(options) {}

  // Today's date in the district (YYYY-MM-DD).
  std::string Today() const;

  boost::asio::awaitable<Result<std::vector<store::PathwayRuleRecord>>> ListRules();
  boost::asio::awaitable<Result<std::optional<store::PathwayRuleRecord>>> GetRule(int64_t id);
  // Validates and stores; returns the rule with its id. kInvalidArgument when invalid.
  boost::asio::awaitable<Result<store::PathwayRuleRecord>> AddRule(store::PathwayRuleRecord rule);
  // kNotFound when there is no such rule.
  boost::asio::awaitable<Status> DeleteRule(int64_t id);

  // kInvalidArgument for a bad link.
  // The section's saved link, if any (whatever its pathway today).
  boost::asio::awaitable<Result<std::optional<std::string>>> MeetingLink(int64_t section_id);
  // Removes it; false when there was none. Students' Join of an external session then answers
  // 409 until a link is saved again.
  boost::asio::awaitable<Result<bool>> DeleteMeetingLink(int64_t section_id);
  boost::asio::awaitable<Status> SetMeetingLink(int64_t section_id, std::string url,
                                                int64_t user_id);

  // The pathway of each section today.
  boost::asio::awaitable<Result<std::vector<EffectivePathway>>> ForSections(
      std::vector<store::Section> sections);

  // A student opens the external meeting of `session` (of `section`): records it and returns the
  // link. kConflict (409) when the section's pathway today is built_in, when it has no link,
  // or outside the session's window (from max_early_open before its start to its end; never when
  // cancelled or ended).
  boost::asio::awaitable<Result<std::string>> OpenExternal(store::LiveSessionRecord session,
                                                           store::Section section, int64_t user_id);

  // Who opened the external link of a session.
  boost::asio::awaitable<Result<std::vector<store::ExternalOpenRecord>>> Opens(int64_t session_id);

 private:
  store::Database& db_;
  const Clock& clock_;
  DistrictZone zone_;
  PathwayOptions options_;
};

}  // namespace homeroom::domain
