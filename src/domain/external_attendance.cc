#include "domain/external_attendance.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace homeroom::domain {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Reconciliation MatchParticipants(const std::vector<ReportParticipant>& participants,
                                 const std::vector<store::MatchableStudent>& students) {
  // Each key with every student it names: a key naming two students matches neither.
  std::map<std::string, std::vector<const store::MatchableStudent*>> by_email, by_username, by_name;
  std::set<std::string> domains;  // of the students' emails: the district's own
  for (const auto& s : students) {
    if (s.email && !s.email->empty()) {
      std::string email = Lower(*s.email);
      by_email[email].push_back(&s);
      if (size_t at = email.find('@'); at != std::string::npos) domains.insert(email.substr(at));
    }
    by_username[Lower(s.username)].push_back(&s);
    by_name[Lower(s.given_name + " " + s.family_name)].push_back(&s);
  }
  auto only = [](const auto& index, const std::string& key) -> const store::MatchableStudent* {
    auto it = index.find(key);
    return it != index.end() && it->second.size() == 1 ? it->second.front() : nullptr;
  };
  Reconciliation out;
  std::map<int64_t, size_t> matched_at;  // student -> out.matched
  for (const auto& p : participants) {
    const store::MatchableStudent* student = nullptr;
    std::string how;
    if (!p.email.empty()) {
      size_t at = p.email.find('@');
      // A username only from an address of the district's own domains (when the roster has any
      // emails): jsmith@gmail.com is not the student jsmith.
      bool district_address =
          domains.empty() || (at != std::string::npos && domains.count(p.email.substr(at)));
      if ((student = only(by_email, p.email))) {
        how = "email";
      } else if (district_address && (student = only(by_username, p.email.substr(0, at)))) {
        how = "username";
      }
    }
    if (!student && !p.name.empty() && (student = only(by_name, Lower(p.name)))) how = "name";
    if (!student) {
      out.unmatched.push_back(p);
      continue;
    }
    auto [at, inserted] = matched_at.try_emplace(student->id, out.matched.size());
    if (inserted) out.matched.push_back({*student, 0, how});
    out.matched[at->second].seconds += p.seconds;
  }
  return out;
}

boost::asio::awaitable<Result<Reconciliation>> ExternalAttendanceService::Reconcile(
    store::LiveSessionRecord session, std::string report, int64_t uploaded_by) {
  int64_t now = clock_.NowMs();
  if (session.status == "cancelled") {
    co_return Status::Conflict("the session was cancelled: it has no attendance");
  }
  if (!session.started_ms && session.starts_ms > now) {
    co_return Status::Conflict("the session has not begun: upload its report after the class");
  }
  auto parsed = ParseExternalReport(report, limits_);
  if (!parsed.ok()) co_return parsed.status();
  const int64_t session_id = session.id, section_id = session.section_id;
  const int64_t max_seconds = std::max<int64_t>(0, (session.ends_ms - session.starts_ms) / 1000);
  auto job = [session_id, section_id, uploaded_by, now, max_seconds,
              participants = std::move(parsed->participants),
              rows = parsed->rows](sql::Connection& c) -> Result<Reconciliation> {
    HR_ASSIGN_OR_RETURN(auto students,
                        store::external_attendance_store::SectionStudents(c, section_id));
    Reconciliation r = MatchParticipants(participants, students);
    r.rows = rows;
    if (r.matched.empty()) {
      return Status::InvalidArgument(
          "nobody in the report is a student of this section (matched by email, username or "
          "full name); nothing was changed");
    }
    std::vector<store::ExternalAttendanceRecord> records;
    for (const auto& m : r.matched) {
      records.push_back({session_id, m.student.id, std::min(m.seconds, max_seconds), m.matched_by,
                         uploaded_by, now});
    }
    HR_RETURN_IF_ERROR(store::external_attendance_store::Replace(c, session_id, records));
    return r;
  };
  co_return co_await db_.Write(std::move(job));
}

boost::asio::awaitable<Result<std::vector<store::ExternalAttendanceRecord>>>
ExternalAttendanceService::ForSession(int64_t session_id) {
  auto job = [session_id](sql::Connection& c) {
    return store::external_attendance_store::ForSession(c, session_id);
  };
  co_return co_await db_.Read(std::move(job));
}

}  // namespace homeroom::domain
