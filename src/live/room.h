#pragma once

// Internal to src/live: the room behind Hub. Everything a Room does runs on its strand; the
// Post* methods are the only entry points and may be called from any thread.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/clock.h"
#include "live/attendance_sink.h"
#include "live/bus.h"
#include "live/hub.h"
#include "live/hub_options.h"
#include "live/live_metrics.h"
#include "live/media_engine.h"
#include "live/outbound.h"
#include "live/protocol.h"
#include "live/room_types.h"

namespace homeroom::live::internal {

// What the hub and its rooms share. Rooms hold it by shared_ptr so they may finish queued work
// after the Hub object is gone.
struct HubCore {
  HubCore(boost::asio::any_io_executor executor, Bus& bus, AttendanceSink& attendance,
          const Clock& clock, metrics::Registry& registry, HubOptions options)
      : executor(std::move(executor)),
        bus(bus),
        attendance(attendance),
        clock(clock),
        metrics(registry),
        options(options) {}

  // Forgets `room` (if it is still the room of `session_id`) and remembers the session ended.
  void Unregister(int64_t session_id, const Room* room);
  // Remembers that `session_id` ended, forgetting the oldest beyond the limit. Requires mu.
  void RememberEndedLocked(int64_t session_id);

  const boost::asio::any_io_executor executor;
  Bus& bus;
  AttendanceSink& attendance;
  const Clock& clock;
  LiveMetrics metrics;
  const HubOptions options;
  Hub::RoomEndedCallback on_ended;  // set before the first Connect, then read-only
  MediaEngine* media = nullptr;     // set before the first Connect, then read-only

  mutable std::mutex mu;
  std::unordered_map<int64_t, std::shared_ptr<Room>> rooms;  // guarded by mu
  std::unordered_set<int64_t> ended;                         // guarded by mu
  std::deque<int64_t> ended_order;                           // guarded by mu
  uint64_t next_connection_id = 1;                           // guarded by mu
};

class Room : public std::enable_shared_from_this<Room> {
 public:
  // Creates the room, subscribes it to the bus and starts its timer.
  static std::shared_ptr<Room> Create(std::shared_ptr<HubCore> core, const RoomInfo& info);
  Room(std::shared_ptr<HubCore> core, const RoomInfo& info);

  void PostAttach(uint64_t socket_id, Participant who, std::shared_ptr<Outbound> out,
                  std::optional<ResumePoint> resume);
  void PostCommand(uint64_t socket_id, std::string text);
  void PostDetach(uint64_t socket_id);
  void PostEnd(std::string reason);
  // Only when no thread runs the executor (Hub destructor): closes open attendance intervals,
  // leaves the bus, stops the timer.
  void ShutdownUnsafe();

  RoomStatus Status() const;

 private:
  enum class State { kWaiting, kPresent, kReconnecting };
  struct Socket {
    uint64_t id = 0;
    int64_t user_id = 0;
    RoomRole role = RoomRole::kStudent;
    std::shared_ptr<Outbound> out;
    bool in_room = false;  // receives room events (false while waiting or before its welcome)
  };
  struct Member {
    Participant who;
    State state = State::kPresent;
    std::vector<uint64_t> sockets;  // oldest first
    int64_t hand_order = 0;         // 0: lowered; else the queue position key
    int64_t rtt_ms = -1;            // -1: not reported
    std::string quality = "unknown";
    bool interval_open = false;          // AttendanceSink::Joined sent, Left not yet
    int64_t left_at_ms = 0;              // wall time the last socket went (reconnecting)
    int64_t grace_deadline = 0;          // monotonic ms (reconnecting)
    std::deque<int64_t> chat_times;      // monotonic ms of recent messages
    std::deque<int64_t> presence_times;  // monotonic ms of recent presence updates
    // Media (docs/live-protocol.md, "Media").
    bool floor_mic = false;     // a student the teacher gave the floor for the microphone
    bool floor_camera = false;  // ... for the camera
    bool publishing = false;
    bool publish_pending = false;  // a media.publish is with the engine
    bool feed_live = false;        // its publisher PeerConnection is up (media.published sent)
    SentMedia sent;                // what they publish
    int64_t feed_id = 0;           // their publisher id in the media room
    uint64_t media_socket = 0;     // the socket that signals their media (0: none)
  };
  struct HistoryEntry {
    int64_t seq;
    Audience audience;
    std::shared_ptr<const std::string> frame;
  };
  struct ChatEntry {
    int64_t message_id;
    Audience audience;
    boost::json::object body;
  };
  struct Poll {
    int64_t id = 0;
    std::string question;
    std::vector<std::string> options;
    bool open = true;
    std::vector<int64_t> counts;
    std::map<int64_t, size_t> votes;  // user -> option
  };
  // A command's answer: an error, or an ack (with the seq of the event it caused).
  struct Outcome {
    std::optional<ErrorCode> error;
    std::string message;
    int64_t retry_after_ms = 0;
    std::optional<int64_t> seq;
    bool answered = false;  // the handler already sent the ack itself
    static Outcome Ok(std::optional<int64_t> seq = std::nullopt) { return {{}, {}, 0, seq, false}; }
    static Outcome Fail(ErrorCode c, std::string m, int64_t retry_ms = 0) {
      return {c, std::move(m), retry_ms, std::nullopt, false};
    }
  };
  struct Command {
    Socket& socket;
    Member& member;
    const boost::json::object& args;
    int64_t id;
  };
  using Handler = Outcome (Room::*)(const Command&);
  struct CommandSpec {
    std::string_view type;
    unsigned roles;  // bit per RoomRole allowed
    Handler handler;
  };
  static const CommandSpec kCommands[];

  // Strand-side operations.
  void Attach(uint64_t socket_id, Participant who, std::shared_ptr<Outbound> out,
              std::optional<ResumePoint> resume);
  void HandleCommand(uint64_t socket_id, const std::string& text);
  void Detach(uint64_t socket_id);
  void End(const std::string& reason);
  void Tick();
  void ArmTimer();
  // After every operation: drops sockets whose Send failed, then publishes the counts.
  void Settle();

  int64_t Publish(EventType type, Audience audience, const boost::json::object& fields);
  void Deliver(const BusMessage& message);
  void SendTo(Socket& socket, std::shared_ptr<const std::string> frame);
  void Refuse(Outbound& out, ErrorCode code, std::string message, uint16_t close_code);
  void SendWelcome(Socket& socket, const Member& member, const std::optional<ResumePoint>& resume);
  void SendWaitingWelcome(Socket& socket, const Member& member);
  boost::json::object Snapshot(const Member& viewer) const;
  boost::json::object ParticipantJson(const Member& m) const;
  static Audience PresenceAudience(const Member& m);

  void Enter(Member& m);  // into the room: attendance, presence.joined
  void Admit(Member& m);
  void Leave(int64_t user_id, std::string_view reason, int64_t at_ms);
  void CloseSocketsOf(Member& m, ErrorCode code, std::string_view message);
  // Detaches a socket whose Send() was refused; a slow consumer (a full queue) is counted in
  // homeroom_live_dropped_slow_consumers_total and closed 1008, a closing socket is not.
  void DropSocket(uint64_t socket_id, bool slow_consumer);
  size_t ParticipantCount() const;
  // Sliding-window rate check; on refusal sets `retry_after_ms`.
  bool Allow(std::deque<int64_t>& times, int limit, int64_t* retry_after_ms);

  // Command handlers (docs/live-protocol.md, "Commands").
  Outcome PresenceUpdate(const Command& c);
  Outcome ChatSend(const Command& c);
  Outcome ChatDelete(const Command& c);
  Outcome ChatMute(const Command& c);
  Outcome ChatMuteAll(const Command& c);
  Outcome HandRaise(const Command& c);
  Outcome HandLower(const Command& c);
  Outcome HandLowerAll(const Command& c);
  Outcome PollOpen(const Command& c);
  Outcome PollClose(const Command& c);
  Outcome PollVote(const Command& c);
  Outcome RoomLock(const Command& c);
  Outcome RoomWaitingRoom(const Command& c);
  Outcome WaitingAdmit(const Command& c);
  Outcome WaitingDeny(const Command& c);
  Outcome ParticipantRemove(const Command& c);
  Outcome RoomEnd(const Command& c);
  Outcome MediaPublish(const Command& c);
  Outcome MediaUnpublish(const Command& c);
  Outcome MediaSubscribe(const Command& c);
  Outcome MediaStart(const Command& c);
  Outcome MediaTrickle(const Command& c);
  Outcome MediaLeave(const Command& c);
  Outcome MediaFloor(const Command& c);

  // Media helpers (strand-side).
  // Why media cannot be used now, or nullopt when it can.
  std::optional<std::string> MediaUnusable() const;
  // Ends the member's publishing: `media.unpublished` with `reason`. Returns its seq, if any.
  std::optional<int64_t> StopPublishing(Member& m, std::string_view reason);
  // Closes all of the member's media (engine Leave) and forgets their media socket.
  void LeaveMedia(Member& m, std::string_view reason);
  // Answers command `id` of `socket_id` (if the socket is still here) once the engine answered.
  void AnswerLater(uint64_t socket_id, int64_t id, const Outcome& outcome,
                   const boost::json::object& fields);
  static Outcome MediaFailure(const ::homeroom::Status& status);
  void OnMediaAvailability(bool available);
  void OnPeerMessage(int64_t user_id, const boost::json::object& frame);
  boost::json::object MediaSnapshot() const;
  // Runs `fn(self)` on the strand, then Settle(); for engine callbacks from any thread.
  template <typename Fn>
  void PostToStrand(Fn fn);

  const std::shared_ptr<HubCore> core_;
  const HubOptions& options_;
  const RoomInfo info_;
  const std::string epoch_;
  const std::string bus_key_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::asio::steady_timer timer_;

  // Owned by the strand.
  std::unique_ptr<Bus::Subscription> subscription_;
  int64_t seq_ = 0;
  bool ended_ = false;
  bool locked_ = false;
  bool waiting_room_ = false;
  bool muted_all_ = false;
  bool media_available_ = false;       // the engine said the room's media works
  std::map<int64_t, Member> members_;  // by user id
  std::unordered_map<uint64_t, Socket> sockets_;
  std::deque<HistoryEntry> history_;
  std::deque<ChatEntry> chat_;
  std::map<int64_t, Poll> polls_;
  std::set<int64_t> admitted_;  // students who have been in the room this session
  std::set<int64_t> removed_;
  std::set<int64_t> muted_;
  int64_t next_hand_order_ = 1;
  int64_t next_poll_id_ = 1;
  int64_t empty_since_ms_ = 0;  // wall time the room last had no participant
  int64_t last_heartbeat_mono_ = 0;
  // Sockets whose Send() was refused during the current operation, detached in Settle().
  struct PendingDrop {
    uint64_t socket_id = 0;
    bool slow_consumer = false;  // SendResult::kQueueFull (else kClosed)
  };
  std::vector<PendingDrop> pending_drops_;
  int64_t reported_participants_ = 0;
  int64_t reported_sockets_ = 0;

  // Read by Hub::Rooms from any thread.
  std::atomic<size_t> stat_participants_{0};
  std::atomic<size_t> stat_waiting_{0};
  std::atomic<size_t> stat_sockets_{0};
};

}  // namespace homeroom::live::internal
