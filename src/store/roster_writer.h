#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "store/sql.h"

namespace homeroom::store {

// The roster rows as the OneRoster importer writes them: ids already resolved, optional text as
// nullopt (NULL), booleans as bool. Plain values; not synchronized.
struct OrgRow {
  std::string sourced_id;
  std::string name;
  std::string type;
  std::optional<std::string> identifier;
  std::optional<int64_t> parent_id;
  bool active = true;
};

struct SessionRow {
  std::string sourced_id;
  std::string title;
  std::string type;
  std::string start_date;
  std::string end_date;
  std::optional<int64_t> parent_id;
  int64_t school_year = 0;
  bool active = true;
};

struct CourseRow {
  std::string sourced_id;
  std::string title;
  std::optional<std::string> course_code;
  std::optional<std::string> grades;
  int64_t org_id = 0;
  std::optional<int64_t> school_year_id;
  bool active = true;
};

struct SectionRow {
  std::string sourced_id;
  std::string title;
  int64_t course_id = 0;
  int64_t school_id = 0;
  std::optional<std::string> class_code;
  std::string class_type;
  std::optional<std::string> location;
  std::optional<std::string> periods;
  std::optional<std::string> grades;
  std::optional<int64_t> low_grade;
  std::optional<int64_t> high_grade;
  bool active = true;
};

struct UserRow {
  std::string sourced_id;
  std::string username;
  std::string username_key;  // lower-cased username (unique)
  std::string role;          // student, teacher, guardian, school_admin, district_admin
  std::string source_role;   // as exported
  std::string given_name;
  std::string family_name;
  std::optional<std::string> middle_name;
  std::optional<std::string> identifier;
  std::optional<std::string> email;
  std::optional<std::string> grades;
  std::optional<int64_t> grade_level;
  bool enabled = true;
  bool active = true;
  bool has_password = false;  // read only: password_hash IS NOT NULL
};

struct EnrollmentRow {
  std::string sourced_id;
  int64_t section_id = 0;
  int64_t user_id = 0;
  std::string role;
  bool is_primary = false;
  std::optional<std::string> begin_date;
  std::optional<std::string> end_date;
  bool active = true;
};

// A 64-bit digest of every stored column of a row except its id, sourced_id and `active`. The
// importer compares the digest of the row it would write with the digest of the stored row, so
// unchanged rows are never written and rows already in the database cost 16 bytes of memory each.
uint64_t Fingerprint(const OrgRow& row);
uint64_t Fingerprint(const SessionRow& row);
uint64_t Fingerprint(const CourseRow& row);
uint64_t Fingerprint(const SectionRow& row);
uint64_t Fingerprint(const UserRow& row);
uint64_t Fingerprint(const EnrollmentRow& row);

// The roster tables whose rows carry an `active` flag.
enum class RosterTable { kOrgs, kSessions, kCourses, kSections, kUsers, kEnrollments };

// The SQL of the OneRoster import, all of it: reading the current roster once, inserting and
// updating rows, link tables, school grade ranges and the import_runs record. It runs on the
// caller's connection and never begins or commits: the importer owns the one transaction.
// Statements are prepared once and reused. Every method returns the connection's error
// (kConflict on a constraint, kInternal otherwise) and leaves the transaction for the caller to
// roll back.
//
// Not thread-safe: it belongs to the connection's thread.
class RosterWriter {
 public:
  explicit RosterWriter(sql::Connection& conn) : conn_(conn) {}

  // Calls fn once per stored row (active or not), with its id.
  Status ForEachOrg(const std::function<void(int64_t id, const OrgRow&)>& fn);
  Status ForEachSession(const std::function<void(int64_t id, const SessionRow&)>& fn);
  Status ForEachCourse(const std::function<void(int64_t id, const CourseRow&)>& fn);
  Status ForEachSection(const std::function<void(int64_t id, const SectionRow&)>& fn);
  Status ForEachUser(const std::function<void(int64_t id, const UserRow&)>& fn);
  Status ForEachEnrollment(const std::function<void(int64_t id, const EnrollmentRow&)>& fn);
  Status ForEachSectionTerm(const std::function<void(int64_t section_id, int64_t session_id)>& fn);
  Status ForEachUserOrg(
      const std::function<void(int64_t user_id, int64_t org_id, bool active)>& fn);
  Status ForEachGuardianLink(
      const std::function<void(int64_t guardian_id, int64_t student_id, bool active)>& fn);

  // Insert returns the new row's id; Update rewrites every column (including active).
  Result<int64_t> Insert(const OrgRow& row, int64_t now_ms);
  Status Update(int64_t id, const OrgRow& row, int64_t now_ms);
  Result<int64_t> Insert(const SessionRow& row, int64_t now_ms);
  Status Update(int64_t id, const SessionRow& row, int64_t now_ms);
  Result<int64_t> Insert(const CourseRow& row, int64_t now_ms);
  Status Update(int64_t id, const CourseRow& row, int64_t now_ms);
  Result<int64_t> Insert(const SectionRow& row, int64_t now_ms);
  Status Update(int64_t id, const SectionRow& row, int64_t now_ms);
  Result<int64_t> Insert(const UserRow& row, int64_t now_ms);
  Status Update(int64_t id, const UserRow& row, int64_t now_ms);
  Result<int64_t> Insert(const EnrollmentRow& row, int64_t now_ms);
  Status Update(int64_t id, const EnrollmentRow& row, int64_t now_ms);

  // Sets `active` on one row (deactivation keeps the row and its history).
  Status SetActive(RosterTable table, int64_t id, bool active, int64_t now_ms);
  // Sets only the user's username_key (a temporary key while usernames move between users).
  Status SetUsernameKey(int64_t user_id, std::string_view key);
  // Stores an Argon2id string as the user's password.
  Status SetPasswordHash(int64_t user_id, std::string_view hash, int64_t now_ms);

  Status AddSectionTerm(int64_t section_id, int64_t session_id);
  Status RemoveSectionTerm(int64_t section_id, int64_t session_id);
  // Insert or update one link's active flag.
  Status PutUserOrg(int64_t user_id, int64_t org_id, bool active);
  Status PutGuardianLink(int64_t guardian_id, int64_t student_id, bool active);

  // Sets every school's low_grade/high_grade to the range of its active sections' grades and
  // returns the ids of the schools whose range changed.
  Result<std::vector<int64_t>> RefreshSchoolGradeRanges(int64_t now_ms);

  // SQLite only (a no-op elsewhere): sets the connection's page cache to `kib` KiB and returns the
  // previous setting (PRAGMA cache_size, negative = KiB), so that a bulk load keeps the indexes it
  // is writing in memory instead of re-reading them.
  Result<int64_t> SetPageCacheKiB(int64_t kib);
  Status RestorePageCache(int64_t previous);

  // Records one import (summary is JSON).
  Status InsertImportRun(int64_t started_ms, int64_t finished_ms,
                         const std::optional<std::string>& source_system,
                         std::string_view summary_json);

 private:
  // Returns the prepared statement for `sql` (a string literal: cached by address), reset.
  Result<sql::Statement*> Stmt(const char* sql);
  Result<int64_t> InsertReturningId(sql::Statement* st);

  sql::Connection& conn_;
  std::unordered_map<const char*, sql::Statement*> statements_;
};

}  // namespace homeroom::store
