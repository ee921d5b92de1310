#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "auth/principal.h"
#include "core/status.h"

namespace homeroom::auth {

// What a request wants to do. Every handler names one and asks the policy before it answers.
enum class Action {
  kListSchools,         // GET /schools (filtered to the caller's schools unless district admin)
  kViewSchool,          // GET /schools/{id}
  kListSchoolSections,  // GET /schools/{id}/sections
  kViewSection,         // GET /sections/{id}
  kViewSectionRoster,   // GET /sections/{id}/roster
  kViewUser,            // GET /users/{id}
  kSearchUsers,         // GET /users?q=
  kViewOwnChildren,     // GET /me/children
  kViewLiveSessions,    // GET /sections/{id}/live-sessions, /live-sessions/{id}: as kViewSection
  kManageLiveSessions,  // schedule, edit, cancel, start, end: the section's teachers, admins
  // GET /live-sessions/{id}/attendance(.csv), GET /sections/{id}/daily-attendance(.csv): the
  // section's teachers, admins
  kViewAttendance,
  kJoinLiveSession,  // the live socket: enrolled students, the section's teachers, admins
  kViewForensics,    // GET /admin/forensics: district admins only (IPs of households)
  kViewAuditLog,     // GET /admin/audit: district admins only
  // The guard (docs/security.md, "Defenses" > "Detection and blocking"). Any admin sees the live
  // operations figures (GET /admin/status: load, rates, attack state); only district admins see
  // the addresses in it (top offenders, attack sources) and the rules, because source addresses
  // from every school can identify households.
  kViewOperations,   // GET /admin/status (school admins: without addresses)
  kViewGuardStatus,  // GET /admin/status with addresses, GET /admin/blocks: district admins
  kManageGuard,      // POST/DELETE /admin/blocks, PUT /admin/attack-mode
  // Alternate pathways (docs/api.md, "Pathways").
  kViewPathwayRules,  // GET /pathway-rules: teachers and admins
  // POST/DELETE /pathway-rules, PUT /sections/{id}/meeting-link. A target with a section: its
  // teachers and admins; with a school only: its admins; with neither (the district's rules):
  // district admins.
  kManagePathways,
  // Coursework (docs/api.md, "Coursework").
  kViewCoursework,    // a section's assignments and their attachments: as kViewSection
  kManageCoursework,  // create assignments: the section's teachers, admins
  kSubmitWork,        // submit to an assignment: the students enrolled in its section
  kGradeWork,         // a section's submissions and grading them: its teachers, admins
  kViewGradingQueue,  // GET /me/to-grade: teachers and admins
  kUploadFile,        // POST /files: students, teachers, admins (not guardians)
  // One submission (its files included): the student, their guardians, the section's teachers,
  // admins. Target: user_id = the student, section and school of the assignment.
  kViewSubmission,
  // A student's assignments and grades (GET /students/{id}/coursework): as kViewUser (the
  // student, their guardians, their teachers, admins of their school; 404 to anyone else).
  kViewStudentWork,
  // Teacher feedback (docs/api.md, "Teacher feedback").
  kSendFeedback,  // POST /feedback: teachers
  // GET /feedback: teachers (their own entries only, which the handler enforces) and the admins
  // of the target's schools; GET /feedback/summary: those admins only.
  kViewFeedback,
  kViewFeedbackSummary,
  // Diagnostics (docs/api.md, "Client telemetry"): what a user's device reported, for support.
  // The user's school admins and district admins; anyone else learns nothing (404, as kViewUser).
  kViewDiagnostics,
  // Daily attendance (docs/api.md, "Daily attendance").
  kOverrideAttendance,    // PUT /sections/{id}/daily-attendance/overrides: the section's teachers,
                          // admins
  kViewSchoolAttendance,  // GET /schools/{id}/daily-attendance(.csv): the school's admins
  kViewAttendancePolicy,  // GET /attendance-policy: teachers and admins
  kManageAttendancePolicy,  // PUT /attendance-policy: district admins
  // GET /students/{id}/daily-attendance: as kViewUser (the student, their guardians, their
  // teachers, admins of their school; 404 to anyone else).
  kViewStudentAttendance,
  kViewOwnAlerts,  // GET /me/alerts: students (their own) and guardians (their children's)
  // Analytics (docs/api.md, "Analytics").
  kViewAnalytics,       // GET /analytics(.csv): district admins; school admins of the target's
                        // schools (with no school named, their own schools' rows only)
  kViewDecisionReport,  // GET /analytics/decision-report(.csv): district admins
  kRefreshAnalytics,    // POST /analytics/refresh: district admins
};

// The facts about the resource that the decision needs, loaded by the handler from the store.
struct Target {
  int64_t user_id = 0;               // kViewUser: the user asked about
  std::string user_role;             // kViewUser: that user's role
  std::vector<int64_t> school_ids;   // schools the resource belongs to
  std::vector<int64_t> section_ids;  // the section itself, or the user's active sections
  std::vector<int64_t> student_ids;  // students enrolled in the section / the user if a student
};

// The one authorization policy (docs/security.md, "Who sees what"):
// - a student sees their own data and the sections they are enrolled in;
// - a guardian sees their own data, their linked children and their children's sections;
// - a teacher sees their sections, those sections' rosters and the students enrolled in them;
// - a school admin sees their schools, those schools' sections, rosters and users;
// - a district admin sees everything.
// Returns OK to allow; kPermissionDenied (403) to refuse; kNotFound (404) when the caller has no
// relationship to a user and must not learn whether that user exists. Pure and thread-safe.
Status Authorize(const Principal& who, Action action, const Target& target);

// True when the caller may read every school (district admins); others see only their own.
bool SeesAllSchools(const Principal& who);

}  // namespace homeroom::auth
