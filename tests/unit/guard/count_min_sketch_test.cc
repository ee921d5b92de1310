#include "guard/count_min_sketch.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace homeroom::guard {
namespace {

TEST(CountMinSketch, IsExactForOneKey) {
  CountMinSketch sketch(64, 4);
  for (int i = 0; i < 1000; ++i) sketch.Add(42);
  EXPECT_EQ(sketch.Estimate(42), 1000u);
  EXPECT_EQ(sketch.total(), 1000u);
}

TEST(CountMinSketch, AnswersZeroForAKeyNeverAddedWhenNothingCollides) {
  CountMinSketch sketch(1 << 16, 4);
  sketch.Add(1, 5);
  EXPECT_EQ(sketch.Estimate(2), 0u);
}

TEST(CountMinSketch, NeverUnderestimatesEvenWhenCrowded) {
  // 2,000 keys in 64 x 3 cells: heavy collisions, yet no estimate may fall below the truth, and
  // none may exceed the total.
  CountMinSketch sketch(64, 3);
  std::map<uint64_t, uint64_t> truth;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20'000; ++i) {
    uint64_t key = rng() % 2000;
    uint64_t n = 1 + rng() % 3;
    sketch.Add(key * 0x9e3779b97f4a7c15ull, n);
    truth[key] += n;
  }
  for (const auto& [key, count] : truth) {
    uint64_t estimate = sketch.Estimate(key * 0x9e3779b97f4a7c15ull);
    EXPECT_GE(estimate, count) << key;
    EXPECT_LE(estimate, sketch.total()) << key;
  }
}

TEST(CountMinSketch, KeepsAHeavyKeyCloseToItsTrueCountAmongManyLightOnes) {
  CountMinSketch sketch(1024, 4);
  for (uint64_t k = 1; k <= 500; ++k) sketch.Add(k * 0x51afd7ed558ccd1dull);
  sketch.Add(0xabcdefull, 5000);
  uint64_t estimate = sketch.Estimate(0xabcdefull);
  EXPECT_GE(estimate, 5000u);
  // Conservative update: the light keys can lift the heavy one's cells by at most their own count.
  EXPECT_LE(estimate, 5000u + 500u);
}

TEST(CountMinSketch, DecayScalesCountsAndZeroClears) {
  CountMinSketch sketch(256, 4);
  sketch.Add(9, 100);
  sketch.Decay(0.5);
  EXPECT_EQ(sketch.Estimate(9), 50u);
  EXPECT_EQ(sketch.total(), 50u);
  sketch.Decay(0);
  EXPECT_EQ(sketch.Estimate(9), 0u);
  EXPECT_EQ(sketch.total(), 0u);
}

TEST(CountMinSketch, AddReturnsTheNewEstimate) {
  CountMinSketch sketch(256, 2);
  EXPECT_EQ(sketch.Add(3, 2), 2u);
  EXPECT_EQ(sketch.Add(3, 5), 7u);
}

}  // namespace
}  // namespace homeroom::guard
