// bench_import [--students N] [--seed S] [--dir D] [--keep]
// Generates a district of N students into D/set, imports it into D/homeroom.db (a fresh file),
// then imports the same set again, printing seconds, rows and peak RSS for each step.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/process_stats.h"
#include "core/clock.h"
#include "roster/generator.h"
#include "roster/importer.h"
#include "store/database.h"

int main(int argc, char** argv) {
  using namespace homeroom;
  using bench::CpuSeconds, bench::PeakRssMiB, bench::Since;
  int64_t students = 345000;
  uint64_t seed = 1;
  std::string dir = "/tmp/homeroom-bench-import";
  bool keep = false;
  size_t cache_mib = 64;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    bool has_value = i + 1 < argc;
    if (arg == "--students" && has_value) {
      students = std::atoll(argv[++i]);
    } else if (arg == "--seed" && has_value) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--dir" && has_value) {
      dir = argv[++i];
    } else if (arg == "--cache-mib" && has_value) {
      cache_mib = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--keep") {
      keep = true;
    } else {
      std::fprintf(stderr,
                   "usage: bench_import [--students N] [--seed S] [--dir D] [--keep] "
                   "[--cache-mib M]\n");
      return 2;
    }
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string set = dir + "/set";

  auto t0 = std::chrono::steady_clock::now();
  auto gen = roster::GenerateDistrict({.students = students, .seed = seed, .out_dir = set});
  if (!gen.ok()) {
    std::fprintf(stderr, "generate: %s\n", gen.status().ToString().c_str());
    return 2;
  }
  std::printf("generate   %8.1f s  (%lld students)  peak RSS %.0f MiB\n", Since(t0),
              static_cast<long long>(students), PeakRssMiB());
  uint64_t bytes = 0;
  for (const auto& e : std::filesystem::directory_iterator(set)) bytes += e.file_size();
  std::printf("set size   %8.1f MiB\n", static_cast<double>(bytes) / (1 << 20));

  auto db = store::Database::Open({.path = dir + "/homeroom.db", .readers = 1}, nullptr);
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", db.status().ToString().c_str());
    return 2;
  }
  auto conn = (*db)->OpenConnection();
  if (!conn.ok()) return 2;
  for (const char* pass : {"import", "re-import"}) {
    auto t = std::chrono::steady_clock::now();
    double cpu0 = CpuSeconds();
    auto report = roster::ImportOneRoster(**conn, {.path = set,
                                                   .now_ms = SystemClock::Instance().NowMs(),
                                                   .db_cache_bytes = cache_mib << 20});
    double seconds = Since(t);
    if (!report.ok() || report->problem_count > 0) {
      std::fprintf(stderr, "%s failed: %s\n", pass,
                   report.ok() ? report->Summary().c_str() : report.status().ToString().c_str());
      return 1;
    }
    std::printf("%-10s %8.1f s  (CPU %.1f s)  peak RSS %.0f MiB\n%s", pass, seconds,
                CpuSeconds() - cpu0, PeakRssMiB(), report->Summary().c_str());
    std::fflush(stdout);
  }
  if (!keep) std::filesystem::remove_all(dir);
  return 0;
}
