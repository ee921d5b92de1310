#include "media/janus_media_engine.h"

#include <sodium.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/array.hpp>

#include "core/log.h"

namespace homeroom::media {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

std::string NewToken() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char hex[2 * sizeof bytes + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return hex;
}

std::string_view GetString(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// VideoRoom's (multistream) list of what to receive: a whole feed, or one of its streams by mid.
json::array Streams(const std::vector<live::StreamChoice>& chosen) {
  json::array streams;
  for (const live::StreamChoice& c : chosen) {
    json::object stream{{"feed", c.feed}};
    if (!c.mid.empty()) stream["mid"] = c.mid;
    streams.push_back(std::move(stream));
  }
  return streams;
}

// What each m-section of a subscriber's offer receives, from VideoRoom's "attached" or
// "updated" data: [{"mid", "feed_id", "feed_mid"}] for the active sections (a publisher that left
// leaves an inactive one). Only those fields reach the browser.
json::array ReceivedStreams(const json::object& data) {
  json::array out;
  const json::value* streams = data.if_contains("streams");
  if (streams == nullptr || !streams->is_array()) return out;
  for (const json::value& v : streams->get_array()) {
    const json::object* s = v.if_object();
    if (s == nullptr) continue;
    const json::value* active = s->if_contains("active");
    const json::value* feed = s->if_contains("feed_id");
    if ((active != nullptr && active->is_bool() && !active->get_bool()) || feed == nullptr ||
        !(feed->is_int64() || feed->is_uint64())) {
      continue;
    }
    out.push_back(
        json::object{{"mid", GetString(*s, "mid")},
                     {"feed_id", feed->is_int64() ? feed->get_int64()
                                                  : static_cast<int64_t>(feed->get_uint64())},
                     {"feed_mid", GetString(*s, "feed_mid")}});
  }
  return out;
}

Status NoRoom() { return Status::Unavailable("video and audio are unavailable right now", 5); }

}  // namespace

JanusMediaEngine::JanusMediaEngine(asio::any_io_executor executor, MediaService& service)
    : executor_(std::move(executor)), service_(service) {
  service_.SetRoomCallback(
      [this](int64_t session_id, bool available) { OnAvailability(session_id, available); });
}

size_t JanusMediaEngine::PeerCount(int64_t session_id) const {
  std::lock_guard lock(mu_);
  auto it = rooms_.find(session_id);
  return it == rooms_.end() ? 0 : it->second.peers.size();
}

void JanusMediaEngine::OnAvailability(int64_t session_id, bool available) {
  std::function<void(bool)> notify;
  {
    std::lock_guard lock(mu_);
    auto it = rooms_.find(session_id);
    if (it == rooms_.end()) return;
    // Unavailable: the handles died with the instance (or its session). Available again: a new
    // room, which nobody has joined yet.
    it->second.peers.clear();
    notify = it->second.events.on_availability;
  }
  if (notify) notify(available);
}

void JanusMediaEngine::OpenRoom(int64_t session_id, std::string title, RoomEvents events) {
  {
    std::lock_guard lock(mu_);
    rooms_[session_id].events = std::move(events);
  }
  asio::co_spawn(executor_, DoOpen(session_id, std::move(title)), asio::detached);
}

asio::awaitable<void> JanusMediaEngine::DoOpen(int64_t session_id, std::string title) {
  Result<MediaRoom> room = co_await service_.OpenRoom(session_id, std::move(title));
  // Success is announced by the service's room callback; a failure is retried by the service
  // once an instance is healthy.
  if (!room.ok()) {
    log::Warn("media_room_unavailable",
              {{"session_id", session_id}, {"error", room.status().ToString()}});
  }
}

void JanusMediaEngine::CloseRoom(int64_t session_id) {
  std::vector<std::shared_ptr<Peer>> peers;
  {
    std::lock_guard lock(mu_);
    auto it = rooms_.find(session_id);
    if (it == rooms_.end()) return;
    for (auto& [user, peer] : it->second.peers) peers.push_back(peer);
    rooms_.erase(it);
  }
  asio::co_spawn(executor_, DoClose(session_id, std::move(peers)), asio::detached);
}

asio::awaitable<void> JanusMediaEngine::DoClose(int64_t session_id,
                                                std::vector<std::shared_ptr<Peer>> peers) {
  std::optional<MediaRoom> room = service_.FindRoom(session_id);
  for (auto& peer : peers) {
    auto release = ReleaseHandles(peer, room);
    co_await std::move(release);
  }
  Status closed = co_await service_.CloseRoom(session_id);
  if (!closed.ok()) {
    log::Warn("media_room_close_failed",
              {{"session_id", session_id}, {"error", closed.ToString()}});
  }
}

bool JanusMediaEngine::Enqueue(int64_t session_id, int64_t user_id, Op op) {
  std::shared_ptr<Peer> peer;
  bool start = false;
  {
    std::lock_guard lock(mu_);
    auto it = rooms_.find(session_id);
    if (it == rooms_.end()) return false;
    auto& slot = it->second.peers[user_id];
    if (!slot) {
      slot = std::make_shared<Peer>();
      slot->session_id = session_id;
      slot->user_id = user_id;
    }
    peer = slot;
    peer->queue.push_back(std::move(op));
    if (!peer->running) start = peer->running = true;
  }
  if (start) asio::co_spawn(executor_, Drain(peer), asio::detached);
  return true;
}

asio::awaitable<void> JanusMediaEngine::Drain(std::shared_ptr<Peer> peer) {
  for (;;) {
    Op op;
    {
      std::lock_guard lock(mu_);
      if (peer->queue.empty()) {
        peer->running = false;
        co_return;
      }
      op = std::move(peer->queue.front());
      peer->queue.pop_front();
    }
    auto task = op(peer);
    co_await std::move(task);
  }
}

void JanusMediaEngine::SendToPeer(int64_t session_id, int64_t user_id, json::object frame) {
  std::function<void(int64_t, json::object)> send;
  {
    std::lock_guard lock(mu_);
    auto it = rooms_.find(session_id);
    if (it == rooms_.end()) return;
    send = it->second.events.on_peer_message;
  }
  if (send) send(user_id, std::move(frame));
}

std::map<int64_t, uint64_t> JanusMediaEngine::PublishedFeeds(int64_t session_id) const {
  std::map<int64_t, uint64_t> feeds;
  std::lock_guard lock(mu_);
  auto it = rooms_.find(session_id);
  if (it == rooms_.end()) return feeds;
  // `published` is written by the peer's own operation; reading it here may see the previous
  // value, which only makes a subscription add a stream late (the next subscribe adds it).
  for (const auto& [user, peer] : it->second.peers) {
    if (peer->published) feeds[peer->feed_id] = peer->publication;
  }
  return feeds;
}

JanusInstance::HandleEventHandler JanusMediaEngine::Forwarder(int64_t session_id, int64_t user_id,
                                                              std::string target) {
  return [this, session_id, user_id, target](const json::object& event) {
    std::string_view kind = GetString(event, "janus");
    json::object frame;
    frame["target"] = target;
    if (kind == "event") {
      // Janus renegotiates a subscription by itself (a publisher left): a new offer to answer.
      const json::value* jsep = event.if_contains("jsep");
      if (jsep == nullptr || !jsep->is_object()) return;
      frame["type"] = "media.offer";
      frame["jsep"] = *jsep;
      const json::value* plugindata = event.if_contains("plugindata");
      const json::value* data = plugindata != nullptr && plugindata->is_object()
                                    ? plugindata->get_object().if_contains("data")
                                    : nullptr;
      if (target == "subscriber" && data != nullptr && data->is_object()) {
        frame["streams"] = ReceivedStreams(data->get_object());
      }
    } else if (kind == "webrtcup") {
      frame["type"] = "media.connected";
    } else if (kind == "hangup" || kind == "detached") {
      frame["type"] = "media.hangup";
      frame["reason"] = GetString(event, "reason");
    } else if (kind == "trickle") {
      const json::value* candidate = event.if_contains("candidate");
      if (candidate == nullptr) return;
      frame["type"] = "media.trickle";
      frame["candidate"] = *candidate;
    } else if (kind == "slowlink") {
      frame["type"] = "media.slowlink";
      if (const json::value* up = event.if_contains("uplink")) frame["uplink"] = *up;
    } else {
      return;
    }
    SendToPeer(session_id, user_id, std::move(frame));
  };
}

// ---------------------------------------------------------------------------------------------
// Access and handles

asio::awaitable<Status> JanusMediaEngine::EnsureAccess(std::shared_ptr<Peer> peer, MediaRoom room) {
  if (peer->instance != room.instance || peer->epoch != room.epoch) {
    // A new room (its instance failed or restarted): the old handles and token are gone with it.
    if (peer->instance && !peer->token.empty()) {
      service_.AddParticipants(peer->instance->name(), -1);
    }
    peer->instance = room.instance;
    peer->epoch = room.epoch;
    peer->token.clear();
    peer->publisher = peer->subscriber = 0;
    peer->published = false;
    peer->subscribed.clear();
  }
  if (!peer->token.empty()) co_return Status::Ok();
  std::string token = NewToken();
  std::string core_token = token;
  Status added = co_await room.instance->AddToken(std::move(core_token));
  if (!added.ok()) co_return added;
  std::vector<std::string> allowed{token};
  std::string secret = room.secret;
  Status allowed_status =
      co_await room.instance->AllowTokens(room.room, std::move(secret), std::move(allowed), true);
  if (!allowed_status.ok()) co_return allowed_status;
  peer->token = std::move(token);
  service_.AddParticipants(room.instance->name(), 1);
  co_return Status::Ok();
}

asio::awaitable<void> JanusMediaEngine::ReleaseHandles(std::shared_ptr<Peer> peer,
                                                       std::optional<MediaRoom> room) {
  std::shared_ptr<JanusInstance> instance = peer->instance;
  if (!instance) co_return;
  for (uint64_t* handle : {&peer->publisher, &peer->subscriber}) {
    if (*handle == 0) continue;
    Status detached = co_await instance->Detach(*handle);
    (void)detached;  // gone already is fine
    *handle = 0;
  }
  if (!peer->token.empty()) {
    if (room && room->instance == instance && room->epoch == peer->epoch) {
      std::vector<std::string> tokens{peer->token};
      std::string secret = room->secret;
      Status removed =
          co_await instance->AllowTokens(room->room, std::move(secret), std::move(tokens), false);
      (void)removed;
    }
    std::string token = peer->token;
    Status removed = co_await instance->RemoveToken(std::move(token));
    (void)removed;
    service_.AddParticipants(instance->name(), -1);
    peer->token.clear();
  }
  peer->published = false;
  peer->subscribed.clear();
}

// ---------------------------------------------------------------------------------------------
// Operations

void JanusMediaEngine::Publish(int64_t session_id, int64_t user_id, std::string display,
                               json::object offer, PublishDone done) {
  bool queued =
      Enqueue(session_id, user_id, [this, display, offer, done](std::shared_ptr<Peer> peer) {
        return DoPublish(std::move(peer), display, offer, done);
      });
  if (!queued) done(NoRoom());
}

asio::awaitable<void> JanusMediaEngine::DoPublish(std::shared_ptr<Peer> peer, std::string display,
                                                  json::object offer, PublishDone done) {
  std::optional<MediaRoom> room = service_.FindRoom(peer->session_id);
  if (!room) {
    done(NoRoom());
    co_return;
  }
  Status access = co_await EnsureAccess(peer, *room);
  if (!access.ok()) {
    done(access);
    co_return;
  }
  JanusInstance& janus = *room->instance;
  if (peer->publisher == 0) {
    auto handler = Forwarder(peer->session_id, peer->user_id, "publisher");
    Result<uint64_t> handle = co_await janus.Attach(std::move(handler));
    if (!handle.ok()) {
      done(handle.status());
      co_return;
    }
    // The participant's id in the room is their user id when Janus still has it free (a handle
    // of theirs that just left may linger); else Janus picks one.
    json::object join{{"request", "join"},  {"ptype", "publisher"}, {"room", room->room},
                      {"pin", room->pin},   {"token", peer->token}, {"display", display},
                      {"id", peer->user_id}};
    json::object join_any = join;
    join_any.erase("id");
    Result<PluginReply> joined = co_await janus.Message(*handle, std::move(join), std::nullopt);
    if (!joined.ok() && joined.status().code() == StatusCode::kInvalidArgument) {
      joined = co_await janus.Message(*handle, std::move(join_any), std::nullopt);
    }
    if (joined.ok()) {
      const json::value* id = joined->data.if_contains("id");
      peer->feed_id = id && id->is_int64()    ? id->get_int64()
                      : id && id->is_uint64() ? static_cast<int64_t>(id->get_uint64())
                                              : peer->user_id;
    }
    if (!joined.ok()) {
      Status detached = co_await janus.Detach(*handle);
      (void)detached;
      done(joined.status());
      co_return;
    }
    peer->publisher = *handle;
  }
  json::object body{{"request", peer->published ? "configure" : "publish"}};
  std::optional<json::object> jsep = std::move(offer);
  Result<PluginReply> reply =
      co_await janus.Message(peer->publisher, std::move(body), std::move(jsep));
  if (!reply.ok()) {
    done(reply.status());
    co_return;
  }
  if (!reply->jsep) {
    done(Status::Internal("Janus sent no SDP answer"));
    co_return;
  }
  if (!peer->published) {
    std::lock_guard lock(mu_);
    ++peer->publication;
  }
  peer->published = true;
  done(Published{peer->feed_id, std::move(*reply->jsep)});
}

void JanusMediaEngine::Unpublish(int64_t session_id, int64_t user_id, Done done) {
  bool queued = Enqueue(session_id, user_id, [this, done](std::shared_ptr<Peer> peer) {
    return DoUnpublish(std::move(peer), done);
  });
  if (!queued) done(Status::Ok());
}

asio::awaitable<void> JanusMediaEngine::DoUnpublish(std::shared_ptr<Peer> peer, Done done) {
  std::optional<MediaRoom> room = service_.FindRoom(peer->session_id);
  if (peer->publisher == 0 || !room || room->instance != peer->instance ||
      room->epoch != peer->epoch) {
    done(Status::Ok());
    co_return;
  }
  JanusInstance& janus = *room->instance;
  json::object body{{"request", "unpublish"}};
  Result<PluginReply> unpublished =
      co_await janus.Message(peer->publisher, std::move(body), std::nullopt);
  if (!unpublished.ok()) {
    // Homeroom holds the room secret: it removes the publisher as the room's administrator.
    std::string secret = room->secret;
    Status kicked =
        co_await janus.Kick(room->room, std::move(secret), static_cast<uint64_t>(peer->feed_id));
    (void)kicked;
  }
  Status detached = co_await janus.Detach(peer->publisher);
  (void)detached;
  peer->publisher = 0;
  peer->published = false;
  done(Status::Ok());
}

void JanusMediaEngine::Subscribe(int64_t session_id, int64_t user_id,
                                 std::vector<live::StreamChoice> streams, OfferDone done) {
  bool queued = Enqueue(session_id, user_id, [this, streams, done](std::shared_ptr<Peer> peer) {
    return DoSubscribe(std::move(peer), streams, done);
  });
  if (!queued) done(NoRoom());
}

asio::awaitable<void> JanusMediaEngine::DoSubscribe(std::shared_ptr<Peer> peer,
                                                    std::vector<live::StreamChoice> streams,
                                                    OfferDone done) {
  std::optional<MediaRoom> room = service_.FindRoom(peer->session_id);
  if (!room) {
    done(NoRoom());
    co_return;
  }
  Status access = co_await EnsureAccess(peer, *room);
  if (!access.ok()) {
    done(access);
    co_return;
  }
  JanusInstance& janus = *room->instance;
  // Janus drops the streams of publishers that left by itself; one that published again (with
  // the same feed id) is new to this subscriber.
  std::map<int64_t, uint64_t> live = PublishedFeeds(peer->session_id);
  std::erase_if(peer->subscribed, [&](const auto& entry) {
    auto it = live.find(entry.first.feed);
    return it == live.end() || it->second != entry.second;
  });
  std::vector<live::StreamChoice> added;
  for (live::StreamChoice& c : streams) {
    // A feed received whole already has each of its streams.
    if (!peer->subscribed.count(c) && !peer->subscribed.count({c.feed, ""})) {
      added.push_back(std::move(c));
    }
  }
  if (added.empty()) {
    done(std::optional<SubscriberOffer>());
    co_return;
  }
  Result<PluginReply> reply = Status::Internal("unset");
  if (peer->subscriber == 0) {
    auto handler = Forwarder(peer->session_id, peer->user_id, "subscriber");
    Result<uint64_t> handle = co_await janus.Attach(std::move(handler));
    if (!handle.ok()) {
      done(handle.status());
      co_return;
    }
    json::object join{{"request", "join"}, {"ptype", "subscriber"}, {"room", room->room},
                      {"pin", room->pin},  {"token", peer->token},  {"streams", Streams(added)},
                      {"use_msid", true}};
    reply = co_await janus.Message(*handle, std::move(join), std::nullopt);
    if (!reply.ok()) {
      Status detached = co_await janus.Detach(*handle);
      (void)detached;
      done(reply.status());
      co_return;
    }
    peer->subscriber = *handle;
  } else {
    json::object update{{"request", "subscribe"}, {"streams", Streams(added)}};
    reply = co_await janus.Message(peer->subscriber, std::move(update), std::nullopt);
    if (!reply.ok()) {
      done(reply.status());
      co_return;
    }
  }
  for (const live::StreamChoice& c : added) {
    auto it = live.find(c.feed);
    peer->subscribed[c] = it == live.end() ? 0 : it->second;
  }
  if (!reply->jsep) {
    done(std::optional<SubscriberOffer>());
    co_return;
  }
  SubscriberOffer offer{std::move(*reply->jsep), ReceivedStreams(reply->data)};
  done(std::optional<SubscriberOffer>(std::move(offer)));
}

void JanusMediaEngine::Start(int64_t session_id, int64_t user_id, json::object answer, Done done) {
  bool queued = Enqueue(session_id, user_id, [this, answer, done](std::shared_ptr<Peer> peer) {
    return DoStart(std::move(peer), answer, done);
  });
  if (!queued) done(NoRoom());
}

asio::awaitable<void> JanusMediaEngine::DoStart(std::shared_ptr<Peer> peer, json::object answer,
                                                Done done) {
  if (peer->subscriber == 0 || !peer->instance) {
    done(Status::Conflict("subscribe first"));
    co_return;
  }
  json::object body{{"request", "start"}};
  std::optional<json::object> jsep = std::move(answer);
  Result<PluginReply> started =
      co_await peer->instance->Message(peer->subscriber, std::move(body), std::move(jsep));
  done(started.status());
}

void JanusMediaEngine::Trickle(int64_t session_id, int64_t user_id, bool publisher,
                               json::object candidate, Done done) {
  bool queued =
      Enqueue(session_id, user_id, [this, publisher, candidate, done](std::shared_ptr<Peer> peer) {
        return DoTrickle(std::move(peer), publisher, candidate, done);
      });
  if (!queued) done(NoRoom());
}

asio::awaitable<void> JanusMediaEngine::DoTrickle(std::shared_ptr<Peer> peer, bool publisher,
                                                  json::object candidate, Done done) {
  uint64_t handle = publisher ? peer->publisher : peer->subscriber;
  if (handle == 0 || !peer->instance) {
    done(Status::NotFound("no such PeerConnection"));
    co_return;
  }
  Status trickled = co_await peer->instance->Trickle(handle, std::move(candidate));
  done(trickled);
}

void JanusMediaEngine::Leave(int64_t session_id, int64_t user_id) {
  Enqueue(session_id, user_id,
          [this](std::shared_ptr<Peer> peer) { return DoLeave(std::move(peer)); });
}

asio::awaitable<void> JanusMediaEngine::DoLeave(std::shared_ptr<Peer> peer) {
  std::optional<MediaRoom> room = service_.FindRoom(peer->session_id);
  auto release = ReleaseHandles(peer, room);
  co_await std::move(release);
  std::lock_guard lock(mu_);
  auto it = rooms_.find(peer->session_id);
  if (it == rooms_.end()) co_return;
  auto p = it->second.peers.find(peer->user_id);
  // Forgotten unless something was queued after the leave (the user came back).
  if (p != it->second.peers.end() && p->second == peer && peer->queue.empty()) {
    it->second.peers.erase(p);
  }
}

}  // namespace homeroom::media
