#include "store/database.h"

#include <chrono>
#include <future>

#include "core/clock.h"
#include "core/log.h"
#include "store/migrations.h"
#include "store/sqlite/sqlite_connection.h"

namespace homeroom::store {

Database::Database(Options options, metrics::Registry* metrics) : options_(std::move(options)) {
  if (metrics) {
    commits_ = &metrics->GetCounter("homeroom_db_commits_total", "Group commits by the writer.");
    writes_committed_ = &metrics->GetCounter("homeroom_db_writes_total",
                                             "Write jobs committed (several per group commit).");
    write_errors_ = &metrics->GetCounter("homeroom_db_write_errors_total",
                                         "Write jobs that failed or whose commit failed.");
    commit_seconds_ = &metrics->GetHistogram("homeroom_db_commit_seconds",
                                             "Time to run and commit one group of writes.");
  }
}

Result<std::unique_ptr<Database>> Database::Open(Options options, metrics::Registry* metrics) {
  std::unique_ptr<Database> db(new Database(options, metrics));
  HR_ASSIGN_OR_RETURN(auto writer, sql::SqliteConnection::Open(options.path, {}));
  HR_ASSIGN_OR_RETURN(int applied, Migrate(*writer, SystemClock::Instance().NowMs()));
  if (applied > 0) {
    log::Info("db_migrated",
              {{"path", options.path}, {"applied", applied}, {"version", LatestSchemaVersion()}});
  }
  db->writer_conn_ = std::move(writer);
  for (int i = 0; i < options.readers; ++i) {
    HR_ASSIGN_OR_RETURN(auto reader, sql::SqliteConnection::Open(options.path, {}));
    db->free_readers_.push_back(std::move(reader));
  }
  db->readers_ =
      std::make_unique<WorkPool>(WorkPool::Options{.name = "db-read",
                                                   .threads = options.readers,
                                                   .max_queued = options.max_queued_reads,
                                                   .max_per_key = options.max_queued_reads});
  db->writer_ = std::thread([raw = db.get()] { raw->WriterLoop(); });
  if (metrics) {
    Database* raw = db.get();
    metrics->AddGaugeCallback("homeroom_db_queue_depth", "Store jobs waiting.", {{"queue", "read"}},
                              [raw] { return double(raw->queued_reads()); });
    metrics->AddGaugeCallback("homeroom_db_queue_depth", "Store jobs waiting.",
                              {{"queue", "write"}}, [raw] { return double(raw->queued_writes()); });
  }
  return db;
}

Database::~Database() {
  {
    std::lock_guard lock(write_mu_);
    stopping_ = true;
  }
  write_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (readers_) readers_->Stop();
}

Database::ReaderLease::ReaderLease(Database& d) : db(d) {
  std::lock_guard lock(db.reader_mu_);
  // There are as many connections as reader threads, so one is always free here.
  HR_CHECK(!db.free_readers_.empty(), "no free reader connection");
  conn = db.free_readers_.back().release();
  db.free_readers_.pop_back();
}

Database::ReaderLease::~ReaderLease() {
  conn->ResetStatements();
  std::lock_guard lock(db.reader_mu_);
  db.free_readers_.emplace_back(conn);
}

size_t Database::queued_writes() const {
  std::lock_guard lock(write_mu_);
  return writes_.size();
}

bool Database::EnqueueWrite(WriteJob job) {
  {
    std::lock_guard lock(write_mu_);
    if (stopping_ || writes_.size() >= options_.max_queued_writes) return false;
    writes_.push_back(std::move(job));
  }
  write_cv_.notify_one();
  return true;
}

void Database::WriterLoop() {
  sql::Connection& conn = *writer_conn_;
  for (;;) {
    std::vector<WriteJob> batch;
    {
      std::unique_lock lock(write_mu_);
      write_cv_.wait(lock, [&] { return stopping_ || !writes_.empty(); });
      if (writes_.empty()) return;  // stopping and drained
      while (!writes_.empty() && batch.size() < static_cast<size_t>(options_.max_batch)) {
        batch.push_back(std::move(writes_.front()));
        writes_.pop_front();
      }
    }
    auto started = std::chrono::steady_clock::now();
    std::vector<Status> results(batch.size());
    Status commit = conn.Begin();
    if (commit.ok()) {
      for (size_t i = 0; i < batch.size(); ++i) {
        Status sp = conn.Exec("SAVEPOINT job");
        if (!sp.ok()) {
          results[i] = sp;
          continue;
        }
        results[i] = batch[i].run(conn);
        if (!results[i].ok()) (void)conn.Exec("ROLLBACK TO job");
        (void)conn.Exec("RELEASE job");
      }
      commit = conn.Commit();
      if (!commit.ok()) (void)conn.Rollback();
    }
    if (commit_seconds_) {
      commit_seconds_->Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      commits_->Inc();
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      // A job's own error is already in its result; a failed commit fails them all.
      bool ok = commit.ok() && results[i].ok();
      if (writes_committed_) (ok ? writes_committed_ : write_errors_)->Inc();
      batch[i].done(commit.ok() ? Status::Ok() : commit);
    }
  }
}

Status Database::WriteSync(std::function<Status(sql::Connection&)> fn) {
  std::promise<Status> promise;
  auto future = promise.get_future();
  auto job_status = std::make_shared<Status>();
  WriteJob job;
  job.run = [fn = std::move(fn), job_status](sql::Connection& c) {
    *job_status = fn(c);
    return *job_status;
  };
  job.done = [&promise, job_status](Status commit) {
    promise.set_value(commit.ok() ? *job_status : commit);
  };
  if (!EnqueueWrite(std::move(job)))
    return Status::Unavailable("the database writer is at capacity", 1);
  return future.get();
}

Status Database::ReadSync(std::function<Status(sql::Connection&)> fn) {
  std::promise<Status> promise;
  auto future = promise.get_future();
  auto posted = readers_->TryPost([this, &fn, &promise] {
    ReaderLease lease(*this);
    promise.set_value(fn(*lease.conn));
  });
  if (posted != WorkPool::PostResult::kAccepted) {
    return Status::Unavailable("the database readers are at capacity", 1);
  }
  return future.get();
}

Result<std::unique_ptr<sql::Connection>> Database::OpenConnection() {
  HR_ASSIGN_OR_RETURN(auto conn, sql::SqliteConnection::Open(options_.path, {}));
  return std::unique_ptr<sql::Connection>(std::move(conn));
}

Status Database::CheckReady(sql::Connection& conn) {
  HR_ASSIGN_OR_RETURN(int version, CurrentSchemaVersion(conn));
  if (version != LatestSchemaVersion()) {
    return Status::Unavailable("schema version " + std::to_string(version) + " is not current", 5);
  }
  return Status::Ok();
}

}  // namespace homeroom::store
