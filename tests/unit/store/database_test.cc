#include "store/database.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <filesystem>

#include "store/migrations.h"
#include "testing/temp_dir.h"

namespace homeroom::store {
namespace {

TEST(Database, OpenAppliesEveryMigrationOnce) {
  testing::TempDir dir;
  metrics::Registry metrics;
  {
    auto db = Database::Open({.path = dir.path() + "/h.db"}, &metrics);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    Status ready = (*db)->ReadSync([](sql::Connection& c) { return Database::CheckReady(c); });
    EXPECT_TRUE(ready.ok()) << ready.ToString();
  }
  auto again = Database::Open({.path = dir.path() + "/h.db"}, &metrics);
  ASSERT_TRUE(again.ok());
  Status s = (*again)->ReadSync([](sql::Connection& c) -> Status {
    HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("SELECT COUNT(*) FROM schema_migrations"));
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    EXPECT_TRUE(row);
    EXPECT_EQ(st->Int(0), static_cast<int64_t>(AllMigrations().size()));
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(Database, AppliesAMigrationThatLandedAfterAHigherOne) {
  // A database migrated by a binary that had 0005 but not yet 0004 (parallel branches landing out
  // of order) gets the late one when it opens with a binary that has both.
  testing::TempDir dir;
  const std::string path = dir.path() + "/h.db";
  const Migration& late = AllMigrations().front();  // stands in for the late one
  {
    auto db = Database::Open({.path = path}, nullptr);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->WriteSync([&](sql::Connection& c) -> Status {
                      HR_ASSIGN_OR_RETURN(
                          auto* st, c.Prepare("DELETE FROM schema_migrations WHERE version = ?"));
                      st->Bind(1, late.version);
                      return st->Run();
                    })
                    .ok());
  }
  // Re-running the first migration fails on its existing tables: proof that it was attempted.
  auto again = Database::Open({.path = path}, nullptr);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find(std::string(late.name)), std::string::npos)
      << again.status().ToString();
}

TEST(Database, GroupCommitRollsBackOnlyTheFailedWrite) {
  testing::TempDir dir;
  metrics::Registry metrics;
  auto db = Database::Open({.path = dir.path() + "/h.db"}, &metrics);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)
                  ->WriteSync([](sql::Connection& c) {
                    return c.Exec("CREATE TABLE t (v INTEGER UNIQUE)");
                  })
                  .ok());

  boost::asio::io_context io;
  std::vector<Status> results(20);
  for (int i = 0; i < 20; ++i) {
    boost::asio::co_spawn(
        io,
        [&, i]() -> boost::asio::awaitable<void> {
          results[i] = co_await (*db)->Write([i](sql::Connection& c) -> Status {
            HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("INSERT INTO t (v) VALUES (?)"));
            st->Bind(1, i == 7 ? 3 : i);  // job 7 collides with job 3
            return st->Run();
          });
        },
        boost::asio::detached);
  }
  io.run();
  for (int i = 0; i < 20; ++i) {
    if (i == 7)
      EXPECT_EQ(results[i].code(), StatusCode::kConflict);
    else
      EXPECT_TRUE(results[i].ok()) << i << " " << results[i].ToString();
  }
  int64_t count = 0;
  ASSERT_TRUE((*db)
                  ->ReadSync([&](sql::Connection& c) -> Status {
                    HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("SELECT COUNT(*) FROM t"));
                    HR_ASSIGN_OR_RETURN(bool row, st->Step());
                    count = row ? st->Int(0) : -1;
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(count, 19);
  EXPECT_EQ(metrics.CounterValue("homeroom_db_write_errors_total"), 1u);
  EXPECT_EQ(metrics.CounterValue("homeroom_db_writes_total"), 20u);  // 19 + the CREATE TABLE
}

TEST(Database, ReadsRunOnReaderThreadsAndReturnValues) {
  testing::TempDir dir;
  auto db = Database::Open({.path = dir.path() + "/h.db", .readers = 2}, nullptr);
  ASSERT_TRUE(db.ok());
  boost::asio::io_context io;
  Result<int64_t> got = Status::Internal("unset");
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        got = co_await (*db)->Read([](sql::Connection& c) -> Result<int64_t> {
          HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("SELECT 6 * 7"));
          HR_ASSIGN_OR_RETURN(bool row, st->Step());
          if (!row) return Status::Internal("no row");
          return st->Int(0);
        });
      },
      boost::asio::detached);
  io.run();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, 42);
}

}  // namespace
}  // namespace homeroom::store
