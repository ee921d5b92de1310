#include "live/hub.h"

#include "live/protocol.h"
#include "live/room.h"

namespace homeroom::live {

Connection::Connection(std::shared_ptr<internal::Room> room, uint64_t id)
    : room_(std::move(room)), id_(id) {}

Connection::~Connection() { OnClose(); }

void Connection::OnText(std::string message) {
  if (room_ == nullptr || closed_.load(std::memory_order_acquire)) return;
  room_->PostCommand(id_, std::move(message));
}

void Connection::OnClose() {
  if (room_ == nullptr || closed_.exchange(true, std::memory_order_acq_rel)) return;
  room_->PostDetach(id_);
}

Hub::Hub(boost::asio::any_io_executor executor, Bus& bus, AttendanceSink& attendance,
         const Clock& clock, metrics::Registry& metrics, HubOptions options)
    : core_(std::make_shared<internal::HubCore>(std::move(executor), bus, attendance, clock,
                                                metrics, options)) {}

Hub::~Hub() {
  std::unordered_map<int64_t, std::shared_ptr<internal::Room>> rooms;
  {
    std::lock_guard lock(core_->mu);
    rooms.swap(core_->rooms);
  }
  for (auto& [id, room] : rooms) room->ShutdownUnsafe();
}

void Hub::SetRoomEndedCallback(RoomEndedCallback callback) {
  core_->on_ended = std::move(callback);
}

std::shared_ptr<Connection> Hub::Connect(const RoomInfo& room, const Participant& who,
                                         std::shared_ptr<Outbound> out,
                                         std::optional<ResumePoint> resume) {
  std::shared_ptr<internal::Room> target;
  uint64_t id = 0;
  {
    std::lock_guard lock(core_->mu);
    if (!core_->ended.count(room.session_id)) {
      auto& slot = core_->rooms[room.session_id];
      if (slot == nullptr) slot = internal::Room::Create(core_, room);
      target = slot;
      id = core_->next_connection_id++;
    }
  }
  if (target == nullptr) {
    core_->metrics.Rejected(ErrorCode::kRoomEnded).Inc();
    out->Send(EncodeError(std::nullopt, ErrorCode::kRoomEnded, "this live session has ended"));
    out->Close(1000, std::string(ErrorCodeName(ErrorCode::kRoomEnded)));
    return std::make_shared<Connection>(nullptr, 0);
  }
  target->PostAttach(id, who, std::move(out), std::move(resume));
  return std::make_shared<Connection>(std::move(target), id);
}

void Hub::EndRoom(int64_t session_id, std::string reason) {
  std::shared_ptr<internal::Room> room;
  {
    std::lock_guard lock(core_->mu);
    auto it = core_->rooms.find(session_id);
    if (it != core_->rooms.end()) room = it->second;
    core_->RememberEndedLocked(session_id);
  }
  if (room) room->PostEnd(std::move(reason));
}

size_t Hub::room_count() const {
  std::lock_guard lock(core_->mu);
  return core_->rooms.size();
}

std::vector<RoomStatus> Hub::Rooms() const {
  std::vector<RoomStatus> out;
  std::lock_guard lock(core_->mu);
  out.reserve(core_->rooms.size());
  for (const auto& [id, room] : core_->rooms) out.push_back(room->Status());
  return out;
}

std::optional<RoomStatus> Hub::FindRoom(int64_t session_id) const {
  std::lock_guard lock(core_->mu);
  auto it = core_->rooms.find(session_id);
  if (it == core_->rooms.end()) return std::nullopt;
  return it->second->Status();
}

void Hub::SetMediaEngine(MediaEngine* engine) { core_->media = engine; }

const HubOptions& Hub::options() const { return core_->options; }

}  // namespace homeroom::live
