#include "domain/roster_service.h"

#include <algorithm>

#include "store/roster_reader.h"

namespace homeroom::domain {

namespace rr = store::roster_reader;
using store::Page;

int RosterService::ClampLimit(int limit) {
  if (limit <= 0) return kDefaultPageSize;
  return std::min(limit, kMaxPageSize);
}

Task<Result<Page<store::School>>> RosterService::ListSchools(
    int64_t after_id, int limit, std::optional<std::vector<int64_t>> only_ids) {
  limit = ClampLimit(limit);
  auto job = [=, ids = std::move(only_ids)](sql::Connection& c) {
    return rr::ListSchools(c, after_id, limit, ids);
  };
  co_return co_await db_.Read(std::move(job));
}

Task<Result<store::School>> RosterService::GetSchool(int64_t id) {
  auto job = [id](sql::Connection& c) -> Result<store::School> {
    HR_ASSIGN_OR_RETURN(auto school, rr::GetSchool(c, id));
    if (!school) return Status::NotFound("no school with id " + std::to_string(id));
    return std::move(*school);
  };
  co_return co_await db_.Read(std::move(job));
}

Task<Result<Page<store::Section>>> RosterService::ListSchoolSections(int64_t school_id,
                                                                     int64_t after_id, int limit) {
  limit = ClampLimit(limit);
  auto job = [=](sql::Connection& c) {
    return rr::ListSchoolSections(c, school_id, after_id, limit);
  };
  co_return co_await db_.Read(std::move(job));
}

Task<Result<SectionView>> RosterService::GetSection(int64_t id) {
  auto job = [id](sql::Connection& c) -> Result<SectionView> {
    HR_ASSIGN_OR_RETURN(auto section, rr::GetSection(c, id));
    if (!section) return Status::NotFound("no section with id " + std::to_string(id));
    SectionView view{std::move(*section), {}};
    HR_ASSIGN_OR_RETURN(view.student_ids, rr::SectionStudentIds(c, id));
    return view;
  };
  co_return co_await db_.Read(std::move(job));
}

Task<Result<Page<store::RosterEntry>>> RosterService::SectionRoster(int64_t section_id,
                                                                    int64_t after_id, int limit) {
  limit = ClampLimit(limit);
  auto job = [=](sql::Connection& c) { return rr::SectionRoster(c, section_id, after_id, limit); };
  co_return co_await db_.Read(std::move(job));
}

Task<Result<UserView>> RosterService::GetUser(int64_t id) {
  auto job = [id](sql::Connection& c) -> Result<UserView> {
    HR_ASSIGN_OR_RETURN(auto user, rr::GetUser(c, id));
    if (!user) return Status::NotFound("no such user");
    UserView view{std::move(*user), {}};
    HR_ASSIGN_OR_RETURN(view.section_ids, rr::UserSectionIds(c, id));
    return view;
  };
  co_return co_await db_.Read(std::move(job));
}

Task<Result<std::vector<store::Section>>> RosterService::SectionsOfUser(int64_t user_id) {
  auto job = [user_id](sql::Connection& c) { return rr::SectionsOfUser(c, user_id); };
  co_return co_await db_.Read(std::move(job));
}

Task<Result<std::vector<store::User>>> RosterService::ChildrenOf(int64_t guardian_id) {
  auto job = [guardian_id](sql::Connection& c) { return rr::ChildrenOf(c, guardian_id); };
  co_return co_await db_.Read(std::move(job));
}

Task<Result<Page<store::User>>> RosterService::SearchUsers(
    std::string query, std::optional<std::vector<int64_t>> only_school_ids, int64_t after_id,
    int limit) {
  if (query.empty() || query.size() > kMaxSearchLength) {
    co_return Status::InvalidArgument("q must be 1 to " + std::to_string(kMaxSearchLength) +
                                      " characters");
  }
  limit = ClampLimit(limit);
  auto job = [=, q = std::move(query), ids = std::move(only_school_ids)](sql::Connection& c) {
    return rr::SearchUsers(c, q, ids, after_id, limit);
  };
  co_return co_await db_.Read(std::move(job));
}

}  // namespace homeroom::domain
