#include "core/work_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace homeroom {
namespace {

TEST(WorkPool, RunsJobsAndRefusesWhenFull) {
  WorkPool pool({.name = "t", .threads = 1, .max_queued = 2, .max_per_key = 2});
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::atomic<int> ran{0};
  // The first job blocks the only thread; two more fill the queue; the fourth is refused.
  ASSERT_EQ(pool.TryPost([gate, &ran] {
    gate.wait();
    ++ran;
  }),
            WorkPool::PostResult::kAccepted);
  while (pool.running() == 0) std::this_thread::yield();
  EXPECT_EQ(pool.TryPost([&] { ++ran; }), WorkPool::PostResult::kAccepted);
  EXPECT_EQ(pool.TryPost([&] { ++ran; }), WorkPool::PostResult::kAccepted);
  EXPECT_EQ(pool.TryPost([&] { ++ran; }), WorkPool::PostResult::kQueueFull);
  release.set_value();
  pool.Stop();
  EXPECT_EQ(ran.load(), 3);
  EXPECT_EQ(pool.TryPost([] {}), WorkPool::PostResult::kStopped);
}

TEST(WorkPool, OneKeyCannotFillTheQueue) {
  WorkPool pool({.name = "t", .threads = 1, .max_queued = 10, .max_per_key = 2});
  std::promise<void> release;
  auto gate = release.get_future().share();
  ASSERT_EQ(pool.TryPost("blocker", [gate] { gate.wait(); }), WorkPool::PostResult::kAccepted);
  while (pool.running() == 0) std::this_thread::yield();
  EXPECT_EQ(pool.TryPost("attacker", [] {}), WorkPool::PostResult::kAccepted);
  EXPECT_EQ(pool.TryPost("attacker", [] {}), WorkPool::PostResult::kAccepted);
  EXPECT_EQ(pool.TryPost("attacker", [] {}), WorkPool::PostResult::kKeyFull);
  EXPECT_EQ(pool.TryPost("student", [] {}), WorkPool::PostResult::kAccepted);
  release.set_value();
}

TEST(WorkPool, KeysAreServedRoundRobin) {
  WorkPool pool({.name = "t", .threads = 1, .max_queued = 100, .max_per_key = 100});
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::mutex mu;
  std::string order;
  pool.TryPost("x", [gate] { gate.wait(); });
  while (pool.running() == 0) std::this_thread::yield();
  for (int i = 0; i < 3; ++i)
    pool.TryPost("a", [&] {
      std::lock_guard l(mu);
      order += 'a';
    });
  pool.TryPost("b", [&] {
    std::lock_guard l(mu);
    order += 'b';
  });
  release.set_value();
  pool.Stop();
  EXPECT_EQ(order, "abaa");  // b waits behind one a, not behind all of them
}

}  // namespace
}  // namespace homeroom
