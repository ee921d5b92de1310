#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace homeroom::auth {

// Homeroom's roles. OneRoster roles map onto these at import (docs/api.md, roster mapping).
enum class Role { kStudent, kGuardian, kTeacher, kSchoolAdmin, kDistrictAdmin };

// "student", "guardian", "teacher", "school_admin", "district_admin".
const char* RoleName(Role role);
// Parses a role name; false when unknown.
bool ParseRole(std::string_view name, Role* out);

// Who is making a request, with the relationships the policy needs, loaded once when the session
// is authenticated. A plain value; not synchronized.
struct Principal {
  int64_t user_id = 0;
  Role role = Role::kStudent;
  std::string username;
  std::string display_name;
  int64_t session_id = 0;
  bool via_cookie = false;           // authenticated by cookie (CSRF Origin check applies)
  std::vector<int64_t> school_ids;   // orgs of type school the user belongs to (sorted)
  std::vector<int64_t> section_ids;  // active enrollments, any role (sorted)
  std::vector<int64_t> child_ids;    // guardians: linked students (sorted)
};

}  // namespace homeroom::auth
