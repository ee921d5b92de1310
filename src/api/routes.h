#pragma once

#include "api/services.h"
#include "http/context.h"
#include "http/router.h"

namespace homeroom::api {

// Registers every route of REST API v1 (docs/openapi.yaml). One function per resource file.
void AddRoutes(http::Router& router, Services& services);

void AddHealthRoutes(http::Router& router, Services& services);       // health_api.cc
void AddAuthRoutes(http::Router& router, Services& services);         // auth_api.cc
void AddMeRoutes(http::Router& router, Services& services);           // me_api.cc
void AddRosterRoutes(http::Router& router, Services& services);       // roster_api.cc
void AddLiveRoutes(http::Router& router, Services& services);         // live_api.cc (the WebSocket)
void AddLiveSessionRoutes(http::Router& router, Services& services);  // live_sessions_api.cc
void AddChallengeRoutes(http::Router& router, Services& services);    // challenge_api.cc
void AddForensicsRoutes(http::Router& router, Services& services);    // forensics_api.cc
void AddAdminGuardRoutes(http::Router& router, Services& services);   // admin_guard_api.cc
void AddPathwayRoutes(http::Router& router, Services& services);      // pathways_api.cc
void AddCourseworkRoutes(http::Router& router, Services& services);   // coursework_api.cc
void AddFeedbackRoutes(http::Router& router, Services& services);     // feedback_api.cc
void AddTelemetryRoutes(http::Router& router, Services& services);    // telemetry_api.cc
void AddDiagnosticsRoutes(http::Router& router, Services& services);  // diagnostics_api.cc
void AddDailyAttendanceRoutes(http::Router& router, Services& services);  // daily_attendance_api.cc
void AddAlertRoutes(http::Router& router, Services& services);            // alerts_api.cc
void AddAnalyticsRoutes(http::Router& router, Services& services);        // analytics_api.cc

}  // namespace homeroom::api
