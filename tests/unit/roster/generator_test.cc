#include "roster/generator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "auth/password_hasher.h"
#include "roster/importer.h"
#include "store/database.h"
#include "testing/temp_dir.h"

namespace homeroom::roster {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int64_t Count(sql::Connection& c, const std::string& sql) {
  auto st = c.Prepare(sql);
  EXPECT_TRUE(st.ok()) << st.status().ToString();
  auto row = (*st)->Step();
  EXPECT_TRUE(row.ok() && *row) << sql;
  return (*st)->Int(0);
}

TEST(Generator, SameSeedWritesTheSameFilesAndAnotherSeedDoesNot) {
  testing::TempDir dir;
  ASSERT_TRUE(GenerateDistrict({.students = 500, .seed = 7, .out_dir = dir.path() + "/a"}).ok());
  ASSERT_TRUE(GenerateDistrict({.students = 500, .seed = 7, .out_dir = dir.path() + "/b"}).ok());
  ASSERT_TRUE(GenerateDistrict({.students = 500, .seed = 8, .out_dir = dir.path() + "/c"}).ok());
  for (const char* f : {"manifest.csv", "orgs.csv", "academicSessions.csv", "courses.csv",
                        "classes.csv", "users.csv", "enrollments.csv"}) {
    EXPECT_EQ(ReadAll(dir.path() + "/a/" + f), ReadAll(dir.path() + "/b/" + f)) << f;
  }
  EXPECT_NE(ReadAll(dir.path() + "/a/users.csv"), ReadAll(dir.path() + "/c/users.csv"));
}

TEST(Generator, RejectsFewerThanOneStudent) {
  testing::TempDir dir;
  auto r = GenerateDistrict({.students = 0, .seed = 1, .out_dir = dir.path()});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(Generator, OutputImportsCleanlyWithTheExpectedProportions) {
  testing::TempDir dir;
  const int64_t students = 3000;
  ASSERT_TRUE(
      GenerateDistrict({.students = students, .seed = 3, .out_dir = dir.path() + "/set"}).ok());
  auto db = store::Database::Open({.path = dir.path() + "/h.db", .readers = 1}, nullptr);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto conn = (*db)->OpenConnection();
  ASSERT_TRUE(conn.ok());
  sql::Connection& c = **conn;
  auto report = ImportOneRoster(c, {.path = dir.path() + "/set", .now_ms = 1000});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->problem_count, 0) << report->Summary();
  EXPECT_TRUE(report->applied);

  EXPECT_EQ(Count(c, "SELECT COUNT(*) FROM users WHERE role = 'student'"), students);
  EXPECT_EQ(Count(c, "SELECT COUNT(*) FROM orgs WHERE type = 'district'"), 1);
  // At least one school of each kind, each with the grade range of its kind.
  EXPECT_GE(Count(c, "SELECT COUNT(*) FROM orgs WHERE low_grade = -1 AND high_grade = 5"), 1);
  EXPECT_GE(Count(c, "SELECT COUNT(*) FROM orgs WHERE low_grade = 6 AND high_grade = 8"), 1);
  EXPECT_GE(Count(c, "SELECT COUNT(*) FROM orgs WHERE low_grade = 9 AND high_grade = 12"), 1);
  // Full scale: 18,000 teachers and 250,000 guardians for 345,000 students.
  double teachers =
      static_cast<double>(Count(c, "SELECT COUNT(*) FROM users WHERE role = 'teacher'"));
  double guardians =
      static_cast<double>(Count(c, "SELECT COUNT(*) FROM users WHERE role = 'guardian'"));
  EXPECT_NEAR(teachers / students, 18000.0 / 345000, 0.025);
  EXPECT_NEAR(guardians / students, 250000.0 / 345000, 0.08);
  EXPECT_GE(Count(c, "SELECT COUNT(*) FROM users WHERE role = 'school_admin'"), 3);
  EXPECT_GE(Count(c, "SELECT COUNT(*) FROM users WHERE role = 'district_admin'"), 1);
  // Every student has 1 or 2 guardians (links from either side land in one table).
  EXPECT_EQ(
      Count(c,
            "SELECT COUNT(*) FROM users u WHERE role = 'student' AND "
            "(SELECT COUNT(*) FROM guardian_links g WHERE g.student_id = u.id) NOT IN (1, 2)"),
      0);
  // Sections hold at most 30 students, and students take 2-8 sections (PK-5: homeroom and
  // specials).
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM (SELECT section_id, COUNT(*) n FROM enrollments WHERE "
                  "role = 'student' GROUP BY section_id) WHERE n > 30"),
            0);
  double enrollments = static_cast<double>(Count(c, "SELECT COUNT(*) FROM enrollments"));
  EXPECT_NEAR(enrollments / students, 2100000.0 / 345000, 1.0);
  double sections = static_cast<double>(Count(c, "SELECT COUNT(*) FROM sections"));
  EXPECT_NEAR(sections / students, 60000.0 / 345000, 0.05);
  // Every section has exactly one primary teacher.
  EXPECT_EQ(Count(c,
                  "SELECT COUNT(*) FROM sections s WHERE (SELECT COUNT(*) FROM enrollments e "
                  "WHERE e.section_id = s.id AND e.role = 'teacher' AND e.is_primary = 1) <> 1"),
            0);
  // Names keep their accents.
  EXPECT_GT(Count(c,
                  "SELECT COUNT(*) FROM users WHERE given_name IN ('José', 'Dieudonné', "
                  "'Wideline') OR family_name IN ('Jean-Baptiste', 'Pérez', 'Núñez')"),
            0);
}

TEST(Generator, WithPasswordsReturnsOneWorkingLoginPerRole) {
  testing::TempDir dir;
  auto logins = GenerateDistrict(
      {.students = 200, .seed = 5, .out_dir = dir.path() + "/set", .with_passwords = true});
  ASSERT_TRUE(logins.ok()) << logins.status().ToString();
  std::set<std::string> roles;
  for (const auto& l : *logins) roles.insert(l.role);
  EXPECT_EQ(roles, (std::set<std::string>{"student", "guardian", "teacher", "school_admin",
                                          "district_admin"}));
  auto db = store::Database::Open({.path = dir.path() + "/h.db", .readers = 1}, nullptr);
  ASSERT_TRUE(db.ok());
  auto conn = (*db)->OpenConnection();
  ASSERT_TRUE(conn.ok());
  auto report = ImportOneRoster(**conn, {.path = dir.path() + "/set", .now_ms = 1000});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problem_count, 0) << report->Summary();
  for (const auto& l : *logins) {
    auto st = (*conn)->Prepare("SELECT role, password_hash FROM users WHERE username_key = ?");
    ASSERT_TRUE(st.ok());
    (*st)->Bind(1, l.username);
    auto row = (*st)->Step();
    ASSERT_TRUE(row.ok() && *row) << l.username;
    EXPECT_EQ((*st)->Text(0), l.role);
    EXPECT_TRUE(auth::VerifyPassword((*st)->Text(1), l.password)) << l.username;
  }
  // The demo logins belong together: the student is in a section of the teacher, the guardian is
  // the student's, and the school admin works at the section's school.
  std::map<std::string, std::string> user;
  for (const auto& l : *logins) user[l.role] = l.username;
  auto count = [&](const char* sql, std::vector<std::string> names) {
    auto st = (*conn)->Prepare(sql);
    EXPECT_TRUE(st.ok()) << sql;
    for (size_t i = 0; i < names.size(); ++i) (*st)->Bind(static_cast<int>(i + 1), names[i]);
    auto row = (*st)->Step();
    EXPECT_TRUE(row.ok() && *row);
    int64_t n = (*st)->Int(0);
    (*st)->Reset();
    return n;
  };
  EXPECT_GE(count("SELECT COUNT(*) FROM enrollments s JOIN enrollments t ON t.section_id ="
                  " s.section_id JOIN users su ON su.id = s.user_id JOIN users tu ON tu.id ="
                  " t.user_id JOIN sections sec ON sec.id = s.section_id JOIN user_orgs ao ON"
                  " ao.org_id = sec.school_id JOIN users au ON au.id = ao.user_id WHERE s.role ="
                  " 'student' AND t.role = 'teacher' AND su.username_key = ? AND tu.username_key"
                  " = ? AND au.username_key = ?",
                  {user["student"], user["teacher"], user["school_admin"]}),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM guardian_links l JOIN users g ON g.id = l.guardian_id"
                  " JOIN users s ON s.id = l.student_id WHERE g.username_key = ? AND"
                  " s.username_key = ?",
                  {user["guardian"], user["student"]}),
            1);
}

}  // namespace
}  // namespace homeroom::roster
