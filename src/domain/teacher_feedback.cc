#include "domain/teacher_feedback.h"

#include <date/date.h>

#include <algorithm>
#include <map>

namespace homeroom::domain {
namespace {

constexpr int64_t kDayMs = 24 * 60 * 60 * 1000;
// The range a summary or list covers when the caller names no dates.
constexpr int64_t kDefaultRangeDays = 30;

// Characters of `text`, which Boost.JSON has already checked is UTF-8: the bytes that start one.
size_t CountCharacters(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::optional<size_t> CategoryIndex(std::string_view category) {
  for (size_t i = 0; i < std::size(kFeedbackCategories); ++i) {
    if (kFeedbackCategories[i] == category) return i;
  }
  return std::nullopt;
}

void Add(FeedbackGroup& group, const store::FeedbackTallyRow& row) {
  group.count += row.count;
  group.rating_sum += row.rating_sum;
  if (auto i = CategoryIndex(row.category)) group.by_category[*i] += row.count;
}

}  // namespace

Status ValidateFeedback(const store::FeedbackRecord& e, const FeedbackOptions& options) {
  if (e.rating < 1 || e.rating > 5) {
    return Status::InvalidArgument("rating must be a whole number from 1 to 5");
  }
  if (!CategoryIndex(e.category)) {
    return Status::InvalidArgument("category must be connectivity, platform, content or other");
  }
  const size_t chars = CountCharacters(e.text);
  if (chars == 0) return Status::InvalidArgument("text must say something");
  if (chars > options.max_text_chars) {
    return Status::InvalidArgument("text may have at most " +
                                   std::to_string(options.max_text_chars) + " characters");
  }
  return Status::Ok();
}

FeedbackSummary Summarize(const std::vector<store::FeedbackTallyRow>& rows) {
  std::map<std::optional<int64_t>, FeedbackGroup> schools;
  std::map<std::optional<std::string>, FeedbackGroup> bands;
  FeedbackSummary out;
  for (const auto& row : rows) {
    Add(out.overall, row);
    Add(schools[row.school_id], row);
    Add(bands[row.grade_band], row);
  }
  out.by_school.assign(schools.begin(), schools.end());
  out.by_grade_band.assign(bands.begin(), bands.end());
  return out;
}

// The Retry-After of a teacher whose day is full: the 24-hour window rolls, so a slot opens when
// their oldest entry in it ages out; an hour is a polite, bounded answer without another query.
constexpr int kFullRetryAfterS = 3600;

boost::asio::awaitable<Result<store::FeedbackRecord>> FeedbackService::Send(
    store::FeedbackRecord entry) {
  HR_CO_RETURN_IF_ERROR(ValidateFeedback(entry, options_));
  entry.created_ms = clock_.NowMs();
  const int64_t cap = options_.max_per_teacher_per_day;
  auto job = [entry, cap](sql::Connection& c) mutable -> Result<store::FeedbackRecord> {
    HR_ASSIGN_OR_RETURN(int64_t recent, store::feedback_store::CountSince(
                                            c, entry.teacher_id, entry.created_ms - kDayMs));
    if (recent >= cap) {
      return Status::ResourceExhausted(
          "a teacher may send at most " + std::to_string(cap) + " feedback entries in 24 hours",
          kFullRetryAfterS);
    }
    HR_ASSIGN_OR_RETURN(entry.id, store::feedback_store::Insert(c, entry));
    return entry;
  };
  co_return co_await db_.Write(std::move(job));
}

Result<store::FeedbackFilter> FeedbackService::Range(const std::optional<std::string>& from,
                                                     const std::optional<std::string>& to) const {
  std::string today = zone_.FormatLocal(clock_.NowMs()).substr(0, 10);
  HR_ASSIGN_OR_RETURN(LocalDate last, ParseLocalDate(to.value_or(today), "to"));
  int64_t last_day = last.DaysSinceEpoch();
  int64_t first_day = last_day - (kDefaultRangeDays - 1);
  if (from) {
    HR_ASSIGN_OR_RETURN(LocalDate first, ParseLocalDate(*from, "from"));
    first_day = first.DaysSinceEpoch();
  }
  if (first_day > last_day) return Status::InvalidArgument("from must not be after to");
  store::FeedbackFilter filter;
  filter.from_ms = zone_.StartOfDayMs(first_day);
  filter.to_ms = zone_.StartOfDayMs(last_day + 1);
  return filter;
}

boost::asio::awaitable<Result<std::vector<store::FeedbackRecord>>> FeedbackService::List(
    store::FeedbackFilter filter, int64_t before_id, int64_t limit) {
  limit = std::clamp<int64_t>(limit, 1, options_.max_page);
  auto job = [filter = std::move(filter), before_id, limit](sql::Connection& c) {
    return store::feedback_store::List(c, filter, before_id, limit);
  };
  co_return co_await db_.Read(std::move(job));
}

boost::asio::awaitable<Result<FeedbackSummary>> FeedbackService::Summary(
    store::FeedbackFilter filter) {
  auto job = [filter = std::move(filter)](sql::Connection& c) -> Result<FeedbackSummary> {
    HR_ASSIGN_OR_RETURN(auto rows, store::feedback_store::Tally(c, filter));
    return Summarize(rows);
  };
  co_return co_await db_.Read(std::move(job));
}

}  // namespace homeroom::domain
