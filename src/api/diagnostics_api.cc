// Diagnostics for support staff (docs/api.md, "Diagnostics" and "Client telemetry"):
// GET /api/v1/users/{id}/diagnostics (the timeline with its verdict) and
// GET /api/v1/users/{id}/client-events (what the user's devices reported). The user's school
// admins and district admins. Each: decode -> load the user -> ask the policy -> read -> encode.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "api/routes.h"
#include "auth/policy.h"
#include "domain/client_telemetry.h"
#include "domain/diagnostics.h"
#include "domain/live_calendar.h"
#include "domain/live_schedule.h"
#include "domain/roster_service.h"
#include "http/json_codec.h"

namespace homeroom::api {
namespace {

namespace bhttp = boost::beast::http;
using auth::Action;
using http::RequestContext;
using http::Response;
using Task = boost::asio::awaitable<Result<Response>>;

// The longest range one read covers, and the range without ?from= (the day before ?to=).
constexpr int64_t kMaxRangeMs = 31LL * 24 * 60 * 60 * 1000;
constexpr int64_t kDefaultRangeMs = 24 * 60 * 60 * 1000;

struct Subject {
  store::User user;
  int64_t from_ms = 0;
  int64_t to_ms = 0;
};

// `?name=` as epoch milliseconds (ISO 8601; without an offset, the district's time), or
// `fallback` when absent.
Result<int64_t> InstantParam(Services& s, const RequestContext& ctx, std::string_view name,
                             int64_t fallback) {
  auto text = ctx.Query(name);
  if (!text) return fallback;
  return domain::ParseInstant(*text, s.live->zone(), name);
}

// The user of the path (if the caller may diagnose them) and the range asked for.
boost::asio::awaitable<Result<Subject>> Load(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(int64_t id, ctx.PathInt("id"));
  HR_CO_ASSIGN_OR_RETURN(auto view, co_await s.roster.GetUser(id));
  auth::Target target{
      .user_id = view.user.id, .user_role = view.user.role, .school_ids = view.user.school_ids};
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, Action::kViewDiagnostics, target));
  Subject subject{.user = view.user};
  // Without ?to= the range runs to now, included: what happened this millisecond counts.
  const int64_t now = SystemClock::Instance().NowMs();
  HR_CO_ASSIGN_OR_RETURN(subject.to_ms, InstantParam(s, ctx, "to", now + 1));
  HR_CO_ASSIGN_OR_RETURN(subject.from_ms,
                         InstantParam(s, ctx, "from", subject.to_ms - kDefaultRangeMs));
  if (subject.from_ms >= subject.to_ms) co_return Status::InvalidArgument("from must be before to");
  if (subject.to_ms - subject.from_ms > kMaxRangeMs) {
    co_return Status::InvalidArgument("from..to may span at most 31 days");
  }
  co_return subject;
}

boost::json::object UserJson(const store::User& u) {
  return {{"id", u.id},
          {"username", u.username},
          {"name", u.given_name + " " + u.family_name},
          {"role", u.role}};
}

boost::json::object EventJson(const store::ClientEventRecord& e) {
  boost::system::error_code ec;
  boost::json::value detail = boost::json::parse(e.detail, ec);  // stored by this server: valid
  return {{"id", e.id},
          {"kind", e.kind},
          {"at", FormatIsoUtc(e.at_ms)},
          {"received_at", FormatIsoUtc(e.received_ms)},
          {"ip", e.ip},
          {"user_agent", e.user_agent},
          {"page", e.page},
          {"detail", ec ? boost::json::value(boost::json::object()) : std::move(detail)}};
}

Task ClientEvents(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(auto subject, co_await Load(s, ctx));
  HR_CO_ASSIGN_OR_RETURN(
      auto events, co_await s.telemetry->ForUser(subject.user.id, subject.from_ms, subject.to_ms));
  boost::json::array items;
  for (const auto& e : events) items.push_back(EventJson(e));
  co_return http::JsonResponse(
      bhttp::status::ok, boost::json::object{{"user_id", subject.user.id},
                                             {"from", FormatIsoUtc(subject.from_ms)},
                                             {"to", FormatIsoUtc(subject.to_ms)},
                                             {"items", std::move(items)},
                                             {"truncated", static_cast<int64_t>(events.size()) ==
                                                               s.telemetry->options().max_read}});
}

Task Diagnostics(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(auto subject, co_await Load(s, ctx));
  HR_CO_ASSIGN_OR_RETURN(auto timeline,
                         co_await s.diagnostics->ForUser(subject.user.id, subject.user.username,
                                                         subject.from_ms, subject.to_ms));
  boost::json::array items;
  for (auto& i : timeline.items) {
    boost::json::object o{
        {"at", FormatIsoUtc(i.at_ms)},
        {"kind", i.kind},
        {"origin", i.origin},
        {"ip", i.ip.empty() ? boost::json::value(nullptr) : boost::json::value(i.ip)},
        {"detail", std::move(i.detail)}};
    items.push_back(std::move(o));
  }
  co_return http::JsonResponse(bhttp::status::ok,
                               boost::json::object{{"user", UserJson(subject.user)},
                                                   {"from", FormatIsoUtc(subject.from_ms)},
                                                   {"to", FormatIsoUtc(subject.to_ms)},
                                                   {"verdict", timeline.verdict},
                                                   {"truncated", timeline.truncated},
                                                   {"items", std::move(items)}});
}

}  // namespace

void AddDiagnosticsRoutes(http::Router& router, Services& s) {
  auto add = [&](bhttp::verb verb, const char* pattern, Task (*fn)(Services&, RequestContext&)) {
    router.Add(verb, pattern, [&s, fn](RequestContext& c) { return fn(s, c); });
  };
  add(bhttp::verb::get, "/api/v1/users/{id}/diagnostics", Diagnostics);
  add(bhttp::verb::get, "/api/v1/users/{id}/client-events", ClientEvents);
}

}  // namespace homeroom::api
