#include "cli/guard_commands.h"

#include <gtest/gtest.h>

#include <sstream>

#include "store/audit_store.h"
#include "store/database.h"
#include "testing/temp_dir.h"

namespace homeroom::cli {
namespace {

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

// The audit log of the store in `dir`, oldest first.
std::vector<store::AuditEntry> AuditLog(const std::string& dir) {
  auto db = store::Database::Open({.path = dir + "/homeroom.db", .readers = 1}, nullptr);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return {};
  std::vector<store::AuditEntry> entries;
  Status read = (*db)->ReadSync([&](sql::Connection& c) -> Status {
    store::AuditQuery q{.from_ms = 0, .to_ms = int64_t{1} << 62, .limit = 1000};
    HR_ASSIGN_OR_RETURN(auto page, store::AuditStore::List(c, q));
    entries = std::move(page.items);
    return Status::Ok();
  });
  EXPECT_TRUE(read.ok()) << read.ToString();
  return entries;
}

Outcome Do(int (*fn)(const GuardRuleArgs&, std::ostream&, std::ostream&),
           const GuardRuleArgs& args) {
  std::ostringstream out, err;
  int code = fn(args, out, err);
  return {code, out.str(), err.str()};
}

TEST(GuardCommands, AddsListsAndRemovesABlock) {
  testing::TempDir dir;
  GuardRuleArgs args{.data_dir = dir.path(),
                     .kind = "block",
                     .cidr = "203.0.113.0/24",
                     .reason = "stresser",
                     .os_user = "ops"};
  Outcome added = Do(RunRuleAdd, args);
  ASSERT_EQ(added.code, 0) << added.err;
  EXPECT_NE(added.out.find("blocked 203.0.113.0/24"), std::string::npos) << added.out;

  Outcome listed = Do(RunRuleList, args);
  ASSERT_EQ(listed.code, 0) << listed.err;
  EXPECT_NE(listed.out.find("203.0.113.0/24\tstresser\tcli:ops\t"), std::string::npos)
      << listed.out;
  EXPECT_NE(listed.out.find("\t-\n"), std::string::npos) << "no expiry: " << listed.out;

  // The allow list is apart.
  GuardRuleArgs allow = args;
  allow.kind = "allow";
  Outcome allowed = Do(RunRuleList, allow);
  EXPECT_EQ(allowed.out.find("203.0.113.0/24"), std::string::npos) << allowed.out;

  Outcome removed = Do(RunRuleRemove, args);
  EXPECT_EQ(removed.code, 0) << removed.err;
  Outcome again = Do(RunRuleRemove, args);
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("no block rule for 203.0.113.0/24"), std::string::npos) << again.err;
  EXPECT_EQ(Do(RunRuleList, args).out.find("203.0.113.0/24"), std::string::npos);

  // Each change is in the audit log, by the OS user from "local"; the failed removal is not.
  std::vector<store::AuditEntry> audit = AuditLog(dir.path());
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].action, "block.add");
  EXPECT_EQ(audit[1].action, "block.remove");
  for (const store::AuditEntry& e : audit) {
    EXPECT_EQ(e.actor, "cli:ops");
    EXPECT_EQ(e.actor_ip, "local");
    EXPECT_FALSE(e.actor_user_id.has_value());
    EXPECT_NE(e.detail.find("\"range\":\"203.0.113.0/24\""), std::string::npos) << e.detail;
    EXPECT_NE(e.detail.find("\"via\":\"cli\""), std::string::npos) << e.detail;
  }
}

TEST(GuardCommands, GivesABlockWithATtlAnExpiry) {
  testing::TempDir dir;
  GuardRuleArgs args{.data_dir = dir.path(),
                     .kind = "block",
                     .cidr = "198.51.100.7",
                     .reason = "probe",
                     .ttl = "1h"};
  Outcome added = Do(RunRuleAdd, args);
  ASSERT_EQ(added.code, 0) << added.err;
  EXPECT_NE(added.out.find("blocked 198.51.100.7/32 until "), std::string::npos) << added.out;
  Outcome listed = Do(RunRuleList, args);
  EXPECT_EQ(listed.out.find("\t-\n"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("cli:"), std::string::npos) << listed.out;
}

TEST(GuardCommands, RefusesABadCidrOrTtlAndSaysWhy) {
  testing::TempDir dir;
  GuardRuleArgs args{.data_dir = dir.path(), .kind = "block", .cidr = "10.1.2.3/24", .reason = "r"};
  Outcome bad_cidr = Do(RunRuleAdd, args);
  EXPECT_EQ(bad_cidr.code, 2);
  EXPECT_NE(bad_cidr.err.find("cidr:"), std::string::npos) << bad_cidr.err;
  args.cidr = "0.0.0.0/0";
  Outcome too_wide = Do(RunRuleAdd, args);
  EXPECT_EQ(too_wide.code, 2);
  EXPECT_NE(too_wide.err.find("too wide"), std::string::npos) << too_wide.err;
  args.cidr = "10.1.2.0/24";
  args.ttl = "soon";
  EXPECT_EQ(Do(RunRuleAdd, args).code, 2);
  EXPECT_EQ(Do(RunRuleList, args).out.find("10.1.2.0/24"), std::string::npos);
}

TEST(GuardCommands, AllowsAnyWidthOnTheAllowList) {
  testing::TempDir dir;
  GuardRuleArgs args{
      .data_dir = dir.path(), .kind = "allow", .cidr = "10.0.0.0/8", .reason = "district network"};
  ASSERT_EQ(Do(RunRuleAdd, args).code, 0);
  EXPECT_NE(Do(RunRuleList, args).out.find("10.0.0.0/8\tdistrict network"), std::string::npos);
}

TEST(GuardCommands, ParsesTtls) {
  EXPECT_EQ(ParseTtl("90s").value(), std::chrono::seconds(90));
  EXPECT_EQ(ParseTtl("15m").value(), std::chrono::seconds(900));
  EXPECT_EQ(ParseTtl("1h").value(), std::chrono::seconds(3600));
  EXPECT_EQ(ParseTtl("7d").value(), std::chrono::seconds(7 * 86400));
  EXPECT_EQ(ParseTtl("3600").value(), std::chrono::seconds(3600));
  for (const char* bad : {"", "h", "0s", "-5m", "1w", "1.5h", "400d"}) {
    EXPECT_FALSE(ParseTtl(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace homeroom::cli
