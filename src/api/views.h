#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "auth/policy.h"
#include "auth/principal.h"
#include "core/status.h"
#include "http/context.h"
#include "store/roster_records.h"

namespace homeroom::media {
class MediaService;
}
namespace homeroom::domain {
struct SectionView;
struct UserView;
}  // namespace homeroom::domain

namespace homeroom::api {

// How the API shows the district's roster: one function per type, so every route encodes a thing
// the same way (docs/openapi.yaml has the schemas).
boost::json::object SchoolJson(const store::School& school);
boost::json::object SectionJson(const store::Section& section);
boost::json::object UserJson(const store::User& user);
boost::json::object RosterEntryJson(const store::RosterEntry& entry);
boost::json::object PrincipalJson(const auth::Principal& who);
// Media health for readiness and the operators' status: {"state": "off" | "ok" | "degraded" |
// "unavailable", "healthy": N, "instances": [{"name", "healthy", "rooms", "participants"}]}
// ("degraded": some instances are down; "unavailable": all are). `media` may be null (off).
boost::json::object MediaHealthJson(const media::MediaService* media);

// A grade level as its OneRoster code ("KG", "05"), or null.
boost::json::value GradeJson(const std::optional<int>& grade_level);

// The policy's target of a section: its school, itself and its students.
auth::Target SectionTarget(const domain::SectionView& view);
// The policy's target of a user: their schools and sections (and themselves, for a student).
auth::Target UserTarget(const domain::UserView& view);

// Paging: `?limit=N&cursor=C`. Clients treat the cursor as opaque; it names the last id seen.
struct PageRequest {
  int64_t after_id = 0;
  int limit = 0;  // 0: the service's default
};
// Parses limit (1..200) and cursor; kInvalidArgument says which is wrong.
Result<PageRequest> ParsePageRequest(const std::optional<std::string>& limit,
                                     const std::optional<std::string>& cursor);
std::string EncodeCursor(int64_t after_id);

// {"items": [...], "next_cursor": "..." | null}
template <typename Page, typename ToJson>
boost::json::object PageJson(const Page& page, ToJson to_json) {
  boost::json::array items;
  items.reserve(page.items.size());
  for (const auto& item : page.items) items.push_back(to_json(item));
  boost::json::object out;
  out["items"] = std::move(items);
  if (page.next_after) {
    out["next_cursor"] = EncodeCursor(*page.next_after);
  } else {
    out["next_cursor"] = nullptr;
  }
  return out;
}

// A CSV export: text/csv with a header row (RFC 4180), downloaded as `file_name`, never cached
// (it holds students' or households' data).
http::Response CsvResponse(std::string body, const std::string& file_name);

}  // namespace homeroom::api
