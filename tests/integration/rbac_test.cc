// The authorization table: every route x role x relationship (own / other), asserting allow or
// deny against the real server. A route with no row here fails the test, so a new route cannot
// ship without its authorization decided and tested.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/beast/http/verb.hpp>
#include <set>

#include "core/clock.h"
#include "http/router.h"
#include "integration/test_server.h"

namespace homeroom::testing {
namespace {

namespace bhttp = boost::beast::http;

struct Row {
  const char* method;
  const char* pattern;   // the route as registered
  const char* who;       // a fixture username, or "anonymous"
  const char* relation;  // "own" or "other": which resource the target is, relative to `who`
  std::string target;    // the concrete request target
  std::string body;      // JSON body for POST routes
  int expected;
  const char* content_type = nullptr;  // sent instead of application/json (uploads)
};

// One row per fixture role (student_a, guardian_a, teacher_a, admin_a, district: `expected` in that
// order) on one target, then anonymous (401).
void EachRole(std::vector<Row>& rows, const char* method, const char* pattern, const char* relation,
              const std::string& target, const std::string& body,
              const std::vector<int>& expected) {
  const char* roles[] = {"student_a", "guardian_a", "teacher_a", "admin_a", "district"};
  for (size_t i = 0; i < 5; ++i) {
    rows.push_back({method, pattern, roles[i], relation, target, body, expected[i]});
  }
  rows.push_back({method, pattern, "anonymous", relation, target, body, 401});
}

// Live sessions (rows run in order against one fresh server, so session ids are known): 1, 2, 3
// are section 10's (created by teacher_a, admin_a, district), 4 is section 20's; then 5, 6, 7 and 8
// the same way, for the cancel rows. Start, end and cancel rows give each allowed caller its own
// session, so that each row is allowed by the policy and by the session's state.
void AddLiveSessionRows(std::vector<Row>& rows) {
  const char* roles[] = {"student_a", "guardian_a", "teacher_a", "admin_a", "district"};
  int64_t now = SystemClock::Instance().NowMs();
  std::string one_off =
      fmt::format(R"({{"title":"Live","starts_at":"{}","ends_at":"{}"}})",
                  FormatIsoUtc(now + 10 * 60'000), FormatIsoUtc(now + 55 * 60'000));
  auto row = [&](const char* method, const char* pattern, const char* who, const char* relation,
                 const std::string& target, const std::string& body, int expected) {
    rows.push_back({method, pattern, who, relation, target, body, expected});
  };
  // Every role on one target, then anonymous.
  auto each = [&](const char* method, const char* pattern, const char* relation,
                  const std::string& target, const std::string& body, std::vector<int> expected) {
    for (size_t i = 0; i < 5; ++i)
      row(method, pattern, roles[i], relation, target, body, expected[i]);
    row(method, pattern, "anonymous", relation, target, body, 401);
  };
  // Students and guardians refused on `own`, then each manager on its own session.
  auto managers = [&](const char* pattern, const char* suffix, int first_own, int other) {
    std::string own = fmt::format("/api/v1/live-sessions/{}{}", first_own, suffix);
    row("POST", pattern, "student_a", "own", own, "", 403);
    row("POST", pattern, "guardian_a", "own", own, "", 403);
    row("POST", pattern, "anonymous", "own", own, "", 401);
    for (int i = 0; i < 3; ++i) {
      row("POST", pattern, roles[2 + i], "own",
          fmt::format("/api/v1/live-sessions/{}{}", first_own + i, suffix), "", 200);
    }
    std::string theirs = fmt::format("/api/v1/live-sessions/{}{}", other, suffix);
    for (int i = 0; i < 4; ++i) row("POST", pattern, roles[i], "other", theirs, "", 403);
    row("POST", pattern, "district", "other", theirs, "", 200);
  };
  const char* create = "/api/v1/sections/{id}/live-sessions";
  for (int round = 0; round < 2; ++round) {
    each("POST", create, "own", "/api/v1/sections/10/live-sessions", one_off,
         {403, 403, 201, 201, 201});
    each("POST", create, "other", "/api/v1/sections/20/live-sessions", one_off,
         {403, 403, 403, 403, 201});
  }
  each("GET", create, "own", "/api/v1/sections/10/live-sessions", "", {200, 200, 200, 200, 200});
  each("GET", create, "other", "/api/v1/sections/20/live-sessions", "", {403, 403, 403, 403, 200});
  each("GET", "/api/v1/me/live-sessions", "own", "/api/v1/me/live-sessions", "",
       {200, 200, 200, 200, 200});
  const char* one = "/api/v1/live-sessions/{id}";
  each("GET", one, "own", "/api/v1/live-sessions/1", "", {200, 200, 200, 200, 200});
  each("GET", one, "other", "/api/v1/live-sessions/4", "", {403, 403, 403, 403, 200});
  each("PATCH", one, "own", "/api/v1/live-sessions/1", R"({"title":"Renamed"})",
       {403, 403, 200, 200, 200});
  each("PATCH", one, "other", "/api/v1/live-sessions/4", R"({"title":"Renamed"})",
       {403, 403, 403, 403, 200});
  managers("/api/v1/live-sessions/{id}/start", "/start", 1, 4);
  const char* attendance[] = {"/api/v1/live-sessions/{id}/attendance",
                              "/api/v1/live-sessions/{id}/attendance.csv"};
  const char* suffixes[] = {"/attendance", "/attendance.csv"};
  for (int k = 0; k < 2; ++k) {
    each("GET", attendance[k], "own", std::string("/api/v1/live-sessions/1") + suffixes[k], "",
         {403, 403, 200, 200, 200});
    each("GET", attendance[k], "other", std::string("/api/v1/live-sessions/4") + suffixes[k], "",
         {403, 403, 403, 403, 200});
  }
  managers("/api/v1/live-sessions/{id}/end", "/end", 1, 4);
  managers("/api/v1/live-sessions/{id}/cancel", "/cancel", 5, 8);
}

// The guard's operator endpoints: the status for every admin (a school admin's without addresses:
// GuardSentinel tests), the rules and changes for district admins only (they name addresses from
// every school). POST rows come before the DELETE rows that remove the rule.
void AddGuardRows(std::vector<Row>& rows) {
  const char* roles[] = {"student_a", "guardian_a", "teacher_a", "admin_a", "district"};
  auto each = [&](const char* method, const char* pattern, const std::string& target,
                  const std::string& body, int allowed) {
    for (size_t i = 0; i < 5; ++i) {
      rows.push_back({method, pattern, roles[i], "own", target, body, i == 4 ? allowed : 403});
    }
    rows.push_back({method, pattern, "anonymous", "own", target, body, 401});
  };
  for (const char* who : {"student_a", "guardian_a", "teacher_a"}) {
    rows.push_back({"GET", "/api/v1/admin/status", who, "own", "/api/v1/admin/status", "", 403});
  }
  for (const char* who : {"admin_a", "district"}) {
    rows.push_back({"GET", "/api/v1/admin/status", who, "own", "/api/v1/admin/status", "", 200});
  }
  rows.push_back(
      {"GET", "/api/v1/admin/status", "anonymous", "own", "/api/v1/admin/status", "", 401});
  each("POST", "/api/v1/admin/blocks", "/api/v1/admin/blocks",
       R"({"cidr":"198.51.100.0/24","reason":"rbac row"})", 201);
  each("GET", "/api/v1/admin/blocks", "/api/v1/admin/blocks", "", 200);
  each("DELETE", "/api/v1/admin/blocks", "/api/v1/admin/blocks?cidr=198.51.100.0%2F24", "", 200);
  each("PUT", "/api/v1/admin/attack-mode", "/api/v1/admin/attack-mode", R"({"mode":"auto"})", 200);
}

// Alternate pathways (docs/api.md, "Pathways"). Rules get ids 1.. in the order the POST rows
// create them; the DELETE rows below rely on it. Every rule is built_in, so no section's Join
// changes and open-external answers 409 to everyone the policy lets through.
void AddPathwayRows(std::vector<Row>& rows) {
  auto each = [&](const char* method, const char* pattern, const char* relation,
                  const std::string& target, const std::string& body, std::vector<int> expected) {
    EachRole(rows, method, pattern, relation, target, body, expected);
  };
  auto rule = [](const std::string& scope) {
    return R"({"pathway":"built_in","grade_band":"6-12",)" + scope + "}";
  };
  const char* rules = "/api/v1/pathway-rules";
  each("GET", rules, "own", rules, "", {403, 403, 200, 200, 200});
  each("POST", rules, "own", rules, rule(R"("scope":"district")"), {403, 403, 403, 403, 201});
  each("POST", rules, "own", rules, rule(R"("scope":"school","scope_id":2)"),
       {403, 403, 403, 201, 201});  // rules 2, 3
  each("POST", rules, "other", rules, rule(R"("scope":"school","scope_id":3)"),
       {403, 403, 403, 403, 201});  // rule 4
  each("POST", rules, "own", rules, rule(R"("scope":"section","scope_id":10)"),
       {403, 403, 201, 201, 201});  // rules 5, 6, 7
  each("POST", rules, "other", rules, rule(R"("scope":"section","scope_id":20)"),
       {403, 403, 403, 403, 201});  // rule 8
  const char* one = "/api/v1/pathway-rules/{id}";
  auto del = [&](const char* who, const char* relation, int id, int expected) {
    rows.push_back({"DELETE", one, who, relation, "/api/v1/pathway-rules/" + std::to_string(id), "",
                    expected});
  };
  for (const char* who : {"student_a", "guardian_a", "teacher_a", "admin_a"}) {
    del(who, "own", 1, 403);
  }
  del("anonymous", "own", 1, 401);
  del("district", "own", 1, 200);
  del("student_a", "own", 5, 403);
  del("guardian_a", "own", 5, 403);
  del("teacher_a", "own", 5, 200);
  del("admin_a", "own", 6, 200);
  del("district", "own", 7, 200);
  del("teacher_a", "own", 2, 403);
  del("admin_a", "own", 2, 200);
  del("district", "own", 3, 200);
  del("teacher_a", "other", 8, 403);
  del("admin_a", "other", 4, 403);
  del("district", "other", 4, 200);
  const char* link = "/api/v1/sections/{id}/meeting-link";
  std::string url = R"({"url":"https://meet.example.test/room"})";
  each("PUT", link, "own", "/api/v1/sections/10/meeting-link", url, {403, 403, 200, 200, 200});
  each("PUT", link, "other", "/api/v1/sections/20/meeting-link", url, {403, 403, 403, 403, 200});
  each("GET", link, "own", "/api/v1/sections/10/meeting-link", "", {403, 403, 200, 200, 200});
  each("GET", link, "other", "/api/v1/sections/20/meeting-link", "", {403, 403, 403, 403, 200});
  each("DELETE", link, "own", "/api/v1/sections/10/meeting-link", "", {403, 403, 200, 200, 200});
  each("DELETE", link, "other", "/api/v1/sections/20/meeting-link", "", {403, 403, 403, 403, 200});
  each("GET", "/api/v1/me/pathways", "own", "/api/v1/me/pathways", "", {200, 200, 200, 200, 200});
  const char* open = "/api/v1/live-sessions/{id}/open-external";
  each("POST", open, "own", "/api/v1/live-sessions/1/open-external", "", {409, 403, 409, 409, 409});
  each("POST", open, "other", "/api/v1/live-sessions/4/open-external", "",
       {403, 403, 403, 403, 409});
}

// Coursework (docs/api.md, "Coursework"). Rows run in order, so ids are known: files 1-4 are the
// uploads of student_a, teacher_a, admin_a and district; assignments 1-3 are section 10's
// (teacher_a, admin_a, district), 4 is section 20's, 5 is section 10's with file 2 attached;
// submission 1 is student_a's of assignment 1, submission 2 student_b's of assignment 4. Student
// 100 is student_a, 101 student_b.
void AddCourseworkRows(std::vector<Row>& rows) {
  const char* roles[] = {"student_a", "guardian_a", "teacher_a", "admin_a", "district"};
  auto each = [&](const char* method, const char* pattern, const char* relation,
                  const std::string& target, const std::string& body, std::vector<int> expected) {
    for (size_t i = 0; i < 5; ++i)
      rows.push_back({method, pattern, roles[i], relation, target, body, expected[i]});
    rows.push_back({method, pattern, "anonymous", relation, target, body, 401});
  };
  const char* files = "/api/v1/files";
  for (size_t i = 0; i < 5; ++i) {
    rows.push_back({"POST", files, roles[i], "own", "/api/v1/files?name=r.txt", "rubric",
                    i == 1 ? 403 : 201, "text/plain"});
  }
  rows.push_back(
      {"POST", files, "anonymous", "own", "/api/v1/files?name=r.txt", "rubric", 401, "text/plain"});
  const char* assignments = "/api/v1/sections/{id}/assignments";
  const std::string a = R"({"title":"Essay","due_at":"2030-09-03T23:59","points":10})";
  each("POST", assignments, "own", "/api/v1/sections/10/assignments", a, {403, 403, 201, 201, 201});
  each("POST", assignments, "other", "/api/v1/sections/20/assignments", a,
       {403, 403, 403, 403, 201});
  rows.push_back({"POST", assignments, "teacher_a", "own", "/api/v1/sections/10/assignments",
                  R"({"title":"Read","due_at":"2030-09-03","points":5,"attachment_ids":[2]})",
                  201});
  each("GET", assignments, "own", "/api/v1/sections/10/assignments", "", {200, 200, 200, 200, 200});
  each("GET", assignments, "other", "/api/v1/sections/20/assignments", "",
       {403, 403, 403, 403, 200});
  const char* one = "/api/v1/assignments/{id}";
  each("GET", one, "own", "/api/v1/assignments/1", "", {200, 200, 200, 200, 200});
  each("GET", one, "other", "/api/v1/assignments/4", "", {403, 403, 403, 403, 200});
  const char* submission = "/api/v1/assignments/{id}/submission";
  const std::string text = R"({"text":"My work"})";
  each("PUT", submission, "own", "/api/v1/assignments/1/submission", text,
       {200, 403, 403, 403, 403});
  each("PUT", submission, "other", "/api/v1/assignments/4/submission", text,
       {403, 403, 403, 403, 403});
  rows.push_back(
      {"PUT", submission, "student_b", "own", "/api/v1/assignments/4/submission", text, 200});
  each("GET", submission, "own", "/api/v1/assignments/1/submission", "", {200, 403, 403, 403, 403});
  each("GET", submission, "other", "/api/v1/assignments/4/submission", "",
       {403, 403, 403, 403, 403});
  const char* submissions = "/api/v1/assignments/{id}/submissions";
  each("GET", submissions, "own", "/api/v1/assignments/1/submissions", "",
       {403, 403, 200, 200, 200});
  each("GET", submissions, "other", "/api/v1/assignments/4/submissions", "",
       {403, 403, 403, 403, 200});
  const char* grade = "/api/v1/submissions/{id}/grade";
  const std::string score = R"({"score":7,"comment":"Good"})";
  each("PUT", grade, "own", "/api/v1/submissions/1/grade", score, {403, 403, 200, 200, 200});
  each("PUT", grade, "other", "/api/v1/submissions/2/grade", score, {403, 403, 403, 403, 200});
  each("GET", "/api/v1/me/to-grade", "own", "/api/v1/me/to-grade", "", {403, 403, 200, 200, 200});
  const char* work = "/api/v1/students/{id}/coursework";
  each("GET", work, "own", "/api/v1/students/100/coursework", "", {200, 200, 200, 200, 200});
  each("GET", work, "other", "/api/v1/students/101/coursework", "", {404, 404, 404, 404, 200});
  const char* file = "/api/v1/files/{id}";
  each("GET", file, "own", "/api/v1/files/2", "", {200, 200, 200, 200, 200});
  each("GET", file, "other", "/api/v1/files/4", "", {404, 404, 404, 404, 200});
}

// Teacher feedback (docs/api.md, "Teacher feedback"). A teacher reads only their own entries, so
// "other" for a teacher is still 200 (with none of the other school's entries in it).
void AddFeedbackRows(std::vector<Row>& rows) {
  auto each = [&](const char* method, const char* pattern, const char* relation,
                  const std::string& target, const std::string& body, std::vector<int> expected) {
    EachRole(rows, method, pattern, relation, target, body, expected);
  };
  const char* feedback = "/api/v1/feedback";
  each("POST", feedback, "own", feedback, R"({"rating":4,"category":"other","text":"fine"})",
       {403, 403, 201, 403, 403});
  each("GET", feedback, "own", "/api/v1/feedback?school_id=2", "", {403, 403, 200, 200, 200});
  each("GET", feedback, "other", "/api/v1/feedback?school_id=3", "", {403, 403, 200, 403, 200});
  const char* summary = "/api/v1/feedback/summary";
  each("GET", summary, "own", "/api/v1/feedback/summary?school_id=2", "",
       {403, 403, 403, 200, 200});
  each("GET", summary, "other", "/api/v1/feedback/summary?school_id=3", "",
       {403, 403, 403, 403, 200});
  // Client telemetry (docs/api.md, "Client telemetry"): everyone reports about their own device;
  // support reads a user's events (student_a is 100, student_b 101).
  const char* report = "/api/v1/telemetry";
  each("POST", report, "own", report, R"({"events":[{"kind":"rtt","page":"/","ms":40}]})",
       {202, 202, 202, 202, 202});
  const char* events = "/api/v1/users/{id}/client-events";
  each("GET", events, "own", "/api/v1/users/100/client-events", "", {403, 403, 403, 200, 200});
  each("GET", events, "other", "/api/v1/users/101/client-events", "", {403, 403, 403, 404, 200});
  const char* diagnostics = "/api/v1/users/{id}/diagnostics";
  each("GET", diagnostics, "own", "/api/v1/users/100/diagnostics", "", {403, 403, 403, 200, 200});
  each("GET", diagnostics, "other", "/api/v1/users/101/diagnostics", "", {403, 403, 403, 404, 200});
}

// Daily attendance (docs/api.md, "Daily attendance"): teachers and admins of the section see and
// override it, a school's admins its combined report, the district sets the policy.
void AddDailyAttendanceRows(std::vector<Row>& rows) {
  auto each = [&](const char* method, const char* pattern, const char* relation,
                  const std::string& target, const std::string& body, std::vector<int> expected) {
    EachRole(rows, method, pattern, relation, target, body, expected);
  };
  const char* section = "/api/v1/sections/{id}/daily-attendance";
  each("GET", section, "own", "/api/v1/sections/10/daily-attendance", "",
       {403, 403, 200, 200, 200});
  each("GET", section, "other", "/api/v1/sections/20/daily-attendance", "",
       {403, 403, 403, 403, 200});
  const char* section_csv = "/api/v1/sections/{id}/daily-attendance.csv";
  each("GET", section_csv, "own", "/api/v1/sections/10/daily-attendance.csv", "",
       {403, 403, 200, 200, 200});
  each("GET", section_csv, "other", "/api/v1/sections/20/daily-attendance.csv", "",
       {403, 403, 403, 403, 200});
  const char* overrides = "/api/v1/sections/{id}/daily-attendance/overrides";
  each("PUT", overrides, "own", "/api/v1/sections/10/daily-attendance/overrides",
       R"({"student_id":100,"date":"2026-11-18","status":"present","reason":"rbac row"})",
       {403, 403, 200, 200, 200});
  each("PUT", overrides, "other", "/api/v1/sections/20/daily-attendance/overrides",
       R"({"student_id":101,"date":"2026-11-18","status":"present","reason":"rbac row"})",
       {403, 403, 403, 403, 200});
  const char* school = "/api/v1/schools/{id}/daily-attendance";
  each("GET", school, "own", "/api/v1/schools/2/daily-attendance", "", {403, 403, 403, 200, 200});
  each("GET", school, "other", "/api/v1/schools/3/daily-attendance", "", {403, 403, 403, 403, 200});
  const char* school_csv = "/api/v1/schools/{id}/daily-attendance.csv";
  each("GET", school_csv, "own", "/api/v1/schools/2/daily-attendance.csv", "",
       {403, 403, 403, 200, 200});
  each("GET", school_csv, "other", "/api/v1/schools/3/daily-attendance.csv", "",
       {403, 403, 403, 403, 200});
  const char* policy = "/api/v1/attendance-policy";
  each("GET", policy, "own", policy, "", {403, 403, 200, 200, 200});
  each("PUT", policy, "own", policy, R"({"min_live_minutes":15})", {403, 403, 403, 403, 200});
  const char* student = "/api/v1/students/{id}/daily-attendance";
  each("GET", student, "own", "/api/v1/students/100/daily-attendance", "",
       {200, 200, 200, 200, 200});
  each("GET", student, "other", "/api/v1/students/101/daily-attendance", "",
       {404, 404, 404, 404, 200});
  // External meeting reports (docs/api.md, "Pathways"): session 1 is section 10's (teacher_a), 4 is
  // section 20's. An upload matching nobody is refused whole (400) once the policy lets it in.
  const char* external = "/api/v1/live-sessions/{id}/external-attendance";
  each("GET", external, "own", "/api/v1/live-sessions/1/external-attendance", "",
       {403, 403, 200, 200, 200});
  each("GET", external, "other", "/api/v1/live-sessions/4/external-attendance", "",
       {403, 403, 403, 403, 200});
  each("PUT", external, "own", "/api/v1/live-sessions/1/external-attendance",
       "Name,Duration\nNobody Here,5\n", {403, 403, 400, 400, 400});
  each("PUT", external, "other", "/api/v1/live-sessions/4/external-attendance",
       "Name,Duration\nNobody Here,5\n", {403, 403, 403, 403, 400});
  // Alerts are each family's own: there is no "other" to reach.
  each("GET", "/api/v1/me/alerts", "own", "/api/v1/me/alerts", "", {200, 200, 403, 403, 403});
}

// Analytics (docs/api.md, "Analytics"): school admins read their schools', district admins
// everything and alone the decision report and recomputing.
void AddAnalyticsRows(std::vector<Row>& rows) {
  auto each = [&](const char* method, const char* pattern, const char* relation,
                  const std::string& target, const std::string& body, std::vector<int> expected) {
    EachRole(rows, method, pattern, relation, target, body, expected);
  };
  const char* analytics = "/api/v1/analytics";
  each("GET", analytics, "own", "/api/v1/analytics?school_id=2", "", {403, 403, 403, 200, 200});
  each("GET", analytics, "other", "/api/v1/analytics?school_id=3", "", {403, 403, 403, 403, 200});
  const char* csv = "/api/v1/analytics.csv";
  each("GET", csv, "own", "/api/v1/analytics.csv?school_id=2", "", {403, 403, 403, 200, 200});
  each("GET", csv, "other", "/api/v1/analytics.csv?school_id=3", "", {403, 403, 403, 403, 200});
  const char* decision = "/api/v1/analytics/decision-report";
  each("GET", decision, "own", decision, "", {403, 403, 403, 403, 200});
  const char* decision_csv = "/api/v1/analytics/decision-report.csv";
  each("GET", decision_csv, "own", decision_csv, "", {403, 403, 403, 403, 200});
  const char* refresh = "/api/v1/analytics/refresh";
  each("POST", refresh, "own", refresh, R"({"from":"2026-11-18","to":"2026-11-18"})",
       {403, 403, 403, 403, 200});
}

// Users of the "a" side own school 2, section 10 and student_a; the "b" side is "other".
std::vector<Row> Table() {
  std::vector<Row> rows;
  const char* roles[] = {"student_a", "guardian_a", "teacher_a", "admin_a", "district"};
  auto each = [&](const char* method, const char* pattern, const char* relation,
                  const std::string& target, std::vector<int> expected) {
    for (size_t i = 0; i < 5; ++i)
      rows.push_back({method, pattern, roles[i], relation, target, "", expected[i]});
    rows.push_back({method, pattern, "anonymous", relation, target, "", 401});
  };
  // clang-format off: one row per line reads as a table.
  //                                                                     student guardian teacher
  //                                                                     admin district
  each("GET", "/api/v1/me", "own", "/api/v1/me", {200, 200, 200, 200, 200});
  each("GET", "/api/v1/me/sections", "own", "/api/v1/me/sections", {200, 200, 200, 200, 200});
  each("GET", "/api/v1/me/children", "own", "/api/v1/me/children", {403, 200, 403, 403, 403});
  for (size_t i = 0; i < 5; ++i) {  // everyone sets their own; there is no "other" to reach
    rows.push_back({"PATCH", "/api/v1/me/preferences", roles[i], "own", "/api/v1/me/preferences",
                    R"({"language":"es"})", 200});
  }
  rows.push_back({"PATCH", "/api/v1/me/preferences", "anonymous", "own", "/api/v1/me/preferences",
                  R"({"language":"es"})", 401});
  each("GET", "/api/v1/schools", "own", "/api/v1/schools", {200, 200, 200, 200, 200});
  each("GET", "/api/v1/schools/{id}", "own", "/api/v1/schools/2", {200, 200, 200, 200, 200});
  each("GET", "/api/v1/schools/{id}", "other", "/api/v1/schools/3", {403, 403, 403, 403, 200});
  each("GET", "/api/v1/schools/{id}/sections", "own", "/api/v1/schools/2/sections",
       {403, 403, 403, 200, 200});
  each("GET", "/api/v1/schools/{id}/sections", "other", "/api/v1/schools/3/sections",
       {403, 403, 403, 403, 200});
  each("GET", "/api/v1/sections/{id}", "own", "/api/v1/sections/10", {200, 200, 200, 200, 200});
  each("GET", "/api/v1/sections/{id}", "other", "/api/v1/sections/20", {403, 403, 403, 403, 200});
  each("GET", "/api/v1/sections/{id}/roster", "own", "/api/v1/sections/10/roster",
       {403, 403, 200, 200, 200});
  each("GET", "/api/v1/sections/{id}/roster", "other", "/api/v1/sections/20/roster",
       {403, 403, 403, 403, 200});
  each("GET", "/api/v1/users/{id}", "own", "/api/v1/users/100", {200, 200, 200, 200, 200});
  each("GET", "/api/v1/users/{id}", "other", "/api/v1/users/101", {404, 404, 404, 404, 200});
  each("GET", "/api/v1/users", "own", "/api/v1/users?q=ana", {403, 403, 403, 200, 200});
  each("POST", "/api/v1/auth/logout", "own", "/api/v1/auth/logout", {200, 200, 200, 200, 200});
  AddLiveSessionRows(rows);
  // The live socket without the upgrade headers: authenticated, then 426 Upgrade Required. Who may
  // join which room is decided in the upgrade and tested in live_test.cc (403 / 404 / 409).
  each("GET", "/api/v1/live", "own", "/api/v1/live?session=1", {426, 426, 426, 426, 426});
  // Forensics and the audit log: district admins only (docs/security.md, "Forensics and audit").
  each("GET", "/api/v1/admin/forensics", "own", "/api/v1/admin/forensics",
       {403, 403, 403, 403, 200});
  each("GET", "/api/v1/admin/forensics", "own", "/api/v1/admin/forensics?format=csv",
       {403, 403, 403, 403, 200});
  each("GET", "/api/v1/admin/audit", "own", "/api/v1/admin/audit", {403, 403, 403, 403, 200});

  AddGuardRows(rows);
  AddPathwayRows(rows);
  AddCourseworkRows(rows);
  AddFeedbackRows(rows);
  AddDailyAttendanceRows(rows);
  AddAnalyticsRows(rows);
  // clang-format on
  // Public routes: the same answer for everyone, signed in or not.
  for (const char* who : {"anonymous", "student_a", "district"}) {
    rows.push_back({"GET", "/healthz", who, "own", "/healthz", "", 200});
    rows.push_back({"GET", "/readyz", who, "own", "/readyz", "", 200});
    rows.push_back({"GET", "/api/v1/challenge", who, "own", "/api/v1/challenge", "", 200});
    rows.push_back({"POST", "/api/v1/auth/login", who, "own", "/api/v1/auth/login",
                    R"({"username":"student_b","password":"pw-student_b"})", 200});
    rows.push_back({"POST", "/api/v1/auth/activate", who, "own", "/api/v1/auth/activate",
                    R"({"code":"AAAAA-AAAAA","new_password":"a long password"})", 401});
  }
  return rows;
}

TEST(Rbac, EveryRouteHasRowsAndEveryRowHolds) {
  TestServer server;
  std::map<std::string, std::string> tokens;
  std::vector<Row> rows = Table();

  std::set<std::string> covered;
  for (const Row& r : rows) covered.insert(std::string(r.method) + " " + r.pattern);
  for (const auto& route : server.app().router().routes()) {
    std::string key = std::string(bhttp::to_string(route.method)) + " " + route.pattern;
    EXPECT_TRUE(covered.count(key)) << "route " << key << " has no row in the authorization table";
  }

  for (const Row& r : rows) {
    std::string who = r.who;
    HttpClient::Headers headers;
    if (who != "anonymous") {
      // Logout revokes the token: sign in afresh for it, reuse otherwise.
      bool fresh = std::string(r.pattern) == "/api/v1/auth/logout";
      if (fresh || !tokens.count(who)) tokens[who] = server.Login(who);
      headers = Bearer(tokens[who]);
      if (fresh) tokens.erase(who);
    }
    if (r.content_type) headers.emplace_back("Content-Type", r.content_type);
    auto method = bhttp::string_to_verb(r.method);
    auto res = server.Client().Send(method, r.target, r.body, headers);
    EXPECT_EQ(res.result_int(), r.expected) << r.method << " " << r.target << " as " << who << " ("
                                            << r.relation << "): " << res.body();
  }
}

TEST(Rbac, ListsAreFilteredToWhatTheCallerMaySee) {
  TestServer server;
  auto count = [&](const std::string& who, const std::string& target) {
    auto res = server.Client().Get(target, Bearer(server.Login(who)));
    EXPECT_EQ(res.result_int(), 200) << res.body();
    return HttpClient::Json(res).at("items").as_array().size();
  };
  EXPECT_EQ(count("district", "/api/v1/schools"), 2u);
  EXPECT_EQ(count("admin_a", "/api/v1/schools"), 1u);
  EXPECT_EQ(count("student_b", "/api/v1/schools"), 1u);
  // A school admin's search never reaches into another school.
  EXPECT_EQ(count("district", "/api/v1/users?q=b"), 3u);  // Bruno, Ben (given names), Baker
  EXPECT_EQ(count("admin_a", "/api/v1/users?q=b"), 0u);
}

}  // namespace
}  // namespace homeroom::testing
