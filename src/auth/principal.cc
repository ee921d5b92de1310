#include "auth/principal.h"

namespace homeroom::auth {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kStudent:
      return "student";
    case Role::kGuardian:
      return "guardian";
    case Role::kTeacher:
      return "teacher";
    case Role::kSchoolAdmin:
      return "school_admin";
    case Role::kDistrictAdmin:
      return "district_admin";
  }
  return "student";
}

bool ParseRole(std::string_view name, Role* out) {
  for (Role r : {Role::kStudent, Role::kGuardian, Role::kTeacher, Role::kSchoolAdmin,
                 Role::kDistrictAdmin}) {
    if (name == RoleName(r)) {
      *out = r;
      return true;
    }
  }
  return false;
}

}  // namespace homeroom::auth
