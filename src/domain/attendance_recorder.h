#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "live/attendance_sink.h"
#include "store/database.h"
#include "store/live_store.h"

namespace homeroom::domain {

// Settings of the attendance recorder (serve flags --attendance-*).
struct AttendanceRecorderOptions {
  // Events waiting in memory; beyond it new events are dropped and counted (rooms never wait).
  size_t max_queued_events = 100'000;
  // How often queued events are written, in one store write per batch.
  std::chrono::milliseconds flush_interval{2'000};
  // Events per store write; a longer queue takes several writes in one flush.
  size_t max_batch_events = 10'000;
};

// Records presence intervals for attendance (live::AttendanceSink). Rooms call Joined, Left and
// Heartbeat on their strands: each call appends to a bounded in-memory queue under a short lock
// and returns; it never blocks on the store. A flusher thread writes the queue every
// flush_interval as one Database write per batch (never one per event), applying the events in
// order (store::live_store::ApplyAttendance). When the queue is full an event is dropped and
// homeroom_attendance_events_dropped_total counts it; a dropped Left leaves the interval open, and
// it still closes at the participant's last heartbeat (Recover, or the report of an ended
// session). A batch whose write fails goes back to the queue's front (as room allows) and is
// retried at the next flush.
//
// Metrics: homeroom_attendance_events_total, homeroom_attendance_events_dropped_total,
// homeroom_attendance_flushes_total, homeroom_attendance_flush_errors_total,
// homeroom_attendance_intervals_recovered_total, homeroom_attendance_queued_events (gauge).
//
// Thread-safe. Stop() (or the destructor) writes what is queued and joins the flusher; it must
// run before the Database is destroyed.
class AttendanceRecorder : public live::AttendanceSink {
 public:
  AttendanceRecorder(store::Database& db, metrics::Registry& metrics,
                     AttendanceRecorderOptions options = {});
  ~AttendanceRecorder() override;
  AttendanceRecorder(const AttendanceRecorder&) = delete;
  AttendanceRecorder& operator=(const AttendanceRecorder&) = delete;

  // Closes every interval left open by a previous process at its last heartbeat, so a restart
  // mid-session loses no attendance and invents none. Call once at start-up, before serving and
  // before any room reports. Returns the number of intervals closed, or the store's error.
  Result<int64_t> Recover();

  // Starts the flusher thread (idempotent).
  void Start();
  // Flushes what is queued and stops the flusher (idempotent).
  void Stop();
  // Writes everything queued now, in batches, waiting for the commits (tests, shutdown). Returns
  // the first write error.
  Status FlushNow();

  // live::AttendanceSink: cheap, never blocking, thread-safe.
  void Joined(int64_t session_id, int64_t user_id, int64_t at_ms) override;
  void Left(int64_t session_id, int64_t user_id, int64_t at_ms) override;
  void Heartbeat(int64_t session_id, const std::vector<int64_t>& user_ids, int64_t at_ms) override;

  size_t queued() const;

 private:
  void Enqueue(store::AttendanceEvent event);
  void FlusherLoop();

  store::Database& db_;
  const AttendanceRecorderOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<store::AttendanceEvent> queue_;  // guarded by mu_
  bool stopping_ = false;                     // guarded by mu_
  std::mutex flush_mu_;                       // one flush at a time (keeps batches in order)
  std::thread flusher_;
  std::shared_ptr<std::atomic<size_t>> queued_count_ = std::make_shared<std::atomic<size_t>>(0);

  metrics::Counter& events_;
  metrics::Counter& dropped_;
  metrics::Counter& flushes_;
  metrics::Counter& flush_errors_;
  metrics::Counter& recovered_;
};

}  // namespace homeroom::domain
