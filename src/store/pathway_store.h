#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sql.h"

namespace homeroom::store {

// A pathway rule as stored (migrations/0009_pathways.sql); the caller validates it
// (domain/pathways.h). Plain value; not synchronized.
struct PathwayRuleRecord {
  int64_t id = 0;
  std::string scope;                      // district | school | section
  std::optional<int64_t> scope_id;        // school or section id; none for the district
  std::optional<std::string> grade_band;  // prek-5 | 6-12; none: every grade
  std::string pathway;                    // built_in | external
  std::string effective_from;             // YYYY-MM-DD
  int64_t created_by = 0;
  int64_t created_ms = 0;
};

// A student's opening of an external meeting link.
struct ExternalOpenRecord {
  int64_t session_id = 0;
  int64_t user_id = 0;
  int64_t first_ms = 0;
  int64_t last_ms = 0;
  int64_t opens = 0;
};

// Pathway rules, meeting links and external opens. Stateless: each function runs on the
// connection it is given (through Database::Read / Write). kInternal on a database error.
namespace pathway_store {

// Adds a rule; returns its id.
Result<int64_t> InsertRule(sql::Connection& c, const PathwayRuleRecord& rule);
Result<std::optional<PathwayRuleRecord>> GetRule(sql::Connection& c, int64_t id);
// Removes a rule; true when there was one.
Result<bool> DeleteRule(sql::Connection& c, int64_t id);
// Every rule, by id. The table holds a handful per school at most.
Result<std::vector<PathwayRuleRecord>> ListRules(sql::Connection& c);

// Sets a section's external meeting link (replacing the previous one).
Status PutMeetingLink(sql::Connection& c, int64_t section_id, const std::string& url,
                      int64_t user_id, int64_t now_ms);
Result<std::optional<std::string>> GetMeetingLink(sql::Connection& c, int64_t section_id);
// Removes a section's link; false when it had none.
Result<bool> DeleteMeetingLink(sql::Connection& c, int64_t section_id);

// Records that `user_id` opened the external link of `session_id` at `now_ms`.
Status RecordExternalOpen(sql::Connection& c, int64_t session_id, int64_t user_id, int64_t now_ms);
// Who opened the external link of a session, by user id.
Result<std::vector<ExternalOpenRecord>> ExternalOpens(sql::Connection& c, int64_t session_id);

}  // namespace pathway_store
}  // namespace homeroom::store
