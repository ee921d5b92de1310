#include "app/demo.h"

#include <gtest/gtest.h>

#include <string>

#include "core/clock.h"
#include "store/database.h"
#include "testing/temp_dir.h"

namespace homeroom::app {
namespace {

int64_t Count(const std::string& dir, const std::string& sql) {
  auto db = store::Database::Open({.path = dir + "/homeroom.db", .readers = 1}, nullptr);
  EXPECT_TRUE(db.ok());
  if (!db.ok()) return -1;
  auto conn = (*db)->OpenConnection();
  EXPECT_TRUE(conn.ok());
  auto st = (*conn)->Prepare(sql);
  EXPECT_TRUE(st.ok()) << sql;
  auto row = (*st)->Step();
  EXPECT_TRUE(row.ok() && *row) << sql;
  int64_t n = (*st)->Int(0);
  (*st)->Reset();
  return n;
}

TEST(Demo, ADemoDistrictHasNoActivityUnlessAskedForLastWeek) {
  testing::TempDir dir;
  auto logins = EnsureDemoDistrict({.data_dir = dir.path(), .students = 200});
  ASSERT_TRUE(logins.ok()) << logins.status().ToString();
  EXPECT_FALSE(logins->empty());
  EXPECT_EQ(Count(dir.path(), "SELECT COUNT(*) FROM live_sessions"), 0);
  EXPECT_EQ(Count(dir.path(), "SELECT COUNT(*) FROM pathway_rules"), 0);
}

TEST(Demo, TheFirstRunSimulatesTheLastFullWeekAndItsPathwaysEndWithIt) {
  testing::TempDir dir;
  DemoOptions options{.data_dir = dir.path(), .students = 200, .simulate_last_week = true};
  auto logins = EnsureDemoDistrict(options);
  ASSERT_TRUE(logins.ok()) << logins.status().ToString();
  const int64_t now = SystemClock::Instance().NowMs();
  const int64_t sessions = Count(dir.path(), "SELECT COUNT(*) FROM live_sessions");
  EXPECT_GT(sessions, 0);
  // All of it in the past, within the last three weeks.
  EXPECT_EQ(Count(dir.path(), "SELECT COUNT(*) FROM live_sessions WHERE ended_ms > " +
                                  std::to_string(now) + " OR starts_ms < " +
                                  std::to_string(now - 21LL * 24 * 3600 * 1000)),
            0);
  EXPECT_GT(Count(dir.path(), "SELECT COUNT(*) FROM submissions"), 0);
  // Every rule added for the week has its built-in end, the day after the week.
  const std::string first = "(SELECT MIN(effective_from) FROM pathway_rules)";
  const int64_t week_rules =
      Count(dir.path(), "SELECT COUNT(*) FROM pathway_rules WHERE effective_from = " + first);
  EXPECT_GT(week_rules, 0);
  EXPECT_EQ(Count(dir.path(), "SELECT COUNT(*) FROM pathway_rules WHERE effective_from > " + first +
                                  " AND pathway = 'built_in'"),
            week_rules);
  EXPECT_EQ(Count(dir.path(), "SELECT COUNT(*) FROM pathway_rules"), 2 * week_rules);
  // A later run reads the logins back and simulates nothing more.
  auto again = EnsureDemoDistrict(options);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(Count(dir.path(), "SELECT COUNT(*) FROM live_sessions"), sessions);
}

}  // namespace
}  // namespace homeroom::app
