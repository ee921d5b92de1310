#include "guard/top_k.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

namespace homeroom::guard {
namespace {

TEST(SpaceSaving, CountsExactlyWhileUnderCapacity) {
  SpaceSaving<std::string> top(4);
  top.Add("a", 5);
  top.Add("b", 3);
  top.Add("a");
  auto entries = top.Top(10);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].key, "a");
  EXPECT_EQ(entries[0].count, 6u);
  EXPECT_EQ(entries[0].error, 0u);
  EXPECT_EQ(entries[1].key, "b");
  EXPECT_EQ(entries[1].count, 3u);
  EXPECT_EQ(top.MinCount(), 0u);  // not full
}

TEST(SpaceSaving, ReplacesTheSmallestAndCarriesItsCountAsError) {
  SpaceSaving<std::string> top(2);
  top.Add("a", 10);
  top.Add("b", 4);
  top.Add("c", 1);  // evicts b (4): c = 5 with error 4
  EXPECT_FALSE(top.Find("b").has_value());
  auto c = top.Find("c");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->count, 5u);
  EXPECT_EQ(c->error, 4u);
  EXPECT_EQ(top.MinCount(), 5u);
  EXPECT_EQ(top.total(), 15u);
}

TEST(SpaceSaving, HoldsItsGuaranteesOnASkewedStream) {
  // Zipf-like: a few heavy keys among 5,000 light ones, through only 32 counters.
  const size_t k = 32;
  SpaceSaving<int> top(k);
  std::map<int, uint64_t> truth;
  std::mt19937 rng(11);
  uint64_t total = 0;
  for (int i = 0; i < 50'000; ++i) {
    int key = (rng() % 4 == 0) ? static_cast<int>(rng() % 4) : 100 + static_cast<int>(rng() % 5000);
    top.Add(key);
    ++truth[key];
    ++total;
  }
  EXPECT_EQ(top.total(), total);
  uint64_t sum = 0;
  for (const auto& e : top.Top(k)) {
    sum += e.count;
    // count - error <= true <= count
    EXPECT_GE(e.count, truth[e.key]) << e.key;
    EXPECT_LE(e.count - e.error, truth[e.key]) << e.key;
  }
  EXPECT_EQ(sum, total);  // the counts add up to N
  EXPECT_LE(top.MinCount(), total / k);
  // Every key whose true count exceeds N / k is monitored.
  for (const auto& [key, count] : truth) {
    if (count > total / k) {
      EXPECT_TRUE(top.Find(key).has_value()) << key << " seen " << count;
    }
  }
  // The four heavy keys are the top four.
  auto heaviest = top.Top(4);
  for (const auto& e : heaviest) EXPECT_LT(e.key, 4) << e.key;
}

TEST(SpaceSaving, StaysWithinCapacityUnderAFloodOfNewKeys) {
  SpaceSaving<int> top(16);
  for (int i = 0; i < 100'000; ++i) top.Add(i);
  EXPECT_EQ(top.size(), 16u);
  EXPECT_EQ(top.total(), 100'000u);
}

TEST(SpaceSaving, DecayScalesAndForgetsKeysLeftAtZero) {
  SpaceSaving<std::string> top(4);
  top.Add("heavy", 10);
  top.Add("light", 1);
  top.Decay(0.5);
  EXPECT_EQ(top.Find("heavy")->count, 5u);
  EXPECT_FALSE(top.Find("light").has_value());
  EXPECT_EQ(top.total(), 5u);
  top.Add("light", 2);  // the heap still works after a rebuild
  EXPECT_EQ(top.Top(1)[0].key, "heavy");
  top.Decay(0);
  EXPECT_EQ(top.size(), 0u);
  EXPECT_EQ(top.total(), 0u);
}

}  // namespace
}  // namespace homeroom::guard
