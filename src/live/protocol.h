#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "live/room_types.h"

namespace homeroom::live {

// The live protocol's names and encoders (docs/live-protocol.md is the reference). Pure
// functions; thread-safe.

// Sent in `welcome.protocol`; bumped when the protocol changes (2: media signaling, media.*;
// 3: each publisher's `streams` (mid and kind), and `media.subscribe` by `streams`).
inline constexpr int kProtocolVersion = 3;

// Server events: each carries the room's `seq` and `epoch` and goes into the resume history.
enum class EventType : uint8_t {
  kPresenceJoined,
  kPresenceLeft,
  kPresenceReconnecting,
  kPresenceResumed,
  kPresenceUpdated,
  kWaitingJoined,
  kWaitingLeft,
  kChatMessage,
  kChatDeleted,
  kChatMuted,
  kChatMutedAll,
  kHandRaised,
  kHandLowered,
  kHandLoweredAll,
  kPollOpened,
  kPollCounts,
  kPollClosed,
  kRoomLocked,
  kRoomWaitingRoom,
  kRoomEnded,
  kMediaAvailable,    // the room's video and audio work (again)
  kMediaUnavailable,  // the media server is down: class goes on without video and audio
  kMediaPublished,
  kMediaUnpublished,
  kMediaFloor,
  kCount,
};
inline constexpr size_t kEventTypeCount = static_cast<size_t>(EventType::kCount);
// "presence.joined", "chat.message", ...
std::string_view EventTypeName(EventType type);

// Why a command or a socket was refused: the `code` of an `error` frame.
enum class ErrorCode : uint8_t {
  kInvalidArgument,   // malformed JSON, missing or out-of-range field, text too long
  kPermissionDenied,  // the sender's room role may not use this command
  kNotFound,          // no such participant, message, poll or waiting student
  kConflict,          // the state does not allow it (poll closed, already waiting)
  kRateLimited,       // over a per-user rate; `retry_after_ms` says when to retry
  kMuted,             // the teacher muted this user's (or everyone's public) chat
  kUnsupported,       // unknown command type
  kRoomLocked,        // connect refused: the room is locked to new students
  kRoomFull,          // connect refused: max_members_per_room reached
  kRoomEnded,         // connect refused or socket closed: the session has ended
  kRemoved,           // the teacher removed this user; they cannot rejoin this session
  kDenied,            // the teacher did not admit this user from the waiting room
  kReplaced,          // a newer socket of the same user replaced this one
  kMediaUnavailable,  // no media server is configured or reachable for this room now
  kFloorRequired,     // a student publishes what the teacher has not given them the floor for
  kPublishersFull,    // the room's publisher cap is reached
  kCount,
};
inline constexpr size_t kErrorCodeCount = static_cast<size_t>(ErrorCode::kCount);
// "invalid_argument", "room_locked", ...
std::string_view ErrorCodeName(ErrorCode code);

// "teacher" | "student" | "observer".
std::string_view RoleName(RoomRole role);

// Number of UTF-8 code points in `text` (which Boost.JSON has already validated as UTF-8).
size_t Utf8Length(std::string_view text);

// {"type":<type>,"seq":<seq>,"epoch":<epoch>, ...fields}
std::shared_ptr<const std::string> EncodeEvent(EventType type, int64_t seq, std::string_view epoch,
                                               const boost::json::object& fields);
// {"type":"ack","id":<id>} plus "seq" of the event the command caused, when there was one.
std::shared_ptr<const std::string> EncodeAck(int64_t id, std::optional<int64_t> seq);
// The ack of a media command: the ack plus `fields` (the SDP answer or offer: "jsep").
std::shared_ptr<const std::string> EncodeAckWith(int64_t id, std::optional<int64_t> seq,
                                                 const boost::json::object& fields);
// {"type":"error","id":<id or null>,"code":..,"message":..} plus "retry_after_ms" when > 0.
std::shared_ptr<const std::string> EncodeError(std::optional<int64_t> id, ErrorCode code,
                                               std::string_view message,
                                               int64_t retry_after_ms = 0);
// Any other frame (welcome).
std::shared_ptr<const std::string> EncodeObject(const boost::json::object& object);

}  // namespace homeroom::live
