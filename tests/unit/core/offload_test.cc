#include "core/offload.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

namespace homeroom {
namespace {

TEST(Offload, RunsOnThePoolAndResumesOnTheCallersThread) {
  boost::asio::io_context io;
  WorkPool pool({.name = "t", .threads = 1});
  std::thread::id worker, resumed;
  Result<int> got = Status::Internal("unset");
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        got = co_await Offload(pool, "", [&]() -> Result<int> {
          worker = std::this_thread::get_id();
          return 42;
        });
        resumed = std::this_thread::get_id();
      },
      boost::asio::detached);
  io.run();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 42);
  EXPECT_NE(worker, std::this_thread::get_id());
  EXPECT_EQ(resumed, std::this_thread::get_id());
}

TEST(Offload, FullPoolAnswersUnavailableWithRetryAfter) {
  boost::asio::io_context io;
  WorkPool pool({.name = "hashing", .threads = 1, .max_queued = 0});
  Status got;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        got = co_await Offload(
            pool, "", [] { return Status::Ok(); }, 5);
      },
      boost::asio::detached);
  io.run();
  EXPECT_EQ(got.code(), StatusCode::kUnavailable);
  EXPECT_EQ(got.retry_after_s(), 5);
  EXPECT_NE(got.message().find("hashing"), std::string::npos);
}

}  // namespace
}  // namespace homeroom
