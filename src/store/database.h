#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "core/metrics.h"
#include "core/offload.h"
#include "core/work_pool.h"
#include "store/sql.h"

namespace homeroom::store {

// The store's threads: one writer that group-commits and a few readers in parallel under WAL.
// I/O threads never touch SQLite; they co_await Read() or Write(), which run the given function on
// a store thread and resume the coroutine on its own executor. Both queues are bounded: when full
// the call completes at once with kUnavailable (503 + Retry-After).
//
// Group commit: the writer takes up to `max_batch` queued writes, runs each inside its own
// SAVEPOINT of one transaction (a failed write rolls back alone), commits once, then completes
// them all. One fsync serves many requests.
//
// Callers: pass Read() and Write() a named lambda, not a temporary (GCC 12 destroys a temporary
// argument of a co_await expression twice; see docs/architecture.md, "Coroutines").
//
// Thread-safe.
class Database {
 public:
  struct Options {
    std::string path;  // the SQLite file (created if missing)
    int readers = 2;   // reader threads, each with its own connection
    size_t max_queued_reads = 2048;
    size_t max_queued_writes = 2048;
    int max_batch = 128;  // writes per group commit
  };

  // Opens the connections and applies pending migrations. Fails if the file cannot be opened or a
  // migration fails.
  static Result<std::unique_ptr<Database>> Open(Options options, metrics::Registry* metrics);
  ~Database();

  // Runs fn(sql::Connection&) -> Result<T> or Status on a reader thread.
  template <typename Fn>
  auto Read(Fn fn) -> boost::asio::awaitable<std::invoke_result_t<Fn&, sql::Connection&>> {
    using R = std::invoke_result_t<Fn&, sql::Connection&>;
    // Named, not a temporary: GCC 12 destroys a temporary argument of a co_await twice.
    auto job = [this, fn = std::move(fn)]() mutable -> R {
      ReaderLease lease(*this);
      return fn(*lease.conn);
    };
    std::string key;
    co_return co_await Offload(*readers_, std::move(key), std::move(job));
  }

  // Runs fn(sql::Connection&) -> Result<T> or Status on the writer thread inside a transaction.
  // fn's changes are committed when the result is OK and rolled back when it is an error.
  template <typename Fn>
  auto Write(Fn fn) -> boost::asio::awaitable<std::invoke_result_t<Fn&, sql::Connection&>> {
    using R = std::invoke_result_t<Fn&, sql::Connection&>;
    auto executor = co_await boost::asio::this_coro::executor;
    // Named, not a temporary inside the co_await expression (GCC 12, see Read()).
    auto initiation = [this, executor](auto handler, Fn fn) {
      auto shared = std::make_shared<decltype(handler)>(std::move(handler));
      auto result = std::make_shared<std::optional<R>>();
      WriteJob job;
      job.run = [fn = std::move(fn), result](sql::Connection& c) mutable -> Status {
        R r = fn(c);
        Status s = StatusOf(r);
        result->emplace(std::move(r));
        return s;
      };
      job.done = [shared, result, executor](Status commit) {
        R r = commit.ok() ? std::move(**result) : R(commit);
        boost::asio::post(executor,
                          [shared, r = std::move(r)]() mutable { (*shared)(std::move(r)); });
      };
      if (!EnqueueWrite(std::move(job))) {
        boost::asio::post(executor, [shared]() mutable {
          (*shared)(R(Status::Unavailable("the database writer is at capacity", 1)));
        });
      }
    };
    co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(R)>(
        initiation, boost::asio::use_awaitable, std::move(fn));
  }

  // Runs fn synchronously on the calling thread inside a write transaction through the writer's
  // queue (CLI commands, tests). Blocks until committed.
  Status WriteSync(std::function<Status(sql::Connection&)> fn);
  // Runs fn synchronously on a reader connection (CLI commands, tests).
  Status ReadSync(std::function<Status(sql::Connection&)> fn);

  // Opens an extra connection for the caller's own use (the importer's one big transaction).
  Result<std::unique_ptr<sql::Connection>> OpenConnection();

  // OK when the store answers a query and the schema is current (readiness); run it through
  // Read() from a request.
  static Status CheckReady(sql::Connection& conn);

  size_t queued_reads() const { return readers_->queued(); }
  size_t queued_writes() const;

 private:
  struct WriteJob {
    std::function<Status(sql::Connection&)> run;
    std::function<void(Status)> done;  // called with the commit's status
  };
  // Borrows a free reader connection for the duration of one job.
  struct ReaderLease {
    explicit ReaderLease(Database& db);
    ~ReaderLease();
    Database& db;
    sql::Connection* conn;
  };

  template <typename R>
  static Status StatusOf(const R& r) {
    if constexpr (std::is_same_v<R, Status>)
      return r;
    else
      return r.status();
  }

  Database(Options options, metrics::Registry* metrics);
  bool EnqueueWrite(WriteJob job);
  void WriterLoop();

  const Options options_;
  std::unique_ptr<sql::Connection> writer_conn_;  // owned by the writer thread
  std::unique_ptr<WorkPool> readers_;

  std::mutex reader_mu_;
  std::vector<std::unique_ptr<sql::Connection>> free_readers_;  // guarded by reader_mu_

  mutable std::mutex write_mu_;
  std::condition_variable write_cv_;
  std::deque<WriteJob> writes_;  // guarded by write_mu_
  bool stopping_ = false;        // guarded by write_mu_
  std::thread writer_;

  metrics::Counter* commits_ = nullptr;
  metrics::Counter* write_errors_ = nullptr;
  metrics::Histogram* commit_seconds_ = nullptr;
  metrics::Counter* writes_committed_ = nullptr;
};

}  // namespace homeroom::store
