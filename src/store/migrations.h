#pragma once

#include <string_view>
#include <vector>

#include "store/sql.h"

namespace homeroom::store {

// A numbered schema change; the SQL comes from src/store/migrations/NNNN_name.sql, embedded in
// the binary at build time.
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// All migrations, ordered by version.
const std::vector<Migration>& AllMigrations();

// The newest version this binary knows.
int LatestSchemaVersion();

// The version the database is at (0 for a new database).
Result<int> CurrentSchemaVersion(sql::Connection& conn);

// Applies every migration the database has not recorded (usually those newer than its version; a
// lower number that landed late is applied too), each in its own transaction, in version order.
// Returns the number applied. Fails (changing nothing more) if the database is newer than this
// binary.
Result<int> Migrate(sql::Connection& conn, int64_t now_ms);

}  // namespace homeroom::store
