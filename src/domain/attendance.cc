#include "domain/attendance.h"

#include <algorithm>
#include <utility>

#include "core/clock.h"

namespace homeroom::domain {

StudentAttendance ComputeAttendance(int64_t user_id, const SessionWindow& w,
                                    const std::vector<store::AttendanceIntervalRecord>& intervals,
                                    const AttendanceRules& rules, int64_t now_ms) {
  StudentAttendance a;
  a.user_id = user_id;
  std::vector<std::pair<int64_t, int64_t>> spans;  // [from, to) in ms, unclipped
  bool open = false;
  int64_t last_leave = 0;
  for (const auto& i : intervals) {
    if (i.user_id != user_id) continue;
    ++a.intervals;
    int64_t end = 0;
    if (i.left_ms) {
      end = *i.left_ms;
      last_leave = std::max(last_leave, end);
    } else if (w.live) {
      end = std::max(now_ms, i.last_seen_ms);
      open = true;
    } else {
      end = i.last_seen_ms;  // closed by recovery at its last heartbeat
      last_leave = std::max(last_leave, end);
    }
    end = std::max(end, i.joined_ms);
    spans.emplace_back(i.joined_ms, end);
    if (!a.first_join_ms || i.joined_ms < *a.first_join_ms) a.first_join_ms = i.joined_ms;
  }
  if (spans.empty()) return a;
  a.absent = false;
  a.present_now = open;
  if (!open) a.last_leave_ms = last_leave;

  // Union of the spans clipped to the scheduled window.
  std::sort(spans.begin(), spans.end());
  int64_t cur_from = 0, cur_to = 0;
  bool have = false;
  auto add = [&](int64_t from, int64_t to) {
    from = std::max(from, w.starts_ms);
    to = std::min(to, w.ends_ms);
    if (to > from) a.present_ms += to - from;
  };
  for (const auto& [from, to] : spans) {
    if (have && from <= cur_to) {
      cur_to = std::max(cur_to, to);
      continue;
    }
    if (have) add(cur_from, cur_to);
    cur_from = from;
    cur_to = to;
    have = true;
  }
  if (have) add(cur_from, cur_to);

  int64_t reference_start = std::max(w.starts_ms, w.started_ms.value_or(w.starts_ms));
  a.late = *a.first_join_ms > reference_start + rules.late_threshold_ms;
  int64_t effective_end = std::min(w.ends_ms, w.ended_ms.value_or(w.ends_ms));
  a.left_early =
      !open && a.last_leave_ms && *a.last_leave_ms < effective_end - rules.left_early_threshold_ms;
  return a;
}

std::string CsvField(std::string_view v) {
  std::string field(v);
  if (!field.empty() &&
      (field[0] == '=' || field[0] == '+' || field[0] == '-' || field[0] == '@')) {
    field.insert(field.begin(), '\'');
  }
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string AttendanceCsv(const AttendanceReport& r) {
  std::string out =
      "session_id,section_id,session_title,scheduled_start,scheduled_end,student_id,"
      "student_sourced_id,username,family_name,given_name,status,minutes_present,first_join,"
      "last_leave,late,left_early\r\n";
  auto time = [](const std::optional<int64_t>& ms) { return ms ? FormatIsoUtc(*ms) : ""; };
  const auto& s = r.session;
  for (const auto& row : r.rows) {
    const auto& a = row.attendance;
    const std::string fields[] = {std::to_string(s.id),
                                  std::to_string(s.section_id),
                                  CsvField(s.title),
                                  FormatIsoUtc(s.starts_ms),
                                  FormatIsoUtc(s.ends_ms),
                                  std::to_string(row.student.id),
                                  CsvField(row.student.sourced_id),
                                  CsvField(row.student.username),
                                  CsvField(row.student.family_name),
                                  CsvField(row.student.given_name),
                                  a.Status(),
                                  std::to_string(a.MinutesPresent()),
                                  time(a.first_join_ms),
                                  time(a.last_leave_ms),
                                  a.late ? "true" : "false",
                                  a.left_early ? "true" : "false"};
    bool first = true;
    for (const auto& f : fields) {
      if (!first) out += ',';
      out += f;
      first = false;
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace homeroom::domain
