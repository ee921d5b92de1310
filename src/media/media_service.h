#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "core/status.h"
#include "media/janus_instance.h"
#include "media/media_metrics.h"
#include "media/media_options.h"

namespace homeroom::media {

// Where one live session's media lives: its VideoRoom room on one Janus instance. The secret and
// pin never leave Homeroom. `epoch` is the instance's session epoch the room was made under.
struct MediaRoom {
  int64_t session_id = 0;
  std::shared_ptr<JanusInstance> instance;
  uint64_t room = 0;
  std::string secret;
  std::string pin;
  uint64_t epoch = 0;
};

// One instance as operators see it (readiness, GET /api/v1/admin/status).
struct MediaInstanceStatus {
  std::string name;  // "127.0.0.1:8088"
  bool healthy = false;
  size_t rooms = 0;         // rooms Homeroom placed there
  size_t participants = 0;  // participants Homeroom joined there
};

// The Janus control plane: the configured Janus instances (each health-checked by its
// JanusInstance), one VideoRoom room per live session placed on the least-loaded healthy instance
// (load = rooms + participants Homeroom placed there), and rooms made again, on whichever
// instance is then least loaded, when their instance fails or restarts. Rooms are created with
// the VideoRoom admin_key, a secret and a pin derived from it (so a restarted Homeroom can
// destroy a room it made before), and an allowed-token list that starts empty.
//
// Thread-safe. The instances run on `executor` (the API server's io_context: nothing here
// blocks). Create, then Start(); Stop() before the executor stops; destroy after.
class MediaService {
 public:
  // Called when a session's media becomes available (its room exists on a healthy instance) or
  // unavailable (its instance failed; the room will be made again elsewhere when possible).
  // Called from the instances' strands or the opener's executor; must be cheap, must not block.
  using RoomCallback = std::function<void(int64_t session_id, bool available)>;

  // Reads each instance's credentials: `janus` is a homeroom-janus.json file or the directory
  // holding it (`homeroom janus-config --dir`). InvalidArgument or NotFound with the file's name
  // when one cannot be read; an empty list is valid (media off).
  static Result<std::unique_ptr<MediaService>> Create(boost::asio::any_io_executor executor,
                                                      const std::vector<std::string>& janus,
                                                      const MediaOptions& options,
                                                      metrics::Registry& registry);
  MediaService(boost::asio::any_io_executor executor, const MediaOptions& options,
               metrics::Registry& registry);
  ~MediaService();
  MediaService(const MediaService&) = delete;
  MediaService& operator=(const MediaService&) = delete;

  // Set before Start().
  void SetRoomCallback(RoomCallback callback) { on_room_ = std::move(callback); }
  // Starts every instance's health checks.
  void Start();
  // Stops them and cancels Janus requests in flight. Idempotent.
  void Stop();

  // True when at least one instance is configured.
  bool enabled() const { return !instances_.empty(); }
  // Instances healthy now.
  size_t healthy_instances() const;
  std::vector<MediaInstanceStatus> Instances() const;
  const MediaOptions& options() const { return options_; }

  // Makes (or returns) the session's room on the least-loaded healthy instance. Unavailable when
  // no instance is healthy or has room (max_rooms_per_instance) or Janus fails; the session is
  // still remembered as wanting media, and its room is made when an instance becomes healthy
  // (RoomCallback says so).
  boost::asio::awaitable<Result<MediaRoom>> OpenRoom(int64_t session_id, std::string title);
  // Destroys the session's room and forgets it. Ok when it had none.
  boost::asio::awaitable<Status> CloseRoom(int64_t session_id);
  // The session's room when it has one now.
  std::optional<MediaRoom> FindRoom(int64_t session_id) const;
  // Counts a participant Homeroom joined to (or removed from) a room on `instance`.
  void AddParticipants(const std::string& instance, int64_t delta);

  // The secret and pin of `room` made with `admin_key` (keyed BLAKE2b, hex).
  static std::string RoomSecret(const std::string& admin_key, uint64_t room);
  static std::string RoomPin(const std::string& admin_key, uint64_t room);

 private:
  struct Slot {
    std::shared_ptr<JanusInstance> instance;
    JanusCredentials credentials;
    metrics::Gauge* load_gauge = nullptr;
    size_t rooms = 0;          // guarded by mu_
    int64_t participants = 0;  // guarded by mu_
  };
  struct Wanted {
    std::string title;
    std::optional<MediaRoom> placed;
    bool placing = false;
  };

  void OnHealth(size_t index, bool healthy, uint64_t epoch);
  // Places every wanted room that has none (after an instance came back). On the service strand.
  boost::asio::awaitable<void> Reconcile();
  boost::asio::awaitable<Result<MediaRoom>> Place(int64_t session_id, std::string title);
  // Least-loaded healthy slot with room to spare, or nullopt. Requires mu_.
  std::optional<size_t> PickLocked() const;
  void SetLoadLocked(Slot& slot);

  const MediaOptions options_;
  MediaMetrics metrics_;
  boost::asio::any_io_executor executor_;
  boost::asio::strand<boost::asio::any_io_executor> reconcile_strand_;
  std::vector<Slot> instances_;  // fixed after Create
  RoomCallback on_room_;         // set before Start

  mutable std::mutex mu_;
  std::map<int64_t, Wanted> rooms_;  // by session id; guarded by mu_
  bool reconcile_queued_ = false;    // guarded by mu_
};

}  // namespace homeroom::media
