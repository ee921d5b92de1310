#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "storm/target.h"

namespace CLI {
class App;
}

namespace homeroom::storm {

// The attacks homeroom-storm can run beside the legitimate traffic (docs/storm.md, "Attacks").
enum class AttackKind {
  kHttpFlood,        // keep-alive GET flood, random URLs and user agents, few sources
  kManySourceFlood,  // thousands of sources, each under a per-IP rate, a connection per request
  kSlowloris,        // request heads trickled a header line at a time
  kSlowPost,         // a Content-Length under the route's limit, body trickled
  kSlowRead,         // pipelined requests, tiny receive window, reads a byte at a time
  kLoginStuffing,    // POST /auth/login with guessed credentials
  kWsConnectFlood,   // WebSocket upgrades at a rate, each socket held open
  kWsMessageFlood,   // chat commands on a few sockets at a rate
  kOversized,        // bodies over the limit, 64 KiB heads, frames over the message limit
  kConnectionExhaustion,  // idle connections from many sources, past the server's connection caps
};
inline constexpr int kAttackKindCount = 10;

// "http-flood", "many-source-flood", ...
const char* AttackName(AttackKind kind);
std::optional<AttackKind> ParseAttackName(std::string_view name);
// Sources and the cap on concurrent connections when the command line does not say.
int DefaultSources(AttackKind kind);
int DefaultConnections(AttackKind kind);

struct AttackSpec {
  AttackKind kind;
  double rate = 0;      // operations per second (requests, connections or messages)
  int sources = 0;      // distinct source addresses
  int connections = 0;  // at most this many sockets open at once
};

// Hard limits no command line can pass: the storm always stops by itself and stays bounded.
inline constexpr std::chrono::seconds kMaxDuration{600};
inline constexpr std::chrono::seconds kMaxSetup{300};
inline constexpr size_t kMaxConnectionsCap = 60'000;
inline constexpr size_t kDefaultMaxConnections = 20'000;
inline constexpr int kMaxSourcesCap = 200'000;
inline constexpr int kMaxLegitUsers = 100'000;
inline constexpr double kMaxRate = 200'000;

// Everything a run needs; filled by AddStormOptions + FinalizeConfig, or directly by tests.
struct StormConfig {
  Target target;
  std::chrono::milliseconds duration{30'000};
  // Legitimate district traffic.
  std::string logins_path;  // demo-logins.json (JSON array) or a OneRoster users.csv with passwords
  std::string token_cache;  // username -> token file, read before and written after the run
  int legit_users = 100;
  double legit_rate = 50;           // HTTP requests per second over all legitimate users
  double returning_fraction = 0.8;  // users who start with a session token (else password login)
  std::chrono::milliseconds ramp_up{2'000};
  bool live = true;    // join live rooms and chat
  int live_rooms = 4;  // rooms the setup opens
  std::chrono::milliseconds chat_interval{4'000};
  std::string admin_username;     // default: the first district admin of the logins
  std::string attacker_username;  // default: a student not among the legitimate users
  // Attacks.
  std::vector<AttackSpec> attacks;
  std::chrono::milliseconds attack_delay{0};  // attacks start this long after the legit traffic
  std::chrono::milliseconds slow_interval{5'000};
  // Under the 4 KiB body limit of POST /api/v1/auth/login (api::Services::auth_body_limit), so
  // that the server reads the body and its minimum body rate or body deadline ends it; a length
  // over the limit is refused 413 up front (that is the `oversized` attack).
  size_t slow_post_length = 4'000;
  int slow_read_pipeline = 500;
  size_t oversize_bytes = 1 << 20;
  double stuffing_known_fraction = 0.5;
  // Detection probe.
  std::chrono::milliseconds status_interval{1'000};
  // Bounds of the storm itself.
  int threads = 2;
  size_t max_connections = 0;  // 0: min(kDefaultMaxConnections, what the descriptor limit allows)
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds setup_timeout{120'000};
  int setup_concurrency = 4;
  uint64_t seed = 1;
  // Output.
  std::string json_path;
  bool quiet = false;
};

// The raw command line before validation.
struct StormArgs {
  std::string target = "127.0.0.1:8080";
  double duration_s = 30;
  std::vector<std::string> attacks;
  double attack_rate = 500;
  int attack_sources = 0;      // 0: the kind's default
  int attack_connections = 0;  // 0: the kind's default
  double attack_delay_s = 0;
  double ramp_up_s = 2;
  double chat_interval_s = 4;
  double slow_interval_s = 5;
  double status_interval_s = 1;
  double request_timeout_s = 10;
  double setup_timeout_s = 120;
  bool no_live = false;
};

// Declares every option on `app` (docs/storm.md lists them). Throws only CLI11's own exceptions.
void AddStormOptions(CLI::App& app, StormArgs& args, StormConfig& config);

// Validates `args`, fills the parsed parts of `config` (target, durations, attacks) and checks
// every bound. Returns kInvalidArgument naming the option on any bad value: a target off this
// machine, a duration over kMaxDuration, an unknown attack, a rate or count out of range.
Status FinalizeConfig(const StormArgs& args, StormConfig& config);

// Parses one --attack value: KIND, KIND:RATE or KIND:RATE:SOURCES, with the defaults given.
Result<AttackSpec> ParseAttackSpec(std::string_view text, double default_rate, int default_sources,
                                   int default_connections);

}  // namespace homeroom::storm
