#include "media/media_service.h"

#include <sodium.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <set>

#include "core/log.h"

namespace homeroom::media {

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

constexpr const char* kCredentialsFile = "homeroom-janus.json";

std::string KeyedHex(const std::string& key, const std::string& message) {
  unsigned char out[16];
  const size_t key_len = std::min<size_t>(key.size(), crypto_generichash_KEYBYTES_MAX);
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size(), reinterpret_cast<const unsigned char*>(key.data()), key_len);
  char hex[2 * sizeof out + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

}  // namespace

std::string MediaService::RoomSecret(const std::string& admin_key, uint64_t room) {
  return KeyedHex(admin_key, "homeroom room secret " + std::to_string(room));
}

std::string MediaService::RoomPin(const std::string& admin_key, uint64_t room) {
  return KeyedHex(admin_key, "homeroom room pin " + std::to_string(room));
}

Result<std::unique_ptr<MediaService>> MediaService::Create(asio::any_io_executor executor,
                                                           const std::vector<std::string>& janus,
                                                           const MediaOptions& options,
                                                           metrics::Registry& registry) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialize");
  auto service = std::make_unique<MediaService>(executor, options, registry);
  std::set<std::string> seen;
  for (const std::string& entry : janus) {
    fs::path dir = entry;
    std::error_code ec;
    if (fs::is_regular_file(dir, ec)) {
      if (dir.filename() != kCredentialsFile) {
        return Status::InvalidArgument("--janus names a directory or its " +
                                       std::string(kCredentialsFile) + ", not " + entry);
      }
      dir = dir.parent_path();
    }
    auto credentials = ReadJanusCredentials(dir);
    if (!credentials.ok()) {
      return Status(credentials.status().code(),
                    "--janus " + entry + ": " + credentials.status().message());
    }
    for (const std::string* url : {&credentials->api_url, &credentials->admin_url}) {
      auto parsed = JanusEndpoint::Parse(*url);
      if (!parsed.ok())
        return Status::InvalidArgument("--janus " + entry + ": " + parsed.status().message());
    }
    if (!seen.insert(credentials->api_url).second) {
      return Status::InvalidArgument("--janus " + entry + ": " + credentials->api_url +
                                     " is configured twice");
    }
    Slot slot;
    slot.credentials = *credentials;
    slot.instance =
        JanusInstance::Create(executor, *credentials, service->options_, service->metrics_);
    slot.load_gauge = &service->metrics_.InstanceLoad(slot.instance->name());
    service->instances_.push_back(std::move(slot));
  }
  return service;
}

MediaService::MediaService(asio::any_io_executor executor, const MediaOptions& options,
                           metrics::Registry& registry)
    : options_(options),
      metrics_(registry),
      executor_(executor),
      reconcile_strand_(asio::make_strand(executor)) {}

MediaService::~MediaService() { Stop(); }

void MediaService::Start() {
  for (size_t i = 0; i < instances_.size(); ++i) {
    instances_[i].instance->SetHealthCallback(
        [this, i](bool healthy, uint64_t epoch) { OnHealth(i, healthy, epoch); });
    instances_[i].instance->Start();
  }
}

void MediaService::Stop() {
  for (Slot& slot : instances_) {
    slot.instance->Stop();
  }
}

size_t MediaService::healthy_instances() const {
  size_t n = 0;
  for (const Slot& slot : instances_) n += slot.instance->healthy();
  return n;
}

std::vector<MediaInstanceStatus> MediaService::Instances() const {
  std::vector<MediaInstanceStatus> out;
  std::lock_guard lock(mu_);
  for (const Slot& slot : instances_) {
    out.push_back({slot.instance->name(), slot.instance->healthy(), slot.rooms,
                   static_cast<size_t>(std::max<int64_t>(0, slot.participants))});
  }
  return out;
}

void MediaService::SetLoadLocked(Slot& slot) {
  slot.load_gauge->Set(static_cast<int64_t>(slot.rooms) + slot.participants);
}

std::optional<size_t> MediaService::PickLocked() const {
  std::optional<size_t> best;
  int64_t best_load = 0;
  for (size_t i = 0; i < instances_.size(); ++i) {
    const Slot& slot = instances_[i];
    if (!slot.instance->healthy() || slot.rooms >= options_.max_rooms_per_instance) continue;
    int64_t load = static_cast<int64_t>(slot.rooms) + slot.participants;
    if (!best || load < best_load) {
      best = i;
      best_load = load;
    }
  }
  return best;
}

asio::awaitable<Result<MediaRoom>> MediaService::Place(int64_t session_id, std::string title) {
  size_t index = 0;
  {
    std::lock_guard lock(mu_);
    std::optional<size_t> picked = PickLocked();
    if (!picked) {
      metrics_.placements_no_instance.Inc();
      co_return Status::Unavailable("no media server is available", 5);
    }
    index = *picked;
    ++instances_[index].rooms;  // reserved while the room is made
    SetLoadLocked(instances_[index]);
  }
  Slot& slot = instances_[index];
  std::shared_ptr<JanusInstance> instance = slot.instance;
  const uint64_t room = static_cast<uint64_t>(session_id);
  JanusRoomSpec spec;
  spec.room = room;
  spec.description = std::move(title);
  spec.secret = RoomSecret(slot.credentials.videoroom_admin_key, room);
  spec.pin = RoomPin(slot.credentials.videoroom_admin_key, room);
  spec.publishers = options_.max_publishers_per_room;
  spec.bitrate_bps = options_.publisher_bitrate_bps;
  const uint64_t epoch = instance->epoch();
  JanusRoomSpec first = spec;
  Status created = co_await instance->CreateRoom(std::move(first));
  if (created.code() == StatusCode::kConflict) {
    // Left over from before a Homeroom restart (Janus kept running): start it afresh.
    std::string secret = spec.secret;
    Status destroyed = co_await instance->DestroyRoom(room, std::move(secret));
    if (destroyed.ok() || destroyed.code() == StatusCode::kNotFound) {
      JanusRoomSpec again = spec;
      created = co_await instance->CreateRoom(std::move(again));
    } else {
      created = destroyed;
    }
  }
  if (!created.ok()) {
    std::lock_guard lock(mu_);
    --slot.rooms;
    SetLoadLocked(slot);
    metrics_.placements_failed.Inc();
    log::Warn("media_room_failed", {{"session_id", session_id},
                                    {"instance", instance->name()},
                                    {"error", created.ToString()}});
    co_return Status::Unavailable("the media server failed: " + created.message(), 5);
  }
  metrics_.placements_placed.Inc();
  metrics_.rooms.Add(1);
  log::Info("media_room_placed", {{"session_id", session_id}, {"instance", instance->name()}});
  co_return MediaRoom{session_id, instance, room, spec.secret, spec.pin, epoch};
}

asio::awaitable<Result<MediaRoom>> MediaService::OpenRoom(int64_t session_id, std::string title) {
  if (instances_.empty()) co_return Status::Unavailable("no media server is configured", 60);
  {
    std::lock_guard lock(mu_);
    Wanted& wanted = rooms_[session_id];
    wanted.title = title;
    if (wanted.placed) co_return *wanted.placed;
    if (wanted.placing) co_return Status::Unavailable("the room's media is being set up", 1);
    wanted.placing = true;
  }
  Result<MediaRoom> placed = co_await Place(session_id, std::move(title));
  std::optional<MediaRoom> orphan;
  {
    std::lock_guard lock(mu_);
    auto it = rooms_.find(session_id);
    if (it == rooms_.end()) {
      if (placed.ok()) orphan = *placed;  // closed while it was being made
    } else {
      it->second.placing = false;
      if (placed.ok()) it->second.placed = *placed;
    }
  }
  if (orphan) {
    // Closed meanwhile: undo. The reservation is released by the destroy below.
    {
      std::lock_guard lock(mu_);
      for (Slot& slot : instances_) {
        if (slot.instance == orphan->instance) {
          --slot.rooms;
          SetLoadLocked(slot);
        }
      }
    }
    metrics_.rooms.Add(-1);
    std::string secret = orphan->secret;
    Status destroyed = co_await orphan->instance->DestroyRoom(orphan->room, std::move(secret));
    (void)destroyed;
    co_return Status::NotFound("the session's media was closed");
  }
  if (placed.ok() && on_room_) on_room_(session_id, true);
  co_return placed;
}

asio::awaitable<Status> MediaService::CloseRoom(int64_t session_id) {
  std::optional<MediaRoom> placed;
  {
    std::lock_guard lock(mu_);
    auto it = rooms_.find(session_id);
    if (it == rooms_.end()) co_return Status::Ok();
    placed = it->second.placed;
    if (placed) {
      for (Slot& slot : instances_) {
        if (slot.instance != placed->instance) continue;
        --slot.rooms;
        SetLoadLocked(slot);
      }
      metrics_.rooms.Add(-1);
    }
    rooms_.erase(it);
  }
  if (!placed || !placed->instance->healthy() || placed->instance->epoch() != placed->epoch) {
    co_return Status::Ok();
  }
  std::string secret = placed->secret;
  Status destroyed = co_await placed->instance->DestroyRoom(placed->room, std::move(secret));
  if (destroyed.code() == StatusCode::kNotFound) co_return Status::Ok();
  if (destroyed.ok()) log::Info("media_room_destroyed", {{"session_id", session_id}});
  co_return destroyed;
}

std::optional<MediaRoom> MediaService::FindRoom(int64_t session_id) const {
  std::lock_guard lock(mu_);
  auto it = rooms_.find(session_id);
  if (it == rooms_.end()) return std::nullopt;
  return it->second.placed;
}

void MediaService::AddParticipants(const std::string& instance, int64_t delta) {
  std::lock_guard lock(mu_);
  for (Slot& slot : instances_) {
    if (slot.instance->name() != instance) continue;
    slot.participants = std::max<int64_t>(0, slot.participants + delta);
    SetLoadLocked(slot);
  }
}

void MediaService::OnHealth(size_t index, bool healthy, uint64_t epoch) {
  std::vector<int64_t> lost;
  bool unplaced = false;
  {
    std::lock_guard lock(mu_);
    Slot& slot = instances_[index];
    for (auto& [session_id, wanted] : rooms_) {
      if (wanted.placed && wanted.placed->instance == slot.instance &&
          (!healthy || wanted.placed->epoch != epoch)) {
        wanted.placed.reset();
        --slot.rooms;
        metrics_.rooms.Add(-1);
        lost.push_back(session_id);
      }
      if (!wanted.placed && !wanted.placing) unplaced = true;
    }
    if (!lost.empty()) {
      // The participants on the lost rooms are gone with them.
      if (slot.rooms == 0) slot.participants = 0;
      SetLoadLocked(slot);
    }
    if (unplaced && !reconcile_queued_) {
      reconcile_queued_ = true;
    } else {
      unplaced = false;
    }
  }
  for (int64_t session_id : lost) {
    log::Warn("media_room_lost",
              {{"session_id", session_id}, {"instance", instances_[index].instance->name()}});
    if (on_room_) on_room_(session_id, false);
  }
  if (unplaced) asio::co_spawn(reconcile_strand_, Reconcile(), asio::detached);
}

asio::awaitable<void> MediaService::Reconcile() {
  std::vector<std::pair<int64_t, std::string>> todo;
  {
    std::lock_guard lock(mu_);
    reconcile_queued_ = false;
    if (!PickLocked()) co_return;  // nothing healthy yet: the next health check asks again
    for (auto& [session_id, wanted] : rooms_) {
      if (wanted.placed || wanted.placing) continue;
      wanted.placing = true;
      todo.emplace_back(session_id, wanted.title);
    }
  }
  for (auto& [session_id, title] : todo) {
    Result<MediaRoom> placed = co_await Place(session_id, std::move(title));
    bool wanted_still = false;
    {
      std::lock_guard lock(mu_);
      auto it = rooms_.find(session_id);
      if (it != rooms_.end()) {
        wanted_still = true;
        it->second.placing = false;
        if (placed.ok()) it->second.placed = *placed;
      }
    }
    if (placed.ok() && !wanted_still) {
      {
        std::lock_guard lock(mu_);
        for (Slot& slot : instances_) {
          if (slot.instance != placed->instance) continue;
          --slot.rooms;
          SetLoadLocked(slot);
        }
      }
      metrics_.rooms.Add(-1);
      std::string secret = placed->secret;
      Status destroyed = co_await placed->instance->DestroyRoom(placed->room, std::move(secret));
      (void)destroyed;
    } else if (placed.ok() && on_room_) {
      on_room_(session_id, true);
    }
  }
}

}  // namespace homeroom::media
