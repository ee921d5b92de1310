// Daily attendance (docs/api.md, "Daily attendance"): GET /api/v1/sections/{id}/daily-attendance
// (and .csv), PUT /api/v1/sections/{id}/daily-attendance/overrides, GET
// /api/v1/schools/{id}/daily-attendance (and .csv), GET and PUT /api/v1/attendance-policy.
// Each: decode -> load facts -> ask the policy -> call the daily attendance service -> encode.
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/routes.h"
#include "api/views.h"
#include "auth/policy.h"
#include "domain/daily_attendance.h"
#include "domain/roster_service.h"
#include "http/json_codec.h"

namespace homeroom::api {
namespace {

namespace bhttp = boost::beast::http;
namespace das = store::daily_attendance_store;
using auth::Action;
using http::RequestContext;
using http::Response;
using Task = boost::asio::awaitable<Result<Response>>;

boost::json::object PolicyJson(const domain::AttendancePolicy& p) {
  boost::json::object o{{"min_live_minutes", p.min_live_minutes},
                        {"count_submissions", p.count_submissions},
                        {"count_external_opens", p.count_external_opens},
                        {"updated_by", nullptr},
                        {"updated_at", nullptr}};
  if (p.updated_by) o["updated_by"] = *p.updated_by;
  if (p.updated_ms) o["updated_at"] = FormatIsoUtc(*p.updated_ms);
  return o;
}

boost::json::object DayJson(const std::string& date, const domain::DayAttendance& d) {
  boost::json::object o{{"date", date},
                        {"status", d.status},
                        {"basis", d.basis},
                        {"live_minutes", d.live_minutes},
                        {"submissions", d.submissions},
                        {"opened_external", d.opened_external},
                        {"override", nullptr}};
  if (d.override_record) {
    o["override"] = {{"status", d.override_record->status},
                     {"reason", d.override_record->reason},
                     {"set_by", d.override_record->set_by},
                     {"set_at", FormatIsoUtc(d.override_record->set_ms)}};
  }
  return o;
}

boost::json::object ReportJson(const domain::DailyAttendanceReport& r, std::string time_zone) {
  boost::json::array days, items, totals;
  for (const auto& day : r.days) days.emplace_back(day.ToString());
  std::vector<int64_t> present(r.days.size(), 0);
  for (const auto& row : r.rows) {
    boost::json::array row_days;
    for (size_t d = 0; d < r.days.size(); ++d) {
      row_days.push_back(DayJson(r.days[d].ToString(), row.days[d]));
      if (row.days[d].status == "present") ++present[d];
    }
    items.push_back(
        {{"section_id", row.section_id ? boost::json::value(row.section_id) : nullptr},
         {"section_title", row.section_id ? boost::json::value(row.section_title) : nullptr},
         {"student",
          {{"id", row.student.id},
           {"sourced_id", row.student.sourced_id},
           {"username", row.student.username},
           {"given_name", row.student.given_name},
           {"family_name", row.student.family_name}}},
         {"days", std::move(row_days)}});
  }
  for (size_t d = 0; d < r.days.size(); ++d) {
    totals.push_back({{"date", r.days[d].ToString()},
                      {"present", present[d]},
                      {"absent", static_cast<int64_t>(r.rows.size()) - present[d]}});
  }
  return {{"time_zone", std::move(time_zone)},
          {"policy", PolicyJson(r.policy)},
          {"days", std::move(days)},
          {"totals", std::move(totals)},
          {"items", std::move(items)}};
}

domain::AttendanceActor Actor(const RequestContext& ctx) {
  return {ctx.principal->user_id, ctx.principal->username, ctx.client_ip};
}

// The per-section report of the section named by the path, when the caller may see it.
boost::asio::awaitable<Result<domain::DailyAttendanceReport>> SectionReport(Services& s,
                                                                            RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto view, co_await s.roster.GetSection(id));
  HR_CO_RETURN_IF_ERROR(
      auth::Authorize(*ctx.principal, Action::kViewAttendance, SectionTarget(view)));
  HR_CO_ASSIGN_OR_RETURN(auto range, s.daily_attendance->Range(ctx.Query("from"), ctx.Query("to")));
  das::Scope scope{id, {}};
  co_return co_await s.daily_attendance->Report(scope, range.first, range.second);
}

// A school's combined report, for its admins.
boost::asio::awaitable<Result<domain::DailyAttendanceReport>> SchoolReport(Services& s,
                                                                           RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto school, co_await s.roster.GetSchool(id));
  HR_CO_RETURN_IF_ERROR(
      auth::Authorize(*ctx.principal, Action::kViewSchoolAttendance, {.school_ids = {school.id}}));
  HR_CO_ASSIGN_OR_RETURN(auto range, s.daily_attendance->Range(ctx.Query("from"), ctx.Query("to")));
  das::Scope scope{{}, id};
  HR_CO_ASSIGN_OR_RETURN(auto by_section,
                         co_await s.daily_attendance->Report(scope, range.first, range.second));
  co_return domain::CombineBySchool(by_section);
}

std::string FileName(std::string_view kind, int64_t id, const domain::DailyAttendanceReport& r) {
  std::string name = "daily-attendance-" + std::string(kind) + "-" + std::to_string(id);
  if (!r.days.empty()) name += "-" + r.days.front().ToString() + "-" + r.days.back().ToString();
  return name + ".csv";
}

Task GetSectionDaily(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(auto report, co_await SectionReport(s, ctx));
  co_return http::JsonResponse(bhttp::status::ok,
                               ReportJson(report, s.daily_attendance->time_zone()));
}

Task GetSectionDailyCsv(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(auto report, co_await SectionReport(s, ctx));
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  co_return CsvResponse(domain::DailyAttendanceCsv(report), FileName("section", id, report));
}

Task GetSchoolDaily(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(auto report, co_await SchoolReport(s, ctx));
  co_return http::JsonResponse(bhttp::status::ok,
                               ReportJson(report, s.daily_attendance->time_zone()));
}

Task GetSchoolDailyCsv(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(auto report, co_await SchoolReport(s, ctx));
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  co_return CsvResponse(domain::DailyAttendanceCsv(report), FileName("school", id, report));
}

// One student's days in each of their sections, and combined: for the student, their guardians,
// their teachers (only the sections they teach) and admins.
Task GetStudentDaily(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto view, co_await s.roster.GetUser(id));
  HR_CO_RETURN_IF_ERROR(
      auth::Authorize(*ctx.principal, Action::kViewStudentAttendance, UserTarget(view)));
  if (view.user.role != "student") co_return Status::NotFound("no such student");
  HR_CO_ASSIGN_OR_RETURN(auto range, s.daily_attendance->Range(ctx.Query("from"), ctx.Query("to")));
  das::Scope scope{.student_id = id};
  HR_CO_ASSIGN_OR_RETURN(auto report,
                         co_await s.daily_attendance->Report(scope, range.first, range.second));
  // A teacher sees the sections they teach, a school admin the sections of their schools (the
  // student may be enrolled in another school too); family and district admins see all.
  const auth::Principal& who = *ctx.principal;
  auto contains = [](const std::vector<int64_t>& ids, int64_t id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  };
  if (who.role == auth::Role::kTeacher) {
    std::erase_if(report.rows,
                  [&](const auto& row) { return !contains(who.section_ids, row.section_id); });
  } else if (who.role == auth::Role::kSchoolAdmin) {
    std::erase_if(report.rows,
                  [&](const auto& row) { return !contains(who.school_ids, row.school_id); });
  }
  domain::DailyAttendanceReport combined = domain::CombineBySchool(report);
  boost::json::object body = ReportJson(report, s.daily_attendance->time_zone());
  boost::json::array days;
  for (size_t d = 0; d < combined.days.size() && !combined.rows.empty(); ++d) {
    days.push_back(DayJson(combined.days[d].ToString(), combined.rows.front().days[d]));
  }
  body["combined"] = std::move(days);
  co_return http::JsonResponse(bhttp::status::ok, body);
}

Task PutOverride(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t section_id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto view, co_await s.roster.GetSection(section_id));
  HR_CO_RETURN_IF_ERROR(
      auth::Authorize(*ctx.principal, Action::kOverrideAttendance, SectionTarget(view)));
  HR_CO_ASSIGN_OR_RETURN(auto body, http::ParseJsonObject(ctx.request, {}));
  HR_CO_ASSIGN_OR_RETURN(auto student_id, http::IntMember(body, "student_id"));
  HR_CO_ASSIGN_OR_RETURN(auto date, http::StringMember(body, "date"));
  HR_CO_ASSIGN_OR_RETURN(auto status, http::StringMember(body, "status"));
  HR_CO_ASSIGN_OR_RETURN(auto reason, http::StringMember(body, "reason"));
  if (!student_id) co_return Status::InvalidArgument("student_id is required");
  if (!date) co_return Status::InvalidArgument("date is required (YYYY-MM-DD)");
  if (!status) co_return Status::InvalidArgument("status is required: present, absent or policy");
  domain::OverrideRequest request{section_id, *student_id, *date, *status, reason.value_or("")};
  domain::AttendanceActor by = Actor(ctx);
  HR_CO_ASSIGN_OR_RETURN(auto day,
                         co_await s.daily_attendance->Override(std::move(request), std::move(by)));
  boost::json::object out = DayJson(*date, day);
  out["section_id"] = section_id;
  out["student_id"] = *student_id;
  co_return http::JsonResponse(bhttp::status::ok, out);
}

Task GetPolicy(Services& s, RequestContext& ctx) {
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kViewAttendancePolicy, {}));
  HR_CO_ASSIGN_OR_RETURN(auto policy, co_await s.daily_attendance->Policy());
  co_return http::JsonResponse(bhttp::status::ok, PolicyJson(policy));
}

Task PutPolicy(Services& s, RequestContext& ctx) {
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kManageAttendancePolicy, {}));
  HR_CO_ASSIGN_OR_RETURN(auto body, http::ParseJsonObject(ctx.request, {}));
  HR_CO_ASSIGN_OR_RETURN(auto current, co_await s.daily_attendance->Policy());
  // Members left out keep their current value.
  HR_CO_ASSIGN_OR_RETURN(auto minutes, http::IntMember(body, "min_live_minutes"));
  HR_CO_ASSIGN_OR_RETURN(auto submissions, http::BoolMember(body, "count_submissions"));
  HR_CO_ASSIGN_OR_RETURN(auto opens, http::BoolMember(body, "count_external_opens"));
  domain::AttendancePolicy policy = current;
  if (minutes) policy.min_live_minutes = *minutes;
  if (submissions) policy.count_submissions = *submissions;
  if (opens) policy.count_external_opens = *opens;
  domain::AttendanceActor by = Actor(ctx);
  HR_CO_ASSIGN_OR_RETURN(auto saved,
                         co_await s.daily_attendance->SetPolicy(std::move(policy), std::move(by)));
  co_return http::JsonResponse(bhttp::status::ok, PolicyJson(saved));
}

}  // namespace

void AddDailyAttendanceRoutes(http::Router& router, Services& s) {
  HR_CHECK(s.daily_attendance != nullptr,
           "Services::daily_attendance must be set before the routes are added");
  auto add = [&](bhttp::verb method, const char* pattern, Task (*fn)(Services&, RequestContext&)) {
    router.Add(method, pattern, [&s, fn](RequestContext& c) { return fn(s, c); });
  };
  using bhttp::verb;
  add(verb::get, "/api/v1/sections/{id}/daily-attendance", GetSectionDaily);
  add(verb::get, "/api/v1/sections/{id}/daily-attendance.csv", GetSectionDailyCsv);
  add(verb::put, "/api/v1/sections/{id}/daily-attendance/overrides", PutOverride);
  add(verb::get, "/api/v1/schools/{id}/daily-attendance", GetSchoolDaily);
  add(verb::get, "/api/v1/schools/{id}/daily-attendance.csv", GetSchoolDailyCsv);
  add(verb::get, "/api/v1/students/{id}/daily-attendance", GetStudentDaily);
  add(verb::get, "/api/v1/attendance-policy", GetPolicy);
  add(verb::put, "/api/v1/attendance-policy", PutPolicy);
}

}  // namespace homeroom::api
