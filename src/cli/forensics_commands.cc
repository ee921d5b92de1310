#include "cli/forensics_commands.h"

#include <pwd.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <cctype>
#include <chrono>
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

// "--forensics-max-top" -> "HOMEROOM_FORENSICS_MAX_TOP", as `homeroom serve` names it.
std::string EnvName(const std::string& flag) {
  std::string env = "HOMEROOM_";
  for (char c : flag.substr(2)) env += c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return env;
}

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
  const domain::ForensicsOptions& options = args.report;
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

  const guard::ActivityLimits limits = args.limits;
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
  // The server's settings, under serve's names and environment variables (app/config.cc).
  const std::string g = "Server settings (as for serve)";
  auto size_option = [&](const std::string& flag, size_t& value, const std::string& help) {
    cmd->add_option(flag, value, help)->envname(EnvName(flag))->capture_default_str()->group(g);
  };
  auto int_option = [&](const std::string& flag, int& value, const std::string& help) {
    cmd->add_option(flag, value, help)->envname(EnvName(flag))->capture_default_str()->group(g);
  };
  auto hours_option = [&](const std::string& flag, std::chrono::hours& value,
                          const std::string& help) {
    cmd->add_option_function<int64_t>(
           flag, [&value](const int64_t& h) { value = std::chrono::hours(h); }, help)
        ->envname(EnvName(flag))
        ->default_str(std::to_string(value.count()))
        ->check(CLI::PositiveNumber)
        ->group(g);
  };
  size_option("--forensics-max-paths-per-source", args.limits.max_paths,
              "Distinct paths the server keeps per source per slice");
  size_option("--forensics-max-agents-per-source", args.limits.max_agents,
              "Distinct user agents the server keeps per source per slice");
  size_option("--forensics-max-accounts-per-source", args.limits.max_accounts,
              "Signed-in accounts the server remembers per source per slice");
  hours_option("--forensics-max-window-h", args.report.max_window,
               "Longest --from..--to of a report");
  hours_option("--forensics-max-accounts-window-h", args.report.max_accounts_window,
               "Longest --accounts-from..--accounts-to of a report");
  int_option("--forensics-default-top", args.report.default_top,
             "Top sources per scope without --top");
  int_option("--forensics-max-top", args.report.max_top, "Largest --top");
  size_option("--forensics-report-accounts-per-source", args.report.max_accounts_per_source,
              "Signed-in accounts listed per source in a report");
  cmd->callback([] {
    int code = RunForensics(args, std::cout, std::cerr);
    if (code != kExitOk) std::exit(code);
  });
}

}  // namespace homeroom::cli
