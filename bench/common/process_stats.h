#pragma once

// What a benchmark reports about its own process: peak memory, CPU time, wall time. Header-only:
// the benchmarks are separate executables, each one measured run.
#include <sys/resource.h>

#include <chrono>

namespace homeroom::bench {

// The process's peak resident set so far, in MiB (Linux reports ru_maxrss in KiB).
inline double PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// User plus system CPU seconds the process has used, all threads.
inline double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto sec = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return sec(usage.ru_utime) + sec(usage.ru_stime);
}

// Wall seconds since `start`.
inline double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace homeroom::bench
