#include "store/guard_store.h"

#include <gtest/gtest.h>

#include "store/database.h"
#include "testing/temp_dir.h"

namespace homeroom::store {
namespace {

class GuardStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open({.path = dir_.path() + "/h.db"}, nullptr);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  GuardRule Put(GuardRule rule) {
    GuardRule out;
    Status s = db_->WriteSync([&](sql::Connection& c) -> Status {
      HR_ASSIGN_OR_RETURN(out, guard_store::PutRule(c, rule));
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }
  std::vector<GuardRule> List(int64_t now_ms) {
    std::vector<GuardRule> out;
    Status s = db_->ReadSync([&](sql::Connection& c) -> Status {
      HR_ASSIGN_OR_RETURN(out, guard_store::ListRules(c, now_ms));
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(GuardStoreTest, PutsListsAndDeletesRules) {
  GuardRule block = Put({.kind = "block",
                         .cidr = "203.0.113.0/24",
                         .reason = "stresser",
                         .created_by = "cli:ops",
                         .created_ms = 1000});
  EXPECT_GT(block.id, 0);
  Put({.kind = "allow",
       .cidr = "10.0.0.0/8",
       .reason = "district network",
       .created_by = "user:1 district",
       .created_ms = 1000});
  auto rules = List(2000);
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].kind, "allow");
  EXPECT_EQ(rules[1].cidr, "203.0.113.0/24");
  EXPECT_EQ(rules[1].reason, "stresser");
  EXPECT_FALSE(rules[1].expires_ms.has_value());

  bool deleted = false;
  ASSERT_TRUE(db_->WriteSync([&](sql::Connection& c) -> Status {
                   HR_ASSIGN_OR_RETURN(deleted,
                                       guard_store::DeleteRule(c, "block", "203.0.113.0/24"));
                   return Status::Ok();
                 })
                  .ok());
  EXPECT_TRUE(deleted);
  ASSERT_TRUE(db_->WriteSync([&](sql::Connection& c) -> Status {
                   HR_ASSIGN_OR_RETURN(deleted,
                                       guard_store::DeleteRule(c, "block", "203.0.113.0/24"));
                   return Status::Ok();
                 })
                  .ok());
  EXPECT_FALSE(deleted);
  EXPECT_EQ(List(2000).size(), 1u);
}

TEST_F(GuardStoreTest, ReplacesTheRuleOfTheSameKindAndRange) {
  GuardRule first = Put({.kind = "block",
                         .cidr = "198.51.100.7/32",
                         .reason = "one",
                         .created_by = "cli:a",
                         .created_ms = 1});
  GuardRule second = Put({.kind = "block",
                          .cidr = "198.51.100.7/32",
                          .reason = "two",
                          .created_by = "cli:b",
                          .created_ms = 2,
                          .expires_ms = 5000});
  EXPECT_EQ(first.id, second.id);
  auto rules = List(3);
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].reason, "two");
  EXPECT_EQ(rules[0].expires_ms, 5000);
}

TEST_F(GuardStoreTest, LeavesOutAndDeletesExpiredRules) {
  Put({.kind = "block",
       .cidr = "198.51.100.0/24",
       .reason = "r",
       .created_by = "cli:a",
       .created_ms = 1,
       .expires_ms = 100});
  EXPECT_EQ(List(99).size(), 1u);
  EXPECT_EQ(List(100).size(), 0u);
  int64_t removed = 0;
  ASSERT_TRUE(db_->WriteSync([&](sql::Connection& c) -> Status {
                   HR_ASSIGN_OR_RETURN(removed, guard_store::DeleteExpired(c, 100));
                   return Status::Ok();
                 })
                  .ok());
  EXPECT_EQ(removed, 1);
}

TEST_F(GuardStoreTest, RefusesAnUnknownKind) {
  Status s = db_->WriteSync([&](sql::Connection& c) -> Status {
    return guard_store::PutRule(c, {.kind = "deny", .cidr = "10.0.0.0/8"}).status();
  });
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
}

TEST_F(GuardStoreTest, StoresSettings) {
  std::optional<GuardSetting> got;
  auto read = [&] {
    ASSERT_TRUE(db_->ReadSync([&](sql::Connection& c) -> Status {
                     HR_ASSIGN_OR_RETURN(got, guard_store::GetSetting(c, "attack_mode"));
                     return Status::Ok();
                   })
                    .ok());
  };
  read();
  EXPECT_FALSE(got.has_value());
  for (const char* value : {"on", "off"}) {
    ASSERT_TRUE(db_->WriteSync([&](sql::Connection& c) {
                     return guard_store::PutSetting(c, {"attack_mode", value, "cli:ops", 7});
                   })
                    .ok());
  }
  read();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->value, "off");
  EXPECT_EQ(got->updated_by, "cli:ops");
}

}  // namespace
}  // namespace homeroom::store
