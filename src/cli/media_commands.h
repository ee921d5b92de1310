#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <ostream>

#include "media/janus_config.h"

namespace homeroom::cli {

// Adds `homeroom janus-config` to the binary:
//   janus-config --dir D [--http-port P] [--admin-port P] [--rtp-ports MIN-MAX] [--public-ip IP]
//                [--janus-lib-dir D] [--debug-level N]
//       Writes a locked-down Janus configuration into D (media::WriteJanusConfig) and prints how
//       to start Janus with it. Exit code 0 on success, 2 on any error (message on stderr).
// The options live in static storage; call once per process.
void AddMediaCommands(CLI::App& app);

// What the command runs, for tests: writes the configuration and reports on `out` / `err`.
int RunJanusConfig(const std::filesystem::path& dir, const media::JanusConfigOptions& options,
                   std::ostream& out, std::ostream& err);

}  // namespace homeroom::cli
