#include "live/protocol.h"

#include <array>
#include <boost/json/serialize.hpp>

namespace homeroom::live {

namespace {

constexpr std::array<std::string_view, kEventTypeCount> kEventNames = {
    "presence.joined",  "presence.left",     "presence.reconnecting", "presence.resumed",
    "presence.updated", "waiting.joined",    "waiting.left",          "chat.message",
    "chat.deleted",     "chat.muted",        "chat.muted_all",        "hand.raised",
    "hand.lowered",     "hand.lowered_all",  "poll.opened",           "poll.counts",
    "poll.closed",      "room.locked",       "room.waiting_room",     "room.ended",
    "media.available",  "media.unavailable", "media.published",       "media.unpublished",
    "media.floor",
};

constexpr std::array<std::string_view, kErrorCodeCount> kErrorNames = {
    "invalid_argument", "permission_denied", "not_found",
    "conflict",         "rate_limited",      "muted",
    "unsupported",      "room_locked",       "room_full",
    "room_ended",       "removed",           "denied",
    "replaced",         "media_unavailable", "floor_required",
    "publishers_full",
};

std::shared_ptr<const std::string> Share(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

}  // namespace

std::string_view EventTypeName(EventType type) {
  auto i = static_cast<size_t>(type);
  return i < kEventNames.size() ? kEventNames[i] : "unknown";
}

std::string_view ErrorCodeName(ErrorCode code) {
  auto i = static_cast<size_t>(code);
  return i < kErrorNames.size() ? kErrorNames[i] : "unknown";
}

std::string_view RoleName(RoomRole role) {
  switch (role) {
    case RoomRole::kTeacher:
      return "teacher";
    case RoomRole::kStudent:
      return "student";
    case RoomRole::kObserver:
      return "observer";
  }
  return "unknown";
}

size_t Utf8Length(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::shared_ptr<const std::string> EncodeEvent(EventType type, int64_t seq, std::string_view epoch,
                                               const boost::json::object& fields) {
  boost::json::object o;
  o.reserve(fields.size() + 3);
  o["type"] = EventTypeName(type);
  o["seq"] = seq;
  o["epoch"] = epoch;
  for (const auto& kv : fields) o[kv.key()] = kv.value();
  return Share(boost::json::serialize(o));
}

std::shared_ptr<const std::string> EncodeAck(int64_t id, std::optional<int64_t> seq) {
  boost::json::object o;
  o["type"] = "ack";
  o["id"] = id;
  if (seq) o["seq"] = *seq;
  return Share(boost::json::serialize(o));
}

std::shared_ptr<const std::string> EncodeAckWith(int64_t id, std::optional<int64_t> seq,
                                                 const boost::json::object& fields) {
  boost::json::object o;
  o["type"] = "ack";
  o["id"] = id;
  if (seq) o["seq"] = *seq;
  for (const auto& kv : fields) o[kv.key()] = kv.value();
  return Share(boost::json::serialize(o));
}

std::shared_ptr<const std::string> EncodeError(std::optional<int64_t> id, ErrorCode code,
                                               std::string_view message, int64_t retry_after_ms) {
  boost::json::object o;
  o["type"] = "error";
  if (id) {
    o["id"] = *id;
  } else {
    o["id"] = nullptr;
  }
  o["code"] = ErrorCodeName(code);
  o["message"] = message;
  if (retry_after_ms > 0) o["retry_after_ms"] = retry_after_ms;
  return Share(boost::json::serialize(o));
}

std::shared_ptr<const std::string> EncodeObject(const boost::json::object& object) {
  return Share(boost::json::serialize(object));
}

}  // namespace homeroom::live
