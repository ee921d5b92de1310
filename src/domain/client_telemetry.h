#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "guard/token_bucket.h"
#include "store/database.h"
#include "store/telemetry_store.h"

namespace homeroom::domain {

// Client telemetry (docs/api.md, "Client telemetry"): what the web app saw on the user's device,
// which the server cannot see itself: script errors, live-socket disconnects with their close
// codes, round-trip samples and page-load timings. Support staff read it in the diagnostics
// timeline. Every report is authenticated, bounded in size and rate, and kept for a bounded time.

struct TelemetryOptions {
  // Events in one report, and the report's body bytes.
  size_t max_events_per_report = 20;
  size_t max_report_bytes = 16 << 10;
  // Events one user may report: a sustained rate per minute and a burst (one bad page must not
  // fill the table).
  double events_per_minute = 60;
  double burst = 60;
  // Longest text field (message, reason, source), in characters; longer ones are cut, not
  // refused (an error message is evidence even when it is long).
  size_t max_text_chars = 500;
  // Longest page path, in bytes.
  size_t max_page_bytes = 200;
  // Events received longer ago are pruned by the maintenance loop.
  std::chrono::hours retention{14 * 24};
  // How far a device's clock may be from the server's before its `at` is replaced by the time
  // of receipt (a wrong clock must not move events around the timeline).
  std::chrono::minutes max_clock_skew{24 * 60};
  // Most events one timeline read returns.
  int64_t max_read = 1000;
};

// The kinds, as the API spells them.
inline constexpr std::string_view kClientEventKinds[] = {"error", "ws_disconnect", "rtt",
                                                         "page_load"};

// Checks and normalizes a report's events (the JSON array `events`): each an object with a known
// `kind`, an optional `at_ms` (the device's epoch milliseconds; else, or when it is further than
// max_clock_skew from `received_ms`, `received_ms`), a `page` (the app's path) and the kind's
// fields: error {message, source?}, ws_disconnect {code, reason?, clean?, connected_ms?},
// rtt {ms}, page_load {ttfb_ms, dom_ms, load_ms}. Unknown members are dropped. kInvalidArgument
// naming the event's index and field; the whole report is refused, none of it kept. Pure.
Result<std::vector<store::ClientEventRecord>> ParseClientEvents(const boost::json::array& events,
                                                                int64_t received_ms,
                                                                const TelemetryOptions& options);

// Reports into the store, per-user rate limits, reads for support, pruning. Thread-safe.
// Metrics: homeroom_telemetry_events_total{kind}, homeroom_telemetry_refused_total{reason}
// (rate_limited, invalid), homeroom_telemetry_pruned_total.
class TelemetryService {
 public:
  TelemetryService(store::Database& db, const Clock& clock, metrics::Registry& metrics,
                   TelemetryOptions options);

  const TelemetryOptions& options() const { return options_; }

  // Checks and stores one report of `user_id`'s device. kInvalidArgument as ParseClientEvents;
  // kResourceExhausted (429, Retry-After) when the user is over their rate: then nothing is kept.
  // Returns the number of events stored.
  boost::asio::awaitable<Result<int64_t>> Report(int64_t user_id, std::string ip,
                                                 std::string user_agent,
                                                 const boost::json::array& events);

  // `user_id`'s events that happened in [from_ms, to_ms), oldest first, at most max_read.
  boost::asio::awaitable<Result<std::vector<store::ClientEventRecord>>> ForUser(int64_t user_id,
                                                                                int64_t from_ms,
                                                                                int64_t to_ms);

  // Removes events past the retention; returns how many.
  boost::asio::awaitable<Result<int64_t>> Prune();

 private:
  // Takes `n` tokens of the user's bucket (all or none). False, with *retry_after_s, when short.
  bool Admit(int64_t user_id, size_t n, int* retry_after_s);

  store::Database& db_;
  const Clock& clock_;
  const TelemetryOptions options_;
  const guard::RateLimit rate_;
  std::mutex mu_;
  std::unordered_map<int64_t, guard::TokenBucket> buckets_;  // guarded by mu_
  metrics::Registry& metrics_;
  metrics::Counter& refused_rate_;
  metrics::Counter& refused_invalid_;
  metrics::Counter& pruned_;
};

}  // namespace homeroom::domain
