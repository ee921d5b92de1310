#include "core/work_pool.h"

#include <pthread.h>

namespace homeroom {

WorkPool::WorkPool(Options options) : options_(std::move(options)) {
  threads_.reserve(options_.threads);
  for (int i = 0; i < options_.threads; ++i) {
    threads_.emplace_back([this, i] {
      std::string name = (options_.name + "-" + std::to_string(i)).substr(0, 15);
      pthread_setname_np(pthread_self(), name.c_str());
      Loop();
    });
  }
}

WorkPool::~WorkPool() { Stop(); }

WorkPool::PostResult WorkPool::TryPost(const std::string& key, std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return PostResult::kStopped;
    if (queued_ >= options_.max_queued) return PostResult::kQueueFull;
    auto& fifo = by_key_[key];
    if (fifo.size() >= options_.max_per_key) return PostResult::kKeyFull;
    if (fifo.empty()) ring_.push_back(key);
    fifo.push_back(std::move(job));
    ++queued_;
  }
  cv_.notify_one();
  return PostResult::kAccepted;
}

size_t WorkPool::queued() const {
  std::lock_guard lock(mu_);
  return queued_;
}

size_t WorkPool::running() const {
  std::lock_guard lock(mu_);
  return running_;
}

void WorkPool::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  std::lock_guard lock(mu_);
  threads_.clear();
}

void WorkPool::Loop() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || queued_ > 0; });
      if (queued_ == 0) return;  // stopping and drained
      // Take the head of the next key in the ring, then move that key to the back.
      std::string key = std::move(ring_.front());
      ring_.pop_front();
      auto it = by_key_.find(key);
      job = std::move(it->second.front());
      it->second.pop_front();
      if (it->second.empty()) {
        by_key_.erase(it);
      } else {
        ring_.push_back(std::move(key));
      }
      --queued_;
      ++running_;
    }
    job();
    std::lock_guard lock(mu_);
    --running_;
  }
}

}  // namespace homeroom
