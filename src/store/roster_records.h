#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace homeroom::store {

// The district's roster as stored: the rows the stores return and the services hand on. Plain
// values; not synchronized. Grade levels are integers: -1 pre-K, 0 kindergarten, 1..12, 13 (see
// store/migrations/0001_foundation.sql).

struct School {
  int64_t id = 0;
  std::string sourced_id;
  std::string name;
  std::string identifier;
  std::optional<int> low_grade;
  std::optional<int> high_grade;
  bool active = true;
};

struct Section {
  int64_t id = 0;
  std::string sourced_id;
  std::string title;
  int64_t school_id = 0;
  std::string school_name;
  int64_t course_id = 0;
  std::string course_title;
  std::string class_code;
  std::string class_type;  // homeroom | scheduled
  std::string location;
  std::string periods;
  std::optional<int> low_grade;
  std::optional<int> high_grade;
  bool active = true;
};

struct User {
  int64_t id = 0;
  std::string sourced_id;
  std::string username;
  std::string role;  // student, guardian, teacher, school_admin, district_admin
  std::string given_name;
  std::string family_name;
  std::string email;
  std::optional<int> grade_level;
  bool active = true;
  bool enabled = true;
  std::vector<int64_t> school_ids;
};

// One person in a section's roster.
struct RosterEntry {
  int64_t user_id = 0;
  std::string username;
  std::string given_name;
  std::string family_name;
  std::string role;  // the enrollment role: student, teacher, administrator, proctor
  bool is_primary = false;
  std::optional<int> grade_level;
};

// A page of a list ordered by id: `next_after` is the id to continue after, absent on the last
// page.
template <typename T>
struct Page {
  std::vector<T> items;
  std::optional<int64_t> next_after;
};

}  // namespace homeroom::store
