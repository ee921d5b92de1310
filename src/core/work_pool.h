#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace homeroom {

// A fixed set of threads draining a bounded queue of jobs: where blocking work (SQLite reads,
// password hashing) runs so that I/O threads never block.
//
// Fairness: each job carries a key (a client IP for hashing, "" when fairness does not matter).
// Jobs of different keys are taken round-robin and one key may hold at most `max_per_key` queued
// jobs, so a single source cannot fill the queue. A full queue is an answer, not a wait: TryPost
// returns a reason and the caller turns it into 503 + Retry-After.
//
// Thread-safe. The destructor stops accepting, runs what is queued, and joins the threads.
class WorkPool {
 public:
  struct Options {
    std::string name;  // for metrics and thread names
    int threads = 1;
    size_t max_queued = 1024;   // jobs waiting, all keys together
    size_t max_per_key = 1024;  // jobs waiting for one key
  };
  enum class PostResult { kAccepted, kQueueFull, kKeyFull, kStopped };

  explicit WorkPool(Options options);
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues `job` to run on a pool thread. Never blocks.
  PostResult TryPost(const std::string& key, std::function<void()> job);
  PostResult TryPost(std::function<void()> job) { return TryPost(std::string(), std::move(job)); }

  size_t queued() const;   // jobs waiting
  size_t running() const;  // jobs being run now
  const Options& options() const { return options_; }

  // Stops accepting, runs what is queued, joins. Idempotent.
  void Stop();

 private:
  void Loop();

  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Keys with queued jobs, in round-robin order; each key's FIFO. Guarded by mu_.
  std::list<std::string> ring_;
  std::unordered_map<std::string, std::deque<std::function<void()>>> by_key_;
  size_t queued_ = 0;   // guarded by mu_
  size_t running_ = 0;  // guarded by mu_
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace homeroom
