// The `homeroom` binary: one subcommand per job (docs/operations.md lists them).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "app/app.h"
#include "app/config.h"
#include "app/demo.h"
#include "cli/accounts_commands.h"
#include "cli/forensics_commands.h"
#include "cli/guard_commands.h"
#include "cli/media_commands.h"
#include "cli/roster_commands.h"
#include "cli/simulate_commands.h"
#include "store/database.h"
#include "store/migrations.h"

namespace homeroom::cli {
namespace {

void AddServeCommand(CLI::App& root, app::AppConfig& config) {
  CLI::App* serve = root.add_subcommand("serve", "Run the Homeroom server");
  app::AddServeOptions(*serve, config);
  serve->callback([&config] { std::exit(app::RunServe(config)); });
}

void AddDemoCommand(CLI::App& root, app::AppConfig& config, app::DemoOptions& demo) {
  CLI::App* cmd = root.add_subcommand(
      "demo",
      "Create a demo district on first run (in --data-dir), print its logins, and serve it");
  app::AddServeOptions(*cmd, config);
  cmd->add_option("--students", demo.students, "Students in the demo district")
      ->capture_default_str()
      ->group("Demo");
  cmd->add_option("--seed", demo.seed, "Seed of the generated district")
      ->capture_default_str()
      ->group("Demo");
  cmd->add_flag("--simulate-last-week", demo.simulate_last_week,
                "On first run, also simulate the last full school week (analytics data)")
      ->group("Demo");
  cmd->callback([&config, &demo] {
    demo.data_dir = config.data_dir;
    demo.time_zone = config.live.district_time_zone;
    auto logins = app::EnsureDemoDistrict(demo);
    if (!logins.ok()) {
      std::fprintf(stderr, "homeroom demo: %s\n", logins.status().ToString().c_str());
      std::exit(1);
    }
    std::string url = "http://" + config.listen;
    std::fputs(app::FormatDemoLogins(*logins, url).c_str(), stdout);
    std::fflush(stdout);
    std::exit(app::RunServe(config));
  });
}

void AddMigrateCommand(CLI::App& root) {
  static std::string data_dir = "var/data";
  CLI::App* cmd = root.add_subcommand("migrate", "Apply pending schema migrations and exit");
  cmd->add_option("--data-dir", data_dir, "Directory of the SQLite store")
      ->envname("HOMEROOM_DATA_DIR")
      ->capture_default_str();
  cmd->callback([] {
    std::error_code mkdir_error;
    std::filesystem::create_directories(data_dir, mkdir_error);
    auto db = store::Database::Open({.path = data_dir + "/homeroom.db"}, nullptr);
    if (!db.ok()) {
      std::fprintf(stderr, "homeroom migrate: %s\n", db.status().ToString().c_str());
      std::exit(1);
    }
    std::printf("schema at version %d\n", store::LatestSchemaVersion());
  });
}

}  // namespace
}  // namespace homeroom::cli

int main(int argc, char** argv) {
  using namespace homeroom;
  CLI::App root("Homeroom: a district's live-learning platform", "homeroom");
  root.require_subcommand(1);
  root.set_version_flag("--version", "homeroom 0.1.0");
  app::AppConfig config;
  app::AppConfig demo_config;
  demo_config.data_dir = "var/demo";
  app::DemoOptions demo;
  cli::AddServeCommand(root, config);
  cli::AddDemoCommand(root, demo_config, demo);
  cli::AddMigrateCommand(root);
  cli::AddRosterCommands(root);
  cli::AddSimulateCommands(root);
  cli::AddAccountsCommands(root);
  cli::AddForensicsCommands(root);
  cli::AddGuardCommands(root);
  cli::AddMediaCommands(root);
  CLI11_PARSE(root, argc, argv);
  return 0;
}
