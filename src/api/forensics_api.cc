// Forensics and audit (docs/security.md, "Forensics and audit"): GET /api/v1/admin/forensics (the
// top sources of a window and the accounts behind them, JSON or CSV) and GET /api/v1/admin/audit.
// District admins only; every access is written to the audit log in the same transaction that
// flushes the activity log, so a report that was served was also recorded.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>

#include "api/routes.h"
#include "api/views.h"
#include "auth/policy.h"
#include "core/clock.h"
#include "domain/activity_recorder.h"
#include "domain/forensics_report.h"
#include "domain/live_schedule.h"
#include "http/json_codec.h"
#include "store/audit_store.h"
#include "store/database.h"

namespace homeroom::api {
namespace {

namespace bhttp = boost::beast::http;
using http::RequestContext;
using http::Response;
using Task = boost::asio::awaitable<Result<Response>>;

// GET /api/v1/admin/audit's window (docs/security.md, "Forensics and audit"): without ?from= it
// covers the day before ?to= (default: now); from..to may span at most 400 days, as long as
// entries are kept (--audit-retention-days' default), so one read can cover all of them.
constexpr std::chrono::hours kAuditDefaultWindow{24};
constexpr std::chrono::days kAuditMaxWindow{400};
constexpr int64_t kAuditDefaultWindowMs =
    std::chrono::duration_cast<std::chrono::milliseconds>(kAuditDefaultWindow).count();
constexpr int64_t kAuditMaxWindowMs =
    std::chrono::duration_cast<std::chrono::milliseconds>(kAuditMaxWindow).count();

store::AuditEntry Attributed(store::AuditEntry e, const RequestContext& ctx) {
  e.actor_user_id = ctx.principal->user_id;
  e.actor = ctx.principal->username;
  e.actor_ip = ctx.client_ip;
  return e;
}

// "2026-09-01T08:00:00.000Z" -> "20260901T080000Z", for a file name.
std::string FileTime(int64_t ms) {
  std::string iso = FormatIsoUtc(ms);
  std::string out;
  for (char c : iso.substr(0, 19)) {
    if (c != '-' && c != ':') out += c;
  }
  return out + "Z";
}

Task GetForensics(Services& s, RequestContext& ctx) {
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, auth::Action::kViewForensics, {}));
  const domain::ForensicsOptions& options = *s.forensics;
  domain::ForensicsParams params{.from = ctx.Query("from"),
                                 .to = ctx.Query("to"),
                                 .top = ctx.Query("top"),
                                 .accounts_from = ctx.Query("accounts_from"),
                                 .accounts_to = ctx.Query("accounts_to")};
  std::string format = ctx.Query("format").value_or("json");
  if (format != "json" && format != "csv") {
    co_return Status::InvalidArgument("format must be json or csv");
  }
  const int64_t now = SystemClock::Instance().NowMs();
  HR_CO_ASSIGN_OR_RETURN(domain::ForensicsQuery query,
                         domain::ParseForensicsQuery(params, s.live->zone(), now, options));

  // One write: what the activity log holds (so the report sees the current slice) and the audit
  // entry of this access. The log is drained on the writer thread, not on this I/O thread.
  domain::ActivityRecorder* recorder = s.activity;
  auto taken = std::make_shared<domain::ActivityRecorder::Flush>();
  store::AuditEntry audit = Attributed(domain::ForensicsAuditEntry(query, format, "api", now), ctx);
  auto write = [recorder, taken, audit](sql::Connection& c) -> Status {
    if (recorder) *taken = recorder->TakeFlush();
    HR_RETURN_IF_ERROR(taken->Write(c));
    return store::AuditStore::Append(c, audit).status();
  };
  Status written = co_await s.db.Write(std::move(write));
  if (recorder && taken->records) {
    recorder->CountFlush(*taken, written);
    if (!written.ok()) recorder->Restore(std::move(*taken));  // the next flush retries them
  }
  HR_CO_RETURN_IF_ERROR(written);

  // Merged with this node's configured bounds, whether or not this request flushed anything.
  const guard::ActivityLimits limits =
      recorder ? recorder->limits() : guard::LimitsOf(guard::ActivityLogOptions{});
  auto read = [query, options, limits, now](sql::Connection& c) {
    return domain::BuildForensicsReport(c, query, options, limits, now);
  };
  HR_CO_ASSIGN_OR_RETURN(domain::ForensicsReport report, co_await s.db.Read(std::move(read)));
  if (format == "json")
    co_return http::JsonResponse(bhttp::status::ok, domain::ForensicsJson(report));
  co_return CsvResponse(domain::ForensicsCsv(report), "forensics-" + FileTime(query.from_ms) + "-" +
                                                          FileTime(query.to_ms) + ".csv");
}

Task GetAudit(Services& s, RequestContext& ctx) {
  HR_CO_RETURN_IF_ERROR(auth::Authorize(*ctx.principal, auth::Action::kViewAuditLog, {}));
  HR_CO_ASSIGN_OR_RETURN(PageRequest page,
                         ParsePageRequest(ctx.Query("limit"), ctx.Query("cursor")));
  const int64_t now = SystemClock::Instance().NowMs();
  store::AuditQuery q;
  q.to_ms = now + 1;
  if (auto to = ctx.Query("to")) {
    HR_CO_ASSIGN_OR_RETURN(q.to_ms, domain::ParseInstant(*to, s.live->zone(), "to"));
  }
  q.from_ms = q.to_ms - kAuditDefaultWindowMs;
  if (auto from = ctx.Query("from")) {
    HR_CO_ASSIGN_OR_RETURN(q.from_ms, domain::ParseInstant(*from, s.live->zone(), "from"));
  }
  if (q.to_ms <= q.from_ms) co_return Status::InvalidArgument("to must be after from");
  if (q.to_ms - q.from_ms > kAuditMaxWindowMs) {
    co_return Status::InvalidArgument("from..to may span at most " +
                                      std::to_string(kAuditMaxWindow.count()) + " days");
  }
  q.action = ctx.Query("action");
  q.after_id = page.after_id;
  q.limit = page.limit > 0 ? page.limit : 100;

  boost::json::object detail{{"from", FormatIsoUtc(q.from_ms)}, {"to", FormatIsoUtc(q.to_ms)}};
  if (q.action) detail["action"] = *q.action;
  store::AuditEntry audit;
  audit.at_ms = now;
  audit.action = "audit.read";
  audit.detail = boost::json::serialize(detail);
  audit = Attributed(std::move(audit), ctx);
  auto write = [audit](sql::Connection& c) { return store::AuditStore::Append(c, audit).status(); };
  HR_CO_RETURN_IF_ERROR(co_await s.db.Write(std::move(write)));

  auto read = [q](sql::Connection& c) { return store::AuditStore::List(c, q); };
  HR_CO_ASSIGN_OR_RETURN(auto entries, co_await s.db.Read(std::move(read)));
  auto to_json = [](const store::AuditEntry& e) {
    boost::system::error_code ec;
    boost::json::value detail = boost::json::parse(e.detail, ec);
    boost::json::object o{
        {"id", e.id},         {"at", FormatIsoUtc(e.at_ms)},
        {"actor", e.actor},   {"actor_ip", e.actor_ip},
        {"action", e.action}, {"detail", ec ? boost::json::value(e.detail) : detail}};
    if (e.actor_user_id) {
      o["actor_user_id"] = *e.actor_user_id;
    } else {
      o["actor_user_id"] = nullptr;
    }
    return o;
  };
  co_return http::JsonResponse(bhttp::status::ok, PageJson(entries, to_json));
}

}  // namespace

void AddForensicsRoutes(http::Router& router, Services& s) {
  HR_CHECK(s.forensics != nullptr && s.live != nullptr,
           "Services::forensics and ::live must be set before the routes are added");
  auto add = [&](const char* pattern, Task (*fn)(Services&, RequestContext&)) {
    router.Add(bhttp::verb::get, pattern, [&s, fn](RequestContext& c) { return fn(s, c); });
  };
  add("/api/v1/admin/forensics", GetForensics);
  add("/api/v1/admin/audit", GetAudit);
}

}  // namespace homeroom::api
