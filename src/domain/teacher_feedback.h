#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "domain/live_calendar.h"
#include "store/database.h"
#include "store/feedback_store.h"

namespace homeroom::domain {

// Teacher feedback (docs/api.md, "Teacher feedback"): the direct line from teachers to the
// district that the failed platform promised. A teacher rates live teaching 1-5 in a category and
// says why; administrators read the entries of the schools they run and compare schools and grade
// bands. Each entry carries the school and grade band it speaks for, fixed when it is sent.

// The categories, as the API spells them.
inline constexpr std::string_view kFeedbackCategories[] = {"connectivity", "platform", "content",
                                                           "other"};

struct FeedbackOptions {
  // Longest text, in characters (Unicode code points).
  size_t max_text_chars = 2000;
  // Entries one teacher may send in 24 hours: feedback is a report, not a chat.
  int64_t max_per_teacher_per_day = 20;
  // Most entries one list answer holds.
  int64_t max_page = 200;
};

// Checks what a teacher sends: rating 1..5, a known category, a text of 1..max_text_chars
// characters (valid UTF-8). kInvalidArgument naming what is wrong.
Status ValidateFeedback(const store::FeedbackRecord& entry, const FeedbackOptions& options);

// A group's figures in a summary.
struct FeedbackGroup {
  int64_t count = 0;
  int64_t rating_sum = 0;
  int64_t by_category[std::size(kFeedbackCategories)] = {};
  double average_rating() const { return count == 0 ? 0 : double(rating_sum) / double(count); }
};

// Entries of a range aggregated: overall, by school (none: entries without a school) and by
// grade band (none: both bands or no grades).
struct FeedbackSummary {
  FeedbackGroup overall;
  std::vector<std::pair<std::optional<int64_t>, FeedbackGroup>> by_school;          // by id
  std::vector<std::pair<std::optional<std::string>, FeedbackGroup>> by_grade_band;  // by name
};

// Aggregates tally rows. Pure.
FeedbackSummary Summarize(const std::vector<store::FeedbackTallyRow>& rows);

// Feedback over the store. Handlers authorize and say which school and band an entry speaks for;
// this validates, limits and aggregates. Thread-safe (the store serializes writes).
class FeedbackService {
 public:
  FeedbackService(store::Database& db, const Clock& clock, DistrictZone zone,
                  FeedbackOptions options)
      : db_(db), clock_(clock), zone_(std::move(zone)), options_(options) {}

  const FeedbackOptions& options() const { return options_; }

  // Stores an entry (its id and time set here). kInvalidArgument when invalid;
  // kResourceExhausted (429) when the teacher sent max_per_teacher_per_day in the last 24 hours.
  boost::asio::awaitable<Result<store::FeedbackRecord>> Send(store::FeedbackRecord entry);

  // The range [from, to] of district dates ("YYYY-MM-DD", both optional: the last 30 days up to
  // today) as a filter's [from_ms, to_ms). kInvalidArgument for a bad date or from after to.
  Result<store::FeedbackFilter> Range(const std::optional<std::string>& from,
                                      const std::optional<std::string>& to) const;

  // Newest first, at most `limit` (capped at max_page), below `before_id` when it is not 0.
  boost::asio::awaitable<Result<std::vector<store::FeedbackRecord>>> List(
      store::FeedbackFilter filter, int64_t before_id, int64_t limit);
  boost::asio::awaitable<Result<FeedbackSummary>> Summary(store::FeedbackFilter filter);

 private:
  store::Database& db_;
  const Clock& clock_;
  DistrictZone zone_;
  FeedbackOptions options_;
};

}  // namespace homeroom::domain
