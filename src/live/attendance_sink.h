#pragma once

#include <cstdint>
#include <vector>

namespace homeroom::live {

// Where rooms report presence for attendance. Implemented by the attendance recorder
// (src/domain), which batches to the store: calls must be cheap and never block (rooms call it on
// their strand). Thread-safe.
class AttendanceSink {
 public:
  virtual ~AttendanceSink() = default;
  // A participant's presence interval opens (first socket joined) ...
  virtual void Joined(int64_t session_id, int64_t user_id, int64_t at_ms) = 0;
  // ... and closes (last socket gone past the reconnect grace period, removed, or room ended).
  virtual void Left(int64_t session_id, int64_t user_id, int64_t at_ms) = 0;
  // Still present at `at_ms` (periodic): after a crash, open intervals close at the last heartbeat.
  virtual void Heartbeat(int64_t session_id, const std::vector<int64_t>& user_ids,
                         int64_t at_ms) = 0;
};

}  // namespace homeroom::live
