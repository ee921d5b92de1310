#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <ostream>
#include <string>

#include "domain/forensics_report.h"
#include "guard/activity_log.h"

namespace homeroom::cli {

// Adds `homeroom forensics` to the binary:
//   forensics --data-dir D [--from ISO] [--to ISO] [--top N] [--format json|csv]
//             [--accounts-from ISO] [--accounts-to ISO] [--district-time-zone Z]
//       Prints the forensics report (the same as GET /api/v1/admin/forensics) for the window:
//       the top sources (hosts and subnets) with their requests, first and last seen, paths, user
//       agents, bytes, status classes and the accounts that signed in from them. Reads the store
//       directly, so it works while the server runs (SQLite WAL readers); it sees what the server
//       has flushed (--forensics-flush-interval-ms), not the server's unflushed memory. Each run
//       is recorded in the audit log as actor "cli:<os user>" from "local".
//       The server's settings that shape a report are read from the same flags and environment
//       variables as `homeroom serve` (--forensics-max-paths-per-source, ...-agents-...,
//       ...-accounts-per-source, --forensics-max-window-h, --forensics-max-accounts-window-h,
//       --forensics-default-top, --forensics-max-top, --forensics-report-accounts-per-source;
//       HOMEROOM_FORENSICS_*), so the CLI's report is the API's.
//       Exit code 0 on success, 2 on any error (message on stderr).
// The options live in static storage; call once per process.
void AddForensicsCommands(CLI::App& app);

struct ForensicsArgs {
  std::string data_dir = "var/data";  // the store is D/homeroom.db
  std::optional<std::string> from;    // as the API's query parameters (strings, parsed alike)
  std::optional<std::string> to;
  std::optional<std::string> top;
  std::optional<std::string> accounts_from;
  std::optional<std::string> accounts_to;
  std::string format = "json";  // json | csv
  // Times without an offset are read in this zone (the server's --district-time-zone).
  std::string district_time_zone = "America/New_York";
  // Who runs it, for the audit log; the OS user when empty.
  std::string os_user;
  // The bounds the server merged stored activity with (its --forensics-max-*-per-source), so the
  // CLI sums slices the way the server does; and the report's limits (serve's defaults).
  guard::ActivityLimits limits = guard::LimitsOf(guard::ActivityLogOptions{});
  domain::ForensicsOptions report;
};

// Runs `homeroom forensics`: the report on `out`, errors on `err`; returns the exit code. For the
// CLI and tests.
int RunForensics(const ForensicsArgs& args, std::ostream& out, std::ostream& err);

}  // namespace homeroom::cli
