#include "guard/block_list.h"

#include <gtest/gtest.h>

#include <thread>

namespace homeroom::guard {
namespace {

namespace asio = boost::asio;
using std::chrono::seconds;

asio::ip::address Ip(const char* text) { return asio::ip::make_address(text); }
Cidr Range(const char* text) { return Cidr::Parse(text).value(); }

TEST(BlockList, EmptyListBlocksNothing) {
  ManualClock clock;
  BlockList list(clock);
  EXPECT_FALSE(list.IsBlocked(Ip("127.0.0.1")));
  EXPECT_FALSE(list.IsAllowed(Ip("127.0.0.1")));
  EXPECT_TRUE(list.Entries().empty());
}

TEST(BlockList, ManualRangesBlockEveryAddressInside) {
  ManualClock clock;
  BlockList list(clock);
  list.ReplaceManual({BlockEntry{Range("127.9.0.0/16"), false, "abuse", clock.NowMs(), {}},
                      BlockEntry{Range("2001:db8::/32"), false, "abuse v6", clock.NowMs(), {}}},
                     {});
  EXPECT_TRUE(list.IsBlocked(Ip("127.9.200.1")));
  EXPECT_TRUE(list.IsBlocked(Ip("::ffff:127.9.0.1")));
  EXPECT_FALSE(list.IsBlocked(Ip("127.8.0.1")));
  EXPECT_TRUE(list.IsBlocked(Ip("2001:db8:5::1")));
  EXPECT_FALSE(list.IsBlocked(Ip("2001:db9::1")));
}

TEST(BlockList, ReplaceManualDropsThePreviousManualEntries) {
  ManualClock clock;
  BlockList list(clock);
  list.ReplaceManual({BlockEntry{Range("127.9.0.0/16"), false, "a", clock.NowMs(), {}}}, {});
  list.ReplaceManual({BlockEntry{Range("127.7.0.0/16"), false, "b", clock.NowMs(), {}}}, {});
  EXPECT_FALSE(list.IsBlocked(Ip("127.9.0.1")));
  EXPECT_TRUE(list.IsBlocked(Ip("127.7.0.1")));
}

TEST(BlockList, WideIpv6RangeCoversIpv4MappedAddresses) {
  ManualClock clock;
  BlockList list(clock);
  list.ReplaceManual({BlockEntry{Range("::/0"), false, "everything", clock.NowMs(), {}}}, {});
  EXPECT_TRUE(list.IsBlocked(Ip("127.0.0.1")));
  EXPECT_TRUE(list.IsBlocked(Ip("2001:db8::1")));
}

TEST(BlockList, AllowedRangeIsNeverBlockedNorAutoBlocked) {
  ManualClock clock;
  BlockList list(clock);
  list.ReplaceManual({BlockEntry{Range("127.0.0.0/8"), false, "all", clock.NowMs(), {}}},
                     {Range("127.5.5.0/24")});
  EXPECT_TRUE(list.IsBlocked(Ip("127.5.4.1")));
  EXPECT_FALSE(list.IsBlocked(Ip("127.5.5.1")));
  EXPECT_TRUE(list.IsAllowed(Ip("127.5.5.1")));
  EXPECT_FALSE(list.BlockAutomatically(Range("127.5.5.7/32"), "flood", seconds(60)));
  EXPECT_FALSE(list.BlockAutomatically(Range("127.5.0.0/16"), "flood", seconds(60)));
  EXPECT_TRUE(list.BlockAutomatically(Range("127.6.0.1/32"), "flood", seconds(60)));
}

TEST(BlockList, AutomaticBlockExpiresAfterItsTtl) {
  ManualClock clock;
  BlockList list(clock);
  ASSERT_TRUE(list.BlockAutomatically(Range("127.1.2.3/32"), "flood", seconds(60)));
  EXPECT_TRUE(list.IsBlocked(Ip("127.1.2.3")));
  EXPECT_FALSE(list.IsBlocked(Ip("127.1.2.4")));
  auto entries = list.Entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_TRUE(entries[0].automatic);
  EXPECT_EQ(entries[0].reason, "flood");
  EXPECT_EQ(entries[0].until_ms, clock.NowMs() + 60'000);
  clock.Advance(60'000);
  EXPECT_FALSE(list.IsBlocked(Ip("127.1.2.3")));
  EXPECT_TRUE(list.Entries().empty());
}

TEST(BlockList, BlockingAgainExtendsTheAutomaticEntry) {
  ManualClock clock;
  BlockList list(clock);
  ASSERT_TRUE(list.BlockAutomatically(Range("127.1.2.0/24"), "flood", seconds(60)));
  clock.Advance(50'000);
  ASSERT_TRUE(list.BlockAutomatically(Range("127.1.2.0/24"), "flood again", seconds(60)));
  clock.Advance(50'000);
  EXPECT_TRUE(list.IsBlocked(Ip("127.1.2.99")));
  auto entries = list.Entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].reason, "flood again");
}

TEST(BlockList, UnblockAutomaticRemovesOnlyAutomaticEntries) {
  ManualClock clock;
  BlockList list(clock);
  list.ReplaceManual({BlockEntry{Range("127.7.0.0/16"), false, "manual", clock.NowMs(), {}}}, {});
  ASSERT_TRUE(list.BlockAutomatically(Range("127.8.0.1/32"), "flood", seconds(60)));
  EXPECT_FALSE(list.UnblockAutomatic(Range("127.7.0.0/16")));
  EXPECT_TRUE(list.IsBlocked(Ip("127.7.0.1")));
  EXPECT_TRUE(list.UnblockAutomatic(Range("127.8.0.1/32")));
  EXPECT_FALSE(list.IsBlocked(Ip("127.8.0.1")));
  EXPECT_FALSE(list.UnblockAutomatic(Range("127.8.0.1/32")));
}

TEST(BlockList, EntriesListManualFirstAndSkipExpiredManualOnes) {
  ManualClock clock;
  BlockList list(clock);
  ASSERT_TRUE(list.BlockAutomatically(Range("127.1.0.1/32"), "auto", seconds(600)));
  list.ReplaceManual(
      {BlockEntry{Range("127.9.0.0/16"), false, "forever", clock.NowMs(), {}},
       BlockEntry{Range("127.8.0.0/16"), false, "an hour", clock.NowMs(),
                  clock.NowMs() + 3'600'000},
       BlockEntry{Range("127.6.0.0/16"), false, "past", clock.NowMs() - 10, clock.NowMs() - 1}},
      {});
  auto entries = list.Entries();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].range.ToString(), "127.8.0.0/16");
  EXPECT_EQ(entries[1].range.ToString(), "127.9.0.0/16");
  EXPECT_EQ(entries[2].range.ToString(), "127.1.0.1/32");
  EXPECT_FALSE(list.IsBlocked(Ip("127.6.0.1")));
  clock.Advance(3'600'000);
  EXPECT_FALSE(list.IsBlocked(Ip("127.8.0.1")));
  EXPECT_TRUE(list.IsBlocked(Ip("127.9.0.1")));
}

TEST(BlockList, AutomaticEntriesStayWithinTheirCap) {
  ManualClock clock;
  BlockList list(clock, BlockListOptions{.max_automatic_entries = 4});
  for (int i = 1; i <= 10; ++i) {
    const std::string range = "127.0.0." + std::to_string(i) + "/32";
    ASSERT_TRUE(list.BlockAutomatically(Range(range.c_str()), "flood", seconds(100 + i)));
  }
  EXPECT_EQ(list.Entries().size(), 4u);
  // The newest offenders (latest expiry) are kept.
  EXPECT_TRUE(list.IsBlocked(Ip("127.0.0.10")));
  EXPECT_FALSE(list.IsBlocked(Ip("127.0.0.1")));
}

TEST(BlockList, ReadersAndWritersRunConcurrently) {
  ManualClock clock;
  BlockList list(clock, BlockListOptions{.max_automatic_entries = 64});
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop.load()) (void)list.IsBlocked(Ip("127.0.0.3"));
  });
  for (int i = 0; i < 2000; ++i) {
    const std::string range =
        "127.0." + std::to_string(i / 250) + "." + std::to_string(i % 250) + "/32";
    list.BlockAutomatically(Range(range.c_str()), "flood", seconds(60));
    if (i % 3 == 0) list.UnblockAutomatic(Range(range.c_str()));
  }
  stop = true;
  reader.join();
  EXPECT_LE(list.Entries().size(), 64u);
}

}  // namespace
}  // namespace homeroom::guard
