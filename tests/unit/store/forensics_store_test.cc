#include "store/forensics_store.h"

#include <gtest/gtest.h>

#include "store/audit_store.h"
#include "store/database.h"
#include "testing/temp_dir.h"

namespace homeroom::store {
namespace {

constexpr int64_t kT0 = 1'790'000'040'000;  // a minute boundary
constexpr int64_t kMinute = 60'000;
const guard::ActivityLimits kLimits{.max_paths = 2, .max_agents = 2, .max_accounts = 4};

struct World {
  World() {
    auto opened = Database::Open({.path = dir.path() + "/h.db"}, &metrics);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    db = std::move(*opened);
  }
  Status Write(std::function<Status(sql::Connection&)> fn) { return db->WriteSync(std::move(fn)); }
  testing::TempDir dir;
  metrics::Registry metrics;
  std::unique_ptr<Database> db;
};

guard::SourceActivity Host(const char* ip, int64_t slice_ms, int64_t requests) {
  guard::SourceActivity a;
  auto address = boost::asio::ip::make_address(ip);
  a.slice_ms = slice_ms;
  a.slice_end_ms = slice_ms + kMinute;
  a.scope = guard::SourceScope::kHost;
  a.source = guard::HostKey(address);
  a.subnet = guard::SubnetKey(address);
  a.requests = requests;
  a.first_ms = slice_ms + 1;
  a.last_ms = slice_ms + 2;
  a.status_classes = {0, requests, 0, 0, 0};
  a.bytes_in = 1;
  a.bytes_out = 2;
  a.paths = {{"/p", requests}};
  a.agents = {{"Agent \"x\", y", requests}};
  a.user_ids = {100};
  return a;
}

Status Merge(sql::Connection& c, std::vector<guard::SourceActivity> rows, size_t max = 100) {
  return forensics_store::MergeActivity(c, rows, kLimits, max).status();
}

TEST(ForensicsStore, WritesActivityAndReadsItBackSummedOverTheWindow) {
  World w;
  guard::SourceActivity first = Host("127.0.0.66", kT0, 3);
  guard::SourceActivity second = Host("127.0.0.66", kT0 + kMinute, 4);
  second.paths = {{"/q", 4}};
  second.user_ids = {101};
  ASSERT_TRUE(w.Write([&](sql::Connection& c) { return Merge(c, {first, second}); }).ok());

  std::vector<guard::SourceActivity> top;
  ASSERT_TRUE(w.db->ReadSync([&](sql::Connection& c) -> Status {
                    HR_ASSIGN_OR_RETURN(
                        top, forensics_store::TopSources(c, guard::SourceScope::kHost, kT0,
                                                         kT0 + 2 * kMinute, 10, kLimits));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(top.size(), 1u);
  const guard::SourceActivity& a = top[0];
  EXPECT_EQ(a.source.ToString(), "127.0.0.66/32");
  EXPECT_EQ(a.subnet.ToString(), "127.0.0.0/24");
  EXPECT_EQ(a.requests, 7);
  EXPECT_EQ(a.status_classes[1], 7);
  EXPECT_EQ(a.first_ms, kT0 + 1);
  EXPECT_EQ(a.last_ms, kT0 + kMinute + 2);
  EXPECT_EQ(a.paths, (std::vector<guard::NamedCount>{{"/q", 4}, {"/p", 3}}));
  EXPECT_EQ(a.agents, (std::vector<guard::NamedCount>{{"Agent \"x\", y", 7}}));
  EXPECT_EQ(a.user_ids, (std::vector<int64_t>{100, 101}));
}

TEST(ForensicsStore, MergesASecondFlushOfTheSameSliceIntoItsRow) {
  World w;
  ASSERT_TRUE(
      w.Write([&](sql::Connection& c) { return Merge(c, {Host("127.0.0.66", kT0, 3)}); }).ok());
  guard::SourceActivity more = Host("127.0.0.66", kT0, 2);
  more.paths = {{"/x", 1}, {"/y", 1}};
  ASSERT_TRUE(w.Write([&](sql::Connection& c) { return Merge(c, {more}); }).ok());
  std::vector<guard::SourceActivity> slices;
  ASSERT_TRUE(w.db->ReadSync([&](sql::Connection& c) -> Status {
                    HR_ASSIGN_OR_RETURN(
                        slices, forensics_store::SourceSlices(c, guard::SourceScope::kHost,
                                                              *guard::Cidr::Parse("127.0.0.66/32"),
                                                              kT0, kT0 + kMinute));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(slices.size(), 1u);
  EXPECT_EQ(slices[0].requests, 5);
  // /p 3, /x 1, /y 1 cut to two paths: the third is counted as other.
  EXPECT_EQ(slices[0].paths, (std::vector<guard::NamedCount>{{"/p", 3}, {"/x", 1}}));
  EXPECT_EQ(slices[0].other_paths, 1);
}

TEST(ForensicsStore, TopSourcesAreOrderedByRequestsAndSlicesKeepOnlyTheHeaviest) {
  World w;
  ASSERT_TRUE(w.Write([&](sql::Connection& c) {
                 return Merge(c,
                              {Host("127.0.0.1", kT0, 5), Host("127.0.0.2", kT0, 50),
                               Host("127.0.0.3", kT0, 1), Host("127.0.0.4", kT0, 20)},
                              3);
               }).ok());
  std::vector<guard::SourceActivity> top;
  ASSERT_TRUE(w.db->ReadSync([&](sql::Connection& c) -> Status {
                    HR_ASSIGN_OR_RETURN(
                        top, forensics_store::TopSources(c, guard::SourceScope::kHost, kT0,
                                                         kT0 + kMinute, 10, kLimits));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(top.size(), 3u);  // the lightest (127.0.0.3) was trimmed off the slice
  EXPECT_EQ(top[0].source.ToString(), "127.0.0.2/32");
  EXPECT_EQ(top[1].source.ToString(), "127.0.0.4/32");
  EXPECT_EQ(top[2].source.ToString(), "127.0.0.1/32");
}

TEST(ForensicsStore, RetentionDeletesOldSlices) {
  World w;
  ASSERT_TRUE(w.Write([&](sql::Connection& c) {
                 return Merge(c, {Host("127.0.0.1", kT0, 5), Host("127.0.0.1", kT0 + kMinute, 5)});
               }).ok());
  int64_t deleted = 0;
  ASSERT_TRUE(w.Write([&](sql::Connection& c) -> Status {
                 HR_ASSIGN_OR_RETURN(deleted,
                                     forensics_store::DeleteActivityBefore(c, kT0 + kMinute));
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(deleted, 1);
}

TEST(ForensicsStore, ListsSuccessfulSignInsByAddressAndRange) {
  World w;
  ASSERT_TRUE(w.Write([](sql::Connection& c) {
                 return c.Exec(
                     "INSERT INTO users (id, sourced_id, username, username_key, role, source_role,"
                     " given_name, family_name, updated_ms) VALUES (100, 'u', 'student_a',"
                     " 'student_a', 'student', 'student', 'A', 'P', 0);"
                     "INSERT INTO auth_events (at_ms, user_id, username, ip, kind) VALUES"
                     " (10, 100, 'student_a', '127.0.0.66', 'login_ok'),"
                     " (11, 100, 'student_a', '127.0.0.67', 'activated'),"
                     " (12, 100, 'student_a', '127.0.0.66', 'login_failed'),"
                     " (13, 100, 'student_a', '127.0.1.1', 'login_ok'),"
                     " (14, 100, 'student_a', '127.0.0.66', 'login_ok'),"
                     " (15, 100, 'student_a', '2001:db8::1', 'login_ok');");
               }).ok());
  auto list = [&](SignInQuery q) {
    std::vector<SignInRow> rows;
    EXPECT_TRUE(w.db->ReadSync([&](sql::Connection& c) -> Status {
                      HR_ASSIGN_OR_RETURN(rows, forensics_store::ListSignIns(c, q));
                      return Status::Ok();
                    })
                    .ok());
    return rows;
  };
  auto exact = list({.from_ms = 0, .to_ms = 14, .ip = "127.0.0.66"});
  ASSERT_EQ(exact.size(), 1u);  // the failure is not a sign-in; 14 is past the window
  EXPECT_EQ(exact[0].username, "student_a");
  EXPECT_EQ(exact[0].role, "student");
  EXPECT_EQ(list({.from_ms = 0, .to_ms = 100, .ip_from = "127.0.0.", .ip_to = "127.0.0/"}).size(),
            3u);
  auto v6 = list({.from_ms = 0, .to_ms = 100, .ipv6_only = true});
  ASSERT_EQ(v6.size(), 1u);
  EXPECT_EQ(v6[0].ip, "2001:db8::1");
}

TEST(AuditStore, AppendsAndListsEntriesInPagesAndForgetsOldOnes) {
  World w;
  ASSERT_TRUE(w.Write([](sql::Connection& c) {
                 return c.Exec(
                     "INSERT INTO users (id, sourced_id, username, username_key, role, source_role,"
                     " given_name, family_name, updated_ms) VALUES (500, 'd', 'district',"
                     " 'district', 'district_admin', 'administrator', 'D', 'E', 0)");
               }).ok());
  for (int i = 0; i < 5; ++i) {
    AuditEntry e{.at_ms = 1000 + i,
                 .actor_user_id = i == 0 ? std::nullopt : std::optional<int64_t>(500),
                 .actor = i == 0 ? "cli:root" : "district",
                 .actor_ip = i == 0 ? "local" : "127.0.0.1",
                 .action = i % 2 ? "forensics.report" : "block.add",
                 .detail = R"({"n":)" + std::to_string(i) + "}"};
    ASSERT_TRUE(
        w.Write([&](sql::Connection& c) { return AuditStore::Append(c, e).status(); }).ok());
  }
  AuditEntry bad{.at_ms = 1, .actor = "x"};
  EXPECT_EQ(w.Write([&](sql::Connection& c) { return AuditStore::Append(c, bad).status(); }).code(),
            StatusCode::kInvalidArgument);

  Page<AuditEntry> page;
  auto list = [&](AuditQuery q) {
    EXPECT_TRUE(w.db->ReadSync([&](sql::Connection& c) -> Status {
                      HR_ASSIGN_OR_RETURN(page, AuditStore::List(c, q));
                      return Status::Ok();
                    })
                    .ok());
  };
  list({.from_ms = 1000, .to_ms = 1004, .limit = 2});
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].actor, "cli:root");
  EXPECT_FALSE(page.items[0].actor_user_id);
  EXPECT_EQ(page.items[1].actor_user_id, 500);
  EXPECT_EQ(page.items[1].detail, R"({"n":1})");
  ASSERT_TRUE(page.next_after);
  list({.from_ms = 1000, .to_ms = 1004, .after_id = *page.next_after, .limit = 2});
  ASSERT_EQ(page.items.size(), 2u);  // 1004 is outside [1000, 1004)
  EXPECT_FALSE(page.next_after);
  list({.from_ms = 0, .to_ms = 2000, .action = "forensics.report"});
  EXPECT_EQ(page.items.size(), 2u);

  int64_t deleted = 0;
  ASSERT_TRUE(w.Write([&](sql::Connection& c) -> Status {
                 HR_ASSIGN_OR_RETURN(deleted, AuditStore::DeleteBefore(c, 1002));
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(deleted, 2);
}

}  // namespace
}  // namespace homeroom::store
