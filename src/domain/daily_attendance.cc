#include "domain/daily_attendance.h"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <set>

#include "domain/attendance.h"
#include "store/audit_store.h"

namespace homeroom::domain {
namespace {

namespace das = store::daily_attendance_store;

constexpr int64_t kMsPerMinute = 60'000;

// 0 = Sunday; 1970-01-01 was a Thursday.
int Weekday(int64_t days) { return static_cast<int>(((days % 7) + 7 + 4) % 7); }
bool IsWeekend(int64_t days) { return Weekday(days) == 0 || Weekday(days) == 6; }

// The rule, in order: an override decides; then live minutes, work, an opened external link.
void Decide(const AttendancePolicy& policy, int64_t present_ms, DayAttendance& day) {
  // Whole minutes, rounded down like the rule below: 19.5 minutes is not 20.
  day.live_minutes = present_ms / kMsPerMinute;
  if (day.override_record) {
    day.status = day.override_record->status;
    day.basis = "override";
  } else if (present_ms > 0 && present_ms >= policy.min_live_minutes * kMsPerMinute) {
    day.status = "present";
    day.basis = "live";
  } else if (policy.count_submissions && day.submissions > 0) {
    day.status = "present";
    day.basis = "work";
  } else if (policy.count_external_opens && day.opened_external) {
    day.status = "present";
    day.basis = "external";
  } else {
    day.status = "absent";
    day.basis = "none";
  }
}

boost::json::object PolicyJson(const AttendancePolicy& p) {
  return {{"min_live_minutes", p.min_live_minutes},
          {"count_submissions", p.count_submissions},
          {"count_external_opens", p.count_external_opens}};
}

AttendancePolicy FromRecord(const std::optional<das::PolicyRecord>& r) {
  AttendancePolicy p;
  if (!r) return p;
  p.min_live_minutes = r->min_live_minutes;
  p.count_submissions = r->count_submissions;
  p.count_external_opens = r->count_external_opens;
  p.updated_by = r->updated_by;
  p.updated_ms = r->updated_ms;
  return p;
}

}  // namespace

DailyAttendanceReport ComputeDailyAttendance(const AttendancePolicy& policy,
                                             const DistrictZone& zone, LocalDate from,
                                             LocalDate until, const DailyAttendanceFacts& facts,
                                             int64_t now_ms) {
  const int64_t first = from.DaysSinceEpoch();
  const size_t n = static_cast<size_t>(until.DaysSinceEpoch() - first + 1);
  auto day_index = [&](int64_t days) -> std::optional<size_t> {
    if (days < first || days >= first + static_cast<int64_t>(n)) return std::nullopt;
    return static_cast<size_t>(days - first);
  };

  DailyAttendanceReport report;
  report.policy = policy;
  std::map<std::pair<int64_t, int64_t>, size_t> row_of;  // (section, student) -> row
  for (const auto& s : facts.students) {
    row_of[{s.section_id, s.student.id}] = report.rows.size();
    report.rows.push_back({s.section_id, s.section_sourced_id, s.section_title, s.school_id,
                           s.student, std::vector<DayAttendance>(n)});
  }
  std::vector<std::vector<int64_t>> present_ms(report.rows.size(), std::vector<int64_t>(n, 0));
  std::vector<bool> eventful(n, false);  // a weekend day on which something happened is listed
  auto find = [&](int64_t section, int64_t student) -> std::optional<size_t> {
    auto it = row_of.find({section, student});
    if (it == row_of.end()) return std::nullopt;  // no longer enrolled: not in the report
    return it->second;
  };

  for (const auto& s : facts.sessions) {
    auto d = day_index(zone.LocalDayOf(s.session.starts_ms));
    if (!d) continue;
    eventful[*d] = true;
    SessionWindow window{s.session.starts_ms, s.session.ends_ms, s.session.started_ms,
                         s.session.ended_ms, s.session.status == "live"};
    std::set<int64_t> users;
    for (const auto& i : s.intervals) users.insert(i.user_id);
    for (int64_t user : users) {
      auto row = find(s.session.section_id, user);
      if (!row) continue;  // the teacher, an observer, or a student since unenrolled
      StudentAttendance a = ComputeAttendance(user, window, s.intervals, AttendanceRules{}, now_ms);
      present_ms[*row][*d] += a.present_ms;
    }
  }
  for (const auto& x : facts.external) {
    auto d = day_index(zone.LocalDayOf(x.starts_ms));
    auto row = find(x.section_id, x.student_id);
    if (!d || !row) continue;
    eventful[*d] = true;
    present_ms[*row][*d] += x.seconds * 1000;
  }
  for (const auto& e : facts.submissions) {
    auto d = day_index(zone.LocalDayOf(e.submitted_ms));
    auto row = find(e.section_id, e.student_id);
    if (!d || !row) continue;
    eventful[*d] = true;
    ++report.rows[*row].days[*d].submissions;
  }
  for (const auto& o : facts.opens) {
    auto d = day_index(zone.LocalDayOf(o.starts_ms));
    auto row = find(o.section_id, o.student_id);
    if (!d || !row) continue;
    eventful[*d] = true;
    report.rows[*row].days[*d].opened_external = true;
  }
  for (const auto& o : facts.overrides) {
    auto date = ParseLocalDate(o.day, "day");
    if (!date.ok()) continue;  // written by Override(), which checks it
    auto d = day_index(date->DaysSinceEpoch());
    auto row = find(o.section_id, o.student_id);
    if (!d || !row) continue;
    eventful[*d] = true;
    report.rows[*row].days[*d].override_record = o;
  }

  // Decide every day, then keep the school days: Monday to Friday, and eventful weekend days.
  std::vector<size_t> kept;
  for (size_t d = 0; d < n; ++d) {
    if (!IsWeekend(first + static_cast<int64_t>(d)) || eventful[d]) kept.push_back(d);
  }
  for (size_t r = 0; r < report.rows.size(); ++r) {
    auto& days = report.rows[r].days;
    std::vector<DayAttendance> listed;
    listed.reserve(kept.size());
    for (size_t d : kept) {
      Decide(policy, present_ms[r][d], days[d]);
      listed.push_back(std::move(days[d]));
    }
    days = std::move(listed);
  }
  for (size_t d : kept) {
    report.days.push_back(LocalDate::FromDaysSinceEpoch(first + static_cast<int64_t>(d)));
  }
  return report;
}

DailyAttendanceReport CombineBySchool(const DailyAttendanceReport& by_section) {
  DailyAttendanceReport out;
  out.policy = by_section.policy;
  out.days = by_section.days;
  std::map<int64_t, size_t> row_of;  // student -> row
  for (const auto& row : by_section.rows) {
    auto [it, inserted] = row_of.try_emplace(row.student.id, out.rows.size());
    if (inserted) {
      out.rows.push_back({0, "", "", row.school_id, row.student, row.days});
      continue;
    }
    auto& days = out.rows[it->second].days;
    for (size_t d = 0; d < days.size(); ++d) {
      DayAttendance& combined = days[d];
      const DayAttendance& more = row.days[d];
      // Present in any section makes the day present, for the reason the first section gives; an
      // absent day keeps a teacher's "absent" override as its reason.
      bool take =
          (combined.status != "present" && more.status == "present") ||
          (combined.status != "present" && combined.basis == "none" && more.basis == "override");
      int64_t minutes = combined.live_minutes + more.live_minutes;
      int submissions = combined.submissions + more.submissions;
      bool opened = combined.opened_external || more.opened_external;
      if (take) combined = more;
      combined.live_minutes = minutes;
      combined.submissions = submissions;
      combined.opened_external = opened;
    }
  }
  std::sort(out.rows.begin(), out.rows.end(), [](const auto& a, const auto& b) {
    return std::tie(a.student.family_name, a.student.given_name, a.student.id) <
           std::tie(b.student.family_name, b.student.given_name, b.student.id);
  });
  return out;
}

std::string DailyAttendanceCsv(const DailyAttendanceReport& report) {
  std::string out =
      "date,school_id,section_id,section_sourced_id,student_id,student_sourced_id,username,"
      "family_name,given_name,status,basis,live_minutes,submissions,opened_external,"
      "override_reason\r\n";
  for (const auto& row : report.rows) {
    for (size_t d = 0; d < report.days.size(); ++d) {
      const DayAttendance& day = row.days[d];
      std::string fields[] = {
          report.days[d].ToString(),
          std::to_string(row.school_id),
          row.section_id ? std::to_string(row.section_id) : "",
          row.section_sourced_id,
          std::to_string(row.student.id),
          row.student.sourced_id,
          row.student.username,
          row.student.family_name,
          row.student.given_name,
          day.status,
          day.basis,
          std::to_string(day.live_minutes),
          std::to_string(day.submissions),
          day.opened_external ? "true" : "false",
          day.basis == "override" && day.override_record ? day.override_record->reason : "",
      };
      for (size_t i = 0; i < std::size(fields); ++i) {
        if (i) out += ',';
        out += CsvField(fields[i]);
      }
      out += "\r\n";
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// DailyAttendanceService

boost::asio::awaitable<Result<AttendancePolicy>> DailyAttendanceService::Policy() {
  auto job = [](sql::Connection& c) -> Result<AttendancePolicy> {
    HR_ASSIGN_OR_RETURN(auto record, das::GetPolicy(c));
    return FromRecord(record);
  };
  co_return co_await db_.Read(std::move(job));
}

boost::asio::awaitable<Result<AttendancePolicy>> DailyAttendanceService::SetPolicy(
    AttendancePolicy policy, AttendanceActor by) {
  if (policy.min_live_minutes < 0 || policy.min_live_minutes > options_.max_policy_minutes) {
    co_return Status::InvalidArgument("min_live_minutes must be from 0 to " +
                                      std::to_string(options_.max_policy_minutes));
  }
  int64_t now = clock_.NowMs();
  das::PolicyRecord record{policy.min_live_minutes, policy.count_submissions,
                           policy.count_external_opens, by.user_id, now};
  auto job = [record, by = std::move(by)](sql::Connection& c) -> Result<AttendancePolicy> {
    HR_ASSIGN_OR_RETURN(auto previous, das::GetPolicy(c));
    HR_RETURN_IF_ERROR(das::PutPolicy(c, record));
    boost::json::object detail{{"policy", PolicyJson(FromRecord(record))},
                               {"previous", PolicyJson(FromRecord(previous))}};
    store::AuditEntry entry{.at_ms = record.updated_ms,
                            .actor_user_id = by.user_id,
                            .actor = by.username,
                            .actor_ip = by.ip,
                            .action = "attendance.policy.set",
                            .detail = boost::json::serialize(detail)};
    HR_RETURN_IF_ERROR(store::AuditStore::Append(c, entry).status());
    return FromRecord(record);
  };
  co_return co_await db_.Write(std::move(job));
}

Result<std::pair<LocalDate, LocalDate>> DailyAttendanceService::Range(
    const std::optional<std::string>& from, const std::optional<std::string>& to) const {
  int64_t today = zone_.LocalDayOf(clock_.NowMs());
  int64_t last_day = today;
  if (to) {
    HR_ASSIGN_OR_RETURN(LocalDate last, ParseLocalDate(*to, "to"));
    last_day = last.DaysSinceEpoch();
  }
  int64_t first_day = last_day - (Weekday(last_day) + 6) % 7;  // that week's Monday
  if (from) {
    HR_ASSIGN_OR_RETURN(LocalDate first, ParseLocalDate(*from, "from"));
    first_day = first.DaysSinceEpoch();
  }
  if (first_day > last_day) return Status::InvalidArgument("from must not be after to");
  if (last_day - first_day + 1 > options_.max_days) {
    return Status::InvalidArgument("a report covers at most " + std::to_string(options_.max_days) +
                                   " days (max_days)");
  }
  return std::pair(LocalDate::FromDaysSinceEpoch(first_day),
                   LocalDate::FromDaysSinceEpoch(last_day));
}

boost::asio::awaitable<Result<DailyAttendanceReport>> DailyAttendanceService::Report(
    das::Scope scope, LocalDate from, LocalDate until) {
  int64_t from_ms = zone_.StartOfDayMs(from.DaysSinceEpoch());
  int64_t to_ms = zone_.StartOfDayMs(until.DaysSinceEpoch() + 1);
  int64_t now = clock_.NowMs();
  auto job = [this, scope, from, until, from_ms, to_ms,
              now](sql::Connection& c) -> Result<DailyAttendanceReport> {
    HR_ASSIGN_OR_RETURN(auto policy, das::GetPolicy(c));
    DailyAttendanceFacts facts;
    HR_ASSIGN_OR_RETURN(facts.students, das::Students(c, scope));
    HR_ASSIGN_OR_RETURN(facts.sessions, das::SessionsWithIntervals(c, scope, from_ms, to_ms));
    HR_ASSIGN_OR_RETURN(facts.submissions, das::Submissions(c, scope, from_ms, to_ms));
    HR_ASSIGN_OR_RETURN(facts.opens, das::ExternalOpens(c, scope, from_ms, to_ms));
    HR_ASSIGN_OR_RETURN(facts.external, das::ExternalTimes(c, scope, from_ms, to_ms));
    HR_ASSIGN_OR_RETURN(facts.overrides,
                        das::Overrides(c, scope, from.ToString(), until.ToString()));
    return ComputeDailyAttendance(FromRecord(policy), zone_, from, until, facts, now);
  };
  co_return co_await db_.Read(std::move(job));
}

boost::asio::awaitable<Result<DayAttendance>> DailyAttendanceService::Override(
    OverrideRequest request, AttendanceActor by) {
  if (request.status != "present" && request.status != "absent" && request.status != "policy") {
    co_return Status::InvalidArgument("status must be present, absent or policy");
  }
  auto date = ParseLocalDate(request.date, "date");
  if (!date.ok()) co_return date.status();
  int64_t now = clock_.NowMs();
  if (date->DaysSinceEpoch() > zone_.LocalDayOf(now)) {
    co_return Status::InvalidArgument("date must not be in the future");
  }
  if (request.status != "policy" && request.reason.empty()) {
    co_return Status::InvalidArgument("reason is required: say why the day is overridden");
  }
  if (request.reason.size() > options_.max_reason_bytes) {
    co_return Status::InvalidArgument("reason is longer than " +
                                      std::to_string(options_.max_reason_bytes) + " bytes");
  }
  das::OverrideRecord record{request.section_id,
                             request.student_id,
                             date->ToString(),
                             request.status,
                             request.reason,
                             by.user_id,
                             now};
  auto job = [record, by = std::move(by)](sql::Connection& c) -> Status {
    HR_ASSIGN_OR_RETURN(auto students, das::Students(c, das::Scope{record.section_id, {}}));
    bool enrolled = std::any_of(students.begin(), students.end(),
                                [&](const auto& s) { return s.student.id == record.student_id; });
    if (!enrolled) return Status::NotFound("the student is not enrolled in this section");
    HR_ASSIGN_OR_RETURN(auto previous,
                        das::GetOverride(c, record.section_id, record.student_id, record.day));
    if (record.status == "policy") {
      HR_RETURN_IF_ERROR(das::DeleteOverride(c, record.section_id, record.student_id, record.day));
    } else {
      HR_RETURN_IF_ERROR(das::PutOverride(c, record));
    }
    boost::json::object detail{{"section_id", record.section_id},
                               {"student_id", record.student_id},
                               {"date", record.day},
                               {"status", record.status},
                               {"reason", record.reason},
                               {"previous", nullptr}};
    if (previous) {
      detail["previous"] = {
          {"status", previous->status}, {"reason", previous->reason}, {"set_by", previous->set_by}};
    }
    store::AuditEntry entry{.at_ms = record.set_ms,
                            .actor_user_id = by.user_id,
                            .actor = by.username,
                            .actor_ip = by.ip,
                            .action = "attendance.override",
                            .detail = boost::json::serialize(detail)};
    return store::AuditStore::Append(c, entry).status();
  };
  Status written = co_await db_.Write(std::move(job));
  if (!written.ok()) co_return written;
  das::Scope section{request.section_id, {}};
  LocalDate the_day = *date;
  auto day = co_await Report(section, the_day, the_day);
  if (!day.ok()) co_return day.status();
  for (const auto& row : day->rows) {
    if (row.student.id == request.student_id && !row.days.empty()) co_return row.days.front();
  }
  // Not listed: a weekend day on which nothing happened (and no override is left), so absent.
  co_return DayAttendance{};
}

}  // namespace homeroom::domain
