#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "auth/auth_service.h"

namespace homeroom::cli {

// Adds the account subcommands to the `homeroom` binary:
//   accounts issue-codes --data-dir D --school ID [--all] [--ttl-days 30] --out codes.csv
//       Issues one-time activation codes for the users of school ID who have no password yet (all
//       its users with --all; a user's earlier unused codes stop working) and writes them to a new
//       CSV file readable only by its owner: user_id,username,name,role,code,expires_at.
//       Exit code 0 on success, 2 on any error (nothing is issued when the file cannot be made).
// The options live in static storage; call once per process.
void AddAccountsCommands(CLI::App& app);

struct IssueCodesArgs {
  std::string data_dir = "var/data";  // the store is D/homeroom.db
  int64_t school_id = 0;
  bool all_users = false;
  int ttl_days = 30;  // 1..365
  std::string out;
};

// Runs `accounts issue-codes`; returns the exit code and writes errors to `err`. For the CLI and
// tests.
int RunIssueCodes(const IssueCodesArgs& args, std::ostream& err);

// The CSV the command writes (with header). Text fields are quoted when needed and a leading
// = + - @ is neutralised so spreadsheets do not run roster data as formulas.
std::string FormatCodesCsv(const std::vector<auth::IssuedCode>& codes);

}  // namespace homeroom::cli
