#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "app/config.h"
#include "app/periodic_task.h"
#include "core/metrics.h"

namespace homeroom::domain {
class RosterService;
class LiveScheduleService;
class PreferencesService;
class FeedbackService;
class TelemetryService;
class DiagnosticsService;
class PathwayService;
class CourseworkService;
class DailyAttendanceService;
class AlertService;
class ExternalAttendanceService;
class AttendanceRecorder;
class ActivityRecorder;
}  // namespace homeroom::domain
namespace homeroom::guard {
class ActivityLog;
}  // namespace homeroom::guard
namespace homeroom::http {
class Router;
class Dispatcher;
class MetricsHandler;
class StaticSite;
}  // namespace homeroom::http
namespace homeroom::live {
class Hub;
class InProcessBus;
}  // namespace homeroom::live
namespace homeroom::api {
class SessionAuthenticator;
}
namespace homeroom::media {
class MediaService;
class JanusMediaEngine;
}  // namespace homeroom::media
namespace homeroom::guard {
class Admission;
class AttackMode;
class BlockList;
class Sentinel;
}  // namespace homeroom::guard
namespace homeroom::domain {
class GuardService;
}

namespace homeroom::app {

// The whole server, wired in one place: config -> store -> services -> router -> listeners.
// Integration tests create it on port 0 against a temporary data directory, exactly as `serve`
// does. Start/Shutdown/Wait are thread-safe.
class App {
 public:
  // Opens (and migrates) the store and builds every component. Fails when the data directory or
  // the store cannot be opened.
  static Result<std::unique_ptr<App>> Create(AppConfig config);
  ~App();

  // Binds both listeners and starts serving. Fails when an address cannot be bound.
  Status Start();
  // Stops accepting; in-flight requests may finish until the configured deadline.
  void Shutdown();
  // Returns when both listeners have stopped.
  void Wait();

  uint16_t api_port() const;
  uint16_t metrics_port() const;  // 0 when disabled
  metrics::Registry& metrics() { return metrics_; }
  store::Database& db() { return *db_; }
  auth::AuthService& auth() { return *auth_; }
  domain::LiveScheduleService& live() { return *live_; }
  domain::AttendanceRecorder& attendance() { return *attendance_; }
  guard::ActivityLog& activity_log() { return *activity_log_; }
  domain::ActivityRecorder& activity_recorder() { return *activity_recorder_; }
  live::Hub& hub() { return *hub_; }
  // The Janus control plane (not enabled() when no --janus is configured).
  media::MediaService& media() { return *media_; }
  guard::Sentinel& sentinel() { return *sentinel_; }
  domain::GuardService& guard() { return *guard_; }
  const http::Router& router() const { return *router_; }
  // The guard's shared state: blocked ranges (consulted per connection and per request) and
  // under-attack mode, for the Sentinel, the admin API and the CLI; admission control.
  guard::BlockList& block_list() { return *block_list_; }
  guard::AttackMode& attack_mode() { return *attack_mode_; }
  guard::Admission& admission() { return *admission_; }
  const AppConfig& config() const { return config_; }

 private:
  explicit App(AppConfig config);
  // Housekeeping every maintenance_interval (pruning ended sessions and old client events).
  boost::asio::awaitable<void> Maintain();
  // Re-reads the operators' block and allow rules (every guard_sync_interval; the store read runs
  // on a reader thread).
  boost::asio::awaitable<void> SyncGuardRules();
  // Ends live sessions that no room will end: started but never joined, or whose room was lost in
  // a restart (only a room ends a session by itself), once past their end + the auto-end delay.
  boost::asio::awaitable<void> EndLiveSessionsWithoutRoom();
  // Recomputes the analytics rollup of the recent days (every analytics refresh interval).
  boost::asio::awaitable<void> RefreshAnalytics();

  AppConfig config_;
  metrics::Registry metrics_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<auth::AuthService> auth_;
  std::unique_ptr<domain::RosterService> roster_;
  std::unique_ptr<domain::LiveScheduleService> live_;
  std::unique_ptr<domain::PreferencesService> preferences_;
  std::unique_ptr<domain::PathwayService> pathways_;
  std::unique_ptr<domain::CourseworkService> coursework_;
  std::unique_ptr<domain::FeedbackService> feedback_;
  std::unique_ptr<domain::TelemetryService> telemetry_;
  std::unique_ptr<domain::DiagnosticsService> diagnostics_;
  std::unique_ptr<domain::DailyAttendanceService> daily_attendance_;
  std::unique_ptr<domain::AnalyticsService> analytics_;
  std::unique_ptr<domain::AlertService> alerts_;
  std::unique_ptr<domain::ExternalAttendanceService> external_attendance_;
  std::unique_ptr<domain::AttendanceRecorder> attendance_;
  // Forensics: every answered request summed per source (the dispatcher's observer), written to
  // the store by the recorder's thread.
  std::unique_ptr<guard::ActivityLog> activity_log_;
  std::unique_ptr<domain::ActivityRecorder> activity_recorder_;
  std::unique_ptr<live::InProcessBus> bus_;
  std::unique_ptr<live::Hub> hub_;
  // The rooms' own io_context and threads (--live-threads): room strands and timers live apart
  // from the HTTP server's threads, so that the server can drain and stop while rooms close in
  // order.
  boost::asio::io_context live_io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>
      live_work_;
  std::vector<std::thread> live_threads_;
  std::unique_ptr<api::Services> services_;
  std::unique_ptr<http::StaticSite> web_;  // before router_: the fallback route points at it
  std::unique_ptr<http::Router> router_;
  std::unique_ptr<api::SessionAuthenticator> authenticator_;
  std::unique_ptr<guard::BlockList> block_list_;
  std::unique_ptr<guard::AttackMode> attack_mode_;
  std::unique_ptr<guard::Admission> admission_;
  std::unique_ptr<http::Dispatcher> dispatcher_;
  std::unique_ptr<net::Server> server_;
  // Video and audio: the Janus instances, health-checked on the API server's threads.
  std::unique_ptr<media::MediaService> media_;
  // The rooms' media engine over media_ (signaling relayed to Janus).
  std::unique_ptr<media::JanusMediaEngine> media_engine_;
  std::unique_ptr<http::MetricsHandler> metrics_handler_;
  std::unique_ptr<net::Server> metrics_server_;
  // The Sentinel (detection, auto-block; the server's gate and a request observer) and the
  // operators' rules kept in the store; block_list_ and attack_mode_ above are theirs too.
  std::unique_ptr<guard::Sentinel> sentinel_;
  std::unique_ptr<domain::GuardService> guard_;
  bool guard_sync_failing_ = false;  // its task's strand only: logs once per failure run
  // The three above on the API server's threads; after server_, so they go before its io_context.
  std::unique_ptr<PeriodicTask> maintenance_task_;
  std::unique_ptr<PeriodicTask> guard_sync_task_;
  std::unique_ptr<PeriodicTask> live_sweep_task_;
  std::unique_ptr<PeriodicTask> analytics_task_;  // absent when the refresh interval is 0
};

// `homeroom serve`: starts the App, logs where it listens, shuts down gracefully on SIGTERM or
// SIGINT. Returns the process exit code.
int RunServe(AppConfig config);

}  // namespace homeroom::app
