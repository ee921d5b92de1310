// bench_analytics --data-dir D [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--runs N] [--no-refresh]
// Times the analytics on a store that already holds a district and its activity (bench/analytics/
// run.sh makes one: the Miami-Dade-sized roster plus `homeroom simulate-activity`): first the
// rollup of every day of the range from the activity tables (what the background job and
// POST /analytics/refresh do), then, N times each, the decision report and two explorer queries as
// the API computes them. Prints seconds, CPU seconds and peak RSS.
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/process_stats.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "domain/analytics.h"
#include "domain/live_calendar.h"
#include "store/database.h"

namespace {

using namespace homeroom;
using bench::CpuSeconds, bench::PeakRssMiB, bench::Since;

// Runs a coroutine on `io` (served by another thread) and waits for its result.
// (Through an optional: Result<T> has no default value for use_future's error path.)
template <typename T>
T Await(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
  std::optional<T> out;
  auto run = [&out, &task]() -> boost::asio::awaitable<void> {
    out.emplace(co_await std::move(task));
  };
  auto coroutine = run();
  boost::asio::co_spawn(io, std::move(coroutine), boost::asio::use_future).get();
  return std::move(*out);
}

// Times `runs` calls of fn and prints min / median / max.
template <typename Fn>
bool Time(const char* what, int runs, Fn fn) {
  std::vector<double> seconds;
  double cpu0 = CpuSeconds();
  for (int i = 0; i < runs; ++i) {
    auto t = std::chrono::steady_clock::now();
    if (!fn()) return false;
    seconds.push_back(Since(t));
  }
  std::sort(seconds.begin(), seconds.end());
  std::printf("%-44s min %6.3f s  median %6.3f s  max %6.3f s  (CPU %.3f s per run)\n", what,
              seconds.front(), seconds[seconds.size() / 2], seconds.back(),
              (CpuSeconds() - cpu0) / runs);
  std::fflush(stdout);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_dir, from = "2026-09-14", to = "2026-09-18";
  int runs = 5;
  bool refresh = true;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    bool has_value = i + 1 < argc;
    if (arg == "--data-dir" && has_value) {
      data_dir = argv[++i];
    } else if (arg == "--from" && has_value) {
      from = argv[++i];
    } else if (arg == "--to" && has_value) {
      to = argv[++i];
    } else if (arg == "--runs" && has_value) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--no-refresh") {
      refresh = false;
    } else {
      data_dir.clear();
      break;
    }
  }
  if (data_dir.empty()) {
    std::fprintf(stderr,
                 "usage: bench_analytics --data-dir D [--from YYYY-MM-DD] [--to YYYY-MM-DD] "
                 "[--runs N] [--no-refresh]\n");
    return 2;
  }
  auto first = domain::ParseLocalDate(from, "from");
  auto last = domain::ParseLocalDate(to, "to");
  auto zone = domain::DistrictZone::Load("America/New_York");
  if (!first.ok() || !last.ok() || !zone.ok()) {
    std::fprintf(stderr, "bad --from, --to or zone\n");
    return 2;
  }
  metrics::Registry metrics;
  auto db = store::Database::Open({.path = data_dir + "/homeroom.db"}, &metrics);
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", db.status().ToString().c_str());
    return 2;
  }
  domain::AnalyticsService analytics(**db, SystemClock::Instance(), *zone, {}, metrics);

  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::thread runner([&io] { io.run(); });
  int code = 0;

  if (refresh) {
    auto t = std::chrono::steady_clock::now();
    double cpu0 = CpuSeconds();
    auto days = Await(io, analytics.Refresh(*first, *last));
    if (!days.ok()) {
      std::fprintf(stderr, "refresh: %s\n", days.status().ToString().c_str());
      code = 1;
    } else {
      double seconds = Since(t);
      std::printf(
          "rollup of %zu days from the activity tables: %.2f s (%.2f s per day; CPU %.2f s)"
          "  peak RSS %.0f MiB\n",
          days->size(), seconds, seconds / std::max<size_t>(days->size(), 1), CpuSeconds() - cpu0,
          PeakRssMiB());
    }
  }
  if (code == 0) {
    size_t section_days = 0;
    bool ok = Time("decision report (JSON's data)", runs, [&] {
      auto r = Await(io, analytics.Decide(*first, *last));
      if (!r.ok()) std::fprintf(stderr, "decide: %s\n", r.status().ToString().c_str());
      if (r.ok()) section_days = static_cast<size_t>(r->district.section_days);
      return r.ok();
    });
    std::printf("  section-days in the range: %zu\n", section_days);
    domain::AnalyticsQuery by_school{*first, *last, {.school = true}, std::nullopt};
    ok = ok && Time("explorer: by school over the range", runs, [&] {
           auto r = Await(io, analytics.Report(by_school));
           if (!r.ok()) std::fprintf(stderr, "report: %s\n", r.status().ToString().c_str());
           return r.ok();
         });
    domain::AnalyticsQuery by_day{
        *first, *last, {.day = true, .grade_band = true, .pathway = true}, std::nullopt};
    ok = ok && Time("explorer: per day by grade band and pathway", runs, [&] {
           auto r = Await(io, analytics.Report(by_day));
           return r.ok();
         });
    if (!ok) code = 1;
    std::printf("peak RSS %.0f MiB\n", PeakRssMiB());
  }
  work.reset();
  io.stop();
  runner.join();
  return code;
}
