#include "app/app.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <filesystem>

#include "api/routes.h"
#include "api/session_authenticator.h"
#include "core/clock.h"
#include "core/log.h"
#include "domain/activity_recorder.h"
#include "domain/alerts.h"
#include "domain/analytics.h"
#include "domain/attendance_recorder.h"
#include "domain/client_telemetry.h"
#include "domain/coursework.h"
#include "domain/daily_attendance.h"
#include "domain/diagnostics.h"
#include "domain/external_attendance.h"
#include "domain/guard_service.h"
#include "domain/live_schedule.h"
#include "domain/pathways.h"
#include "domain/preferences.h"
#include "domain/roster_service.h"
#include "domain/teacher_feedback.h"
#include "guard/activity_log.h"
#include "guard/admission.h"
#include "guard/attack_mode.h"
#include "guard/block_list.h"
#include "guard/sentinel.h"
#include "http/dispatcher.h"
#include "http/metrics_handler.h"
#include "http/router.h"
#include "http/static_site.h"
#include "live/bus.h"
#include "live/hub.h"
#include "media/janus_media_engine.h"
#include "media/media_service.h"

namespace homeroom::app {

namespace {
// The metrics listener serves a few scrapers on a private address: one thread and a small
// connection cap keep it from competing with users for the cores.
constexpr int kMetricsIoThreads = 1;
constexpr size_t kMetricsMaxConnections = 64;
// GETs of the web app carry no body.
constexpr size_t kWebBodyLimit = 1024;
}  // namespace

App::App(AppConfig config) : config_(std::move(config)) {}

App::~App() {
  // Stop the I/O threads first (their coroutines use everything below), then the services and the
  // store, whose pools post completions to the servers' io_contexts: those must still exist (not
  // run) while the pools drain. The io_contexts go last.
  if (server_) {
    Shutdown();
    Wait();
  }
  if (sentinel_) sentinel_->Stop();
  auth_.reset();
  hub_.reset();           // closes open attendance intervals into the recorder
  media_engine_.reset();  // after the rooms that call it
  media_.reset();         // its work on the API server's context has stopped with it
  bus_.reset();
  if (attendance_) attendance_->Stop();  // writes what is queued while the store is open
  attendance_.reset();
  if (activity_recorder_) activity_recorder_->Stop();  // writes what the log holds
  activity_recorder_.reset();
  coursework_.reset();  // its file pool posts to the servers' io_contexts, like the store's
  live_.reset();
  roster_.reset();
  guard_.reset();
  db_.reset();
  maintenance_task_.reset();
  guard_sync_task_.reset();
  live_sweep_task_.reset();
  analytics_task_.reset();
  server_.reset();
  metrics_server_.reset();
}

Result<std::unique_ptr<App>> App::Create(AppConfig config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return Status::Unavailable(
        "cannot create data directory " + config.data_dir + ": " + ec.message(), 5);
  }
  if (config.sentinel.tick < std::chrono::milliseconds(100) ||
      config.guard_sync_interval < std::chrono::milliseconds(100)) {
    return Status::InvalidArgument("--guard-tick-ms and --guard-sync-interval-ms must be >= 100");
  }
  Result<guard::TrustedProxies> proxies = guard::TrustedProxies::Parse(config.trusted_proxies);
  if (!proxies.ok())
    return Status::InvalidArgument("--trusted-proxy: " + proxies.status().message());
  config.server.trusted_proxies = *proxies;
  config.dispatcher.trusted_proxies = *std::move(proxies);
  std::unique_ptr<App> app(new App(std::move(config)));
  AppConfig& c = app->config_;
  c.db.path = c.DatabasePath();
  HR_ASSIGN_OR_RETURN(app->db_, store::Database::Open(c.db, &app->metrics_));
  app->auth_ = std::make_unique<auth::AuthService>(*app->db_, SystemClock::Instance(),
                                                   app->metrics_, c.auth);
  app->roster_ = std::make_unique<domain::RosterService>(*app->db_);
  HR_ASSIGN_OR_RETURN(
      app->live_, domain::LiveScheduleService::Create(*app->db_, SystemClock::Instance(), c.live));
  app->attendance_ =
      std::make_unique<domain::AttendanceRecorder>(*app->db_, app->metrics_, c.attendance);
  // Intervals left open by a previous process close at their last heartbeat, before any room runs.
  HR_RETURN_IF_ERROR(app->attendance_->Recover().status());
  app->attendance_->Start();
  app->services_.reset(new api::Services{*app->db_, *app->auth_, *app->roster_, c.api});
  app->services_->live = app->live_.get();
  app->preferences_ =
      std::make_unique<domain::PreferencesService>(*app->db_, SystemClock::Instance());
  app->services_->preferences = app->preferences_.get();
  HR_ASSIGN_OR_RETURN(domain::DistrictZone zone,
                      domain::DistrictZone::Load(c.live.district_time_zone));
  app->pathways_ = std::make_unique<domain::PathwayService>(
      *app->db_, SystemClock::Instance(), zone,
      domain::PathwayOptions{.max_early_open = c.live.max_early_start});
  app->services_->pathways = app->pathways_.get();
  app->coursework_ = std::make_unique<domain::CourseworkService>(
      *app->db_, SystemClock::Instance(), zone, app->metrics_, c.data_dir + "/files", c.coursework);
  HR_RETURN_IF_ERROR(app->coursework_->Init());
  app->services_->coursework = app->coursework_.get();
  app->feedback_ = std::make_unique<domain::FeedbackService>(*app->db_, SystemClock::Instance(),
                                                             zone, c.feedback);
  app->services_->feedback = app->feedback_.get();
  app->telemetry_ = std::make_unique<domain::TelemetryService>(*app->db_, SystemClock::Instance(),
                                                               app->metrics_, c.telemetry);
  app->services_->telemetry = app->telemetry_.get();
  app->daily_attendance_ = std::make_unique<domain::DailyAttendanceService>(
      *app->db_, SystemClock::Instance(), zone, c.daily_attendance);
  app->services_->daily_attendance = app->daily_attendance_.get();
  app->analytics_ = std::make_unique<domain::AnalyticsService>(*app->db_, SystemClock::Instance(),
                                                               zone, c.analytics, app->metrics_);
  app->services_->analytics = app->analytics_.get();
  app->alerts_ =
      std::make_unique<domain::AlertService>(*app->db_, SystemClock::Instance(), zone, c.alerts);
  app->services_->alerts = app->alerts_.get();
  app->external_attendance_ = std::make_unique<domain::ExternalAttendanceService>(
      *app->db_, SystemClock::Instance(), c.external_report);
  app->services_->external_attendance = app->external_attendance_.get();
  app->diagnostics_ = std::make_unique<domain::DiagnosticsService>(*app->db_, std::move(zone));
  app->services_->diagnostics = app->diagnostics_.get();
  // The guard's shared state and admission control (docs/security.md, "Defenses").
  HR_ASSIGN_OR_RETURN(guard::AttackModeSetting attack_setting,
                      guard::ParseAttackModeSetting(c.attack_mode));
  app->block_list_ = std::make_unique<guard::BlockList>(SystemClock::Instance(), c.block_list);
  app->attack_mode_ = std::make_unique<guard::AttackMode>(&app->metrics_);
  app->attack_mode_->SetSetting(attack_setting);
  app->admission_ = std::make_unique<guard::Admission>(
      SystemClock::Instance(), app->metrics_, *app->block_list_, *app->attack_mode_, c.admission);
  app->services_->admission = app->admission_.get();
  // Forensics: the log observes every request; its recorder flushes it and prunes past retention.
  app->activity_log_ = std::make_unique<guard::ActivityLog>(c.activity_log, app->metrics_);
  app->activity_recorder_ = std::make_unique<domain::ActivityRecorder>(
      *app->activity_log_, *app->db_, SystemClock::Instance(), app->metrics_, c.activity_recorder);
  app->activity_recorder_->Start();
  app->services_->forensics = &c.forensics;
  app->services_->activity = app->activity_recorder_.get();
  app->router_ = std::make_unique<http::Router>();
  api::AddRoutes(*app->router_, *app->services_);
  // The web app: every GET outside /api that no route takes (docs/web.md).
  if (!c.web.root.empty()) {
    auto site = http::StaticSite::Load(c.web, app->metrics_);
    if (site.ok()) {
      app->web_ = std::move(site).value();
      app->router_->SetFallback(app->web_->AsHandler(),
                                {.access = http::Access::kPublic,
                                 .body_limit = kWebBodyLimit,
                                 .route_class = guard::RouteClass::kStatic},
                                "/api");
      log::Info("web_app", {{"root", c.web.root},
                            {"files", app->web_->file_count()},
                            {"bytes", app->web_->total_bytes()}});
    } else if (site.status().code() == StatusCode::kNotFound) {
      log::Warn("web_app_missing", {{"root", c.web.root}, {"error", site.status().ToString()}});
    } else {
      return site.status();
    }
  }
  app->authenticator_ = std::make_unique<api::SessionAuthenticator>(*app->services_);
  app->dispatcher_ = std::make_unique<http::Dispatcher>(*app->router_, *app->authenticator_,
                                                        app->metrics_, c.dispatcher);
  app->dispatcher_->SetAdmission(app->admission_.get());
  app->dispatcher_->AddObserver(app->activity_log_.get());
  app->server_ = std::make_unique<net::Server>(c.server, *app->dispatcher_, app->metrics_, "api");
  // Media runs on the API server's threads: its Janus calls are asynchronous HTTP on loopback.
  HR_ASSIGN_OR_RETURN(
      app->media_, media::MediaService::Create(app->server_->io_context().get_executor(), c.janus,
                                               c.media, app->metrics_));
  app->services_->media = app->media_.get();

  // The guard: the operators' rules are read before the first connection, the Sentinel
  // refuses blocked sources at accept and watches every answered request.
  // BlockList and AttackMode were made above, with admission.
  Clock& clock = SystemClock::Instance();
  app->sentinel_ = std::make_unique<guard::Sentinel>(clock, c.sentinel, *app->block_list_,
                                                     *app->attack_mode_, app->metrics_);
  app->guard_ = std::make_unique<domain::GuardService>(*app->db_, clock, *app->block_list_,
                                                       *app->attack_mode_);
  HR_RETURN_IF_ERROR(app->guard_->SyncNow());
  app->server_->SetGate(app->sentinel_.get());
  app->dispatcher_->AddObserver(app->sentinel_.get());
  app->services_->guard = app->guard_.get();
  app->services_->sentinel = app->sentinel_.get();
  app->services_->metrics = &app->metrics_;

  // Live rooms run on their own io_context (started in Start()). The schedule tells the hub when a
  // session ends through the API; the hub tells the schedule when a room ends by itself or by the
  // teacher.
  app->bus_ = std::make_unique<live::InProcessBus>();
  app->hub_ =
      std::make_unique<live::Hub>(app->live_io_.get_executor(), *app->bus_, *app->attendance_,
                                  SystemClock::Instance(), app->metrics_, c.hub);
  app->services_->hub = app->hub_.get();
  app->media_engine_ = std::make_unique<media::JanusMediaEngine>(
      app->server_->io_context().get_executor(), *app->media_);
  app->hub_->SetMediaEngine(app->media_engine_.get());
  live::Hub* hub = app->hub_.get();
  app->live_->SetOnEnd([hub](int64_t session_id, std::string reason) {
    hub->EndRoom(session_id, std::move(reason));
  });
  domain::LiveScheduleService* schedule = app->live_.get();
  boost::asio::io_context& io = app->live_io_;
  app->hub_->SetRoomEndedCallback([schedule, &io](int64_t session_id, const std::string&) {
    boost::asio::co_spawn(io, schedule->MarkEndedByRoom(session_id), boost::asio::detached);
  });
  if (!c.metrics_listen.empty()) {
    app->metrics_handler_ = std::make_unique<http::MetricsHandler>(app->metrics_);
    net::ServerOptions metrics_options;
    metrics_options.io_threads = kMetricsIoThreads;
    metrics_options.max_connections = kMetricsMaxConnections;
    app->metrics_server_ = std::make_unique<net::Server>(metrics_options, *app->metrics_handler_,
                                                         app->metrics_, "metrics");
  }
  return app;
}

Status App::Start() {
  HR_RETURN_IF_ERROR(server_->Listen(config_.listen));
  if (metrics_server_) HR_RETURN_IF_ERROR(metrics_server_->Listen(config_.metrics_listen));
  sentinel_->Start();
  auto executor = server_->io_context().get_executor();
  maintenance_task_ = std::make_unique<PeriodicTask>(executor, config_.maintenance_interval,
                                                     [this] { return Maintain(); });
  guard_sync_task_ = std::make_unique<PeriodicTask>(executor, config_.guard_sync_interval,
                                                    [this] { return SyncGuardRules(); });
  live_sweep_task_ = std::make_unique<PeriodicTask>(
      executor, config_.live_sweep_interval, [this] { return EndLiveSessionsWithoutRoom(); });
  maintenance_task_->Start();
  guard_sync_task_->Start();
  live_sweep_task_->Start();
  if (config_.analytics.refresh_interval.count() > 0) {
    analytics_task_ = std::make_unique<PeriodicTask>(executor, config_.analytics.refresh_interval,
                                                     [this] { return RefreshAnalytics(); });
    analytics_task_->Start(config_.analytics.first_refresh_delay);
  }
  live_work_.emplace(live_io_.get_executor());
  for (int i = 0; i < std::max(1, config_.live_threads); ++i) {
    live_threads_.emplace_back([this] { live_io_.run(); });
  }
  media_->Start();
  server_->Start();
  if (metrics_server_) metrics_server_->Start();
  return Status::Ok();
}

boost::asio::awaitable<void> App::Maintain() {
  Result<int64_t> pruned = co_await auth_->PruneEndedSessions();
  if (pruned.ok()) {
    if (*pruned > 0) log::Info("sessions_pruned", {{"count", *pruned}});
  } else {
    log::Warn("sessions_prune_failed", {{"error", pruned.status().ToString()}});
  }
  Result<int64_t> events = co_await telemetry_->Prune();
  if (events.ok()) {
    if (*events > 0) log::Info("client_events_pruned", {{"count", *events}});
  } else {
    log::Warn("client_events_prune_failed", {{"error", events.status().ToString()}});
  }
}

boost::asio::awaitable<void> App::SyncGuardRules() {
  Status synced = co_await guard_->Sync();
  // Logged once per failure run, not every few seconds while the store is saturated.
  if (!synced.ok() && !guard_sync_failing_) {
    log::Warn("guard_sync_failed", {{"error", synced.ToString()}});
  }
  guard_sync_failing_ = !synced.ok();
}

boost::asio::awaitable<void> App::EndLiveSessionsWithoutRoom() {
  constexpr int kBatch = 500;  // the rest wait for the next sweep
  Result<std::vector<int64_t>> past =
      co_await live_->LivePastEnd(config_.hub.auto_end_delay_ms, kBatch);
  if (!past.ok()) {
    log::Warn("live_sweep_failed", {{"error", past.status().ToString()}});
    co_return;
  }
  for (int64_t session_id : *past) {
    if (hub_->FindRoom(session_id)) continue;  // its room ends it once empty
    auto ended = co_await live_->End(session_id);
    if (ended.ok()) {
      log::Info("live_session_ended_without_room", {{"session_id", session_id}});
    } else if (ended.status().code() != StatusCode::kConflict) {  // kConflict: ended meanwhile
      log::Warn("live_sweep_failed",
                {{"session_id", session_id}, {"error", ended.status().ToString()}});
    }
  }
}

boost::asio::awaitable<void> App::RefreshAnalytics() {
  Status refreshed = co_await analytics_->RefreshRecent();
  // kConflict: a district admin's refresh is running; this pass is not needed.
  if (!refreshed.ok() && refreshed.code() != StatusCode::kConflict) {
    log::Warn("analytics_refresh_failed", {{"error", refreshed.ToString()}});
  }
}

void App::Shutdown() {
  for (PeriodicTask* task : {maintenance_task_.get(), guard_sync_task_.get(),
                             live_sweep_task_.get(), analytics_task_.get()}) {
    if (task) task->Stop();
  }
  if (analytics_) analytics_->Stop();  // a refresh in progress ends after its current day
  if (media_) media_->Stop();
  server_->Shutdown(config_.shutdown_deadline);
  if (metrics_server_) metrics_server_->Shutdown(std::chrono::milliseconds(0));
}

void App::Wait() {
  server_->Wait();
  sentinel_->Stop();
  if (metrics_server_) metrics_server_->Wait();
  // The sockets are closed; the rooms' timers are all that keeps the live io_context busy.
  live_work_.reset();
  live_io_.stop();
  for (std::thread& thread : live_threads_) thread.join();
  live_threads_.clear();
}

uint16_t App::api_port() const { return server_->port(); }
uint16_t App::metrics_port() const { return metrics_server_ ? metrics_server_->port() : 0; }

int RunServe(AppConfig config) {
  log::Level level;
  if (!log::ParseLevel(config.log_level, &level)) {
    std::fprintf(stderr, "homeroom: --log-level must be debug, info, warn or error\n");
    return 2;
  }
  log::Init({.min_level = level});
  auto app = App::Create(std::move(config));
  if (!app.ok()) {
    log::Error("start_failed", {{"error", app.status().ToString()}});
    log::Flush();
    return 1;
  }
  Status started = (*app)->Start();
  if (!started.ok()) {
    log::Error("start_failed", {{"error", started.ToString()}});
    log::Flush();
    return 1;
  }
  const AppConfig& c = (*app)->config();
  log::Info("serving", {{"listen", c.listen},
                        {"port", (*app)->api_port()},
                        {"metrics_port", (*app)->metrics_port()},
                        {"data_dir", c.data_dir},
                        {"io_threads", c.server.io_threads},
                        {"live_threads", c.live_threads}});

  // Signals are waited for on a small io_context of their own, so the server's threads need not
  // know about them.
  boost::asio::io_context signals_io;
  boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    log::Info("shutting_down", {{"signal", signal}, {"deadline_ms", c.shutdown_deadline.count()}});
    (*app)->Shutdown();
  });
  std::thread signal_thread([&] { signals_io.run(); });
  (*app)->Wait();
  signals_io.stop();
  signal_thread.join();
  log::Info("stopped");
  log::Flush();
  return 0;
}

}  // namespace homeroom::app
