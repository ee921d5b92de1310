#pragma once

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "api/services.h"
#include "auth/auth_service.h"
#include "domain/activity_recorder.h"
#include "domain/alerts.h"
#include "domain/analytics.h"
#include "domain/attendance_recorder.h"
#include "domain/client_telemetry.h"
#include "domain/coursework.h"
#include "domain/daily_attendance.h"
#include "domain/external_report.h"
#include "domain/forensics_report.h"
#include "domain/live_schedule.h"
#include "domain/teacher_feedback.h"
#include "guard/activity_log.h"
#include "guard/admission.h"
#include "guard/block_list.h"
#include "guard/sentinel.h"
#include "http/dispatcher.h"
#include "http/static_site.h"
#include "live/hub_options.h"
#include "media/media_options.h"
#include "net/server.h"
#include "store/database.h"

namespace homeroom::app {

// Every setting of `homeroom serve` (and `demo`). Each comes from a flag, a HOMEROOM_* environment
// variable (the flag's name upper-cased: --head-timeout-ms -> HOMEROOM_HEAD_TIMEOUT_MS), or a
// config file (--config FILE, TOML or INI); `homeroom serve --help` lists them with defaults.
struct AppConfig {
  AppConfig() {
    server.io_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    live_threads = server.io_threads;
    web.root = DefaultWebRoot();
  }

  // The built web app this binary was built beside (<source>/web/dist), so that `make demo`
  // serves it from any working directory; --web-root overrides it.
  static std::string DefaultWebRoot();

  std::string listen = "127.0.0.1:8080";                // the API and web listener, host:port
  std::string metrics_listen = "127.0.0.1:9464";        // Prometheus /metrics; empty to disable
  std::string data_dir = "var/data";                    // SQLite file and other state
  std::string log_level = "info";                       // debug | info | warn | error
  std::chrono::milliseconds shutdown_deadline{10'000};  // in-flight requests may finish this long
  std::chrono::seconds maintenance_interval{3600};      // how often ended sessions are pruned
  // How often live sessions past their end + hub.auto_end_delay_ms that have no room (never
  // joined, or the room was lost in a restart) are ended.
  std::chrono::milliseconds live_sweep_interval{60'000};
  // Threads running the live rooms' strands (one per core by default). Rooms are independent, so
  // one thread would cap a node's whole live load at one core (bench/RESULTS.md, "Live classes").
  int live_threads = 1;

  net::ServerOptions server;
  http::DispatcherOptions dispatcher;
  // The web app's files (docs/web.md): served from memory for every GET outside /api; a root
  // without index.html serves the API alone (logged as web_app_missing).
  http::StaticSiteOptions web;
  store::Database::Options db;  // path is data_dir/homeroom.db
  auth::AuthOptions auth;
  api::ApiOptions api;
  domain::LiveOptions live;              // schedule, district time zone, attendance rules
  domain::CourseworkOptions coursework;  // upload limits and types; files in data_dir/files
  live::HubOptions hub;                  // live-class rooms: limits of chat, polls, history, grace
  domain::AttendanceRecorderOptions attendance;
  domain::AlertOptions alerts;  // families' alerts: how far back, how many
  domain::DailyAttendanceOptions daily_attendance;
  domain::AnalyticsOptions analytics;            // report limits, the rollup job's schedule
  domain::ExternalReportLimits external_report;  // external meetings' attendance reports  // report
                                                 // length, override reason length
  domain::FeedbackOptions feedback;    // teacher feedback: text length, entries per teacher a day
  domain::TelemetryOptions telemetry;  // client telemetry: report size, rate, retention
  // Admission before handlers: rate limits, concurrency limit, proof of work (docs/security.md).
  guard::AdmissionOptions admission;
  guard::BlockListOptions block_list;
  std::string attack_mode = "auto";  // auto | on | off: under-attack mode at start
  // Forensics and audit (docs/security.md, "Forensics and audit"): flags --forensics-*.
  guard::ActivityLogOptions activity_log;
  domain::ActivityRecorderOptions activity_recorder;
  domain::ForensicsOptions forensics;
  // Guard: detection and blocking: the detector's thresholds and windows, auto-block,
  // and how often each node re-reads the operators' block and allow rules from the store.
  guard::SentinelOptions sentinel;
  std::chrono::milliseconds guard_sync_interval{5000};
  // Media (docs/operations.md, "Media: Janus"): each Janus instance's homeroom-janus.json (or the
  // directory holding it); none means live classes without video and audio.
  std::vector<std::string> janus;
  media::MediaOptions media;
  // Load balancers and proxies in front of the server (CIDR ranges or addresses): their
  // X-Forwarded-For names the client, and they are exempt from the per-IP and per-subnet
  // connection caps (docs/security.md, "Defenses" > "Behind a proxy"). App::Create parses them
  // into server.trusted_proxies and dispatcher.trusted_proxies.
  std::vector<std::string> trusted_proxies;

  std::string DatabasePath() const { return data_dir + "/homeroom.db"; }
};

// Registers every AppConfig setting on `cmd` (flags, environment variables, --config file).
void AddServeOptions(CLI::App& cmd, AppConfig& config);

}  // namespace homeroom::app
