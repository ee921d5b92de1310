#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <type_traits>
#include <utility>

#include "core/status.h"
#include "core/work_pool.h"

namespace homeroom {

// Runs `fn` (returning Result<T> or Status) on `pool` and resumes the calling coroutine on its own
// executor with the result. When the pool refuses the job, resumes at once with kUnavailable and a
// Retry-After of `retry_after_s` seconds, so an overloaded pool answers 503 instead of queueing.
//
//   Result<User> user = co_await Offload(db_readers, ip, [&] { return users.Find(id); });
//
// `fn` runs on another thread: it must not touch state owned by the caller's strand.
template <typename Fn>
auto Offload(WorkPool& pool, std::string key, Fn fn, int retry_after_s = 1)
    -> boost::asio::awaitable<std::invoke_result_t<Fn&>> {
  using R = std::invoke_result_t<Fn&>;
  auto executor = co_await boost::asio::this_coro::executor;
  // The initiation is a named object, not a temporary inside the co_await expression: GCC 12
  // destroys such temporaries twice (docs/architecture.md, "Coroutines").
  auto initiation = [&pool, &key, executor, retry_after_s](auto handler, Fn fn) {
    using Handler = decltype(handler);
    auto shared = std::make_shared<Handler>(std::move(handler));
    auto result = pool.TryPost(key, [shared, executor, fn = std::move(fn)]() mutable {
      R r = fn();
      boost::asio::post(executor,
                        [shared, r = std::move(r)]() mutable { (*shared)(std::move(r)); });
    });
    if (result != WorkPool::PostResult::kAccepted) {
      std::string why =
          result == WorkPool::PostResult::kKeyFull
              ? "too many requests from this source are waiting in " + pool.options().name
              : pool.options().name + " is at capacity";
      boost::asio::post(executor, [shared, why = std::move(why), retry_after_s]() mutable {
        (*shared)(R(Status::Unavailable(std::move(why), retry_after_s)));
      });
    }
  };
  co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(R)>(
      initiation, boost::asio::use_awaitable, std::move(fn));
}

}  // namespace homeroom
