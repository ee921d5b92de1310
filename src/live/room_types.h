#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace homeroom::live {

// How a participant takes part: teachers run the room, students take part, school and district
// admins watch as observers (visible to the teacher, no hand, no chat unless the teacher allows).
enum class RoomRole { kTeacher, kStudent, kObserver };

// Who is connecting, as the API layer established it from the session and the roster.
struct Participant {
  int64_t user_id = 0;
  std::string name;  // display name
  RoomRole role = RoomRole::kStudent;
};

// The live session a socket is bound to, as the schedule knows it when the socket connects.
struct RoomInfo {
  int64_t session_id = 0;  // the live session (one room per session)
  int64_t section_id = 0;
  std::string title;
  bool waiting_room = false;     // students wait until admitted
  int64_t scheduled_end_ms = 0;  // the room ends by itself after this once empty
};

// Where a reconnecting client left off: the room instance (epoch) and the last seq it applied.
// A client that cannot be brought up to date from the room's history gets a fresh snapshot.
struct ResumePoint {
  std::string epoch;
  int64_t last_seq = 0;
};

}  // namespace homeroom::live
