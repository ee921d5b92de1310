#include "auth/policy.h"

#include <algorithm>

namespace homeroom::auth {
namespace {

// True when two sorted-or-not small id lists share an element.
bool Intersects(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  for (int64_t x : a) {
    if (std::find(b.begin(), b.end(), x) != b.end()) return true;
  }
  return false;
}

bool Contains(const std::vector<int64_t>& ids, int64_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

Status Deny(const char* what) {
  return Status::PermissionDenied(std::string("your role may not ") + what);
}

Status Hidden() { return Status::NotFound("no such user"); }

bool IsAdmin(const Principal& who) {
  return who.role == Role::kSchoolAdmin || who.role == Role::kDistrictAdmin;
}

// School admins act within their schools; district admins everywhere.
bool AdminOf(const Principal& who, const std::vector<int64_t>& school_ids) {
  if (who.role == Role::kDistrictAdmin) return true;
  return who.role == Role::kSchoolAdmin && Intersects(who.school_ids, school_ids);
}

Status ViewSection(const Principal& who, const Target& t) {
  if (AdminOf(who, t.school_ids)) return Status::Ok();
  switch (who.role) {
    case Role::kStudent:
    case Role::kTeacher:
      if (Intersects(who.section_ids, t.section_ids)) return Status::Ok();
      break;
    case Role::kGuardian:
      if (Intersects(who.child_ids, t.student_ids)) return Status::Ok();
      break;
    default:
      break;
  }
  return Deny("view a section it is not part of");
}

// The section's own teachers, its school's admins, district admins.
bool TeachesOrAdministers(const Principal& who, const Target& t) {
  if (AdminOf(who, t.school_ids)) return true;
  return who.role == Role::kTeacher && Intersects(who.section_ids, t.section_ids);
}

Status ViewUser(const Principal& who, const Target& t) {
  if (who.user_id == t.user_id) return Status::Ok();
  if (AdminOf(who, t.school_ids)) return Status::Ok();
  switch (who.role) {
    case Role::kGuardian:
      if (Contains(who.child_ids, t.user_id)) return Status::Ok();
      break;
    case Role::kTeacher:
      // The students of the teacher's own sections.
      if (t.user_role == "student" && Intersects(who.section_ids, t.section_ids)) {
        return Status::Ok();
      }
      break;
    default:
      break;
  }
  return Hidden();
}

}  // namespace

bool SeesAllSchools(const Principal& who) { return who.role == Role::kDistrictAdmin; }

Status Authorize(const Principal& who, Action action, const Target& t) {
  switch (action) {
    case Action::kListSchools:
      return Status::Ok();  // the list itself is filtered by SeesAllSchools
    case Action::kViewSchool:
      if (SeesAllSchools(who) || Intersects(who.school_ids, t.school_ids)) return Status::Ok();
      return Deny("view a school it does not belong to");
    case Action::kListSchoolSections:
      if (AdminOf(who, t.school_ids)) return Status::Ok();
      return Deny("list the sections of a school (administrators only)");
    case Action::kViewSection:
      return ViewSection(who, t);
    case Action::kViewSectionRoster:
      if (AdminOf(who, t.school_ids)) return Status::Ok();
      if (who.role == Role::kTeacher && Intersects(who.section_ids, t.section_ids)) {
        return Status::Ok();
      }
      return Deny("view the roster of a section it does not teach");
    case Action::kViewUser:
      return ViewUser(who, t);
    case Action::kSearchUsers:
      if (IsAdmin(who)) return Status::Ok();
      return Deny("search users (administrators only)");
    case Action::kViewOwnChildren:
      if (who.role == Role::kGuardian) return Status::Ok();
      return Deny("list children (guardians only)");
    case Action::kViewLiveSessions:
      return ViewSection(who, t);
    case Action::kManageLiveSessions:
      if (TeachesOrAdministers(who, t)) return Status::Ok();
      return Deny("schedule or run live sessions of a section it does not teach");
    case Action::kViewAttendance:
      if (TeachesOrAdministers(who, t)) return Status::Ok();
      return Deny("view attendance of a section it does not teach");
    case Action::kJoinLiveSession:
      // Guardians never join; admins join as observers.
      if (TeachesOrAdministers(who, t)) return Status::Ok();
      if (who.role == Role::kStudent && Contains(t.student_ids, who.user_id)) return Status::Ok();
      return Deny("join a live session of a section it is not part of");
    case Action::kViewForensics:
      if (who.role == Role::kDistrictAdmin) return Status::Ok();
      return Deny("read the forensics report (district administrators only)");
    case Action::kViewAuditLog:
      if (who.role == Role::kDistrictAdmin) return Status::Ok();
      return Deny("read the audit log (district administrators only)");
    case Action::kViewOperations:
      if (IsAdmin(who)) return Status::Ok();
      return Deny("see the operations dashboard (administrators only)");
    case Action::kViewGuardStatus:
      if (who.role == Role::kDistrictAdmin) return Status::Ok();
      return Deny("see the server's attack status (district administrators only)");
    case Action::kManageGuard:
      if (who.role == Role::kDistrictAdmin) return Status::Ok();
      return Deny(
          "block or allow addresses or change the attack mode (district administrators only)");
    case Action::kViewPathwayRules:
      if (who.role == Role::kTeacher || IsAdmin(who)) return Status::Ok();
      return Deny("read the pathway rules (teachers and administrators)");
    case Action::kManagePathways:
      if (!t.section_ids.empty() ? TeachesOrAdministers(who, t) : AdminOf(who, t.school_ids)) {
        return Status::Ok();
      }
      return Deny("set the live-class pathway of a district, school or section it does not run");
    case Action::kViewCoursework:
      return ViewSection(who, t);
    case Action::kManageCoursework:
      if (TeachesOrAdministers(who, t)) return Status::Ok();
      return Deny("set coursework in a section it does not teach");
    case Action::kSubmitWork:
      if (who.role == Role::kStudent && Contains(t.student_ids, who.user_id)) return Status::Ok();
      return Deny("submit work (students of the section only)");
    case Action::kGradeWork:
      if (TeachesOrAdministers(who, t)) return Status::Ok();
      return Deny("see or grade submissions of a section it does not teach");
    case Action::kViewGradingQueue:
      if (who.role == Role::kTeacher || IsAdmin(who)) return Status::Ok();
      return Deny("grade work (teachers and administrators)");
    case Action::kUploadFile:
      if (who.role != Role::kGuardian) return Status::Ok();
      return Deny("upload files (students, teachers and administrators)");
    case Action::kViewSubmission:
      if (who.user_id == t.user_id || TeachesOrAdministers(who, t)) return Status::Ok();
      if (who.role == Role::kGuardian && Contains(who.child_ids, t.user_id)) return Status::Ok();
      return Deny("see another student's work");
    case Action::kViewStudentWork:
      return ViewUser(who, t);
    case Action::kSendFeedback:
      if (who.role == Role::kTeacher) return Status::Ok();
      return Deny("send teacher feedback (teachers)");
    case Action::kViewFeedback:
      if (who.role == Role::kTeacher || AdminOf(who, t.school_ids)) return Status::Ok();
      return Deny("read the feedback of a school it does not run");
    case Action::kViewFeedbackSummary:
      if (AdminOf(who, t.school_ids)) return Status::Ok();
      return Deny("read the feedback summary of a school it does not run");
    case Action::kViewDiagnostics:
      if (AdminOf(who, t.school_ids)) return Status::Ok();
      if (IsAdmin(who)) return Hidden();
      return Deny("read another user's diagnostics (school and district administrators)");
    case Action::kOverrideAttendance:
      if (TeachesOrAdministers(who, t)) return Status::Ok();
      return Deny("override attendance of a section it does not teach");
    case Action::kViewSchoolAttendance:
      if (AdminOf(who, t.school_ids)) return Status::Ok();
      return Deny("read a school's daily attendance (its administrators)");
    case Action::kViewAttendancePolicy:
      if (who.role == Role::kTeacher || IsAdmin(who)) return Status::Ok();
      return Deny("read the attendance policy (teachers and administrators)");
    case Action::kManageAttendancePolicy:
      if (who.role == Role::kDistrictAdmin) return Status::Ok();
      return Deny("set the attendance policy (district administrators only)");
    case Action::kViewStudentAttendance:
      return ViewUser(who, t);
    case Action::kViewOwnAlerts:
      if (who.role == Role::kStudent || who.role == Role::kGuardian) return Status::Ok();
      return Deny("read alerts (students and guardians)");
    case Action::kViewAnalytics:
      if (AdminOf(who, t.school_ids)) return Status::Ok();
      return Deny("read the analytics of a school it does not run");
    case Action::kViewDecisionReport:
      if (who.role == Role::kDistrictAdmin) return Status::Ok();
      return Deny("read the district's decision report (district administrators only)");
    case Action::kRefreshAnalytics:
      if (who.role == Role::kDistrictAdmin) return Status::Ok();
      return Deny("recompute the analytics (district administrators only)");
  }
  return Deny("do that");
}

}  // namespace homeroom::auth
