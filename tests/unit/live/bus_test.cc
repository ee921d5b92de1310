#include "live/bus.h"

#include <gtest/gtest.h>

namespace homeroom::live {
namespace {

TEST(InProcessBus, DeliversToSubscribersOfTheKeyOnly) {
  InProcessBus bus;
  std::vector<int64_t> a, b;
  auto sa = bus.Subscribe("live.room.1", [&](const BusMessage& m) { a.push_back(m.seq); });
  auto sb = bus.Subscribe("live.room.2", [&](const BusMessage& m) { b.push_back(m.seq); });
  bus.Publish("live.room.1", BusMessage{1, Audience::Everyone(), nullptr});
  bus.Publish("live.room.2", BusMessage{7, Audience::Everyone(), nullptr});
  bus.Publish("live.room.3", BusMessage{9, Audience::Everyone(), nullptr});
  EXPECT_EQ(a, std::vector<int64_t>{1});
  EXPECT_EQ(b, std::vector<int64_t>{7});
  EXPECT_EQ(bus.subscription_count(), 2u);
}

TEST(InProcessBus, DestroyingTheSubscriptionStopsDelivery) {
  InProcessBus bus;
  int calls = 0;
  auto s = bus.Subscribe("k", [&](const BusMessage&) { ++calls; });
  bus.Publish("k", BusMessage{});
  s.reset();
  bus.Publish("k", BusMessage{});
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(bus.subscription_count(), 0u);
}

TEST(Audience, TeachersAndUserIncludesTeachersAndThatUserOnly) {
  Audience a = Audience::TeachersAnd(5);
  EXPECT_TRUE(a.Includes(1, RoomRole::kTeacher));
  EXPECT_TRUE(a.Includes(5, RoomRole::kStudent));
  EXPECT_FALSE(a.Includes(6, RoomRole::kStudent));
  EXPECT_FALSE(a.Includes(7, RoomRole::kObserver));
  EXPECT_FALSE(Audience::Teachers().Includes(7, RoomRole::kObserver));
  EXPECT_TRUE(Audience::User(3).Includes(3, RoomRole::kStudent));
}

}  // namespace
}  // namespace homeroom::live
