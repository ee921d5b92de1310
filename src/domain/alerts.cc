#include "domain/alerts.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "store/daily_attendance_store.h"

namespace homeroom::domain {

boost::asio::awaitable<Result<std::vector<store::AlertRecord>>> AlertService::ForStudents(
    std::vector<int64_t> student_ids) {
  const int64_t now = clock_.NowMs();
  const int64_t today = zone_.LocalDayOf(now);
  const int64_t first_day = today - std::max(1, options_.lookback_days) + 1;
  const int64_t from = zone_.StartOfDayMs(first_day);
  auto job = [this, student_ids = std::move(student_ids), now, today, first_day,
              from](sql::Connection& c) -> Result<std::vector<store::AlertRecord>> {
    HR_ASSIGN_OR_RETURN(auto missed,
                        store::alerts_store::MissedSessions(c, student_ids, from, now));
    HR_ASSIGN_OR_RETURN(auto missing, store::alerts_store::MissingWork(c, student_ids, from, now));
    // Days a teacher marked present, per (section, student): no missed-session alert on them.
    std::set<std::tuple<int64_t, int64_t, std::string>> present;
    for (int64_t student : student_ids) {
      store::daily_attendance_store::Scope scope{.student_id = student};
      HR_ASSIGN_OR_RETURN(auto overrides,
                          store::daily_attendance_store::Overrides(
                              c, scope, LocalDate::FromDaysSinceEpoch(first_day).ToString(),
                              LocalDate::FromDaysSinceEpoch(today).ToString()));
      for (const auto& o : overrides) {
        if (o.student_id == student && o.status == "present") {
          present.insert({o.section_id, o.student_id, o.day});
        }
      }
    }
    std::vector<store::AlertRecord> out;
    for (auto& a : missed) {
      std::string day = LocalDate::FromDaysSinceEpoch(zone_.LocalDayOf(a.at_ms)).ToString();
      if (!present.count({a.section_id, a.student_id, day})) out.push_back(std::move(a));
    }
    for (auto& a : missing) out.push_back(std::move(a));
    std::sort(out.begin(), out.end(),
              [](const auto& x, const auto& y) { return x.at_ms > y.at_ms; });
    if (out.size() > options_.max_alerts) out.resize(options_.max_alerts);
    return out;
  };
  co_return co_await db_.Read(std::move(job));
}

}  // namespace homeroom::domain
