#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "core/work_pool.h"
#include "domain/file_store.h"
#include "domain/live_calendar.h"
#include "store/coursework_store.h"
#include "store/database.h"

namespace homeroom::domain {

// Coursework (docs/api.md, "Coursework"): assignments of a section (title, instructions, a due
// date in the district's time zone, points, attached files), students' submissions (text and
// files; replaced by a resubmission until the due date, flagged late when first made after it),
// teachers' grades (score and comment) and the queue of submissions still to grade.
//
// Files are streamed into the content-addressed FileStore as they arrive, never held whole in
// memory, under a per-file and a per-user size limit and an allowlist of types. Every refusal is a
// Status with a reason (Status::reason()) a client can act on:
//   file_too_large     kPayloadTooLarge   over max_file_bytes
//   quota_exceeded     kPayloadTooLarge   the owner's files would pass max_user_bytes
//   type_not_allowed   kUnsupportedMedia  the type is not in allowed_types, or the name's
//                                         extension is not one of that type's
//   empty_file         kInvalidArgument
//   past_due           kConflict          a resubmission after the due date
//   not_your_file      kPermissionDenied  attaching a file someone else uploaded

struct CourseworkOptions {
  // Largest single file.
  uint64_t max_file_bytes = 25ull << 20;
  // Most bytes of files one user may have uploaded, all together.
  uint64_t max_user_bytes = 500ull << 20;
  // Content types accepted (parameters such as charset are ignored). A type Homeroom knows
  // (KnownExtensions) must also come with one of its extensions in the file name.
  std::vector<std::string> allowed_types = {
      "application/pdf",
      "image/png",
      "image/jpeg",
      "image/gif",
      "image/webp",
      "text/plain",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "application/vnd.openxmlformats-officedocument.presentationml.presentation",
      "application/vnd.oasis.opendocument.text",
  };
  // Most files attached to one assignment or one submission.
  size_t max_files_per_item = 10;
  size_t max_title_bytes = 200;
  size_t max_instructions_bytes = 20'000;
  // Longest submission text and grading comment.
  size_t max_text_bytes = 50'000;
  size_t max_file_name_bytes = 200;
  int64_t max_points = 10'000;
  // Most entries of the "to grade" queue returned at once.
  int64_t max_to_grade = 200;
  // Bytes read from the client and written to disk per step of an upload.
  size_t upload_chunk_bytes = 64 << 10;
  // The pool that writes and reads files (blocking disk I/O, off the I/O threads).
  int file_threads = 2;
  size_t file_queue = 256;
};

// The extensions a known content type must come with ("application/pdf": {"pdf"}); empty for a
// type Homeroom does not know (then any name is accepted).
std::vector<std::string_view> KnownExtensions(std::string_view content_type);

// Reads the next bytes of an upload into the buffer: how many, 0 at the end, or an error.
using ByteSource = std::function<boost::asio::awaitable<Result<size_t>>(std::span<char>)>;

// What a teacher sends to create an assignment.
struct AssignmentInput {
  int64_t section_id = 0;
  std::string title;
  std::string instructions;
  std::string due;  // ISO 8601 with an offset, or local to the district ("2026-09-01T23:59")
  int64_t points = 0;
  std::vector<int64_t> attachment_ids;
};

// Assignments, submissions, grades and files over the store. Handlers authorize; this validates
// and decides. Thread-safe.
//
// Metrics:
//   homeroom_coursework_uploads_total{result}       counter: "stored" or the refusal's reason
//   homeroom_coursework_upload_bytes_total          counter: bytes of stored uploads
//   homeroom_coursework_submissions_total{late}     counter: (re)submissions
//   homeroom_coursework_grades_total                counter
class CourseworkService {
 public:
  // `files_root` is the FileStore's directory (data_dir/files).
  CourseworkService(store::Database& db, const Clock& clock, DistrictZone zone,
                    metrics::Registry& metrics, std::string files_root, CourseworkOptions options);
  ~CourseworkService();

  // Prepares the file store (start-up). kUnavailable when its directories cannot be made.
  Status Init();

  const CourseworkOptions& options() const { return options_; }
  const DistrictZone& zone() const { return zone_; }
  int64_t NowMs() const { return clock_.NowMs(); }

  // Streams an upload of `owner_id` into the file store and records it. `announced` is the
  // Content-Length when the client sent one: over a limit, it is refused before a byte is read.
  // Refusals as in the class comment; kUnavailable when the disk or the store is.
  boost::asio::awaitable<Result<store::FileRecord>> StoreFile(int64_t owner_id, std::string name,
                                                              std::string content_type,
                                                              std::optional<uint64_t> announced,
                                                              ByteSource source);
  boost::asio::awaitable<Result<std::optional<store::FileRecord>>> GetFile(int64_t id);
  boost::asio::awaitable<Result<store::FileUses>> UsesOfFile(int64_t id);
  // The bytes of a stored file (at most max_file_bytes), read on the file pool.
  boost::asio::awaitable<Result<std::string>> ReadFile(store::FileRecord file);

  // kInvalidArgument naming the bad field; not_your_file when an attachment is not the creator's.
  boost::asio::awaitable<Result<store::AssignmentRecord>> CreateAssignment(AssignmentInput input,
                                                                           int64_t creator_id);
  boost::asio::awaitable<Result<store::AssignmentRecord>> GetAssignment(int64_t id);  // kNotFound
  boost::asio::awaitable<Result<std::vector<store::AssignmentRecord>>> ListAssignments(
      int64_t section_id);

  // Submits (or resubmits) `student_id`'s work on `assignment`: text and files they uploaded.
  // kInvalidArgument when both are empty or over a limit; past_due for a resubmission after the
  // due date; not_your_file. A resubmission clears an earlier grade.
  boost::asio::awaitable<Result<store::SubmissionRecord>> Submit(store::AssignmentRecord assignment,
                                                                 int64_t student_id,
                                                                 std::string text,
                                                                 std::vector<int64_t> file_ids);
  // The student's submission of an assignment, if any.
  boost::asio::awaitable<Result<std::optional<store::SubmissionRecord>>> GetSubmission(
      int64_t assignment_id, int64_t student_id);
  boost::asio::awaitable<Result<store::SubmissionRecord>> GetSubmissionById(int64_t id);  // 404
  boost::asio::awaitable<Result<std::vector<store::SubmissionRecord>>> ListSubmissions(
      int64_t assignment_id);
  // Grades a submission of `assignment`: score from 0 to its points (hundredths kept). Returns the
  // graded submission. kInvalidArgument for a score out of range or a comment too long.
  boost::asio::awaitable<Result<store::SubmissionRecord>> Grade(store::AssignmentRecord assignment,
                                                                int64_t submission_id, double score,
                                                                std::string comment,
                                                                int64_t grader_id);
  // Ungraded submissions in `section_ids`, oldest first (at most max_to_grade).
  boost::asio::awaitable<Result<std::vector<store::SubmissionRecord>>> ToGrade(
      std::vector<int64_t> section_ids);
  // Every assignment of a student's sections with their submission and grade.
  boost::asio::awaitable<Result<std::vector<store::StudentWorkRecord>>> StudentWork(
      int64_t student_id);

 private:
  // Counts an upload's outcome and returns `status` for chaining.
  Status Refuse(Status status);

  store::Database& db_;
  const Clock& clock_;
  DistrictZone zone_;
  metrics::Registry& metrics_;
  FileStore files_;
  CourseworkOptions options_;
  std::unique_ptr<WorkPool> file_pool_;
};

}  // namespace homeroom::domain
