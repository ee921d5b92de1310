#include "store/migrations.h"

#include <fmt/format.h>

#include <set>

namespace homeroom::store {

// Defined in the generated migrations_embedded.cc (see CMakeLists.txt).
extern const std::vector<Migration> kEmbeddedMigrations;

const std::vector<Migration>& AllMigrations() { return kEmbeddedMigrations; }

int LatestSchemaVersion() {
  return kEmbeddedMigrations.empty() ? 0 : kEmbeddedMigrations.back().version;
}

Result<int> CurrentSchemaVersion(sql::Connection& conn) {
  HR_RETURN_IF_ERROR(
      conn.Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL)"));
  HR_ASSIGN_OR_RETURN(sql::Statement * st,
                      conn.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  int version = row ? static_cast<int>(st->Int(0)) : 0;
  st->Reset();
  return version;
}

Result<int> Migrate(sql::Connection& conn, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(int current, CurrentSchemaVersion(conn));
  if (current > LatestSchemaVersion()) {
    return Status::Conflict(
        fmt::format("database schema version {} is newer than this binary's {}; upgrade homeroom",
                    current, LatestSchemaVersion()));
  }
  // Applied versions, not only the highest: migrations written in parallel branches may land out
  // of order (0005 before 0004), and a database migrated in between must still get the late one.
  std::set<int> done;
  {
    HR_ASSIGN_OR_RETURN(sql::Statement * st, conn.Prepare("SELECT version FROM schema_migrations"));
    for (;;) {
      HR_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      done.insert(static_cast<int>(st->Int(0)));
    }
    st->Reset();
  }
  int applied = 0;
  for (const Migration& m : AllMigrations()) {
    if (done.count(m.version)) continue;
    HR_RETURN_IF_ERROR(conn.Begin());
    Status s = conn.Exec(m.sql);
    if (s.ok()) {
      auto st = conn.Prepare(
          "INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)");
      if (!st.ok()) {
        s = st.status();
      } else {
        (*st)->Bind(1, m.version);
        (*st)->Bind(2, m.name);
        (*st)->Bind(3, now_ms);
        s = (*st)->Run();
      }
    }
    if (!s.ok()) {
      (void)conn.Rollback();
      return Status::Internal(
          fmt::format("migration {:04}_{} failed: {}", m.version, m.name, s.message()));
    }
    HR_RETURN_IF_ERROR(conn.Commit());
    ++applied;
  }
  return applied;
}

}  // namespace homeroom::store
