#include "cli/accounts_commands.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "unit/auth/auth_world.h"

namespace homeroom::cli {
namespace {

using auth::test::AuthWorld;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The world's store is D/homeroom.db, where the command looks for it.
struct CliWorld : AuthWorld {
  CliWorld() : AuthWorld(auth::test::TestOptions(), "/homeroom.db") {
    AddOrg(1, "school");
    AddUser(10, "ana.lopez", "student");
    AddUser(11, "kim.park", "teacher");
    Exec("UPDATE users SET given_name = '=cmd()', family_name = 'Park, Jr.' WHERE id = 11");
    AddMember(10, 1);
    AddMember(11, 1);
  }
};

TEST(AccountsIssueCodes, WritesAPrivateCsvWhoseCodesActivateAccounts) {
  CliWorld w;
  const std::string out = w.dir.path() + "/codes.csv";
  CLI::App app;
  AddAccountsCommands(app);
  ASSERT_NO_THROW(app.parse("accounts issue-codes --data-dir " + w.dir.path() +
                            " --school 1 --ttl-days 7 --out " + out));

  struct stat st;
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string csv = ReadFile(out);
  std::istringstream lines(csv);
  std::string header, ana, kim;
  std::getline(lines, header);
  std::getline(lines, ana);
  std::getline(lines, kim);
  EXPECT_EQ(header, "user_id,username,name,role,code,expires_at");
  // 10,ana.lopez,Given10 Family,student,XXXXX-XXXXX,2023-11-21T22:13:20.000Z
  const std::string prefix = "10,ana.lopez,Given10 Family,student,";
  ASSERT_EQ(ana.rfind(prefix, 0), 0u) << ana;
  ASSERT_EQ(ana.size(), prefix.size() + 11 + 1 + 24) << ana;
  std::string code = ana.substr(prefix.size(), 11);
  EXPECT_TRUE(auth::test::LooksLikeActivationCode(code)) << ana;
  std::string expires = ana.substr(prefix.size() + 12);
  EXPECT_EQ(expires.size(), 24u);
  EXPECT_EQ(expires.back(), 'Z');
  // A name starting with = is neutralised; a comma is quoted.
  EXPECT_EQ(kim.rfind("11,kim.park,\"'=cmd() Park, Jr.\",teacher,", 0), 0u) << kim;

  auto activated = w.Run(w.auth->Activate(code, "a good password", "192.0.2.1", "ua"));
  EXPECT_TRUE(activated.ok()) << activated.status().ToString();
}

TEST(AccountsIssueCodes, RefusesToOverwriteAFileAndIssuesNothing) {
  CliWorld w;
  const std::string out = w.dir.path() + "/codes.csv";
  std::ofstream(out) << "precious\n";
  std::ostringstream err;
  EXPECT_EQ(RunIssueCodes({.data_dir = w.dir.path(), .school_id = 1, .out = out}, err), 2);
  EXPECT_NE(err.str().find("cannot create"), std::string::npos);
  EXPECT_EQ(ReadFile(out), "precious\n");
  EXPECT_EQ(w.QueryInt("SELECT COUNT(*) FROM activation_codes"), 0);
}

TEST(AccountsIssueCodes, UnknownSchoolFailsAndLeavesNoFile) {
  CliWorld w;
  const std::string out = w.dir.path() + "/codes.csv";
  std::ostringstream err;
  EXPECT_EQ(RunIssueCodes({.data_dir = w.dir.path(), .school_id = 42, .out = out}, err), 2);
  EXPECT_NE(err.str().find("not a school"), std::string::npos);
  struct stat st;
  EXPECT_NE(::stat(out.c_str(), &st), 0);
}

}  // namespace
}  // namespace homeroom::cli
