#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace homeroom::live {

// One stream a publisher sends (a sending m-section of its SDP offer), as subscribers choose it.
struct SentStream {
  std::string mid;   // the section's a=mid ("" when it has none); Janus keeps the publisher's mids
  std::string kind;  // "audio", "camera" or "screen"
  bool operator==(const SentStream&) const = default;
};
// What a publisher's SDP offer sends: the number of audio and video streams it sends (m-lines
// with a port and a sending direction), and each of them. The room's floor rules are decided on
// the counts; subscribers choose streams by mid and kind (docs/live-protocol.md, "Media").
struct SentMedia {
  int audio = 0;
  int video = 0;
  // The sending sections in offer order. Kinds follow the web app's transceiver order
  // (web/src/live/media_client.ts): an audio section is "audio", the first video section the
  // "camera", the second the "screen".
  std::vector<SentStream> streams;
};
// Reads an SDP offer. Malformed text counts nothing. Pure; thread-safe.
SentMedia CountSentMedia(std::string_view sdp);

// What a subscriber receives of one publisher: its whole feed (`mid` empty) or the one stream
// with that mid.
struct StreamChoice {
  int64_t feed = 0;
  std::string mid;
  auto operator<=>(const StreamChoice&) const = default;
};

// Reads the arguments of `media.subscribe` (docs/live-protocol.md) against the feeds that can be
// subscribed to now (`feeds`: feed id -> what it sends; the subscriber's own feed is not in it):
// either `feeds` (feed ids: whole feeds), or `streams` (objects {"feed": id, "mid": "..."}: one
// stream each), or neither (every feed, whole). Duplicates are received once; the choices come
// back in feed, then mid order. Returns InvalidArgument for malformed arguments (both lists, a
// list that is not an array, an entry of the wrong shape, an empty list), and NotFound when a
// feed does not publish or does not send that mid, or when there is nothing to subscribe to.
// The lists are bounded by the live socket's frame size (src/net). Pure; thread-safe.
Result<std::vector<StreamChoice>> ChooseStreams(const boost::json::object& args,
                                                const std::map<int64_t, SentMedia>& feeds);

// The room's view of the media engine (Janus, driven by src/media). Homeroom decides who may
// publish what (the room's floor rules); the engine carries it out and never sees a role. All
// methods return at once; each `done` is called exactly once, on any thread (the room posts it to
// its strand). A user has at most one publisher and one subscriber PeerConnection per room; their
// operations run in the order they were asked for. Implementations are thread-safe.
class MediaEngine {
 public:
  // What a room hears from the engine, on any thread.
  struct RoomEvents {
    // The room's media became available (true) or unavailable (false: the media server failed;
    // every PeerConnection of the room is gone).
    std::function<void(bool available)> on_availability;
    // A frame for one user's browser (a renegotiation offer, ICE up, hangup), sent as is to the
    // socket that signals that user's media (docs/live-protocol.md, "Media").
    std::function<void(int64_t user_id, boost::json::object frame)> on_peer_message;
  };
  struct Published {
    int64_t feed_id = 0;         // the publisher's id in the media room (subscribe to it)
    boost::json::object answer;  // the SDP answer (JSEP) for the browser
  };
  using Done = std::function<void(Status)>;
  using PublishDone = std::function<void(Result<Published>)>;
  // The subscriber PeerConnection's offer (JSEP) for the browser, and what each of its m-sections
  // receives: [{"mid": the section's mid, "feed_id": the publisher's feed, "feed_mid": the mid of
  // the stream in the publisher's offer}]. The browser names its remote tracks by it
  // (docs/live-protocol.md, "Media"): a subscriber's mids are its own, not the publishers'.
  struct SubscriberOffer {
    boost::json::object jsep;
    boost::json::array streams;
  };
  // The offer to send to the browser, or nullopt when nothing changed.
  using OfferDone = std::function<void(Result<std::optional<SubscriberOffer>>)>;

  virtual ~MediaEngine() = default;

  // False when no media server is configured: rooms run without video and audio.
  virtual bool enabled() const = 0;
  // Publishers one room admits at most (the teacher's included).
  virtual size_t max_publishers() const = 0;

  // The session's media room is wanted (the live room opened) / no longer (it ended: every peer
  // is closed and the media room destroyed). `events` is kept until CloseRoom.
  virtual void OpenRoom(int64_t session_id, std::string title, RoomEvents events) = 0;
  virtual void CloseRoom(int64_t session_id) = 0;

  // Publishes the user's media with the browser's SDP offer; answers with the SDP answer.
  // Unavailable when the media server is down.
  virtual void Publish(int64_t session_id, int64_t user_id, std::string display,
                       boost::json::object offer, PublishDone done) = 0;
  // Stops the user's publishing (their publisher PeerConnection closes).
  virtual void Unpublish(int64_t session_id, int64_t user_id, Done done) = 0;
  // Receives the given publishers' feeds, whole or stream by stream (ChooseStreams): the first
  // call makes the subscriber PeerConnection, later ones add streams (what it already receives
  // is not added twice). Answers with the offer the browser must answer.
  virtual void Subscribe(int64_t session_id, int64_t user_id, std::vector<StreamChoice> streams,
                         OfferDone done) = 0;
  // The browser's SDP answer to the subscriber offer.
  virtual void Start(int64_t session_id, int64_t user_id, boost::json::object answer,
                     Done done) = 0;
  // One of the browser's ICE candidates (or {"completed": true}) for its publisher or subscriber
  // PeerConnection.
  virtual void Trickle(int64_t session_id, int64_t user_id, bool publisher,
                       boost::json::object candidate, Done done) = 0;
  // Closes all of the user's PeerConnections in the room (they left, or their media socket
  // closed).
  virtual void Leave(int64_t session_id, int64_t user_id) = 0;
};

}  // namespace homeroom::live
