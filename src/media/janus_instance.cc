#include "media/janus_instance.h"

#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "core/log.h"

namespace homeroom::media {

namespace asio = boost::asio;
namespace json = boost::json;
using std::chrono::milliseconds;

namespace {

constexpr const char* kVideoRoom = "janus.plugin.videoroom";
// Janus's core error codes that mean Homeroom's session or handle is gone.
constexpr int64_t kJanusNoSuchSession = 458;
constexpr int64_t kJanusNoSuchHandle = 459;
// VideoRoom error codes (janus_videoroom.c).
constexpr int64_t kRoomNoSuchRoom = 426;
constexpr int64_t kRoomExists = 427;
constexpr int64_t kRoomUnauthorized = 433;
constexpr int64_t kRoomNoSuchFeed = 428;

std::optional<uint64_t> GetId(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<uint64_t>(v->get_int64());
  return std::nullopt;
}

std::string_view GetString(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// A VideoRoom answer's plugin data carrying `error_code` as a Status.
Status PluginError(const json::object& data) {
  const json::value* code = data.if_contains("error_code");
  if (code == nullptr) return Status::Ok();
  int64_t c = code->is_int64() ? code->get_int64() : 0;
  std::string message = "Janus VideoRoom: " + std::string(GetString(data, "error"));
  switch (c) {
    case kRoomNoSuchRoom:
    case kRoomNoSuchFeed:
      return Status::NotFound(std::move(message));
    case kRoomExists:
      return Status::Conflict(std::move(message));
    case kRoomUnauthorized:
      return Status::PermissionDenied(std::move(message));
    default:
      return Status::InvalidArgument(std::move(message));
  }
}

}  // namespace

std::shared_ptr<JanusInstance> JanusInstance::Create(asio::any_io_executor executor,
                                                     JanusCredentials credentials,
                                                     const MediaOptions& options,
                                                     MediaMetrics& metrics) {
  auto api = JanusEndpoint::Parse(credentials.api_url);
  auto admin = JanusEndpoint::Parse(credentials.admin_url);
  // The credentials file was validated when it was read (MediaService::Create).
  HR_CHECK(api.ok() && admin.ok(), "Janus URLs must be checked before JanusInstance::Create");
  return std::make_shared<JanusInstance>(std::move(executor), std::move(credentials), *api, *admin,
                                         options, metrics);
}

JanusInstance::JanusInstance(asio::any_io_executor executor, JanusCredentials credentials,
                             JanusEndpoint api, JanusEndpoint admin, const MediaOptions& options,
                             MediaMetrics& metrics)
    : credentials_(std::move(credentials)),
      api_(std::move(api)),
      admin_(std::move(admin)),
      name_(api_.host + ":" + std::to_string(api_.port)),
      options_(options),
      metrics_(metrics),
      healthy_gauge_(metrics.InstanceHealthy(name_)),
      strand_(asio::make_strand(executor)),
      health_timer_(strand_) {}

void JanusInstance::Start() { asio::co_spawn(strand_, HealthLoop(), asio::detached); }

void JanusInstance::Stop() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->stopped_) return;
    self->stopped_ = true;
    self->health_timer_.cancel();
    for (const auto& stream : self->streams_) stream->close();
    self->DropSession("stopped");
    if (self->healthy_) self->SetHealthy(false);
  });
}

std::string JanusInstance::NextTransaction() { return "hr" + std::to_string(next_transaction_++); }

void JanusInstance::SetHealthy(bool healthy) {
  if (healthy_.exchange(healthy) == healthy) return;
  healthy_gauge_.Set(healthy ? 1 : 0);
  metrics_.instances_healthy.Add(healthy ? 1 : -1);
  log::Info(healthy ? "janus_healthy" : "janus_unhealthy", {{"instance", name_}});
}

void JanusInstance::DropSession(const std::string& why) {
  if (session_ != 0) {
    log::Warn("janus_session_dropped", {{"instance", name_}, {"reason", why}});
  }
  session_ = 0;
  control_handle_ = 0;
  handlers_.clear();
  for (auto& [transaction, pending] : pending_) {
    pending->failed = true;
    pending->timer.cancel();
  }
  pending_.clear();
}

// ---------------------------------------------------------------------------------------------
// Health

asio::awaitable<void> JanusInstance::HealthLoop() {
  auto self = shared_from_this();  // alive while the loop runs
  while (!stopped_) {
    bool was_healthy = healthy_;
    uint64_t epoch_before = epoch_;
    bool ok = co_await CheckOnce();
    if (stopped_) break;
    if (ok) {
      failures_ = 0;
      SetHealthy(true);
    } else {
      metrics_.health_checks_failed.Inc();
      if (++failures_ >= std::max(1, options_.failures_before_unhealthy)) {
        DropSession("health check failed");
        SetHealthy(false);
      }
    }
    (void)was_healthy;
    (void)epoch_before;
    if (on_health_) on_health_(healthy_, epoch_);
    health_timer_.expires_after(milliseconds(std::max<int64_t>(1, options_.health_interval_ms)));
    boost::system::error_code ec;
    co_await health_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<bool> JanusInstance::CheckOnce() {
  if (session_ == 0) {
    Status connected = co_await Connect();
    if (!connected.ok()) {
      log::Debug("janus_connect_failed", {{"instance", name_}, {"error", connected.ToString()}});
    }
    co_return connected.ok();
  }
  // A keepalive proves both that Janus answers and that it still has Homeroom's session.
  std::string path = api_.path + "/" + std::to_string(session_);
  json::object body{{"janus", "keepalive"}};
  Result<json::object> answer = co_await Call(std::move(path), std::move(body), false);
  if (answer.ok()) co_return true;
  if (session_ == 0) {
    // Janus answered but lost the session (it restarted): make a new one right away.
    Status connected = co_await Connect();
    co_return connected.ok();
  }
  co_return false;
}

asio::awaitable<Status> JanusInstance::Connect() {
  json::object add{{"janus", "add_token"},
                   {"token", credentials_.api_token},
                   {"plugins", json::array{kVideoRoom}}};
  HR_CO_ASSIGN_OR_RETURN(json::object added, co_await AdminOnStrand(std::move(add)));
  (void)added;
  std::string root = api_.path;
  json::object create{{"janus", "create"}};
  HR_CO_ASSIGN_OR_RETURN(json::object session,
                         co_await Call(std::move(root), std::move(create), false));
  std::optional<uint64_t> session_id;
  if (const json::value* data = session.if_contains("data"); data && data->is_object()) {
    session_id = GetId(data->get_object(), "id");
  }
  if (!session_id) co_return Status::Unavailable("Janus at " + name_ + ": no session id", 1);
  std::string session_path = api_.path + "/" + std::to_string(*session_id);
  json::object attach{{"janus", "attach"}, {"plugin", kVideoRoom}};
  HR_CO_ASSIGN_OR_RETURN(json::object handle,
                         co_await Call(std::move(session_path), std::move(attach), false));
  std::optional<uint64_t> handle_id;
  if (const json::value* data = handle.if_contains("data"); data && data->is_object()) {
    handle_id = GetId(data->get_object(), "id");
  }
  if (!handle_id) co_return Status::Unavailable("Janus at " + name_ + ": no handle id", 1);
  if (epoch_ > 0) metrics_.sessions_lost.Inc();
  session_ = *session_id;
  control_handle_ = *handle_id;
  ++epoch_;
  epoch_atomic_ = epoch_;
  log::Info("janus_session", {{"instance", name_}, {"epoch", epoch_}});
  asio::co_spawn(strand_, EventLoop(epoch_, session_), asio::detached);
  co_return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Events

asio::awaitable<void> JanusInstance::EventLoop(uint64_t epoch, uint64_t session) {
  auto self = shared_from_this();
  while (!stopped_ && epoch_ == epoch && session_ == session) {
    std::string target = api_.path + "/" + std::to_string(session) +
                         "?maxev=" + std::to_string(std::max(1, options_.max_events_per_poll)) +
                         "&token=" + credentials_.api_token;
    std::string no_body;
    const milliseconds timeout(options_.long_poll_timeout_ms);
    Result<json::value> answer =
        co_await Exchange(api_, std::move(target), std::move(no_body), timeout);
    if (stopped_ || epoch_ != epoch || session_ != session) break;
    if (!answer.ok()) {
      // The health check decides what a failing Janus means; wait for it rather than spin.
      asio::steady_timer pause(strand_);
      pause.expires_after(milliseconds(std::max<int64_t>(1, options_.health_interval_ms)));
      boost::system::error_code ec;
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (answer->is_array()) {
      for (const json::value& e : answer->get_array()) {
        if (e.is_object()) Dispatch(e.get_object());
      }
    } else if (answer->is_object()) {
      Dispatch(answer->get_object());
    }
  }
}

void JanusInstance::Dispatch(const json::object& event) {
  std::string_view kind = GetString(event, "janus");
  if (kind == "keepalive") return;
  metrics_.events.Inc();
  if (kind == "timeout") {  // Janus timed the session out
    DropSession("janus timed the session out");
    return;
  }
  std::string transaction(GetString(event, "transaction"));
  if (!transaction.empty()) {
    auto it = pending_.find(transaction);
    if (it != pending_.end()) {
      it->second->event = event;
      it->second->timer.cancel();
      pending_.erase(it);
      return;
    }
  }
  std::optional<uint64_t> sender = GetId(event, "sender");
  if (!sender) return;
  if (kind == "detached") {
    auto it = handlers_.find(*sender);
    if (it == handlers_.end()) return;
    HandleEventHandler handler = std::move(it->second);
    handlers_.erase(it);
    if (handler) handler(event);
    return;
  }
  auto it = handlers_.find(*sender);
  if (it != handlers_.end() && it->second) it->second(event);
}

// ---------------------------------------------------------------------------------------------
// Exchanges

asio::awaitable<Result<json::value>> JanusInstance::Exchange(const JanusEndpoint& endpoint,
                                                             std::string target, std::string body,
                                                             milliseconds timeout) {
  if (stopped_) co_return Status::Unavailable("the media service is stopping", 1);
  auto stream = std::make_shared<boost::beast::tcp_stream>(strand_);
  streams_.insert(stream);
  Result<json::value> answer = co_await JanusExchange(
      stream, endpoint, std::move(target), std::move(body), timeout, options_.max_response_bytes);
  streams_.erase(stream);
  if (!answer.ok()) metrics_.requests_unreachable.Inc();
  co_return answer;
}

Status JanusInstance::JanusError(const json::object& answer) {
  int64_t code = 0;
  std::string reason;
  if (const json::value* e = answer.if_contains("error"); e && e->is_object()) {
    if (const json::value* c = e->get_object().if_contains("code"); c && c->is_int64()) {
      code = c->get_int64();
    }
    reason = std::string(GetString(e->get_object(), "reason"));
  }
  metrics_.requests_janus_error.Inc();
  std::string message = "Janus at " + name_ + ": " + std::to_string(code) + " " + reason;
  if (code == kJanusNoSuchSession) {
    DropSession("Janus lost the session");
    return Status::Unavailable(std::move(message), 1);
  }
  if (code == kJanusNoSuchHandle) return Status::NotFound(std::move(message));
  return Status::Internal(std::move(message));
}

asio::awaitable<Result<json::object>> JanusInstance::Call(std::string path, json::object body,
                                                          bool admin) {
  if (admin) {
    body["admin_secret"] = credentials_.admin_secret;
  } else {
    body["token"] = credentials_.api_token;
  }
  if (!body.contains("transaction")) body["transaction"] = NextTransaction();
  std::string text = json::serialize(body);
  const JanusEndpoint& endpoint = admin ? admin_ : api_;
  const milliseconds timeout(options_.request_timeout_ms);
  Result<json::value> answer =
      co_await Exchange(endpoint, std::move(path), std::move(text), timeout);
  if (!answer.ok()) co_return answer.status();
  if (!answer->is_object()) {
    co_return Status::Unavailable("Janus at " + name_ + " answered a non-object", 1);
  }
  json::object o = std::move(answer->get_object());
  if (GetString(o, "janus") == "error") co_return JanusError(o);
  metrics_.requests_ok.Inc();
  co_return o;
}

asio::awaitable<Result<json::object>> JanusInstance::AdminOnStrand(json::object body) {
  std::string path = admin_.path;
  co_return co_await Call(std::move(path), std::move(body), true);
}

asio::awaitable<Result<json::object>> JanusInstance::InfoOnStrand() {
  std::string target = api_.path + "/info";
  std::string no_body;
  const milliseconds timeout(options_.request_timeout_ms);
  Result<json::value> answer =
      co_await Exchange(api_, std::move(target), std::move(no_body), timeout);
  if (!answer.ok()) co_return answer.status();
  if (!answer->is_object()) co_return Status::Unavailable("Janus info is not an object", 1);
  co_return std::move(answer->get_object());
}

asio::awaitable<Result<PluginReply>> JanusInstance::MessageOnStrand(
    uint64_t handle, json::object body, std::optional<json::object> jsep) {
  if (session_ == 0) co_return Status::Unavailable("Janus at " + name_ + " is unavailable", 1);
  if (handle == 0) handle = control_handle_;
  std::string transaction = NextTransaction();
  json::object message{
      {"janus", "message"}, {"body", std::move(body)}, {"transaction", transaction}};
  if (jsep) message["jsep"] = std::move(*jsep);
  // Registered before sending: the event may arrive on the long poll before the ack does.
  auto pending = std::make_shared<Pending>(strand_);
  pending_[transaction] = pending;
  std::string path = api_.path + "/" + std::to_string(session_) + "/" + std::to_string(handle);
  Result<json::object> answer = co_await Call(std::move(path), std::move(message), false);
  if (!answer.ok()) {
    pending_.erase(transaction);
    co_return answer.status();
  }
  json::object event;
  if (GetString(*answer, "janus") == "ack") {
    if (!pending->event && !pending->failed) {
      pending->timer.expires_after(milliseconds(options_.event_timeout_ms));
      boost::system::error_code ec;
      co_await pending->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    pending_.erase(transaction);
    if (!pending->event) {
      co_return pending->failed
          ? Status::Unavailable("Janus at " + name_ + " lost the session", 1)
          : Status::DeadlineExceeded("Janus at " + name_ + " sent no event in time");
    }
    event = std::move(*pending->event);
  } else {
    pending_.erase(transaction);
    event = std::move(*answer);
  }
  PluginReply reply;
  if (const json::value* pd = event.if_contains("plugindata"); pd && pd->is_object()) {
    if (const json::value* data = pd->get_object().if_contains("data"); data && data->is_object()) {
      reply.data = data->get_object();
    }
  }
  if (const json::value* j = event.if_contains("jsep"); j && j->is_object()) {
    reply.jsep = j->get_object();
  }
  HR_CO_RETURN_IF_ERROR(PluginError(reply.data));
  co_return reply;
}

asio::awaitable<Result<uint64_t>> JanusInstance::AttachOnStrand(HandleEventHandler handler) {
  if (session_ == 0) co_return Status::Unavailable("Janus at " + name_ + " is unavailable", 1);
  uint64_t session = session_;
  std::string path = api_.path + "/" + std::to_string(session);
  json::object attach{{"janus", "attach"}, {"plugin", kVideoRoom}};
  HR_CO_ASSIGN_OR_RETURN(json::object answer,
                         co_await Call(std::move(path), std::move(attach), false));
  std::optional<uint64_t> id;
  if (const json::value* data = answer.if_contains("data"); data && data->is_object()) {
    id = GetId(data->get_object(), "id");
  }
  if (!id) co_return Status::Unavailable("Janus at " + name_ + ": no handle id", 1);
  if (session_ != session) co_return Status::Unavailable("Janus lost the session", 1);
  handlers_[*id] = std::move(handler);
  co_return *id;
}

asio::awaitable<Status> JanusInstance::DetachOnStrand(uint64_t handle) {
  handlers_.erase(handle);
  if (session_ == 0) co_return Status::Ok();  // gone with the session
  std::string path = api_.path + "/" + std::to_string(session_) + "/" + std::to_string(handle);
  json::object detach{{"janus", "detach"}};
  Result<json::object> answer = co_await Call(std::move(path), std::move(detach), false);
  co_return answer.status();
}

asio::awaitable<Status> JanusInstance::TrickleOnStrand(uint64_t handle, json::object candidate) {
  if (session_ == 0) co_return Status::Unavailable("Janus at " + name_ + " is unavailable", 1);
  std::string path = api_.path + "/" + std::to_string(session_) + "/" + std::to_string(handle);
  json::object trickle{{"janus", "trickle"}, {"candidate", std::move(candidate)}};
  Result<json::object> answer = co_await Call(std::move(path), std::move(trickle), false);
  co_return answer.status();
}

// ---------------------------------------------------------------------------------------------
// Public entry points: each runs on the strand and resumes the caller on its executor.

asio::awaitable<Result<json::object>> JanusInstance::Info() {
  auto op = InfoOnStrand();
  co_return co_await RunOn(strand_, std::move(op));
}

asio::awaitable<Status> JanusInstance::AddToken(std::string token) {
  json::object body{{"janus", "add_token"}, {"token", token}, {"plugins", json::array{kVideoRoom}}};
  auto op = AdminOnStrand(std::move(body));
  Result<json::object> r = co_await RunOn(strand_, std::move(op));
  co_return r.status();
}

asio::awaitable<Status> JanusInstance::RemoveToken(std::string token) {
  json::object body{{"janus", "remove_token"}, {"token", token}};
  auto op = AdminOnStrand(std::move(body));
  Result<json::object> r = co_await RunOn(strand_, std::move(op));
  co_return r.status();
}

asio::awaitable<Status> JanusInstance::CreateRoom(JanusRoomSpec spec) {
  json::array allowed;
  for (const std::string& t : spec.allowed) allowed.emplace_back(t);
  json::object body{{"request", "create"},
                    {"room", spec.room},
                    {"admin_key", credentials_.videoroom_admin_key},
                    {"description", spec.description},
                    {"secret", spec.secret},
                    {"pin", spec.pin},
                    {"allowed", std::move(allowed)},
                    {"is_private", true},
                    {"permanent", false},
                    {"publishers", spec.publishers},
                    {"bitrate", spec.bitrate_bps},
                    {"notify_joining", true}};
  auto op = MessageOnStrand(0, std::move(body), std::nullopt);
  Result<PluginReply> r = co_await RunOn(strand_, std::move(op));
  co_return r.status();
}

asio::awaitable<Status> JanusInstance::DestroyRoom(uint64_t room, std::string secret) {
  json::object body{{"request", "destroy"}, {"room", room}, {"secret", secret}};
  auto op = MessageOnStrand(0, std::move(body), std::nullopt);
  Result<PluginReply> r = co_await RunOn(strand_, std::move(op));
  co_return r.status();
}

asio::awaitable<Result<std::vector<uint64_t>>> JanusInstance::ListRooms() {
  // Private rooms are listed only with the admin_key.
  json::object body{{"request", "list"}, {"admin_key", credentials_.videoroom_admin_key}};
  auto op = MessageOnStrand(0, std::move(body), std::nullopt);
  Result<PluginReply> r = co_await RunOn(strand_, std::move(op));
  if (!r.ok()) co_return r.status();
  std::vector<uint64_t> rooms;
  if (const json::value* list = r->data.if_contains("list"); list && list->is_array()) {
    for (const json::value& room : list->get_array()) {
      if (!room.is_object()) continue;
      if (auto id = GetId(room.get_object(), "room")) rooms.push_back(*id);
    }
  }
  co_return rooms;
}

asio::awaitable<Status> JanusInstance::AllowTokens(uint64_t room, std::string secret,
                                                   std::vector<std::string> tokens, bool add) {
  json::array list;
  for (const std::string& t : tokens) list.emplace_back(t);
  json::object body{{"request", "allowed"},
                    {"room", room},
                    {"secret", secret},
                    {"action", add ? "add" : "remove"},
                    {"allowed", std::move(list)}};
  auto op = MessageOnStrand(0, std::move(body), std::nullopt);
  Result<PluginReply> r = co_await RunOn(strand_, std::move(op));
  co_return r.status();
}

asio::awaitable<Status> JanusInstance::Kick(uint64_t room, std::string secret,
                                            uint64_t participant) {
  json::object body{{"request", "kick"}, {"room", room}, {"secret", secret}, {"id", participant}};
  auto op = MessageOnStrand(0, std::move(body), std::nullopt);
  Result<PluginReply> r = co_await RunOn(strand_, std::move(op));
  co_return r.status();
}

asio::awaitable<Result<uint64_t>> JanusInstance::Attach(HandleEventHandler handler) {
  auto op = AttachOnStrand(std::move(handler));
  co_return co_await RunOn(strand_, std::move(op));
}

asio::awaitable<Status> JanusInstance::Detach(uint64_t handle) {
  auto op = DetachOnStrand(handle);
  co_return co_await RunOn(strand_, std::move(op));
}

asio::awaitable<Result<PluginReply>> JanusInstance::Message(uint64_t handle, json::object body,
                                                            std::optional<json::object> jsep) {
  if (handle == 0) co_return Status::InvalidArgument("a participant message needs a handle");
  auto op = MessageOnStrand(handle, std::move(body), std::move(jsep));
  co_return co_await RunOn(strand_, std::move(op));
}

asio::awaitable<Status> JanusInstance::Trickle(uint64_t handle, json::object candidate) {
  auto op = TrickleOnStrand(handle, std::move(candidate));
  co_return co_await RunOn(strand_, std::move(op));
}

}  // namespace homeroom::media
