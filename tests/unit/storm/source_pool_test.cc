#include "storm/source_pool.h"

#include <gtest/gtest.h>

#include <set>

#include "storm/target.h"

namespace homeroom::storm {
namespace {

TEST(SourceBlock, EveryAddressIsLoopbackAndNeverANetworkOrBroadcastHost) {
  for (const SourceBlock& block : {SourceBlock::Operator(), SourceBlock::Legit(),
                                   SourceBlock::Attack(0), SourceBlock::Attack(15)}) {
    for (size_t i : {size_t{0}, size_t{253}, size_t{254}, size_t{65'000}, block.size() - 1}) {
      auto a = block.At(i);
      EXPECT_TRUE(IsLoopback(a)) << a.to_string();
      const uint32_t host = a.to_uint() & 0xFF;
      EXPECT_NE(host, 0u) << a.to_string();
      EXPECT_NE(host, 255u) << a.to_string();
    }
  }
}

TEST(SourceBlock, FiveThousandSourcesAreDistinctAndSpreadOverSubnets) {
  const SourceBlock block = SourceBlock::Attack(1);
  std::set<uint32_t> addresses, subnets;
  for (size_t i = 0; i < 5'000; ++i) {
    addresses.insert(block.At(i).to_uint());
    subnets.insert(block.SubnetOf(i).to_uint());
  }
  EXPECT_EQ(addresses.size(), 5'000u);
  EXPECT_EQ(subnets.size(), 20u);  // 254 hosts per /24
  EXPECT_EQ(block.At(0).to_string(), "127.68.0.1");
  EXPECT_EQ(block.At(254).to_string(), "127.68.1.1");
}

TEST(SourceBlock, LegitimateAndAttackBlocksNeverOverlap) {
  auto range = [](const SourceBlock& b) {
    return std::pair<uint32_t, uint32_t>(b.At(0).to_uint(), b.At(b.size() - 1).to_uint());
  };
  std::vector<std::pair<uint32_t, uint32_t>> ranges = {range(SourceBlock::Operator()),
                                                       range(SourceBlock::Legit())};
  for (int k = 0; k < 16; ++k) ranges.push_back(range(SourceBlock::Attack(k)));
  for (size_t i = 0; i < ranges.size(); ++i) {
    for (size_t j = i + 1; j < ranges.size(); ++j) {
      const bool disjoint =
          ranges[i].second < ranges[j].first || ranges[j].second < ranges[i].first;
      EXPECT_TRUE(disjoint) << i << " and " << j;
    }
  }
}

TEST(SourceBlock, IndexesWrapAroundTheBlock) {
  const SourceBlock block = SourceBlock::Operator();
  EXPECT_EQ(block.At(block.size()), block.At(0));
  EXPECT_EQ(block.At(block.size() + 5), block.At(5));
}

}  // namespace
}  // namespace homeroom::storm
