#include "roster/importer.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "auth/password_hasher.h"
#include "store/database.h"
#include "testing/temp_dir.h"

namespace homeroom::roster {
namespace {

namespace fs = std::filesystem;

// A copy of a fixture set in a temp dir, and a real SQLite store beside it.
class ImportFixture {
 public:
  ImportFixture() : set_(dir_.path() + "/set") {
    auto db = store::Database::Open({.path = dir_.path() + "/h.db", .readers = 1}, nullptr);
    HR_CHECK(db.ok(), "open the test database");
    db_ = std::move(db).value();
    auto conn = db_->OpenConnection();
    HR_CHECK(conn.ok(), "open a connection");
    conn_ = std::move(conn).value();
    fs::copy(std::string(HOMEROOM_ROSTER_FIXTURES) + "/good", set_);
  }

  const std::string& set() const { return set_; }
  sql::Connection& conn() { return *conn_; }

  std::string Read(const std::string& file) const {
    std::ifstream in(set_ + "/" + file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void Write(const std::string& file, const std::string& content) {
    std::ofstream out(set_ + "/" + file, std::ios::binary | std::ios::trunc);
    out << content;
  }
  // Replaces the first occurrence of `from` in `file`; fails the test when absent.
  void Replace(const std::string& file, const std::string& from, const std::string& to) {
    std::string content = Read(file);
    size_t at = content.find(from);
    ASSERT_NE(at, std::string::npos) << from << " not in " << file;
    content.replace(at, from.size(), to);
    Write(file, content);
  }
  // The 1-based line of `file` that starts with `prefix`.
  int64_t LineOf(const std::string& file, const std::string& prefix) const {
    std::istringstream in(Read(file));
    std::string line;
    for (int64_t n = 1; std::getline(in, line); ++n) {
      if (line.rfind(prefix, 0) == 0) return n;
    }
    ADD_FAILURE() << prefix << " not found in " << file;
    return 0;
  }

  Result<ImportReport> Import(int64_t now_ms = 1000, size_t max_problems = 1000,
                              bool dry_run = false, metrics::Registry* metrics = nullptr) {
    return ImportOneRoster(*conn_, {.path = set_,
                                    .now_ms = now_ms,
                                    .max_reported_problems = max_problems,
                                    .dry_run = dry_run,
                                    .metrics = metrics});
  }

  int64_t Int(const std::string& sql) {
    auto st = conn_->Prepare(sql);
    EXPECT_TRUE(st.ok()) << sql << ": " << st.status().ToString();
    if (!st.ok()) return -1;
    auto row = (*st)->Step();
    EXPECT_TRUE(row.ok() && *row) << sql;
    if (!row.ok() || !*row) return -1;
    return (*st)->IsNull(0) ? -999 : (*st)->Int(0);
  }
  std::string Text(const std::string& sql) {
    auto st = conn_->Prepare(sql);
    EXPECT_TRUE(st.ok()) << sql;
    if (!st.ok()) return "";
    auto row = (*st)->Step();
    EXPECT_TRUE(row.ok() && *row) << sql;
    if (!row.ok() || !*row) return "";
    return (*st)->IsNull(0) ? "NULL" : (*st)->Text(0);
  }
  // Row counts, active counts and the latest update time of every table the importer writes.
  std::string Snapshot() {
    std::string out;
    for (const char* t :
         {"orgs", "academic_sessions", "courses", "sections", "users", "enrollments"}) {
      out += fmt::format("{}:{}/{}/{} ", t, Int(fmt::format("SELECT COUNT(*) FROM {}", t)),
                         Int(fmt::format("SELECT SUM(active) FROM {}", t)),
                         Int(fmt::format("SELECT MAX(updated_ms) FROM {}", t)));
    }
    for (const char* t : {"user_orgs", "guardian_links"}) {
      out += fmt::format("{}:{}/{} ", t, Int(fmt::format("SELECT COUNT(*) FROM {}", t)),
                         Int(fmt::format("SELECT SUM(active) FROM {}", t)));
    }
    out += fmt::format("section_terms:{} import_runs:{} passwords:{}",
                       Int("SELECT COUNT(*) FROM section_terms"),
                       Int("SELECT COUNT(*) FROM import_runs"),
                       Int("SELECT COUNT(*) FROM users WHERE password_hash IS NOT NULL"));
    return out;
  }

 private:
  testing::TempDir dir_;
  std::string set_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<sql::Connection> conn_;
};

void ExpectCounts(const ImportReport& r, const std::string& entity, int64_t created,
                  int64_t updated, int64_t deactivated, int64_t unchanged) {
  auto it = r.counts.find(entity);
  ASSERT_NE(it, r.counts.end()) << entity;
  EXPECT_EQ(it->second.created, created) << entity;
  EXPECT_EQ(it->second.updated, updated) << entity;
  EXPECT_EQ(it->second.deactivated, deactivated) << entity;
  EXPECT_EQ(it->second.unchanged, unchanged) << entity;
}

TEST(Importer, ImportsTheGoodSetWithTheExpectedCountsAndRows) {
  ImportFixture f;
  metrics::Registry metrics;
  auto report = f.Import(1000, 1000, false, &metrics);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->problem_count, 0) << report->Summary();
  EXPECT_TRUE(report->applied);
  ExpectCounts(*report, "orgs", 3, 0, 0, 0);
  ExpectCounts(*report, "academicSessions", 3, 0, 0, 0);
  ExpectCounts(*report, "courses", 3, 0, 0, 0);
  ExpectCounts(*report, "classes", 3, 0, 0, 0);
  ExpectCounts(*report, "users", 13, 0, 0, 0);
  ExpectCounts(*report, "enrollments", 10, 0, 0, 0);
  ExpectCounts(*report, "guardianLinks", 4, 0, 0, 0);
  EXPECT_EQ(metrics.CounterValue("homeroom_roster_imports_applied_total"), 1u);
  EXPECT_EQ(metrics.CounterValue("homeroom_roster_import_rows_written_total"), 39u);
  EXPECT_EQ(metrics.CounterValue("homeroom_roster_import_problems_total"), 0u);

  // Roles.
  auto role = [&](const std::string& sid) {
    return f.Text("SELECT role || '/' || source_role FROM users WHERE sourced_id = '" + sid + "'");
  };
  EXPECT_EQ(role("s1"), "student/student");
  EXPECT_EQ(role("g1"), "guardian/guardian");
  EXPECT_EQ(role("g2"), "guardian/parent");
  EXPECT_EQ(role("g3"), "guardian/relative");
  EXPECT_EQ(role("t1"), "teacher/teacher");
  EXPECT_EQ(role("t2"), "teacher/aide");
  EXPECT_EQ(role("t3"), "teacher/proctor");
  EXPECT_EQ(role("a1"), "district_admin/administrator");
  EXPECT_EQ(role("a2"), "school_admin/administrator");
  EXPECT_EQ(role("a3"), "district_admin/administrator");
  // Grade levels: a student's lowest grade; Other is no level.
  EXPECT_EQ(f.Int("SELECT grade_level FROM users WHERE sourced_id = 's1'"), -1);
  EXPECT_EQ(f.Int("SELECT grade_level FROM users WHERE sourced_id = 's2'"), 0);
  EXPECT_EQ(f.Int("SELECT grade_level FROM users WHERE sourced_id = 's3'"), 9);
  EXPECT_EQ(f.Int("SELECT grade_level FROM users WHERE sourced_id = 's4'"), 10);
  EXPECT_EQ(f.Int("SELECT grade_level FROM users WHERE sourced_id = 't1'"), -999);
  EXPECT_EQ(f.Text("SELECT grades FROM users WHERE sourced_id = 's2'"), "KG,01");
  // Sections and schools' grade ranges.
  EXPECT_EQ(
      f.Text("SELECT low_grade || '..' || high_grade FROM sections WHERE sourced_id = 'cl-art'"),
      "0..2");
  EXPECT_EQ(f.Text("SELECT low_grade || '..' || high_grade FROM orgs WHERE sourced_id = 'sch-el'"),
            "-1..2");
  EXPECT_EQ(f.Text("SELECT low_grade || '..' || high_grade FROM orgs WHERE sourced_id = 'sch-hs'"),
            "9..10");
  EXPECT_EQ(f.Text("SELECT low_grade FROM orgs WHERE sourced_id = 'dist'"), "NULL");
  // Parents, even when the child comes first in the file.
  EXPECT_EQ(f.Text("SELECT p.sourced_id FROM orgs o JOIN orgs p ON p.id = o.parent_id "
                   "WHERE o.sourced_id = 'sch-hs'"),
            "dist");
  EXPECT_EQ(f.Text("SELECT p.sourced_id FROM academic_sessions s JOIN academic_sessions p "
                   "ON p.id = s.parent_id WHERE s.sourced_id = 'sem1'"),
            "sy");
  // Guardian links from either direction, stored once.
  auto linked = [&](const std::string& g, const std::string& s) {
    return f.Int(
        "SELECT COUNT(*) FROM guardian_links l JOIN users g ON g.id = l.guardian_id "
        "JOIN users s ON s.id = l.student_id WHERE l.active = 1 AND g.sourced_id = '" +
        g + "' AND s.sourced_id = '" + s + "'");
  };
  EXPECT_EQ(linked("g1", "s1"), 1);  // the guardian lists the child
  EXPECT_EQ(linked("g1", "s2"), 1);
  EXPECT_EQ(linked("g2", "s3"), 1);  // the child lists the guardian
  EXPECT_EQ(linked("g3", "s4"), 1);  // both list each other
  // Orgs of users, section terms, values kept as exported.
  EXPECT_EQ(f.Int("SELECT COUNT(*) FROM user_orgs uo JOIN users u ON u.id = uo.user_id "
                  "WHERE u.sourced_id = 'a3'"),
            2);
  EXPECT_EQ(f.Int("SELECT COUNT(*) FROM section_terms"), 5);
  EXPECT_EQ(f.Text("SELECT location FROM sections WHERE sourced_id = 'cl-hr'"), "Room 1\nAnnex");
  EXPECT_EQ(f.Text("SELECT title FROM sections WHERE sourced_id = 'cl-art'"), "Art \"Studio\"");
  EXPECT_EQ(f.Text("SELECT periods FROM sections WHERE sourced_id = 'cl-art'"), "2,3");
  EXPECT_EQ(f.Text("SELECT name FROM orgs WHERE sourced_id = 'sch-el'"),
            "Coral Way K-8, Elementary");
  EXPECT_EQ(f.Text("SELECT given_name || ' ' || family_name FROM users WHERE sourced_id = 's3'"),
            "小明 王");
  EXPECT_EQ(f.Text("SELECT username || ' ' || username_key FROM users WHERE sourced_id = 's1'"),
            "JPerez jperez");
  EXPECT_EQ(f.Int("SELECT enabled FROM users WHERE sourced_id = 't2'"), 0);
  EXPECT_EQ(f.Int("SELECT is_primary FROM enrollments WHERE sourced_id = 'e3'"), 1);
  EXPECT_EQ(f.Int("SELECT is_primary FROM enrollments WHERE sourced_id = 'e4'"), 0);
  EXPECT_EQ(f.Text("SELECT role FROM enrollments WHERE sourced_id = 'e9'"), "proctor");
  EXPECT_EQ(f.Text("SELECT begin_date || ' ' || end_date FROM enrollments WHERE sourced_id = 'e1'"),
            "2025-08-18 2026-06-04");
  EXPECT_EQ(f.Text("SELECT begin_date FROM enrollments WHERE sourced_id = 'e2'"), "NULL");
  EXPECT_EQ(f.Text("SELECT role FROM enrollments WHERE sourced_id = 'e10'"), "administrator");
  // A password in the export is stored as an Argon2id hash with the import parameters.
  std::string hash = f.Text("SELECT password_hash FROM users WHERE sourced_id = 'g1'");
  EXPECT_TRUE(auth::VerifyPassword(hash, "Sunny-Beach-42"));
  EXPECT_EQ(f.Text("SELECT password_hash FROM users WHERE sourced_id = 'g2'"), "NULL");
  // The run is recorded.
  EXPECT_EQ(f.Text("SELECT source_system FROM import_runs"), "Fixture SIS");
  EXPECT_NE(f.Text("SELECT summary FROM import_runs").find("\"users\":{\"created\":13"),
            std::string::npos);
}

TEST(Importer, ReimportingTheSameSetChangesNothing) {
  ImportFixture f;
  ASSERT_EQ(f.Import(1000)->problem_count, 0);
  std::string before = f.Snapshot();
  auto again = f.Import(2000);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->problem_count, 0) << again->Summary();
  for (const auto& [entity, c] : again->counts) {
    EXPECT_EQ(c.created + c.updated + c.deactivated, 0) << entity;
  }
  ExpectCounts(*again, "users", 0, 0, 0, 13);
  ExpectCounts(*again, "enrollments", 0, 0, 0, 10);
  ExpectCounts(*again, "guardianLinks", 0, 0, 0, 4);
  // Nothing but a second import_runs row.
  std::string after = f.Snapshot();
  EXPECT_EQ(before.substr(0, before.find("import_runs")),
            after.substr(0, after.find("import_runs")));
  EXPECT_EQ(f.Int("SELECT COUNT(*) FROM import_runs"), 2);
  EXPECT_NE(again->Summary().find("unchanged"), std::string::npos);
}

TEST(Importer, BulkReimportWithoutAUserDeactivatesItAndKeepsItsEnrollments) {
  ImportFixture f;
  ASSERT_EQ(f.Import(1000)->problem_count, 0);
  f.Replace("users.csv",
            "s4,active,2025-08-01T00:00:00Z,1,sch-hs,student,dieudonne,,Dieudonné,Saint-Fleur,,"
            "1000004,,,,g3,\"10,Other\",,\n",
            "");
  f.Replace("users.csv", ",s4,,,\n", ",,,,\n");  // g3 no longer lists s4
  f.Replace("enrollments.csv", "e8,active,2025-08-01T00:00:00Z,cl-alg,sch-hs,s4,student,false,,\n",
            "");
  auto report = f.Import(2000);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problem_count, 0) << report->Summary();
  ExpectCounts(*report, "users", 0, 0, 1, 12);
  ExpectCounts(*report, "enrollments", 0, 0, 1, 9);
  ExpectCounts(*report, "guardianLinks", 0, 0, 1, 3);
  EXPECT_EQ(f.Int("SELECT active FROM users WHERE sourced_id = 's4'"), 0);
  EXPECT_EQ(f.Int("SELECT updated_ms FROM users WHERE sourced_id = 's4'"), 2000);
  // History is kept: the rows are still there, inactive.
  EXPECT_EQ(f.Int("SELECT COUNT(*) FROM enrollments"), 10);
  EXPECT_EQ(f.Int("SELECT active FROM enrollments WHERE sourced_id = 'e8'"), 0);
  EXPECT_EQ(f.Int("SELECT COUNT(*) FROM guardian_links"), 4);
}

TEST(Importer, AUserBackInABulkSetIsReactivated) {
  ImportFixture f;
  ASSERT_EQ(f.Import(1000)->problem_count, 0);
  std::string users = f.Read("users.csv");
  std::string enrollments = f.Read("enrollments.csv");
  f.Replace("users.csv",
            "t3,active,2025-08-01T00:00:00Z,true,sch-hs,proctor,cproctor,,Cy,Proctor,,E3,,,,,,,\n",
            "");
  f.Replace("enrollments.csv", "e9,active,2025-08-01T00:00:00Z,cl-alg,sch-hs,t3,proctor,true,,\n",
            "");
  ASSERT_EQ(f.Import(2000)->problem_count, 0);
  EXPECT_EQ(f.Int("SELECT active FROM users WHERE sourced_id = 't3'"), 0);
  f.Write("users.csv", users);
  f.Write("enrollments.csv", enrollments);
  auto report = f.Import(3000);
  ASSERT_EQ(report->problem_count, 0) << report->Summary();
  ExpectCounts(*report, "users", 0, 1, 0, 12);
  ExpectCounts(*report, "enrollments", 0, 1, 0, 9);
  EXPECT_EQ(f.Int("SELECT active FROM users WHERE sourced_id = 't3'"), 1);
}

TEST(Importer, DeltaTobedeletedDeactivatesAndDeltaRowsUpdate) {
  ImportFixture f;
  ASSERT_EQ(f.Import(1000)->problem_count, 0);
  f.Write(
      "manifest.csv",
      "propertyName,value\noneroster.version,1.1\nfile.orgs,absent\nfile.academicSessions,absent\n"
      "file.courses,absent\nfile.classes,absent\nfile.users,delta\nfile.enrollments,delta\n");
  f.Write("users.csv",
          "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,givenName,"
          "familyName,agentSourcedIds\n"
          "t2,tobedeleted,2025-09-01T10:00:00Z,,,,,,,\n"
          "s1,active,2025-09-01T10:00:00Z,true,sch-el,student,JPerez,Josué,Pérez,\n"
          "s5,active,2025-09-01T10:00:00-04:00,true,sch-el,student,newkid,Ana,Núñez,g1\n"
          "ghost,tobedeleted,2025-09-01T10:00:00Z,,,,,,,\n");
  f.Write("enrollments.csv",
          "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role\n"
          "e4,tobedeleted,2025-09-01T10:00:00Z,,,,\n"
          "e11,active,2025-09-01T10:00:00Z,cl-hr,sch-el,s5,student\n");
  auto report = f.Import(2000);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problem_count, 0) << report->Summary();
  ExpectCounts(*report, "users", 1, 1, 1, 0);
  ExpectCounts(*report, "enrollments", 1, 0, 1, 0);
  ExpectCounts(*report, "guardianLinks", 1, 0, 0, 0);
  ExpectCounts(*report, "orgs", 0, 0, 0, 0);
  EXPECT_EQ(f.Int("SELECT active FROM users WHERE sourced_id = 't2'"), 0);
  EXPECT_EQ(f.Int("SELECT active FROM enrollments WHERE sourced_id = 'e4'"), 0);
  EXPECT_EQ(f.Text("SELECT given_name FROM users WHERE sourced_id = 's1'"), "Josué");
  // A delta leaves everyone else alone.
  EXPECT_EQ(f.Int("SELECT COUNT(*) FROM users WHERE active = 1"), 13);
  EXPECT_EQ(f.Int("SELECT COUNT(*) FROM guardian_links WHERE active = 1"), 5);
}

TEST(Importer, DryRunCountsButChangesNothing) {
  ImportFixture f;
  std::string before = f.Snapshot();
  auto report = f.Import(1000, 1000, true);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->applied);
  ExpectCounts(*report, "users", 13, 0, 0, 0);
  EXPECT_EQ(f.Snapshot(), before);
  EXPECT_NE(report->Summary().find("Dry run"), std::string::npos);
}

struct Malformation {
  std::string file, from, to;
  std::string line_prefix;  // the line the problem is on, found after the change ("" = line 1)
  std::string expected;     // "column: message" after "file:line: "
};

TEST(Importer, ReportsEachMalformationAsFileLineColumnMessageAndChangesNothing) {
  const std::string t = "2025-08-01T00:00:00Z";
  const std::vector<Malformation> cases = {
      {"users.csv", ",José,", ",,", "s1,", "givenName: missing required value"},
      {"users.csv", "s2,active," + t + ",TRUE,sch-el,", "s2,active," + t + ",TRUE,sch-99,", "s2,",
       "orgSourcedIds: unknown org 'sch-99'"},
      {"enrollments.csv", "e7,active," + t + ",cl-alg,", "e7,active," + t + ",cl-zz,", "e7,",
       "classSourcedId: unknown class 'cl-zz'"},
      {"enrollments.csv", ",sch-hs,s3,", ",sch-hs,s99,", "e7,",
       "userSourcedId: unknown user 's99'"},
      {"classes.csv", ",c-alg,ALG1,", ",c-geo,ALG1,", "Algebra I,",
       "courseSourcedId: unknown course 'c-geo'"},
      {"classes.csv", ",sch-hs,sem1,4,", ",sch-hs,sem9,4,", "Algebra I,",
       "termSourcedIds: unknown academic session 'sem9'"},
      {"orgs.csv", "sch-hs,,,Miami Senior High,school,7001,dist,",
       "sch-hs,,,Miami Senior High,school,7001,nowhere,", "sch-hs,",
       "parentSourcedId: unknown org 'nowhere'"},
      {"courses.csv", "c-art,", "c-hr,", "c-hr,active," + t + ",sy,Art",
       "sourcedId: duplicate sourcedId 'c-hr' (first on line 2)"},
      {"orgs.csv", "Miami Senior High,school,", "Miami Senior High,campus,", "sch-hs,",
       "type: 'campus' is not one of district, school, department, local, state, national"},
      {"users.csv", ",proctor,cproctor,", ",tutor,cproctor,", "t3,",
       "role: 'tutor' is not one of administrator, aide, guardian, parent, proctor, relative, "
       "student, teacher"},
      {"classes.csv", ",ALG1,scheduled,", ",ALG1,lab,", "Algebra I,",
       "classType: 'lab' is not one of homeroom, scheduled"},
      {"enrollments.csv", ",t3,proctor,", ",t3,aide,", "e9,",
       "role: 'aide' is not one of student, teacher, administrator, proctor"},
      {"users.csv", ",,,,g2,09,,", ",,,,g2,K9,,", "s3,",
       "grades: 'K9' is not a grade (PK, TK, PS, KG, 01..13, Other)"},
      {"academicSessions.csv", "2025-08-18,2026-01-16", "2025-08-18,2026-02-30", "sem1,",
       "endDate: '2026-02-30' is not a date (YYYY-MM-DD)"},
      {"enrollments.csv", "student,false,2025-08-18,", "student,false,08/18/2025,", "e1,",
       "beginDate: '08/18/2025' is not a date (YYYY-MM-DD)"},
      {"users.csv", "g2,active," + t, "g2,active,yesterday", "g2,",
       "dateLastModified: 'yesterday' is not an ISO 8601 date-time"},
      {"users.csv", "s1,active,", "s1,deleted,", "s1,",
       "status: 'deleted' is not one of active, tobedeleted"},
      {"users.csv", "2025-08-01T00:00:00Z,TRUE,sch-el", "2025-08-01T00:00:00Z,yes,sch-el", "s2,",
       "enabledUser: 'yes' is not a boolean (true or false)"},
      {"enrollments.csv", ",cl-hr,sch-el,t1,teacher,TRUE,", ",cl-hr,sch-el,t1,teacher,Y,", "e3,",
       "primary: 'Y' is not a boolean (true or false)"},
      {"users.csv", ",student,wjb,", ",student,jperez,", "s2,",
       "username: duplicate username 'jperez' (usernames are case-insensitive; first on line 2)"},
      {"users.csv", "agentSourcedIds", "agents", "",
       "agents: 'agents' is a OneRoster 1.0 column name; OneRoster 1.1 calls it 'agentSourcedIds'"},
      {"users.csv", "userIds,", "userId,", "",
       "userId: 'userId' is a OneRoster 1.0 column name; OneRoster 1.1 calls it 'userIds'"},
      {"users.csv", "familyName,", "lastName,", "", "familyName: missing required column"},
      {"users.csv", ",,,,g2,09,,", ",,,,t1,09,,", "s3,",
       "agentSourcedIds: 't1' is not a guardian, parent or relative"},
      {"users.csv", "Li,Wang,,,,,,,,,", "Li,Wang,,,,,,s9,,,", "g2,",
       "agentSourcedIds: unknown user 's9'"},
      {"enrollments.csv", "e10,active," + t + ",cl-hr,sch-el,a2,administrator,false,,",
       "e10,active," + t + ",cl-hr,sch-el,a2,administrator,false", "e10,",
       "(record): 8 fields, but the header has 10"},
      {"users.csv", "Wideline", "Wid\xE9line", "s2,",
       "givenName: invalid UTF-8 (save the file as UTF-8)"},
      {"manifest.csv", "file.users,bulk", "file.users,full", "file.users",
       "value: 'full' for file.users is not one of bulk, delta, absent"},
  };
  ImportFixture f;
  ASSERT_EQ(f.Import(1000)->problem_count, 0);
  const std::string before = f.Snapshot();
  for (const Malformation& m : cases) {
    SCOPED_TRACE(m.file + ": " + m.expected);
    std::string original = f.Read(m.file);
    f.Replace(m.file, m.from, m.to);
    int64_t line = m.line_prefix.empty() ? 1 : f.LineOf(m.file, m.line_prefix);
    auto report = f.Import(5000);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_FALSE(report->applied);
    ASSERT_GE(report->problem_count, 1);
    std::string expected = fmt::format("{}:{}: {}", m.file, line, m.expected);
    EXPECT_NE(std::find(report->problems.begin(), report->problems.end(), expected),
              report->problems.end())
        << "expected: " << expected << "\ngot:\n"
        << report->Summary();
    EXPECT_EQ(f.Snapshot(), before);
    f.Write(m.file, original);
  }
}

TEST(Importer, DeltaRowsNeedStatusAndDateLastModified) {
  ImportFixture f;
  f.Replace("manifest.csv", "file.enrollments,bulk", "file.enrollments,delta");
  f.Replace("enrollments.csv", "e2,active,2025-08-01T00:00:00Z,", "e2,,,");
  auto report = f.Import();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->problems,
            (std::vector<std::string>{
                "enrollments.csv:3: status: missing required value (delta file)",
                "enrollments.csv:3: dateLastModified: missing required value (delta file)"}));
  EXPECT_EQ(f.Int("SELECT COUNT(*) FROM users"), 0);
}

TEST(Importer, AUsernameHeldInTheDatabaseCannotBeTakenByAnotherUser) {
  ImportFixture f;
  ASSERT_EQ(f.Import(1000)->problem_count, 0);
  f.Write("manifest.csv", "propertyName,value\nfile.users,delta\n");
  f.Write("users.csv",
          "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,givenName,"
          "familyName\n"
          "s7,active,2025-09-01,true,sch-el,student,JPEREZ,Juan,Pérez\n");
  auto report = f.Import(2000);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->problems,
            (std::vector<std::string>{"users.csv:2: username: duplicate username 'JPEREZ': already "
                                      "used by user 's1' in the database (usernames are "
                                      "case-insensitive)"}));
}

TEST(Importer, AnOrgDroppedFromAUserEndsItsLinkAndRemapsItsRole) {
  ImportFixture f;
  ASSERT_EQ(f.Import(1000)->problem_count, 0);
  f.Replace("users.csv", "\"sch-hs,dist\",administrator", "sch-hs,administrator");
  auto report = f.Import(2000);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problem_count, 0) << report->Summary();
  ExpectCounts(*report, "users", 0, 1, 0, 12);
  EXPECT_EQ(f.Text("SELECT role FROM users WHERE sourced_id = 'a3'"), "school_admin");
  EXPECT_EQ(f.Text("SELECT group_concat(x) FROM (SELECT o.sourced_id || '=' || uo.active x "
                   "FROM user_orgs uo JOIN users u ON u.id = uo.user_id JOIN orgs o "
                   "ON o.id = uo.org_id WHERE u.sourced_id = 'a3' ORDER BY o.sourced_id)"),
            "dist=0,sch-hs=1");
}

TEST(Importer, TwoUsersCanSwapUsernamesInOneImport) {
  ImportFixture f;
  ASSERT_EQ(f.Import(1000)->problem_count, 0);
  f.Replace("users.csv", ",student,JPerez,", ",student,WJB,");
  f.Replace("users.csv", ",student,wjb,", ",student,jperez,");
  auto report = f.Import(2000);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->problem_count, 0) << report->Summary();
  ExpectCounts(*report, "users", 0, 2, 0, 11);
  EXPECT_EQ(f.Text("SELECT username_key FROM users WHERE sourced_id = 's1'"), "wjb");
  EXPECT_EQ(f.Text("SELECT username_key FROM users WHERE sourced_id = 's2'"), "jperez");
}

TEST(Importer, AFileListedInTheManifestMustExist) {
  ImportFixture f;
  fs::remove(f.set() + "/courses.csv");
  auto report = f.Import();
  ASSERT_TRUE(report.ok());
  ASSERT_FALSE(report->problems.empty());
  EXPECT_EQ(report->problems[0],
            "courses.csv:1: (file): listed as bulk in manifest.csv but not found");
}

TEST(Importer, AMissingManifestIsAProblemAndAMissingFolderAnError) {
  ImportFixture f;
  fs::remove(f.set() + "/manifest.csv");
  auto report = f.Import();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->problem_count, 1);
  EXPECT_EQ(report->problems[0].rfind("manifest.csv:1: (file): not found in ", 0), 0u);
  auto missing = ImportOneRoster(f.conn(), {.path = f.set() + "/nope", .now_ms = 1});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(Importer, ListsAtMostTheProblemLimitAndCountsTheRest) {
  ImportFixture f;
  std::string users =
      "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,givenName,"
      "familyName\n";
  for (int i = 0; i < 1500; ++i) {
    users += fmt::format("u{},active,,maybe,sch-el,student,user{},A,B\n", i, i);
  }
  f.Write("users.csv", users);
  f.Write("enrollments.csv",
          "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role\n");
  metrics::Registry metrics;
  auto report = f.Import(1000, 1000, false, &metrics);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->problem_count, 1500);
  EXPECT_EQ(report->problems.size(), 1000u);
  EXPECT_EQ(report->problems[0],
            "users.csv:2: enabledUser: 'maybe' is not a boolean (true or false)");
  EXPECT_NE(report->Summary().find("... and 500 more problems"), std::string::npos);
  EXPECT_EQ(metrics.CounterValue("homeroom_roster_imports_rejected_total"), 1u);
  EXPECT_EQ(metrics.CounterValue("homeroom_roster_import_problems_total"), 1500u);
  EXPECT_EQ(f.Int("SELECT COUNT(*) FROM users"), 0);
}

TEST(Importer, ReportsAParentLoop) {
  ImportFixture f;
  f.Replace("orgs.csv", "Dade Test District,district,13,,",
            "Dade Test District,district,13,sch-el,");
  auto report = f.Import();
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problem_count, 1) << report->Summary();
  EXPECT_NE(report->problems[0].find("parentSourcedId: the org parent chain of"),
            std::string::npos);
}

}  // namespace
}  // namespace homeroom::roster
