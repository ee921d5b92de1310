#pragma once

#include <string>
#include <vector>

namespace homeroom::store {
class Database;
}
namespace homeroom::auth {
class AuthService;
}
namespace homeroom::domain {
class RosterService;
class LiveScheduleService;
class ActivityRecorder;
class PreferencesService;
class FeedbackService;
class TelemetryService;
class DiagnosticsService;
class DailyAttendanceService;
class AlertService;
class ExternalAttendanceService;
class PathwayService;
class CourseworkService;
class AnalyticsService;
struct ForensicsOptions;
}  // namespace homeroom::domain
namespace homeroom::live {
class Hub;
}
namespace homeroom::media {
class MediaService;
}
namespace homeroom::guard {
class Admission;
class Sentinel;
}  // namespace homeroom::guard
namespace homeroom::domain {
class GuardService;
}
namespace homeroom::metrics {
class Registry;
}

namespace homeroom::api {

// Settings of the API layer (homeroom serve --help lists them).
struct ApiOptions {
  // Origins allowed to send cookie-authenticated state-changing requests, besides the server's
  // own (the request's Host). E.g. "https://homeroom.district.example".
  std::vector<std::string> allowed_origins;
  // Mark the session cookie Secure even on plain HTTP: set it when a TLS-terminating proxy sits in
  // front of Homeroom (the cookie is always Secure on a TLS connection).
  bool secure_cookies = false;
  // Largest JSON body of the sign-in routes.
  size_t auth_body_limit = 4 << 10;
};

// What the handlers call. Owned by the app; outlives the router.
struct Services {
  store::Database& db;
  auth::AuthService& auth;
  domain::RosterService& roster;
  const ApiOptions& options;
  // Live classes (live_sessions_api.cc); set by the app before the routes serve.
  domain::LiveScheduleService* live = nullptr;
  // The live-class rooms behind GET /api/v1/live (live_api.cc); set by the app before serving.
  live::Hub* hub = nullptr;
  // Admission control: issues the proof-of-work challenges (challenge_api.cc); set by the app.
  guard::Admission* admission = nullptr;
  // Forensics and audit (forensics_api.cc): the report's limits, and the recorder the report
  // flushes before it reads (absent: the report shows what the store has). Set by the app.
  const domain::ForensicsOptions* forensics = nullptr;
  domain::ActivityRecorder* activity = nullptr;
  // The guard's operator endpoints (admin_guard_api.cc); set by the app before serving.
  domain::GuardService* guard = nullptr;
  guard::Sentinel* sentinel = nullptr;
  metrics::Registry* metrics = nullptr;
  // Video and audio through Janus (null or not enabled(): media off); readiness and the admin
  // status show its health. Set by the app.
  media::MediaService* media = nullptr;
  // Each user's own preferences (me_api.cc); set by the app before serving.
  domain::PreferencesService* preferences = nullptr;
  // Alternate pathways (pathways_api.cc); set by the app before serving.
  domain::PathwayService* pathways = nullptr;
  // Coursework (coursework_api.cc); set by the app before the routes are added.
  domain::CourseworkService* coursework = nullptr;
  // Teacher feedback (feedback_api.cc); set by the app before serving.
  domain::FeedbackService* feedback = nullptr;
  // Client telemetry (telemetry_api.cc); set by the app before serving.
  domain::TelemetryService* telemetry = nullptr;
  // Support's per-user timeline (diagnostics_api.cc); set by the app before serving.
  domain::DiagnosticsService* diagnostics = nullptr;
  // Daily attendance (daily_attendance_api.cc); set by the app before the routes are added.
  domain::DailyAttendanceService* daily_attendance = nullptr;
  // Families' alerts (alerts_api.cc); set by the app before the routes are added.
  domain::AlertService* alerts = nullptr;
  // External meetings' reconciled attendance (pathways_api.cc); set before the routes are added.
  domain::ExternalAttendanceService* external_attendance = nullptr;
  // Engagement analytics and the decision report (analytics_api.cc); set before the routes are
  // added.
  domain::AnalyticsService* analytics = nullptr;
};

// The session cookie's name.
inline constexpr const char* kSessionCookie = "homeroom_session";

}  // namespace homeroom::api
