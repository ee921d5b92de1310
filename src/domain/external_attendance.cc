#include "domain/external_attendance.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace homeroom::domain {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Reconciliation MatchParticipants(const std::vector<ReportParticipant>& participants,
                                 const std::vector<store::MatchableStudent>& students) {
  std::map<std::string, const store::MatchableStudent*> by_email, by_username;
  std::map<std::string, std::vector<const store::MatchableStudent*>> by_name;
  for (const auto& s : students) {
    if (s.email && !s.email->empty()) by_email[Lower(*s.email)] = &s;
    by_username[Lower(s.username)] = &s;
    by_name[Lower(s.given_name + " " + s.family_name)].push_back(&s);
  }
  Reconciliation out;
  std::map<int64_t, size_t> matched_at;  // student -> out.matched
  for (const auto& p : participants) {
    const store::MatchableStudent* student = nullptr;
    std::string how;
    if (!p.email.empty()) {
      if (auto it = by_email.find(p.email); it != by_email.end()) {
        student = it->second;
        how = "email";
      } else if (auto user = by_username.find(p.email.substr(0, p.email.find('@')));
                 user != by_username.end()) {
        student = user->second;
        how = "username";
      }
    }
    if (!student && !p.name.empty()) {
      auto it = by_name.find(Lower(p.name));
      if (it != by_name.end() && it->second.size() == 1) {
        student = it->second.front();
        how = "name";
      }
    }
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
    int64_t session_id, int64_t section_id, std::string report, int64_t uploaded_by) {
  auto parsed = ParseExternalReport(report, limits_);
  if (!parsed.ok()) co_return parsed.status();
  int64_t now = clock_.NowMs();
  auto job = [session_id, section_id, uploaded_by, now,
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
      records.push_back({session_id, m.student.id, m.seconds, m.matched_by, uploaded_by, now});
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
