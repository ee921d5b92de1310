#include "net/transfer_pace.h"

#include <gtest/gtest.h>

namespace homeroom::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = TransferPace::Clock;

TEST(TransferPace, WithoutARateOnlyTheWholeDeadlineApplies) {
  const Clock::time_point t0{};
  TransferPace pace(t0, seconds(30), 0, seconds(2));
  EXPECT_EQ(pace.deadline(), t0 + seconds(30));
  pace.Progress(1, t0 + seconds(1));
  EXPECT_EQ(pace.deadline(), t0 + seconds(30));
  EXPECT_FALSE(pace.cut_by_rate());
}

TEST(TransferPace, AStallLongerThanTheGraceIsCutByTheRate) {
  const Clock::time_point t0{};
  TransferPace pace(t0, seconds(30), 1000, seconds(2));
  EXPECT_EQ(pace.deadline(), t0 + seconds(2));
  EXPECT_TRUE(pace.cut_by_rate());
}

TEST(TransferPace, BytesBuyTimeAtTheMinimumRate) {
  const Clock::time_point t0{};
  TransferPace pace(t0, seconds(30), 1000, seconds(2));
  pace.Progress(500, t0 + seconds(1));  // half a second bought: 2.5 s
  EXPECT_EQ(pace.deadline(), t0 + milliseconds(2500));
  pace.Progress(1000, t0 + seconds(2));  // one more second: 3.5 s
  EXPECT_EQ(pace.deadline(), t0 + milliseconds(3500));
}

TEST(TransferPace, ABurstBuysNoMoreThanTheGraceAheadOfNow) {
  const Clock::time_point t0{};
  TransferPace pace(t0, seconds(30), 1000, seconds(2));
  pace.Progress(1'000'000, t0 + seconds(1));  // 1000 s earned, capped at now + grace
  EXPECT_EQ(pace.deadline(), t0 + seconds(3));
  EXPECT_TRUE(pace.cut_by_rate());
}

TEST(TransferPace, AFastTransferIsBoundByTheWholeDeadline) {
  const Clock::time_point t0{};
  TransferPace pace(t0, seconds(5), 1000, seconds(2));
  for (int s = 1; s <= 6; ++s) pace.Progress(1'000'000, t0 + seconds(s));
  EXPECT_EQ(pace.deadline(), t0 + seconds(5));
  EXPECT_FALSE(pace.cut_by_rate());
}

TEST(TransferPace, ATrickleFallsBehindAndIsCut) {
  const Clock::time_point t0{};
  TransferPace pace(t0, seconds(30), 1000, seconds(2));
  // One byte a second: each buys a millisecond, so the deadline barely moves past the grace.
  for (int s = 1; s <= 2; ++s) pace.Progress(1, t0 + seconds(s) - milliseconds(1));
  EXPECT_EQ(pace.deadline(), t0 + milliseconds(2002));
  EXPECT_TRUE(pace.cut_by_rate());
}

}  // namespace
}  // namespace homeroom::net
