#include "domain/attendance_recorder.h"

#include <utility>

#include "core/log.h"

namespace homeroom::domain {

AttendanceRecorder::AttendanceRecorder(store::Database& db, metrics::Registry& metrics,
                                       AttendanceRecorderOptions options)
    : db_(db),
      options_(options),
      events_(metrics.GetCounter("homeroom_attendance_events_total",
                                 "Presence events reported by rooms")),
      dropped_(metrics.GetCounter("homeroom_attendance_events_dropped_total",
                                  "Presence events dropped because the queue was full")),
      flushes_(metrics.GetCounter("homeroom_attendance_flushes_total",
                                  "Store writes of queued presence events (one per batch)")),
      flush_errors_(metrics.GetCounter("homeroom_attendance_flush_errors_total",
                                       "Store writes of presence events that failed")),
      recovered_(metrics.GetCounter("homeroom_attendance_intervals_recovered_total",
                                    "Open intervals closed at their last heartbeat at start-up")) {
  // The callback holds the count, not the recorder: the registry may outlive it.
  metrics.AddGaugeCallback("homeroom_attendance_queued_events",
                           "Presence events waiting to be written", {},
                           [count = queued_count_] { return static_cast<double>(count->load()); });
}

AttendanceRecorder::~AttendanceRecorder() { Stop(); }

Result<int64_t> AttendanceRecorder::Recover() {
  int64_t closed = 0;
  Status s = db_.WriteSync([&closed](sql::Connection& c) -> Status {
    HR_ASSIGN_OR_RETURN(closed, store::live_store::CloseOpenIntervals(c));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  recovered_.Inc(static_cast<uint64_t>(closed));
  if (closed > 0) log::Info("attendance_recovered", {{"intervals_closed", closed}});
  return closed;
}

void AttendanceRecorder::Start() {
  std::lock_guard lock(mu_);
  if (flusher_.joinable() || stopping_) return;
  flusher_ = std::thread([this] { FlusherLoop(); });
}

void AttendanceRecorder::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  Status s = FlushNow();
  if (!s.ok()) log::Warn("attendance_flush_failed", {{"error", s.ToString()}});
}

void AttendanceRecorder::FlusherLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, options_.flush_interval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    Status s = FlushNow();
    if (!s.ok()) log::Warn("attendance_flush_failed", {{"error", s.ToString()}});
    lock.lock();
  }
}

Status AttendanceRecorder::FlushNow() {
  std::lock_guard flush_lock(flush_mu_);
  for (;;) {
    std::vector<store::AttendanceEvent> batch;
    {
      std::lock_guard lock(mu_);
      if (queue_.empty()) return Status::Ok();
      size_t n = std::min(queue_.size(), options_.max_batch_events);
      batch.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queued_count_->store(queue_.size());
    }
    Status s = db_.WriteSync([&batch](sql::Connection& c) -> Status {
      return store::live_store::ApplyAttendance(c, batch).status();
    });
    flushes_.Inc();
    if (!s.ok()) {
      flush_errors_.Inc();
      // Back to the front, in order, as far as room allows; the next flush retries.
      std::lock_guard lock(mu_);
      size_t room = options_.max_queued_events > queue_.size()
                        ? options_.max_queued_events - queue_.size()
                        : 0;
      size_t keep = std::min(room, batch.size());
      dropped_.Inc(batch.size() - keep);
      for (size_t i = keep; i > 0; --i) queue_.push_front(std::move(batch[i - 1]));
      queued_count_->store(queue_.size());
      return s;
    }
  }
}

void AttendanceRecorder::Enqueue(store::AttendanceEvent event) {
  events_.Inc();
  std::lock_guard lock(mu_);
  if (queue_.size() >= options_.max_queued_events) {
    dropped_.Inc();
    return;
  }
  queue_.push_back(std::move(event));
  queued_count_->store(queue_.size());
}

void AttendanceRecorder::Joined(int64_t session_id, int64_t user_id, int64_t at_ms) {
  Enqueue({store::AttendanceEvent::Kind::kJoined, session_id, at_ms, {user_id}});
}

void AttendanceRecorder::Left(int64_t session_id, int64_t user_id, int64_t at_ms) {
  Enqueue({store::AttendanceEvent::Kind::kLeft, session_id, at_ms, {user_id}});
}

void AttendanceRecorder::Heartbeat(int64_t session_id, const std::vector<int64_t>& user_ids,
                                   int64_t at_ms) {
  if (user_ids.empty()) return;
  Enqueue({store::AttendanceEvent::Kind::kHeartbeat, session_id, at_ms, user_ids});
}

size_t AttendanceRecorder::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

}  // namespace homeroom::domain
