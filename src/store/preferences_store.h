#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/sql.h"

namespace homeroom::store {

// A user's own choices (migrations/0007_user_preferences.sql). Plain value; not synchronized.
struct UserPreferencesRecord {
  std::optional<std::string> language;  // validated by the caller (domain/preferences.h)
  int64_t updated_ms = 0;               // 0: never set
};

// The preferences table. Stateless: each function runs on the connection it is given (through
// Database::Read / Write). kInternal on a database error.
namespace preferences_store {

// The user's preferences; a default record (nothing chosen) when there is no row.
Result<UserPreferencesRecord> Get(sql::Connection& c, int64_t user_id);
// Writes the language (NULL clears it), creating the row when missing.
Status PutLanguage(sql::Connection& c, int64_t user_id, const std::optional<std::string>& language,
                   int64_t now_ms);

}  // namespace preferences_store
}  // namespace homeroom::store
