// Coursework (docs/api.md, "Coursework"): POST /api/v1/files (a streamed upload), GET
// /files/{id}, GET/POST /sections/{id}/assignments, GET /assignments/{id}, PUT/GET
// /assignments/{id}/submission, GET /assignments/{id}/submissions, PUT /submissions/{id}/grade,
// GET /me/to-grade, GET /students/{id}/coursework. Each: decode -> load facts -> ask the policy ->
// call the coursework service -> encode.
#include <algorithm>
#include <boost/beast/http/field.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "api/routes.h"
#include "api/views.h"
#include "auth/policy.h"
#include "domain/coursework.h"
#include "domain/roster_service.h"
#include "http/json_codec.h"

namespace homeroom::api {
namespace {

namespace bhttp = boost::beast::http;
using auth::Action;
using http::RequestContext;
using http::Response;
using Task = boost::asio::awaitable<Result<Response>>;

boost::json::object FileJson(const store::FileRecord& f) {
  return boost::json::object{{"id", f.id},
                             {"name", f.name},
                             {"content_type", f.content_type},
                             {"size", f.size_bytes},
                             {"sha256", f.sha256},
                             {"created_at", FormatIsoUtc(f.created_ms)},
                             {"url", "/api/v1/files/" + std::to_string(f.id)}};
}

boost::json::array FilesJson(const std::vector<store::FileRecord>& files) {
  boost::json::array out;
  for (const auto& f : files) out.push_back(FileJson(f));
  return out;
}

boost::json::object AssignmentJson(const domain::CourseworkService& cw,
                                   const store::AssignmentRecord& a) {
  return boost::json::object{{"id", a.id},
                             {"section_id", a.section_id},
                             {"title", a.title},
                             {"instructions", a.instructions},
                             {"due_at", FormatIsoUtc(a.due_ms)},
                             {"due_local", cw.zone().FormatLocal(a.due_ms)},
                             {"time_zone", cw.zone().name()},
                             {"past_due", cw.NowMs() > a.due_ms},
                             {"points", a.points},
                             {"attachments", FilesJson(a.attachments)},
                             {"created_by", a.created_by},
                             {"created_at", FormatIsoUtc(a.created_ms)}};
}

boost::json::value GradeJson(const store::SubmissionRecord& s) {
  if (!s.score_centi) return nullptr;
  return boost::json::object{{"score", static_cast<double>(*s.score_centi) / 100.0},
                             {"comment", s.comment.value_or("")},
                             {"graded_by", s.graded_by.value_or(0)},
                             {"graded_at", FormatIsoUtc(s.graded_ms.value_or(0))}};
}

boost::json::object SubmissionJson(const store::SubmissionRecord& s) {
  boost::json::object o{{"id", s.id},
                        {"assignment_id", s.assignment_id},
                        {"student_id", s.student_id},
                        {"text", s.body},
                        {"submitted_at", FormatIsoUtc(s.submitted_ms)},
                        {"late", s.late},
                        {"files", FilesJson(s.files)},
                        {"grade", GradeJson(s)}};
  if (!s.student_name.empty()) o["student_name"] = s.student_name;
  return o;
}

Result<std::vector<int64_t>> IdList(const boost::json::object& body, std::string_view name) {
  std::vector<int64_t> ids;
  auto it = body.find(name);
  if (it == body.end() || it->value().is_null()) return ids;
  if (!it->value().is_array())
    return Status::InvalidArgument(std::string(name) + " must be an array of file ids");
  for (const auto& v : it->value().as_array()) {
    if (!v.is_int64())
      return Status::InvalidArgument(std::string(name) + " must be an array of file ids");
    ids.push_back(v.as_int64());
  }
  return ids;
}

Result<std::string> StringMember(const boost::json::object& body, std::string_view name) {
  auto it = body.find(name);
  if (it == body.end() || it->value().is_null()) return std::string();
  if (!it->value().is_string())
    return Status::InvalidArgument(std::string(name) + " must be a string");
  return std::string(it->value().as_string());
}

// The policy's target of the section with this id.
boost::asio::awaitable<Result<auth::Target>> TargetOfSection(Services& s, int64_t section_id) {
  HR_CO_ASSIGN_OR_RETURN(auto view, co_await s.roster.GetSection(section_id));
  co_return SectionTarget(view);
}

// The target of one student's submission in a section.
boost::asio::awaitable<Result<auth::Target>> SubmissionTarget(Services& s, int64_t section_id,
                                                              int64_t student_id) {
  HR_CO_ASSIGN_OR_RETURN(auth::Target target, co_await TargetOfSection(s, section_id));
  target.user_id = student_id;
  target.user_role = "student";
  co_return target;
}

Task Upload(Services& s, RequestContext& ctx) {
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kUploadFile, {}));
  // Only an upgrade request (which has no body) reaches this route unstreamed.
  if (!ctx.body) co_return Status::InvalidArgument("send the file as the request body");
  std::string name = ctx.Query("name").value_or("");
  std::string type(ctx.request[bhttp::field::content_type]);
  net::BodyReader* body = ctx.body;
  domain::ByteSource source = [body](std::span<char> buffer) { return body->Read(buffer); };
  HR_CO_ASSIGN_OR_RETURN(auto file, co_await s.coursework->StoreFile(
                                        ctx.principal->user_id, std::move(name), std::move(type),
                                        body->content_length(), std::move(source)));
  co_return http::JsonResponse(bhttp::status::created, FileJson(file));
}

// Who may read a file: its uploader; anyone who sees an assignment it is attached to; anyone who
// sees a submission it is part of. Everyone else gets 404, as if it did not exist.
Task Download(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto file, co_await s.coursework->GetFile(id));
  if (!file) co_return Status::NotFound("no such file");
  const auth::Principal& who = *ctx.principal;
  bool allowed = file->owner_id == who.user_id;
  if (!allowed) {
    HR_CO_ASSIGN_OR_RETURN(auto uses, co_await s.coursework->UsesOfFile(id));
    for (int64_t section_id : uses.assignment_section_ids) {
      if (allowed) break;
      HR_CO_ASSIGN_OR_RETURN(auto target, co_await TargetOfSection(s, section_id));
      allowed = auth::Authorize(who, Action::kViewCoursework, target).ok();
    }
    for (const auto& used : uses.submissions) {
      if (allowed) break;
      HR_CO_ASSIGN_OR_RETURN(auto target,
                             co_await SubmissionTarget(s, used.section_id, used.student_id));
      allowed = auth::Authorize(who, Action::kViewSubmission, target).ok();
    }
  }
  if (!allowed) co_return Status::NotFound("no such file");
  HR_CO_ASSIGN_OR_RETURN(std::string bytes, co_await s.coursework->ReadFile(*file));
  Response res(bhttp::status::ok, 11);
  res.set(bhttp::field::content_type, file->content_type);
  // Always a download, never rendered in Homeroom's origin; the name percent-encoded (RFC 6266).
  std::string encoded = boost::urls::encode(file->name, boost::urls::unreserved_chars);
  res.set(bhttp::field::content_disposition, "attachment; filename*=UTF-8''" + encoded);
  res.set(bhttp::field::cache_control, "private, no-store");
  res.set("Content-Security-Policy", "sandbox");
  res.body() = std::move(bytes);
  res.prepare_payload();
  co_return res;
}

Task ListAssignments(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t section_id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto target, co_await TargetOfSection(s, section_id));
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kViewCoursework, target));
  HR_CO_ASSIGN_OR_RETURN(auto list, co_await s.coursework->ListAssignments(section_id));
  boost::json::array items;
  for (const auto& a : list) items.push_back(AssignmentJson(*s.coursework, a));
  co_return http::JsonResponse(bhttp::status::ok, boost::json::object{{"items", std::move(items)}});
}

Task CreateAssignment(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t section_id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto target, co_await TargetOfSection(s, section_id));
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kManageCoursework, target));
  HR_CO_ASSIGN_OR_RETURN(auto body, http::ParseJsonObject(ctx.request, {}));
  domain::AssignmentInput in;
  in.section_id = section_id;
  HR_CO_ASSIGN_OR_RETURN(in.title, StringMember(body, "title"));
  HR_CO_ASSIGN_OR_RETURN(in.instructions, StringMember(body, "instructions"));
  HR_CO_ASSIGN_OR_RETURN(in.due, StringMember(body, "due_at"));
  if (in.due.empty()) co_return Status::InvalidArgument("due_at is required");
  auto points = body.find("points");
  if (points == body.end() || !points->value().is_int64()) {
    co_return Status::InvalidArgument("points must be an integer");
  }
  in.points = points->value().as_int64();
  HR_CO_ASSIGN_OR_RETURN(in.attachment_ids, IdList(body, "attachment_ids"));
  HR_CO_ASSIGN_OR_RETURN(
      auto saved, co_await s.coursework->CreateAssignment(std::move(in), ctx.principal->user_id));
  co_return http::JsonResponse(bhttp::status::created, AssignmentJson(*s.coursework, saved));
}

// An assignment; for a student, with their own submission ("submission": null when none).
Task GetAssignment(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto a, co_await s.coursework->GetAssignment(id));
  HR_CO_ASSIGN_OR_RETURN(auto target, co_await TargetOfSection(s, a.section_id));
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kViewCoursework, target));
  boost::json::object out = AssignmentJson(*s.coursework, a);
  if (ctx.principal->role == auth::Role::kStudent) {
    HR_CO_ASSIGN_OR_RETURN(auto mine,
                           co_await s.coursework->GetSubmission(id, ctx.principal->user_id));
    out["submission"] = mine ? boost::json::value(SubmissionJson(*mine)) : nullptr;
  }
  co_return http::JsonResponse(bhttp::status::ok, out);
}

Task Submit(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto a, co_await s.coursework->GetAssignment(id));
  HR_CO_ASSIGN_OR_RETURN(auto target, co_await TargetOfSection(s, a.section_id));
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kSubmitWork, target));
  HR_CO_ASSIGN_OR_RETURN(auto body, http::ParseJsonObject(ctx.request, {}));
  HR_CO_ASSIGN_OR_RETURN(std::string text, StringMember(body, "text"));
  HR_CO_ASSIGN_OR_RETURN(auto file_ids, IdList(body, "file_ids"));
  HR_CO_ASSIGN_OR_RETURN(auto saved,
                         co_await s.coursework->Submit(std::move(a), ctx.principal->user_id,
                                                       std::move(text), std::move(file_ids)));
  co_return http::JsonResponse(bhttp::status::ok, SubmissionJson(saved));
}

Task MySubmission(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto a, co_await s.coursework->GetAssignment(id));
  HR_CO_ASSIGN_OR_RETURN(auto target, co_await TargetOfSection(s, a.section_id));
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kSubmitWork, target));
  HR_CO_ASSIGN_OR_RETURN(auto mine,
                         co_await s.coursework->GetSubmission(id, ctx.principal->user_id));
  if (!mine) co_return Status::NotFound("you have not submitted this assignment");
  co_return http::JsonResponse(bhttp::status::ok, SubmissionJson(*mine));
}

Task ListSubmissions(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto a, co_await s.coursework->GetAssignment(id));
  HR_CO_ASSIGN_OR_RETURN(auto target, co_await TargetOfSection(s, a.section_id));
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kGradeWork, target));
  HR_CO_ASSIGN_OR_RETURN(auto list, co_await s.coursework->ListSubmissions(id));
  boost::json::array items;
  for (const auto& sub : list) items.push_back(SubmissionJson(sub));
  co_return http::JsonResponse(bhttp::status::ok,
                               boost::json::object{{"assignment", AssignmentJson(*s.coursework, a)},
                                                   {"items", std::move(items)}});
}

Task GradeSubmission(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto sub, co_await s.coursework->GetSubmissionById(id));
  HR_CO_ASSIGN_OR_RETURN(auto a, co_await s.coursework->GetAssignment(sub.assignment_id));
  HR_CO_ASSIGN_OR_RETURN(auto target, co_await TargetOfSection(s, a.section_id));
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kGradeWork, target));
  HR_CO_ASSIGN_OR_RETURN(auto body, http::ParseJsonObject(ctx.request, {}));
  auto score = body.find("score");
  if (score == body.end() || !score->value().is_number()) {
    co_return Status::InvalidArgument("score must be a number");
  }
  const double value = score->value().to_number<double>();
  HR_CO_ASSIGN_OR_RETURN(std::string comment, StringMember(body, "comment"));
  HR_CO_ASSIGN_OR_RETURN(auto graded,
                         co_await s.coursework->Grade(std::move(a), id, value, std::move(comment),
                                                      ctx.principal->user_id));
  co_return http::JsonResponse(bhttp::status::ok, SubmissionJson(graded));
}

// The caller's "to grade" queue: ungraded submissions in the sections they are enrolled in
// (a teacher's: the sections they teach).
Task ToGrade(Services& s, RequestContext& ctx) {
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kViewGradingQueue, {}));
  std::vector<int64_t> sections = ctx.principal->section_ids;
  HR_CO_ASSIGN_OR_RETURN(auto list, co_await s.coursework->ToGrade(std::move(sections)));
  boost::json::array items;
  for (const auto& sub : list) {
    HR_CO_ASSIGN_OR_RETURN(auto a, co_await s.coursework->GetAssignment(sub.assignment_id));
    boost::json::object o = SubmissionJson(sub);
    o["assignment"] = AssignmentJson(*s.coursework, a);
    items.push_back(std::move(o));
  }
  co_return http::JsonResponse(bhttp::status::ok, boost::json::object{{"items", std::move(items)}});
}

// A student's assignments with their submissions and grades: for the student, their guardians,
// their teachers and admins.
Task StudentWork(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto view, co_await s.roster.GetUser(id));
  auth::Target target = UserTarget(view);
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kViewStudentWork, target));
  if (view.user.role != "student") co_return Status::NotFound("no such student");
  HR_CO_ASSIGN_OR_RETURN(auto work, co_await s.coursework->StudentWork(id));
  const auth::Principal& who = *ctx.principal;
  // A teacher sees only the work of the sections they teach, a school admin that of their schools'
  // sections (the student may be enrolled in another school too); family and district admins all.
  std::vector<int64_t> visible = who.section_ids;
  if (who.role == auth::Role::kSchoolAdmin) {
    visible.clear();
    HR_CO_ASSIGN_OR_RETURN(auto sections, co_await s.roster.SectionsOfUser(id));
    for (const auto& section : sections) {
      if (std::find(who.school_ids.begin(), who.school_ids.end(), section.school_id) !=
          who.school_ids.end()) {
        visible.push_back(section.id);
      }
    }
  }
  const bool filtered = who.role == auth::Role::kTeacher || who.role == auth::Role::kSchoolAdmin;
  boost::json::array items;
  for (const auto& w : work) {
    if (filtered &&
        std::find(visible.begin(), visible.end(), w.assignment.section_id) == visible.end()) {
      continue;
    }
    boost::json::object o = AssignmentJson(*s.coursework, w.assignment);
    o["section_title"] = w.section_title;
    o["submission"] = w.submission ? boost::json::value(SubmissionJson(*w.submission)) : nullptr;
    items.push_back(std::move(o));
  }
  co_return http::JsonResponse(
      bhttp::status::ok, boost::json::object{{"student_id", id}, {"items", std::move(items)}});
}

}  // namespace

void AddCourseworkRoutes(http::Router& router, Services& s) {
  auto add = [&](bhttp::verb verb, const char* pattern, Task (*fn)(Services&, RequestContext&),
                 http::RouteOptions options = {}) {
    router.Add(
        verb, pattern, [&s, fn](RequestContext& c) { return fn(s, c); }, options);
  };
  // The body limit of an upload is the per-file limit: a larger Content-Length is refused before
  // a byte is read, a chunked body is cut there.
  add(bhttp::verb::post, "/api/v1/files", Upload,
      http::RouteOptions{.body_limit = s.coursework->options().max_file_bytes,
                         .stream_body = true});
  add(bhttp::verb::get, "/api/v1/files/{id}", Download);
  add(bhttp::verb::get, "/api/v1/sections/{id}/assignments", ListAssignments);
  add(bhttp::verb::post, "/api/v1/sections/{id}/assignments", CreateAssignment);
  add(bhttp::verb::get, "/api/v1/assignments/{id}", GetAssignment);
  add(bhttp::verb::put, "/api/v1/assignments/{id}/submission", Submit);
  add(bhttp::verb::get, "/api/v1/assignments/{id}/submission", MySubmission);
  add(bhttp::verb::get, "/api/v1/assignments/{id}/submissions", ListSubmissions);
  add(bhttp::verb::put, "/api/v1/submissions/{id}/grade", GradeSubmission);
  add(bhttp::verb::get, "/api/v1/me/to-grade", ToGrade);
  add(bhttp::verb::get, "/api/v1/students/{id}/coursework", StudentWork);
}

}  // namespace homeroom::api
