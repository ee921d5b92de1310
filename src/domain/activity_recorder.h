#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "guard/activity_log.h"
#include "store/database.h"

namespace homeroom::domain {

// Settings of the activity recorder (serve flags --forensics-*, --audit-retention-days).
struct ActivityRecorderOptions {
  // How often the activity log is written to the store (one transaction per flush). The current
  // slice is written partially and completed by later flushes; the CLI sees the store, so this is
  // how far behind `homeroom forensics` may be (the API flushes before it reads). At least 100 ms.
  std::chrono::milliseconds flush_interval{10'000};
  // Stored activity older than this is deleted.
  std::chrono::days retention{14};
  // Audit entries older than this are deleted (the audit log outlives the activity it audits).
  std::chrono::days audit_retention{400};
  // How often retention runs (at least once a second).
  std::chrono::seconds prune_interval{600};
};

// Moves the guard::ActivityLog's in-memory sums into the store (store::forensics_store) and deletes
// what is past retention. A thread of its own flushes every flush_interval, in one Database write
// per flush, never one per request. A failed flush keeps its records for the next one (at most one
// slice's worth of sources times ActivityLogOptions::max_pending_slices; the oldest beyond are
// dropped and counted).
//
// Metrics: homeroom_guard_activity_flushes_total, homeroom_guard_activity_flush_errors_total,
// homeroom_guard_activity_rows_written_total, homeroom_guard_activity_rows_pruned_total,
// homeroom_guard_audit_rows_pruned_total (and the log's own, guard/activity_log.h).
//
// Thread-safe. Stop() (or the destructor) flushes what is left and joins the thread; it must run
// before the Database is destroyed.
class ActivityRecorder {
 public:
  ActivityRecorder(guard::ActivityLog& log, store::Database& db, const Clock& clock,
                   metrics::Registry& metrics, ActivityRecorderOptions options = {});
  ~ActivityRecorder();
  ActivityRecorder(const ActivityRecorder&) = delete;
  ActivityRecorder& operator=(const ActivityRecorder&) = delete;

  // Starts the flushing thread (idempotent).
  void Start();
  // Flushes and stops the thread (idempotent).
  void Stop();

  // Writes what the log holds now, blocking until it is committed (the thread, tests, shutdown).
  // Returns the store's error; the records are kept for the next flush then.
  Status FlushNow();
  // Deletes activity and audit entries past retention now; returns the activity rows deleted.
  Result<int64_t> PruneNow();

  // For a request that must see everything up to now (the forensics API): takes what the log holds
  // and returns a function that writes it on the connection it is given, to run inside the
  // caller's own Database::Write (with the audit entry of the access, in one transaction). When
  // that write fails, hand the records back with Restore(). The function owns its records.
  struct Flush {
    std::shared_ptr<std::vector<guard::SourceActivity>> records;
    guard::ActivityLimits limits;
    size_t max_sources_per_slice = 0;
    // Writes the records (store::forensics_store::MergeActivity).
    Status Write(sql::Connection& c) const;
  };
  Flush TakeFlush();
  // The bounds this node merges activity records with (from its ActivityLogOptions), for reading
  // them back the same way.
  guard::ActivityLimits limits() const { return guard::LimitsOf(log_.options()); }
  void Restore(Flush flush);
  // Counts one flush done by the caller (metrics).
  void CountFlush(const Flush& flush, const Status& result);

 private:
  void Loop();
  std::vector<guard::SourceActivity> Take();

  guard::ActivityLog& log_;
  store::Database& db_;
  const Clock& clock_;
  const ActivityRecorderOptions options_;
  const size_t max_retained_;  // records kept across failed flushes

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                     // guarded by mu_
  std::vector<guard::SourceActivity> retry_;  // guarded by mu_: records of failed flushes
  std::thread thread_;

  metrics::Counter& flushes_;
  metrics::Counter& flush_errors_;
  metrics::Counter& rows_written_;
  metrics::Counter& rows_pruned_;
  metrics::Counter& audit_pruned_;
  metrics::Counter& dropped_;
};

}  // namespace homeroom::domain
