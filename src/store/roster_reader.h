#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/roster_records.h"
#include "store/sql.h"

namespace homeroom::store {

// Read queries over the roster (schools, sections, users, enrollments). Stateless: each function
// runs on the connection it is given (a reader connection through Database::Read). Lists are
// ordered by id and paged with `after_id` (exclusive) and `limit`.
// Returns kInternal on a database error; "not found" is an empty optional, not an error.
namespace roster_reader {

// Schools (orgs of type school). `only_ids`, when given, restricts the list to those ids.
Result<Page<School>> ListSchools(sql::Connection& c, int64_t after_id, int limit,
                                 const std::optional<std::vector<int64_t>>& only_ids);
Result<std::optional<School>> GetSchool(sql::Connection& c, int64_t id);

Result<Page<Section>> ListSchoolSections(sql::Connection& c, int64_t school_id, int64_t after_id,
                                         int limit);
Result<std::optional<Section>> GetSection(sql::Connection& c, int64_t id);
// Active sections a user is enrolled in (any enrollment role), by title.
Result<std::vector<Section>> SectionsOfUser(sql::Connection& c, int64_t user_id);

// Active enrollments of a section, teachers first, then by family name.
Result<Page<RosterEntry>> SectionRoster(sql::Connection& c, int64_t section_id, int64_t after_id,
                                        int limit);
// Ids of the active students enrolled in a section.
Result<std::vector<int64_t>> SectionStudentIds(sql::Connection& c, int64_t section_id);

Result<std::optional<User>> GetUser(sql::Connection& c, int64_t id);
// Active section ids of a user (any enrollment role), sorted.
Result<std::vector<int64_t>> UserSectionIds(sql::Connection& c, int64_t user_id);
// Active students linked to a guardian.
Result<std::vector<User>> ChildrenOf(sql::Connection& c, int64_t guardian_id);

// Users whose username, given name or family name starts with `query` (case-insensitive for
// ASCII). `only_school_ids`, when given, keeps users who belong to one of those schools.
Result<Page<User>> SearchUsers(sql::Connection& c, const std::string& query,
                               const std::optional<std::vector<int64_t>>& only_school_ids,
                               int64_t after_id, int limit);

}  // namespace roster_reader
}  // namespace homeroom::store
