#include "app/periodic_task.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

namespace homeroom::app {
namespace {

using namespace std::chrono_literals;

// Runs `ioc` on two threads (as the API server does) and reports whether it ran out of work
// within `limit`; a task that kept a timer armed after Stop() keeps it busy forever.
bool RunsOutOfWork(boost::asio::io_context& ioc, std::chrono::seconds limit) {
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  auto done = std::async(std::launch::async, [&threads] {
    for (auto& t : threads) t.join();
  });
  if (done.wait_for(limit) == std::future_status::ready) return true;
  ioc.stop();  // let the threads end so that the test can fail instead of hanging
  done.wait();
  return false;
}

boost::asio::awaitable<void> Count(std::atomic<int>& runs) {
  ++runs;
  co_return;
}

TEST(PeriodicTask, RunsEveryIntervalUntilStopped) {
  boost::asio::io_context ioc;
  std::atomic<int> runs = 0;
  PeriodicTask task(ioc.get_executor(), 1ms, [&runs] { return Count(runs); });
  task.Start();
  std::thread stopper([&] {
    while (runs < 3) std::this_thread::sleep_for(1ms);
    task.Stop();
  });
  EXPECT_TRUE(RunsOutOfWork(ioc, 30s));
  stopper.join();
  EXPECT_GE(runs, 3);
}

TEST(PeriodicTask, AFirstDelayBringsTheFirstRunForward) {
  boost::asio::io_context ioc;
  std::atomic<int> runs = 0;
  PeriodicTask task(ioc.get_executor(), 1h, [&runs] { return Count(runs); });
  task.Start(1ms);
  std::thread stopper([&] {
    while (runs < 1) std::this_thread::sleep_for(1ms);
    task.Stop();
  });
  // Without the first delay the run would be an hour away and the io_context busy until then.
  EXPECT_TRUE(RunsOutOfWork(ioc, 30s));
  stopper.join();
  EXPECT_EQ(runs, 1);
}

// The race that hung servers stopped right after they started: the stop arrives on another
// thread before the loop has armed its first wait. Many rounds make the interleaving likely.
TEST(PeriodicTask, StopRightAfterStartAlwaysLetsTheContextFinish) {
  for (int round = 0; round < 300; ++round) {
    boost::asio::io_context ioc;
    std::atomic<int> runs = 0;
    PeriodicTask task(ioc.get_executor(), 1h, [&runs] { return Count(runs); });
    task.Start();
    task.Stop();
    ASSERT_TRUE(RunsOutOfWork(ioc, 30s)) << "round " << round;
    EXPECT_EQ(runs, 0);
  }
}

}  // namespace
}  // namespace homeroom::app
