#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace homeroom::sql {

// The SQL the stores speak: the common subset of SQLite and PostgreSQL (ON CONFLICT, RETURNING,
// `?` placeholders, integer ids, UTC epoch milliseconds). Every store in src/store is written once
// against these two interfaces; src/store/sqlite/ implements them today, and a PostgreSQL backend
// implements them later (rewriting `?` to `$n`) without touching any store or handler.

// A prepared statement. Bind indexes are 1-based; column indexes are 0-based. Not thread-safe:
// it belongs to its Connection.
class Statement {
 public:
  virtual ~Statement() = default;
  virtual void Bind(int index, int64_t value) = 0;
  virtual void Bind(int index, std::string_view value) = 0;
  virtual void BindBlob(int index, std::string_view bytes) = 0;
  virtual void BindNull(int index) = 0;
  void Bind(int index, const std::optional<int64_t>& v) { v ? Bind(index, *v) : BindNull(index); }
  void Bind(int index, const std::optional<std::string>& v) {
    v ? Bind(index, std::string_view(*v)) : BindNull(index);
  }
  void Bind(int index, const char* v) { Bind(index, std::string_view(v)); }
  void Bind(int index, const std::string& v) { Bind(index, std::string_view(v)); }
  void Bind(int index, int v) { Bind(index, static_cast<int64_t>(v)); }
  void Bind(int index, bool v) { Bind(index, static_cast<int64_t>(v ? 1 : 0)); }

  // Advances to the next row. Returns true with a row, false when done, or an error.
  virtual Result<bool> Step() = 0;
  // Runs a statement that returns no rows (or ignores them).
  Status Run();
  // Clears bindings and rewinds so the statement can run again.
  virtual void Reset() = 0;

  virtual bool IsNull(int column) const = 0;
  virtual int64_t Int(int column) const = 0;
  virtual std::string Text(int column) const = 0;
  std::optional<int64_t> OptInt(int c) const {
    return IsNull(c) ? std::nullopt : std::optional(Int(c));
  }
  std::optional<std::string> OptText(int c) const {
    return IsNull(c) ? std::nullopt : std::optional(Text(c));
  }
};

// One database connection. Not thread-safe: each thread of a pool owns its own.
class Connection {
 public:
  virtual ~Connection() = default;
  // Prepares (or fetches from this connection's cache) a statement. The reference stays valid for
  // the connection's life; it is Reset() before it is handed out.
  virtual Result<Statement*> Prepare(std::string_view sql) = 0;
  // Runs one or more statements with no parameters (migrations, BEGIN/COMMIT).
  virtual Status Exec(std::string_view sql) = 0;
  // Resets every statement left mid-iteration, ending the read snapshot it holds; called when a
  // reader connection goes back to its pool so that the next read sees every committed write.
  virtual void ResetStatements() = 0;
  // Rows changed by the last statement.
  virtual int64_t Changes() const = 0;
  // The dialect, for the rare statement that differs ("sqlite" or "postgres").
  virtual std::string_view Dialect() const = 0;

  // Starts a write transaction (SQLite takes the write lock up front: BEGIN IMMEDIATE).
  virtual Status Begin() = 0;
  Status Commit() { return Exec("COMMIT"); }
  Status Rollback() { return Exec("ROLLBACK"); }
};

}  // namespace homeroom::sql
