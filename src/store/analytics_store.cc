#include "store/analytics_store.h"

#include <algorithm>
#include <charconv>
#include <unordered_map>
#include <utility>

namespace homeroom::store::analytics_store {
namespace {

// The sessions counted on a day: scheduled to start in [?1, ?2) and not cancelled. A session the
// teacher never started still counts: its students could not attend, and the report should say so.
constexpr const char* kDaySessions =
    "SELECT id FROM live_sessions WHERE starts_ms >= ?1 AND starts_ms < ?2"
    " AND status <> 'cancelled'";

// The session id of a "/room/<id>" page, or 0.
int64_t RoomSessionId(std::string_view page) {
  constexpr std::string_view kPrefix = "/room/";
  if (!page.starts_with(kPrefix)) return 0;
  page.remove_prefix(kPrefix.size());
  int64_t id = 0;
  auto [end, error] = std::from_chars(page.data(), page.data() + page.size(), id);
  return error == std::errc() && end == page.data() + page.size() ? id : 0;
}

// The counts columns of analytics_section_days, in order, as SUMs for Sum() (the leading
// COUNT(*) is section_days).
constexpr const char* kSumColumns =
    "COUNT(*), SUM(r.live_sessions), SUM(r.expected_attendances), SUM(r.attendances),"
    " SUM(r.timed_attendances), SUM(r.live_seconds), SUM(r.telemetry_attendances),"
    " SUM(r.problem_attendances), SUM(r.assignments_due), SUM(r.expected_submissions),"
    " SUM(r.submissions), SUM(r.on_time_submissions), SUM(r.graded),"
    " SUM(r.grade_centipercent_sum)";

EngagementCounts ReadCounts(const sql::Statement& st, int first) {
  EngagementCounts c;
  int i = first;
  for (int64_t* field :
       {&c.section_days, &c.live_sessions, &c.expected_attendances, &c.attendances,
        &c.timed_attendances, &c.live_seconds, &c.telemetry_attendances, &c.problem_attendances,
        &c.assignments_due, &c.expected_submissions, &c.submissions, &c.on_time_submissions,
        &c.graded, &c.grade_centipercent_sum}) {
    *field = st.IsNull(i) ? 0 : st.Int(i);
    ++i;
  }
  return c;
}

}  // namespace

EngagementCounts& EngagementCounts::operator+=(const EngagementCounts& o) {
  section_days += o.section_days;
  live_sessions += o.live_sessions;
  expected_attendances += o.expected_attendances;
  attendances += o.attendances;
  timed_attendances += o.timed_attendances;
  live_seconds += o.live_seconds;
  telemetry_attendances += o.telemetry_attendances;
  problem_attendances += o.problem_attendances;
  assignments_due += o.assignments_due;
  expected_submissions += o.expected_submissions;
  submissions += o.submissions;
  on_time_submissions += o.on_time_submissions;
  graded += o.graded;
  grade_centipercent_sum += o.grade_centipercent_sum;
  return *this;
}

Result<std::vector<SectionSize>> SectionSizes(sql::Connection& c) {
  HR_ASSIGN_OR_RETURN(auto* st,
                      c.Prepare("SELECT s.id, s.school_id, s.low_grade, s.high_grade,"
                                " (SELECT COUNT(*) FROM enrollments e WHERE e.section_id = s.id"
                                " AND e.active = 1 AND e.role = 'student')"
                                " FROM sections s WHERE s.active = 1 ORDER BY s.id"));
  std::vector<SectionSize> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    SectionSize size;
    size.section.id = st->Int(0);
    size.section.school_id = st->Int(1);
    if (auto low = st->OptInt(2)) size.section.low_grade = static_cast<int>(*low);
    if (auto high = st->OptInt(3)) size.section.high_grade = static_cast<int>(*high);
    size.students = st->Int(4);
    out.push_back(std::move(size));
  }
  return out;
}

Result<std::vector<SectionActivity>> DayActivity(sql::Connection& c, int64_t from_ms, int64_t to_ms,
                                                 int64_t slack_ms) {
  std::unordered_map<int64_t, EngagementCounts> by_section;

  // The day's sessions and their sections.
  std::unordered_map<int64_t, int64_t> section_of_session;
  {
    HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("SELECT id, section_id FROM live_sessions"
                                            " WHERE starts_ms >= ?1 AND starts_ms < ?2"
                                            " AND status <> 'cancelled'"));
    st->Bind(1, from_ms);
    st->Bind(2, to_ms);
    for (;;) {
      HR_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      section_of_session[st->Int(0)] = st->Int(1);
      by_section[st->Int(1)].live_sessions += 1;
    }
  }

  // (session, user) pairs whose device reported a dropped live socket in the room.
  std::vector<std::pair<int64_t, int64_t>> dropped;
  {
    HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("SELECT DISTINCT user_id, page FROM client_events"
                                            " WHERE received_ms >= ?1 AND received_ms < ?2"
                                            " AND kind = 'ws_disconnect' AND page LIKE '/room/%'"));
    st->Bind(1, from_ms);
    st->Bind(2, to_ms + slack_ms);
    for (;;) {
      HR_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      if (int64_t session = RoomSessionId(st->Text(1)); session != 0) {
        dropped.emplace_back(session, st->Int(0));
      }
    }
    std::sort(dropped.begin(), dropped.end());
  }

  // Each student present at a day's session, from the three ways of being there. Grouped in SQL
  // so that a student who reconnected (several intervals) or opened the link and appears in the
  // uploaded report is one attendance.
  {
    const std::string sessions = kDaySessions;
    HR_ASSIGN_OR_RETURN(
        auto* st,
        c.Prepare("SELECT p.session_id, p.user_id, SUM(p.room_ms), MAX(p.external_s),"
                  " MAX(p.in_room), MAX(p.reconciled)"
                  " FROM (SELECT session_id, user_id,"
                  " CASE WHEN COALESCE(left_ms, last_seen_ms) > joined_ms"
                  " THEN COALESCE(left_ms, last_seen_ms) - joined_ms ELSE 0 END AS room_ms,"
                  " 0 AS external_s, 1 AS in_room, 0 AS reconciled"
                  " FROM attendance_intervals WHERE session_id IN (" +
                  sessions +
                  ")"
                  " UNION ALL SELECT session_id, user_id, 0, seconds, 0, 1"
                  " FROM external_attendance WHERE session_id IN (" +
                  sessions +
                  ")"
                  " UNION ALL SELECT session_id, user_id, 0, 0, 0, 0"
                  " FROM external_opens WHERE session_id IN (" +
                  sessions +
                  ")) p"
                  " JOIN users u ON u.id = p.user_id AND u.role = 'student'"
                  " GROUP BY p.session_id, p.user_id"));
    st->Bind(1, from_ms);
    st->Bind(2, to_ms);
    for (;;) {
      HR_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      int64_t session = st->Int(0);
      int64_t user = st->Int(1);
      int64_t room_seconds = st->Int(2) / 1000;
      int64_t external_seconds = st->Int(3);
      bool in_room = st->Int(4) != 0;
      bool reconciled = st->Int(5) != 0;
      auto section = section_of_session.find(session);
      if (section == section_of_session.end()) continue;
      EngagementCounts& counts = by_section[section->second];
      counts.attendances += 1;
      if (in_room || reconciled) {
        counts.timed_attendances += 1;
        counts.live_seconds += std::max(room_seconds, external_seconds);
      }
      if (in_room) {
        counts.telemetry_attendances += 1;
        if (std::binary_search(dropped.begin(), dropped.end(), std::pair(session, user))) {
          counts.problem_attendances += 1;
        }
      }
    }
  }

  // Assignments due that day and what came of them. A score counts toward the average grade
  // only when the assignment is worth points.
  {
    HR_ASSIGN_OR_RETURN(
        auto* st,
        c.Prepare("SELECT a.section_id, COUNT(DISTINCT a.id), COUNT(s.id),"
                  " SUM(CASE WHEN s.late = 0 THEN 1 ELSE 0 END),"
                  " SUM(CASE WHEN s.score_centi IS NOT NULL AND a.points > 0 THEN 1 ELSE 0 END),"
                  " SUM(CASE WHEN s.score_centi IS NOT NULL AND a.points > 0"
                  " THEN (s.score_centi * 100 + a.points / 2) / a.points ELSE 0 END)"
                  " FROM assignments a LEFT JOIN submissions s ON s.assignment_id = a.id"
                  " WHERE a.due_ms >= ?1 AND a.due_ms < ?2 GROUP BY a.section_id"));
    st->Bind(1, from_ms);
    st->Bind(2, to_ms);
    for (;;) {
      HR_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      EngagementCounts& counts = by_section[st->Int(0)];
      counts.assignments_due += st->Int(1);
      counts.submissions += st->Int(2);
      counts.on_time_submissions += st->IsNull(3) ? 0 : st->Int(3);
      counts.graded += st->IsNull(4) ? 0 : st->Int(4);
      counts.grade_centipercent_sum += st->IsNull(5) ? 0 : st->Int(5);
    }
  }

  std::vector<SectionActivity> out;
  out.reserve(by_section.size());
  for (auto& [section_id, counts] : by_section) out.push_back({section_id, counts});
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.section_id < b.section_id; });
  return out;
}

Status ReplaceDay(sql::Connection& c, const std::string& day,
                  const std::vector<SectionDayRecord>& rows, int64_t computed_ms) {
  HR_ASSIGN_OR_RETURN(auto* clear, c.Prepare("DELETE FROM analytics_section_days WHERE day = ?"));
  clear->Bind(1, day);
  HR_RETURN_IF_ERROR(clear->Run());
  HR_ASSIGN_OR_RETURN(
      auto* insert,
      c.Prepare("INSERT INTO analytics_section_days (day, section_id, school_id, grade_band,"
                " pathway, students, live_sessions, expected_attendances, attendances,"
                " timed_attendances, live_seconds, telemetry_attendances, problem_attendances,"
                " assignments_due, expected_submissions, submissions, on_time_submissions,"
                " graded, grade_centipercent_sum)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  for (const auto& r : rows) {
    insert->Reset();  // a statement run to its end keeps its bindings until reset
    const EngagementCounts& k = r.counts;
    int i = 1;
    insert->Bind(i++, r.day);
    insert->Bind(i++, r.section_id);
    insert->Bind(i++, r.school_id);
    insert->Bind(i++, r.grade_band);
    insert->Bind(i++, r.pathway);
    insert->Bind(i++, r.students);
    for (int64_t v : {k.live_sessions, k.expected_attendances, k.attendances, k.timed_attendances,
                      k.live_seconds, k.telemetry_attendances, k.problem_attendances,
                      k.assignments_due, k.expected_submissions, k.submissions,
                      k.on_time_submissions, k.graded, k.grade_centipercent_sum}) {
      insert->Bind(i++, v);
    }
    HR_RETURN_IF_ERROR(insert->Run());
  }
  HR_ASSIGN_OR_RETURN(
      auto* mark,
      c.Prepare("INSERT INTO analytics_days (day, computed_ms, sections) VALUES (?1, ?2, ?3)"
                " ON CONFLICT (day) DO UPDATE SET computed_ms = excluded.computed_ms,"
                " sections = excluded.sections"));
  mark->Bind(1, day);
  mark->Bind(2, computed_ms);
  mark->Bind(3, static_cast<int64_t>(rows.size()));
  return mark->Run();
}

Result<std::vector<ComputedDay>> ComputedDays(sql::Connection& c, const std::string& from_day,
                                              const std::string& to_day) {
  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare("SELECT day, computed_ms FROM analytics_days"
                                          " WHERE day >= ?1 AND day <= ?2 ORDER BY day"));
  st->Bind(1, from_day);
  st->Bind(2, to_day);
  std::vector<ComputedDay> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Text(0), st->Int(1)});
  }
  return out;
}

Result<std::vector<GroupRow>> Sum(sql::Connection& c, const std::string& from_day,
                                  const std::string& to_day, const Grouping& grouping,
                                  const std::optional<std::vector<int64_t>>& school_ids) {
  // Every key column is selected (a constant when not grouped) so that the row layout is fixed.
  std::string keys, group, order;
  auto key = [&](bool on, const std::string& column, const std::string& none,
                 const std::string& sort) {
    keys += (on ? column : none) + ", ";
    if (!on) return;
    group += (group.empty() ? "" : ", ") + column;
    order += (order.empty() ? "" : ", ") + sort;
  };
  key(grouping.day, "r.day", "''", "r.day");
  key(grouping.grade_band, "r.grade_band", "NULL", "r.grade_band");
  key(grouping.school, "r.school_id", "0", "o.name, r.school_id");
  if (grouping.school) group += ", o.name";
  keys += grouping.school ? "o.name, " : "'', ";
  key(grouping.section, "r.section_id", "0", "s.title, r.section_id");
  if (grouping.section) group += ", s.title";
  keys += grouping.section ? "s.title, " : "'', ";
  key(grouping.pathway, "r.pathway", "''", "r.pathway");

  std::string sql = "SELECT " + keys + kSumColumns + " FROM analytics_section_days r";
  if (grouping.school) sql += " JOIN orgs o ON o.id = r.school_id";
  if (grouping.section) sql += " JOIN sections s ON s.id = r.section_id";
  sql += " WHERE r.day >= ?1 AND r.day <= ?2";
  if (school_ids) {
    sql += " AND r.school_id IN (";
    for (size_t i = 0; i < school_ids->size(); ++i) sql += i == 0 ? "?" : ", ?";
    if (school_ids->empty()) sql += "NULL";
    sql += ")";
  }
  if (!group.empty()) sql += " GROUP BY " + group + " ORDER BY " + order;

  HR_ASSIGN_OR_RETURN(auto* st, c.Prepare(sql));
  st->Bind(1, from_day);
  st->Bind(2, to_day);
  if (school_ids) {
    int i = 3;
    for (int64_t id : *school_ids) st->Bind(i++, id);
  }
  std::vector<GroupRow> out;
  for (;;) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    GroupRow g;
    g.day = st->Text(0);
    g.grade_band = st->OptText(1);
    g.school_id = st->Int(2);
    g.school_name = st->Text(3);
    g.section_id = st->Int(4);
    g.section_title = st->Text(5);
    g.pathway = st->Text(6);
    g.counts = ReadCounts(*st, 7);
    // Without grouping, an empty range still yields one row of NULL sums: no row instead.
    if (group.empty() && g.counts.section_days == 0) break;
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace homeroom::store::analytics_store
