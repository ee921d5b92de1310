#pragma once

#include <string>

#include "core/metrics.h"

namespace homeroom::media {

// The media control plane's metrics, looked up once in the registry:
//   homeroom_media_instances_healthy              gauge    Janus instances currently healthy
//   homeroom_media_instance_healthy{instance}     gauge    1 when that instance is healthy
//   homeroom_media_instance_load{instance}        gauge    rooms + participants placed there
//   homeroom_media_rooms                          gauge    rooms with media placed on an instance
//   homeroom_media_janus_requests_total{outcome}  counter  Janus API calls: ok | janus_error |
//                                                          unreachable
//   homeroom_media_health_checks_failed_total     counter  failed health checks, all instances
//   homeroom_media_sessions_lost_total            counter  Homeroom's Janus session lost (Janus
//                                                          restarted or dropped it)
//   homeroom_media_placements_total{outcome}      counter  rooms placed: placed | no_instance |
//                                                          failed
//   homeroom_media_events_total                   counter  Janus events received (long poll)
// Per-instance series are created by InstanceHealthy()/InstanceLoad(). Thread-safe.
struct MediaMetrics {
  explicit MediaMetrics(metrics::Registry& registry);

  metrics::Gauge& InstanceHealthy(const std::string& instance);
  metrics::Gauge& InstanceLoad(const std::string& instance);

  metrics::Registry& registry;
  metrics::Gauge& instances_healthy;
  metrics::Gauge& rooms;
  metrics::Counter& requests_ok;
  metrics::Counter& requests_janus_error;
  metrics::Counter& requests_unreachable;
  metrics::Counter& health_checks_failed;
  metrics::Counter& sessions_lost;
  metrics::Counter& placements_placed;
  metrics::Counter& placements_no_instance;
  metrics::Counter& placements_failed;
  metrics::Counter& events;
};

}  // namespace homeroom::media
