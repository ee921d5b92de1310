#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "media/janus_config.h"
#include "media/janus_http.h"
#include "media/media_metrics.h"
#include "media/media_options.h"

namespace homeroom::media {

// Runs `op` on `strand` and resumes the caller on its own executor with the result. For Result<T>
// (which has no default value, as co_spawn wants).
template <typename R>
boost::asio::awaitable<std::optional<R>> WrapOptional(boost::asio::awaitable<R> op) {
  co_return std::optional<R>(co_await std::move(op));
}
template <typename R>
boost::asio::awaitable<R> RunOn(boost::asio::strand<boost::asio::any_io_executor> strand,
                                boost::asio::awaitable<R> op) {
  auto wrapped = WrapOptional(std::move(op));
  std::optional<R> r =
      co_await boost::asio::co_spawn(strand, std::move(wrapped), boost::asio::use_awaitable);
  co_return std::move(*r);
}

// A VideoRoom room as Homeroom creates it: private, with a secret (needed to destroy it, kick, and
// change its allowed list), a pin, and the list of tokens allowed to join (empty: nobody yet).
struct JanusRoomSpec {
  uint64_t room = 0;
  std::string description;
  std::string secret;
  std::string pin;
  std::vector<std::string> allowed;
  size_t publishers = 6;
  int64_t bitrate_bps = 512'000;
};

// The answer to a VideoRoom message: the plugin's data, and the JSEP (SDP offer or answer) when
// the plugin sent one.
struct PluginReply {
  boost::json::object data;
  std::optional<boost::json::object> jsep;
};

// One Janus server that Homeroom drives through its HTTP API and admin API (loopback, with the
// credentials of homeroom-janus.json). It keeps one Janus session of Homeroom's own, with a
// VideoRoom handle for room administration: made on the first health check (after adding
// Homeroom's API token through the admin API), kept alive by the periodic health checks (Janus
// drops sessions idle for its session_timeout), and made again when Janus lost it (a restart).
// Janus's asynchronous events arrive on one long poll of that session and go to the request that
// is waiting for them (by transaction) or to the handler of the handle that sent them.
//
// Thread-safe: every method may be called (awaited) from any thread or executor; the state lives
// on the instance's strand. Create with Create(); the object stays alive while its work runs.
class JanusInstance : public std::enable_shared_from_this<JanusInstance> {
 public:
  // Called on the instance's strand after every health check: `healthy`, and the `epoch` of
  // Homeroom's Janus session (it increases each time a new session is made;
  // rooms and handles made under an older epoch are gone). Must be cheap and must not block.
  using HealthCallback = std::function<void(bool healthy, uint64_t epoch)>;
  // Events about one handle that answer no request (a publisher joined, a participant left, ICE
  // up, hangup, ...): the whole Janus event object. Called on the instance's strand.
  using HandleEventHandler = std::function<void(const boost::json::object& event)>;

  static std::shared_ptr<JanusInstance> Create(boost::asio::any_io_executor executor,
                                               JanusCredentials credentials,
                                               const MediaOptions& options, MediaMetrics& metrics);
  JanusInstance(boost::asio::any_io_executor executor, JanusCredentials credentials,
                JanusEndpoint api, JanusEndpoint admin, const MediaOptions& options,
                MediaMetrics& metrics);

  // Set before Start().
  void SetHealthCallback(HealthCallback callback) { on_health_ = std::move(callback); }
  // Starts the periodic health check (the first one at once). Call once.
  void Start();
  // Stops the health check and the long poll, cancels requests in flight (they fail with
  // Unavailable). Asynchronous; idempotent.
  void Stop();

  // "127.0.0.1:8088": the API's address, the instance's name in metrics and status.
  const std::string& name() const { return name_; }
  bool healthy() const { return healthy_.load(std::memory_order_acquire); }
  uint64_t epoch() const { return epoch_atomic_.load(std::memory_order_acquire); }

  // GET <api>/info: Janus's server info. Unavailable when unreachable.
  boost::asio::awaitable<Result<boost::json::object>> Info();
  // Admin API add_token / remove_token (with admin_secret): a token that may use the VideoRoom
  // plugin through the Janus API. Adding an existing token succeeds.
  boost::asio::awaitable<Status> AddToken(std::string token);
  boost::asio::awaitable<Status> RemoveToken(std::string token);

  // VideoRoom administration on Homeroom's own handle. Conflict when the room already exists,
  // NotFound when it does not exist, PermissionDenied when the secret is wrong, Unavailable when
  // the instance has no session (unhealthy) or is unreachable.
  boost::asio::awaitable<Status> CreateRoom(JanusRoomSpec spec);
  boost::asio::awaitable<Status> DestroyRoom(uint64_t room, std::string secret);
  boost::asio::awaitable<Result<std::vector<uint64_t>>> ListRooms();
  // Adds (or removes) tokens to the room's allowed list.
  boost::asio::awaitable<Status> AllowTokens(uint64_t room, std::string secret,
                                             std::vector<std::string> tokens, bool add);
  // Kicks a participant (by VideoRoom participant id) out of the room: their PeerConnection is
  // closed by Janus.
  boost::asio::awaitable<Status> Kick(uint64_t room, std::string secret, uint64_t participant);

  // A new VideoRoom handle in Homeroom's session; `handler` gets its unsolicited events.
  boost::asio::awaitable<Result<uint64_t>> Attach(HandleEventHandler handler);
  // Detaches the handle (its PeerConnection closes). NotFound when it is gone already.
  boost::asio::awaitable<Status> Detach(uint64_t handle);
  // A VideoRoom message on a handle, with an optional JSEP. Synchronous requests answer at once;
  // asynchronous ones (join, configure, publish, unpublish, start, leave) answer with the event
  // that follows Janus's ack, waited for at most event_timeout_ms. A plugin error is a Status
  // (Conflict, NotFound, PermissionDenied, InvalidArgument with Janus's message).
  boost::asio::awaitable<Result<PluginReply>> Message(uint64_t handle, boost::json::object body,
                                                      std::optional<boost::json::object> jsep);
  // Hands one ICE candidate (or {"completed": true}) to the handle.
  boost::asio::awaitable<Status> Trickle(uint64_t handle, boost::json::object candidate);

 private:
  struct Pending {
    explicit Pending(boost::asio::any_io_executor ex) : timer(ex) {}
    boost::asio::steady_timer timer;
    std::optional<boost::json::object> event;
    bool failed = false;
  };
  using Strand = boost::asio::strand<boost::asio::any_io_executor>;

  // Strand-side.
  boost::asio::awaitable<void> HealthLoop();
  boost::asio::awaitable<bool> CheckOnce();
  boost::asio::awaitable<Status> Connect();
  boost::asio::awaitable<void> EventLoop(uint64_t epoch, uint64_t session);
  void Dispatch(const boost::json::object& event);
  void DropSession(const std::string& why);
  void SetHealthy(bool healthy);
  // One exchange: `body` gets a transaction and the token (or admin_secret when `admin`).
  boost::asio::awaitable<Result<boost::json::object>> Call(std::string path,
                                                           boost::json::object body, bool admin);
  boost::asio::awaitable<Result<boost::json::value>> Exchange(const JanusEndpoint& endpoint,
                                                              std::string target, std::string body,
                                                              std::chrono::milliseconds timeout);
  boost::asio::awaitable<Result<PluginReply>> MessageOnStrand(
      uint64_t handle, boost::json::object body, std::optional<boost::json::object> jsep);
  boost::asio::awaitable<Result<boost::json::object>> AdminOnStrand(boost::json::object body);
  boost::asio::awaitable<Result<uint64_t>> AttachOnStrand(HandleEventHandler handler);
  boost::asio::awaitable<Status> DetachOnStrand(uint64_t handle);
  boost::asio::awaitable<Status> TrickleOnStrand(uint64_t handle, boost::json::object candidate);
  boost::asio::awaitable<Result<boost::json::object>> InfoOnStrand();
  std::string NextTransaction();
  // Janus's `{"janus":"error"}` as a Status; also drops the session when Janus lost it.
  Status JanusError(const boost::json::object& answer);

  const JanusCredentials credentials_;
  const JanusEndpoint api_;
  const JanusEndpoint admin_;
  const std::string name_;
  const MediaOptions& options_;
  MediaMetrics& metrics_;
  metrics::Gauge& healthy_gauge_;
  Strand strand_;
  HealthCallback on_health_;  // set before Start, then read on the strand

  // Owned by the strand.
  boost::asio::steady_timer health_timer_;
  bool stopped_ = false;
  uint64_t session_ = 0;         // Homeroom's Janus session (0: none)
  uint64_t control_handle_ = 0;  // its VideoRoom handle for room administration
  uint64_t epoch_ = 0;
  int failures_ = 0;
  uint64_t next_transaction_ = 1;
  std::map<std::string, std::shared_ptr<Pending>> pending_;      // by transaction
  std::map<uint64_t, HandleEventHandler> handlers_;              // by handle
  std::set<std::shared_ptr<boost::beast::tcp_stream>> streams_;  // exchanges in flight

  std::atomic<bool> healthy_{false};
  std::atomic<uint64_t> epoch_atomic_{0};
};

}  // namespace homeroom::media
