#include "storm/config.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>

namespace homeroom::storm {

namespace {

struct KindInfo {
  AttackKind kind;
  const char* name;
  int sources;
  int connections;
};

constexpr KindInfo kKinds[] = {
    {AttackKind::kHttpFlood, "http-flood", 4, 64},
    {AttackKind::kManySourceFlood, "many-source-flood", 5000, 256},
    {AttackKind::kSlowloris, "slowloris", 4, 1000},
    {AttackKind::kSlowPost, "slow-post", 4, 500},
    {AttackKind::kSlowRead, "slow-read", 4, 200},
    {AttackKind::kLoginStuffing, "login-stuffing", 4, 32},
    {AttackKind::kWsConnectFlood, "ws-connect-flood", 4, 500},
    {AttackKind::kWsMessageFlood, "ws-message-flood", 1, 8},
    {AttackKind::kOversized, "oversized", 4, 16},
    // 1,000 sources in four /24s holding 6,000 idle sockets: past a global cap of 4,000 and a
    // per-subnet cap of 1,024 (bench/storm/run.sh runs the server so for this scenario).
    {AttackKind::kConnectionExhaustion, "connection-exhaustion", 1000, 6000},
};

const KindInfo& Info(AttackKind kind) { return kKinds[static_cast<int>(kind)]; }

std::chrono::milliseconds Ms(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(seconds * 1000.0)));
}

bool ParseDouble(std::string_view s, double& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool ParseInt(std::string_view s, int& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

const char* AttackName(AttackKind kind) { return Info(kind).name; }

std::optional<AttackKind> ParseAttackName(std::string_view name) {
  for (const auto& k : kKinds) {
    if (name == k.name) return k.kind;
  }
  return std::nullopt;
}

int DefaultSources(AttackKind kind) { return Info(kind).sources; }
int DefaultConnections(AttackKind kind) { return Info(kind).connections; }

Result<AttackSpec> ParseAttackSpec(std::string_view text, double default_rate, int default_sources,
                                   int default_connections) {
  std::string_view parts[3];
  int n = 0;
  size_t start = 0;
  while (n < 3) {
    size_t colon = text.find(':', start);
    parts[n++] = text.substr(start, colon == std::string_view::npos ? colon : colon - start);
    if (colon == std::string_view::npos) break;
    start = colon + 1;
    if (n == 3)
      return Status::InvalidArgument("--attack '" + std::string(text) + "': too many ':'");
  }
  auto kind = ParseAttackName(parts[0]);
  if (!kind) {
    std::string known;
    for (const auto& k : kKinds) known += std::string(known.empty() ? "" : ", ") + k.name;
    return Status::InvalidArgument("--attack '" + std::string(parts[0]) +
                                   "': unknown attack (known: " + known + ")");
  }
  AttackSpec spec{
      .kind = *kind,
      .rate = default_rate,
      .sources = default_sources > 0 ? default_sources : DefaultSources(*kind),
      .connections = default_connections > 0 ? default_connections : DefaultConnections(*kind)};
  if (n >= 2 && !ParseDouble(parts[1], spec.rate)) {
    return Status::InvalidArgument("--attack '" + std::string(text) + "': bad rate");
  }
  if (n >= 3 && !ParseInt(parts[2], spec.sources)) {
    return Status::InvalidArgument("--attack '" + std::string(text) + "': bad source count");
  }
  if (!(spec.rate > 0 && spec.rate <= kMaxRate)) {
    return Status::InvalidArgument("--attack '" + std::string(text) +
                                   "': the rate must be in (0, " +
                                   std::to_string(static_cast<int>(kMaxRate)) + "]");
  }
  if (spec.sources < 1 || spec.sources > kMaxSourcesCap) {
    return Status::InvalidArgument("--attack '" + std::string(text) + "': sources must be 1.." +
                                   std::to_string(kMaxSourcesCap));
  }
  if (spec.connections < 1) {
    return Status::InvalidArgument("--attack-connections must be at least 1");
  }
  return spec;
}

void AddStormOptions(CLI::App& app, StormArgs& args, StormConfig& config) {
  app.add_option("--target", args.target, "Server to storm, HOST:PORT; only 127.0.0.0/8 or [::1]")
      ->capture_default_str();
  app.add_option("--duration", args.duration_s,
                 "Seconds of traffic after setup (at most 600); the storm stops by itself")
      ->capture_default_str();
  app.add_option("--json", config.json_path, "Write the report as JSON to this file");
  app.add_flag("--quiet", config.quiet, "Print only the final table");
  app.add_option("--seed", config.seed, "Seed of every random choice")->capture_default_str();
  app.add_option("--threads", config.threads, "I/O threads of the storm (1..16)")
      ->capture_default_str();
  app.add_option("--max-connections", config.max_connections,
                 "Sockets the storm holds open at once, all kinds together (at most 60000; 0: "
                 "20000 or what the descriptor limit allows)")
      ->capture_default_str();
  app.add_option("--request-timeout", args.request_timeout_s,
                 "Seconds the storm waits for one answer before counting a timeout")
      ->capture_default_str();

  app.add_option("--logins", config.logins_path,
                 "Credentials: demo-logins.json ([{role,username,password}]) or a OneRoster "
                 "users.csv with a password column (generate-district --with-passwords)");
  app.add_option("--token-cache", config.token_cache,
                 "File of session tokens (username<TAB>token): read before the run, written after "
                 "it, so that later runs skip the password hashing of setup");
  app.add_option("--legit-users", config.legit_users, "Legitimate students and teachers")
      ->capture_default_str();
  app.add_option("--legit-rate", config.legit_rate,
                 "Legitimate HTTP requests per second, all users together")
      ->capture_default_str();
  app.add_option("--returning-fraction", config.returning_fraction,
                 "Share of users who start with a session token; the others sign in with their "
                 "password during the run")
      ->capture_default_str();
  app.add_option("--ramp-up", args.ramp_up_s, "Seconds over which legitimate users arrive")
      ->capture_default_str();
  app.add_flag("--no-live", args.no_live, "Legitimate users do not join live rooms");
  app.add_option("--live-rooms", config.live_rooms, "Live rooms the setup opens")
      ->capture_default_str();
  app.add_option("--chat-interval", args.chat_interval_s,
                 "Seconds between one user's chat messages in a live room")
      ->capture_default_str();
  app.add_option("--admin", config.admin_username,
                 "Username of the admin who opens rooms and polls /api/v1/admin/status (default: "
                 "the first district admin of --logins)");
  app.add_option("--attacker", config.attacker_username,
                 "Username whose session the WebSocket attacks use (default: a student who is not "
                 "a legitimate user)");
  app.add_option("--setup-timeout", args.setup_timeout_s,
                 "Seconds setup (sign-ins, rooms) may take at most (at most 300)")
      ->capture_default_str();
  app.add_option("--setup-concurrency", config.setup_concurrency,
                 "Password sign-ins in flight during setup")
      ->capture_default_str();

  app.add_option(
      "--attack", args.attacks,
      "Attack to run beside the legitimate traffic, KIND[:RATE[:SOURCES]]; repeat for "
      "several. Kinds: http-flood, many-source-flood, slowloris, slow-post, slow-read, "
      "login-stuffing, ws-connect-flood, ws-message-flood, oversized, connection-exhaustion");
  app.add_option("--attack-rate", args.attack_rate,
                 "Default rate of an attack: requests, connections or messages per second")
      ->capture_default_str();
  app.add_option("--attack-sources", args.attack_sources,
                 "Default distinct source addresses of an attack (0: the kind's own default)")
      ->capture_default_str();
  app.add_option("--attack-connections", args.attack_connections,
                 "Sockets one attack holds open at most (0: the kind's own default)")
      ->capture_default_str();
  app.add_option("--attack-delay", args.attack_delay_s,
                 "Seconds of legitimate traffic alone before the attacks start")
      ->capture_default_str();
  app.add_option("--slow-interval", args.slow_interval_s,
                 "Seconds between the bytes of slowloris, slow POST and slow read")
      ->capture_default_str();
  app.add_option("--slow-post-length", config.slow_post_length,
                 "Content-Length a slow POST announces (keep it under the sign-in route's body "
                 "limit, 4096, or every slow POST is refused 413 up front)")
      ->capture_default_str();
  app.add_option("--slow-read-pipeline", config.slow_read_pipeline,
                 "Requests a slow reader pipelines before reading a byte at a time")
      ->capture_default_str();
  app.add_option("--oversize-bytes", config.oversize_bytes,
                 "Bytes of an oversized body or WebSocket frame")
      ->capture_default_str();
  app.add_option("--stuffing-known-fraction", config.stuffing_known_fraction,
                 "Share of login-stuffing attempts that use a real username")
      ->capture_default_str();
  app.add_option("--status-interval", args.status_interval_s,
                 "Seconds between polls of GET /api/v1/admin/status")
      ->capture_default_str();
}

Status FinalizeConfig(const StormArgs& args, StormConfig& config) {
  HR_ASSIGN_OR_RETURN(config.target, ParseTarget(args.target));
  if (!(args.duration_s > 0) || Ms(args.duration_s) > kMaxDuration) {
    return Status::InvalidArgument("--duration must be in (0, 600] seconds");
  }
  config.duration = Ms(args.duration_s);
  if (!(args.setup_timeout_s > 0) || Ms(args.setup_timeout_s) > kMaxSetup) {
    return Status::InvalidArgument("--setup-timeout must be in (0, 300] seconds");
  }
  config.setup_timeout = Ms(args.setup_timeout_s);
  auto positive = [](double v, const char* name, double max) -> Status {
    if (!(v > 0) || v > max) {
      return Status::InvalidArgument(std::string(name) + " must be in (0, " +
                                     std::to_string(static_cast<int64_t>(max)) + "]");
    }
    return Status::Ok();
  };
  HR_RETURN_IF_ERROR(positive(args.request_timeout_s, "--request-timeout", 120));
  HR_RETURN_IF_ERROR(positive(args.chat_interval_s, "--chat-interval", 600));
  HR_RETURN_IF_ERROR(positive(args.slow_interval_s, "--slow-interval", 600));
  HR_RETURN_IF_ERROR(positive(args.status_interval_s, "--status-interval", 600));
  HR_RETURN_IF_ERROR(positive(config.legit_rate, "--legit-rate", kMaxRate));
  if (args.ramp_up_s < 0 || args.attack_delay_s < 0) {
    return Status::InvalidArgument("--ramp-up and --attack-delay must not be negative");
  }
  config.request_timeout = Ms(args.request_timeout_s);
  config.chat_interval = Ms(args.chat_interval_s);
  config.slow_interval = Ms(args.slow_interval_s);
  config.status_interval = Ms(args.status_interval_s);
  config.ramp_up = Ms(args.ramp_up_s);
  config.attack_delay = Ms(args.attack_delay_s);
  config.live = !args.no_live;
  if (config.legit_users < 0 || config.legit_users > kMaxLegitUsers) {
    return Status::InvalidArgument("--legit-users must be 0.." + std::to_string(kMaxLegitUsers));
  }
  if (config.returning_fraction < 0 || config.returning_fraction > 1 ||
      config.stuffing_known_fraction < 0 || config.stuffing_known_fraction > 1) {
    return Status::InvalidArgument(
        "--returning-fraction and --stuffing-known-fraction must be in [0, 1]");
  }
  if (config.threads < 1 || config.threads > 16) {
    return Status::InvalidArgument("--threads must be 1..16");
  }
  if (config.max_connections > kMaxConnectionsCap) {
    return Status::InvalidArgument("--max-connections must be 0.." +
                                   std::to_string(kMaxConnectionsCap));
  }
  if (config.setup_concurrency < 1 || config.setup_concurrency > 256) {
    return Status::InvalidArgument("--setup-concurrency must be 1..256");
  }
  if (config.live_rooms < 0 || config.live_rooms > 1000) {
    return Status::InvalidArgument("--live-rooms must be 0..1000");
  }
  if (config.slow_read_pipeline < 1 || config.slow_read_pipeline > 10'000) {
    return Status::InvalidArgument("--slow-read-pipeline must be 1..10000");
  }
  if (config.oversize_bytes < 1 || config.oversize_bytes > (64u << 20)) {
    return Status::InvalidArgument("--oversize-bytes must be 1..67108864");
  }
  if (config.slow_post_length < 1) {
    return Status::InvalidArgument("--slow-post-length must be at least 1");
  }
  config.attacks.clear();
  for (const auto& text : args.attacks) {
    HR_ASSIGN_OR_RETURN(auto spec, ParseAttackSpec(text, args.attack_rate, args.attack_sources,
                                                   args.attack_connections));
    for (const auto& other : config.attacks) {
      if (other.kind == spec.kind) {
        return Status::InvalidArgument(std::string("--attack ") + AttackName(spec.kind) +
                                       " given twice");
      }
    }
    config.attacks.push_back(spec);
  }
  return Status::Ok();
}

}  // namespace homeroom::storm
