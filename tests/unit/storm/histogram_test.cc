#include "storm/histogram.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace homeroom::storm {
namespace {

TEST(Histogram, EmptyHasZeroPercentiles) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.Percentile(0.5), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(Histogram, PercentilesAreWithinTheBucketPrecision) {
  Histogram h;
  for (uint64_t v = 1; v <= 100'000; ++v) h.Record(v);
  EXPECT_EQ(h.count(), 100'000u);
  EXPECT_EQ(h.max(), 100'000u);
  EXPECT_EQ(h.min(), 1u);
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const double exact = q * 100'000;
    const double got = static_cast<double>(h.Percentile(q));
    EXPECT_GE(got, exact) << q;  // the highest equivalent value: never below the true rank
    EXPECT_LE(got, exact * (1 + 1.0 / 64)) << q;
  }
  EXPECT_EQ(h.Percentile(1.0), 100'000u);
  EXPECT_NEAR(h.mean(), 50'000.5, 0.01);
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (uint64_t v : {3, 3, 3, 7, 100}) h.Record(v);
  EXPECT_EQ(h.Percentile(0.5), 3u);
  EXPECT_EQ(h.Percentile(0.8), 7u);
  EXPECT_EQ(h.Percentile(0.999), 100u);
}

TEST(Histogram, TailIsSeenAtP999) {
  Histogram h;
  for (int i = 0; i < 9'990; ++i) h.Record(1'000);
  for (int i = 0; i < 10; ++i) h.Record(5'000'000);
  EXPECT_LE(h.Percentile(0.99), 1'016u);
  EXPECT_GE(h.Percentile(0.9991), 4'900'000u);
  EXPECT_EQ(h.max(), 5'000'000u);
}

TEST(Histogram, HugeValuesAreClamped) {
  Histogram h;
  h.Record(UINT64_MAX);
  EXPECT_EQ(h.max(), Histogram::kMaxValue);
  EXPECT_EQ(h.Percentile(0.5), Histogram::kMaxValue);
}

TEST(Histogram, MergeAddsCountsAndKeepsExtremes) {
  Histogram a, b;
  a.Record(10);
  b.Record(1'000);
  b.Record(2);
  a.Merge(b);
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(a.max(), 1'000u);
  EXPECT_EQ(a.min(), 2u);
  EXPECT_EQ(a.Percentile(0.5), 10u);
}

TEST(Histogram, ConcurrentRecordsAreAllCounted) {
  Histogram h;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h, t] {
      for (int i = 0; i < 10'000; ++i) h.Record(static_cast<uint64_t>(t * 10'000 + i));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(h.count(), 40'000u);
  EXPECT_EQ(h.max(), 39'999u);
}

}  // namespace
}  // namespace homeroom::storm
