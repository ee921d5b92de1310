#include "api/views.h"

#include <boost/json/array.hpp>
#include <charconv>

#include "domain/grades.h"
#include "domain/roster_service.h"
#include "media/media_service.h"

namespace homeroom::api {
namespace {

boost::json::array IdsJson(const std::vector<int64_t>& ids) {
  boost::json::array out;
  for (int64_t id : ids) out.push_back(id);
  return out;
}

boost::json::array BandsJson(const std::optional<int>& low, const std::optional<int>& high) {
  boost::json::array out;
  for (auto band : domain::BandsOfRange(low, high)) out.push_back(domain::GradeBandName(band));
  return out;
}

constexpr std::string_view kCursorPrefix = "a";  // versioned, so the format can change later

}  // namespace

auth::Target SectionTarget(const domain::SectionView& view) {
  return {.school_ids = {view.section.school_id},
          .section_ids = {view.section.id},
          .student_ids = view.student_ids};
}

auth::Target UserTarget(const domain::UserView& view) {
  auth::Target target{.user_id = view.user.id,
                      .user_role = view.user.role,
                      .school_ids = view.user.school_ids,
                      .section_ids = view.section_ids};
  if (view.user.role == "student") target.student_ids = {view.user.id};
  return target;
}

boost::json::value GradeJson(const std::optional<int>& grade_level) {
  if (!grade_level) return nullptr;
  return boost::json::value(domain::GradeCode(*grade_level));
}

boost::json::object SchoolJson(const store::School& s) {
  return {{"id", s.id},
          {"sourced_id", s.sourced_id},
          {"name", s.name},
          {"identifier", s.identifier},
          {"low_grade", GradeJson(s.low_grade)},
          {"high_grade", GradeJson(s.high_grade)},
          {"grade_bands", BandsJson(s.low_grade, s.high_grade)},
          {"active", s.active}};
}

boost::json::object SectionJson(const store::Section& s) {
  return {{"id", s.id},
          {"sourced_id", s.sourced_id},
          {"title", s.title},
          {"school_id", s.school_id},
          {"school_name", s.school_name},
          {"course_id", s.course_id},
          {"course_title", s.course_title},
          {"class_code", s.class_code},
          {"class_type", s.class_type},
          {"location", s.location},
          {"periods", s.periods},
          {"low_grade", GradeJson(s.low_grade)},
          {"high_grade", GradeJson(s.high_grade)},
          {"grade_bands", BandsJson(s.low_grade, s.high_grade)},
          {"active", s.active}};
}

boost::json::object UserJson(const store::User& u) {
  return {{"id", u.id},
          {"sourced_id", u.sourced_id},
          {"username", u.username},
          {"role", u.role},
          {"given_name", u.given_name},
          {"family_name", u.family_name},
          {"name", u.given_name + " " + u.family_name},
          {"email", u.email},
          {"grade", GradeJson(u.grade_level)},
          {"school_ids", IdsJson(u.school_ids)},
          {"active", u.active}};
}

boost::json::object RosterEntryJson(const store::RosterEntry& e) {
  return {{"user_id", e.user_id},
          {"username", e.username},
          {"given_name", e.given_name},
          {"family_name", e.family_name},
          {"name", e.given_name + " " + e.family_name},
          {"role", e.role},
          {"primary", e.is_primary},
          {"grade", GradeJson(e.grade_level)}};
}

boost::json::object PrincipalJson(const auth::Principal& p) {
  return {{"id", p.user_id},
          {"username", p.username},
          {"name", p.display_name},
          {"role", auth::RoleName(p.role)},
          {"school_ids", IdsJson(p.school_ids)},
          {"section_ids", IdsJson(p.section_ids)},
          {"child_ids", IdsJson(p.child_ids)}};
}

std::string EncodeCursor(int64_t after_id) {
  std::string cursor(kCursorPrefix);
  cursor += std::to_string(after_id);
  return cursor;
}

Result<PageRequest> ParsePageRequest(const std::optional<std::string>& limit,
                                     const std::optional<std::string>& cursor) {
  PageRequest page;
  if (limit) {
    int value = 0;
    auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (ec != std::errc() || end != limit->data() + limit->size() || value < 1 ||
        value > domain::RosterService::kMaxPageSize) {
      return Status::InvalidArgument("limit must be an integer from 1 to " +
                                     std::to_string(domain::RosterService::kMaxPageSize));
    }
    page.limit = value;
  }
  if (cursor) {
    std::string_view c = *cursor;
    int64_t after = 0;
    bool ok = c.starts_with(kCursorPrefix);
    if (ok) {
      c.remove_prefix(kCursorPrefix.size());
      auto [end, ec] = std::from_chars(c.data(), c.data() + c.size(), after);
      ok = ec == std::errc() && end == c.data() + c.size() && after >= 0;
    }
    if (!ok) return Status::InvalidArgument("cursor is not one this server issued");
    page.after_id = after;
  }
  return page;
}

boost::json::object MediaHealthJson(const media::MediaService* media) {
  boost::json::array instances;
  size_t healthy = 0;
  if (media != nullptr) {
    for (const media::MediaInstanceStatus& i : media->Instances()) {
      healthy += i.healthy;
      instances.push_back({{"name", i.name},
                           {"healthy", i.healthy},
                           {"rooms", i.rooms},
                           {"participants", i.participants}});
    }
  }
  std::string_view state = "off";
  if (!instances.empty()) {
    state = healthy == instances.size() ? "ok" : healthy > 0 ? "degraded" : "unavailable";
  }
  return {{"state", state}, {"healthy", healthy}, {"instances", std::move(instances)}};
}

http::Response CsvResponse(std::string body, const std::string& file_name) {
  namespace bhttp = boost::beast::http;
  http::Response res(bhttp::status::ok, 11);
  res.set(bhttp::field::content_type, "text/csv; charset=utf-8; header=present");
  res.set(bhttp::field::content_disposition, "attachment; filename=\"" + file_name + "\"");
  res.set(bhttp::field::cache_control, "no-store");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

}  // namespace homeroom::api
