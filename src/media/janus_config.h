#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/status.h"

namespace homeroom::media {

// What `homeroom janus-config` writes: a Janus configuration in which Janus is a sidecar that only
// Homeroom can reach (docs/operations.md, "Media: Janus"). Janus's HTTP API and admin API listen on
// 127.0.0.1 only and answer only loopback clients; every request needs a token (`token_auth`) that
// only Homeroom adds, with an admin secret generated here; VideoRoom rooms can be created only
// with a generated `admin_key`; and Janus loads exactly one plugin (VideoRoom) and one transport
// (HTTP): its plugin and transport folders are folders of this configuration holding links to those
// two libraries of the package alone, so a plugin a later package upgrade adds is never loaded.
struct JanusConfigOptions {
  // Where the janus package keeps its libraries (plugins/, transports/).
  std::filesystem::path janus_lib_dir = "/usr/lib/x86_64-linux-gnu/janus";
  uint16_t http_port = 8088;   // Janus API, 127.0.0.1 only
  uint16_t admin_port = 7088;  // Janus admin API, 127.0.0.1 only
  // UDP ports for media; a firewall opens exactly these. Janus takes one port per PeerConnection
  // (per local address): 1,000 ports hold about 1,000 publishers and subscribers, some 38 rooms
  // of 25; a media server sized as in docs/capacity.md needs several thousand.
  uint16_t rtp_port_min = 20000;
  uint16_t rtp_port_max = 20999;
  // The public address browsers reach Janus at when it runs behind 1:1 NAT (nat_1_1_mapping);
  // empty: the host's own addresses.
  std::string public_ip;
  int debug_level = 4;  // Janus's log level, 0-7
  // Janus's static event loops (`event_loops`): 0 writes none, and Janus gives every handle a
  // thread of its own; N shares N loop threads among all handles, about half the CPU per
  // subscriber in bench/media (docs/capacity.md, "Tuning"). At most kMaxJanusEventLoops.
  int event_loops = 0;
};
inline constexpr int kMaxJanusEventLoops = 1024;

// What Homeroom needs to drive the Janus it configured; written beside the configuration as
// homeroom-janus.json (mode 0600) and never sent to a browser.
struct JanusCredentials {
  std::string admin_secret;         // the admin API's secret (adds and removes API tokens)
  std::string api_token;            // the token Homeroom's own Janus API calls carry
  std::string videoroom_admin_key;  // needed to create VideoRoom rooms
  std::string api_url;              // http://127.0.0.1:<http_port>/janus
  std::string admin_url;            // http://127.0.0.1:<admin_port>/admin
};

// Checks the options (ports, address, that the package's VideoRoom plugin and HTTP transport exist)
// and writes into `dir` (created if missing): janus.jcfg, janus.transport.http.jcfg,
// janus.plugin.videoroom.jcfg, the plugins/ and transports/ link folders, empty events/ and
// loggers/ folders, and homeroom-janus.json. Secrets already in `dir`'s homeroom-janus.json are
// kept, so that rewriting the configuration (after a package upgrade, say) does not cut off a
// running Homeroom; new ones are 256-bit random. Returns the credentials, InvalidArgument for bad
// options or a missing janus package, Internal when a file cannot be written; every file is written
// to a temporary name and renamed, so none is ever half written.
Result<JanusCredentials> WriteJanusConfig(const std::filesystem::path& dir,
                                          const JanusConfigOptions& options);

// Reads homeroom-janus.json from `dir`. NotFound when there is none.
Result<JanusCredentials> ReadJanusCredentials(const std::filesystem::path& dir);

}  // namespace homeroom::media
