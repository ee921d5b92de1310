#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace homeroom::roster {

struct GenerateOptions {
  int64_t students = 1000;
  uint64_t seed = 1;
  std::string out_dir;  // created if missing; existing set files are overwritten
  // Demo only: write a password column (every user gets one) and return one login per role.
  bool with_passwords = false;
};

struct GeneratedLogin {
  std::string role;  // student, guardian, teacher, school_admin, district_admin
  std::string username;
  std::string password;
};

// Writes a synthetic but consistent OneRoster 1.1 bulk set (manifest.csv, orgs, academicSessions,
// courses, classes, users, enrollments) shaped like Miami-Dade County Public Schools scaled to
// `students`: one district; elementary (PK-5), middle (6-8) and high (9-12) schools (392 at
// 345,000 students, at least one of each kind); a school year with two semesters; homeroom and
// specials (art, music, PE) sections in elementary, subject sections in middle and high (20-30
// students each); teachers with primary flags, co-teachers and aides; families of 1-3 children with
// 1-2 guardians listed from either side; school and district administrators. Names mix English,
// Spanish and Haitian Creole naming. The output is the same for the same options (deterministic for
// a seed).
//
// Returns the logins (empty unless with_passwords; one per role, and related: the student is in
// a section of the teacher, the guardian is the student's, the school admin runs their school), or
// kInvalidArgument for students < 1 and
// kInternal when a file cannot be written. Thread-safe (no shared state).
Result<std::vector<GeneratedLogin>> GenerateDistrict(const GenerateOptions& options);

}  // namespace homeroom::roster
