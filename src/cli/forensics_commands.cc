#include "cli/forensics_commands.h"

#include <pwd.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <filesystem>
#include <iostream>

#include "core/clock.h"
#include "domain/forensics_report.h"
#include "domain/live_calendar.h"
#include "guard/activity_log.h"
#include "store/audit_store.h"
#include "store/database.h"

namespace homeroom::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 2;

std::string OsUser() {
  if (const passwd* pw = ::getpwuid(::geteuid())) return pw->pw_name;
  return "uid" + std::to_string(::geteuid());
}

}  // namespace

int RunForensics(const ForensicsArgs& args, std::ostream& out, std::ostream& err) {
  auto fail = [&err](const Status& s) {
    err << "homeroom forensics: " << s.ToString() << "\n";
    return kExitError;
  };
  if (args.format != "json" && args.format != "csv") {
    return fail(Status::InvalidArgument("--format must be json or csv"));
  }
  auto zone = domain::DistrictZone::Load(args.district_time_zone);
  if (!zone.ok()) return fail(zone.status());
  const domain::ForensicsOptions options;
  const int64_t now = SystemClock::Instance().NowMs();
  domain::ForensicsParams params{.from = args.from,
                                 .to = args.to,
                                 .top = args.top,
                                 .accounts_from = args.accounts_from,
                                 .accounts_to = args.accounts_to};
  auto query = domain::ParseForensicsQuery(params, *zone, now, options);
  if (!query.ok()) return fail(query.status());

  // Never create a store where there is none: that would be an empty report of the wrong place.
  const std::string path = args.data_dir + "/homeroom.db";
  if (!std::filesystem::exists(path)) {
    return fail(Status::NotFound("no store at " + path + " (check --data-dir)"));
  }
  auto db = store::Database::Open({.path = path, .readers = 1}, nullptr);
  if (!db.ok()) return fail(db.status());

  store::AuditEntry audit = domain::ForensicsAuditEntry(*query, args.format, "cli", now);
  audit.actor = "cli:" + (args.os_user.empty() ? OsUser() : args.os_user);
  audit.actor_ip = "local";
  Status recorded = (*db)->WriteSync(
      [&audit](sql::Connection& c) { return store::AuditStore::Append(c, audit).status(); });
  if (!recorded.ok()) return fail(recorded);

  const guard::ActivityLimits limits = guard::LimitsOf(guard::ActivityLogOptions{});
  std::optional<domain::ForensicsReport> report;
  Status read = (*db)->ReadSync([&](sql::Connection& c) -> Status {
    HR_ASSIGN_OR_RETURN(report, domain::BuildForensicsReport(c, *query, options, limits, now));
    return Status::Ok();
  });
  if (!read.ok()) return fail(read);
  if (args.format == "csv") {
    out << domain::ForensicsCsv(*report);
  } else {
    out << boost::json::serialize(domain::ForensicsJson(*report)) << "\n";
  }
  out.flush();
  return kExitOk;
}

void AddForensicsCommands(CLI::App& app) {
  static ForensicsArgs args;
  CLI::App* cmd = app.add_subcommand(
      "forensics",
      "Print the forensics report of a window: top sources and the accounts behind them");
  cmd->add_option("--data-dir", args.data_dir, "Directory of the SQLite store")
      ->envname("HOMEROOM_DATA_DIR")
      ->capture_default_str();
  cmd->add_option("--from", args.from,
                  "Start of the window, ISO 8601 (default: an hour before --to)");
  cmd->add_option("--to", args.to, "End of the window, exclusive, ISO 8601 (default: now)");
  cmd->add_option("--top", args.top, "Sources listed per scope, hosts and subnets (default 20)");
  cmd->add_option("--format", args.format, "json | csv")->capture_default_str();
  cmd->add_option("--accounts-from", args.accounts_from,
                  "Start of the sign-in window (default: --from)");
  cmd->add_option("--accounts-to", args.accounts_to, "End of the sign-in window (default: --to)");
  cmd->add_option("--district-time-zone", args.district_time_zone,
                  "Zone of times given without an offset")
      ->envname("HOMEROOM_DISTRICT_TIME_ZONE")
      ->capture_default_str();
  cmd->callback([] {
    int code = RunForensics(args, std::cout, std::cerr);
    if (code != kExitOk) std::exit(code);
  });
}

}  // namespace homeroom::cli
