#include "cli/simulate_commands.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "core/clock.h"
#include "domain/live_schedule.h"
#include "domain/synthetic_activity.h"
#include "store/database.h"

namespace homeroom::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 2;

}  // namespace

int RunSimulate(const SimulateArgs& args, std::ostream& out, std::ostream& err) {
  auto fail = [&err](const Status& s) {
    err << "homeroom simulate-activity: " << s.ToString() << "\n";
    return kExitError;
  };
  // Never create a store where there is none: there would be no roster to simulate.
  const std::string path = args.data_dir + "/homeroom.db";
  if (!std::filesystem::exists(path)) {
    return fail(Status::NotFound("no store at " + path + " (import a roster first)"));
  }
  auto db = store::Database::Open({.path = path, .readers = 1}, nullptr);
  if (!db.ok()) return fail(db.status());
  auto conn = (*db)->OpenConnection();
  if (!conn.ok()) return fail(conn.status());

  domain::SimulateActivityOptions options;
  options.first_day = args.from;
  options.school_days = args.days;
  options.seed = args.seed;
  options.time_zone = args.district_time_zone.empty() ? domain::LiveOptions{}.district_time_zone
                                                      : args.district_time_zone;
  options.external_grade_band = args.external_grade_band;
  options.cache_bytes = args.cache_mib << 20;
  options.now_ms = args.now_ms != 0 ? args.now_ms : SystemClock::Instance().NowMs();
  auto started = std::chrono::steady_clock::now();
  auto summary = domain::SimulateActivity(**conn, options);
  if (!summary.ok()) return fail(summary.status());
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  out << fmt::format("simulated {} school days from {}: {} in {:.1f} s\n", args.days, args.from,
                     summary->ToString(), seconds);
  out.flush();
  return kExitOk;
}

void AddSimulateCommands(CLI::App& app) {
  static SimulateArgs args;
  args.district_time_zone = domain::LiveOptions{}.district_time_zone;
  CLI::App* cmd = app.add_subcommand(
      "simulate-activity",
      "Write a simulated week of activity over an imported roster (benchmarks and demos only)");
  cmd->add_option("--data-dir", args.data_dir, "Directory of the SQLite store")
      ->envname("HOMEROOM_DATA_DIR")
      ->capture_default_str();
  cmd->add_option("--from", args.from, "First school day, YYYY-MM-DD")->required();
  cmd->add_option("--days", args.days, "School days (Monday to Friday; weekends are skipped)")
      ->capture_default_str();
  cmd->add_option("--seed", args.seed, "Seed (same seed and roster, same activity)")
      ->capture_default_str();
  cmd->add_option("--external-grade-band", args.external_grade_band,
                  "Grade band the district sends to the external pathway: prek-5, 6-12, or "
                  "empty for none")
      ->capture_default_str();
  cmd->add_option("--district-time-zone", args.district_time_zone,
                  "The district's IANA time zone (as for serve): school hours are local")
      ->envname("HOMEROOM_DISTRICT_TIME_ZONE")
      ->capture_default_str();
  cmd->add_option("--cache-mib", args.cache_mib,
                  "SQLite page cache while it writes (MiB): the indexes written in random order "
                  "stay in memory")
      ->capture_default_str();
  cmd->callback([] { std::exit(RunSimulate(args, std::cout, std::cerr)); });
}

}  // namespace homeroom::cli
