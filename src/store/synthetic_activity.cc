#include "store/synthetic_activity.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

#include "store/roster_writer.h"

namespace homeroom::store {
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

// The rates of the simulation (docs/operations.md, "Simulated activity"). Each is the mean; a
// school, a day at a school and a student move it a little (the *Spread constants), so that the
// analytics have differences to show.
constexpr double kAttendPreK5 = 0.90;  // a student attends a built-in session
constexpr double kAttend6To12 = 0.84;
constexpr double kOpenExternal = 0.76;      // a student opens an external session's link
constexpr double kReportedSessions = 0.60;  // external sessions whose teacher uploads the report
constexpr double kReportedOpener = 0.92;    // an opener is in that report
constexpr double kReportedOther = 0.03;     // a student who never opened the link is
constexpr double kMinutesShare = 0.85;      // of the session a present student stays (normal)
constexpr double kMinutesSd = 0.10;
constexpr double kReconnect = 0.06;    // an attendance split by a dropped socket
constexpr double kRttSample = 0.05;    // an attendance with one round-trip sample
constexpr double kSubmitPreK5 = 0.85;  // a student submits an assignment
constexpr double kSubmit6To12 = 0.80;
constexpr double kSubmitExternal = 0.74;  // in a section on the external pathway that week
constexpr double kLate = 0.10;            // a submission comes after the due time
constexpr double kGraded = 0.75;          // a submission is graded
constexpr double kSchoolSpread = 0.04;
constexpr double kSchoolDaySpread = 0.02;
constexpr double kStudentSpread = 0.08;
constexpr double kRuleShare = 0.10;  // schools (sections) of a band given a rule of their own
// Two assignments per section in every five school days, due at 23:59 local.
constexpr int64_t kDueMinuteOfDay = 23 * 60 + 59;

constexpr std::array<int64_t, 3> kPoints = {10, 20, 100};
constexpr std::array<const char*, 6> kAssignmentTitles = {
    "Reading response", "Problem set", "Quiz", "Lab notes", "Short essay", "Review questions"};
constexpr std::array<const char*, 4> kBodies = {
    "My answers are below.", "Here is my work for this assignment.",
    "Done. I had trouble with the last question.", "See my answers, thank you."};
// What the district's students use: mostly Chromebooks.
constexpr std::array<const char*, 5> kUserAgents = {
    "Mozilla/5.0 (X11; CrOS x86_64 15633.69.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; CrOS x86_64 15474.84.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/117.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 13; SM-A536U) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Mobile Safari/537.36"};

// Salts of the independent random streams, so that each decision depends on what it is about
// (a student, a session) and not on the order rows are written in.
enum Salt : uint64_t {
  kSaltSession = 1,
  kSaltSchool,
  kSaltSchoolDay,
  kSaltStudentAttend,
  kSaltStudentSubmit,
  kSaltRule,
  kSaltAssignment,
  kSaltDevice,
};

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t Hash(uint64_t seed, uint64_t salt, uint64_t a, uint64_t b = 0) {
  return Mix(Mix(Mix(seed ^ Mix(salt)) ^ a) ^ b);
}

// A small, fast generator (splitmix64) seeded per decision.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Uniform() < p; }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  double Normal(double mean, double sd) {
    double u = std::max(Uniform(), 1e-12);
    return mean + sd * std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * Uniform());
  }
  template <typename T, size_t N>
  const T& Pick(const std::array<T, N>& a) {
    return a[Next() % N];
  }

 private:
  uint64_t state_;
};

// A fixed offset in [-spread, spread] for one thing (a school, a student).
double Offset(uint64_t seed, uint64_t salt, uint64_t a, uint64_t b, double spread) {
  double u = static_cast<double>(Hash(seed, salt, a, b) >> 11) * 0x1.0p-53;
  return (2.0 * u - 1.0) * spread;
}

double Clamp(double p) { return std::clamp(p, 0.02, 0.995); }

enum class Band { kNone, kPreK5, k6To12 };

// domain::SectionBand: the lowest grade, else the highest; prek-5 up to grade 5.
Band BandOf(const Section& s) {
  std::optional<int> g = s.low_grade ? s.low_grade : s.high_grade;
  if (!g) return Band::kNone;
  return *g <= 5 ? Band::kPreK5 : Band::k6To12;
}

const char* BandName(Band b) { return b == Band::kPreK5 ? "prek-5" : "6-12"; }

struct SimSection {
  Section section;
  Band band = Band::kNone;
  int64_t teacher_id = 0;
  size_t first_student = 0;  // into Simulation::students_
  size_t students = 0;
  int start_minute = 0;  // local minutes of the day
};

// The local start: the section's period (1..7 -> 08:00..14:00); sections of period 1 that are
// not homerooms in pre-K-5 (elementary specials: art, music, PE share period 1 in the export) are
// spread over the day by course, so that a class's homeroom and specials do not overlap.
int StartMinute(const Section& s, Band band) {
  int period = 0;
  for (char c : s.periods) {
    if (c < '0' || c > '9') break;
    period = period * 10 + (c - '0');
    if (period > 100) break;
  }
  int slot = std::clamp(period, 1, 7) - 1;
  if (slot == 0 && band == Band::kPreK5 && s.class_type != "homeroom") {
    slot = 1 + static_cast<int>(s.course_id % 6);
  }
  return 8 * 60 + slot * 60 + static_cast<int>(s.id % 3) * 5;
}

// A stable address per user in 127.0.0.0/8 (loopback: never a real client's).
std::string IpOf(int64_t user_id) {
  auto u = static_cast<uint64_t>(user_id);
  return fmt::format("127.{}.{}.{}", (u / 65024) % 256, (u / 254) % 256, 1 + u % 254);
}

class Simulation {
 public:
  Simulation(sql::Connection& conn, const SyntheticActivityOptions& options)
      : conn_(conn), o_(options) {}

  Result<SyntheticActivitySummary> Run() {
    HR_RETURN_IF_ERROR(LoadSections());
    HR_RETURN_IF_ERROR(CheckRange());
    HR_RETURN_IF_ERROR(AddRules());
    HR_RETURN_IF_ERROR(DecidePathways());
    HR_RETURN_IF_ERROR(Prepare());
    for (size_t d = 0; d < o_.days.size(); ++d) {
      for (size_t i = 0; i < sections_.size(); ++i) HR_RETURN_IF_ERROR(SimulateDay(i, d));
    }
    return sum_;
  }

 private:
  Status LoadSections() {
    HR_ASSIGN_OR_RETURN(auto* st,
                        conn_.Prepare("SELECT id, sourced_id, title, school_id, course_id,"
                                      " class_type, periods, low_grade, high_grade"
                                      " FROM sections WHERE active = 1 ORDER BY id"));
    std::vector<Section> all;
    while (true) {
      HR_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      Section s;
      s.id = st->Int(0);
      s.sourced_id = st->Text(1);
      s.title = st->Text(2);
      s.school_id = st->Int(3);
      s.course_id = st->Int(4);
      s.class_type = st->Text(5);
      s.periods = st->OptText(6).value_or("");
      if (auto v = st->OptInt(7)) s.low_grade = static_cast<int>(*v);
      if (auto v = st->OptInt(8)) s.high_grade = static_cast<int>(*v);
      all.push_back(std::move(s));
    }
    st->Reset();
    if (all.empty()) {
      return Status::NotFound("the store has no active section: import a roster first");
    }
    // The section's active people: students, and its primary teacher (else any teacher).
    HR_ASSIGN_OR_RETURN(auto* people,
                        conn_.Prepare("SELECT e.user_id, e.role, e.is_primary FROM enrollments e"
                                      " JOIN users u ON u.id = e.user_id"
                                      " WHERE e.section_id = ? AND e.active = 1 AND u.active = 1"
                                      " ORDER BY e.id"));
    for (Section& s : all) {
      people->Reset();
      people->Bind(1, s.id);
      SimSection sim;
      sim.first_student = students_.size();
      int64_t any_teacher = 0;
      while (true) {
        HR_ASSIGN_OR_RETURN(bool row, people->Step());
        if (!row) break;
        std::string role = people->Text(1);
        if (role == "student") {
          students_.push_back(people->Int(0));
        } else if (role == "teacher") {
          if (people->Int(2) != 0 && sim.teacher_id == 0) sim.teacher_id = people->Int(0);
          if (any_teacher == 0) any_teacher = people->Int(0);
        }
      }
      people->Reset();
      if (sim.teacher_id == 0) sim.teacher_id = any_teacher;
      sim.students = students_.size() - sim.first_student;
      if (sim.students == 0 || sim.teacher_id == 0) {
        students_.resize(sim.first_student);
        continue;
      }
      sim.band = BandOf(s);
      sim.start_minute = StartMinute(s, sim.band);
      sim.section = std::move(s);
      sections_.push_back(std::move(sim));
    }
    if (sections_.empty()) {
      return Status::NotFound("the store has no active section with a teacher and students");
    }
    return Status::Ok();
  }

  Status CheckRange() {
    HR_ASSIGN_OR_RETURN(auto* st, conn_.Prepare("SELECT id, starts_ms FROM live_sessions"
                                                " WHERE starts_ms >= ? AND starts_ms < ? LIMIT 1"));
    st->Bind(1, o_.days.front().midnight_ms);
    st->Bind(2, o_.days.back().midnight_ms + kDay);
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    int64_t id = row ? st->Int(0) : 0;
    st->Reset();
    if (row) {
      return Status::Conflict(fmt::format(
          "live session {} already starts between {} and {}: the days have activity, nothing "
          "was written",
          id, o_.days.front().date, o_.days.back().date));
    }
    return Status::Ok();
  }

  // The district rule for the external band, and a school rule for about one school in ten of
  // each band (back to built-in in the external band, to external in the other), so that every
  // band has both pathways to compare. A band taught in one school only gets section rules for
  // one section in ten instead (small districts: tests, demos).
  Status AddRules() {
    if (o_.external_grade_band.empty()) return Status::Ok();
    const Band external = o_.external_grade_band == "prek-5" ? Band::kPreK5 : Band::k6To12;
    HR_ASSIGN_OR_RETURN(auto* admin, conn_.Prepare("SELECT id FROM users WHERE role ="
                                                   " 'district_admin' AND active = 1"
                                                   " ORDER BY id LIMIT 1"));
    HR_ASSIGN_OR_RETURN(bool row, admin->Step());
    int64_t admin_id = row ? admin->Int(0) : 0;
    admin->Reset();
    if (!row) {
      return Status::NotFound(
          "the roster has no active district administrator to own the "
          "pathway rule");
    }
    PathwayRuleRecord district{.scope = "district",
                               .grade_band = std::string(BandName(external)),
                               .pathway = "external",
                               .effective_from = o_.days.front().date,
                               .created_by = admin_id,
                               .created_ms = o_.now_ms};
    std::vector<PathwayRuleRecord> added = {district};
    for (Band band : {Band::kPreK5, Band::k6To12}) {
      // The schools (or, in a district with one school of the band, the sections) of this band,
      // each with its draw; the first tenth by draw get the rule.
      std::vector<std::pair<uint64_t, int64_t>> schools, sections;
      for (const SimSection& s : sections_) {
        if (s.band != band) continue;
        auto draw = [&](uint64_t what, int64_t id) {
          return Hash(o_.seed, kSaltRule, what, static_cast<uint64_t>(id));
        };
        schools.emplace_back(draw(static_cast<uint64_t>(band), s.section.school_id),
                             s.section.school_id);
        sections.emplace_back(draw(10 + static_cast<uint64_t>(band), s.section.id), s.section.id);
      }
      std::sort(schools.begin(), schools.end());
      schools.erase(std::unique(schools.begin(), schools.end()), schools.end());
      std::sort(sections.begin(), sections.end());
      const bool by_school = schools.size() >= 2;
      const auto& pool = by_school ? schools : sections;
      if (pool.size() < 2) continue;  // one section: the band keeps one pathway
      size_t n = std::max<size_t>(
          1, static_cast<size_t>(std::lround(kRuleShare * static_cast<double>(pool.size()))));
      for (size_t i = 0; i < n; ++i) {
        PathwayRuleRecord rule{.scope = by_school ? "school" : "section",
                               .scope_id = pool[i].second,
                               .grade_band = std::string(BandName(band)),
                               .pathway = band == external ? "built_in" : "external",
                               .effective_from = o_.days.front().date,
                               .created_by = admin_id,
                               .created_ms = o_.now_ms};
        if (!by_school) rule.grade_band.reset();  // a section's rule is for the section
        added.push_back(rule);
      }
    }
    if (!o_.rules_end.empty()) {
      for (size_t i = 0, n = added.size(); i < n; ++i) {
        PathwayRuleRecord end = added[i];
        end.pathway = "built_in";
        end.effective_from = o_.rules_end;
        added.push_back(std::move(end));
      }
    }
    for (const PathwayRuleRecord& rule : added) {
      HR_RETURN_IF_ERROR(pathway_store::InsertRule(conn_, rule).status());
      ++sum_.pathway_rules;
    }
    return Status::Ok();
  }

  // Each section's pathway on each day, by the rules in force (the caller's is_external), and a
  // meeting link for every section that meets externally at all.
  Status DecidePathways() {
    HR_ASSIGN_OR_RETURN(auto rules, pathway_store::ListRules(conn_));
    external_.assign(sections_.size() * o_.days.size(), 0);
    HR_ASSIGN_OR_RETURN(auto* link, conn_.Prepare("INSERT INTO section_meeting_links (section_id,"
                                                  " url, updated_by, updated_ms) VALUES (?, ?, ?,"
                                                  " ?) ON CONFLICT (section_id) DO NOTHING"));
    for (size_t i = 0; i < sections_.size(); ++i) {
      bool any = false;
      for (size_t d = 0; d < o_.days.size(); ++d) {
        bool ext = o_.is_external(rules, sections_[i].section, o_.days[d].date);
        external_[i * o_.days.size() + d] = ext ? 1 : 0;
        any = any || ext;
      }
      if (!any) continue;
      link->Reset();
      link->Bind(1, sections_[i].section.id);
      link->Bind(2, "https://meet.example.org/" + sections_[i].section.sourced_id);
      link->Bind(3, sections_[i].teacher_id);
      link->Bind(4, o_.now_ms);
      HR_RETURN_IF_ERROR(link->Run());
      sum_.meeting_links += conn_.Changes();
    }
    link->Reset();
    return Status::Ok();
  }

  Status Prepare() {
    HR_ASSIGN_OR_RETURN(session_, conn_.Prepare("INSERT INTO live_sessions (section_id, title,"
                                                " starts_ms, ends_ms, status, waiting_room,"
                                                " started_ms, ended_ms, created_by, created_ms,"
                                                " updated_ms) VALUES (?, ?, ?, ?, 'ended', 0, ?,"
                                                " ?, ?, ?, ?) RETURNING id"));
    HR_ASSIGN_OR_RETURN(interval_, conn_.Prepare("INSERT INTO attendance_intervals (session_id,"
                                                 " user_id, joined_ms, left_ms, last_seen_ms)"
                                                 " VALUES (?, ?, ?, ?, ?)"));
    HR_ASSIGN_OR_RETURN(event_, conn_.Prepare("INSERT INTO client_events (user_id, kind, at_ms,"
                                              " received_ms, ip, user_agent, page, detail)"
                                              " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    HR_ASSIGN_OR_RETURN(open_, conn_.Prepare("INSERT INTO external_opens (session_id, user_id,"
                                             " first_ms, last_ms, opens) VALUES (?, ?, ?, ?, ?)"));
    HR_ASSIGN_OR_RETURN(report_, conn_.Prepare("INSERT INTO external_attendance (session_id,"
                                               " user_id, seconds, matched_by, uploaded_by,"
                                               " uploaded_ms) VALUES (?, ?, ?, 'email', ?, ?)"));
    HR_ASSIGN_OR_RETURN(assignment_, conn_.Prepare("INSERT INTO assignments (section_id, title,"
                                                   " instructions, due_ms, points, created_by,"
                                                   " created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)"
                                                   " RETURNING id"));
    HR_ASSIGN_OR_RETURN(submission_,
                        conn_.Prepare("INSERT INTO submissions (assignment_id, student_id, body,"
                                      " submitted_ms, late, score_centi, comment, graded_by,"
                                      " graded_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    HR_ASSIGN_OR_RETURN(submission_event_,
                        conn_.Prepare("INSERT INTO submission_events (assignment_id, student_id,"
                                      " submitted_ms) VALUES (?, ?, ?)"));
    return Status::Ok();
  }

  static Result<int64_t> InsertReturningId(sql::Statement* st) {
    HR_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return Status::Internal("INSERT ... RETURNING id returned no row");
    int64_t id = st->Int(0);
    st->Reset();
    return id;
  }

  Status Interval(int64_t session, int64_t user, int64_t joined, int64_t left) {
    interval_->Reset();
    interval_->Bind(1, session);
    interval_->Bind(2, user);
    interval_->Bind(3, joined);
    interval_->Bind(4, left);
    interval_->Bind(5, left);
    ++sum_.attendance_intervals;
    return interval_->Run();
  }

  Status Event(int64_t user, const char* kind, int64_t at, int64_t received, int64_t session,
               const std::string& detail) {
    event_->Reset();
    event_->Bind(1, user);
    event_->Bind(2, kind);
    event_->Bind(3, at);
    event_->Bind(4, received);
    event_->Bind(5, IpOf(user));
    Rng device(Hash(o_.seed, kSaltDevice, static_cast<uint64_t>(user)));
    event_->Bind(6, device.Pick(kUserAgents));
    event_->Bind(7, fmt::format("/room/{}", session));
    event_->Bind(8, detail);
    ++sum_.client_events;
    return event_->Run();
  }

  // The chance a student does something: the mean, moved by the school, the day at the school
  // and the student.
  double Rate(double mean, const SimSection& s, size_t day, int64_t student, Salt salt) const {
    auto school = static_cast<uint64_t>(s.section.school_id);
    auto date = static_cast<uint64_t>(o_.days[day].day_number);
    double p = mean + Offset(o_.seed, kSaltSchool, school, 0, kSchoolSpread) +
               Offset(o_.seed, kSaltSchoolDay, school, date, kSchoolDaySpread) +
               Offset(o_.seed, salt, static_cast<uint64_t>(student), 0, kStudentSpread);
    return Clamp(p);
  }

  Status SimulateDay(size_t index, size_t day) {
    const SimSection& s = sections_[index];
    const SyntheticDay& d = o_.days[day];
    const bool external = external_[index * o_.days.size() + day] != 0;
    Rng rng(Hash(o_.seed, kSaltSession, static_cast<uint64_t>(s.section.id),
                 static_cast<uint64_t>(d.day_number)));
    const int64_t starts = d.midnight_ms + s.start_minute * kMinute;
    const int64_t ends = starts + rng.Between(30, 50) * kMinute;
    const int64_t started = starts + rng.Between(0, 90) * kSecond;
    const int64_t ended = ends + rng.Between(0, 60) * kSecond;

    session_->Reset();
    session_->Bind(1, s.section.id);
    session_->Bind(2, s.section.title);
    session_->Bind(3, starts);
    session_->Bind(4, ends);
    session_->Bind(5, started);
    session_->Bind(6, ended);
    session_->Bind(7, s.teacher_id);
    session_->Bind(8, starts - 3 * kDay);
    session_->Bind(9, ended);
    HR_ASSIGN_OR_RETURN(int64_t session, InsertReturningId(session_));
    ++sum_.live_sessions;
    if (day == 0) ++sum_.sections;

    const int64_t* students = students_.data() + s.first_student;
    if (external) {
      ++sum_.external_sessions;
      HR_RETURN_IF_ERROR(External(s, day, session, starts, ends, ended, students, rng));
    } else {
      HR_RETURN_IF_ERROR(BuiltIn(s, day, session, started, ended, students, rng));
    }
    // Two assignments in every five school days, rotating by section (Monday = 0).
    int64_t weekday = ((d.day_number + 3) % 7 + 7) % 7;
    int64_t turn = (weekday + s.section.id) % 5;
    if (turn == 1 || turn == 3) {
      HR_RETURN_IF_ERROR(Assignment(s, day, external, students));
    }
    return Status::Ok();
  }

  Status BuiltIn(const SimSection& s, size_t day, int64_t session, int64_t started, int64_t ended,
                 const int64_t* students, Rng& rng) {
    HR_RETURN_IF_ERROR(Interval(session, s.teacher_id, started, ended));
    const double mean = s.band == Band::kPreK5 ? kAttendPreK5 : kAttend6To12;
    for (size_t k = 0; k < s.students; ++k) {
      const int64_t student = students[k];
      if (!rng.Chance(Rate(mean, s, day, student, kSaltStudentAttend))) continue;
      double r = rng.Uniform();
      int64_t delay = r < 0.70   ? rng.Between(0, 120)
                      : r < 0.95 ? rng.Between(120, 600)
                                 : rng.Between(600, 1200);
      int64_t joined = started + delay * kSecond;
      double share = std::clamp(rng.Normal(kMinutesShare, kMinutesSd), 0.15, 1.0);
      auto stay = static_cast<int64_t>(share * static_cast<double>(ended - started));
      int64_t left = std::min(ended, joined + std::max(stay, kMinute));
      if (rng.Chance(kReconnect) && left - joined > 4 * kMinute) {
        int64_t cut =
            joined +
            static_cast<int64_t>(rng.Uniform() * 0.6 * static_cast<double>(left - joined)) +
            (left - joined) / 5;
        int64_t back = cut + rng.Between(5, 90) * kSecond;
        back = std::min(back, left - 30 * kSecond);
        HR_RETURN_IF_ERROR(Interval(session, student, joined, cut));
        HR_RETURN_IF_ERROR(Interval(session, student, back, left));
        // The client reports the drop once it is back.
        std::string detail = fmt::format(
            R"({{"code":1006,"reason":"","connected_ms":{},"clean":false}})", cut - joined);
        HR_RETURN_IF_ERROR(
            Event(student, "ws_disconnect", cut, back + rng.Between(100, 2000), session, detail));
      } else {
        HR_RETURN_IF_ERROR(Interval(session, student, joined, left));
      }
      if (rng.Chance(kRttSample)) {
        int64_t at = joined + static_cast<int64_t>(
                                  rng.Uniform() * static_cast<double>(left - joined - 5 * kSecond));
        auto ms = static_cast<int64_t>(std::clamp(std::exp(rng.Normal(4.4, 0.6)), 5.0, 3000.0));
        HR_RETURN_IF_ERROR(Event(student, "rtt", at, at + rng.Between(50, 1500), session,
                                 fmt::format(R"({{"ms":{}}})", ms)));
      }
    }
    return Status::Ok();
  }

  Status External(const SimSection& s, size_t day, int64_t session, int64_t starts, int64_t ends,
                  int64_t ended, const int64_t* students, Rng& rng) {
    const int64_t uploaded = ended + rng.Between(60, 360) * kMinute;
    const bool reported = rng.Chance(kReportedSessions) && uploaded <= o_.now_ms;
    for (size_t k = 0; k < s.students; ++k) {
      const int64_t student = students[k];
      const bool opened = rng.Chance(Rate(kOpenExternal, s, day, student, kSaltStudentAttend));
      if (opened) {
        int64_t first = starts + rng.Between(-180, 480) * kSecond;
        int64_t opens = 1 + (rng.Chance(0.2) ? 1 : 0) + (rng.Chance(0.05) ? 1 : 0);
        int64_t last = opens > 1 ? std::min(ends, first + rng.Between(2, 25) * kMinute) : first;
        open_->Reset();
        open_->Bind(1, session);
        open_->Bind(2, student);
        open_->Bind(3, first);
        open_->Bind(4, last);
        open_->Bind(5, opens);
        HR_RETURN_IF_ERROR(open_->Run());
        ++sum_.external_opens;
      }
      if (!reported || !rng.Chance(opened ? kReportedOpener : kReportedOther)) continue;
      double share = std::clamp(rng.Normal(0.80, 0.15), 0.05, 1.0);
      auto seconds = static_cast<int64_t>(share * static_cast<double>(ends - starts) / kSecond);
      report_->Reset();
      report_->Bind(1, session);
      report_->Bind(2, student);
      report_->Bind(3, seconds);
      report_->Bind(4, s.teacher_id);
      report_->Bind(5, uploaded);
      HR_RETURN_IF_ERROR(report_->Run());
      ++sum_.external_attendance;
    }
    return Status::Ok();
  }

  Status Assignment(const SimSection& s, size_t day, bool external, const int64_t* students) {
    const SyntheticDay& d = o_.days[day];
    Rng rng(Hash(o_.seed, kSaltAssignment, static_cast<uint64_t>(s.section.id),
                 static_cast<uint64_t>(d.day_number)));
    const int64_t due = d.midnight_ms + kDueMinuteOfDay * kMinute;
    const int64_t points = rng.Pick(kPoints);
    const std::string title = fmt::format("{} ({})", rng.Pick(kAssignmentTitles), d.date);
    assignment_->Reset();
    assignment_->Bind(1, s.section.id);
    assignment_->Bind(2, title);
    assignment_->Bind(3, "Finish the work from class and submit it by the due time.");
    assignment_->Bind(4, due);
    assignment_->Bind(5, points);
    assignment_->Bind(6, s.teacher_id);
    assignment_->Bind(7, std::min(o_.now_ms, due - rng.Between(2, 5) * kDay));
    HR_ASSIGN_OR_RETURN(int64_t assignment, InsertReturningId(assignment_));
    ++sum_.assignments;

    const double mean = external                 ? kSubmitExternal
                        : s.band == Band::kPreK5 ? kSubmitPreK5
                                                 : kSubmit6To12;
    for (size_t k = 0; k < s.students; ++k) {
      const int64_t student = students[k];
      if (!rng.Chance(Rate(mean, s, day, student, kSaltStudentSubmit))) continue;
      const bool late = rng.Chance(kLate);
      const int64_t submitted =
          late ? due + rng.Between(1, 12 * 60) * kMinute : due - rng.Between(1, 30 * 60) * kMinute;
      if (submitted > o_.now_ms) continue;  // not yet
      std::optional<int64_t> score, graded;
      std::optional<std::string> comment;
      if (rng.Chance(kGraded)) {
        int64_t at = std::max(submitted, due) + rng.Between(60, 48 * 60) * kMinute;
        if (at <= o_.now_ms) {
          graded = at;
          double share = std::clamp(rng.Normal(late ? 0.74 : 0.83, 0.13), 0.0, 1.0);
          // Half points at most: hundredths of a point, in steps of 50.
          score = std::lround(share * static_cast<double>(points) * 2.0) * 50;
          if (rng.Chance(0.2)) comment = share >= 0.8 ? "Good work." : "See my notes.";
        }
      }
      submission_->Reset();
      submission_->Bind(1, assignment);
      submission_->Bind(2, student);
      submission_->Bind(3, rng.Pick(kBodies));
      submission_->Bind(4, submitted);
      submission_->Bind(5, submitted > due);
      submission_->Bind(6, score);
      submission_->Bind(7, comment);
      if (graded) {
        submission_->Bind(8, s.teacher_id);
        submission_->Bind(9, *graded);
      } else {
        submission_->BindNull(8);
        submission_->BindNull(9);
      }
      HR_RETURN_IF_ERROR(submission_->Run());
      ++sum_.submissions;
      submission_event_->Reset();
      submission_event_->Bind(1, assignment);
      submission_event_->Bind(2, student);
      submission_event_->Bind(3, submitted);
      HR_RETURN_IF_ERROR(submission_event_->Run());
      ++sum_.submission_events;
    }
    return Status::Ok();
  }

  sql::Connection& conn_;
  const SyntheticActivityOptions& o_;
  std::vector<SimSection> sections_;
  std::vector<int64_t> students_;  // the sections' students, each section's in one run
  std::vector<uint8_t> external_;  // [section * days + day]: 1 when it meets externally
  SyntheticActivitySummary sum_;
  sql::Statement* session_ = nullptr;
  sql::Statement* interval_ = nullptr;
  sql::Statement* event_ = nullptr;
  sql::Statement* open_ = nullptr;
  sql::Statement* report_ = nullptr;
  sql::Statement* assignment_ = nullptr;
  sql::Statement* submission_ = nullptr;
  sql::Statement* submission_event_ = nullptr;
};

Status CheckOptions(const SyntheticActivityOptions& o) {
  if (o.days.empty()) return Status::InvalidArgument("no school days to simulate");
  for (size_t i = 1; i < o.days.size(); ++i) {
    if (o.days[i].midnight_ms <= o.days[i - 1].midnight_ms ||
        o.days[i].day_number <= o.days[i - 1].day_number) {
      return Status::InvalidArgument("the simulated days must be ascending and distinct");
    }
  }
  const std::string& band = o.external_grade_band;
  if (!band.empty() && band != "prek-5" && band != "6-12") {
    return Status::InvalidArgument("external grade band must be \"prek-5\", \"6-12\" or empty");
  }
  if (!o.rules_end.empty() && o.rules_end <= o.days.back().date) {
    return Status::InvalidArgument("the rules' end must come after the last simulated day");
  }
  if (!o.is_external) return Status::InvalidArgument("no pathway decision (is_external)");
  return Status::Ok();
}

}  // namespace

std::string SyntheticActivitySummary::ToString() const {
  return fmt::format(
      "sections={} live_sessions={} (external {}) attendance_intervals={} client_events={} "
      "external_opens={} external_attendance={} assignments={} submissions={} "
      "submission_events={} pathway_rules={} section_meeting_links={}",
      sections, live_sessions, external_sessions, attendance_intervals, client_events,
      external_opens, external_attendance, assignments, submissions, submission_events,
      pathway_rules, meeting_links);
}

Result<SyntheticActivitySummary> WriteSyntheticActivity(sql::Connection& conn,
                                                        const SyntheticActivityOptions& options) {
  HR_RETURN_IF_ERROR(CheckOptions(options));
  RosterWriter cache(conn);
  HR_ASSIGN_OR_RETURN(int64_t previous_cache,
                      cache.SetPageCacheKiB(static_cast<int64_t>(options.cache_bytes >> 10)));
  HR_RETURN_IF_ERROR(conn.Begin());
  Result<SyntheticActivitySummary> result = Simulation(conn, options).Run();
  Status done = result.ok() ? conn.Commit() : result.status();
  if (!done.ok()) {
    (void)conn.Rollback();
    result = done;
  }
  (void)cache.RestorePageCache(previous_cache);
  return result;
}

}  // namespace homeroom::store
