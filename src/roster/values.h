#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace homeroom::roster {

// The value rules of OneRoster 1.1 CSV cells, as Homeroom reads them: strict about meaning,
// lenient about form (see /work/shared/design/oneroster.md). Pure functions; thread-safe.

// A grade code as a level: PK, TK, PS -> -1; KG -> 0; 01..12 (also 1..12) -> 1..12; 13 -> 13;
// Other -> nullopt level. Returns false for anything else (the cell is then a "bad enum").
bool ParseGrade(std::string_view code, std::optional<int>* level);

// true/TRUE/True/1 and false/FALSE/False/0 (any letter case). Returns false for anything else.
bool ParseBool(std::string_view text, bool* value);

// A calendar date YYYY-MM-DD that exists (2025-02-29 does not).
bool IsValidDate(std::string_view text);

// An ISO 8601 date-time as exported in dateLastModified: a date, optionally followed by
// THH:MM[:SS[.fraction]] and Z or an offset (+HH:MM, +HHMM, +HH). A bare date is accepted too.
bool IsValidDateTime(std::string_view text);

// The enumerations, exactly as the 1.1 tables spell them.
bool IsOrgType(std::string_view v);         // district school department local state national
bool IsSessionType(std::string_view v);     // schoolYear semester term gradingPeriod
bool IsClassType(std::string_view v);       // homeroom scheduled
bool IsUserRole(std::string_view v);        // administrator aide guardian parent proctor ...
bool IsEnrollmentRole(std::string_view v);  // student teacher administrator proctor

// Homeroom's role for a OneRoster users.role (documented in docs/api.md, "Roster mapping"):
// student -> student; teacher, aide, proctor -> teacher; guardian, parent, relative -> guardian;
// administrator -> district_admin when `in_district_org`, else school_admin. Empty for an unknown
// role.
std::string MapUserRole(std::string_view source_role, bool in_district_org);

// The key usernames are unique by: ASCII letters lower-cased (sign-in is case-insensitive).
std::string UsernameKey(std::string_view username);

}  // namespace homeroom::roster
