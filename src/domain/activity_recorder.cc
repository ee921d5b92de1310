#include "domain/activity_recorder.h"

#include <utility>

#include "core/log.h"
#include "store/audit_store.h"
#include "store/forensics_store.h"

namespace homeroom::domain {
namespace {
constexpr int64_t kMinFlushIntervalMs = 100;
}  // namespace

ActivityRecorder::ActivityRecorder(guard::ActivityLog& log, store::Database& db, const Clock& clock,
                                   metrics::Registry& metrics, ActivityRecorderOptions options)
    : log_(log),
      db_(db),
      clock_(clock),
      options_(options),
      max_retained_(log.options().max_sources_per_slice *
                    std::max<size_t>(1, log.options().max_pending_slices)),
      flushes_(metrics.GetCounter("homeroom_guard_activity_flushes_total",
                                  "Store writes of the activity log (one per flush)")),
      flush_errors_(metrics.GetCounter("homeroom_guard_activity_flush_errors_total",
                                       "Store writes of the activity log that failed")),
      rows_written_(metrics.GetCounter("homeroom_guard_activity_rows_written_total",
                                       "Source records written to the store")),
      rows_pruned_(metrics.GetCounter("homeroom_guard_activity_rows_pruned_total",
                                      "Stored source records deleted past retention")),
      audit_pruned_(metrics.GetCounter("homeroom_guard_audit_rows_pruned_total",
                                       "Audit entries deleted past retention")),
      dropped_(metrics.GetCounter("homeroom_guard_activity_dropped_total",
                                  "Source records of completed slices dropped because no flush "
                                  "took them in time")) {}

ActivityRecorder::~ActivityRecorder() { Stop(); }

void ActivityRecorder::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Loop(); });
}

void ActivityRecorder::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  Status s = FlushNow();
  if (!s.ok()) log::Warn("activity_flush_failed", {{"error", s.ToString()}});
}

void ActivityRecorder::Loop() {
  using Steady = std::chrono::steady_clock;
  // A zero interval from a flag must not spin the thread.
  const auto flush_interval =
      std::max(options_.flush_interval, std::chrono::milliseconds(kMinFlushIntervalMs));
  const auto prune_interval = std::max(options_.prune_interval, std::chrono::seconds(1));
  Steady::time_point next_prune = Steady::now();
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, flush_interval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    Status s = FlushNow();
    if (!s.ok()) log::Warn("activity_flush_failed", {{"error", s.ToString()}});
    if (Steady::now() >= next_prune) {
      next_prune = Steady::now() + prune_interval;
      Result<int64_t> pruned = PruneNow();
      if (!pruned.ok()) {
        log::Warn("activity_prune_failed", {{"error", pruned.status().ToString()}});
      }
    }
    lock.lock();
  }
}

std::vector<guard::SourceActivity> ActivityRecorder::Take() {
  std::vector<guard::SourceActivity> records;
  {
    std::lock_guard lock(mu_);
    records.swap(retry_);
  }
  std::vector<guard::SourceActivity> fresh = log_.Drain();
  records.insert(records.end(), std::make_move_iterator(fresh.begin()),
                 std::make_move_iterator(fresh.end()));
  return records;
}

ActivityRecorder::Flush ActivityRecorder::TakeFlush() {
  Flush flush;
  flush.records = std::make_shared<std::vector<guard::SourceActivity>>(Take());
  flush.limits = guard::LimitsOf(log_.options());
  flush.max_sources_per_slice = log_.options().max_sources_per_slice;
  return flush;
}

Status ActivityRecorder::Flush::Write(sql::Connection& c) const {
  if (!records || records->empty()) return Status::Ok();
  return store::forensics_store::MergeActivity(c, *records, limits, max_sources_per_slice).status();
}

void ActivityRecorder::Restore(Flush flush) {
  if (!flush.records) return;
  std::lock_guard lock(mu_);
  auto& records = *flush.records;
  // The oldest records are the first to go when too many wait (retry_ is older than `records`).
  retry_.insert(retry_.end(), std::make_move_iterator(records.begin()),
                std::make_move_iterator(records.end()));
  if (retry_.size() > max_retained_) {
    size_t drop = retry_.size() - max_retained_;
    dropped_.Inc(drop);
    retry_.erase(retry_.begin(), retry_.begin() + static_cast<std::ptrdiff_t>(drop));
  }
}

void ActivityRecorder::CountFlush(const Flush& flush, const Status& result) {
  flushes_.Inc();
  if (!result.ok()) {
    flush_errors_.Inc();
  } else if (flush.records) {
    rows_written_.Inc(flush.records->size());
  }
}

Status ActivityRecorder::FlushNow() {
  Flush flush = TakeFlush();
  if (flush.records->empty()) return Status::Ok();
  Status s = db_.WriteSync([&flush](sql::Connection& c) { return flush.Write(c); });
  CountFlush(flush, s);
  if (!s.ok()) Restore(std::move(flush));
  return s;
}

Result<int64_t> ActivityRecorder::PruneNow() {
  const int64_t now = clock_.NowMs();
  const int64_t activity_before =
      now - std::chrono::duration_cast<std::chrono::milliseconds>(options_.retention).count();
  const int64_t audit_before =
      now - std::chrono::duration_cast<std::chrono::milliseconds>(options_.audit_retention).count();
  int64_t activity = 0;
  int64_t audit = 0;
  Status s = db_.WriteSync([&](sql::Connection& c) -> Status {
    HR_ASSIGN_OR_RETURN(activity, store::forensics_store::DeleteActivityBefore(c, activity_before));
    HR_ASSIGN_OR_RETURN(audit, store::AuditStore::DeleteBefore(c, audit_before));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  rows_pruned_.Inc(static_cast<uint64_t>(activity));
  audit_pruned_.Inc(static_cast<uint64_t>(audit));
  if (activity > 0 || audit > 0) {
    log::Info("forensics_pruned", {{"activity_rows", activity}, {"audit_rows", audit}});
  }
  return activity;
}

}  // namespace homeroom::domain
