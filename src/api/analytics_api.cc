// Analytics (docs/api.md, "Analytics"): GET /api/v1/analytics (and .csv) for district and school
// admins, GET /api/v1/analytics/decision-report (and .csv) and POST /api/v1/analytics/refresh for
// district admins. Each: decode -> ask the policy -> call the analytics service -> encode.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <charconv>

#include "api/routes.h"
#include "api/views.h"
#include "auth/policy.h"
#include "domain/analytics.h"
#include "http/json_codec.h"

namespace homeroom::api {
namespace {

namespace bhttp = boost::beast::http;
namespace as = store::analytics_store;
using auth::Action;
using http::RequestContext;
using http::Response;
using Task = boost::asio::awaitable<Result<Response>>;

boost::json::value Optional(const std::optional<double>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

boost::json::object MetricsJson(const as::EngagementCounts& c) {
  domain::EngagementMetrics m = domain::MetricsOf(c);
  return {{"live_attendance_rate", Optional(m.live_attendance_rate)},
          {"avg_live_minutes", Optional(m.avg_live_minutes)},
          {"submission_rate", Optional(m.submission_rate)},
          {"on_time_rate", Optional(m.on_time_rate)},
          {"avg_grade", Optional(m.avg_grade)},
          {"connection_problem_rate", Optional(m.connection_problem_rate)}};
}

boost::json::object CountsJson(const as::EngagementCounts& c) {
  return {{"section_days", c.section_days},
          {"live_sessions", c.live_sessions},
          {"expected_attendances", c.expected_attendances},
          {"attendances", c.attendances},
          {"timed_attendances", c.timed_attendances},
          {"live_minutes", c.live_seconds / 60},
          {"telemetry_attendances", c.telemetry_attendances},
          {"problem_attendances", c.problem_attendances},
          {"assignments_due", c.assignments_due},
          {"expected_submissions", c.expected_submissions},
          {"submissions", c.submissions},
          {"on_time_submissions", c.on_time_submissions},
          {"graded", c.graded}};
}

// A row with the keys of the grouped dimensions only.
boost::json::object RowJson(const as::GroupRow& row, const as::Grouping& g) {
  boost::json::object o;
  if (g.day) o["day"] = row.day;
  if (g.grade_band) {
    o["grade_band"] = row.grade_band ? boost::json::value(*row.grade_band) : nullptr;
  }
  if (g.school) o["school"] = {{"id", row.school_id}, {"name", row.school_name}};
  if (g.section) o["section"] = {{"id", row.section_id}, {"title", row.section_title}};
  if (g.pathway) o["pathway"] = row.pathway;
  o["metrics"] = MetricsJson(row.counts);
  o["counts"] = CountsJson(row.counts);
  return o;
}

void AddFreshness(boost::json::object& o, const domain::Freshness& f) {
  o["computed_at"] = f.computed_ms ? boost::json::value(FormatIsoUtc(*f.computed_ms)) : nullptr;
  boost::json::array missing;
  for (const auto& day : f.days_not_computed) missing.emplace_back(day.ToString());
  o["days_not_computed"] = std::move(missing);
}

// The query of GET /analytics(.csv), authorized: a school admin sees their schools' rows only.
Result<domain::AnalyticsQuery> DecodeQuery(Services& s, RequestContext& ctx) {
  const auth::Principal& who = *ctx.principal;
  domain::AnalyticsQuery q;
  HR_ASSIGN_OR_RETURN(q.grouping, domain::ParseGrouping(ctx.Query("by"), ctx.Query("per")));
  HR_ASSIGN_OR_RETURN(auto range, s.analytics->Range(ctx.Query("from"), ctx.Query("to"),
                                                     s.analytics->options().max_days));
  q.from = range.first;
  q.to = range.second;
  if (auto school = ctx.Query("school_id")) {
    int64_t id = 0;
    auto [end, error] = std::from_chars(school->data(), school->data() + school->size(), id);
    if (error != std::errc() || end != school->data() + school->size() || id <= 0) {
      return Status::InvalidArgument("school_id must be a positive integer");
    }
    HR_RETURN_IF_ERROR(auth::Authorize(who, Action::kViewAnalytics, {.school_ids = {id}}));
    q.school_ids = std::vector<int64_t>{id};
  } else if (!auth::SeesAllSchools(who)) {
    HR_RETURN_IF_ERROR(
        auth::Authorize(who, Action::kViewAnalytics, {.school_ids = who.school_ids}));
    q.school_ids = who.school_ids;
  }
  if (q.grouping.section && !q.school_ids) {
    return Status::InvalidArgument(
        "by=section needs a school_id (the district has too many sections "
        "for one report)");
  }
  return q;
}

boost::asio::awaitable<Result<domain::AnalyticsReport>> Report(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(auto query, DecodeQuery(s, ctx));
  co_return co_await s.analytics->Report(std::move(query));
}

std::string RangeName(std::string_view what, domain::LocalDate from, domain::LocalDate to) {
  return std::string(what) + "-" + from.ToString() + "-" + to.ToString() + ".csv";
}

Task GetAnalytics(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(auto report, co_await Report(s, ctx));
  const as::Grouping& g = report.query.grouping;
  boost::json::array by, rows;
  for (const auto& name : domain::GroupingNames(g)) by.emplace_back(name);
  for (const auto& row : report.rows) rows.push_back(RowJson(row, g));
  boost::json::object body{{"from", report.query.from.ToString()},
                           {"to", report.query.to.ToString()},
                           {"time_zone", s.analytics->zone().name()},
                           {"by", std::move(by)},
                           {"per", g.day ? "day" : "range"}};
  AddFreshness(body, report.freshness);
  body["rows"] = std::move(rows);
  co_return http::JsonResponse(bhttp::status::ok, body);
}

Task GetAnalyticsCsv(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(auto report, co_await Report(s, ctx));
  co_return CsvResponse(domain::AnalyticsCsv(report),
                        RangeName("analytics", report.query.from, report.query.to));
}

boost::asio::awaitable<Result<domain::DecisionReport>> Decision(Services& s, RequestContext& ctx) {
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kViewDecisionReport, {}));
  HR_CO_ASSIGN_OR_RETURN(auto range, s.analytics->Range(ctx.Query("from"), ctx.Query("to"),
                                                        s.analytics->options().max_days));
  co_return co_await s.analytics->Decide(range.first, range.second);
}

Task GetDecisionReport(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(auto report, co_await Decision(s, ctx));
  auto list = [](const std::vector<as::GroupRow>& rows, as::Grouping g) {
    boost::json::array out;
    for (const auto& row : rows) out.push_back(RowJson(row, g));
    return out;
  };
  boost::json::object body{{"from", report.from.ToString()},
                           {"to", report.to.ToString()},
                           {"time_zone", s.analytics->zone().name()}};
  AddFreshness(body, report.freshness);
  body["district"] = {{"metrics", MetricsJson(report.district)},
                      {"counts", CountsJson(report.district)}};
  body["grade_bands"] = list(report.grade_bands, {.grade_band = true});
  body["pathways"] = list(report.pathways, {.pathway = true});
  body["cohorts"] = list(report.cohorts, {.grade_band = true, .pathway = true});
  body["daily"] = list(report.daily, {.day = true, .grade_band = true, .pathway = true});
  co_return http::JsonResponse(bhttp::status::ok, body);
}

Task GetDecisionReportCsv(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(auto report, co_await Decision(s, ctx));
  co_return CsvResponse(domain::DecisionReportCsv(report),
                        RangeName("decision-report", report.from, report.to));
}

Task PostRefresh(Services& s, RequestContext& ctx) {
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kRefreshAnalytics, {}));
  HR_CO_ASSIGN_OR_RETURN(auto body, http::ParseJsonObject(ctx.request, {}));
  HR_CO_ASSIGN_OR_RETURN(auto from, http::StringMember(body, "from"));
  HR_CO_ASSIGN_OR_RETURN(auto to, http::StringMember(body, "to"));
  HR_CO_ASSIGN_OR_RETURN(auto range,
                         s.analytics->Range(from, to, s.analytics->options().max_refresh_days));
  HR_CO_ASSIGN_OR_RETURN(auto days, co_await s.analytics->Refresh(range.first, range.second));
  boost::json::array list;
  for (const auto& day : days) list.emplace_back(day.ToString());
  co_return http::JsonResponse(bhttp::status::ok, {{"days", std::move(list)}});
}

}  // namespace

void AddAnalyticsRoutes(http::Router& router, Services& s) {
  HR_CHECK(s.analytics != nullptr, "Services::analytics must be set before the routes are added");
  auto add = [&](bhttp::verb method, const char* pattern, Task (*fn)(Services&, RequestContext&)) {
    router.Add(method, pattern, [&s, fn](RequestContext& c) { return fn(s, c); });
  };
  using bhttp::verb;
  add(verb::get, "/api/v1/analytics", GetAnalytics);
  add(verb::get, "/api/v1/analytics.csv", GetAnalyticsCsv);
  add(verb::get, "/api/v1/analytics/decision-report", GetDecisionReport);
  add(verb::get, "/api/v1/analytics/decision-report.csv", GetDecisionReportCsv);
  add(verb::post, "/api/v1/analytics/refresh", PostRefresh);
}

}  // namespace homeroom::api
