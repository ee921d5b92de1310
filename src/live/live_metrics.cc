#include "live/live_metrics.h"

#include <string>

namespace homeroom::live {

namespace {
constexpr char kResumes[] = "homeroom_live_resumes_total";
constexpr char kResumesHelp[] = "Reconnects with a resume point, by outcome.";
}  // namespace

LiveMetrics::LiveMetrics(metrics::Registry& r)
    : rooms(r.GetGauge("homeroom_live_rooms", "Live rooms open on this node.")),
      participants(
          r.GetGauge("homeroom_live_participants", "Live participants present or reconnecting.")),
      sockets(r.GetGauge("homeroom_live_sockets", "Sockets attached to live rooms.")),
      dropped_slow_consumers(r.GetCounter(
          "homeroom_live_dropped_slow_consumers_total",
          "Sockets dropped from a room because their outbound queue was full (slow consumers).")),
      resumes_replay(r.GetCounter(kResumes, kResumesHelp, {{"kind", "replay"}})),
      resumes_snapshot(r.GetCounter(kResumes, kResumesHelp, {{"kind", "snapshot"}})) {
  for (size_t i = 0; i < kEventTypeCount; ++i) {
    events[i] = &r.GetCounter("homeroom_live_events_total", "Room events published, by type.",
                              {{"type", std::string(EventTypeName(static_cast<EventType>(i)))}});
  }
  for (size_t i = 0; i < kErrorCodeCount; ++i) {
    rejected[i] = &r.GetCounter("homeroom_live_commands_rejected_total",
                                "Live commands and connects refused, by error code.",
                                {{"code", std::string(ErrorCodeName(static_cast<ErrorCode>(i)))}});
  }
}

}  // namespace homeroom::live
