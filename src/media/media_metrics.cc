#include "media/media_metrics.h"

namespace homeroom::media {
namespace {
constexpr char kRequests[] = "homeroom_media_janus_requests_total";
constexpr char kRequestsHelp[] = "Janus API and admin API calls, by outcome.";
constexpr char kPlacements[] = "homeroom_media_placements_total";
constexpr char kPlacementsHelp[] = "Rooms placed on a Janus instance, by outcome.";
}  // namespace

MediaMetrics::MediaMetrics(metrics::Registry& r)
    : registry(r),
      instances_healthy(
          r.GetGauge("homeroom_media_instances_healthy", "Janus instances currently healthy.")),
      rooms(
          r.GetGauge("homeroom_media_rooms", "Live rooms with media placed on a Janus instance.")),
      requests_ok(r.GetCounter(kRequests, kRequestsHelp, {{"outcome", "ok"}})),
      requests_janus_error(r.GetCounter(kRequests, kRequestsHelp, {{"outcome", "janus_error"}})),
      requests_unreachable(r.GetCounter(kRequests, kRequestsHelp, {{"outcome", "unreachable"}})),
      health_checks_failed(r.GetCounter("homeroom_media_health_checks_failed_total",
                                        "Failed Janus health checks, all instances.")),
      sessions_lost(r.GetCounter("homeroom_media_sessions_lost_total",
                                 "Times Homeroom's Janus session was lost (Janus restarted).")),
      placements_placed(r.GetCounter(kPlacements, kPlacementsHelp, {{"outcome", "placed"}})),
      placements_no_instance(
          r.GetCounter(kPlacements, kPlacementsHelp, {{"outcome", "no_instance"}})),
      placements_failed(r.GetCounter(kPlacements, kPlacementsHelp, {{"outcome", "failed"}})),
      events(r.GetCounter("homeroom_media_events_total", "Janus events received (long poll).")) {}

metrics::Gauge& MediaMetrics::InstanceHealthy(const std::string& instance) {
  return registry.GetGauge("homeroom_media_instance_healthy",
                           "1 when the Janus instance is healthy.", {{"instance", instance}});
}

metrics::Gauge& MediaMetrics::InstanceLoad(const std::string& instance) {
  return registry.GetGauge("homeroom_media_instance_load",
                           "Rooms plus participants Homeroom placed on the Janus instance.",
                           {{"instance", instance}});
}

}  // namespace homeroom::media
