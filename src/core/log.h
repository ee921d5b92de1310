#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace homeroom::log {

enum class Level { kDebug, kInfo, kWarn, kError };

struct Options {
  Level min_level = Level::kInfo;
  // Lines go to stderr unless a capture stream is given (tests read what was logged from it).
  std::shared_ptr<std::ostream> capture;
  // Lines waiting to be written; when full the oldest are dropped and counted, so a flood of
  // log lines can never block an I/O thread.
  size_t queue_lines = 65536;
};

// Sets up the process-wide JSON-lines logger. Safe to call again (tests); not concurrently with
// Write().
void Init(const Options& options);
// Writes everything queued so far (tests, shutdown).
void Flush();
// Lines dropped because the queue was full.
uint64_t DroppedLines();

// Writes one JSON line: {"time":..., "level":..., "event": event, ...fields}. Thread-safe and
// non-blocking. Never pass passwords, tokens or cookies in fields.
void Write(Level level, std::string_view event, boost::json::object fields = {});

inline void Debug(std::string_view e, boost::json::object f = {}) {
  Write(Level::kDebug, e, std::move(f));
}
inline void Info(std::string_view e, boost::json::object f = {}) {
  Write(Level::kInfo, e, std::move(f));
}
inline void Warn(std::string_view e, boost::json::object f = {}) {
  Write(Level::kWarn, e, std::move(f));
}
inline void Error(std::string_view e, boost::json::object f = {}) {
  Write(Level::kError, e, std::move(f));
}

// Parses "debug" | "info" | "warn" | "error"; false on anything else.
bool ParseLevel(std::string_view text, Level* out);

}  // namespace homeroom::log
