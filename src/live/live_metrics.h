#pragma once

#include <array>

#include "core/metrics.h"
#include "live/protocol.h"

namespace homeroom::live {

// The hub's metrics, looked up once in the registry (every series exists from the start, so a
// scrape shows zeros rather than nothing):
//   homeroom_live_rooms                          gauge    rooms open on this node
//   homeroom_live_participants                   gauge    participants present or reconnecting
//   homeroom_live_sockets                        gauge    sockets attached to rooms
//   homeroom_live_events_total{type}             counter  room events published, by event type
//   homeroom_live_dropped_slow_consumers_total   counter  sockets dropped: outbound queue full
//   homeroom_live_commands_rejected_total{code}  counter  commands and connects refused, by code
//   homeroom_live_resumes_total{kind}            counter  reconnects with a resume point:
//                                                         kind=replay|snapshot
// Thread-safe (the metrics are atomics).
struct LiveMetrics {
  explicit LiveMetrics(metrics::Registry& registry);

  metrics::Gauge& rooms;
  metrics::Gauge& participants;
  metrics::Gauge& sockets;
  metrics::Counter& dropped_slow_consumers;
  metrics::Counter& resumes_replay;
  metrics::Counter& resumes_snapshot;
  std::array<metrics::Counter*, kEventTypeCount> events{};
  std::array<metrics::Counter*, kErrorCodeCount> rejected{};

  metrics::Counter& Event(EventType t) { return *events[static_cast<size_t>(t)]; }
  metrics::Counter& Rejected(ErrorCode c) { return *rejected[static_cast<size_t>(c)]; }
};

}  // namespace homeroom::live
