#include "domain/live_calendar.h"

#include <gtest/gtest.h>

#include "core/clock.h"

namespace homeroom::domain {
namespace {

DistrictZone NewYork() {
  auto zone = DistrictZone::Load("America/New_York");
  EXPECT_TRUE(zone.ok()) << zone.status().ToString();
  return *zone;
}

LocalDate Date(const char* text) { return *ParseLocalDate(text, "date"); }

TEST(LiveCalendar, WeeklySeriesKeepsLocalTimeAcrossTheAutumnDstChange) {
  // 2026-11-01 02:00 EDT -> 01:00 EST. Mondays and Wednesdays 09:00-09:45.
  WeeklyPattern p{.weekdays = *ParseWeekdays({"mon", "wed"}),
                  .start_minute = 9 * 60,
                  .end_minute = 9 * 60 + 45,
                  .from = Date("2026-10-26"),
                  .until = Date("2026-11-04")};
  auto occ = ExpandWeekly(p, NewYork(), 100);
  ASSERT_TRUE(occ.ok()) << occ.status().ToString();
  ASSERT_EQ(occ->size(), 4u);
  EXPECT_EQ(FormatIsoUtc((*occ)[0].starts_ms), "2026-10-26T13:00:00.000Z");  // EDT, UTC-4
  EXPECT_EQ(FormatIsoUtc((*occ)[1].starts_ms), "2026-10-28T13:00:00.000Z");
  EXPECT_EQ(FormatIsoUtc((*occ)[2].starts_ms), "2026-11-02T14:00:00.000Z");  // EST, UTC-5
  EXPECT_EQ(FormatIsoUtc((*occ)[3].ends_ms), "2026-11-04T14:45:00.000Z");
  for (const auto& o : *occ) {
    EXPECT_EQ(o.ends_ms - o.starts_ms, 45 * 60'000);
    EXPECT_EQ(NewYork().FormatLocal(o.starts_ms).substr(11), "09:00");
  }
}

TEST(LiveCalendar, WeeklySeriesKeepsLocalTimeAcrossTheSpringDstChange) {
  // 2027-03-14 02:00 EST -> 03:00 EDT; a Sunday and Monday pattern straddles it.
  WeeklyPattern p{.weekdays = *ParseWeekdays({"fri", "mon"}),
                  .start_minute = 8 * 60,
                  .end_minute = 9 * 60,
                  .from = Date("2027-03-12"),
                  .until = Date("2027-03-15")};
  auto occ = ExpandWeekly(p, NewYork(), 100);
  ASSERT_TRUE(occ.ok());
  ASSERT_EQ(occ->size(), 2u);
  EXPECT_EQ(FormatIsoUtc((*occ)[0].starts_ms), "2027-03-12T13:00:00.000Z");
  EXPECT_EQ(FormatIsoUtc((*occ)[1].starts_ms), "2027-03-15T12:00:00.000Z");
}

TEST(LiveCalendar, LocalTimeInTheSpringGapMapsToTheChange) {
  // 02:30 does not exist on 2027-03-14 in New York: it maps to the change, 03:00 EDT.
  EXPECT_EQ(FormatIsoUtc(NewYork().LocalToUtcMs(2027, 3, 14, 2 * 60 + 30)),
            "2027-03-14T07:00:00.000Z");
  // 01:30 happens twice on 2026-11-01: the first (EDT) is taken.
  EXPECT_EQ(FormatIsoUtc(NewYork().LocalToUtcMs(2026, 11, 1, 90)), "2026-11-01T05:30:00.000Z");
}

TEST(LiveCalendar, SeriesOverTheOccurrenceLimitIsRefusedNamingTheLimit) {
  WeeklyPattern p{.weekdays = *ParseWeekdays({"mon", "tue", "wed", "thu", "fri"}),
                  .start_minute = 600,
                  .end_minute = 660,
                  .from = Date("2026-09-01"),
                  .until = Date("2027-06-01")};
  auto occ = ExpandWeekly(p, NewYork(), 20);
  ASSERT_FALSE(occ.ok());
  EXPECT_EQ(occ.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(occ.status().message().find("max_series_occurrences"), std::string::npos);
  EXPECT_TRUE(ExpandWeekly(p, NewYork(), 400).ok());
}

TEST(LiveCalendar, InvertedOrEmptyPatternsAreRefused) {
  WeeklyPattern p{.weekdays = 2,
                  .start_minute = 600,
                  .end_minute = 600,
                  .from = Date("2026-09-01"),
                  .until = Date("2026-09-30")};
  EXPECT_FALSE(ExpandWeekly(p, NewYork(), 100).ok());
  p.end_minute = 660;
  p.until = Date("2026-08-01");
  EXPECT_FALSE(ExpandWeekly(p, NewYork(), 100).ok());
  EXPECT_FALSE(ParseWeekdays({}).ok());
  EXPECT_FALSE(ParseWeekdays({"monday"}).ok());
}

TEST(LiveCalendar, ParsesInstantsWithOffsetsUtcAndDistrictLocalTime) {
  DistrictZone ny = NewYork();
  EXPECT_EQ(FormatIsoUtc(*ParseInstant("2026-09-01T09:00:00-04:00", ny, "t")),
            "2026-09-01T13:00:00.000Z");
  EXPECT_EQ(FormatIsoUtc(*ParseInstant("2026-09-01T13:00:00.250Z", ny, "t")),
            "2026-09-01T13:00:00.250Z");
  EXPECT_EQ(FormatIsoUtc(*ParseInstant("2026-09-01T14:30+05:30", ny, "t")),
            "2026-09-01T09:00:00.000Z");
  // No offset: the district's zone (EST in December), never the machine's.
  EXPECT_EQ(FormatIsoUtc(*ParseInstant("2026-12-01T09:00", ny, "t")), "2026-12-01T14:00:00.000Z");
  EXPECT_EQ(FormatIsoUtc(*ParseInstant("2026-12-01", ny, "t")), "2026-12-01T05:00:00.000Z");
  for (const char* bad :
       {"", "2026-13-01T09:00", "2026-02-30", "2026-09-01T25:00", "2026-09-01T09:00+5",
        "2026-09-01T09:00:00Zjunk", "tomorrow", "2026-09-01T09"}) {
    auto r = ParseInstant(bad, ny, "starts_at");
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("starts_at"), std::string::npos);
    }
  }
}

TEST(LiveCalendar, UnknownZoneIsRefused) {
  auto zone = DistrictZone::Load("Mars/Olympus_Mons");
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.status().code(), StatusCode::kInvalidArgument);
}

TEST(LiveCalendar, WeekdaysAndTimesRoundTrip) {
  EXPECT_EQ(FormatWeekdays(*ParseWeekdays({"wed", "mon", "sun"})), "mon,wed,sun");
  EXPECT_EQ(*ParseLocalTime("09:05", "start"), 545);
  EXPECT_EQ(FormatLocalTime(545), "09:05");
  EXPECT_FALSE(ParseLocalTime("9:05", "start").ok());
  EXPECT_FALSE(ParseLocalTime("24:00", "start").ok());
}

}  // namespace
}  // namespace homeroom::domain
