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
};

// Makes sure `data_dir` holds a demo district: on the first run generates a small OneRoster set
// with passwords, imports it into the store, and writes <data_dir>/demo-logins.json as
// [{"role","username","password"}] (one per role at least). Later runs read that file back.
// Synchronous (runs before the server starts). Fails when generation or import fails.
Result<std::vector<DemoLogin>> EnsureDemoDistrict(const DemoOptions& options);

// The logins as a table for the terminal.
std::string FormatDemoLogins(const std::vector<DemoLogin>& logins, const std::string& base_url);

}  // namespace homeroom::app
