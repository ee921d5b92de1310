#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "domain/live_calendar.h"
#include "store/database.h"
#include "store/diagnostics_store.h"
#include "store/telemetry_store.h"

namespace homeroom::domain {

// Diagnostics (docs/api.md, "Diagnostics"): one user's timeline for support staff, from what the
// server recorded (sign-ins with address and device, failed and throttled sign-ins, operators'
// block rules covering an address the user came from, live joins and leaves) and what the user's
// devices reported (client telemetry: errors, live disconnects with close codes, page loads), with
// a one-line verdict where the records allow one. Blocks the detector made on its own live in each
// node's memory only (docs/security.md) and are not in the timeline.

// One line of the timeline.
struct TimelineItem {
  int64_t at_ms = 0;
  // sign_in, sign_in_failed, sign_in_throttled, sign_out, activated, blocked, live_join,
  // live_leave, device_error, device_disconnect, device_page_load
  std::string kind;
  std::string origin;  // "server" | "device"
  std::string ip;      // empty when not known
  boost::json::object detail;
};

struct Timeline {
  std::vector<TimelineItem> items;  // oldest first
  std::string verdict;
  bool truncated = false;  // a source held more rows than one read takes
};

// Everything recorded about one user in [from_ms, to_ms).
struct DiagnosticsFacts {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  std::vector<store::UserAuthEvent> auth_events;
  std::vector<store::UserSignIn> sign_ins;
  std::vector<store::UserLiveInterval> live;
  std::vector<store::BlockRuleRow> block_rules;  // every operator block of the range
  std::vector<store::ClientEventRecord> device;
  bool truncated = false;
};

// The timeline and its verdict, times in the verdict on the district's clock ("08:02"). Pure.
Timeline BuildTimeline(const DiagnosticsFacts& facts, const DistrictZone& zone);

// Reads the facts and builds the timeline. Thread-safe.
class DiagnosticsService {
 public:
  // Most rows read from each source for one timeline.
  static constexpr int64_t kMaxRowsPerSource = 500;

  DiagnosticsService(store::Database& db, DistrictZone zone) : db_(db), zone_(std::move(zone)) {}

  boost::asio::awaitable<Result<Timeline>> ForUser(int64_t user_id, std::string username,
                                                   int64_t from_ms, int64_t to_ms);

 private:
  store::Database& db_;
  DistrictZone zone_;
};

}  // namespace homeroom::domain
