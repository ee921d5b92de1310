#pragma once

#include <cstddef>
#include <cstdint>

namespace homeroom::live {

// Every limit of the live-class hub, with a safe default. docs/live-protocol.md ("Limits") lists
// the same settings; the transport's own limits (frame size, per-socket rate and outbound bytes,
// ping timeouts) live in src/net. A plain value type.
struct HubOptions {
  // Encoded events kept per room for resume. A client more than this many events behind gets a
  // fresh snapshot instead of a replay.
  size_t history_events = 512;
  // How long a participant whose last socket closed stays "reconnecting" before they leave (no
  // left/joined flapping, attendance interval kept open). 0 leaves at once.
  int64_t reconnect_grace_ms = 15'000;

  // Chat: longest message in characters (UTF-8 code points), and at most
  // `chat_messages_per_window` messages per user per `rate_window_ms`.
  size_t chat_max_chars = 500;
  int chat_messages_per_window = 5;
  // Presence updates (connection quality reports) per user per `rate_window_ms`.
  int presence_updates_per_window = 5;
  int64_t rate_window_ms = 10'000;
  // Chat messages a room remembers for snapshots and for "delete message".
  size_t chat_retained_messages = 200;
  // Of those, how many (the most recent the recipient may see) a snapshot carries.
  size_t snapshot_chat_messages = 50;

  // Polls: per room over its life, options per poll, and text lengths in characters.
  size_t max_polls = 20;
  size_t max_poll_options = 10;
  size_t poll_question_max_chars = 300;
  size_t poll_option_max_chars = 100;

  // Participants plus waiting students a room holds; one more is refused (room_full, close 1013).
  size_t max_members_per_room = 1000;
  // Sockets one user may hold in one room; a newer socket replaces the oldest (close 1008).
  size_t max_sockets_per_user = 3;

  // How often rooms report the present user ids to the AttendanceSink.
  int64_t heartbeat_interval_ms = 30'000;
  // A room that is empty ends by itself this long after max(scheduled end, moment it emptied).
  int64_t auto_end_delay_ms = 10 * 60'000;
  // Each room's timer period: grace, heartbeat and auto-end are checked at this granularity.
  int64_t tick_interval_ms = 1'000;
  // Ended sessions the hub remembers to refuse late sockets (oldest forgotten first).
  size_t ended_rooms_remembered = 4096;
};

}  // namespace homeroom::live
