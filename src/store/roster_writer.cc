#include "store/roster_writer.h"

#include <fmt/format.h>

namespace homeroom::store {
namespace {

// FNV-1a over length-prefixed fields, with a distinct marker for NULL, so that ("ab", "") and
// ("a", "b") or NULL and "" never digest alike.
class Digest {
 public:
  Digest& Add(std::string_view s) {
    AddInt(static_cast<int64_t>(s.size()));
    for (unsigned char c : s) Mix(c);
    return *this;
  }
  Digest& Add(const std::string& s) { return Add(std::string_view(s)); }
  Digest& Add(const std::optional<std::string>& s) {
    if (!s) return Null();
    Mix(1);
    return Add(std::string_view(*s));
  }
  Digest& Add(const std::optional<int64_t>& v) {
    if (!v) return Null();
    Mix(1);
    return AddInt(*v);
  }
  Digest& AddInt(int64_t v) {
    uint64_t u = static_cast<uint64_t>(v);
    for (int i = 0; i < 8; ++i) Mix(static_cast<unsigned char>(u >> (8 * i)));
    return *this;
  }
  uint64_t value() const { return h_; }

 private:
  Digest& Null() {
    Mix(0);
    return *this;
  }
  void Mix(unsigned char c) {
    h_ ^= c;
    h_ *= 0x100000001b3ULL;
  }
  uint64_t h_ = 0xcbf29ce484222325ULL;
};

std::optional<int64_t> OptInt(const sql::Statement& st, int c) { return st.OptInt(c); }

// One literal per table so that Stmt() can cache by address.
const char* SetActiveSql(RosterTable t) {
  switch (t) {
    case RosterTable::kOrgs:
      return "UPDATE orgs SET active = ?, updated_ms = ? WHERE id = ?";
    case RosterTable::kSessions:
      return "UPDATE academic_sessions SET active = ?, updated_ms = ? WHERE id = ?";
    case RosterTable::kCourses:
      return "UPDATE courses SET active = ?, updated_ms = ? WHERE id = ?";
    case RosterTable::kSections:
      return "UPDATE sections SET active = ?, updated_ms = ? WHERE id = ?";
    case RosterTable::kUsers:
      return "UPDATE users SET active = ?, updated_ms = ? WHERE id = ?";
    case RosterTable::kEnrollments:
      return "UPDATE enrollments SET active = ?, updated_ms = ? WHERE id = ?";
  }
  return "";
}

}  // namespace

uint64_t Fingerprint(const OrgRow& r) {
  return Digest().Add(r.name).Add(r.type).Add(r.identifier).Add(r.parent_id).value();
}
uint64_t Fingerprint(const SessionRow& r) {
  return Digest()
      .Add(r.title)
      .Add(r.type)
      .Add(r.start_date)
      .Add(r.end_date)
      .Add(r.parent_id)
      .AddInt(r.school_year)
      .value();
}
uint64_t Fingerprint(const CourseRow& r) {
  return Digest()
      .Add(r.title)
      .Add(r.course_code)
      .Add(r.grades)
      .AddInt(r.org_id)
      .Add(r.school_year_id)
      .value();
}
uint64_t Fingerprint(const SectionRow& r) {
  return Digest()
      .Add(r.title)
      .AddInt(r.course_id)
      .AddInt(r.school_id)
      .Add(r.class_code)
      .Add(r.class_type)
      .Add(r.location)
      .Add(r.periods)
      .Add(r.grades)
      .Add(r.low_grade)
      .Add(r.high_grade)
      .value();
}
uint64_t Fingerprint(const UserRow& r) {
  return Digest()
      .Add(r.username)
      .Add(r.username_key)
      .Add(r.role)
      .Add(r.source_role)
      .Add(r.given_name)
      .Add(r.family_name)
      .Add(r.middle_name)
      .Add(r.identifier)
      .Add(r.email)
      .Add(r.grades)
      .Add(r.grade_level)
      .AddInt(r.enabled)
      .value();
}
uint64_t Fingerprint(const EnrollmentRow& r) {
  return Digest()
      .AddInt(r.section_id)
      .AddInt(r.user_id)
      .Add(r.role)
      .AddInt(r.is_primary)
      .Add(r.begin_date)
      .Add(r.end_date)
      .value();
}

Result<sql::Statement*> RosterWriter::Stmt(const char* sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    it->second->Reset();
    return it->second;
  }
  HR_ASSIGN_OR_RETURN(sql::Statement * st, conn_.Prepare(sql));
  statements_.emplace(sql, st);
  return st;
}

Result<int64_t> RosterWriter::InsertReturningId(sql::Statement* st) {
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Status::Internal("INSERT ... RETURNING id returned no row");
  int64_t id = st->Int(0);
  st->Reset();
  return id;
}

// ---- Reading the current roster ----

Status RosterWriter::ForEachOrg(const std::function<void(int64_t, const OrgRow&)>& fn) {
  HR_ASSIGN_OR_RETURN(auto* st, Stmt("SELECT id, sourced_id, name, type, identifier, parent_id, "
                                     "active FROM orgs"));
  OrgRow r;
  while (true) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    r.sourced_id = st->Text(1);
    r.name = st->Text(2);
    r.type = st->Text(3);
    r.identifier = st->OptText(4);
    r.parent_id = OptInt(*st, 5);
    r.active = st->Int(6) != 0;
    fn(st->Int(0), r);
  }
  return Status::Ok();
}

Status RosterWriter::ForEachSession(const std::function<void(int64_t, const SessionRow&)>& fn) {
  HR_ASSIGN_OR_RETURN(auto* st, Stmt("SELECT id, sourced_id, title, type, start_date, end_date, "
                                     "parent_id, school_year, active FROM academic_sessions"));
  SessionRow r;
  while (true) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    r.sourced_id = st->Text(1);
    r.title = st->Text(2);
    r.type = st->Text(3);
    r.start_date = st->Text(4);
    r.end_date = st->Text(5);
    r.parent_id = OptInt(*st, 6);
    r.school_year = st->Int(7);
    r.active = st->Int(8) != 0;
    fn(st->Int(0), r);
  }
  return Status::Ok();
}

Status RosterWriter::ForEachCourse(const std::function<void(int64_t, const CourseRow&)>& fn) {
  HR_ASSIGN_OR_RETURN(auto* st, Stmt("SELECT id, sourced_id, title, course_code, grades, org_id, "
                                     "school_year_id, active FROM courses"));
  CourseRow r;
  while (true) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    r.sourced_id = st->Text(1);
    r.title = st->Text(2);
    r.course_code = st->OptText(3);
    r.grades = st->OptText(4);
    r.org_id = st->Int(5);
    r.school_year_id = OptInt(*st, 6);
    r.active = st->Int(7) != 0;
    fn(st->Int(0), r);
  }
  return Status::Ok();
}

Status RosterWriter::ForEachSection(const std::function<void(int64_t, const SectionRow&)>& fn) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      Stmt("SELECT id, sourced_id, title, course_id, school_id, class_code, "
                           "class_type, location, periods, grades, low_grade, high_grade, active "
                           "FROM sections"));
  SectionRow r;
  while (true) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    r.sourced_id = st->Text(1);
    r.title = st->Text(2);
    r.course_id = st->Int(3);
    r.school_id = st->Int(4);
    r.class_code = st->OptText(5);
    r.class_type = st->Text(6);
    r.location = st->OptText(7);
    r.periods = st->OptText(8);
    r.grades = st->OptText(9);
    r.low_grade = OptInt(*st, 10);
    r.high_grade = OptInt(*st, 11);
    r.active = st->Int(12) != 0;
    fn(st->Int(0), r);
  }
  return Status::Ok();
}

Status RosterWriter::ForEachUser(const std::function<void(int64_t, const UserRow&)>& fn) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      Stmt("SELECT id, sourced_id, username, username_key, role, source_role, "
                           "given_name, family_name, middle_name, identifier, email, grades, "
                           "grade_level, enabled, active, password_hash IS NOT NULL FROM users"));
  UserRow r;
  while (true) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    r.sourced_id = st->Text(1);
    r.username = st->Text(2);
    r.username_key = st->Text(3);
    r.role = st->Text(4);
    r.source_role = st->Text(5);
    r.given_name = st->Text(6);
    r.family_name = st->Text(7);
    r.middle_name = st->OptText(8);
    r.identifier = st->OptText(9);
    r.email = st->OptText(10);
    r.grades = st->OptText(11);
    r.grade_level = OptInt(*st, 12);
    r.enabled = st->Int(13) != 0;
    r.active = st->Int(14) != 0;
    r.has_password = st->Int(15) != 0;
    fn(st->Int(0), r);
  }
  return Status::Ok();
}

Status RosterWriter::ForEachEnrollment(
    const std::function<void(int64_t, const EnrollmentRow&)>& fn) {
  HR_ASSIGN_OR_RETURN(auto* st, Stmt("SELECT id, sourced_id, section_id, user_id, role, "
                                     "is_primary, begin_date, end_date, active FROM enrollments"));
  EnrollmentRow r;
  while (true) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    r.sourced_id = st->Text(1);
    r.section_id = st->Int(2);
    r.user_id = st->Int(3);
    r.role = st->Text(4);
    r.is_primary = st->Int(5) != 0;
    r.begin_date = st->OptText(6);
    r.end_date = st->OptText(7);
    r.active = st->Int(8) != 0;
    fn(st->Int(0), r);
  }
  return Status::Ok();
}

Status RosterWriter::ForEachSectionTerm(const std::function<void(int64_t, int64_t)>& fn) {
  HR_ASSIGN_OR_RETURN(auto* st, Stmt("SELECT section_id, session_id FROM section_terms"));
  while (true) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    fn(st->Int(0), st->Int(1));
  }
  return Status::Ok();
}

Status RosterWriter::ForEachUserOrg(const std::function<void(int64_t, int64_t, bool)>& fn) {
  HR_ASSIGN_OR_RETURN(auto* st, Stmt("SELECT user_id, org_id, active FROM user_orgs"));
  while (true) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    fn(st->Int(0), st->Int(1), st->Int(2) != 0);
  }
  return Status::Ok();
}

Status RosterWriter::ForEachGuardianLink(const std::function<void(int64_t, int64_t, bool)>& fn) {
  HR_ASSIGN_OR_RETURN(auto* st, Stmt("SELECT guardian_id, student_id, active FROM guardian_links"));
  while (true) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    fn(st->Int(0), st->Int(1), st->Int(2) != 0);
  }
  return Status::Ok();
}

// ---- Writing rows ----

Result<int64_t> RosterWriter::Insert(const OrgRow& r, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(auto* st, Stmt("INSERT INTO orgs (sourced_id, name, type, identifier, "
                                     "parent_id, active, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?) "
                                     "RETURNING id"));
  st->Bind(1, r.sourced_id);
  st->Bind(2, r.name);
  st->Bind(3, r.type);
  st->Bind(4, r.identifier);
  st->Bind(5, r.parent_id);
  st->Bind(6, r.active);
  st->Bind(7, now_ms);
  return InsertReturningId(st);
}

Status RosterWriter::Update(int64_t id, const OrgRow& r, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(auto* st, Stmt("UPDATE orgs SET name = ?, type = ?, identifier = ?, "
                                     "parent_id = ?, active = ?, updated_ms = ? WHERE id = ?"));
  st->Bind(1, r.name);
  st->Bind(2, r.type);
  st->Bind(3, r.identifier);
  st->Bind(4, r.parent_id);
  st->Bind(5, r.active);
  st->Bind(6, now_ms);
  st->Bind(7, id);
  return st->Run();
}

Result<int64_t> RosterWriter::Insert(const SessionRow& r, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      Stmt("INSERT INTO academic_sessions (sourced_id, title, type, start_date, "
                           "end_date, parent_id, school_year, active, updated_ms) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
  st->Bind(1, r.sourced_id);
  st->Bind(2, r.title);
  st->Bind(3, r.type);
  st->Bind(4, r.start_date);
  st->Bind(5, r.end_date);
  st->Bind(6, r.parent_id);
  st->Bind(7, r.school_year);
  st->Bind(8, r.active);
  st->Bind(9, now_ms);
  return InsertReturningId(st);
}

Status RosterWriter::Update(int64_t id, const SessionRow& r, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      Stmt("UPDATE academic_sessions SET title = ?, type = ?, start_date = ?, "
                           "end_date = ?, parent_id = ?, school_year = ?, active = ?, "
                           "updated_ms = ? WHERE id = ?"));
  st->Bind(1, r.title);
  st->Bind(2, r.type);
  st->Bind(3, r.start_date);
  st->Bind(4, r.end_date);
  st->Bind(5, r.parent_id);
  st->Bind(6, r.school_year);
  st->Bind(7, r.active);
  st->Bind(8, now_ms);
  st->Bind(9, id);
  return st->Run();
}

Result<int64_t> RosterWriter::Insert(const CourseRow& r, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      Stmt("INSERT INTO courses (sourced_id, title, course_code, grades, org_id, "
                           "school_year_id, active, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                           "RETURNING id"));
  st->Bind(1, r.sourced_id);
  st->Bind(2, r.title);
  st->Bind(3, r.course_code);
  st->Bind(4, r.grades);
  st->Bind(5, r.org_id);
  st->Bind(6, r.school_year_id);
  st->Bind(7, r.active);
  st->Bind(8, now_ms);
  return InsertReturningId(st);
}

Status RosterWriter::Update(int64_t id, const CourseRow& r, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(auto* st, Stmt("UPDATE courses SET title = ?, course_code = ?, grades = ?, "
                                     "org_id = ?, school_year_id = ?, active = ?, updated_ms = ? "
                                     "WHERE id = ?"));
  st->Bind(1, r.title);
  st->Bind(2, r.course_code);
  st->Bind(3, r.grades);
  st->Bind(4, r.org_id);
  st->Bind(5, r.school_year_id);
  st->Bind(6, r.active);
  st->Bind(7, now_ms);
  st->Bind(8, id);
  return st->Run();
}

Result<int64_t> RosterWriter::Insert(const SectionRow& r, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      Stmt("INSERT INTO sections (sourced_id, title, course_id, school_id, "
                           "class_code, class_type, location, periods, grades, low_grade, "
                           "high_grade, active, updated_ms) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
  st->Bind(1, r.sourced_id);
  st->Bind(2, r.title);
  st->Bind(3, r.course_id);
  st->Bind(4, r.school_id);
  st->Bind(5, r.class_code);
  st->Bind(6, r.class_type);
  st->Bind(7, r.location);
  st->Bind(8, r.periods);
  st->Bind(9, r.grades);
  st->Bind(10, r.low_grade);
  st->Bind(11, r.high_grade);
  st->Bind(12, r.active);
  st->Bind(13, now_ms);
  return InsertReturningId(st);
}

Status RosterWriter::Update(int64_t id, const SectionRow& r, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(auto* st, Stmt("UPDATE sections SET title = ?, course_id = ?, school_id = ?, "
                                     "class_code = ?, class_type = ?, location = ?, periods = ?, "
                                     "grades = ?, low_grade = ?, high_grade = ?, active = ?, "
                                     "updated_ms = ? WHERE id = ?"));
  st->Bind(1, r.title);
  st->Bind(2, r.course_id);
  st->Bind(3, r.school_id);
  st->Bind(4, r.class_code);
  st->Bind(5, r.class_type);
  st->Bind(6, r.location);
  st->Bind(7, r.periods);
  st->Bind(8, r.grades);
  st->Bind(9, r.low_grade);
  st->Bind(10, r.high_grade);
  st->Bind(11, r.active);
  st->Bind(12, now_ms);
  st->Bind(13, id);
  return st->Run();
}

Result<int64_t> RosterWriter::Insert(const UserRow& r, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      Stmt("INSERT INTO users (sourced_id, username, username_key, role, "
                           "source_role, given_name, family_name, middle_name, identifier, "
                           "email, grades, grade_level, enabled, active, updated_ms) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
  st->Bind(1, r.sourced_id);
  st->Bind(2, r.username);
  st->Bind(3, r.username_key);
  st->Bind(4, r.role);
  st->Bind(5, r.source_role);
  st->Bind(6, r.given_name);
  st->Bind(7, r.family_name);
  st->Bind(8, r.middle_name);
  st->Bind(9, r.identifier);
  st->Bind(10, r.email);
  st->Bind(11, r.grades);
  st->Bind(12, r.grade_level);
  st->Bind(13, r.enabled);
  st->Bind(14, r.active);
  st->Bind(15, now_ms);
  return InsertReturningId(st);
}

Status RosterWriter::Update(int64_t id, const UserRow& r, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      Stmt("UPDATE users SET username = ?, username_key = ?, role = ?, "
                           "source_role = ?, given_name = ?, family_name = ?, middle_name = ?, "
                           "identifier = ?, email = ?, grades = ?, grade_level = ?, enabled = ?, "
                           "active = ?, updated_ms = ? WHERE id = ?"));
  st->Bind(1, r.username);
  st->Bind(2, r.username_key);
  st->Bind(3, r.role);
  st->Bind(4, r.source_role);
  st->Bind(5, r.given_name);
  st->Bind(6, r.family_name);
  st->Bind(7, r.middle_name);
  st->Bind(8, r.identifier);
  st->Bind(9, r.email);
  st->Bind(10, r.grades);
  st->Bind(11, r.grade_level);
  st->Bind(12, r.enabled);
  st->Bind(13, r.active);
  st->Bind(14, now_ms);
  st->Bind(15, id);
  return st->Run();
}

Result<int64_t> RosterWriter::Insert(const EnrollmentRow& r, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      Stmt("INSERT INTO enrollments (sourced_id, section_id, user_id, role, "
                           "is_primary, begin_date, end_date, active, updated_ms) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
  st->Bind(1, r.sourced_id);
  st->Bind(2, r.section_id);
  st->Bind(3, r.user_id);
  st->Bind(4, r.role);
  st->Bind(5, r.is_primary);
  st->Bind(6, r.begin_date);
  st->Bind(7, r.end_date);
  st->Bind(8, r.active);
  st->Bind(9, now_ms);
  return InsertReturningId(st);
}

Status RosterWriter::Update(int64_t id, const EnrollmentRow& r, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      Stmt("UPDATE enrollments SET section_id = ?, user_id = ?, role = ?, "
                           "is_primary = ?, begin_date = ?, end_date = ?, active = ?, "
                           "updated_ms = ? WHERE id = ?"));
  st->Bind(1, r.section_id);
  st->Bind(2, r.user_id);
  st->Bind(3, r.role);
  st->Bind(4, r.is_primary);
  st->Bind(5, r.begin_date);
  st->Bind(6, r.end_date);
  st->Bind(7, r.active);
  st->Bind(8, now_ms);
  st->Bind(9, id);
  return st->Run();
}

Status RosterWriter::SetActive(RosterTable table, int64_t id, bool active, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(auto* st, Stmt(SetActiveSql(table)));
  st->Bind(1, active);
  st->Bind(2, now_ms);
  st->Bind(3, id);
  return st->Run();
}

Status RosterWriter::SetUsernameKey(int64_t user_id, std::string_view key) {
  HR_ASSIGN_OR_RETURN(auto* st, Stmt("UPDATE users SET username_key = ? WHERE id = ?"));
  st->Bind(1, key);
  st->Bind(2, user_id);
  return st->Run();
}

Status RosterWriter::SetPasswordHash(int64_t user_id, std::string_view hash, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      Stmt("UPDATE users SET password_hash = ?, password_set_ms = ? WHERE id = ?"));
  st->Bind(1, hash);
  st->Bind(2, now_ms);
  st->Bind(3, user_id);
  return st->Run();
}

Status RosterWriter::AddSectionTerm(int64_t section_id, int64_t session_id) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      Stmt("INSERT INTO section_terms (section_id, session_id) VALUES (?, ?) "
                           "ON CONFLICT (section_id, session_id) DO NOTHING"));
  st->Bind(1, section_id);
  st->Bind(2, session_id);
  return st->Run();
}

Status RosterWriter::RemoveSectionTerm(int64_t section_id, int64_t session_id) {
  // section_terms has no history of its own: a term dropped from a class is simply removed.
  HR_ASSIGN_OR_RETURN(auto* st,
                      Stmt("DELETE FROM section_terms WHERE section_id = ? AND session_id = ?"));
  st->Bind(1, section_id);
  st->Bind(2, session_id);
  return st->Run();
}

Status RosterWriter::PutUserOrg(int64_t user_id, int64_t org_id, bool active) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      Stmt("INSERT INTO user_orgs (user_id, org_id, active) VALUES (?, ?, ?) "
                           "ON CONFLICT (user_id, org_id) DO UPDATE SET active = excluded.active"));
  st->Bind(1, user_id);
  st->Bind(2, org_id);
  st->Bind(3, active);
  return st->Run();
}

Status RosterWriter::PutGuardianLink(int64_t guardian_id, int64_t student_id, bool active) {
  HR_ASSIGN_OR_RETURN(auto* st, Stmt("INSERT INTO guardian_links (guardian_id, student_id, active) "
                                     "VALUES (?, ?, ?) ON CONFLICT (guardian_id, student_id) "
                                     "DO UPDATE SET active = excluded.active"));
  st->Bind(1, guardian_id);
  st->Bind(2, student_id);
  st->Bind(3, active);
  return st->Run();
}

Result<std::vector<int64_t>> RosterWriter::RefreshSchoolGradeRanges(int64_t now_ms) {
  // COALESCE(x, -99) <> COALESCE(y, -99) is a NULL-aware comparison both SQLite and PostgreSQL
  // speak (grade levels are never below -1).
  HR_ASSIGN_OR_RETURN(
      auto* st,
      Stmt("UPDATE orgs SET "
           "low_grade = (SELECT MIN(s.low_grade) FROM sections s "
           "WHERE s.school_id = orgs.id AND s.active = 1), "
           "high_grade = (SELECT MAX(s.high_grade) FROM sections s "
           "WHERE s.school_id = orgs.id AND s.active = 1), "
           "updated_ms = ? "
           "WHERE type = 'school' AND ("
           "COALESCE(low_grade, -99) <> COALESCE((SELECT MIN(s.low_grade) FROM sections s "
           "WHERE s.school_id = orgs.id AND s.active = 1), -99) OR "
           "COALESCE(high_grade, -99) <> COALESCE((SELECT MAX(s.high_grade) FROM sections s "
           "WHERE s.school_id = orgs.id AND s.active = 1), -99)) "
           "RETURNING id"));
  st->Bind(1, now_ms);
  std::vector<int64_t> changed;
  while (true) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    changed.push_back(st->Int(0));
  }
  return changed;
}

Result<int64_t> RosterWriter::SetPageCacheKiB(int64_t kib) {
  if (conn_.Dialect() != "sqlite") return int64_t{0};
  HR_ASSIGN_OR_RETURN(auto* st, conn_.Prepare("PRAGMA cache_size"));
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  int64_t previous = row ? st->Int(0) : -2000;
  st->Reset();
  HR_RETURN_IF_ERROR(conn_.Exec(fmt::format("PRAGMA cache_size = {}", -kib)));
  return previous;
}

Status RosterWriter::RestorePageCache(int64_t previous) {
  if (conn_.Dialect() != "sqlite" || previous == 0) return Status::Ok();
  return conn_.Exec(fmt::format("PRAGMA cache_size = {}", previous));
}

Status RosterWriter::InsertImportRun(int64_t started_ms, int64_t finished_ms,
                                     const std::optional<std::string>& source_system,
                                     std::string_view summary_json) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      Stmt("INSERT INTO import_runs (started_ms, finished_ms, source_system, "
                           "summary) VALUES (?, ?, ?, ?)"));
  st->Bind(1, started_ms);
  st->Bind(2, finished_ms);
  st->Bind(3, source_system);
  st->Bind(4, summary_json);
  return st->Run();
}

}  // namespace homeroom::store
