#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "live/attendance_sink.h"
#include "live/bus.h"
#include "live/hub_options.h"
#include "live/media_engine.h"
#include "live/outbound.h"
#include "live/room_types.h"

namespace homeroom::live {

namespace internal {
class Room;
struct HubCore;
}  // namespace internal

// One socket's view of its room, as the transport sees it: feed it every text frame and tell it
// when the socket is gone. Created by Hub::Connect. Thread-safe: the calls post to the room's
// strand and return at once. Destroying it without OnClose() counts as OnClose().
class Connection {
 public:
  // For Hub only (`room` is null for a socket the hub refused at once).
  Connection(std::shared_ptr<internal::Room> room, uint64_t id);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Handles one client command (a JSON text frame, docs/live-protocol.md). The answer, an `ack`
  // or an `error`, and any resulting events go to the socket's Outbound; never fails here.
  void OnText(std::string message);
  // The socket is closed. Idempotent; later OnText calls are ignored.
  void OnClose();

 private:
  std::shared_ptr<internal::Room> room_;
  uint64_t id_;
  std::atomic<bool> closed_{false};
};

// What a room looks like from outside, for /status and tests.
struct RoomStatus {
  int64_t session_id = 0;
  size_t participants = 0;  // present or reconnecting
  size_t waiting = 0;       // students in the waiting room
  size_t sockets = 0;
};

// The live-class hub: one room per live session, each owned by a strand over the given executor.
// A room orders its events (seq), keeps a bounded history for resume, encodes every event once
// and hands the same buffer to every recipient's Outbound; a recipient whose Send returns false is
// dropped without slowing the others. Rooms publish through the Bus and deliver what they
// receive from it.
//
// Thread-safe. Lifetime: `bus`, `attendance`, `clock` and `metrics` must outlive the hub and any
// work it queued; destroy the hub only once the executor's io_context has stopped running (its
// destructor closes open attendance intervals and detaches rooms from the bus without a strand).
class Hub {
 public:
  // Called on a room's strand when it ends (teacher, EndRoom, or by itself once empty), so the
  // schedule can record it. Must be cheap and must not block.
  using RoomEndedCallback = std::function<void(int64_t session_id, const std::string& reason)>;

  Hub(boost::asio::any_io_executor executor, Bus& bus, AttendanceSink& attendance,
      const Clock& clock, metrics::Registry& metrics, HubOptions options);
  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Sets the room-ended callback. Call before the first Connect (not synchronized with rooms).
  void SetRoomEndedCallback(RoomEndedCallback callback);
  // Sets the media engine rooms signal video and audio through (docs/live-protocol.md, "Media");
  // without one, or when it is not enabled(), media.* commands answer `media_unavailable`. Call
  // before the first Connect; `engine` must outlive the hub.
  void SetMediaEngine(MediaEngine* engine);

  // Attaches a socket to the room of `room.session_id`, creating the room on first use (later
  // calls ignore the rest of `room`). The caller has already authenticated `who` and checked they
  // may join. The room answers on `out` right away: a `welcome` (epoch, seq, role, snapshot or
  // replay of the events after `resume`), or an `error` frame and a close when it refuses the
  // socket (session ended, removed, locked, full). Never returns null.
  std::shared_ptr<Connection> Connect(const RoomInfo& room, const Participant& who,
                                      std::shared_ptr<Outbound> out,
                                      std::optional<ResumePoint> resume);

  // Ends the session's room for everyone (REST "end for all", session cancelled): `room.ended`
  // with `reason`, attendance intervals closed, every socket closed with 1000. Sockets that come
  // later are refused with `room_ended`. Asynchronous; a no-op for a room that is not open.
  void EndRoom(int64_t session_id, std::string reason);

  // Rooms open on this node.
  size_t room_count() const;
  // Every open room's counts (a snapshot; rooms update them after each operation).
  std::vector<RoomStatus> Rooms() const;
  // One room's counts, or nullopt when it is not open.
  std::optional<RoomStatus> FindRoom(int64_t session_id) const;

  const HubOptions& options() const;

 private:
  std::shared_ptr<internal::HubCore> core_;
};

}  // namespace homeroom::live
