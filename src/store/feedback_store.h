#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sql.h"

namespace homeroom::store {

// One teacher's feedback as stored (migrations/0011_teacher_feedback.sql); the caller validates it
// (domain/teacher_feedback.h). Plain value; not synchronized.
struct FeedbackRecord {
  int64_t id = 0;
  int64_t teacher_id = 0;
  std::string teacher_name;  // read only: the teacher's display name
  std::optional<int64_t> school_id;
  std::optional<int64_t> section_id;
  std::optional<std::string> grade_band;  // prek-5 | 6-12; none: both or no grades
  int64_t rating = 0;                     // 1..5
  std::string category;                   // connectivity | platform | content | other
  std::string text;
  int64_t created_ms = 0;
};

// Which entries a list or a tally covers: created in [from_ms, to_ms), of these schools (empty:
// every school, and entries without one), of this category (none: all).
struct FeedbackFilter {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  std::vector<int64_t> school_ids;
  std::optional<std::string> category;
  std::optional<int64_t> teacher_id;
};

// Entries of one (school, grade band, category) group of a tally.
struct FeedbackTallyRow {
  std::optional<int64_t> school_id;
  std::optional<std::string> grade_band;
  std::string category;
  int64_t count = 0;
  int64_t rating_sum = 0;
};

// Teacher feedback. Stateless: each function runs on the connection it is given (through
// Database::Read / Write). kInternal on a database error.
namespace feedback_store {

// Adds an entry; returns its id.
Result<int64_t> Insert(sql::Connection& c, const FeedbackRecord& entry);
// How many entries `teacher_id` sent since `since_ms`.
Result<int64_t> CountSince(sql::Connection& c, int64_t teacher_id, int64_t since_ms);
// At most `limit` entries matching `filter` with an id below `before_id` (0: no bound), newest
// first.
Result<std::vector<FeedbackRecord>> List(sql::Connection& c, const FeedbackFilter& filter,
                                         int64_t before_id, int64_t limit);
// Counts and rating sums of the entries matching `filter`, by school, grade band and category.
Result<std::vector<FeedbackTallyRow>> Tally(sql::Connection& c, const FeedbackFilter& filter);

}  // namespace feedback_store
}  // namespace homeroom::store
