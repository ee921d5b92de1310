// homeroom-storm: a district morning with attacks, against a Homeroom server on this machine.
// docs/storm.md describes every option, every attack and the report.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "storm/config.h"
#include "storm/report.h"
#include "storm/storm.h"

int main(int argc, char** argv) {
  using namespace homeroom::storm;
  CLI::App app("homeroom-storm: legitimate district traffic plus attacks, to 127.0.0.0/8 only");
  StormArgs args;
  StormConfig config;
  AddStormOptions(app, args, config);
  CLI11_PARSE(app, argc, argv);
  homeroom::Status valid = FinalizeConfig(args, config);
  if (!valid.ok()) {
    std::fprintf(stderr, "homeroom-storm: %s\n", valid.message().c_str());
    return 2;
  }
  // The last guard of "stops by itself": whatever happens, the process ends after setup, run and
  // teardown could have taken, plus a minute.
  const auto hard_cap = config.setup_timeout + config.duration + std::chrono::seconds(60);
  std::thread([hard_cap] {
    std::this_thread::sleep_for(hard_cap);
    std::fprintf(stderr, "homeroom-storm: hard time cap reached, exiting\n");
    std::_Exit(3);
  }).detach();

  auto progress = [&config](const std::string& line) {
    if (!config.quiet) std::fprintf(stderr, "homeroom-storm: %s\n", line.c_str());
  };
  auto result = RunStorm(config, progress);
  if (!result.ok()) {
    std::fprintf(stderr, "homeroom-storm: %s\n", result.status().ToString().c_str());
    return 1;
  }
  std::fputs(ReportTable(config, **result).c_str(), stdout);
  if (!config.json_path.empty()) {
    homeroom::Status written = WriteReportJson(config.json_path, config, **result);
    if (!written.ok()) {
      std::fprintf(stderr, "homeroom-storm: %s\n", written.ToString().c_str());
      return 1;
    }
  }
  return 0;
}
