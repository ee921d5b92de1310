#include "app/config.h"

#include <algorithm>
#include <cctype>

namespace homeroom::app {
namespace {

// "--head-timeout-ms" -> "HOMEROOM_HEAD_TIMEOUT_MS"
std::string EnvName(const std::string& flag) {
  std::string env = "HOMEROOM_";
  for (char c : flag.substr(2)) env += c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return env;
}

class Options {
 public:
  explicit Options(CLI::App& cmd) : cmd_(cmd) {}

  template <typename T>
  void Add(const std::string& flag, T& value, const std::string& help, const std::string& group) {
    cmd_.add_option(flag, value, help)->envname(EnvName(flag))->capture_default_str()->group(group);
  }

  template <typename Rep, typename Period>
  void AddDuration(const std::string& flag, std::chrono::duration<Rep, Period>& value,
                   const std::string& help, const std::string& group) {
    using Unit = std::chrono::duration<Rep, Period>;
    cmd_.add_option_function<int64_t>(
            flag, [&value](const int64_t& v) { value = Unit(v); }, help)
        ->envname(EnvName(flag))
        ->default_str(std::to_string(value.count()))
        ->check(CLI::NonNegativeNumber)
        ->group(group);
  }

 private:
  CLI::App& cmd_;
};

}  // namespace

std::string AppConfig::DefaultWebRoot() {
#ifdef HOMEROOM_WEB_ROOT
  return HOMEROOM_WEB_ROOT;
#else
  return "web/dist";
#endif
}

void AddServeOptions(CLI::App& cmd, AppConfig& c) {
  cmd.set_config("--config", "", "Read settings from this TOML or INI file");
  Options o(cmd);
  const std::string g = "Server";
  o.Add("--listen", c.listen, "API and web listener (host:port)", g);
  o.Add("--metrics-listen", c.metrics_listen,
        "Prometheus /metrics listener (host:port; empty: off)", g);
  o.Add("--data-dir", c.data_dir, "Directory of the SQLite store and other state", g);
  o.Add("--log-level", c.log_level, "debug | info | warn | error", g);
  o.AddDuration("--shutdown-deadline-ms", c.shutdown_deadline,
                "On SIGTERM/SIGINT, in-flight requests may finish this long", g);
  o.AddDuration("--maintenance-interval-s", c.maintenance_interval,
                "How often housekeeping (pruning ended sessions) runs", g);

  const std::string web = "Web app";
  o.Add("--web-root", c.web.root,
        "Directory of the built web app (web/dist); empty: serve the API alone", web);
  o.Add("--web-max-files", c.web.max_files, "Most files of the web app read into memory", web);
  o.Add("--web-max-bytes", c.web.max_total_bytes,
        "Most bytes of the web app held in memory (compressed copies included)", web);
  o.Add("--web-max-file-bytes", c.web.max_file_bytes, "Largest single file of the web app", web);

  const std::string n = "Connections";
  auto& s = c.server;
  o.Add("--io-threads", s.io_threads, "I/O threads (one per core is usual)", n);
  o.AddDuration("--head-timeout-ms", s.head_timeout,
                "Deadline for a complete request head (slowloris)", n);
  o.AddDuration("--idle-timeout-ms", s.idle_timeout, "Keep-alive idle timeout between requests", n);
  o.AddDuration("--body-timeout-ms", s.body_timeout,
                "Deadline for a complete request body (slow POST)", n);
  o.AddDuration("--write-timeout-ms", s.write_timeout,
                "Deadline for writing one response (slow read)", n);
  o.Add("--max-header-bytes", s.max_header_bytes, "Largest request head (431 beyond)", n);
  o.Add("--max-header-count", s.max_header_count, "Most header fields per request (431 beyond)", n);
  o.Add("--max-requests-per-connection", s.max_requests_per_connection,
        "Requests per keep-alive connection before Connection: close", n);
  o.Add("--max-connections", s.max_connections, "Open connections, all clients", n);
  o.Add("--max-connections-per-ip", s.max_connections_per_ip,
        "Open connections from one address (IPv6: one /64)", n);

  // Connection guard (issue 4, section 1; docs/security.md "Defenses" > "Connections").
  const std::string cg = "Connection guard";
  o.Add("--max-connections-per-subnet", s.max_connections_per_subnet,
        "Open connections from one /24 (IPv4) or /48 (IPv6), all its addresses together", cg);
  o.Add("--evict-idle-unauthenticated", s.evict_idle_unauthenticated,
        "At the global cap, close the longest-idle connection that never signed in for a new one",
        cg);
  o.AddDuration("--idle-timeout-under-pressure-ms", s.idle_timeout_under_pressure,
                "Keep-alive idle timeout while open connections are past the pressure mark", cg);
  o.Add("--pressure-on-fraction", s.pressure_on_fraction,
        "Connection pressure starts at this fraction of --max-connections", cg);
  o.Add("--pressure-off-fraction", s.pressure_off_fraction,
        "Connection pressure ends at this fraction of --max-connections (hysteresis)", cg);
  o.Add("--min-body-bytes-per-second", s.min_body_bytes_per_second,
        "Slowest request body accepted after the grace period (slow POST; 0: off)", cg);
  o.AddDuration("--body-rate-grace-ms", s.body_rate_grace,
                "Longest stall of a request body before the minimum rate applies", cg);
  o.Add("--min-send-bytes-per-second", s.min_send_bytes_per_second,
        "Slowest reader of a response accepted after the grace period (slow read; 0: off)", cg);
  o.AddDuration("--send-rate-grace-ms", s.send_rate_grace,
                "Longest stall of a response write before the minimum rate applies", cg);
  o.Add("--send-buffer-bytes", s.send_buffer_bytes,
        "SO_SNDBUF of each client socket (0: kernel autotuning)", cg);

  const std::string w = "WebSockets";
  auto& ws = c.server.websocket;
  o.Add("--ws-max-message-bytes", ws.max_message_bytes,
        "Largest client message (close 1009 beyond)", w);
  o.Add("--ws-messages-per-second", ws.messages_per_second,
        "Client messages per second per socket (close 1008 beyond the burst)", w);
  o.Add("--ws-message-burst", ws.message_burst, "Client messages a socket may send at once", w);
  o.Add("--ws-max-queued-bytes", ws.max_queued_bytes,
        "Bytes queued to one socket before it is dropped as a slow consumer (1008)", w);
  o.AddDuration("--ws-idle-timeout-ms", ws.idle_timeout,
                "A socket that answers no ping for this long is closed", w);

  const std::string h = "Requests";
  o.Add("--default-body-limit", c.dispatcher.default_body_limit,
        "Largest request body of a route that sets none (413 beyond)", h);
  o.Add("--secure-cookies", c.api.secure_cookies,
        "Mark the session cookie Secure (behind a TLS-terminating proxy)", h);
  o.Add("--allowed-origin", c.api.allowed_origins,
        "Origins allowed to send cookie-authenticated changes besides the server's own", h);
  o.Add("--trusted-proxy", c.trusted_proxies,
        "A load balancer or proxy in front (CIDR or address; repeat for several): its "
        "X-Forwarded-For names the client, and the per-IP connection caps spare it",
        h);

  const std::string d = "Store";
  o.Add("--db-readers", c.db.readers, "Store reader threads", d);
  o.Add("--db-max-queued-reads", c.db.max_queued_reads, "Queued store reads (503 beyond)", d);
  o.Add("--db-max-queued-writes", c.db.max_queued_writes, "Queued store writes (503 beyond)", d);
  o.Add("--db-max-batch", c.db.max_batch, "Writes per group commit", d);

  const std::string a = "Sign-in";
  auto& au = c.auth;
  o.Add("--argon2-ops", au.argon2.ops_limit, "Argon2id passes (OWASP minimum: 2)", a);
  o.Add("--argon2-mem-bytes", au.argon2.mem_limit_bytes, "Argon2id memory (OWASP minimum: 19 MiB)",
        a);
  o.Add("--hash-threads", au.hash_threads, "Password hashing threads (at most one per core)", a);
  o.Add("--hash-queue", au.hash_queue, "Password hashes waiting, all clients (503 beyond)", a);
  o.Add("--hash-queue-per-ip", au.hash_queue_per_ip,
        "Password hashes waiting for one client (its address, or its /64 for IPv6)", a);
  o.AddDuration("--session-idle-ttl-s", au.session_idle_ttl, "Session expiry without use", a);
  o.AddDuration("--remember-ttl-s", au.remember_ttl, "Session expiry with 'remember this device'",
                a);
  o.Add("--session-cache-entries", au.session_cache_entries, "Validated sessions kept in memory",
        a);
  o.AddDuration("--session-cache-ttl-ms", au.session_cache_ttl,
                "How long a cached session is trusted", a);
  o.AddDuration("--activation-code-ttl-s", au.activation_code_ttl, "Activation code lifetime", a);
  o.AddDuration("--session-touch-interval-s", au.session_touch_interval,
                "A session's last-seen time is written at most this often", a);
  o.AddDuration("--ended-session-retention-s", au.ended_session_retention,
                "Ended sessions are kept this long for support and forensics", a);
  o.Add("--min-password-chars", au.min_password_chars, "Shortest password accepted", a);
  o.Add("--max-password-chars", au.max_password_chars, "Longest password accepted", a);

  const std::string cw = "Coursework";
  auto& co = c.coursework;
  o.Add("--coursework-max-file-bytes", co.max_file_bytes,
        "Largest uploaded file (413 file_too_large beyond; the upload route's body limit)", cw);
  o.Add("--coursework-max-user-bytes", co.max_user_bytes,
        "Most bytes of files one user may have uploaded (413 quota_exceeded beyond)", cw);
  cmd.add_option("--coursework-allowed-types", co.allowed_types,
                 "Content types accepted for uploads, comma-separated (415 type_not_allowed "
                 "otherwise)")
      ->delimiter(',')
      ->envname(EnvName("--coursework-allowed-types"))
      ->capture_default_str()
      ->group(cw);
  o.Add("--coursework-max-files", co.max_files_per_item,
        "Most files attached to one assignment or submission", cw);
  o.Add("--coursework-max-text-bytes", co.max_text_bytes,
        "Longest submission text or grading comment", cw);
  o.Add("--coursework-max-to-grade", co.max_to_grade, "Most entries of a 'to grade' queue", cw);
  o.Add("--coursework-file-threads", co.file_threads,
        "Threads writing and reading uploaded files (disk I/O off the I/O threads)", cw);
  o.Add("--coursework-file-queue", co.file_queue,
        "File reads and writes waiting for those threads (503 beyond)", cw);

  const std::string da = "Daily attendance";
  auto& dat = c.daily_attendance;
  o.Add("--daily-attendance-max-days", dat.max_days, "Most days one daily attendance report covers",
        da);
  o.Add("--daily-attendance-max-reason-bytes", dat.max_reason_bytes,
        "Longest reason a teacher gives for an attendance override", da);
  o.Add("--daily-attendance-max-policy-minutes", dat.max_policy_minutes,
        "Largest minimum of live minutes the district's policy may set", da);

  o.Add("--alerts-lookback-days", c.alerts.lookback_days,
        "How far back families' alerts (missed sessions, missing work) reach", da);
  o.Add("--alerts-max", c.alerts.max_alerts, "Most alerts one answer holds", da);
  o.Add("--external-report-max-bytes", c.external_report.max_bytes,
        "Largest external meeting attendance report a teacher may upload (413 beyond)", da);
  o.Add("--external-report-max-rows", c.external_report.max_rows,
        "Most rows of an external meeting attendance report", da);

  const std::string an = "Analytics";
  auto& ana = c.analytics;
  o.Add("--analytics-max-days", ana.max_days, "Most days one analytics report covers", an);
  o.Add("--analytics-max-refresh-days", ana.max_refresh_days,
        "Most days a district admin recomputes in one request", an);
  o.Add("--analytics-max-rows", ana.max_rows, "Most rows one analytics report returns", an);
  o.AddDuration("--analytics-refresh-interval-s", ana.refresh_interval,
                "How often the daily rollup of the recent days is recomputed (0: never)", an);
  o.AddDuration("--analytics-first-refresh-delay-s", ana.first_refresh_delay,
                "How long after start the rollup's first pass runs", an);
  o.Add("--analytics-recompute-days", ana.recompute_days,
        "How many days, ending today, each rollup pass recomputes", an);
  o.AddDuration("--analytics-telemetry-slack-min", ana.telemetry_slack,
                "How long after a day a device's report of a dropped socket still counts for it",
                an);

  const std::string l = "Live classes";
  auto& lv = c.live;
  o.Add("--district-time-zone", lv.district_time_zone,
        "The district's IANA time zone: schedules and local times are read in it", l);
  o.Add("--live-max-series-occurrences", lv.max_series_occurrences,
        "Occurrences one weekly series may create", l);
  o.Add("--live-max-title-bytes", lv.max_title_bytes, "Longest live session title", l);
  o.AddDuration("--live-max-session-min", lv.max_session_length, "Longest live session", l);
  o.AddDuration("--live-max-early-start-min", lv.max_early_start,
                "How long before its scheduled start a session may be started", l);
  o.AddDuration("--live-max-list-window-h", lv.max_list_window,
                "Longest from..to of a live session list", l);
  o.Add("--attendance-late-threshold-ms", lv.attendance.late_threshold_ms,
        "A first join later than this after the start is late", l);
  o.Add("--attendance-left-early-threshold-ms", lv.attendance.left_early_threshold_ms,
        "A last leave earlier than this before the end is leaving early", l);

  const std::string fb = "Teacher feedback";
  o.Add("--feedback-max-text-chars", c.feedback.max_text_chars,
        "Longest feedback text, in characters", fb);
  o.Add("--feedback-max-per-teacher-per-day", c.feedback.max_per_teacher_per_day,
        "Feedback entries one teacher may send in 24 hours", fb);

  const std::string tm = "Client telemetry";
  auto& te = c.telemetry;
  o.Add("--telemetry-max-events-per-report", te.max_events_per_report,
        "Events one client telemetry report may hold", tm);
  o.Add("--telemetry-max-report-bytes", te.max_report_bytes, "Largest client telemetry report body",
        tm);
  o.Add("--telemetry-events-per-minute", te.events_per_minute,
        "Client telemetry events one user may report per minute (sustained)", tm);
  o.Add("--telemetry-burst", te.burst, "Client telemetry events one user may report at once", tm);
  o.AddDuration("--telemetry-retention-h", te.retention,
                "Client telemetry events are kept this long", tm);
  auto& hb = c.hub;
  o.Add("--live-threads", c.live_threads, "Threads running the live rooms (one per core is usual)",
        l);
  o.Add("--live-history-events", hb.history_events, "Events a room keeps for resume", l);
  o.Add("--live-reconnect-grace-ms", hb.reconnect_grace_ms,
        "A dropped participant shows 'reconnecting' this long before 'left'", l);
  o.Add("--live-chat-max-chars", hb.chat_max_chars, "Characters per chat message", l);
  o.Add("--live-chat-messages-per-window", hb.chat_messages_per_window,
        "Chat messages per user per rate window", l);
  o.Add("--live-rate-window-ms", hb.rate_window_ms, "The window of the per-user chat rate", l);
  o.Add("--live-max-members-per-room", hb.max_members_per_room,
        "Participants plus waiting students in one room", l);
  o.Add("--live-max-sockets-per-user", hb.max_sockets_per_user, "Sockets per user in one room", l);
  o.Add("--live-heartbeat-interval-ms", hb.heartbeat_interval_ms, "Attendance heartbeat period", l);
  o.Add("--live-auto-end-delay-ms", hb.auto_end_delay_ms,
        "An empty room ends this long after its scheduled end", l);
  o.AddDuration("--live-sweep-interval-ms", c.live_sweep_interval,
                "How often live sessions with no room, past their end and the auto-end delay, are "
                "ended",
                l);
  auto& at = c.attendance;
  o.AddDuration("--attendance-flush-interval-ms", at.flush_interval,
                "How often presence events are written (one write per batch)", l);
  o.Add("--attendance-max-queued-events", at.max_queued_events,
        "Presence events waiting in memory (dropped and counted beyond)", l);
  o.Add("--attendance-max-batch-events", at.max_batch_events, "Presence events per store write", l);

  // --- Admission (guard, docs/security.md "Defenses" > "Admission")
  // ---------------------------------
  const std::string ad = "Admission";
  auto& adm = c.admission;
  o.Add("--admission", adm.enabled,
        "Rate limits, concurrency limit and proof of work before handlers (false: only blocks)",
        ad);
  o.Add("--attack-mode", c.attack_mode,
        "Under-attack mode at start: auto (follow detection), on, off", ad);
  for (guard::RouteClass route_class : guard::kAllRouteClasses) {
    const std::string name(guard::RouteClassName(route_class));
    std::string flag_class = name;
    std::replace(flag_class.begin(), flag_class.end(), '_', '-');
    auto& limits = adm.rates.For(route_class);
    const struct {
      const char* key;
      const char* what;
      guard::RateLimit* limit;
    } buckets[] = {{"ip", "one address (/32, /64)", &limits.ip},
                   {"subnet", "one subnet (/24, /48)", &limits.subnet},
                   {"account", "one signed-in account", &limits.account}};
    for (const auto& b : buckets) {
      // Only signed-in requests meet an account bucket (Admission::CheckAccount runs after
      // authentication), and static and sign-in routes never authenticate: no flag that does
      // nothing.
      const bool authenticates =
          route_class != guard::RouteClass::kStatic && route_class != guard::RouteClass::kLogin;
      if (b.limit == &limits.account && !authenticates) continue;
      const std::string prefix = "--rate-" + flag_class + "-" + b.key;
      o.Add(prefix + "-per-s", b.limit->per_second,
            name + " requests per second from " + b.what + " (0: no limit)", ad);
      o.Add(prefix + "-burst", b.limit->burst, name + " requests at once from " + b.what, ad);
    }
  }
  o.Add("--rate-max-source-keys", adm.rates.max_source_keys,
        "Addresses and subnets tracked per class at most (new anonymous ones refused beyond)", ad);
  o.Add("--rate-max-account-keys", adm.rates.max_account_keys,
        "Accounts tracked per class at most (least recent forgotten beyond)", ad);
  auto& cc = adm.concurrency;
  o.Add("--concurrency-initial-limit", cc.initial_limit, "Requests handled at once, at start", ad);
  o.Add("--concurrency-min-limit", cc.min_limit, "Adaptive concurrency limit floor", ad);
  o.Add("--concurrency-max-limit", cc.max_limit, "Adaptive concurrency limit ceiling", ad);
  o.Add("--concurrency-tolerance", cc.tolerance,
        "Latency growth over the long-term average tolerated before the limit shrinks", ad);
  o.Add("--concurrency-smoothing", cc.smoothing, "Weight of each limit update (0..1)", ad);
  o.Add("--concurrency-long-window-updates", cc.long_window_updates,
        "Updates the long-term latency average spans", ad);
  o.Add("--concurrency-window-samples", cc.min_window_samples,
        "Latency samples per limit update at least", ad);
  o.Add("--concurrency-window-ms", cc.window_ms, "Time per limit update at least", ad);
  o.Add("--admission-queue", cc.max_queue,
        "Requests waiting for a slot (lowest priority shed beyond, 503)", ad);
  o.Add("--admission-queue-interval-ms", cc.queue_interval_ms,
        "Longest wait for a slot (CoDel interval)", ad);
  o.Add("--admission-queue-target-ms", cc.queue_target_ms,
        "Wait for a slot while the queue is standing (CoDel target)", ad);
  o.Add("--shed-retry-after-s", cc.retry_after_s, "Retry-After of a shed request (503)", ad);
  auto& pow = adm.proof;
  o.Add("--pow-difficulty-bits", pow.difficulty_bits,
        "Proof of work under attack: leading zero bits of SHA-256 (2^bits hashes on average)", ad);
  o.AddDuration("--pow-challenge-ttl-s", pow.challenge_ttl, "How long a challenge is valid", ad);
  o.Add("--pow-max-used", pow.max_used,
        "Used challenges remembered against replay (new solutions refused beyond)", ad);
  o.Add("--pow-secret", pow.secret,
        "Challenge signing secret; empty: random per process (set one for several nodes)", ad);
  o.Add("--block-list-max-automatic", c.block_list.max_automatic_entries,
        "Automatic (detector) blocks kept at most", ad);

  // Forensics and audit (FORENSICS; docs/security.md "Forensics and audit").
  const std::string f = "Forensics and audit";
  auto& al = c.activity_log;
  o.AddDuration("--forensics-slice-s", al.slice,
                "Activity is summed per source per slice of this length", f);
  o.Add("--forensics-max-sources-per-slice", al.max_sources_per_slice,
        "Sources (hosts and subnets) kept per slice, in memory and stored; the heaviest stay", f);
  o.Add("--forensics-max-paths-per-source", al.max_paths_per_source,
        "Distinct paths kept per source per slice (the rest count as other)", f);
  o.Add("--forensics-max-agents-per-source", al.max_agents_per_source,
        "Distinct user agents kept per source per slice (the rest count as other)", f);
  o.Add("--forensics-max-accounts-per-source", al.max_accounts_per_source,
        "Signed-in accounts remembered per source per slice", f);
  o.Add("--forensics-max-text-bytes", al.max_text_bytes, "Paths and user agents are cut to this",
        f);
  o.Add("--forensics-max-pending-slices", al.max_pending_slices,
        "Completed slices held in memory while the store does not take them (oldest dropped)", f);
  auto& ar = c.activity_recorder;
  o.AddDuration("--forensics-flush-interval-ms", ar.flush_interval,
                "How often activity is written to the store (one transaction per flush)", f);
  o.AddDuration("--forensics-retention-days", ar.retention,
                "Stored per-source activity is deleted after this many days", f);
  o.AddDuration("--audit-retention-days", ar.audit_retention,
                "Audit log entries are deleted after this many days", f);
  o.AddDuration("--forensics-prune-interval-s", ar.prune_interval,
                "How often retention deletes old activity and audit entries", f);
  auto& fr = c.forensics;
  o.AddDuration("--forensics-max-window-h", fr.max_window, "Longest from..to of a forensics report",
                f);
  o.AddDuration("--forensics-max-accounts-window-h", fr.max_accounts_window,
                "Longest accounts_from..accounts_to of a forensics report", f);
  o.Add("--forensics-default-top", fr.default_top, "Top sources per scope without ?top=", f);
  o.Add("--forensics-max-top", fr.max_top, "Largest ?top= of a forensics report", f);
  o.Add("--forensics-report-accounts-per-source", fr.max_accounts_per_source,
        "Signed-in accounts listed per source in a report", f);

  // Media: the Janus control plane (docs/operations.md, "Media: Janus").
  const std::string me = "Media (Janus)";
  auto& md = c.media;
  o.Add(
      "--janus", c.janus,
      "A Janus instance: the directory `homeroom janus-config` wrote (or its homeroom-janus.json); "
      "repeat for several instances. None: live classes without video and audio",
      me);
  o.Add("--janus-request-timeout-ms", md.request_timeout_ms,
        "One Janus API request, connect to answer", me);
  o.Add("--janus-event-timeout-ms", md.event_timeout_ms,
        "How long an asynchronous VideoRoom request may take to answer", me);
  o.Add("--janus-long-poll-timeout-ms", md.long_poll_timeout_ms,
        "The long poll of Janus events (Janus answers within 30 s)", me);
  o.Add("--janus-max-events-per-poll", md.max_events_per_poll,
        "Events one long-poll answer carries at most", me);
  o.Add("--janus-max-response-bytes", md.max_response_bytes, "Largest Janus answer accepted", me);
  o.Add("--janus-health-interval-ms", md.health_interval_ms,
        "Period of each instance's health check and session keepalive", me);
  o.Add("--janus-failures-before-unhealthy", md.failures_before_unhealthy,
        "Consecutive failed health checks before an instance is unhealthy", me);
  o.Add("--media-max-rooms-per-instance", md.max_rooms_per_instance,
        "Rooms placed on one Janus instance at most", me);
  o.Add("--media-max-publishers-per-room", md.max_publishers_per_room,
        "Publishers (teacher camera and screen, students with the floor) per room", me);
  o.Add("--media-publisher-bitrate-bps", md.publisher_bitrate_bps,
        "Bitrate cap of each publisher, bits per second", me);

  // Guard: detection and blocking (docs/security.md, "Defenses" > "Detection and blocking").
  const std::string gd = "Guard: detection";
  auto& se = c.sentinel;
  auto& de = c.sentinel.detector;
  o.Add("--guard-detection", se.enabled,
        "Count traffic per source and detect attacks (blocks are enforced either way)", gd);
  o.AddDuration("--guard-tick-ms", se.tick,
                "The detector's window: traffic is judged once per tick", gd);
  o.AddDuration("--guard-connection-log-interval-ms", se.connection_log_interval,
                "At most one guard_connection_decisions log line (counts of refusals, evictions "
                "and timeouts by kind, and the top source) per this interval, only when non-zero",
                gd);
  o.AddDuration("--guard-sync-interval-ms", c.guard_sync_interval,
                "How often each node re-reads the block and allow rules from the store", gd);
  o.Add("--guard-shards", se.traffic.shards, "Lock shards of the per-source counters", gd);
  o.Add("--guard-top-k", se.traffic.top_k_per_shard,
        "Heaviest sources tracked per shard (space-saving counters)", gd);
  o.Add("--guard-sketch-width", se.traffic.sketch_width, "Count-min sketch cells per row", gd);
  o.Add("--guard-sketch-depth", se.traffic.sketch_depth, "Count-min sketch rows", gd);
  o.Add("--guard-login-route", se.traffic.login_route,
        "The sign-in route whose failures reveal login stuffing", gd);
  o.Add("--guard-live-route", se.traffic.live_route,
        "The live WebSocket route whose untrusted upgrade attempts reveal a WebSocket flood", gd);
  o.Add("--guard-flood-host-rps", de.flood_host_rps,
        "Requests/s from one host (/32, /64) that make a flood", gd);
  o.Add("--guard-flood-subnet-rps", de.flood_subnet_rps,
        "Requests/s from one subnet (/24, /48) that make a flood", gd);
  o.Add("--guard-many-source-factor", de.many_source_factor,
        "A many-source flood is this many times the baseline request rate", gd);
  o.Add("--guard-many-source-min-rps", de.many_source_min_rps,
        "...and at least this many requests/s", gd);
  o.Add("--guard-many-source-min-hosts", de.many_source_min_hosts,
        "...from at least this many distinct hosts", gd);
  o.Add("--guard-slow-events-per-s", de.slow_events_per_s,
        "Head, body and write timeouts per second (averaged over --guard-slow-window-s) that make "
        "a slow-client attack",
        gd);
  o.AddDuration("--guard-slow-window-s", de.slow_window,
                "The span timeouts are averaged over (longer than the head and body deadlines)",
                gd);
  o.Add("--guard-login-failures-per-s", de.login_failures_per_s,
        "Sign-in failures per second that make login stuffing", gd);
  o.Add("--guard-ws-untrusted-upgrades-per-s", de.ws_untrusted_upgrades_per_s,
        "Anonymous or refused WebSocket upgrade attempts per second that make a WebSocket flood",
        gd);
  o.Add("--guard-ws-abuse-per-s", de.ws_abuse_per_s,
        "WebSockets closed for abuse per second that make a WebSocket flood", gd);
  o.Add("--guard-start-after-windows", de.start_after_hot_windows,
        "Consecutive hot windows before an attack starts", gd);
  o.Add("--guard-end-after-windows", de.end_after_quiet_windows,
        "Consecutive quiet windows before an attack ends (longer than on/off pulses)", gd);
  o.AddDuration("--guard-baseline-window-s", de.baseline_window,
                "Time constant of the baseline request rate (quiet windows only)", gd);
  o.Add("--guard-auto-block", de.auto_block, "Block hosts far over the threshold during a flood",
        gd);
  o.Add("--guard-auto-block-factor", de.auto_block_factor,
        "A host over this many times --guard-flood-host-rps is auto-blocked", gd);
  o.AddDuration("--guard-auto-block-ttl-s", de.auto_block_ttl, "How long an auto-block lasts", gd);
  o.Add("--guard-max-auto-blocks", de.max_auto_blocks, "Auto-blocks in force at once", gd);
  o.Add("--guard-top-sources", de.top_sources, "Sources named in the status and attack events", gd);
  o.Add("--guard-recent-events", de.recent_events, "Attack events kept for the status page", gd);
}

}  // namespace homeroom::app
