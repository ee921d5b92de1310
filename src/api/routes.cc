#include "api/routes.h"

namespace homeroom::api {

void AddRoutes(http::Router& router, Services& services) {
  AddHealthRoutes(router, services);
  AddAuthRoutes(router, services);
  AddMeRoutes(router, services);
  AddRosterRoutes(router, services);
  AddLiveRoutes(router, services);
  AddLiveSessionRoutes(router, services);
  AddChallengeRoutes(router, services);
  AddForensicsRoutes(router, services);
  AddAdminGuardRoutes(router, services);
  AddPathwayRoutes(router, services);
  AddCourseworkRoutes(router, services);
  AddFeedbackRoutes(router, services);
  AddTelemetryRoutes(router, services);
  AddDiagnosticsRoutes(router, services);
  AddDailyAttendanceRoutes(router, services);
  AddAlertRoutes(router, services);
  AddAnalyticsRoutes(router, services);
}

}  // namespace homeroom::api
