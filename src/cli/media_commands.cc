#include "cli/media_commands.h"

#include <cstdio>
#include <iostream>
#include <string>

namespace homeroom::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 2;

}  // namespace

int RunJanusConfig(const std::filesystem::path& dir, const media::JanusConfigOptions& options,
                   std::ostream& out, std::ostream& err) {
  auto written = media::WriteJanusConfig(dir, options);
  if (!written.ok()) {
    err << "homeroom janus-config: " << written.status().ToString() << "\n";
    return kExitError;
  }
  const std::string d = std::filesystem::absolute(dir).string();
  out << "Wrote the Janus configuration to " << d << " (secrets in " << d
      << "/homeroom-janus.json, mode 0600).\n"
      << "Janus API " << written->api_url << ", admin API " << written->admin_url
      << ", media on UDP " << options.rtp_port_min << "-" << options.rtp_port_max << ".\n"
      << "Start Janus with it (never with /etc/janus or the package's service):\n"
      << "  janus --configs-folder=" << d << " --config=" << d << "/janus.jcfg\n";
  return kExitOk;
}

void AddMediaCommands(CLI::App& app) {
  static std::string dir;
  static media::JanusConfigOptions options;
  static std::string rtp_ports;
  CLI::App* cmd = app.add_subcommand(
      "janus-config",
      "Write a Janus configuration that only this Homeroom can use (media sidecar)");
  cmd->add_option("--dir", dir, "Directory to write the configuration into")->required();
  cmd->add_option("--http-port", options.http_port, "Janus API port on 127.0.0.1")
      ->capture_default_str();
  cmd->add_option("--admin-port", options.admin_port, "Janus admin API port on 127.0.0.1")
      ->capture_default_str();
  cmd->add_option("--rtp-ports", rtp_ports,
                  "UDP port range for media, MIN-MAX (default 20000-20999)");
  cmd->add_option("--public-ip", options.public_ip,
                  "Address browsers reach Janus at behind 1:1 NAT (nat_1_1_mapping)");
  cmd->add_option("--janus-lib-dir", options.janus_lib_dir,
                  "Where the janus package keeps plugins/ and transports/")
      ->capture_default_str();
  cmd->add_option("--debug-level", options.debug_level, "Janus log level, 0-7")
      ->capture_default_str();
  cmd->add_option("--event-loops", options.event_loops,
                  "Janus's shared event loop threads (0: a thread per handle; docs/capacity.md)")
      ->capture_default_str();
  cmd->callback([] {
    if (!rtp_ports.empty()) {
      unsigned lo = 0, hi = 0;
      char tail = 0;
      if (std::sscanf(rtp_ports.c_str(), "%u-%u%c", &lo, &hi, &tail) != 2 || lo > 65535 ||
          hi > 65535) {
        std::cerr << "homeroom janus-config: --rtp-ports must be MIN-MAX, e.g. 20000-20999\n";
        std::exit(kExitError);
      }
      options.rtp_port_min = static_cast<uint16_t>(lo);
      options.rtp_port_max = static_cast<uint16_t>(hi);
    }
    std::exit(RunJanusConfig(dir, options, std::cout, std::cerr));
  });
}

}  // namespace homeroom::cli
