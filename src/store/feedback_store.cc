#include "store/feedback_store.h"

namespace homeroom::store::feedback_store {
namespace {

// The WHERE clause of a filter (its parameters bound by BindFilter, from index 1, in this order).
std::string Where(const FeedbackFilter& f) {
  std::string where = " WHERE f.created_ms >= ? AND f.created_ms < ?";
  if (!f.school_ids.empty()) {
    where += " AND f.school_id IN (";
    for (size_t i = 0; i < f.school_ids.size(); ++i) where += i == 0 ? "?" : ", ?";
    where += ")";
  }
  if (f.category) where += " AND f.category = ?";
  if (f.teacher_id) where += " AND f.teacher_id = ?";
  return where;
}

// Binds the parameters of Where(f); returns the next free index.
int BindFilter(sql::Statement& st, const FeedbackFilter& f) {
  int i = 1;
  st.Bind(i++, f.from_ms);
  st.Bind(i++, f.to_ms);
  for (int64_t school : f.school_ids) st.Bind(i++, school);
  if (f.category) st.Bind(i++, *f.category);
  if (f.teacher_id) st.Bind(i++, *f.teacher_id);
  return i;
}

}  // namespace

Result<int64_t> Insert(sql::Connection& c, const FeedbackRecord& e) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("INSERT INTO teacher_feedback (teacher_id, school_id,"
                                          " section_id, grade_band, rating, category, text,"
                                          " created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                                          " RETURNING id"));
  st->Bind(1, e.teacher_id);
  st->Bind(2, e.school_id);
  st->Bind(3, e.section_id);
  st->Bind(4, e.grade_band);
  st->Bind(5, e.rating);
  st->Bind(6, e.category);
  st->Bind(7, e.text);
  st->Bind(8, e.created_ms);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Status::Internal("INSERT ... RETURNING gave no row");
  int64_t id = st->Int(0);
  st->Reset();
  return id;
}

Result<int64_t> CountSince(sql::Connection& c, int64_t teacher_id, int64_t since_ms) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("SELECT COUNT(*) FROM teacher_feedback"
                                          " WHERE teacher_id = ? AND created_ms >= ?"));
  st->Bind(1, teacher_id);
  st->Bind(2, since_ms);
  HR_ASSIGN_OR_RETURN(bool row, st->Step());
  int64_t count = row ? st->Int(0) : 0;
  st->Reset();
  return count;
}

Result<std::vector<FeedbackRecord>> List(sql::Connection& c, const FeedbackFilter& filter,
                                         int64_t before_id, int64_t limit) {
  std::string sql =
      "SELECT f.id, f.teacher_id, u.given_name || ' ' || u.family_name, f.school_id,"
      " f.section_id, f.grade_band, f.rating, f.category, f.text, f.created_ms"
      " FROM teacher_feedback f JOIN users u ON u.id = f.teacher_id" +
      Where(filter);
  if (before_id > 0) sql += " AND f.id < ?";
  sql += " ORDER BY f.id DESC LIMIT ?";
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(sql));
  int i = BindFilter(*st, filter);
  if (before_id > 0) st->Bind(i++, before_id);
  st->Bind(i, limit);
  std::vector<FeedbackRecord> out;
  while (true) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    FeedbackRecord e;
    e.id = st->Int(0);
    e.teacher_id = st->Int(1);
    e.teacher_name = st->Text(2);
    e.school_id = st->OptInt(3);
    e.section_id = st->OptInt(4);
    e.grade_band = st->OptText(5);
    e.rating = st->Int(6);
    e.category = st->Text(7);
    e.text = st->Text(8);
    e.created_ms = st->Int(9);
    out.push_back(std::move(e));
  }
  st->Reset();
  return out;
}

Result<std::vector<FeedbackTallyRow>> Tally(sql::Connection& c, const FeedbackFilter& filter) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare("SELECT f.school_id, f.grade_band, f.category, COUNT(*),"
                                " SUM(f.rating) FROM teacher_feedback f" +
                                Where(filter) + " GROUP BY f.school_id, f.grade_band, f.category"));
  BindFilter(*st, filter);
  std::vector<FeedbackTallyRow> out;
  while (true) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    FeedbackTallyRow r;
    r.school_id = st->OptInt(0);
    r.grade_band = st->OptText(1);
    r.category = st->Text(2);
    r.count = st->Int(3);
    r.rating_sum = st->Int(4);
    out.push_back(std::move(r));
  }
  st->Reset();
  return out;
}

}  // namespace homeroom::store::feedback_store
