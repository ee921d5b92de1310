#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "live/room_types.h"

namespace homeroom::live {

// Who may see one room event. Evaluated against each recipient's user id and room role.
struct Audience {
  enum class Kind : uint8_t {
    kEveryone,         // every participant in the room (not students in the waiting room)
    kTeachers,         // teachers only
    kTeachersAndUser,  // teachers and `user_id` (private chat, an observer's own presence)
    kUser,             // only `user_id`
    kAllSockets,       // every socket, waiting room included (room.ended)
  };
  Kind kind = Kind::kEveryone;
  int64_t user_id = 0;

  static Audience Everyone() { return {Kind::kEveryone, 0}; }
  static Audience Teachers() { return {Kind::kTeachers, 0}; }
  static Audience TeachersAnd(int64_t user) { return {Kind::kTeachersAndUser, user}; }
  static Audience User(int64_t user) { return {Kind::kUser, user}; }
  static Audience AllSockets() { return {Kind::kAllSockets, 0}; }

  // True when a participant `user` with `role` may see the event.
  bool Includes(int64_t user, RoomRole role) const {
    switch (kind) {
      case Kind::kEveryone:
      case Kind::kAllSockets:
        return true;
      case Kind::kTeachers:
        return role == RoomRole::kTeacher;
      case Kind::kTeachersAndUser:
        return role == RoomRole::kTeacher || user == user_id;
      case Kind::kUser:
        return user == user_id;
    }
    return false;
  }
};

// One encoded room event as it travels between a room and the sockets that show it.
struct BusMessage {
  int64_t seq = 0;
  Audience audience;
  std::shared_ptr<const std::string> frame;  // encoded once, shared by every recipient
};

// Carries room events by room key ("live.room.<session_id>") from the room that orders them to
// whoever delivers them to sockets. The in-process bus delivers to subscribers on this node; a
// multi-node bus (NATS) implements the same interface so rooms do not change. Implementations are
// thread-safe.
class Bus {
 public:
  using Handler = std::function<void(const BusMessage&)>;

  // Ends its subscription when destroyed. After the destructor returns the handler is never
  // started again (a call already running on another thread may still finish).
  class Subscription {
   public:
    virtual ~Subscription() = default;
  };

  virtual ~Bus() = default;
  // Calls `handler` for every message published under `key` from now on. Never fails; the
  // handler must be cheap and must not block (it runs on the publisher's thread in process).
  virtual std::unique_ptr<Subscription> Subscribe(const std::string& key, Handler handler) = 0;
  // Hands `message` to every subscriber of `key`, in publication order per publisher.
  virtual void Publish(const std::string& key, const BusMessage& message) = 0;
};

// The single-node Bus: Publish calls each subscriber's handler synchronously on the calling
// thread, outside any lock. Subscriptions must not outlive the bus. Thread-safe.
class InProcessBus final : public Bus {
 public:
  std::unique_ptr<Subscription> Subscribe(const std::string& key, Handler handler) override;
  void Publish(const std::string& key, const BusMessage& message) override;
  // Subscriptions currently held (tests, diagnostics).
  size_t subscription_count() const;

 private:
  class InProcessSubscription;
  struct Entry {
    uint64_t id;
    std::shared_ptr<const Handler> handler;
  };
  using List = std::vector<Entry>;
  void Unsubscribe(const std::string& key, uint64_t id);

  mutable std::mutex mu_;
  // Copy-on-write lists so Publish copies one pointer under the lock. Guarded by mu_.
  std::unordered_map<std::string, std::shared_ptr<const List>> subscribers_;
  uint64_t next_id_ = 1;  // guarded by mu_
};

}  // namespace homeroom::live
