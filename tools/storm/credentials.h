#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace homeroom::storm {

// One account the storm may sign in as.
struct Account {
  std::string role;  // student, teacher, guardian, school_admin, district_admin
  std::string username;
  std::string password;
  // OneRoster class sourcedIds of the account (from the enrollments.csv beside a users.csv), so
  // that the storm can pick whole classes; empty for the JSON format.
  std::vector<std::string> classes;
};

// Reads the accounts of a credentials file, which may be
//  - the demo's demo-logins.json: [{"role","username","password"}, ...], or
//  - a OneRoster users.csv with a `password` column, as `homeroom generate-district
//    --with-passwords` writes it (every user of the district, so thousands of accounts at once).
//    Roles map as the importer maps them (docs/api.md, "Roles"): teacher, aide and proctor are
//    teachers; an administrator is a district admin when one of its orgSourcedIds is an org of
//    type district in the orgs.csv beside it, else a school admin. Rows without a password, or
//    not active, are skipped. With an enrollments.csv beside it, each account lists its classes.
// The format is chosen by the first non-blank character ('[' is JSON). Returns kNotFound when the
// file cannot be read, kInvalidArgument when it is neither format. Thread-safe.
Result<std::vector<Account>> LoadAccounts(const std::string& path);

// Parses CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF) into rows.
std::vector<std::vector<std::string>> ParseCsv(std::string_view text);

// Session tokens kept between runs: one "username<TAB>token" per line. ReadTokenCache of a file
// that does not exist is an empty map; kInvalidArgument for a malformed line. WriteTokenCache
// replaces the file (mode 0600: tokens are secrets); kUnavailable when it cannot be written.
Result<std::map<std::string, std::string>> ReadTokenCache(const std::string& path);
Status WriteTokenCache(const std::string& path, const std::map<std::string, std::string>& tokens);

}  // namespace homeroom::storm
