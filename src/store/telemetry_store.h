#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/sql.h"

namespace homeroom::store {

// One event a web client reported (migrations/0012_client_telemetry.sql), checked by the caller
// (domain/client_telemetry.h). Plain value; not synchronized.
struct ClientEventRecord {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string kind;  // error | ws_disconnect | rtt | page_load
  int64_t at_ms = 0;
  int64_t received_ms = 0;
  std::string ip;
  std::string user_agent;
  std::string page;
  std::string detail;  // a JSON object
};

// Client telemetry. Stateless: each function runs on the connection it is given (through
// Database::Read / Write). kInternal on a database error.
namespace telemetry_store {

// Adds the events (one transaction is the caller's Database::Write).
Status Insert(sql::Connection& c, const std::vector<ClientEventRecord>& events);
// At most `limit` events of `user_id` that happened in [from_ms, to_ms), oldest first.
Result<std::vector<ClientEventRecord>> ForUser(sql::Connection& c, int64_t user_id, int64_t from_ms,
                                               int64_t to_ms, int64_t limit);
// Removes the events received before `before_ms`; returns how many.
Result<int64_t> PruneBefore(sql::Connection& c, int64_t before_ms);

}  // namespace telemetry_store
}  // namespace homeroom::store
