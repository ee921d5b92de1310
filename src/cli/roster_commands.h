#pragma once

#include <CLI/CLI.hpp>

namespace homeroom::cli {

// Adds the roster subcommands to the `homeroom` binary:
//   import --data-dir D PATH [--dry-run] [--max-problems N]
//       Imports the OneRoster 1.1 CSV set in folder PATH into D/homeroom.db (migrating it first).
//       Exit code 0 when applied (or a clean dry run), 1 when the set has problems (nothing was
//       changed; the problems are printed), 2 on any other error.
//   generate-district --students N --seed S [--with-passwords] OUT
//       Writes a synthetic OneRoster district to folder OUT (exit 0, or 2 on error); with
//       --with-passwords prints one login per role.
// The commands' option values live in static storage; call once per process.
void AddRosterCommands(CLI::App& app);

}  // namespace homeroom::cli
