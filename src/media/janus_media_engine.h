#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "live/media_engine.h"
#include "media/media_service.h"

namespace homeroom::media {

// The live rooms' media engine over Janus VideoRoom (live::MediaEngine): each live session's
// VideoRoom room comes from the MediaService (least-loaded healthy instance), and each
// participant gets, in Homeroom's own Janus session, a publisher handle and a subscriber handle
// that Homeroom drives on their behalf from the signaling they send on the live socket. A
// participant's access is a token of their own, added to Janus through the admin API and to the
// room's allowed list with the room secret; Homeroom joins with it and the room's pin. Browsers
// never see a token, a secret, a pin or Janus's address.
//
// A participant's operations run one after the other (a queue per participant), so a trickled
// candidate never overtakes the offer it belongs to. Rooms of an instance that failed are
// forgotten with their handles (the room hears on_availability(false)), and made again by the
// MediaService.
//
// Thread-safe. Work runs on `executor` (the API server's context). Construct before
// service.Start(); destroy after that executor stopped running.
class JanusMediaEngine final : public live::MediaEngine {
 public:
  JanusMediaEngine(boost::asio::any_io_executor executor, MediaService& service);

  bool enabled() const override { return service_.enabled(); }
  size_t max_publishers() const override { return service_.options().max_publishers_per_room; }
  void OpenRoom(int64_t session_id, std::string title, RoomEvents events) override;
  void CloseRoom(int64_t session_id) override;
  void Publish(int64_t session_id, int64_t user_id, std::string display, boost::json::object offer,
               PublishDone done) override;
  void Unpublish(int64_t session_id, int64_t user_id, Done done) override;
  void Subscribe(int64_t session_id, int64_t user_id, std::vector<live::StreamChoice> streams,
                 OfferDone done) override;
  void Start(int64_t session_id, int64_t user_id, boost::json::object answer, Done done) override;
  void Trickle(int64_t session_id, int64_t user_id, bool publisher, boost::json::object candidate,
               Done done) override;
  void Leave(int64_t session_id, int64_t user_id) override;

  // Participants with Janus handles in the session's room now (tests, diagnostics).
  size_t PeerCount(int64_t session_id) const;

 private:
  struct Peer;
  // One queued operation of a participant, given its peer when it runs (the queue never owns the
  // peer: a peer whose operations never ran is still freed).
  using Op = std::function<boost::asio::awaitable<void>(std::shared_ptr<Peer>)>;
  // One participant's Janus state. Touched only by its own operations, which run one at a time.
  struct Peer {
    int64_t session_id = 0;
    int64_t user_id = 0;
    std::shared_ptr<JanusInstance> instance;  // where its handles live
    uint64_t epoch = 0;                       // the instance's session epoch they were made in
    std::string token;                        // its access token ("" until granted)
    uint64_t publisher = 0;                   // handles (0: none)
    uint64_t subscriber = 0;
    bool published = false;
    // Counts its publications (a publish after an unpublish is a new one; a renegotiation is not).
    // Written under the engine's mu_.
    uint64_t publication = 0;
    int64_t feed_id = 0;  // its publisher's id in the room (Janus's participant id)
    // What the subscriber handle receives, with the publication it was subscribed in: a feed that
    // was unpublished and published again (the same feed id) is subscribed to again.
    std::map<live::StreamChoice, uint64_t> subscribed;
    // Guarded by the engine's mu_.
    std::deque<Op> queue;
    bool running = false;
  };
  struct RoomState {
    RoomEvents events;
    std::map<int64_t, std::shared_ptr<Peer>> peers;  // by user
  };

  void OnAvailability(int64_t session_id, bool available);
  // Queues `op` for the user's peer (created on first use). False when the room is not open.
  bool Enqueue(int64_t session_id, int64_t user_id, Op op);
  boost::asio::awaitable<void> Drain(std::shared_ptr<Peer> peer);
  // Makes the peer's handles belong to `room`'s instance and epoch, and grants its token.
  boost::asio::awaitable<Status> EnsureAccess(std::shared_ptr<Peer> peer, MediaRoom room);
  boost::asio::awaitable<void> ReleaseHandles(std::shared_ptr<Peer> peer,
                                              std::optional<MediaRoom> room);
  JanusInstance::HandleEventHandler Forwarder(int64_t session_id, int64_t user_id,
                                              std::string target);
  void SendToPeer(int64_t session_id, int64_t user_id, boost::json::object frame);
  // Feeds published in the room now (by peers of this engine), with their publication count.
  std::map<int64_t, uint64_t> PublishedFeeds(int64_t session_id) const;

  boost::asio::awaitable<void> DoOpen(int64_t session_id, std::string title);
  boost::asio::awaitable<void> DoClose(int64_t session_id,
                                       std::vector<std::shared_ptr<Peer>> peers);
  boost::asio::awaitable<void> DoPublish(std::shared_ptr<Peer> peer, std::string display,
                                         boost::json::object offer, PublishDone done);
  boost::asio::awaitable<void> DoUnpublish(std::shared_ptr<Peer> peer, Done done);
  boost::asio::awaitable<void> DoSubscribe(std::shared_ptr<Peer> peer,
                                           std::vector<live::StreamChoice> streams, OfferDone done);
  boost::asio::awaitable<void> DoStart(std::shared_ptr<Peer> peer, boost::json::object answer,
                                       Done done);
  boost::asio::awaitable<void> DoTrickle(std::shared_ptr<Peer> peer, bool publisher,
                                         boost::json::object candidate, Done done);
  boost::asio::awaitable<void> DoLeave(std::shared_ptr<Peer> peer);

  boost::asio::any_io_executor executor_;
  MediaService& service_;
  mutable std::mutex mu_;
  std::map<int64_t, RoomState> rooms_;  // by session; guarded by mu_
};

}  // namespace homeroom::media
