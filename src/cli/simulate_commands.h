#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <ostream>
#include <string>

namespace homeroom::cli {

// Adds `homeroom simulate-activity` to the binary:
//   simulate-activity --data-dir D --from YYYY-MM-DD [--days 5] [--seed 1]
//                     [--external-grade-band 6-12] [--district-time-zone Z] [--cache-mib 512]
//       Writes a simulated stretch of school days (Monday to Friday) of activity over the roster
//       imported into D/homeroom.db: live sessions with attendance or external opens and
//       reports, reconnects and their client events, assignments, submissions and grades, and
//       the pathway rules that put the band on the external pathway (domain/synthetic_activity.h;
//       docs/operations.md, "Simulated activity"). For benchmarks and demos, never a production
//       store. All or nothing; refused when the days already have live sessions. Prints one line
//       of rows per table and the seconds it took.
//       Exit code 0 on success, 2 on any error (message on stderr).
// The options live in static storage; call once per process.
void AddSimulateCommands(CLI::App& app);

struct SimulateArgs {
  std::string data_dir = "var/data";  // the store is D/homeroom.db; it must exist
  std::string from;                   // first day, YYYY-MM-DD
  int days = 5;                       // school days
  uint64_t seed = 1;
  std::string external_grade_band = "6-12";  // "prek-5" | "6-12" | "" (none)
  std::string district_time_zone;            // empty: serve's default
  int64_t now_ms = 0;                        // 0: the clock's now
  size_t cache_mib = 512;  // SQLite page cache while it writes (store/synthetic_activity.h)
};

// Runs `homeroom simulate-activity`: the summary on `out`, errors on `err`; returns the exit code.
// For the CLI and tests.
int RunSimulate(const SimulateArgs& args, std::ostream& out, std::ostream& err);

}  // namespace homeroom::cli
