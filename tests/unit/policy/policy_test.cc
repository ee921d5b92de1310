#include "auth/policy.h"

#include <gtest/gtest.h>

namespace homeroom::auth {
namespace {

// One small district: school 1 with sections 10 and 11; school 2 with section 20.
// Student 100 is in section 10; student 101 in section 20; guardian 200 has child 100;
// teacher 300 teaches section 10; school admin 400 runs school 1; district admin 500.
Principal Student() {
  return {.user_id = 100, .role = Role::kStudent, .school_ids = {1}, .section_ids = {10}};
}
Principal Guardian() { return {.user_id = 200, .role = Role::kGuardian, .child_ids = {100}}; }
Principal Teacher() {
  return {.user_id = 300, .role = Role::kTeacher, .school_ids = {1}, .section_ids = {10}};
}
Principal SchoolAdmin() { return {.user_id = 400, .role = Role::kSchoolAdmin, .school_ids = {1}}; }
Principal DistrictAdmin() { return {.user_id = 500, .role = Role::kDistrictAdmin}; }

Target Section10() { return {.school_ids = {1}, .section_ids = {10}, .student_ids = {100}}; }
Target Section20() { return {.school_ids = {2}, .section_ids = {20}, .student_ids = {101}}; }
Target Student100() {
  return {.user_id = 100,
          .user_role = "student",
          .school_ids = {1},
          .section_ids = {10},
          .student_ids = {100}};
}
Target Student101() {
  return {.user_id = 101,
          .user_role = "student",
          .school_ids = {2},
          .section_ids = {20},
          .student_ids = {101}};
}

StatusCode Decide(const Principal& p, Action a, const Target& t) {
  return Authorize(p, a, t).code();
}

constexpr auto kOk = StatusCode::kOk;
constexpr auto k403 = StatusCode::kPermissionDenied;
constexpr auto k404 = StatusCode::kNotFound;

TEST(Policy, SectionsAreVisibleToTheirMembersGuardiansAndAdmins) {
  EXPECT_EQ(Decide(Student(), Action::kViewSection, Section10()), kOk);
  EXPECT_EQ(Decide(Student(), Action::kViewSection, Section20()), k403);
  EXPECT_EQ(Decide(Guardian(), Action::kViewSection, Section10()), kOk);
  EXPECT_EQ(Decide(Guardian(), Action::kViewSection, Section20()), k403);
  EXPECT_EQ(Decide(Teacher(), Action::kViewSection, Section10()), kOk);
  EXPECT_EQ(Decide(Teacher(), Action::kViewSection, Section20()), k403);
  EXPECT_EQ(Decide(SchoolAdmin(), Action::kViewSection, Section10()), kOk);
  EXPECT_EQ(Decide(SchoolAdmin(), Action::kViewSection, Section20()), k403);
  EXPECT_EQ(Decide(DistrictAdmin(), Action::kViewSection, Section20()), kOk);
}

TEST(Policy, RostersAreForTeachersOfTheSectionAndAdmins) {
  EXPECT_EQ(Decide(Student(), Action::kViewSectionRoster, Section10()), k403);
  EXPECT_EQ(Decide(Guardian(), Action::kViewSectionRoster, Section10()), k403);
  EXPECT_EQ(Decide(Teacher(), Action::kViewSectionRoster, Section10()), kOk);
  EXPECT_EQ(Decide(Teacher(), Action::kViewSectionRoster, Section20()), k403);
  EXPECT_EQ(Decide(SchoolAdmin(), Action::kViewSectionRoster, Section20()), k403);
  EXPECT_EQ(Decide(DistrictAdmin(), Action::kViewSectionRoster, Section20()), kOk);
}

TEST(Policy, UsersWithoutARelationshipAreHiddenNotForbidden) {
  EXPECT_EQ(Decide(Student(), Action::kViewUser, Student100()), kOk);  // self
  EXPECT_EQ(Decide(Student(), Action::kViewUser, Student101()), k404);
  EXPECT_EQ(Decide(Guardian(), Action::kViewUser, Student100()), kOk);  // own child
  EXPECT_EQ(Decide(Guardian(), Action::kViewUser, Student101()), k404);
  EXPECT_EQ(Decide(Teacher(), Action::kViewUser, Student100()), kOk);  // in their section
  EXPECT_EQ(Decide(Teacher(), Action::kViewUser, Student101()), k404);
  EXPECT_EQ(Decide(SchoolAdmin(), Action::kViewUser, Student100()), kOk);
  EXPECT_EQ(Decide(SchoolAdmin(), Action::kViewUser, Student101()), k404);
  EXPECT_EQ(Decide(DistrictAdmin(), Action::kViewUser, Student101()), kOk);
}

TEST(Policy, TeachersSeeOnlyStudentsNotColleaguesThroughASharedSection) {
  Target co_teacher{.user_id = 301, .user_role = "teacher", .school_ids = {1}, .section_ids = {10}};
  EXPECT_EQ(Decide(Teacher(), Action::kViewUser, co_teacher), k404);
}

TEST(Policy, SchoolsAndTheirSectionListsFollowMembership) {
  Target school1{.school_ids = {1}}, school2{.school_ids = {2}};
  EXPECT_EQ(Decide(Student(), Action::kViewSchool, school1), kOk);
  EXPECT_EQ(Decide(Student(), Action::kViewSchool, school2), k403);
  EXPECT_EQ(Decide(Teacher(), Action::kListSchoolSections, school1), k403);
  EXPECT_EQ(Decide(SchoolAdmin(), Action::kListSchoolSections, school1), kOk);
  EXPECT_EQ(Decide(SchoolAdmin(), Action::kListSchoolSections, school2), k403);
  EXPECT_EQ(Decide(DistrictAdmin(), Action::kListSchoolSections, school2), kOk);
  EXPECT_TRUE(SeesAllSchools(DistrictAdmin()));
  EXPECT_FALSE(SeesAllSchools(SchoolAdmin()));
}

TEST(Policy, SearchIsForAdministratorsAndChildrenForGuardians) {
  for (const Principal& p : {Student(), Guardian(), Teacher()}) {
    EXPECT_EQ(Decide(p, Action::kSearchUsers, {}), k403);
  }
  EXPECT_EQ(Decide(SchoolAdmin(), Action::kSearchUsers, {}), kOk);
  EXPECT_EQ(Decide(DistrictAdmin(), Action::kSearchUsers, {}), kOk);
  EXPECT_EQ(Decide(Guardian(), Action::kViewOwnChildren, {}), kOk);
  EXPECT_EQ(Decide(Student(), Action::kViewOwnChildren, {}), k403);
}

TEST(Policy, OnlyDistrictAdminsSeeAndManageTheGuard) {
  for (Action action : {Action::kViewGuardStatus, Action::kManageGuard}) {
    EXPECT_EQ(Decide(DistrictAdmin(), action, {}), StatusCode::kOk);
    for (const Principal& p : {Student(), Guardian(), Teacher(), SchoolAdmin()}) {
      EXPECT_EQ(Decide(p, action, {}), StatusCode::kPermissionDenied) << RoleName(p.role);
    }
  }
}

TEST(Policy, EveryAdminSeesTheOperationsFiguresButNoOneElse) {
  EXPECT_EQ(Decide(SchoolAdmin(), Action::kViewOperations, {}), kOk);
  EXPECT_EQ(Decide(DistrictAdmin(), Action::kViewOperations, {}), kOk);
  for (const Principal& p : {Student(), Guardian(), Teacher()}) {
    EXPECT_EQ(Decide(p, Action::kViewOperations, {}), k403) << RoleName(p.role);
  }
}

TEST(Policy, OnlyEnrolledStudentsSubmitAndOnlyTheSectionsTeachersAndAdminsGrade) {
  EXPECT_EQ(Decide(Student(), Action::kSubmitWork, Section10()), kOk);
  EXPECT_EQ(Decide(Student(), Action::kSubmitWork, Section20()), k403);
  for (const Principal& p : {Guardian(), Teacher(), SchoolAdmin(), DistrictAdmin()}) {
    EXPECT_EQ(Decide(p, Action::kSubmitWork, Section10()), k403);
  }
  for (const Principal& p : {Teacher(), SchoolAdmin(), DistrictAdmin()}) {
    EXPECT_EQ(Decide(p, Action::kGradeWork, Section10()), kOk);
    EXPECT_EQ(Decide(p, Action::kManageCoursework, Section10()), kOk);
  }
  EXPECT_EQ(Decide(Teacher(), Action::kGradeWork, Section20()), k403);
  EXPECT_EQ(Decide(SchoolAdmin(), Action::kGradeWork, Section20()), k403);
  EXPECT_EQ(Decide(Student(), Action::kGradeWork, Section10()), k403);
  EXPECT_EQ(Decide(Guardian(), Action::kManageCoursework, Section10()), k403);
  EXPECT_EQ(Decide(Guardian(), Action::kUploadFile, {}), k403);
  EXPECT_EQ(Decide(Student(), Action::kUploadFile, {}), kOk);
  EXPECT_EQ(Decide(Student(), Action::kViewGradingQueue, {}), k403);
  EXPECT_EQ(Decide(Teacher(), Action::kViewGradingQueue, {}), kOk);
}

TEST(Policy, AStudentsWorkIsSeenByThemTheirGuardiansTeachersAndAdminsOnly) {
  for (const Principal& p : {Student(), Guardian(), Teacher(), SchoolAdmin(), DistrictAdmin()}) {
    EXPECT_EQ(Decide(p, Action::kViewSubmission, Student100()), kOk);
    EXPECT_EQ(Decide(p, Action::kViewStudentWork, Student100()), kOk);
  }
  for (const Principal& p : {Student(), Guardian(), Teacher(), SchoolAdmin()}) {
    EXPECT_EQ(Decide(p, Action::kViewSubmission, Student101()), k403);
    EXPECT_EQ(Decide(p, Action::kViewStudentWork, Student101()), k404);  // hidden, not forbidden
  }
  EXPECT_EQ(Decide(DistrictAdmin(), Action::kViewStudentWork, Student101()), kOk);
}

}  // namespace
}  // namespace homeroom::auth
