#include "core/log.h"

#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <mutex>
#include <thread>

#include "core/clock.h"

namespace homeroom::log {
namespace {

struct State {
  std::mutex mu;  // guards (re)initialisation only
  std::shared_ptr<spdlog::details::thread_pool> pool;
  std::shared_ptr<spdlog::logger> logger;
  std::shared_ptr<std::ostream> capture;  // kept alive while the sink writes to it
  std::atomic<int> min_level{static_cast<int>(Level::kInfo)};
};

State& GetState() {
  static State* state = new State();  // never destroyed: logging may happen during exit
  return *state;
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

spdlog::level::level_enum ToSpd(Level level) {
  switch (level) {
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

void Init(const Options& options) {
  State& s = GetState();
  std::lock_guard lock(s.mu);
  if (s.logger) s.logger->flush();
  s.capture = options.capture;
  spdlog::sink_ptr sink;
  if (s.capture) {
    sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*s.capture, /*force_flush=*/true);
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }
  sink->set_pattern("%v");
  s.pool = std::make_shared<spdlog::details::thread_pool>(options.queue_lines, 1);
  s.logger = std::make_shared<spdlog::async_logger>("homeroom", sink, s.pool,
                                                    spdlog::async_overflow_policy::overrun_oldest);
  s.logger->set_level(spdlog::level::debug);
  s.min_level = static_cast<int>(options.min_level);
}

void Flush() {
  State& s = GetState();
  std::shared_ptr<spdlog::logger> logger;
  std::shared_ptr<spdlog::details::thread_pool> pool;
  {
    std::lock_guard lock(s.mu);
    logger = s.logger;
    pool = s.pool;
  }
  if (!logger) return;
  logger->flush();
  // flush() on an async logger only enqueues; wait until the worker has drained the queue.
  for (int i = 0; i < 1000 && pool->queue_size() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  logger->flush();
}

uint64_t DroppedLines() {
  State& s = GetState();
  std::lock_guard lock(s.mu);
  return s.pool ? s.pool->overrun_counter() : 0;
}

void Write(Level level, std::string_view event, boost::json::object fields) {
  State& s = GetState();
  if (static_cast<int>(level) < s.min_level.load(std::memory_order_relaxed)) return;
  std::shared_ptr<spdlog::logger> logger;
  {
    std::lock_guard lock(s.mu);
    logger = s.logger;
  }
  if (!logger) {
    Init(Options{});
    std::lock_guard lock(s.mu);
    logger = s.logger;
  }
  boost::json::object line;
  line.reserve(fields.size() + 3);
  line["time"] = FormatIsoUtc(SystemClock::Instance().NowMs());
  line["level"] = LevelName(level);
  line["event"] = event;
  for (auto& kv : fields) line[kv.key()] = std::move(kv.value());
  logger->log(ToSpd(level), boost::json::serialize(line));
}

bool ParseLevel(std::string_view text, Level* out) {
  if (text == "debug")
    *out = Level::kDebug;
  else if (text == "info")
    *out = Level::kInfo;
  else if (text == "warn")
    *out = Level::kWarn;
  else if (text == "error")
    *out = Level::kError;
  else
    return false;
  return true;
}

}  // namespace homeroom::log
