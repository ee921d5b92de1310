#include "store/roster_reader.h"

#include <algorithm>
#include <cctype>

namespace homeroom::store::roster_reader {
namespace {

// "?,?,?" for n placeholders.
std::string Placeholders(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += i ? ",?" : "?";
  return s;
}

std::optional<int> OptGrade(const sql::Statement& st, int col) {
  if (st.IsNull(col)) return std::nullopt;
  return static_cast<int>(st.Int(col));
}

constexpr const char* kSchoolColumns =
    "id, sourced_id, name, COALESCE(identifier, ''), low_grade, high_grade, active";

School ReadSchool(const sql::Statement& st) {
  School s;
  s.id = st.Int(0);
  s.sourced_id = st.Text(1);
  s.name = st.Text(2);
  s.identifier = st.Text(3);
  s.low_grade = OptGrade(st, 4);
  s.high_grade = OptGrade(st, 5);
  s.active = st.Int(6) != 0;
  return s;
}

constexpr const char* kSectionColumns =
    "s.id, s.sourced_id, s.title, s.school_id, o.name, s.course_id, c.title,"
    " COALESCE(s.class_code, ''), s.class_type, COALESCE(s.location, ''),"
    " COALESCE(s.periods, ''), s.low_grade, s.high_grade, s.active"
    " FROM sections s JOIN orgs o ON o.id = s.school_id JOIN courses c ON c.id = s.course_id";

Section ReadSection(const sql::Statement& st) {
  Section s;
  s.id = st.Int(0);
  s.sourced_id = st.Text(1);
  s.title = st.Text(2);
  s.school_id = st.Int(3);
  s.school_name = st.Text(4);
  s.course_id = st.Int(5);
  s.course_title = st.Text(6);
  s.class_code = st.Text(7);
  s.class_type = st.Text(8);
  s.location = st.Text(9);
  s.periods = st.Text(10);
  s.low_grade = OptGrade(st, 11);
  s.high_grade = OptGrade(st, 12);
  s.active = st.Int(13) != 0;
  return s;
}

constexpr const char* kUserColumns =
    "id, sourced_id, username, role, given_name, family_name, COALESCE(email, ''), grade_level,"
    " active, enabled FROM users";

User ReadUser(const sql::Statement& st) {
  User u;
  u.id = st.Int(0);
  u.sourced_id = st.Text(1);
  u.username = st.Text(2);
  u.role = st.Text(3);
  u.given_name = st.Text(4);
  u.family_name = st.Text(5);
  u.email = st.Text(6);
  u.grade_level = OptGrade(st, 7);
  u.active = st.Int(8) != 0;
  u.enabled = st.Int(9) != 0;
  return u;
}

Result<std::vector<int64_t>> Ids(sql::Statement* st) {
  std::vector<int64_t> ids;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    ids.push_back(st->Int(0));
  }
  return ids;
}

Status LoadSchoolIds(sql::Connection& c, User& u) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("SELECT uo.org_id FROM user_orgs uo JOIN orgs o ON"
                                          " o.id = uo.org_id WHERE uo.user_id = ? AND uo.active = 1"
                                          " AND o.type = 'school' ORDER BY uo.org_id"));
  st->Bind(1, u.id);
  HR_ASSIGN_OR_RETURN(u.school_ids, Ids(st));
  return Status::Ok();
}

// Reads up to limit+1 rows to learn whether there is a next page.
template <typename T, typename ReadFn>
Result<Page<T>> ReadPage(sql::Statement* st, int limit, ReadFn read, int64_t T::*id) {
  Page<T> page;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_after = page.items.back().*id;
      st->Reset();
      break;
    }
    page.items.push_back(read(*st));
  }
  return page;
}

}  // namespace

Result<Page<School>> ListSchools(sql::Connection& c, int64_t after_id, int limit,
                                 const std::optional<std::vector<int64_t>>& only_ids) {
  std::string sql =
      std::string("SELECT ") + kSchoolColumns + " FROM orgs WHERE type = 'school' AND id > ?";
  if (only_ids) sql += " AND id IN (" + Placeholders(only_ids->size()) + ")";
  sql += " ORDER BY id LIMIT ?";
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(sql));
  int i = 1;
  st->Bind(i++, after_id);
  if (only_ids) {
    for (int64_t id : *only_ids) st->Bind(i++, id);
  }
  st->Bind(i, limit + 1);
  return ReadPage<School>(st, limit, ReadSchool, &School::id);
}

Result<std::optional<School>> GetSchool(sql::Connection& c, int64_t id) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(std::string("SELECT ") + kSchoolColumns +
                                          " FROM orgs WHERE type = 'school' AND id = ?"));
  st->Bind(1, id);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<School>();
  School s = ReadSchool(*st);
  st->Reset();
  return std::optional<School>(std::move(s));
}

Result<Page<Section>> ListSchoolSections(sql::Connection& c, int64_t school_id, int64_t after_id,
                                         int limit) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare(std::string("SELECT ") + kSectionColumns +
                                " WHERE s.school_id = ? AND s.id > ? ORDER BY s.id LIMIT ?"));
  st->Bind(1, school_id);
  st->Bind(2, after_id);
  st->Bind(3, limit + 1);
  return ReadPage<Section>(st, limit, ReadSection, &Section::id);
}

Result<std::optional<Section>> GetSection(sql::Connection& c, int64_t id) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare(std::string("SELECT ") + kSectionColumns + " WHERE s.id = ?"));
  st->Bind(1, id);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<Section>();
  Section s = ReadSection(*st);
  st->Reset();
  return std::optional<Section>(std::move(s));
}

Result<std::vector<Section>> SectionsOfUser(sql::Connection& c, int64_t user_id) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(std::string("SELECT ") + kSectionColumns +
                                          " JOIN enrollments e ON e.section_id = s.id"
                                          " WHERE e.user_id = ? AND e.active = 1 AND s.active = 1"
                                          " ORDER BY s.title, s.id"));
  st->Bind(1, user_id);
  std::vector<Section> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadSection(*st));
  }
  return out;
}

Result<Page<RosterEntry>> SectionRoster(sql::Connection& c, int64_t section_id, int64_t after_id,
                                        int limit) {
  // Paged by user id so a cursor is stable; the client sorts for display.
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare("SELECT u.id, u.username, u.given_name, u.family_name, e.role,"
                                " e.is_primary, u.grade_level FROM enrollments e JOIN users u ON"
                                " u.id = e.user_id WHERE e.section_id = ? AND e.active = 1 AND"
                                " u.active = 1 AND u.id > ? ORDER BY u.id LIMIT ?"));
  st->Bind(1, section_id);
  st->Bind(2, after_id);
  st->Bind(3, limit + 1);
  auto read = [](const sql::Statement& s) {
    RosterEntry e;
    e.user_id = s.Int(0);
    e.username = s.Text(1);
    e.given_name = s.Text(2);
    e.family_name = s.Text(3);
    e.role = s.Text(4);
    e.is_primary = s.Int(5) != 0;
    e.grade_level = OptGrade(s, 6);
    return e;
  };
  return ReadPage<RosterEntry>(st, limit, read, &RosterEntry::user_id);
}

Result<std::vector<int64_t>> SectionStudentIds(sql::Connection& c, int64_t section_id) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("SELECT user_id FROM enrollments WHERE section_id = ?"
                                          " AND active = 1 AND role = 'student' ORDER BY user_id"));
  st->Bind(1, section_id);
  return Ids(st);
}

Result<std::optional<User>> GetUser(sql::Connection& c, int64_t id) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(std::string("SELECT ") + kUserColumns + " WHERE id = ?"));
  st->Bind(1, id);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<User>();
  User u = ReadUser(*st);
  st->Reset();
  HR_RETURN_IF_ERROR(LoadSchoolIds(c, u));
  return std::optional<User>(std::move(u));
}

Result<std::vector<int64_t>> UserSectionIds(sql::Connection& c, int64_t user_id) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("SELECT section_id FROM enrollments WHERE user_id = ?"
                                          " AND active = 1 ORDER BY section_id"));
  st->Bind(1, user_id);
  return Ids(st);
}

Result<std::vector<User>> ChildrenOf(sql::Connection& c, int64_t guardian_id) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(std::string("SELECT ") + kUserColumns +
                                          " WHERE active = 1 AND id IN (SELECT student_id FROM"
                                          " guardian_links WHERE guardian_id = ? AND active = 1)"
                                          " ORDER BY given_name, id"));
  st->Bind(1, guardian_id);
  std::vector<User> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadUser(*st));
  }
  for (User& u : out) HR_RETURN_IF_ERROR(LoadSchoolIds(c, u));
  return out;
}

Result<Page<User>> SearchUsers(sql::Connection& c, const std::string& query,
                               const std::optional<std::vector<int64_t>>& only_school_ids,
                               int64_t after_id, int limit) {
  std::string prefix;
  for (char ch : query) {
    if (ch == '%' || ch == '_' || ch == '\\') prefix += '\\';
    prefix += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  prefix += '%';
  std::string sql = std::string("SELECT ") + kUserColumns +
                    " WHERE id > ? AND (username_key LIKE ? ESCAPE '\\' OR lower(given_name) LIKE"
                    " ? ESCAPE '\\' OR lower(family_name) LIKE ? ESCAPE '\\')";
  if (only_school_ids) {
    sql += " AND id IN (SELECT user_id FROM user_orgs WHERE active = 1 AND org_id IN (" +
           Placeholders(only_school_ids->size()) + "))";
  }
  sql += " ORDER BY id LIMIT ?";
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(sql));
  int i = 1;
  st->Bind(i++, after_id);
  for (int k = 0; k < 3; ++k) st->Bind(i++, prefix);
  if (only_school_ids) {
    for (int64_t id : *only_school_ids) st->Bind(i++, id);
  }
  st->Bind(i, limit + 1);
  HR_ASSIGN_OR_RETURN(Page<User> page, ReadPage<User>(st, limit, ReadUser, &User::id));
  for (User& u : page.items) HR_RETURN_IF_ERROR(LoadSchoolIds(c, u));
  return page;
}

}  // namespace homeroom::store::roster_reader
