#include "cli/roster_commands.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/clock.h"
#include "roster/generator.h"
#include "roster/importer.h"
#include "store/database.h"

namespace homeroom::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitProblems = 1;
constexpr int kExitError = 2;

struct ImportArgs {
  std::string data_dir = "var/data";
  std::string path;
  bool dry_run = false;
  size_t max_problems = 1000;
};

struct GenerateArgs {
  int64_t students = 1000;
  uint64_t seed = 1;
  bool with_passwords = false;
  std::string out;
};

int RunImport(const ImportArgs& args) {
  // The first import usually goes into a new data directory: make it.
  std::error_code mkdir_error;
  std::filesystem::create_directories(args.data_dir, mkdir_error);
  auto db = store::Database::Open({.path = args.data_dir + "/homeroom.db"}, nullptr);
  if (!db.ok()) {
    std::fprintf(stderr, "homeroom import: %s\n", db.status().ToString().c_str());
    return kExitError;
  }
  auto conn = (*db)->OpenConnection();
  if (!conn.ok()) {
    std::fprintf(stderr, "homeroom import: %s\n", conn.status().ToString().c_str());
    return kExitError;
  }
  roster::ImportOptions options;
  options.path = args.path;
  options.now_ms = SystemClock::Instance().NowMs();
  options.max_reported_problems = args.max_problems;
  options.dry_run = args.dry_run;
  auto report = roster::ImportOneRoster(**conn, options);
  if (!report.ok()) {
    std::fprintf(stderr, "homeroom import: %s\n", report.status().ToString().c_str());
    return kExitError;
  }
  std::string summary = report->Summary();
  if (report->problem_count > 0) {
    std::fputs(summary.c_str(), stderr);
    return kExitProblems;
  }
  std::fputs(summary.c_str(), stdout);
  return kExitOk;
}

int RunGenerate(const GenerateArgs& args) {
  roster::GenerateOptions options;
  options.students = args.students;
  options.seed = args.seed;
  options.out_dir = args.out;
  options.with_passwords = args.with_passwords;
  auto logins = roster::GenerateDistrict(options);
  if (!logins.ok()) {
    std::fprintf(stderr, "homeroom generate-district: %s\n", logins.status().ToString().c_str());
    return kExitError;
  }
  std::printf("wrote a OneRoster 1.1 district of %lld students to %s\n",
              static_cast<long long>(args.students), args.out.c_str());
  for (const auto& login : *logins) {
    std::printf("%-15s %-32s %s\n", login.role.c_str(), login.username.c_str(),
                login.password.c_str());
  }
  return kExitOk;
}

}  // namespace

void AddRosterCommands(CLI::App& app) {
  static ImportArgs import_args;
  CLI::App* import =
      app.add_subcommand("import", "Import a OneRoster 1.1 CSV set (a folder or a .zip)");
  import->add_option("--data-dir", import_args.data_dir, "Directory of the SQLite store")
      ->envname("HOMEROOM_DATA_DIR")
      ->capture_default_str();
  import->add_option("path", import_args.path, "Folder or .zip with manifest.csv")->required();
  import->add_flag("--dry-run", import_args.dry_run, "Validate and count, change nothing");
  import->add_option("--max-problems", import_args.max_problems, "Problems listed at most")
      ->capture_default_str();
  import->callback([] { std::exit(RunImport(import_args));
});

static GenerateArgs generate_args;
CLI::App* generate =
    app.add_subcommand("generate-district", "Write a synthetic OneRoster 1.1 district");
generate->add_option("--students", generate_args.students, "Students in the district")
    ->capture_default_str();
generate->add_option("--seed", generate_args.seed, "Seed (same seed, same district)")
    ->capture_default_str();
generate->add_flag("--with-passwords", generate_args.with_passwords,
                   "Write a password column and print one login per role (demos only)");
generate->add_option("out", generate_args.out, "Output folder")->required();
generate->callback([] { std::exit(RunGenerate(generate_args)); });
}  // namespace homeroom::cli

}  // namespace homeroom::cli
