// Teacher feedback (docs/api.md, "Teacher feedback"): POST /api/v1/feedback, GET /api/v1/feedback,
// GET /api/v1/feedback/summary. Each: decode -> load facts -> ask the policy -> call the feedback
// service -> encode.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <charconv>
#include <map>
#include <set>

#include "api/routes.h"
#include "api/views.h"
#include "auth/policy.h"
#include "domain/pathways.h"
#include "domain/roster_service.h"
#include "domain/teacher_feedback.h"
#include "http/json_codec.h"

namespace homeroom::api {
namespace {

namespace bhttp = boost::beast::http;
using auth::Action;
using auth::Role;
using http::RequestContext;
using http::Response;
using Task = boost::asio::awaitable<Result<Response>>;

template <typename T>
boost::json::value OptJson(const std::optional<T>& v) {
  if (!v) return nullptr;
  return boost::json::value(*v);
}

boost::json::object EntryJson(const store::FeedbackRecord& e) {
  return {{"id", e.id},
          {"teacher_id", e.teacher_id},
          {"teacher_name", e.teacher_name},
          {"school_id", OptJson(e.school_id)},
          {"section_id", OptJson(e.section_id)},
          {"grade_band", OptJson(e.grade_band)},
          {"rating", e.rating},
          {"category", e.category},
          {"text", e.text},
          {"created_at", FormatIsoUtc(e.created_ms)}};
}

boost::json::object GroupJson(const domain::FeedbackGroup& g) {
  boost::json::object categories;
  for (size_t i = 0; i < std::size(domain::kFeedbackCategories); ++i) {
    categories[domain::kFeedbackCategories[i]] = g.by_category[i];
  }
  // Two decimals: enough to compare schools, no false precision.
  double average = static_cast<double>(static_cast<int64_t>(g.average_rating() * 100 + 0.5)) / 100;
  return {{"count", g.count},
          {"average_rating", g.count == 0 ? boost::json::value(nullptr) : average},
          {"by_category", std::move(categories)}};
}

// `?school_id=` as a number, or none. kInvalidArgument when malformed.
Result<std::optional<int64_t>> SchoolParam(const RequestContext& ctx) {
  auto text = ctx.Query("school_id");
  if (!text) return std::optional<int64_t>();
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), id);
  if (ec != std::errc() || end != text->data() + text->size() || id <= 0) {
    return Status::InvalidArgument("school_id must be a positive integer");
  }
  return std::optional<int64_t>(id);
}

// The filter of a list or summary request: its dates and category, narrowed to what the caller may
// read (a teacher: their own entries; a school admin: their schools, or the one asked for if it
// is theirs; a district admin: everything, or the school asked for).
boost::asio::awaitable<Result<store::FeedbackFilter>> Filter(Services& s, RequestContext& ctx,
                                                             Action action) {
  const auth::Principal& who = *ctx.principal;
  HR_CO_ASSIGN_OR_RETURN(auto filter, s.feedback->Range(ctx.Query("from"), ctx.Query("to")));
  filter.category = ctx.Query("category");
  if (filter.category) {
    bool known = false;
    for (auto c : domain::kFeedbackCategories) known = known || c == *filter.category;
    if (!known) {
      co_return Status::InvalidArgument(
          "category must be connectivity, platform, content or other");
    }
  }
  HR_CO_ASSIGN_OR_RETURN(auto school, SchoolParam(ctx));
  auth::Target target;
  target.school_ids = school ? std::vector<int64_t>{*school} : who.school_ids;
  if (who.role == Role::kDistrictAdmin && !school) target.school_ids.clear();
  HR_CO_RETURN_IF_ERROR(auth::Authorize(who, action, target));
  if (who.role == Role::kTeacher) {
    filter.teacher_id = who.user_id;
  } else {
    filter.school_ids = target.school_ids;
  }
  co_return filter;
}

// The school and grade band an entry speaks for: its section's, or (without one) the teacher's
// first school and the band all their sections share (none when they teach in both bands).
boost::asio::awaitable<Status> PlaceEntry(Services& s, const auth::Principal& who,
                                          store::FeedbackRecord& entry) {
  if (entry.section_id) {
    HR_CO_ASSIGN_OR_RETURN(auto view, co_await s.roster.GetSection(*entry.section_id));
    bool teaches = false;
    for (int64_t id : who.section_ids) teaches = teaches || id == view.section.id;
    if (!teaches) {
      co_return Status::PermissionDenied("section_id must be a section you teach");
    }
    entry.school_id = view.section.school_id;
    entry.grade_band = domain::SectionBand(view.section);
    co_return Status::Ok();
  }
  if (!who.school_ids.empty()) entry.school_id = who.school_ids.front();
  HR_CO_ASSIGN_OR_RETURN(auto sections, co_await s.roster.SectionsOfUser(who.user_id));
  std::set<std::string> bands;
  for (const auto& section : sections) {
    if (auto band = domain::SectionBand(section)) bands.insert(*band);
  }
  if (bands.size() == 1) entry.grade_band = *bands.begin();
  co_return Status::Ok();
}

Task SendFeedback(Services& s, RequestContext& ctx) {
  const auth::Principal& who = *ctx.principal;
  HR_CO_RETURN_IF_ERROR(auth::Authorize(who, Action::kSendFeedback, {}));
  HR_CO_ASSIGN_OR_RETURN(auto body, http::ParseJsonObject(ctx.request, {}));
  store::FeedbackRecord entry;
  entry.teacher_id = who.user_id;
  entry.teacher_name = who.display_name;
  auto rating = body.find("rating");
  if (rating == body.end() || !rating->value().is_int64()) {
    co_return Status::InvalidArgument("rating must be a whole number from 1 to 5");
  }
  entry.rating = rating->value().as_int64();
  auto category = body.find("category");
  auto text = body.find("text");
  if (category == body.end() || !category->value().is_string()) {
    co_return Status::InvalidArgument("category must be connectivity, platform, content or other");
  }
  if (text == body.end() || !text->value().is_string()) {
    co_return Status::InvalidArgument("text must be a string");
  }
  entry.category = std::string(category->value().as_string());
  entry.text = std::string(text->value().as_string());
  if (auto section = body.find("section_id");
      section != body.end() && !section->value().is_null()) {
    if (!section->value().is_int64()) {
      co_return Status::InvalidArgument("section_id must be an integer");
    }
    entry.section_id = section->value().as_int64();
  }
  HR_CO_RETURN_IF_ERROR(domain::ValidateFeedback(entry, s.feedback->options()));
  HR_CO_RETURN_IF_ERROR(co_await PlaceEntry(s, who, entry));
  HR_CO_ASSIGN_OR_RETURN(auto saved, co_await s.feedback->Send(std::move(entry)));
  co_return http::JsonResponse(bhttp::status::created, EntryJson(saved));
}

Task ListFeedback(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(auto filter, co_await Filter(s, ctx, Action::kViewFeedback));
  HR_CO_ASSIGN_OR_RETURN(auto page, ParsePageRequest(ctx.Query("limit"), ctx.Query("cursor")));
  const int64_t limit = page.limit > 0 ? page.limit : domain::RosterService::kDefaultPageSize;
  HR_CO_ASSIGN_OR_RETURN(auto entries,
                         co_await s.feedback->List(std::move(filter), page.after_id, limit));
  boost::json::array items;
  for (const auto& e : entries) items.push_back(EntryJson(e));
  boost::json::object out{{"items", std::move(items)}, {"next_cursor", nullptr}};
  // The cursor names the oldest entry seen: the next page starts below it.
  if (static_cast<int64_t>(entries.size()) == limit) {
    out["next_cursor"] = EncodeCursor(entries.back().id);
  }
  co_return http::JsonResponse(bhttp::status::ok, std::move(out));
}

Task FeedbackSummary(Services& s, RequestContext& ctx) {
  HR_CO_ASSIGN_OR_RETURN(auto filter, co_await Filter(s, ctx, Action::kViewFeedbackSummary));
  HR_CO_ASSIGN_OR_RETURN(auto summary, co_await s.feedback->Summary(filter));
  // School names, for a report a person reads.
  std::vector<int64_t> ids;
  for (const auto& [school, group] : summary.by_school) {
    if (school) ids.push_back(*school);
  }
  std::map<int64_t, std::string> names;
  int64_t after = 0;
  while (!ids.empty()) {
    HR_CO_ASSIGN_OR_RETURN(auto schools, co_await s.roster.ListSchools(
                                             after, domain::RosterService::kMaxPageSize, ids));
    for (const auto& school : schools.items) names[school.id] = school.name;
    if (!schools.next_after) break;
    after = *schools.next_after;
  }
  boost::json::array by_school;
  for (const auto& [school, group] : summary.by_school) {
    auto o = GroupJson(group);
    o["school_id"] = OptJson(school);
    o["school_name"] = school && names.count(*school) ? boost::json::value(names[*school])
                                                      : boost::json::value(nullptr);
    by_school.push_back(std::move(o));
  }
  boost::json::array by_band;
  for (const auto& [band, group] : summary.by_grade_band) {
    auto o = GroupJson(group);
    o["grade_band"] = OptJson(band);
    by_band.push_back(std::move(o));
  }
  co_return http::JsonResponse(bhttp::status::ok,
                               boost::json::object{{"from", FormatIsoUtc(filter.from_ms)},
                                                   {"to", FormatIsoUtc(filter.to_ms)},
                                                   {"overall", GroupJson(summary.overall)},
                                                   {"by_school", std::move(by_school)},
                                                   {"by_grade_band", std::move(by_band)}});
}

}  // namespace

void AddFeedbackRoutes(http::Router& router, Services& s) {
  auto add = [&](bhttp::verb verb, const char* pattern, Task (*fn)(Services&, RequestContext&)) {
    router.Add(verb, pattern, [&s, fn](RequestContext& c) { return fn(s, c); });
  };
  add(bhttp::verb::post, "/api/v1/feedback", SendFeedback);
  add(bhttp::verb::get, "/api/v1/feedback", ListFeedback);
  add(bhttp::verb::get, "/api/v1/feedback/summary", FeedbackSummary);
}

}  // namespace homeroom::api
