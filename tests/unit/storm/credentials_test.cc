#include "storm/credentials.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testing/temp_dir.h"

namespace homeroom::storm {
namespace {

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(Credentials, ReadsTheDemoLoginsFile) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/demo-logins.json";
  Write(path, R"([{"role":"student","username":"ana.p","password":"red-fox-12"},)"
              R"({"role":"district_admin","username":"dina","password":"blue-sky-01"}])");
  auto accounts = LoadAccounts(path);
  ASSERT_TRUE(accounts.ok()) << accounts.status().ToString();
  ASSERT_EQ(accounts->size(), 2u);
  EXPECT_EQ((*accounts)[0].username, "ana.p");
  EXPECT_EQ((*accounts)[1].role, "district_admin");
  EXPECT_EQ((*accounts)[1].password, "blue-sky-01");
}

TEST(Credentials, ReadsAGeneratedUsersCsvAndMapsRolesLikeTheImporter) {
  testing::TempDir dir;
  Write(dir.path() + "/orgs.csv",
        "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
        "org-district,active,2026-01-01,D,district,13,\n"
        "sch-1,active,2026-01-01,S,school,1,org-district\n");
  Write(dir.path() + "/users.csv",
        "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,password\n"
        "u1,active,2026-01-01,true,sch-1,student,stu.one,pw-1\n"
        "u2,active,2026-01-01,true,\"sch-1,sch-2\",aide,aide.two,pw-2\n"
        "u3,active,2026-01-01,true,org-district,administrator,boss,pw-3\n"
        "u4,active,2026-01-01,true,sch-1,administrator,principal,pw-4\n"
        "u5,tobedeleted,2026-01-01,true,sch-1,student,gone,pw-5\n"
        "u6,active,2026-01-01,true,sch-1,student,no.password,\n");
  auto accounts = LoadAccounts(dir.path() + "/users.csv");
  ASSERT_TRUE(accounts.ok()) << accounts.status().ToString();
  ASSERT_EQ(accounts->size(), 4u);
  EXPECT_EQ((*accounts)[0].role, "student");
  EXPECT_EQ((*accounts)[1].role, "teacher");
  EXPECT_EQ((*accounts)[1].username, "aide.two");
  EXPECT_EQ((*accounts)[2].role, "district_admin");
  EXPECT_EQ((*accounts)[3].role, "school_admin");
}

TEST(Credentials, EnrollmentsBesideTheUsersGiveEachAccountItsClasses) {
  testing::TempDir dir;
  Write(dir.path() + "/users.csv",
        "sourcedId,status,role,username,password\n"
        "u1,active,student,s1,p\nu2,active,student,s2,p\nu3,active,teacher,t1,p\n");
  Write(dir.path() + "/enrollments.csv",
        "sourcedId,status,classSourcedId,userSourcedId,role\n"
        "e1,active,c-1,u1,student\ne2,active,c-2,u1,student\ne3,active,c-1,u3,teacher\n"
        "e4,tobedeleted,c-1,u2,student\n");
  auto accounts = LoadAccounts(dir.path() + "/users.csv");
  ASSERT_TRUE(accounts.ok()) << accounts.status().ToString();
  ASSERT_EQ(accounts->size(), 3u);
  EXPECT_EQ((*accounts)[0].classes, (std::vector<std::string>{"c-1", "c-2"}));
  EXPECT_TRUE((*accounts)[1].classes.empty());
  EXPECT_EQ((*accounts)[2].classes, (std::vector<std::string>{"c-1"}));
}

TEST(Credentials, ACsvWithoutPasswordsIsRefusedWithTheReason) {
  testing::TempDir dir;
  Write(dir.path() + "/users.csv", "sourcedId,role,username\nu1,student,x\n");
  auto accounts = LoadAccounts(dir.path() + "/users.csv");
  ASSERT_FALSE(accounts.ok());
  EXPECT_NE(accounts.status().message().find("--with-passwords"), std::string::npos);
  EXPECT_EQ(LoadAccounts(dir.path() + "/missing.json").status().code(), StatusCode::kNotFound);
}

TEST(Credentials, CsvParserHandlesQuotesAndLineEnds) {
  auto rows = ParseCsv("a,\"b,c\",\"d\"\"e\"\r\n1,,3\n\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"a", "b,c", "d\"e"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"1", "", "3"}));
}

TEST(Credentials, TokenCacheRoundTrips) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/tokens.tsv";
  auto empty = ReadTokenCache(path);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  ASSERT_TRUE(WriteTokenCache(path, {{"ana", "t1"}, {"bo", "t2"}}).ok());
  auto tokens = ReadTokenCache(path);
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ(tokens->at("ana"), "t1");
  EXPECT_EQ(tokens->at("bo"), "t2");
  Write(path, "no tab here\n");
  EXPECT_FALSE(ReadTokenCache(path).ok());
}

}  // namespace
}  // namespace homeroom::storm
