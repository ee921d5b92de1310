#include "app/demo.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/clock.h"
#include "domain/live_calendar.h"
#include "domain/synthetic_activity.h"
#include "roster/generator.h"
#include "roster/importer.h"
#include "store/database.h"

namespace homeroom::app {
namespace {

namespace fs = std::filesystem;

Result<std::vector<DemoLogin>> ReadLogins(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text.str(), ec);
  if (ec || !v.is_array()) return Status::Internal(file.string() + " is not a JSON array");
  std::vector<DemoLogin> logins;
  for (const auto& item : v.as_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    auto str = [&](const char* k) {
      auto* p = o.if_contains(k);
      return p && p->is_string() ? std::string(p->as_string()) : std::string();
    };
    logins.push_back({str("role"), str("username"), str("password")});
  }
  return logins;
}

Status WriteLogins(const fs::path& file, const std::vector<DemoLogin>& logins) {
  boost::json::array out;
  for (const auto& l : logins) {
    out.push_back({{"role", l.role}, {"username", l.username}, {"password", l.password}});
  }
  fs::path tmp = file;
  tmp += ".tmp";
  {
    std::ofstream f(tmp);
    f << boost::json::serialize(out) << "\n";
    if (!f) return Status::Internal("cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) return Status::Internal("cannot write " + file.string() + ": " + ec.message());
  return Status::Ok();
}

// The last full school week before today in the district's zone, with the external pathway
// for grades 6-12 during that week only.
Status SimulateLastWeek(sql::Connection& conn, const DemoOptions& options) {
  HR_ASSIGN_OR_RETURN(auto zone, domain::DistrictZone::Load(options.time_zone));
  const int64_t now = SystemClock::Instance().NowMs();
  HR_ASSIGN_OR_RETURN(auto today,
                      domain::ParseLocalDate(zone.FormatLocal(now).substr(0, 10), "today"));
  domain::SimulateActivityOptions simulate{
      .first_day = domain::LastFullSchoolWeekBefore(today).ToString(),
      .school_days = 5,
      .seed = options.seed,
      .time_zone = options.time_zone,
      .external_grade_band = "6-12",
      .now_ms = now,
      .rules_end_after_days = true};
  return domain::SimulateActivity(conn, simulate).status();
}

}  // namespace

Result<std::vector<DemoLogin>> EnsureDemoDistrict(const DemoOptions& options) {
  fs::path dir(options.data_dir);
  fs::path logins_file = dir / "demo-logins.json";
  if (fs::exists(logins_file)) return ReadLogins(logins_file);

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Unavailable("cannot create " + dir.string() + ": " + ec.message(), 5);
  fs::path roster_dir = dir / "demo-roster";
  HR_ASSIGN_OR_RETURN(auto generated, roster::GenerateDistrict({.students = options.students,
                                                                .seed = options.seed,
                                                                .out_dir = roster_dir.string(),
                                                                .with_passwords = true}));

  HR_ASSIGN_OR_RETURN(auto db,
                      store::Database::Open({.path = (dir / "homeroom.db").string()}, nullptr));
  HR_ASSIGN_OR_RETURN(auto conn, db->OpenConnection());
  HR_ASSIGN_OR_RETURN(auto report,
                      roster::ImportOneRoster(*conn, {.path = roster_dir.string(),
                                                      .now_ms = SystemClock::Instance().NowMs()}));
  if (!report.applied) {
    return Status::Internal("the demo roster did not import:\n" + report.Summary());
  }
  if (options.simulate_last_week) HR_RETURN_IF_ERROR(SimulateLastWeek(*conn, options));
  std::vector<DemoLogin> logins;
  for (const auto& g : generated) logins.push_back({g.role, g.username, g.password});
  HR_RETURN_IF_ERROR(WriteLogins(logins_file, logins));
  return logins;
}

std::string FormatDemoLogins(const std::vector<DemoLogin>& logins, const std::string& base_url) {
  std::string out = fmt::format("\nHomeroom demo district at {}\n\n  {:<16} {:<28} {}\n", base_url,
                                "role", "username", "password");
  for (const auto& l : logins)
    out += fmt::format("  {:<16} {:<28} {}\n", l.role, l.username, l.password);
  out += fmt::format("\nOpen {} in a browser and sign in with one of these.\n", base_url);
  out += fmt::format(
      "\nOr try: curl -s -X POST {0}/api/v1/auth/login -H 'Content-Type: application/json' \\\n"
      "       -d '{{\"username\":\"{1}\",\"password\":\"{2}\"}}'\n"
      "then: curl -s {0}/api/v1/me -H 'Authorization: Bearer <token>'\n\n",
      base_url, logins.empty() ? "" : logins.front().username,
      logins.empty() ? "" : logins.front().password);
  return out;
}

}  // namespace homeroom::app
