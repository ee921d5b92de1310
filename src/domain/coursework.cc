#include "domain/coursework.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/offload.h"

namespace homeroom::domain {
namespace {

constexpr const char* kUploadsMetric = "homeroom_coursework_uploads_total";
constexpr const char* kUploadsHelp = "Uploads by outcome (stored or the reason).";

using store::AssignmentRecord;
using store::FileRecord;
using store::SubmissionRecord;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "text/plain; charset=utf-8" -> "text/plain".
std::string BareType(std::string_view content_type) {
  std::string_view bare = content_type.substr(0, content_type.find(';'));
  while (!bare.empty() && bare.back() == ' ') bare.remove_suffix(1);
  while (!bare.empty() && bare.front() == ' ') bare.remove_prefix(1);
  return Lower(bare);
}

// The last path component, without control characters; what a browser sends is a base name, but a
// client may send anything.
std::string CleanName(std::string_view name) {
  size_t slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string out;
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '"') continue;
    out += c;
  }
  while (!out.empty() && (out.front() == ' ' || out.front() == '.')) out.erase(out.begin());
  return out;
}

std::string Extension(std::string_view name) {
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return "";
  return Lower(name.substr(dot + 1));
}

std::string MiB(uint64_t bytes) {
  if (bytes % (1 << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

// Files listed by id must exist and belong to `owner`; returns them in the order given, without
// repeats.
Result<std::vector<FileRecord>> OwnFiles(sql::Connection& c, const std::vector<int64_t>& ids,
                                         int64_t owner) {
  std::vector<FileRecord> out;
  for (int64_t id : ids) {
    bool seen = false;
    for (const auto& f : out) seen = seen || f.id == id;
    if (seen) continue;
    HR_ASSIGN_OR_RETURN(auto file, store::coursework_store::GetFile(c, id));
    if (!file || file->owner_id != owner) {
      return Status::PermissionDenied("file " + std::to_string(id) +
                                      " is not one you uploaded; upload it first")
          .WithReason("not_your_file");
    }
    out.push_back(std::move(*file));
  }
  return out;
}

}  // namespace

std::vector<std::string_view> KnownExtensions(std::string_view type) {
  if (type == "application/pdf") return {"pdf"};
  if (type == "image/png") return {"png"};
  if (type == "image/jpeg") return {"jpg", "jpeg"};
  if (type == "image/gif") return {"gif"};
  if (type == "image/webp") return {"webp"};
  if (type == "text/plain") return {"txt", "text", "md"};
  if (type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document") {
    return {"docx"};
  }
  if (type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") return {"xlsx"};
  if (type == "application/vnd.openxmlformats-officedocument.presentationml.presentation") {
    return {"pptx"};
  }
  if (type == "application/vnd.oasis.opendocument.text") return {"odt"};
  return {};
}

CourseworkService::CourseworkService(store::Database& db, const Clock& clock, DistrictZone zone,
                                     metrics::Registry& metrics, std::string files_root,
                                     CourseworkOptions options)
    : db_(db),
      clock_(clock),
      zone_(std::move(zone)),
      metrics_(metrics),
      files_(std::move(files_root)),
      options_(std::move(options)),
      file_pool_(std::make_unique<WorkPool>(WorkPool::Options{
          .name = "file-io",
          .threads = std::max(1, options_.file_threads),
          .max_queued = options_.file_queue,
          // One upload's chunks wait in order; a user cannot fill the queue alone.
          .max_per_key = std::max<size_t>(4, options_.file_queue / 8)})) {
  for (auto& type : options_.allowed_types) type = BareType(type);
  // Declared up front so that every outcome is on /metrics from the start, at 0.
  for (const char* result : {"stored", "file_too_large", "quota_exceeded", "type_not_allowed",
                             "empty_file", "invalid_name"}) {
    metrics_.GetCounter(kUploadsMetric, kUploadsHelp, {{"result", result}});
  }
  metrics_.GetCounter("homeroom_coursework_upload_bytes_total", "Bytes of stored uploads.");
  metrics_.GetCounter("homeroom_coursework_grades_total", "Grades given (or changed).");
}

CourseworkService::~CourseworkService() = default;

Status CourseworkService::Init() { return files_.Init(); }

Status CourseworkService::Refuse(Status status) {
  metrics_
      .GetCounter(kUploadsMetric, kUploadsHelp,
                  {{"result", status.reason().empty() ? std::string(StatusCodeName(status.code()))
                                                      : status.reason()}})
      .Inc();
  return status;
}

boost::asio::awaitable<Result<FileRecord>> CourseworkService::StoreFile(
    int64_t owner_id, std::string name, std::string content_type, std::optional<uint64_t> announced,
    ByteSource source) {
  name = CleanName(name);
  if (name.empty()) {
    co_return Refuse(Status::InvalidArgument("the file needs a name (?name=essay.pdf)")
                         .WithReason("invalid_name"));
  }
  if (name.size() > options_.max_file_name_bytes) {
    co_return Refuse(Status::InvalidArgument("file names are at most " +
                                             std::to_string(options_.max_file_name_bytes) +
                                             " bytes")
                         .WithReason("invalid_name"));
  }
  const std::string type = BareType(content_type);
  if (std::find(options_.allowed_types.begin(), options_.allowed_types.end(), type) ==
      options_.allowed_types.end()) {
    co_return Refuse(
        Status(StatusCode::kUnsupportedMedia, "files of type '" + type + "' are not accepted")
            .WithReason("type_not_allowed"));
  }
  auto extensions = KnownExtensions(type);
  if (!extensions.empty() &&
      std::find(extensions.begin(), extensions.end(), Extension(name)) == extensions.end()) {
    co_return Refuse(Status(StatusCode::kUnsupportedMedia,
                            "the name '" + name + "' does not end as a " + type + " file should")
                         .WithReason("type_not_allowed"));
  }
  auto too_large = [&] {
    return Status::PayloadTooLarge("files are at most " + MiB(options_.max_file_bytes))
        .WithReason("file_too_large");
  };
  auto over_quota = [&](int64_t used) {
    return Status::PayloadTooLarge("your files may take at most " + MiB(options_.max_user_bytes) +
                                   " together; " + std::to_string(used) + " bytes are in use")
        .WithReason("quota_exceeded");
  };
  if (announced && *announced == 0) {
    co_return Refuse(Status::InvalidArgument("the file is empty").WithReason("empty_file"));
  }
  if (announced && *announced > options_.max_file_bytes) co_return Refuse(too_large());
  auto used_job = [owner_id](sql::Connection& c) {
    return store::coursework_store::OwnerBytes(c, owner_id);
  };
  HR_CO_ASSIGN_OR_RETURN(int64_t used, co_await db_.Read(std::move(used_job)));
  const uint64_t quota = options_.max_user_bytes;
  const uint64_t room = static_cast<uint64_t>(used) >= quota ? 0 : quota - used;
  if (room == 0 || (announced && *announced > room)) co_return Refuse(over_quota(used));
  const uint64_t cap = std::min<uint64_t>(options_.max_file_bytes, room);

  const std::string key = std::to_string(owner_id);
  auto begin = [this] { return files_.Begin(); };
  HR_CO_ASSIGN_OR_RETURN(std::unique_ptr<FileStore::Writer> writer,
                         co_await Offload(*file_pool_, key, std::move(begin)));
  std::vector<char> chunk(std::max<size_t>(options_.upload_chunk_bytes, 4096));
  uint64_t total = 0;
  for (;;) {
    std::span<char> view(chunk.data(), chunk.size());
    auto pending = source(view);
    Result<size_t> n = co_await std::move(pending);
    if (!n.ok()) {
      Status failed = n.status();
      // The body limit is the per-file limit: say so in the same terms.
      if (failed.code() == StatusCode::kPayloadTooLarge) failed = too_large();
      co_return Refuse(std::move(failed));
    }
    if (*n == 0) break;
    total += *n;
    if (total > cap)
      co_return Refuse(total > options_.max_file_bytes ? too_large() : over_quota(used));
    FileStore::Writer* w = writer.get();
    const char* data = chunk.data();
    const size_t size = *n;
    auto append = [w, data, size] { return w->Append(std::string_view(data, size)); };
    HR_CO_RETURN_IF_ERROR(co_await Offload(*file_pool_, key, std::move(append)));
  }
  if (total == 0)
    co_return Refuse(Status::InvalidArgument("the file is empty").WithReason("empty_file"));
  FileStore::Writer* w = writer.get();
  auto commit = [w] { return w->Commit(); };
  HR_CO_ASSIGN_OR_RETURN(std::string sha, co_await Offload(*file_pool_, key, std::move(commit)));

  FileRecord file{.owner_id = owner_id,
                  .sha256 = std::move(sha),
                  .size_bytes = static_cast<int64_t>(total),
                  .content_type = type,
                  .name = std::move(name),
                  .created_ms = clock_.NowMs()};
  auto insert = [file, quota, over_quota](sql::Connection& c) mutable -> Result<FileRecord> {
    // Uploads of one user may run side by side: the quota holds at the moment of the write.
    HR_ASSIGN_OR_RETURN(int64_t now_used, store::coursework_store::OwnerBytes(c, file.owner_id));
    if (static_cast<uint64_t>(now_used + file.size_bytes) > quota) return over_quota(now_used);
    HR_ASSIGN_OR_RETURN(file.id, store::coursework_store::InsertFile(c, file));
    return file;
  };
  Result<FileRecord> stored = co_await db_.Write(std::move(insert));
  if (!stored.ok()) co_return Refuse(stored.status());
  metrics_.GetCounter(kUploadsMetric, kUploadsHelp, {{"result", "stored"}}).Inc();
  metrics_.GetCounter("homeroom_coursework_upload_bytes_total", "Bytes of stored uploads.")
      .Inc(total);
  co_return stored;
}

boost::asio::awaitable<Result<std::optional<FileRecord>>> CourseworkService::GetFile(int64_t id) {
  auto job = [id](sql::Connection& c) { return store::coursework_store::GetFile(c, id); };
  co_return co_await db_.Read(std::move(job));
}

boost::asio::awaitable<Result<store::FileUses>> CourseworkService::UsesOfFile(int64_t id) {
  auto job = [id](sql::Connection& c) { return store::coursework_store::UsesOfFile(c, id); };
  co_return co_await db_.Read(std::move(job));
}

boost::asio::awaitable<Result<std::string>> CourseworkService::ReadFile(FileRecord file) {
  auto job = [this, sha = file.sha256] { return files_.Read(sha, options_.max_file_bytes); };
  std::string key = std::to_string(file.owner_id);
  co_return co_await Offload(*file_pool_, std::move(key), std::move(job));
}

boost::asio::awaitable<Result<AssignmentRecord>> CourseworkService::CreateAssignment(
    AssignmentInput in, int64_t creator_id) {
  if (in.title.empty() || in.title.size() > options_.max_title_bytes) {
    co_return Status::InvalidArgument("title is required, at most " +
                                      std::to_string(options_.max_title_bytes) + " bytes");
  }
  if (in.instructions.size() > options_.max_instructions_bytes) {
    co_return Status::InvalidArgument("instructions are at most " +
                                      std::to_string(options_.max_instructions_bytes) + " bytes");
  }
  if (in.points < 1 || in.points > options_.max_points) {
    co_return Status::InvalidArgument("points must be from 1 to " +
                                      std::to_string(options_.max_points));
  }
  if (in.attachment_ids.size() > options_.max_files_per_item) {
    co_return Status::InvalidArgument("at most " + std::to_string(options_.max_files_per_item) +
                                      " attachments");
  }
  HR_CO_ASSIGN_OR_RETURN(int64_t due_ms, ParseInstant(in.due, zone_, "due_at"));
  AssignmentRecord a{.section_id = in.section_id,
                     .title = std::move(in.title),
                     .instructions = std::move(in.instructions),
                     .due_ms = due_ms,
                     .points = in.points,
                     .created_by = creator_id,
                     .created_ms = clock_.NowMs()};
  auto job = [a, ids = std::move(in.attachment_ids),
              creator_id](sql::Connection& c) mutable -> Result<AssignmentRecord> {
    HR_ASSIGN_OR_RETURN(a.attachments, OwnFiles(c, ids, creator_id));
    HR_ASSIGN_OR_RETURN(a.id, store::coursework_store::InsertAssignment(c, a));
    return a;
  };
  co_return co_await db_.Write(std::move(job));
}

boost::asio::awaitable<Result<AssignmentRecord>> CourseworkService::GetAssignment(int64_t id) {
  auto job = [id](sql::Connection& c) -> Result<AssignmentRecord> {
    HR_ASSIGN_OR_RETURN(auto a, store::coursework_store::GetAssignment(c, id));
    if (!a) return Status::NotFound("no assignment with id " + std::to_string(id));
    return std::move(*a);
  };
  co_return co_await db_.Read(std::move(job));
}

boost::asio::awaitable<Result<std::vector<AssignmentRecord>>> CourseworkService::ListAssignments(
    int64_t section_id) {
  auto job = [section_id](sql::Connection& c) {
    return store::coursework_store::ListAssignments(c, section_id);
  };
  co_return co_await db_.Read(std::move(job));
}

boost::asio::awaitable<Result<SubmissionRecord>> CourseworkService::Submit(
    AssignmentRecord assignment, int64_t student_id, std::string text,
    std::vector<int64_t> file_ids) {
  if (text.size() > options_.max_text_bytes) {
    co_return Status::InvalidArgument("the text is at most " +
                                      std::to_string(options_.max_text_bytes) + " bytes");
  }
  if (file_ids.size() > options_.max_files_per_item) {
    co_return Status::InvalidArgument("at most " + std::to_string(options_.max_files_per_item) +
                                      " files per submission");
  }
  if (text.empty() && file_ids.empty()) {
    co_return Status::InvalidArgument("a submission needs text or at least one file");
  }
  const int64_t now = clock_.NowMs();
  SubmissionRecord s{.assignment_id = assignment.id,
                     .student_id = student_id,
                     .body = std::move(text),
                     .submitted_ms = now,
                     .late = now > assignment.due_ms};
  auto job = [s, ids = std::move(file_ids),
              due_ms = assignment.due_ms](sql::Connection& c) mutable -> Result<SubmissionRecord> {
    HR_ASSIGN_OR_RETURN(auto earlier,
                        store::coursework_store::GetSubmission(c, s.assignment_id, s.student_id));
    if (earlier && s.submitted_ms > due_ms) {
      return Status::Conflict(
                 "the due date has passed: this work was submitted already and can "
                 "no longer be replaced")
          .WithReason("past_due");
    }
    HR_ASSIGN_OR_RETURN(s.files, OwnFiles(c, ids, s.student_id));
    HR_ASSIGN_OR_RETURN(s.id, store::coursework_store::PutSubmission(c, s));
    return s;
  };
  Result<SubmissionRecord> saved = co_await db_.Write(std::move(job));
  if (saved.ok()) {
    metrics_
        .GetCounter("homeroom_coursework_submissions_total", "Submissions and resubmissions.",
                    {{"late", saved->late ? "true" : "false"}})
        .Inc();
  }
  co_return saved;
}

boost::asio::awaitable<Result<std::optional<SubmissionRecord>>> CourseworkService::GetSubmission(
    int64_t assignment_id, int64_t student_id) {
  auto job = [assignment_id, student_id](sql::Connection& c) {
    return store::coursework_store::GetSubmission(c, assignment_id, student_id);
  };
  co_return co_await db_.Read(std::move(job));
}

boost::asio::awaitable<Result<SubmissionRecord>> CourseworkService::GetSubmissionById(int64_t id) {
  auto job = [id](sql::Connection& c) -> Result<SubmissionRecord> {
    HR_ASSIGN_OR_RETURN(auto s, store::coursework_store::GetSubmissionById(c, id));
    if (!s) return Status::NotFound("no submission with id " + std::to_string(id));
    return std::move(*s);
  };
  co_return co_await db_.Read(std::move(job));
}

boost::asio::awaitable<Result<std::vector<SubmissionRecord>>> CourseworkService::ListSubmissions(
    int64_t assignment_id) {
  auto job = [assignment_id](sql::Connection& c) {
    return store::coursework_store::ListSubmissions(c, assignment_id);
  };
  co_return co_await db_.Read(std::move(job));
}

boost::asio::awaitable<Result<SubmissionRecord>> CourseworkService::Grade(
    AssignmentRecord assignment, int64_t submission_id, double score, std::string comment,
    int64_t grader_id) {
  if (!std::isfinite(score) || score < 0 || score > static_cast<double>(assignment.points)) {
    co_return Status::InvalidArgument("score must be from 0 to " +
                                      std::to_string(assignment.points));
  }
  if (comment.size() > options_.max_text_bytes) {
    co_return Status::InvalidArgument("the comment is at most " +
                                      std::to_string(options_.max_text_bytes) + " bytes");
  }
  const int64_t centi = std::llround(score * 100.0);
  const int64_t now = clock_.NowMs();
  auto job = [submission_id, assignment_id = assignment.id, centi, comment = std::move(comment),
              grader_id, now](sql::Connection& c) -> Result<SubmissionRecord> {
    HR_ASSIGN_OR_RETURN(auto s, store::coursework_store::GetSubmissionById(c, submission_id));
    if (!s || s->assignment_id != assignment_id) {
      return Status::NotFound("no submission with id " + std::to_string(submission_id));
    }
    HR_ASSIGN_OR_RETURN(bool graded, store::coursework_store::Grade(c, submission_id, centi,
                                                                    comment, grader_id, now));
    if (!graded) return Status::NotFound("no submission with id " + std::to_string(submission_id));
    s->score_centi = centi;
    s->comment = comment;
    s->graded_by = grader_id;
    s->graded_ms = now;
    return std::move(*s);
  };
  Result<SubmissionRecord> graded = co_await db_.Write(std::move(job));
  if (graded.ok()) {
    metrics_.GetCounter("homeroom_coursework_grades_total", "Grades given (or changed).").Inc();
  }
  co_return graded;
}

boost::asio::awaitable<Result<std::vector<SubmissionRecord>>> CourseworkService::ToGrade(
    std::vector<int64_t> section_ids) {
  auto job = [ids = std::move(section_ids), limit = options_.max_to_grade](sql::Connection& c) {
    return store::coursework_store::ToGrade(c, ids, limit);
  };
  co_return co_await db_.Read(std::move(job));
}

boost::asio::awaitable<Result<std::vector<store::StudentWorkRecord>>>
CourseworkService::StudentWork(int64_t student_id) {
  auto job = [student_id](sql::Connection& c) {
    return store::coursework_store::StudentWork(c, student_id);
  };
  co_return co_await db_.Read(std::move(job));
}

}  // namespace homeroom::domain
