#pragma once

#include <cstddef>
#include <cstdint>

namespace homeroom::media {

// Every limit and timeout of the Janus control plane, with a safe default. docs/operations.md
// ("Media: Janus") lists the same settings with their `homeroom serve` flags. A plain value type.
struct MediaOptions {
  // One Janus API or admin API request (connect, send, answer), loopback only. A Janus that does
  // not answer within this is treated as failing.
  int64_t request_timeout_ms = 3'000;
  // How long an asynchronous VideoRoom request (join, configure, publish, start) may take for its
  // event to arrive on the long poll after Janus acknowledged it.
  int64_t event_timeout_ms = 10'000;
  // The long poll of a Janus session's events. Janus answers an idle poll after 30 s with a
  // keepalive, so this must be longer.
  int64_t long_poll_timeout_ms = 45'000;
  // Events one long-poll answer carries at most (Janus's `maxev`).
  int max_events_per_poll = 16;
  // Largest Janus answer accepted (an SDP is a few KB; room lists grow with rooms).
  size_t max_response_bytes = 1 << 20;

  // Period of each instance's health check: GET info and a keepalive of Homeroom's Janus session
  // (the configuration's session_timeout is 60 s, so this must stay well below it).
  int64_t health_interval_ms = 2'000;
  // Consecutive failed checks before an instance is marked unhealthy (no new rooms, its rooms
  // media-unavailable). One success marks it healthy again.
  int failures_before_unhealthy = 2;

  // Rooms Homeroom places on one Janus instance at most; a session beyond it gets no media.
  size_t max_rooms_per_instance = 500;
  // Publishers (senders of audio/video) one room admits at most: the teacher's camera and screen
  // count, and every student given the floor.
  size_t max_publishers_per_room = 6;
  // Bitrate cap of each publisher in a room (VideoRoom `bitrate`), bits per second.
  int64_t publisher_bitrate_bps = 512'000;
};

}  // namespace homeroom::media
