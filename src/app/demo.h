#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace homeroom::app {

struct DemoLogin {
  std::string role, username, password;
};

struct DemoOptions {
  std::string data_dir;
  int64_t students = 600;  // a few schools of each kind
  uint64_t seed = 2026;
  // On the first run, also simulate the last full school week before today (sessions,
  // attendance, coursework; its pathway rules end with it: domain/synthetic_activity.h), so that
  // the analytics have data. Off by default: the browser tests start from a quiet district.
  bool simulate_last_week = false;
  std::string time_zone = "America/New_York";  // the district's (serve's --district-time-zone)
};

// Makes sure `data_dir` holds a demo district: on the first run generates a small OneRoster set
// with passwords, imports it into the store, and writes <data_dir>/demo-logins.json as
// [{"role","username","password"}] (one per role at least); with simulate_last_week, simulates
// that week over it. Later runs read that file back and change nothing.
// Synchronous (runs before the server starts). Fails when generation, import or the simulation
// fails (the logins file is then not written, so the next run starts over).
Result<std::vector<DemoLogin>> EnsureDemoDistrict(const DemoOptions& options);

// The logins as a table for the terminal.
std::string FormatDemoLogins(const std::vector<DemoLogin>& logins, const std::string& base_url);

}  // namespace homeroom::app
