#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "store/database.h"
#include "store/roster_records.h"

namespace homeroom::domain {

template <typename T>
using Task = boost::asio::awaitable<T>;

// A section with the facts the authorization policy needs about it.
struct SectionView {
  store::Section section;
  std::vector<int64_t> student_ids;  // active students enrolled
};

// A user with the facts the authorization policy needs about them.
struct UserView {
  store::User user;
  std::vector<int64_t> section_ids;  // active sections, any role
};

// The district's roster as the API reads it: schools, sections, rosters, users. Every call runs on
// a store reader thread and resumes the caller; kNotFound when the thing does not exist,
// kUnavailable when the store is saturated. Authorization is the caller's job (auth::Authorize)
// with the facts returned here. Thread-safe.
class RosterService {
 public:
  // Page sizes: `limit` is clamped to [1, kMaxPageSize].
  static constexpr int kMaxPageSize = 200;
  static constexpr int kDefaultPageSize = 50;

  explicit RosterService(store::Database& db) : db_(db) {}

  Task<Result<store::Page<store::School>>> ListSchools(
      int64_t after_id, int limit, std::optional<std::vector<int64_t>> only_ids);
  Task<Result<store::School>> GetSchool(int64_t id);
  Task<Result<store::Page<store::Section>>> ListSchoolSections(int64_t school_id, int64_t after_id,
                                                               int limit);
  Task<Result<SectionView>> GetSection(int64_t id);
  Task<Result<store::Page<store::RosterEntry>>> SectionRoster(int64_t section_id, int64_t after_id,
                                                              int limit);
  Task<Result<UserView>> GetUser(int64_t id);
  Task<Result<std::vector<store::Section>>> SectionsOfUser(int64_t user_id);
  Task<Result<std::vector<store::User>>> ChildrenOf(int64_t guardian_id);
  // `query` must be 1..kMaxSearchLength characters (kInvalidArgument otherwise).
  Task<Result<store::Page<store::User>>> SearchUsers(
      std::string query, std::optional<std::vector<int64_t>> only_school_ids, int64_t after_id,
      int limit);

  static constexpr size_t kMaxSearchLength = 64;
  static int ClampLimit(int limit);

 private:
  store::Database& db_;
};

}  // namespace homeroom::domain
