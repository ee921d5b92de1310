#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "store/sql.h"

struct sqlite3;
struct sqlite3_stmt;

namespace homeroom::sql {

// sql::Connection over one SQLite handle in WAL mode. Not thread-safe (one per pool thread).
class SqliteConnection final : public Connection {
 public:
  struct Options {
    bool read_only = false;
    int busy_timeout_ms = 5000;
    // synchronous=NORMAL under WAL: a commit survives a process crash; a power cut may lose the
    // last commits but never corrupts the file.
    bool synchronous_full = false;
  };
  // Opens (creating if needed, unless read_only) the database file at `path`.
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path, Options options);
  ~SqliteConnection() override;

  Result<Statement*> Prepare(std::string_view sql) override;
  Status Exec(std::string_view sql) override;
  int64_t Changes() const override;
  void ResetStatements() override;
  std::string_view Dialect() const override { return "sqlite"; }
  Status Begin() override { return Exec("BEGIN IMMEDIATE"); }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

}  // namespace homeroom::sql
