#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sql.h"

namespace homeroom::store {

// A stored file (migrations/0010_coursework.sql): a named reference to a content-addressed blob.
// Plain value; not synchronized.
struct FileRecord {
  int64_t id = 0;
  int64_t owner_id = 0;
  std::string sha256;  // lowercase hex
  int64_t size_bytes = 0;
  std::string content_type;
  std::string name;
  int64_t created_ms = 0;
};

// An assignment of a section, with its attachments.
struct AssignmentRecord {
  int64_t id = 0;
  int64_t section_id = 0;
  std::string title;
  std::string instructions;
  int64_t due_ms = 0;
  int64_t points = 0;
  int64_t created_by = 0;
  int64_t created_ms = 0;
  std::vector<FileRecord> attachments;
};

// A student's submission of an assignment, with its files and, once graded, the grade.
struct SubmissionRecord {
  int64_t id = 0;
  int64_t assignment_id = 0;
  int64_t student_id = 0;
  std::string body;
  int64_t submitted_ms = 0;
  bool late = false;
  std::optional<int64_t> score_centi;  // hundredths of a point
  std::optional<std::string> comment;
  std::optional<int64_t> graded_by;
  std::optional<int64_t> graded_ms;
  std::vector<FileRecord> files;
  // Filled by the queries that join them (ToGrade, ListSubmissions): the student's display name.
  std::string student_name;
};

// An assignment with one student's submission of it (none: not submitted yet).
struct StudentWorkRecord {
  AssignmentRecord assignment;
  std::string section_title;
  std::optional<SubmissionRecord> submission;
};

// Where a file is used: what its readers must be allowed to see.
struct FileUses {
  std::vector<int64_t> assignment_section_ids;  // sections of the assignments it is attached to
  struct Submitted {
    int64_t student_id = 0;
    int64_t section_id = 0;
  };
  std::vector<Submitted> submissions;  // submissions it is part of
};

// Files, assignments and submissions. Stateless: each function runs on the connection it is given
// (through Database::Read / Write). kInternal on a database error.
namespace coursework_store {

Result<int64_t> InsertFile(sql::Connection& c, const FileRecord& file);
Result<std::optional<FileRecord>> GetFile(sql::Connection& c, int64_t id);
// Bytes of every file `owner_id` uploaded (their quota's use).
Result<int64_t> OwnerBytes(sql::Connection& c, int64_t owner_id);
Result<FileUses> UsesOfFile(sql::Connection& c, int64_t file_id);

// Adds an assignment and links its attachments; returns its id.
Result<int64_t> InsertAssignment(sql::Connection& c, const AssignmentRecord& assignment);
Result<std::optional<AssignmentRecord>> GetAssignment(sql::Connection& c, int64_t id);
// A section's assignments by due date, then id.
Result<std::vector<AssignmentRecord>> ListAssignments(sql::Connection& c, int64_t section_id);

Result<std::optional<SubmissionRecord>> GetSubmission(sql::Connection& c, int64_t assignment_id,
                                                      int64_t student_id);
Result<std::optional<SubmissionRecord>> GetSubmissionById(sql::Connection& c, int64_t id);
// Creates or replaces (resubmission) a student's submission with its files, clearing any grade;
// returns its id.
Result<int64_t> PutSubmission(sql::Connection& c, const SubmissionRecord& submission);
// Every submission of an assignment, by student name.
Result<std::vector<SubmissionRecord>> ListSubmissions(sql::Connection& c, int64_t assignment_id);
// Records a grade; false when there is no such submission.
Result<bool> Grade(sql::Connection& c, int64_t submission_id, int64_t score_centi,
                   const std::string& comment, int64_t grader_id, int64_t now_ms);
// Ungraded submissions of the assignments of `section_ids`, oldest submission first, at most
// `limit`.
Result<std::vector<SubmissionRecord>> ToGrade(sql::Connection& c,
                                              const std::vector<int64_t>& section_ids,
                                              int64_t limit);
// Every assignment of the sections `student_id` is actively enrolled in as a student, by due
// date, each with the student's submission.
Result<std::vector<StudentWorkRecord>> StudentWork(sql::Connection& c, int64_t student_id);

}  // namespace coursework_store
}  // namespace homeroom::store
