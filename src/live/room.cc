#include "live/room.h"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdio>
#include <limits>
#include <random>

namespace homeroom::live::internal {

namespace json = boost::json;

namespace {

constexpr unsigned kTeacher = 1u << static_cast<unsigned>(RoomRole::kTeacher);
constexpr unsigned kStudent = 1u << static_cast<unsigned>(RoomRole::kStudent);
constexpr unsigned kObserver = 1u << static_cast<unsigned>(RoomRole::kObserver);

// Close codes (RFC 6455).
constexpr uint16_t kCloseNormal = 1000;
constexpr uint16_t kClosePolicy = 1008;
constexpr uint16_t kCloseTryLater = 1013;

std::string NewEpoch() {
  std::random_device rd;
  uint64_t v = (uint64_t{rd()} << 32) ^ rd();
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::optional<int64_t> GetInt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= uint64_t(std::numeric_limits<int64_t>::max())) {
    return static_cast<int64_t>(v->get_uint64());
  }
  return std::nullopt;
}

std::optional<std::string_view> GetString(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string_view(v->get_string());
}

std::optional<bool> GetBool(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_bool()) return std::nullopt;
  return v->get_bool();
}

bool Has(const json::object& o, std::string_view key) { return o.if_contains(key) != nullptr; }

// A publisher's streams as the protocol names them: [{"mid": "0", "kind": "audio"}, ...].
json::array StreamsJson(const SentMedia& sent) {
  json::array streams;
  for (const SentStream& stream : sent.streams) {
    streams.push_back(json::object{{"mid", stream.mid}, {"kind", stream.kind}});
  }
  return streams;
}

// A text field of 1..max_chars code points that is not only spaces.
bool ValidText(std::string_view text, size_t max_chars) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return false;
  return Utf8Length(text) <= max_chars;
}

json::array ToArray(const std::vector<int64_t>& v) {
  json::array a;
  for (int64_t x : v) a.emplace_back(x);
  return a;
}

}  // namespace

void HubCore::RememberEndedLocked(int64_t session_id) {
  if (options.ended_rooms_remembered == 0) return;
  if (!ended.insert(session_id).second) return;
  ended_order.push_back(session_id);
  while (ended_order.size() > options.ended_rooms_remembered) {
    ended.erase(ended_order.front());
    ended_order.pop_front();
  }
}

void HubCore::Unregister(int64_t session_id, const Room* room) {
  std::lock_guard lock(mu);
  auto it = rooms.find(session_id);
  if (it != rooms.end() && it->second.get() == room) rooms.erase(it);
  RememberEndedLocked(session_id);
}

// ---------------------------------------------------------------------------------------------
// Construction and entry points

const Room::CommandSpec Room::kCommands[] = {
    {"presence.update", kTeacher | kStudent | kObserver, &Room::PresenceUpdate},
    {"chat.send", kTeacher | kStudent, &Room::ChatSend},
    {"chat.delete", kTeacher, &Room::ChatDelete},
    {"chat.mute", kTeacher, &Room::ChatMute},
    {"chat.mute_all", kTeacher, &Room::ChatMuteAll},
    {"hand.raise", kStudent, &Room::HandRaise},
    {"hand.lower", kTeacher | kStudent, &Room::HandLower},
    {"hand.lower_all", kTeacher, &Room::HandLowerAll},
    {"poll.open", kTeacher, &Room::PollOpen},
    {"poll.close", kTeacher, &Room::PollClose},
    {"poll.vote", kStudent, &Room::PollVote},
    {"room.lock", kTeacher, &Room::RoomLock},
    {"room.waiting_room", kTeacher, &Room::RoomWaitingRoom},
    {"waiting.admit", kTeacher, &Room::WaitingAdmit},
    {"waiting.deny", kTeacher, &Room::WaitingDeny},
    {"participant.remove", kTeacher, &Room::ParticipantRemove},
    {"room.end", kTeacher, &Room::RoomEnd},
    {"media.publish", kTeacher | kStudent, &Room::MediaPublish},
    {"media.unpublish", kTeacher | kStudent, &Room::MediaUnpublish},
    {"media.subscribe", kTeacher | kStudent | kObserver, &Room::MediaSubscribe},
    {"media.start", kTeacher | kStudent | kObserver, &Room::MediaStart},
    {"media.trickle", kTeacher | kStudent | kObserver, &Room::MediaTrickle},
    {"media.leave", kTeacher | kStudent | kObserver, &Room::MediaLeave},
    {"media.floor", kTeacher, &Room::MediaFloor},
};

template <typename Fn>
void Room::PostToStrand(Fn fn) {
  boost::asio::post(strand_, [self = shared_from_this(), fn = std::move(fn)]() mutable {
    fn(*self);
    self->Settle();
  });
}

Room::Room(std::shared_ptr<HubCore> core, const RoomInfo& info)
    : core_(std::move(core)),
      options_(core_->options),
      info_(info),
      epoch_(NewEpoch()),
      bus_key_("live.room." + std::to_string(info.session_id)),
      strand_(boost::asio::make_strand(core_->executor)),
      timer_(strand_),
      waiting_room_(info.waiting_room) {
  empty_since_ms_ = core_->clock.NowMs();
  last_heartbeat_mono_ = core_->clock.MonotonicMs();
}

std::shared_ptr<Room> Room::Create(std::shared_ptr<HubCore> core, const RoomInfo& info) {
  auto room = std::make_shared<Room>(std::move(core), info);
  // Nobody else sees the room yet, so touching its strand-owned state here is safe.
  std::weak_ptr<Room> weak = room;
  room->subscription_ = room->core_->bus.Subscribe(room->bus_key_, [weak](const BusMessage& m) {
    auto self = weak.lock();
    if (!self) return;
    // In process this runs on the room's own strand (inside Publish), so dispatch runs inline.
    boost::asio::dispatch(self->strand_, [self, m] { self->Deliver(m); });
  });
  room->core_->metrics.rooms.Add(1);
  room->ArmTimer();
  if (room->core_->media != nullptr && room->core_->media->enabled()) {
    MediaEngine::RoomEvents events;
    events.on_availability = [weak](bool available) {
      if (auto self = weak.lock()) {
        self->PostToStrand([available](Room& r) { r.OnMediaAvailability(available); });
      }
    };
    events.on_peer_message = [weak](int64_t user_id, json::object frame) {
      if (auto self = weak.lock()) {
        self->PostToStrand(
            [user_id, frame = std::move(frame)](Room& r) { r.OnPeerMessage(user_id, frame); });
      }
    };
    room->core_->media->OpenRoom(info.session_id, info.title, std::move(events));
  }
  return room;
}

void Room::PostAttach(uint64_t socket_id, Participant who, std::shared_ptr<Outbound> out,
                      std::optional<ResumePoint> resume) {
  boost::asio::post(strand_, [self = shared_from_this(), socket_id, who = std::move(who),
                              out = std::move(out), resume = std::move(resume)]() mutable {
    self->Attach(socket_id, std::move(who), std::move(out), std::move(resume));
    self->Settle();
  });
}

void Room::PostCommand(uint64_t socket_id, std::string text) {
  boost::asio::post(strand_, [self = shared_from_this(), socket_id, text = std::move(text)] {
    self->HandleCommand(socket_id, text);
    self->Settle();
  });
}

void Room::PostDetach(uint64_t socket_id) {
  boost::asio::post(strand_, [self = shared_from_this(), socket_id] {
    self->Detach(socket_id);
    self->Settle();
  });
}

void Room::PostEnd(std::string reason) {
  boost::asio::post(strand_, [self = shared_from_this(), reason = std::move(reason)] {
    self->End(reason);
    self->Settle();
  });
}

void Room::ShutdownUnsafe() {
  if (ended_) return;
  ended_ = true;
  int64_t now = core_->clock.NowMs();
  for (auto& [uid, m] : members_) {
    if (m.interval_open) {
      core_->attendance.Left(info_.session_id, uid,
                             m.state == State::kReconnecting ? m.left_at_ms : now);
      m.interval_open = false;
    }
  }
  subscription_.reset();
  timer_.cancel();
  core_->metrics.rooms.Add(-1);
  core_->metrics.participants.Add(-reported_participants_);
  core_->metrics.sockets.Add(-reported_sockets_);
  reported_participants_ = reported_sockets_ = 0;
}

RoomStatus Room::Status() const {
  return RoomStatus{info_.session_id, stat_participants_.load(), stat_waiting_.load(),
                    stat_sockets_.load()};
}

// ---------------------------------------------------------------------------------------------
// Fan-out

int64_t Room::Publish(EventType type, Audience audience, const json::object& fields) {
  int64_t seq = ++seq_;
  auto frame = EncodeEvent(type, seq, epoch_, fields);
  history_.push_back(HistoryEntry{seq, audience, frame});
  while (history_.size() > options_.history_events) history_.pop_front();
  core_->metrics.Event(type).Inc();
  BusMessage message{seq, audience, std::move(frame)};
  core_->bus.Publish(bus_key_, message);
  return seq;
}

void Room::Deliver(const BusMessage& message) {
  bool all = message.audience.kind == Audience::Kind::kAllSockets;
  for (auto& [id, s] : sockets_) {
    if (!s.in_room && !all) continue;
    if (!message.audience.Includes(s.user_id, s.role)) continue;
    // A refusal is handled after the operation (Settle), never in the middle of a fan-out.
    SendResult sent = s.out->Send(message.frame);
    if (sent != SendResult::kQueued) pending_drops_.push_back({id, sent == SendResult::kQueueFull});
  }
}

void Room::SendTo(Socket& socket, std::shared_ptr<const std::string> frame) {
  SendResult sent = socket.out->Send(std::move(frame));
  if (sent != SendResult::kQueued) {
    pending_drops_.push_back({socket.id, sent == SendResult::kQueueFull});
  }
}

void Room::Refuse(Outbound& out, ErrorCode code, std::string message, uint16_t close_code) {
  core_->metrics.Rejected(code).Inc();
  out.Send(EncodeError(std::nullopt, code, message));
  out.Close(close_code, std::string(ErrorCodeName(code)));
}

void Room::Settle() {
  while (!pending_drops_.empty()) {
    PendingDrop drop = pending_drops_.back();
    pending_drops_.pop_back();
    DropSocket(drop.socket_id, drop.slow_consumer);
  }
  size_t participants = 0, waiting = 0;
  for (const auto& [uid, m] : members_) {
    if (m.state == State::kWaiting) {
      ++waiting;
    } else {
      ++participants;
    }
  }
  stat_participants_ = participants;
  stat_waiting_ = waiting;
  stat_sockets_ = sockets_.size();
  if (!ended_) {
    core_->metrics.participants.Add(int64_t(participants) - reported_participants_);
    core_->metrics.sockets.Add(int64_t(sockets_.size()) - reported_sockets_);
    reported_participants_ = int64_t(participants);
    reported_sockets_ = int64_t(sockets_.size());
  }
}

void Room::DropSocket(uint64_t socket_id, bool slow_consumer) {
  auto it = sockets_.find(socket_id);
  if (it == sockets_.end()) return;
  if (slow_consumer) {
    core_->metrics.dropped_slow_consumers.Inc();
    it->second.out->Close(kClosePolicy, "slow consumer");
  }
  Detach(socket_id);
}

// ---------------------------------------------------------------------------------------------
// Joining and leaving

Audience Room::PresenceAudience(const Member& m) {
  // Observers are visible to the teachers (and themselves) only.
  return m.who.role == RoomRole::kObserver ? Audience::TeachersAnd(m.who.user_id)
                                           : Audience::Everyone();
}

json::object Room::ParticipantJson(const Member& m) const {
  json::object p;
  p["user_id"] = m.who.user_id;
  p["name"] = m.who.name;
  p["role"] = RoleName(m.who.role);
  p["state"] = m.state == State::kReconnecting ? "reconnecting" : "present";
  if (m.hand_order > 0) {
    p["hand"] = m.hand_order;
  } else {
    p["hand"] = nullptr;
  }
  p["quality"] = m.quality;
  if (m.rtt_ms >= 0) {
    p["rtt_ms"] = m.rtt_ms;
  } else {
    p["rtt_ms"] = nullptr;
  }
  return p;
}

size_t Room::ParticipantCount() const {
  size_t n = 0;
  for (const auto& [uid, m] : members_) n += m.state != State::kWaiting;
  return n;
}

void Room::Attach(uint64_t socket_id, Participant who, std::shared_ptr<Outbound> out,
                  std::optional<ResumePoint> resume) {
  if (ended_)
    return Refuse(*out, ErrorCode::kRoomEnded, "this live session has ended", kCloseNormal);
  int64_t uid = who.user_id;
  if (removed_.count(uid)) {
    return Refuse(*out, ErrorCode::kRemoved, "the teacher removed you from this session",
                  kClosePolicy);
  }
  auto mit = members_.find(uid);
  bool is_new = mit == members_.end();
  if (is_new && members_.size() >= options_.max_members_per_room) {
    return Refuse(*out, ErrorCode::kRoomFull, "this room is full", kCloseTryLater);
  }
  if (is_new && who.role == RoomRole::kStudent && locked_ && !admitted_.count(uid)) {
    return Refuse(*out, ErrorCode::kRoomLocked, "the teacher has locked this room", kClosePolicy);
  }
  if (is_new) {
    Member m;
    m.who = who;
    mit = members_.emplace(uid, std::move(m)).first;
  }
  Member& m = mit->second;
  Socket& socket = sockets_[socket_id];
  socket = Socket{socket_id, uid, m.who.role, std::move(out), false};
  m.sockets.push_back(socket_id);
  while (m.sockets.size() > std::max<size_t>(1, options_.max_sockets_per_user)) {
    uint64_t oldest = m.sockets.front();
    m.sockets.erase(m.sockets.begin());
    auto old = sockets_.find(oldest);
    if (old == sockets_.end()) continue;
    Refuse(*old->second.out, ErrorCode::kReplaced, "a newer connection replaced this one",
           kClosePolicy);
    sockets_.erase(old);
  }

  if (is_new) {
    if (who.role == RoomRole::kStudent && waiting_room_ && !admitted_.count(uid)) {
      m.state = State::kWaiting;
      json::object user;
      user["user_id"] = uid;
      user["name"] = m.who.name;
      json::object fields;
      fields["user"] = std::move(user);
      Publish(EventType::kWaitingJoined, Audience::Teachers(), fields);
      return SendWaitingWelcome(socket, m);
    }
    Enter(m);
  } else if (m.state == State::kWaiting) {
    return SendWaitingWelcome(socket, m);
  } else if (m.state == State::kReconnecting) {
    m.state = State::kPresent;
    json::object fields;
    fields["user_id"] = uid;
    Publish(EventType::kPresenceResumed, PresenceAudience(m), fields);
  }
  SendWelcome(socket, m, resume);
}

void Room::Enter(Member& m) {
  m.state = State::kPresent;
  if (m.who.role == RoomRole::kStudent) admitted_.insert(m.who.user_id);
  if (!m.interval_open) {
    core_->attendance.Joined(info_.session_id, m.who.user_id, core_->clock.NowMs());
    m.interval_open = true;
  }
  json::object fields;
  fields["participant"] = ParticipantJson(m);
  Publish(EventType::kPresenceJoined, PresenceAudience(m), fields);
}

void Room::Admit(Member& m) {
  json::object fields;
  fields["user_id"] = m.who.user_id;
  fields["reason"] = "admitted";
  Publish(EventType::kWaitingLeft, Audience::Teachers(), fields);
  Enter(m);
  for (uint64_t id : m.sockets) {
    auto it = sockets_.find(id);
    if (it != sockets_.end()) SendWelcome(it->second, m, std::nullopt);
  }
}

void Room::SendWaitingWelcome(Socket& socket, const Member& member) {
  json::object w;
  w["type"] = "welcome";
  w["protocol"] = kProtocolVersion;
  w["epoch"] = epoch_;
  w["seq"] = seq_;
  w["user_id"] = member.who.user_id;
  w["role"] = RoleName(member.who.role);
  w["state"] = "waiting";
  json::object room;
  room["session_id"] = info_.session_id;
  room["title"] = info_.title;
  w["room"] = std::move(room);
  SendTo(socket, EncodeObject(w));
}

void Room::SendWelcome(Socket& socket, const Member& member,
                       const std::optional<ResumePoint>& resume) {
  int64_t uid = member.who.user_id;
  RoomRole role = member.who.role;
  bool replay = false;
  if (resume) {
    int64_t last = resume->last_seq;
    bool covered = last == seq_ || (!history_.empty() && history_.front().seq <= last + 1);
    replay = resume->epoch == epoch_ && last >= 0 && last <= seq_ && covered;
    (replay ? core_->metrics.resumes_replay : core_->metrics.resumes_snapshot).Inc();
  }
  json::object w;
  w["type"] = "welcome";
  w["protocol"] = kProtocolVersion;
  w["epoch"] = epoch_;
  w["seq"] = seq_;
  w["user_id"] = uid;
  w["role"] = RoleName(role);
  w["state"] = "in_room";
  if (replay) {
    w["resume"] = "replay";
    w["from_seq"] = resume->last_seq;
    SendTo(socket, EncodeObject(w));
    for (const HistoryEntry& e : history_) {
      if (e.seq > resume->last_seq && e.audience.Includes(uid, role)) SendTo(socket, e.frame);
    }
  } else {
    w["resume"] = "snapshot";
    w["snapshot"] = Snapshot(member);
    SendTo(socket, EncodeObject(w));
  }
  socket.in_room = true;
}

json::object Room::Snapshot(const Member& viewer) const {
  int64_t uid = viewer.who.user_id;
  RoomRole role = viewer.who.role;
  bool teacher = role == RoomRole::kTeacher;
  json::object s;
  json::object room;
  room["session_id"] = info_.session_id;
  room["section_id"] = info_.section_id;
  room["title"] = info_.title;
  room["locked"] = locked_;
  room["waiting_room"] = waiting_room_;
  room["chat_muted_all"] = muted_all_;
  room["scheduled_end_ms"] = info_.scheduled_end_ms;
  s["room"] = std::move(room);

  json::array participants, waiting, muted;
  std::vector<std::pair<int64_t, int64_t>> hands;  // (order, user)
  for (const auto& [id, m] : members_) {
    if (m.state == State::kWaiting) {
      if (teacher) {
        json::object w;
        w["user_id"] = id;
        w["name"] = m.who.name;
        waiting.emplace_back(std::move(w));
      }
      continue;
    }
    if (!PresenceAudience(m).Includes(uid, role)) continue;
    participants.emplace_back(ParticipantJson(m));
    if (m.hand_order > 0) hands.emplace_back(m.hand_order, id);
  }
  std::sort(hands.begin(), hands.end());
  json::array hand_queue;
  for (const auto& [order, id] : hands) hand_queue.emplace_back(id);
  s["participants"] = std::move(participants);
  s["hands"] = std::move(hand_queue);
  if (teacher) {
    s["waiting"] = std::move(waiting);
    for (int64_t id : muted_) muted.emplace_back(id);
    s["muted"] = std::move(muted);
  }

  std::vector<const ChatEntry*> visible;
  for (auto it = chat_.rbegin(); it != chat_.rend(); ++it) {
    if (visible.size() >= options_.snapshot_chat_messages) break;
    if (it->audience.Includes(uid, role)) visible.push_back(&*it);
  }
  json::array chat;
  for (auto it = visible.rbegin(); it != visible.rend(); ++it) chat.emplace_back((*it)->body);
  s["chat"] = std::move(chat);

  json::array polls;
  for (const auto& [id, p] : polls_) {
    json::object o;
    o["poll_id"] = id;
    o["question"] = p.question;
    json::array opts;
    for (const auto& text : p.options) opts.emplace_back(text);
    o["options"] = std::move(opts);
    o["open"] = p.open;
    if (teacher || !p.open) {
      o["counts"] = ToArray(p.counts);
      o["total"] = int64_t(p.votes.size());
    }
    auto v = p.votes.find(uid);
    if (v != p.votes.end()) o["my_vote"] = int64_t(v->second);
    polls.emplace_back(std::move(o));
  }
  s["polls"] = std::move(polls);

  json::object me;
  me["muted"] = muted_.count(uid) > 0;
  s["me"] = std::move(me);
  s["media"] = MediaSnapshot();
  return s;
}

void Room::Detach(uint64_t socket_id) {
  auto it = sockets_.find(socket_id);
  if (it == sockets_.end()) return;
  int64_t uid = it->second.user_id;
  sockets_.erase(it);
  auto mit = members_.find(uid);
  if (mit == members_.end()) return;
  Member& m = mit->second;
  std::erase(m.sockets, socket_id);
  if (m.media_socket == socket_id) LeaveMedia(m, "left");
  if (!m.sockets.empty()) return;
  if (m.state == State::kWaiting) {
    members_.erase(mit);
    json::object fields;
    fields["user_id"] = uid;
    fields["reason"] = "left";
    Publish(EventType::kWaitingLeft, Audience::Teachers(), fields);
    return;
  }
  if (m.state != State::kPresent) return;
  if (options_.reconnect_grace_ms <= 0) return Leave(uid, "left", core_->clock.NowMs());
  m.state = State::kReconnecting;
  m.left_at_ms = core_->clock.NowMs();
  m.grace_deadline = core_->clock.MonotonicMs() + options_.reconnect_grace_ms;
  json::object fields;
  fields["user_id"] = uid;
  Publish(EventType::kPresenceReconnecting, PresenceAudience(m), fields);
}

void Room::Leave(int64_t user_id, std::string_view reason, int64_t at_ms) {
  auto it = members_.find(user_id);
  if (it == members_.end()) return;
  Audience audience = PresenceAudience(it->second);
  LeaveMedia(it->second, "left");
  if (it->second.interval_open) core_->attendance.Left(info_.session_id, user_id, at_ms);
  members_.erase(it);
  if (ParticipantCount() == 0) empty_since_ms_ = core_->clock.NowMs();
  json::object fields;
  fields["user_id"] = user_id;
  fields["reason"] = reason;
  Publish(EventType::kPresenceLeft, audience, fields);
}

void Room::CloseSocketsOf(Member& m, ErrorCode code, std::string_view message) {
  for (uint64_t id : m.sockets) {
    auto it = sockets_.find(id);
    if (it == sockets_.end()) continue;
    it->second.out->Send(EncodeError(std::nullopt, code, message));
    it->second.out->Close(kClosePolicy, std::string(ErrorCodeName(code)));
    sockets_.erase(it);
  }
  m.sockets.clear();
}

void Room::End(const std::string& reason) {
  if (ended_) return;
  int64_t now = core_->clock.NowMs();
  json::object fields;
  fields["reason"] = reason;
  Publish(EventType::kRoomEnded, Audience::AllSockets(), fields);
  ended_ = true;
  for (auto& [uid, m] : members_) {
    if (!m.interval_open) continue;
    core_->attendance.Left(info_.session_id, uid,
                           m.state == State::kReconnecting ? m.left_at_ms : now);
    m.interval_open = false;
  }
  members_.clear();
  for (auto& [id, s] : sockets_) s.out->Close(kCloseNormal, "room ended");
  sockets_.clear();
  pending_drops_.clear();
  history_.clear();
  timer_.cancel();
  subscription_.reset();
  core_->metrics.rooms.Add(-1);
  core_->metrics.participants.Add(-reported_participants_);
  core_->metrics.sockets.Add(-reported_sockets_);
  reported_participants_ = reported_sockets_ = 0;
  if (core_->media != nullptr && core_->media->enabled()) core_->media->CloseRoom(info_.session_id);
  core_->Unregister(info_.session_id, this);
  if (core_->on_ended) core_->on_ended(info_.session_id, reason);
}

// ---------------------------------------------------------------------------------------------
// Timer: grace, heartbeat, auto-end

void Room::ArmTimer() {
  timer_.expires_after(std::chrono::milliseconds(std::max<int64_t>(1, options_.tick_interval_ms)));
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->ended_) return;
    self->Tick();
    self->Settle();
    if (!self->ended_) self->ArmTimer();
  });
}

void Room::Tick() {
  int64_t mono = core_->clock.MonotonicMs();
  int64_t now = core_->clock.NowMs();
  std::vector<std::pair<int64_t, int64_t>> expired;  // (user, left at)
  for (const auto& [uid, m] : members_) {
    if (m.state == State::kReconnecting && m.grace_deadline <= mono) {
      expired.emplace_back(uid, m.left_at_ms);
    }
  }
  for (const auto& [uid, at] : expired) Leave(uid, "left", at);

  if (mono - last_heartbeat_mono_ >= options_.heartbeat_interval_ms) {
    last_heartbeat_mono_ = mono;
    std::vector<int64_t> present;
    for (const auto& [uid, m] : members_) {
      if (m.state == State::kPresent && m.interval_open) present.push_back(uid);
    }
    if (!present.empty()) core_->attendance.Heartbeat(info_.session_id, present, now);
  }

  if (ParticipantCount() == 0) {
    int64_t base = std::max(info_.scheduled_end_ms, empty_since_ms_);
    if (now >= base + options_.auto_end_delay_ms) End("empty after the scheduled end");
  }
}

// ---------------------------------------------------------------------------------------------
// Commands

bool Room::Allow(std::deque<int64_t>& times, int limit, int64_t* retry_after_ms) {
  int64_t now = core_->clock.MonotonicMs();
  while (!times.empty() && times.front() <= now - options_.rate_window_ms) times.pop_front();
  if (limit <= 0 || times.size() >= size_t(limit)) {
    *retry_after_ms =
        times.empty() ? options_.rate_window_ms : times.front() + options_.rate_window_ms - now;
    if (*retry_after_ms <= 0) *retry_after_ms = 1;
    return false;
  }
  times.push_back(now);
  return true;
}

void Room::HandleCommand(uint64_t socket_id, const std::string& text) {
  if (ended_) return;
  auto sit = sockets_.find(socket_id);
  if (sit == sockets_.end()) return;
  Socket& socket = sit->second;
  auto reject = [&](std::optional<int64_t> id, ErrorCode code, std::string_view message,
                    int64_t retry_ms = 0) {
    core_->metrics.Rejected(code).Inc();
    SendTo(socket, EncodeError(id, code, message, retry_ms));
  };

  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) {
    return reject(std::nullopt, ErrorCode::kInvalidArgument, "a command is a JSON object");
  }
  const json::object& args = parsed.get_object();
  std::optional<int64_t> id = GetInt(args, "id");
  if (!id) return reject(std::nullopt, ErrorCode::kInvalidArgument, "id must be an integer");
  std::optional<std::string_view> type = GetString(args, "type");
  if (!type) return reject(id, ErrorCode::kInvalidArgument, "type must be a string");

  const CommandSpec* spec = nullptr;
  for (const CommandSpec& c : kCommands) {
    if (c.type == *type) spec = &c;
  }
  if (spec == nullptr) {
    return reject(id, ErrorCode::kUnsupported, "unknown command type");
  }
  auto mit = members_.find(socket.user_id);
  if (mit == members_.end()) return;
  Member& member = mit->second;
  if (member.state == State::kWaiting) {
    return reject(id, ErrorCode::kPermissionDenied, "waiting to be admitted by the teacher");
  }
  if ((spec->roles & (1u << static_cast<unsigned>(member.who.role))) == 0) {
    return reject(
        id, ErrorCode::kPermissionDenied,
        std::string(RoleName(member.who.role)) + "s may not use " + std::string(spec->type));
  }
  Outcome out = (this->*spec->handler)(Command{socket, member, args, *id});
  if (out.answered) return;
  if (out.error) return reject(id, *out.error, out.message, out.retry_after_ms);
  // `socket` may be gone if the command removed its own sender (it cannot today, but be safe).
  auto again = sockets_.find(socket_id);
  if (again != sockets_.end()) SendTo(again->second, EncodeAck(*id, out.seq));
}

Room::Outcome Room::PresenceUpdate(const Command& c) {
  std::optional<int64_t> rtt;
  if (Has(c.args, "rtt_ms")) {
    rtt = GetInt(c.args, "rtt_ms");
    if (!rtt || *rtt < 0 || *rtt > 60'000) {
      return Outcome::Fail(ErrorCode::kInvalidArgument, "rtt_ms must be 0..60000");
    }
  }
  std::optional<std::string_view> quality;
  if (Has(c.args, "quality")) {
    quality = GetString(c.args, "quality");
    if (!quality ||
        (*quality != "good" && *quality != "fair" && *quality != "poor" && *quality != "unknown")) {
      return Outcome::Fail(ErrorCode::kInvalidArgument,
                           "quality must be good, fair, poor or unknown");
    }
  }
  if (!rtt && !quality) {
    return Outcome::Fail(ErrorCode::kInvalidArgument, "give rtt_ms, quality or both");
  }
  int64_t retry = 0;
  if (!Allow(c.member.presence_times, options_.presence_updates_per_window, &retry)) {
    return Outcome::Fail(ErrorCode::kRateLimited, "too many presence updates", retry);
  }
  if (rtt) c.member.rtt_ms = *rtt;
  if (quality) c.member.quality = std::string(*quality);
  json::object fields;
  fields["user_id"] = c.member.who.user_id;
  fields["quality"] = c.member.quality;
  if (c.member.rtt_ms >= 0) {
    fields["rtt_ms"] = c.member.rtt_ms;
  } else {
    fields["rtt_ms"] = nullptr;
  }
  return Outcome::Ok(Publish(EventType::kPresenceUpdated, PresenceAudience(c.member), fields));
}

Room::Outcome Room::ChatSend(const Command& c) {
  std::optional<std::string_view> text = GetString(c.args, "text");
  if (!text || !ValidText(*text, options_.chat_max_chars)) {
    return Outcome::Fail(
        ErrorCode::kInvalidArgument,
        "text must be 1.." + std::to_string(options_.chat_max_chars) + " characters");
  }
  bool is_private = GetBool(c.args, "private").value_or(false);
  std::optional<int64_t> to;
  if (Has(c.args, "to")) {
    to = GetInt(c.args, "to");
    if (!to) return Outcome::Fail(ErrorCode::kInvalidArgument, "to must be a user id");
  }
  int64_t uid = c.member.who.user_id;
  bool teacher = c.member.who.role == RoomRole::kTeacher;
  Audience audience = Audience::Everyone();
  if (to) {
    if (!teacher) {
      return Outcome::Fail(ErrorCode::kPermissionDenied,
                           "students write privately to the teachers only (private: true)");
    }
    auto target = members_.find(*to);
    if (target == members_.end() || target->second.state == State::kWaiting) {
      return Outcome::Fail(ErrorCode::kNotFound, "no such participant");
    }
    is_private = true;
    audience = Audience::TeachersAnd(*to);
  } else if (is_private) {
    audience = Audience::TeachersAnd(uid);
  }
  if (!teacher) {
    if (muted_.count(uid)) return Outcome::Fail(ErrorCode::kMuted, "the teacher muted your chat");
    if (muted_all_ && !is_private) {
      return Outcome::Fail(ErrorCode::kMuted, "the teacher muted chat for everyone");
    }
  }
  int64_t retry = 0;
  if (!Allow(c.member.chat_times, options_.chat_messages_per_window, &retry)) {
    return Outcome::Fail(ErrorCode::kRateLimited, "too many chat messages", retry);
  }
  json::object from;
  from["user_id"] = uid;
  from["name"] = c.member.who.name;
  from["role"] = RoleName(c.member.who.role);
  json::object body;
  body["message_id"] = seq_ + 1;  // the seq Publish is about to give the event
  body["from"] = std::move(from);
  body["text"] = *text;
  body["private"] = is_private;
  if (to) body["to"] = *to;
  body["at_ms"] = core_->clock.NowMs();
  int64_t seq = Publish(EventType::kChatMessage, audience, body);
  chat_.push_back(ChatEntry{seq, audience, std::move(body)});
  while (chat_.size() > options_.chat_retained_messages) chat_.pop_front();
  return Outcome::Ok(seq);
}

Room::Outcome Room::ChatDelete(const Command& c) {
  std::optional<int64_t> message_id = GetInt(c.args, "message_id");
  if (!message_id) return Outcome::Fail(ErrorCode::kInvalidArgument, "message_id is required");
  auto it = std::find_if(chat_.begin(), chat_.end(),
                         [&](const ChatEntry& e) { return e.message_id == *message_id; });
  if (it == chat_.end()) return Outcome::Fail(ErrorCode::kNotFound, "no such message");
  Audience audience = it->audience;
  chat_.erase(it);
  json::object fields;
  fields["message_id"] = *message_id;
  fields["by_user_id"] = c.member.who.user_id;
  return Outcome::Ok(Publish(EventType::kChatDeleted, audience, fields));
}

Room::Outcome Room::ChatMute(const Command& c) {
  std::optional<int64_t> user = GetInt(c.args, "user_id");
  if (!user) return Outcome::Fail(ErrorCode::kInvalidArgument, "user_id is required");
  bool muted = GetBool(c.args, "muted").value_or(true);
  auto target = members_.find(*user);
  if (target == members_.end()) return Outcome::Fail(ErrorCode::kNotFound, "no such participant");
  if (target->second.who.role != RoomRole::kStudent) {
    return Outcome::Fail(ErrorCode::kPermissionDenied, "only students can be muted");
  }
  if (muted) {
    muted_.insert(*user);
  } else {
    muted_.erase(*user);
  }
  json::object fields;
  fields["user_id"] = *user;
  fields["muted"] = muted;
  return Outcome::Ok(Publish(EventType::kChatMuted, Audience::TeachersAnd(*user), fields));
}

Room::Outcome Room::ChatMuteAll(const Command& c) {
  muted_all_ = GetBool(c.args, "muted").value_or(true);
  json::object fields;
  fields["muted"] = muted_all_;
  return Outcome::Ok(Publish(EventType::kChatMutedAll, Audience::Everyone(), fields));
}

Room::Outcome Room::HandRaise(const Command& c) {
  if (c.member.hand_order > 0) return Outcome::Ok();
  c.member.hand_order = next_hand_order_++;
  json::object fields;
  fields["user_id"] = c.member.who.user_id;
  fields["order"] = c.member.hand_order;
  return Outcome::Ok(Publish(EventType::kHandRaised, Audience::Everyone(), fields));
}

Room::Outcome Room::HandLower(const Command& c) {
  int64_t self = c.member.who.user_id;
  int64_t target_id = self;
  if (Has(c.args, "user_id")) {
    std::optional<int64_t> user = GetInt(c.args, "user_id");
    if (!user) return Outcome::Fail(ErrorCode::kInvalidArgument, "user_id must be a user id");
    target_id = *user;
  }
  bool teacher = c.member.who.role == RoomRole::kTeacher;
  if (!teacher && target_id != self) {
    return Outcome::Fail(ErrorCode::kPermissionDenied, "only teachers lower someone else's hand");
  }
  if (teacher && target_id == self) {
    return Outcome::Fail(ErrorCode::kInvalidArgument, "user_id is required");
  }
  auto target = members_.find(target_id);
  if (target == members_.end() || target->second.state == State::kWaiting) {
    return Outcome::Fail(ErrorCode::kNotFound, "no such participant");
  }
  if (target->second.hand_order == 0) return Outcome::Ok();
  target->second.hand_order = 0;
  json::object fields;
  fields["user_id"] = target_id;
  fields["by_user_id"] = self;
  return Outcome::Ok(Publish(EventType::kHandLowered, Audience::Everyone(), fields));
}

Room::Outcome Room::HandLowerAll(const Command& c) {
  for (auto& [uid, m] : members_) m.hand_order = 0;
  json::object fields;
  fields["by_user_id"] = c.member.who.user_id;
  return Outcome::Ok(Publish(EventType::kHandLoweredAll, Audience::Everyone(), fields));
}

Room::Outcome Room::PollOpen(const Command& c) {
  std::optional<std::string_view> question = GetString(c.args, "question");
  if (!question || !ValidText(*question, options_.poll_question_max_chars)) {
    return Outcome::Fail(
        ErrorCode::kInvalidArgument,
        "question must be 1.." + std::to_string(options_.poll_question_max_chars) + " characters");
  }
  const json::value* opts = c.args.if_contains("options");
  if (opts == nullptr || !opts->is_array() || opts->get_array().size() < 2 ||
      opts->get_array().size() > options_.max_poll_options) {
    return Outcome::Fail(
        ErrorCode::kInvalidArgument,
        "options must be an array of 2.." + std::to_string(options_.max_poll_options) + " strings");
  }
  Poll poll;
  for (const json::value& v : opts->get_array()) {
    if (!v.is_string() || !ValidText(v.get_string(), options_.poll_option_max_chars)) {
      return Outcome::Fail(ErrorCode::kInvalidArgument,
                           "each option must be 1.." +
                               std::to_string(options_.poll_option_max_chars) + " characters");
    }
    poll.options.emplace_back(v.get_string());
  }
  if (polls_.size() >= options_.max_polls) {
    return Outcome::Fail(ErrorCode::kConflict, "this room has reached its number of polls");
  }
  poll.id = next_poll_id_++;
  poll.question = std::string(*question);
  poll.counts.assign(poll.options.size(), 0);
  json::object fields;
  fields["poll_id"] = poll.id;
  fields["question"] = poll.question;
  json::array arr;
  for (const auto& o : poll.options) arr.emplace_back(o);
  fields["options"] = std::move(arr);
  polls_.emplace(poll.id, std::move(poll));
  return Outcome::Ok(Publish(EventType::kPollOpened, Audience::Everyone(), fields));
}

Room::Outcome Room::PollClose(const Command& c) {
  std::optional<int64_t> poll_id = GetInt(c.args, "poll_id");
  if (!poll_id) return Outcome::Fail(ErrorCode::kInvalidArgument, "poll_id is required");
  auto it = polls_.find(*poll_id);
  if (it == polls_.end()) return Outcome::Fail(ErrorCode::kNotFound, "no such poll");
  Poll& p = it->second;
  if (!p.open) return Outcome::Fail(ErrorCode::kConflict, "the poll is already closed");
  p.open = false;
  json::object fields;
  fields["poll_id"] = p.id;
  fields["question"] = p.question;
  json::array arr;
  for (const auto& o : p.options) arr.emplace_back(o);
  fields["options"] = std::move(arr);
  fields["counts"] = ToArray(p.counts);
  fields["total"] = int64_t(p.votes.size());
  return Outcome::Ok(Publish(EventType::kPollClosed, Audience::Everyone(), fields));
}

Room::Outcome Room::PollVote(const Command& c) {
  std::optional<int64_t> poll_id = GetInt(c.args, "poll_id");
  std::optional<int64_t> option = GetInt(c.args, "option");
  if (!poll_id || !option) {
    return Outcome::Fail(ErrorCode::kInvalidArgument, "poll_id and option are required");
  }
  auto it = polls_.find(*poll_id);
  if (it == polls_.end()) return Outcome::Fail(ErrorCode::kNotFound, "no such poll");
  Poll& p = it->second;
  if (!p.open) return Outcome::Fail(ErrorCode::kConflict, "the poll is closed");
  if (*option < 0 || size_t(*option) >= p.options.size()) {
    return Outcome::Fail(ErrorCode::kInvalidArgument, "option is out of range");
  }
  int64_t uid = c.member.who.user_id;
  auto prev = p.votes.find(uid);
  if (prev != p.votes.end()) {
    if (prev->second == size_t(*option)) return Outcome::Ok();
    --p.counts[prev->second];
  }
  p.votes[uid] = size_t(*option);
  ++p.counts[size_t(*option)];
  json::object fields;
  fields["poll_id"] = p.id;
  fields["counts"] = ToArray(p.counts);
  fields["total"] = int64_t(p.votes.size());
  // The counts go to teachers only: the voter's ack carries no seq it could not see.
  Publish(EventType::kPollCounts, Audience::Teachers(), fields);
  return Outcome::Ok();
}

Room::Outcome Room::RoomLock(const Command& c) {
  std::optional<bool> locked = GetBool(c.args, "locked");
  if (!locked) return Outcome::Fail(ErrorCode::kInvalidArgument, "locked must be true or false");
  locked_ = *locked;
  json::object fields;
  fields["locked"] = locked_;
  return Outcome::Ok(Publish(EventType::kRoomLocked, Audience::Everyone(), fields));
}

Room::Outcome Room::RoomWaitingRoom(const Command& c) {
  std::optional<bool> enabled = GetBool(c.args, "enabled");
  if (!enabled) return Outcome::Fail(ErrorCode::kInvalidArgument, "enabled must be true or false");
  waiting_room_ = *enabled;
  json::object fields;
  fields["enabled"] = waiting_room_;
  int64_t seq = Publish(EventType::kRoomWaitingRoom, Audience::Everyone(), fields);
  if (!waiting_room_) {
    // Turning the waiting room off lets everyone waiting in.
    std::vector<int64_t> waiting;
    for (const auto& [uid, m] : members_) {
      if (m.state == State::kWaiting) waiting.push_back(uid);
    }
    for (int64_t uid : waiting) Admit(members_.at(uid));
  }
  return Outcome::Ok(seq);
}

Room::Outcome Room::WaitingAdmit(const Command& c) {
  std::optional<int64_t> user = GetInt(c.args, "user_id");
  if (!user) return Outcome::Fail(ErrorCode::kInvalidArgument, "user_id is required");
  auto it = members_.find(*user);
  if (it == members_.end() || it->second.state != State::kWaiting) {
    return Outcome::Fail(ErrorCode::kNotFound, "no such student in the waiting room");
  }
  Admit(it->second);
  return Outcome::Ok(seq_);
}

Room::Outcome Room::WaitingDeny(const Command& c) {
  std::optional<int64_t> user = GetInt(c.args, "user_id");
  if (!user) return Outcome::Fail(ErrorCode::kInvalidArgument, "user_id is required");
  auto it = members_.find(*user);
  if (it == members_.end() || it->second.state != State::kWaiting) {
    return Outcome::Fail(ErrorCode::kNotFound, "no such student in the waiting room");
  }
  CloseSocketsOf(it->second, ErrorCode::kDenied, "the teacher did not admit you");
  members_.erase(it);
  json::object fields;
  fields["user_id"] = *user;
  fields["reason"] = "denied";
  return Outcome::Ok(Publish(EventType::kWaitingLeft, Audience::Teachers(), fields));
}

Room::Outcome Room::ParticipantRemove(const Command& c) {
  std::optional<int64_t> user = GetInt(c.args, "user_id");
  if (!user) return Outcome::Fail(ErrorCode::kInvalidArgument, "user_id is required");
  auto it = members_.find(*user);
  if (it == members_.end()) return Outcome::Fail(ErrorCode::kNotFound, "no such participant");
  if (it->second.who.role != RoomRole::kStudent) {
    return Outcome::Fail(ErrorCode::kPermissionDenied, "only students can be removed");
  }
  removed_.insert(*user);
  CloseSocketsOf(it->second, ErrorCode::kRemoved, "the teacher removed you from this session");
  if (it->second.state == State::kWaiting) {
    members_.erase(it);
    json::object fields;
    fields["user_id"] = *user;
    fields["reason"] = "removed";
    return Outcome::Ok(Publish(EventType::kWaitingLeft, Audience::Teachers(), fields));
  }
  Leave(*user, "removed", core_->clock.NowMs());
  return Outcome::Ok(seq_);
}

Room::Outcome Room::RoomEnd(const Command& c) {
  // Ack first: End closes every socket, this one included.
  SendTo(c.socket, EncodeAck(c.id, seq_ + 1));
  End("ended by the teacher");
  Outcome out = Outcome::Ok();
  out.answered = true;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Media (docs/live-protocol.md, "Media"): the floor rules live here; the engine carries them out.

namespace {

std::optional<json::object> GetObject(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_object()) return std::nullopt;
  return v->get_object();
}

// A JSEP of `type` ("offer", "answer") with an SDP, or nullopt.
std::optional<json::object> GetJsep(const json::object& args, std::string_view type) {
  std::optional<json::object> jsep = GetObject(args, "jsep");
  if (!jsep) return std::nullopt;
  auto t = GetString(*jsep, "type");
  auto sdp = GetString(*jsep, "sdp");
  if (!t || *t != type || !sdp || sdp->empty()) return std::nullopt;
  json::object clean;
  clean["type"] = *t;
  clean["sdp"] = *sdp;
  return clean;
}

}  // namespace

std::optional<std::string> Room::MediaUnusable() const {
  if (core_->media == nullptr || !core_->media->enabled()) {
    return "this server has no video and audio";
  }
  if (!media_available_) return "video and audio are unavailable right now";
  return std::nullopt;
}

Room::Outcome Room::MediaFailure(const ::homeroom::Status& status) {
  switch (status.code()) {
    case StatusCode::kPermissionDenied:
      return Outcome::Fail(ErrorCode::kPermissionDenied, status.message());
    case StatusCode::kNotFound:
      return Outcome::Fail(ErrorCode::kNotFound, status.message());
    case StatusCode::kInvalidArgument:
      return Outcome::Fail(ErrorCode::kInvalidArgument, status.message());
    case StatusCode::kConflict:
      return Outcome::Fail(ErrorCode::kConflict, status.message());
    default:
      return Outcome::Fail(ErrorCode::kMediaUnavailable, "the media server failed");
  }
}

void Room::AnswerLater(uint64_t socket_id, int64_t id, const Outcome& outcome,
                       const json::object& fields) {
  auto it = sockets_.find(socket_id);
  if (it == sockets_.end()) return;
  if (outcome.error) {
    core_->metrics.Rejected(*outcome.error).Inc();
    SendTo(it->second, EncodeError(id, *outcome.error, outcome.message, outcome.retry_after_ms));
    return;
  }
  SendTo(it->second, EncodeAckWith(id, outcome.seq, fields));
}

std::optional<int64_t> Room::StopPublishing(Member& m, std::string_view reason) {
  if (!m.publishing) return std::nullopt;
  m.publishing = false;
  m.feed_live = false;
  m.sent = SentMedia{};
  json::object fields;
  fields["user_id"] = m.who.user_id;
  fields["feed_id"] = m.feed_id;
  fields["reason"] = reason;
  return Publish(EventType::kMediaUnpublished, Audience::Everyone(), fields);
}

void Room::LeaveMedia(Member& m, std::string_view reason) {
  if (m.media_socket == 0 && !m.publishing && !m.publish_pending) return;
  if (core_->media != nullptr) core_->media->Leave(info_.session_id, m.who.user_id);
  StopPublishing(m, reason);
  m.media_socket = 0;
}

Room::Outcome Room::MediaPublish(const Command& c) {
  if (auto why = MediaUnusable()) return Outcome::Fail(ErrorCode::kMediaUnavailable, *why);
  std::optional<json::object> offer = GetJsep(c.args, "offer");
  if (!offer) {
    return Outcome::Fail(ErrorCode::kInvalidArgument,
                         "jsep must be an SDP offer: {\"type\":\"offer\",\"sdp\":...}");
  }
  SentMedia sent = CountSentMedia(offer->at("sdp").get_string());
  bool teacher = c.member.who.role == RoomRole::kTeacher;
  if (sent.audio + sent.video == 0) {
    return Outcome::Fail(ErrorCode::kInvalidArgument, "the offer sends no audio or video");
  }
  // A teacher sends a microphone, a camera and a shared screen; a student a microphone and a
  // camera.
  if (sent.audio > 1 || sent.video > (teacher ? 2 : 1)) {
    return Outcome::Fail(ErrorCode::kInvalidArgument,
                         teacher ? "send at most one audio and two video streams"
                                 : "send at most one audio and one video stream");
  }
  if (!teacher) {
    if (sent.audio > 0 && !c.member.floor_mic) {
      return Outcome::Fail(ErrorCode::kFloorRequired,
                           "the teacher has not given you the floor for your microphone");
    }
    if (sent.video > 0 && !c.member.floor_camera) {
      return Outcome::Fail(ErrorCode::kFloorRequired,
                           "the teacher has not given you the floor for your camera");
    }
  }
  if (c.member.media_socket != 0 && c.member.media_socket != c.socket.id) {
    return Outcome::Fail(ErrorCode::kConflict, "your video and audio run in another tab");
  }
  if (c.member.publish_pending) {
    return Outcome::Fail(ErrorCode::kConflict, "a publish is already in progress");
  }
  size_t publishers = 0;
  for (const auto& [uid, m] : members_) {
    if (uid != c.member.who.user_id && (m.publishing || m.publish_pending)) ++publishers;
  }
  if (publishers >= core_->media->max_publishers()) {
    return Outcome::Fail(ErrorCode::kPublishersFull,
                         "the room has its most publishers (" +
                             std::to_string(core_->media->max_publishers()) + ")");
  }
  c.member.publish_pending = true;
  c.member.media_socket = c.socket.id;
  uint64_t socket_id = c.socket.id;
  int64_t id = c.id;
  int64_t uid = c.member.who.user_id;
  std::weak_ptr<Room> weak = weak_from_this();
  core_->media->Publish(
      info_.session_id, uid, c.member.who.name, std::move(*offer),
      [weak, socket_id, id, uid, sent](Result<MediaEngine::Published> published) {
        auto self = weak.lock();
        if (!self) return;
        self->PostToStrand([socket_id, id, uid, sent,
                            published = std::move(published)](Room& r) mutable {
          auto mit = r.members_.find(uid);
          if (mit == r.members_.end()) {
            if (published.ok() && r.core_->media) r.core_->media->Leave(r.info_.session_id, uid);
            return;
          }
          Member& m = mit->second;
          m.publish_pending = false;
          json::object none;
          if (!published.ok()) {
            return r.AnswerLater(socket_id, id, MediaFailure(published.status()), none);
          }
          bool allowed = m.who.role == RoomRole::kTeacher ||
                         ((sent.audio == 0 || m.floor_mic) && (sent.video == 0 || m.floor_camera));
          if (!allowed || !r.media_available_ || m.media_socket != socket_id) {
            // The floor was taken back, the media server failed, or the socket went meanwhile.
            r.core_->media->Unpublish(r.info_.session_id, uid, [](const ::homeroom::Status&) {});
            Outcome refused = !allowed ? Outcome::Fail(ErrorCode::kFloorRequired,
                                                       "the teacher took the floor back")
                                       : Outcome::Fail(ErrorCode::kMediaUnavailable,
                                                       "video and audio are unavailable right now");
            return r.AnswerLater(socket_id, id, refused, none);
          }
          // Announced (media.published) once its PeerConnection is up: before that, Janus has
          // nothing to subscribe to.
          bool renegotiated = m.publishing && m.feed_live;
          m.publishing = true;
          m.feed_live = renegotiated;
          m.sent = sent;
          m.feed_id = published->feed_id;
          json::object answer;
          answer["jsep"] = std::move(published->answer);
          answer["feed_id"] = m.feed_id;
          r.AnswerLater(socket_id, id, Outcome::Ok(), answer);
        });
      });
  Outcome out = Outcome::Ok();
  out.answered = true;
  return out;
}

Room::Outcome Room::MediaUnpublish(const Command& c) {
  if (c.member.publish_pending) {
    return Outcome::Fail(ErrorCode::kConflict, "a publish is in progress; unpublish after it");
  }
  if (!c.member.publishing) return Outcome::Ok();
  core_->media->Unpublish(info_.session_id, c.member.who.user_id, [](const ::homeroom::Status&) {});
  return Outcome::Ok(StopPublishing(c.member, "stopped"));
}

Room::Outcome Room::MediaSubscribe(const Command& c) {
  if (auto why = MediaUnusable()) return Outcome::Fail(ErrorCode::kMediaUnavailable, *why);
  if (c.member.media_socket != 0 && c.member.media_socket != c.socket.id) {
    return Outcome::Fail(ErrorCode::kConflict, "your video and audio run in another tab");
  }
  std::map<int64_t, SentMedia> feeds;  // what can be subscribed to: feed -> what it sends
  for (const auto& [uid, m] : members_) {
    if (m.publishing && m.feed_live && uid != c.member.who.user_id) feeds[m.feed_id] = m.sent;
  }
  Result<std::vector<StreamChoice>> wanted = ChooseStreams(c.args, feeds);
  if (!wanted.ok()) {
    return Outcome::Fail(wanted.status().code() == StatusCode::kNotFound
                             ? ErrorCode::kNotFound
                             : ErrorCode::kInvalidArgument,
                         wanted.status().message());
  }
  c.member.media_socket = c.socket.id;
  uint64_t socket_id = c.socket.id;
  int64_t id = c.id;
  std::weak_ptr<Room> weak = weak_from_this();
  core_->media->Subscribe(
      info_.session_id, c.member.who.user_id, std::move(*wanted),
      [weak, socket_id, id](Result<std::optional<MediaEngine::SubscriberOffer>> offer) {
        auto self = weak.lock();
        if (!self) return;
        self->PostToStrand([socket_id, id, offer = std::move(offer)](Room& r) {
          json::object fields;
          if (!offer.ok())
            return r.AnswerLater(socket_id, id, MediaFailure(offer.status()), fields);
          if (*offer) {
            fields["jsep"] = (*offer)->jsep;
            fields["streams"] = (*offer)->streams;
          } else {
            fields["jsep"] = nullptr;
          }
          r.AnswerLater(socket_id, id, Outcome::Ok(), fields);
        });
      });
  Outcome out = Outcome::Ok();
  out.answered = true;
  return out;
}

Room::Outcome Room::MediaStart(const Command& c) {
  if (auto why = MediaUnusable()) return Outcome::Fail(ErrorCode::kMediaUnavailable, *why);
  if (c.member.media_socket != c.socket.id) {
    return Outcome::Fail(ErrorCode::kConflict, "subscribe on this socket first");
  }
  std::optional<json::object> answer = GetJsep(c.args, "answer");
  if (!answer) {
    return Outcome::Fail(ErrorCode::kInvalidArgument,
                         "jsep must be an SDP answer: {\"type\":\"answer\",\"sdp\":...}");
  }
  uint64_t socket_id = c.socket.id;
  int64_t id = c.id;
  std::weak_ptr<Room> weak = weak_from_this();
  core_->media->Start(info_.session_id, c.member.who.user_id, std::move(*answer),
                      [weak, socket_id, id](::homeroom::Status started) {
                        auto self = weak.lock();
                        if (!self) return;
                        self->PostToStrand([socket_id, id, started](Room& r) {
                          json::object none;
                          r.AnswerLater(socket_id, id,
                                        started.ok() ? Outcome::Ok() : MediaFailure(started), none);
                        });
                      });
  Outcome out = Outcome::Ok();
  out.answered = true;
  return out;
}

Room::Outcome Room::MediaTrickle(const Command& c) {
  if (auto why = MediaUnusable()) return Outcome::Fail(ErrorCode::kMediaUnavailable, *why);
  if (c.member.media_socket != c.socket.id) {
    return Outcome::Fail(ErrorCode::kConflict, "publish or subscribe on this socket first");
  }
  std::optional<std::string_view> target = GetString(c.args, "target");
  if (!target || (*target != "publisher" && *target != "subscriber")) {
    return Outcome::Fail(ErrorCode::kInvalidArgument, "target must be publisher or subscriber");
  }
  json::object candidate;
  if (std::optional<json::object> given = GetObject(c.args, "candidate")) {
    candidate = std::move(*given);
  } else if (const json::value* v = c.args.if_contains("candidate"); v && v->is_null()) {
    candidate["completed"] = true;
  } else {
    return Outcome::Fail(ErrorCode::kInvalidArgument, "candidate must be an object or null");
  }
  // Acknowledged at once; the engine keeps the order of the user's media operations.
  core_->media->Trickle(info_.session_id, c.member.who.user_id, *target == "publisher",
                        std::move(candidate), [](const ::homeroom::Status&) {});
  return Outcome::Ok();
}

Room::Outcome Room::MediaLeave(const Command& c) {
  if (c.member.publish_pending) {
    return Outcome::Fail(ErrorCode::kConflict, "a publish is in progress; leave after it");
  }
  std::optional<int64_t> seq =
      c.member.publishing ? std::optional<int64_t>(seq_ + 1) : std::nullopt;
  LeaveMedia(c.member, "left");
  return Outcome::Ok(seq);
}

Room::Outcome Room::MediaFloor(const Command& c) {
  std::optional<int64_t> user = GetInt(c.args, "user_id");
  if (!user) return Outcome::Fail(ErrorCode::kInvalidArgument, "user_id is required");
  std::optional<bool> mic, camera;
  if (Has(c.args, "mic")) {
    mic = GetBool(c.args, "mic");
    if (!mic) return Outcome::Fail(ErrorCode::kInvalidArgument, "mic must be true or false");
  }
  if (Has(c.args, "camera")) {
    camera = GetBool(c.args, "camera");
    if (!camera) return Outcome::Fail(ErrorCode::kInvalidArgument, "camera must be true or false");
  }
  if (!mic && !camera)
    return Outcome::Fail(ErrorCode::kInvalidArgument, "give mic, camera or both");
  auto it = members_.find(*user);
  if (it == members_.end() || it->second.state == State::kWaiting) {
    return Outcome::Fail(ErrorCode::kNotFound, "no such participant");
  }
  Member& m = it->second;
  if (m.who.role != RoomRole::kStudent) {
    return Outcome::Fail(ErrorCode::kPermissionDenied, "only students are given the floor");
  }
  if (mic) m.floor_mic = *mic;
  if (camera) m.floor_camera = *camera;
  json::object fields;
  fields["user_id"] = *user;
  fields["mic"] = m.floor_mic;
  fields["camera"] = m.floor_camera;
  int64_t seq = Publish(EventType::kMediaFloor, Audience::Everyone(), fields);
  // Taking the floor back stops what it covered: Homeroom unpublishes them in the media server.
  if (m.publishing &&
      ((m.sent.audio > 0 && !m.floor_mic) || (m.sent.video > 0 && !m.floor_camera))) {
    core_->media->Unpublish(info_.session_id, m.who.user_id, [](const ::homeroom::Status&) {});
    StopPublishing(m, "floor_revoked");
  }
  return Outcome::Ok(seq);
}

void Room::OnMediaAvailability(bool available) {
  if (ended_ || available == media_available_) return;
  media_available_ = available;
  if (!available) {
    // Every PeerConnection of the room is gone with the media server.
    for (auto& [uid, m] : members_) {
      m.publishing = false;
      m.feed_live = false;
      m.sent = SentMedia{};
      m.media_socket = 0;
    }
    json::object fields;
    fields["reason"] = "the media server is unavailable";
    Publish(EventType::kMediaUnavailable, Audience::Everyone(), fields);
    return;
  }
  Publish(EventType::kMediaAvailable, Audience::Everyone(), json::object());
}

void Room::OnPeerMessage(int64_t user_id, const json::object& frame) {
  auto mit = members_.find(user_id);
  if (mit == members_.end() || mit->second.media_socket == 0) return;
  Member& m = mit->second;
  const json::value* type = frame.if_contains("type");
  const json::value* target = frame.if_contains("target");
  if (m.publishing && !m.feed_live && type && *type == "media.connected" && target &&
      *target == "publisher") {
    m.feed_live = true;
    json::object fields;
    fields["user_id"] = user_id;
    fields["feed_id"] = m.feed_id;
    fields["audio"] = m.sent.audio;
    fields["video"] = m.sent.video;
    fields["streams"] = StreamsJson(m.sent);
    Publish(EventType::kMediaPublished, Audience::Everyone(), fields);
  }
  auto sit = sockets_.find(mit->second.media_socket);
  if (sit != sockets_.end()) SendTo(sit->second, EncodeObject(frame));
}

json::object Room::MediaSnapshot() const {
  json::object media;
  bool enabled = core_->media != nullptr && core_->media->enabled();
  media["enabled"] = enabled;
  media["available"] = media_available_;
  media["max_publishers"] = enabled ? int64_t(core_->media->max_publishers()) : 0;
  json::array publishers, floor;
  for (const auto& [uid, m] : members_) {
    if (m.publishing && m.feed_live) {
      json::object p;
      p["user_id"] = uid;
      p["feed_id"] = m.feed_id;
      p["audio"] = m.sent.audio;
      p["video"] = m.sent.video;
      p["streams"] = StreamsJson(m.sent);
      publishers.emplace_back(std::move(p));
    }
    if (m.floor_mic || m.floor_camera) {
      json::object f;
      f["user_id"] = uid;
      f["mic"] = m.floor_mic;
      f["camera"] = m.floor_camera;
      floor.emplace_back(std::move(f));
    }
  }
  media["publishers"] = std::move(publishers);
  media["floor"] = std::move(floor);
  return media;
}

}  // namespace homeroom::live::internal
