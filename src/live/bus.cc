#include "live/bus.h"

namespace homeroom::live {

class InProcessBus::InProcessSubscription final : public Bus::Subscription {
 public:
  InProcessSubscription(InProcessBus* bus, std::string key, uint64_t id)
      : bus_(bus), key_(std::move(key)), id_(id) {}
  ~InProcessSubscription() override { bus_->Unsubscribe(key_, id_); }

 private:
  InProcessBus* bus_;
  std::string key_;
  uint64_t id_;
};

std::unique_ptr<Bus::Subscription> InProcessBus::Subscribe(const std::string& key,
                                                           Handler handler) {
  auto shared = std::make_shared<const Handler>(std::move(handler));
  std::lock_guard lock(mu_);
  uint64_t id = next_id_++;
  auto& list = subscribers_[key];
  auto copy = list ? std::make_shared<List>(*list) : std::make_shared<List>();
  copy->push_back(Entry{id, std::move(shared)});
  list = std::move(copy);
  return std::make_unique<InProcessSubscription>(this, key, id);
}

void InProcessBus::Unsubscribe(const std::string& key, uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = subscribers_.find(key);
  if (it == subscribers_.end()) return;
  auto copy = std::make_shared<List>();
  for (const Entry& e : *it->second) {
    if (e.id != id) copy->push_back(e);
  }
  if (copy->empty()) {
    subscribers_.erase(it);
  } else {
    it->second = std::move(copy);
  }
}

void InProcessBus::Publish(const std::string& key, const BusMessage& message) {
  std::shared_ptr<const List> list;
  {
    std::lock_guard lock(mu_);
    auto it = subscribers_.find(key);
    if (it == subscribers_.end()) return;
    list = it->second;
  }
  for (const Entry& e : *list) (*e.handler)(message);
}

size_t InProcessBus::subscription_count() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [key, list] : subscribers_) n += list->size();
  return n;
}

}  // namespace homeroom::live
