#include "store/coursework_store.h"

namespace homeroom::store::coursework_store {
namespace {

constexpr const char* kFileColumns =
    "f.id, f.owner_id, f.sha256, f.size_bytes, f.content_type, f.name, f.created_ms";
constexpr const char* kAssignmentColumns =
    "a.id, a.section_id, a.title, a.instructions, a.due_ms, a.points, a.created_by, a.created_ms";
constexpr const char* kSubmissionColumns =
    "s.id, s.assignment_id, s.student_id, s.body, s.submitted_ms, s.late, s.score_centi,"
    " s.comment, s.graded_by, s.graded_ms";

FileRecord ReadFile(const sql::Statement& st, int at) {
  FileRecord f;
  f.id = st.Int(at);
  f.owner_id = st.Int(at + 1);
  f.sha256 = st.Text(at + 2);
  f.size_bytes = st.Int(at + 3);
  f.content_type = st.Text(at + 4);
  f.name = st.Text(at + 5);
  f.created_ms = st.Int(at + 6);
  return f;
}

AssignmentRecord ReadAssignment(const sql::Statement& st, int at) {
  AssignmentRecord a;
  a.id = st.Int(at);
  a.section_id = st.Int(at + 1);
  a.title = st.Text(at + 2);
  a.instructions = st.Text(at + 3);
  a.due_ms = st.Int(at + 4);
  a.points = st.Int(at + 5);
  a.created_by = st.Int(at + 6);
  a.created_ms = st.Int(at + 7);
  return a;
}

SubmissionRecord ReadSubmission(const sql::Statement& st, int at) {
  SubmissionRecord s;
  s.id = st.Int(at);
  s.assignment_id = st.Int(at + 1);
  s.student_id = st.Int(at + 2);
  s.body = st.Text(at + 3);
  s.submitted_ms = st.Int(at + 4);
  s.late = st.Int(at + 5) != 0;
  s.score_centi = st.OptInt(at + 6);
  s.comment = st.OptText(at + 7);
  s.graded_by = st.OptInt(at + 8);
  s.graded_ms = st.OptInt(at + 9);
  return s;
}

// The files of one assignment or submission, by id.
Result<std::vector<FileRecord>> LinkedFiles(sql::Connection& c, const char* link_table,
                                            const char* owner_column, int64_t owner) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(std::string("SELECT ") + kFileColumns + " FROM " +
                                          link_table + " l JOIN files f ON f.id = l.file_id" +
                                          " WHERE l." + owner_column + " = ? ORDER BY f.id"));
  st->Bind(1, owner);
  std::vector<FileRecord> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadFile(*st, 0));
  }
  st->Reset();
  return out;
}

Status FillAttachments(sql::Connection& c, std::vector<AssignmentRecord>& assignments) {
  for (auto& a : assignments) {
    HR_ASSIGN_OR_RETURN(a.attachments, LinkedFiles(c, "assignment_files", "assignment_id", a.id));
  }
  return Status::Ok();
}

Status FillFiles(sql::Connection& c, SubmissionRecord& s) {
  HR_ASSIGN_OR_RETURN(s.files, LinkedFiles(c, "submission_files", "submission_id", s.id));
  return Status::Ok();
}

Status LinkFiles(sql::Connection& c, const char* sql, int64_t owner,
                 const std::vector<FileRecord>& files) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(sql));
  for (const auto& f : files) {
    st->Bind(1, owner);
    st->Bind(2, f.id);
    HR_RETURN_IF_ERROR(st->Run());
  }
  return Status::Ok();
}

Result<std::optional<SubmissionRecord>> OneSubmission(sql::Connection& c, const std::string& sql,
                                                      int64_t a, std::optional<int64_t> b) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(sql));
  st->Bind(1, a);
  if (b) st->Bind(2, *b);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<SubmissionRecord> out;
  if (row) out = ReadSubmission(*st, 0);
  st->Reset();
  if (out) HR_RETURN_IF_ERROR(FillFiles(c, *out));
  return out;
}

}  // namespace

Result<int64_t> InsertFile(sql::Connection& c, const FileRecord& f) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare("INSERT INTO files (owner_id, sha256, size_bytes, content_type,"
                                " name, created_ms) VALUES (?, ?, ?, ?, ?, ?) RETURNING id"));
  st->Bind(1, f.owner_id);
  st->Bind(2, f.sha256);
  st->Bind(3, f.size_bytes);
  st->Bind(4, f.content_type);
  st->Bind(5, f.name);
  st->Bind(6, f.created_ms);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Status::Internal("INSERT ... RETURNING gave no row");
  int64_t id = st->Int(0);
  st->Reset();
  return id;
}

Result<std::optional<FileRecord>> GetFile(sql::Connection& c, int64_t id) {
  HR_ASSIGN_OR_RETURN(
      auto* st, c.Prepare(std::string("SELECT ") + kFileColumns + " FROM files f WHERE id = ?"));
  st->Bind(1, id);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<FileRecord> out;
  if (row) out = ReadFile(*st, 0);
  st->Reset();
  return out;
}

Result<int64_t> OwnerBytes(sql::Connection& c, int64_t owner_id) {
  HR_ASSIGN_OR_RETURN(
      auto* st, c.Prepare("SELECT COALESCE(SUM(size_bytes), 0) FROM files WHERE owner_id = ?"));
  st->Bind(1, owner_id);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  int64_t bytes = row ? st->Int(0) : 0;
  st->Reset();
  return bytes;
}

Result<FileUses> UsesOfFile(sql::Connection& c, int64_t file_id) {
  FileUses uses;
  {
    HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("SELECT a.section_id FROM assignment_files l JOIN"
                                            " assignments a ON a.id = l.assignment_id"
                                            " WHERE l.file_id = ?"));
    st->Bind(1, file_id);
    for (;;) {
      HR_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      uses.assignment_section_ids.push_back(st->Int(0));
    }
    st->Reset();
  }
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare("SELECT s.student_id, a.section_id FROM submission_files l"
                                " JOIN submissions s ON s.id = l.submission_id"
                                " JOIN assignments a ON a.id = s.assignment_id"
                                " WHERE l.file_id = ?"));
  st->Bind(1, file_id);
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    uses.submissions.push_back({st->Int(0), st->Int(1)});
  }
  st->Reset();
  return uses;
}

Result<int64_t> InsertAssignment(sql::Connection& c, const AssignmentRecord& a) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare("INSERT INTO assignments (section_id, title, instructions, due_ms,"
                                " points, created_by, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)"
                                " RETURNING id"));
  st->Bind(1, a.section_id);
  st->Bind(2, a.title);
  st->Bind(3, a.instructions);
  st->Bind(4, a.due_ms);
  st->Bind(5, a.points);
  st->Bind(6, a.created_by);
  st->Bind(7, a.created_ms);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Status::Internal("INSERT ... RETURNING gave no row");
  int64_t id = st->Int(0);
  st->Reset();
  HR_RETURN_IF_ERROR(LinkFiles(
      c, "INSERT INTO assignment_files (assignment_id, file_id) VALUES (?, ?)", id, a.attachments));
  return id;
}

Result<std::optional<AssignmentRecord>> GetAssignment(sql::Connection& c, int64_t id) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(std::string("SELECT ") + kAssignmentColumns +
                                          " FROM assignments a WHERE a.id = ?"));
  st->Bind(1, id);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  std::vector<AssignmentRecord> out;
  if (row) out.push_back(ReadAssignment(*st, 0));
  st->Reset();
  if (out.empty()) return std::optional<AssignmentRecord>();
  HR_RETURN_IF_ERROR(FillAttachments(c, out));
  return std::optional<AssignmentRecord>(std::move(out.front()));
}

Result<std::vector<AssignmentRecord>> ListAssignments(sql::Connection& c, int64_t section_id) {
  HR_ASSIGN_OR_RETURN(
      auto* st, c.Prepare(std::string("SELECT ") + kAssignmentColumns +
                          " FROM assignments a WHERE a.section_id = ? ORDER BY a.due_ms, a.id"));
  st->Bind(1, section_id);
  std::vector<AssignmentRecord> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadAssignment(*st, 0));
  }
  st->Reset();
  HR_RETURN_IF_ERROR(FillAttachments(c, out));
  return out;
}

Result<std::optional<SubmissionRecord>> GetSubmission(sql::Connection& c, int64_t assignment_id,
                                                      int64_t student_id) {
  return OneSubmission(c,
                       std::string("SELECT ") + kSubmissionColumns +
                           " FROM submissions s WHERE s.assignment_id = ? AND s.student_id = ?",
                       assignment_id, student_id);
}

Result<std::optional<SubmissionRecord>> GetSubmissionById(sql::Connection& c, int64_t id) {
  return OneSubmission(
      c, std::string("SELECT ") + kSubmissionColumns + " FROM submissions s WHERE s.id = ?", id,
      std::nullopt);
}

Result<int64_t> PutSubmission(sql::Connection& c, const SubmissionRecord& s) {
  HR_ASSIGN_OR_RETURN(
      auto* st,
      c.Prepare("INSERT INTO submissions (assignment_id, student_id, body, submitted_ms, late)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (assignment_id, student_id) DO UPDATE SET"
                " body = excluded.body, submitted_ms = excluded.submitted_ms,"
                " late = excluded.late, score_centi = NULL, comment = NULL, graded_by = NULL,"
                " graded_ms = NULL RETURNING id"));
  st->Bind(1, s.assignment_id);
  st->Bind(2, s.student_id);
  st->Bind(3, s.body);
  st->Bind(4, s.submitted_ms);
  st->Bind(5, s.late);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Status::Internal("INSERT ... RETURNING gave no row");
  int64_t id = st->Int(0);
  st->Reset();
  // Kept when the next resubmission replaces the row: daily attendance counts each day of work.
  HR_ASSIGN_OR_RETURN(auto* event,
                      c.Prepare("INSERT INTO submission_events (assignment_id, student_id,"
                                " submitted_ms) VALUES (?, ?, ?)"));
  event->Bind(1, s.assignment_id);
  event->Bind(2, s.student_id);
  event->Bind(3, s.submitted_ms);
  HR_RETURN_IF_ERROR(event->Run());
  HR_ASSIGN_OR_RETURN(auto* clear,
                      c.Prepare("DELETE FROM submission_files WHERE submission_id = ?"));
  clear->Bind(1, id);
  HR_RETURN_IF_ERROR(clear->Run());
  HR_RETURN_IF_ERROR(LinkFiles(
      c, "INSERT INTO submission_files (submission_id, file_id) VALUES (?, ?)", id, s.files));
  return id;
}

Result<std::vector<SubmissionRecord>> ListSubmissions(sql::Connection& c, int64_t assignment_id) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(std::string("SELECT ") + kSubmissionColumns +
                                          ", u.given_name || ' ' || u.family_name"
                                          " FROM submissions s JOIN users u ON u.id = s.student_id"
                                          " WHERE s.assignment_id = ?"
                                          " ORDER BY u.family_name, u.given_name, s.id"));
  st->Bind(1, assignment_id);
  std::vector<SubmissionRecord> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadSubmission(*st, 0));
    out.back().student_name = st->Text(10);
  }
  st->Reset();
  for (auto& s : out) HR_RETURN_IF_ERROR(FillFiles(c, s));
  return out;
}

Result<bool> Grade(sql::Connection& c, int64_t submission_id, int64_t score_centi,
                   const std::string& comment, int64_t grader_id, int64_t now_ms) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("UPDATE submissions SET score_centi = ?, comment = ?,"
                                          " graded_by = ?, graded_ms = ? WHERE id = ?"));
  st->Bind(1, score_centi);
  st->Bind(2, comment);
  st->Bind(3, grader_id);
  st->Bind(4, now_ms);
  st->Bind(5, submission_id);
  HR_RETURN_IF_ERROR(st->Run());
  return c.Changes() > 0;
}

Result<std::vector<SubmissionRecord>> ToGrade(sql::Connection& c,
                                              const std::vector<int64_t>& section_ids,
                                              int64_t limit) {
  std::vector<SubmissionRecord> out;
  if (section_ids.empty()) return out;
  std::string in;
  for (size_t i = 0; i < section_ids.size(); ++i) in += i ? ", ?" : "?";
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare(std::string("SELECT ") + kSubmissionColumns +
                                ", u.given_name || ' ' || u.family_name FROM submissions s"
                                " JOIN assignments a ON a.id = s.assignment_id"
                                " JOIN users u ON u.id = s.student_id"
                                " WHERE s.score_centi IS NULL AND a.section_id IN (" +
                                in + ") ORDER BY s.submitted_ms, s.id LIMIT ?"));
  int index = 1;
  for (int64_t id : section_ids) st->Bind(index++, id);
  st->Bind(index, limit);
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadSubmission(*st, 0));
    out.back().student_name = st->Text(10);
  }
  st->Reset();
  for (auto& s : out) HR_RETURN_IF_ERROR(FillFiles(c, s));
  return out;
}

Result<std::vector<StudentWorkRecord>> StudentWork(sql::Connection& c, int64_t student_id) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare(std::string("SELECT ") + kAssignmentColumns +
                                ", sec.title, s.id FROM enrollments e"
                                " JOIN sections sec ON sec.id = e.section_id"
                                " JOIN assignments a ON a.section_id = e.section_id"
                                " LEFT JOIN submissions s ON s.assignment_id = a.id"
                                " AND s.student_id = e.user_id"
                                " WHERE e.user_id = ? AND e.role = 'student' AND e.active = 1"
                                " ORDER BY a.due_ms, a.id"));
  st->Bind(1, student_id);
  std::vector<StudentWorkRecord> out;
  std::vector<std::optional<int64_t>> submission_ids;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    StudentWorkRecord w;
    w.assignment = ReadAssignment(*st, 0);
    w.section_title = st->Text(8);
    submission_ids.push_back(st->OptInt(9));
    out.push_back(std::move(w));
  }
  st->Reset();
  for (size_t i = 0; i < out.size(); ++i) {
    HR_ASSIGN_OR_RETURN(out[i].assignment.attachments,
                        LinkedFiles(c, "assignment_files", "assignment_id", out[i].assignment.id));
    if (submission_ids[i]) {
      HR_ASSIGN_OR_RETURN(out[i].submission, GetSubmissionById(c, *submission_ids[i]));
    }
  }
  return out;
}

}  // namespace homeroom::store::coursework_store
