#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"
#include "store/roster_records.h"
#include "store/sql.h"

namespace homeroom::store {

// One row of the audit log (migrations/0004_forensics.sql): who did something the district must be
// able to account for, from where, and the particulars as a JSON object.
//
// Action names are dotted, the object first: "forensics.report" (read the forensics report),
// "audit.read" (read this log), "block.add", "block.remove", "allow.add", "allow.remove",
// "attack_mode.set". detail carries what the action was about, e.g. {"from": "...", "to": "...",
// "format": "csv", "via": "api"} or {"range": "203.0.113.0/24", "reason": "...", "until": ...}.
struct AuditEntry {
  int64_t id = 0;  // set by Append / List
  int64_t at_ms = 0;
  std::optional<int64_t> actor_user_id;  // the signed-in account; nullopt for the CLI
  std::string actor;                     // username, or "cli:<os user>"
  std::string actor_ip;                  // the client's address, or "local" for the CLI
  std::string action;
  std::string detail = "{}";  // a JSON object (the caller serializes it)
};

struct AuditQuery {
  int64_t from_ms = 0;  // at_ms in [from_ms, to_ms)
  int64_t to_ms = 0;
  std::optional<std::string> action;  // only this action, when set
  int64_t after_id = 0;               // paging: entries with a larger id
  int limit = 100;                    // 1..1000
};

// The audit log's SQL. Stateless; each function runs on the connection it is given, inside
// Database::Write (Append, DeleteBefore) or Database::Read (List), or their *Sync forms. Append in
// the same write as the change it records, so the change and its audit row commit together:
//   co_await db.Write([=](sql::Connection& c) -> Status {
//     HR_RETURN_IF_ERROR(ChangeSomething(c, ...));
//     return AuditStore::Append(c, entry).status();
//   });
// Returns kInternal on a database error (kUnavailable when SQLite is busy). Not thread-safe in
// itself: a connection belongs to one thread.
class AuditStore {
 public:
  // Appends an entry and returns its id. kInvalidArgument when action or actor is empty.
  static Result<int64_t> Append(sql::Connection& c, const AuditEntry& entry);
  // Entries of the window in id order (oldest first), at most q.limit, with the id to continue
  // after when there are more.
  static Result<Page<AuditEntry>> List(sql::Connection& c, const AuditQuery& q);
  // Deletes entries older than `before_ms` (retention); returns how many.
  static Result<int64_t> DeleteBefore(sql::Connection& c, int64_t before_ms);
};

}  // namespace homeroom::store
