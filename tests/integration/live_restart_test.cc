// Attendance across a crash, a restart and reconnects, end to end (issue 3, section 5: "a server
// restart mid-session loses no attendance: open intervals close at the last heartbeat seen").
//
// The crash is real: the `homeroom serve` binary runs in a child process on a seeded data
// directory, a teacher and a student sit in a live room over real WebSockets, and the child is
// killed with SIGKILL once the SQLite file holds heartbeats. Nothing of the server runs after the
// signal: no hub destructor (which would close the intervals at "now"), no last attendance flush,
// no close frames (the kernel resets the sockets). Then a second server (app::App, in process)
// starts on the same data directory, as `serve` would after the crash.
//
// Clock: the servers use the system clock, so heartbeats (--live-heartbeat-interval-ms) and
// attendance flushes (--attendance-flush-interval-ms) are made tiny (rooms still check the
// heartbeat on their 1 s tick) and every wait polls for a condition; expected figures are computed
// from what the store holds, never from elapsed time. With seconds of presence, minutes_present
// is 0 here; seconds_present carries the check (tests/integration/live_sessions_test.cc checks
// minutes from recorded events).
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "core/clock.h"
#include "integration/test_server.h"
#include "store/live_store.h"
#include "store/sqlite/sqlite_connection.h"
#include "unit/net/ws_client.h"

extern char** environ;

namespace homeroom::testing {
namespace {

using ms = std::chrono::milliseconds;

constexpr int64_t kHeartbeatIntervalMs = 100;
constexpr int64_t kFlushIntervalMs = 50;
// Heartbeats the store must hold past the student's join before the crash: a recovery that
// closed the interval at its join (or lost it) cannot pass for one that closed it here.
constexpr int64_t kPresentBeforeCrashMs = 1'500;

void FastAttendance(app::AppConfig& c) {
  c.hub.heartbeat_interval_ms = kHeartbeatIntervalMs;
  c.attendance.flush_interval = ms(kFlushIntervalMs);
}

int64_t NowMs() { return SystemClock::Instance().NowMs(); }

// Polls `done` every 20 ms until it holds or `timeout` passes; returns its last answer.
bool WaitFor(const std::function<bool()>& done, ms timeout = ms(8'000)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(ms(20));
  }
  return true;
}

// One user's attendance intervals in the session, as the SQLite file holds them (ordered by
// join), read through a connection of our own: this works while another process serves the file.
std::vector<store::AttendanceIntervalRecord> Intervals(const std::string& data_dir, int64_t session,
                                                       int64_t user = 0) {
  auto conn = sql::SqliteConnection::Open(data_dir + "/homeroom.db", {.read_only = true});
  if (!conn.ok()) {
    ADD_FAILURE() << conn.status().ToString();
    return {};
  }
  auto all = store::live_store::SessionIntervals(**conn, session);
  if (!all.ok()) {
    ADD_FAILURE() << all.status().ToString();
    return {};
  }
  std::vector<store::AttendanceIntervalRecord> out;
  for (const auto& i : *all) {
    if (user == 0 || i.user_id == user) out.push_back(i);
  }
  return out;
}

// The next frame of `type` (skipping others), or an empty object (and a failure) after `timeout`.
boost::json::object Next(WsClient& ws, const std::string& type, ms timeout = ms(5'000)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto text =
        ws.Next(std::chrono::duration_cast<ms>(deadline - std::chrono::steady_clock::now()));
    if (!text) break;
    auto v = boost::json::parse(*text).as_object();
    if (v.at("type").as_string() == type) return v;
  }
  ADD_FAILURE() << "no " << type << " frame";
  return {};
}

// A live-class client of whichever server listens on `port`.
struct Api {
  uint16_t port = 0;

  std::string Login(const std::string& user) const {
    auto res = HttpClient(port).Post(
        "/api/v1/auth/login", fmt::format(R"({{"username":"{0}","password":"pw-{0}"}})", user));
    EXPECT_EQ(res.result_int(), 200) << user << ": " << res.body();
    auto body = HttpClient::Json(res);
    if (!body.is_object() || !body.as_object().contains("token")) return "";
    return std::string(body.at("token").as_string());
  }

  // A session of section 10 from a minute ago to 45 minutes from now, started by the teacher.
  int64_t StartSession(const std::string& teacher) const {
    int64_t now = NowMs();
    std::string body = fmt::format(R"({{"title":"Grade 3 live","starts_at":"{}","ends_at":"{}"}})",
                                   FormatIsoUtc(now - 60'000), FormatIsoUtc(now + 45 * 60'000));
    auto res = HttpClient(port).Post("/api/v1/sections/10/live-sessions", body, Bearer(teacher));
    EXPECT_EQ(res.result_int(), 201) << res.body();
    auto json = HttpClient::Json(res);
    if (!json.is_object()) return 0;
    int64_t id = json.at("items").as_array().at(0).at("id").as_int64();
    auto started = HttpClient(port).Post(fmt::format("/api/v1/live-sessions/{}/start", id), "",
                                         Bearer(teacher));
    EXPECT_EQ(started.result_int(), 200) << started.body();
    return id;
  }

  void EndSession(const std::string& teacher, int64_t session) const {
    auto res = HttpClient(port).Post(fmt::format("/api/v1/live-sessions/{}/end", session), "",
                                     Bearer(teacher));
    EXPECT_EQ(res.result_int(), 200) << res.body();
  }

  std::string SessionStatus(const std::string& token, int64_t session) const {
    auto res =
        HttpClient(port).Get(fmt::format("/api/v1/live-sessions/{}", session), Bearer(token));
    EXPECT_EQ(res.result_int(), 200) << res.body();
    auto json = HttpClient::Json(res);
    if (!json.is_object()) return "";
    return std::string(json.at("status").as_string());
  }

  std::unique_ptr<WsClient> Join(const std::string& token, int64_t session,
                                 const std::string& extra = "") const {
    WsClient::Options options;
    options.header = "Authorization: Bearer " + token;
    return std::make_unique<WsClient>(
        port, fmt::format("/api/v1/live?session={}{}", session, extra), options);
  }

  // student's row of GET /api/v1/live-sessions/{id}/attendance (empty, and a failure, if none).
  boost::json::object AttendanceRow(const std::string& teacher, int64_t session,
                                    int64_t student) const {
    auto res = HttpClient(port).Get(fmt::format("/api/v1/live-sessions/{}/attendance", session),
                                    Bearer(teacher));
    EXPECT_EQ(res.result_int(), 200) << res.body();
    auto json = HttpClient::Json(res);
    if (json.is_object()) {
      for (const auto& item : json.at("items").as_array()) {
        if (item.at("user_id").as_int64() == student) return item.as_object();
      }
    }
    ADD_FAILURE() << "no attendance row for " << student << ": " << res.body();
    return {};
  }
};

// The real server binary, `homeroom serve`, in a child process on `data_dir`, with the same
// fast attendance settings as FastAttendance. Its log goes to a file beside the data directory;
// the port is read from its "serving" line. Kill() sends SIGKILL: a crash. The child also gets
// SIGKILL when the test process dies, so a failed run leaves no server behind.
class ServeProcess {
 public:
  explicit ServeProcess(const std::string& data_dir) : log_path_(data_dir + ".serve.log") {
    std::vector<std::string> args = {HOMEROOM_BINARY,
                                     "serve",
                                     "--data-dir",
                                     data_dir,
                                     "--listen",
                                     "127.0.0.1:0",
                                     "--metrics-listen",
                                     "127.0.0.1:0",
                                     "--io-threads",
                                     "2",
                                     "--argon2-ops",
                                     "1",
                                     "--argon2-mem-bytes",
                                     "65536",
                                     "--live-heartbeat-interval-ms",
                                     std::to_string(kHeartbeatIntervalMs),
                                     "--attendance-flush-interval-ms",
                                     std::to_string(kFlushIntervalMs)};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // The log file is opened before fork(): between fork() and exec() the child makes only
    // async-signal-safe calls (the test process has threads).
    int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log_fd < 0) {
      ADD_FAILURE() << "open " << log_path_ << ": " << std::strerror(errno);
      return;
    }
    pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
      // Killed with the test process too, should the test die before its Kill().
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      ::dup2(log_fd, 1);
      ::dup2(log_fd, 2);
      ::execve(HOMEROOM_BINARY, argv.data(), environ);
      ::_exit(127);
    }
    ::close(log_fd);
    if (pid_ < 0) {
      ADD_FAILURE() << "fork: " << std::strerror(errno);
      return;
    }
    bool exited = false;
    WaitFor(
        [&] {
          int status = 0;
          if (waitpid(pid_, &status, WNOHANG) == pid_) {
            exited = true;
            pid_ = -1;
            return true;
          }
          port_ = PortFromLog();
          return port_ != 0;
        },
        ms(20'000));
    if (port_ == 0) ADD_FAILURE() << (exited ? "serve exited" : "serve never served") << Log();
  }
  ~ServeProcess() { Kill(); }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  uint16_t port() const { return port_; }

  // SIGKILL, then reaps the child. True when the signal is what ended it (it was still serving).
  bool Kill() {
    if (pid_ <= 0) return false;
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  }

  std::string Log() const {
    std::ifstream in(log_path_);
    std::stringstream text;
    text << in.rdbuf();
    return "\n--- serve log ---\n" + text.str();
  }

 private:
  uint16_t PortFromLog() const {
    std::ifstream in(log_path_);
    std::string line;
    while (std::getline(in, line)) {
      if (line.find("\"event\":\"serving\"") == std::string::npos) continue;
      boost::system::error_code ec;
      auto v = boost::json::parse(line, ec);
      if (ec || !v.is_object() || !v.as_object().contains("port")) continue;
      return static_cast<uint16_t>(v.at("port").to_number<int64_t>());
    }
    return 0;
  }

  std::string log_path_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// What a crash mid-session left in the data directory.
struct Crash {
  std::string data_dir;
  int64_t session = 0;
  int64_t student = 0;
  std::string teacher_token;
  std::string student_token;
  std::string epoch;     // of the room that died
  int64_t last_seq = 0;  // the student's last seen seq in it
  // The student's interval as the crash left it: still open (the server never saw a leave), with
  // the last heartbeat the store holds.
  store::AttendanceIntervalRecord interval;
  size_t open_intervals = 0;  // everyone's (teacher and student)
};

// Seeds a data directory, serves it with `homeroom serve`, starts a session with teacher_a and
// student_a in the room over WebSockets, waits until the store holds the student's heartbeats
// kPresentBeforeCrashMs past the join, and kills the server with SIGKILL.
void CrashMidSession(const std::string& data_dir, Crash* crash) {
  crash->data_dir = data_dir;
  {
    TestServer seeded(data_dir, /*seed=*/true);  // stopped cleanly: nothing live yet
    crash->student = seeded.Id("student_a");
  }

  ServeProcess serve(data_dir);
  ASSERT_NE(serve.port(), 0);
  Api api{serve.port()};
  crash->teacher_token = api.Login("teacher_a");
  crash->student_token = api.Login("student_a");
  ASSERT_FALSE(crash->teacher_token.empty() || crash->student_token.empty()) << serve.Log();
  crash->session = api.StartSession(crash->teacher_token);
  ASSERT_NE(crash->session, 0) << serve.Log();

  auto teacher = api.Join(crash->teacher_token, crash->session);
  ASSERT_TRUE(teacher->open()) << teacher->handshake_error().message() << serve.Log();
  Next(*teacher, "welcome");
  auto student = api.Join(crash->student_token, crash->session);
  ASSERT_TRUE(student->open()) << student->handshake_error().message();
  auto welcome = Next(*student, "welcome");
  ASSERT_FALSE(welcome.empty());
  crash->epoch = std::string(welcome.at("epoch").as_string());
  crash->last_seq = welcome.at("seq").as_int64();
  Next(*teacher, "presence.joined");

  bool heartbeats_stored = WaitFor([&] {
    auto rows = Intervals(data_dir, crash->session, crash->student);
    return rows.size() == 1 && rows[0].last_seen_ms - rows[0].joined_ms >= kPresentBeforeCrashMs;
  });
  ASSERT_TRUE(heartbeats_stored) << "the student's heartbeats never reached the store"
                                 << serve.Log();

  ASSERT_TRUE(serve.Kill()) << "serve had exited before the crash" << serve.Log();
  // The sockets end without a close frame (1006): nobody left the room cleanly.
  EXPECT_EQ(student->WaitClosed(), std::optional<uint16_t>(1006));
  EXPECT_EQ(teacher->WaitClosed(), std::optional<uint16_t>(1006));

  auto rows = Intervals(data_dir, crash->session, crash->student);
  ASSERT_EQ(rows.size(), 1u);
  crash->interval = rows[0];
  ASSERT_FALSE(crash->interval.left_ms.has_value()) << "a leave was recorded: not a crash";
  ASSERT_GE(crash->interval.last_seen_ms - crash->interval.joined_ms, kPresentBeforeCrashMs);
  for (const auto& i : Intervals(data_dir, crash->session)) {
    if (!i.left_ms) ++crash->open_intervals;
  }
  EXPECT_EQ(crash->open_intervals, 2u);  // the teacher's too
}

TEST(LiveRestart, AKilledServerLosesNoAttendanceTheIntervalClosesAtTheLastHeartbeat) {
  TempDir dir;
  Crash crash;
  CrashMidSession(dir.path() + "/data", &crash);
  if (HasFatalFailure()) return;
  const int64_t joined = crash.interval.joined_ms;
  const int64_t last_heartbeat = crash.interval.last_seen_ms;

  int64_t restart_ms = NowMs();
  TestServer restarted(crash.data_dir, /*seed=*/false, FastAttendance);
  EXPECT_EQ(restarted.app().metrics().CounterValue("homeroom_attendance_intervals_recovered_total"),
            crash.open_intervals);

  // Closed at the last heartbeat seen: not left open, not lost, not at the restart.
  auto rows = Intervals(crash.data_dir, crash.session, crash.student);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].joined_ms, joined);
  EXPECT_EQ(rows[0].left_ms, std::optional<int64_t>(last_heartbeat));
  EXPECT_LT(last_heartbeat, restart_ms);
  for (const auto& i : Intervals(crash.data_dir, crash.session)) {  // the teacher's too
    EXPECT_EQ(i.left_ms, std::optional<int64_t>(i.last_seen_ms)) << "user " << i.user_id;
  }

  // The report, through the API of the restarted server, with the sessions of before the crash.
  Api api{restarted.port()};
  auto row = api.AttendanceRow(crash.teacher_token, crash.session, crash.student);
  ASSERT_FALSE(row.empty());
  EXPECT_EQ(row.at("intervals").as_int64(), 1);
  EXPECT_FALSE(row.at("present_now").as_bool());
  EXPECT_EQ(row.at("status").as_string(), "present");
  EXPECT_EQ(row.at("first_join_at").as_string(), FormatIsoUtc(joined));
  EXPECT_EQ(row.at("last_leave_at").as_string(), FormatIsoUtc(last_heartbeat));
  EXPECT_EQ(row.at("seconds_present").as_int64(), (last_heartbeat - joined) / 1000);
  EXPECT_GE(row.at("seconds_present").as_int64(), kPresentBeforeCrashMs / 1000);
  EXPECT_EQ(row.at("minutes_present").as_int64(), (last_heartbeat - joined + 30'000) / 60'000);
}

// Recovery closes intervals, not sessions: the session stays live (docs/live-protocol.md: "a
// restarted server ... has a new epoch"), and a student who comes back resumes with the old
// epoch, gets a snapshot of the new room and a second interval.
TEST(LiveRestart, AfterARestartTheSessionIsStillLiveAndTheStudentRejoinsInANewInterval) {
  TempDir dir;
  Crash crash;
  CrashMidSession(dir.path() + "/data", &crash);
  if (HasFatalFailure()) return;

  TestServer restarted(crash.data_dir, /*seed=*/false, FastAttendance);
  Api api{restarted.port()};
  EXPECT_EQ(api.SessionStatus(crash.teacher_token, crash.session), "live");

  int64_t rejoin_ms = NowMs();
  auto teacher = api.Join(crash.teacher_token, crash.session);
  ASSERT_TRUE(teacher->open()) << teacher->handshake_error().message();
  Next(*teacher, "welcome");
  auto student = api.Join(crash.student_token, crash.session,
                          fmt::format("&epoch={}&last_seq={}", crash.epoch, crash.last_seq));
  ASSERT_TRUE(student->open()) << student->handshake_error().message();
  auto welcome = Next(*student, "welcome");
  ASSERT_FALSE(welcome.empty());
  EXPECT_EQ(welcome.at("state").as_string(), "in_room");
  EXPECT_EQ(welcome.at("resume").as_string(), "snapshot");  // the old room's history died
  EXPECT_NE(welcome.at("epoch").as_string(), crash.epoch);
  Next(*teacher, "presence.joined");

  ASSERT_TRUE(WaitFor([&] {
    return Intervals(crash.data_dir, crash.session, crash.student).size() == 2;
  })) << "the rejoin never reached the store";
  auto live_row = api.AttendanceRow(crash.teacher_token, crash.session, crash.student);
  EXPECT_EQ(live_row.at("intervals").as_int64(), 2);
  EXPECT_TRUE(live_row.at("present_now").as_bool());

  int64_t end_ms = NowMs();
  api.EndSession(crash.teacher_token, crash.session);
  std::vector<store::AttendanceIntervalRecord> rows;
  ASSERT_TRUE(WaitFor([&] {
    rows = Intervals(crash.data_dir, crash.session, crash.student);
    return rows.size() == 2 && rows[1].left_ms.has_value();
  })) << "the end never closed the new interval";
  // The first interval is the crash's, untouched by the rejoin; the second runs from the rejoin
  // to the end.
  EXPECT_EQ(rows[0].joined_ms, crash.interval.joined_ms);
  EXPECT_EQ(rows[0].left_ms, std::optional<int64_t>(crash.interval.last_seen_ms));
  EXPECT_GE(rows[1].joined_ms, rejoin_ms);
  EXPECT_GE(*rows[1].left_ms, end_ms);

  auto row = api.AttendanceRow(crash.teacher_token, crash.session, crash.student);
  int64_t present_ms =
      (*rows[0].left_ms - rows[0].joined_ms) + (*rows[1].left_ms - rows[1].joined_ms);
  EXPECT_EQ(row.at("intervals").as_int64(), 2);
  EXPECT_FALSE(row.at("present_now").as_bool());
  EXPECT_EQ(row.at("first_join_at").as_string(), FormatIsoUtc(rows[0].joined_ms));
  EXPECT_EQ(row.at("last_leave_at").as_string(), FormatIsoUtc(*rows[1].left_ms));
  EXPECT_EQ(row.at("seconds_present").as_int64(), present_ms / 1000);
  EXPECT_EQ(row.at("minutes_present").as_int64(), (present_ms + 30'000) / 60'000);
}

// Reconnects on one server: a student back within the grace period keeps one interval that runs
// across the gap; one back after it gets a second interval, the first closed when the socket
// closed (not when the grace ran out).
TEST(LiveAttendance, AReconnectWithinTheGracePeriodKeepsOneInterval) {
  TestServer server([](app::AppConfig& c) {
    FastAttendance(c);
    c.hub.reconnect_grace_ms = 10'000;  // far longer than a reconnect on the loopback
  });
  Api api{server.port()};
  std::string teacher_token = api.Login("teacher_a");
  std::string student_token = api.Login("student_a");
  int64_t student_id = server.Id("student_a");
  int64_t session = api.StartSession(teacher_token);
  auto teacher = api.Join(teacher_token, session);
  Next(*teacher, "welcome");
  auto student = api.Join(student_token, session);
  auto welcome = Next(*student, "welcome");
  ASSERT_FALSE(welcome.empty());
  Next(*teacher, "presence.joined");

  student->Close();
  student->WaitClosed();
  Next(*teacher, "presence.reconnecting");
  std::string epoch(welcome.at("epoch").as_string());
  student = api.Join(student_token, session,
                     fmt::format("&epoch={}&last_seq={}", epoch, welcome.at("seq").as_int64()));
  EXPECT_EQ(Next(*student, "welcome").at("resume").as_string(), "replay");
  Next(*teacher, "presence.resumed");

  int64_t end_ms = NowMs();
  api.EndSession(teacher_token, session);
  std::vector<store::AttendanceIntervalRecord> rows;
  ASSERT_TRUE(WaitFor([&] {
    rows = Intervals(server.data_dir(), session, student_id);
    return !rows.empty() && rows.back().left_ms.has_value();
  })) << "the end never reached the store";
  ASSERT_EQ(rows.size(), 1u) << "a reconnect within the grace period split the interval";
  EXPECT_GE(*rows[0].left_ms, end_ms);  // it ran across the gap, to the end

  auto row = api.AttendanceRow(teacher_token, session, student_id);
  int64_t present_ms = *rows[0].left_ms - rows[0].joined_ms;
  EXPECT_EQ(row.at("intervals").as_int64(), 1);
  EXPECT_FALSE(row.at("present_now").as_bool());
  EXPECT_EQ(row.at("seconds_present").as_int64(), present_ms / 1000);
  EXPECT_EQ(row.at("minutes_present").as_int64(), (present_ms + 30'000) / 60'000);
}

TEST(LiveAttendance, AReconnectAfterTheGracePeriodOpensASecondIntervalAndMinutesAddUp) {
  constexpr int64_t kGraceMs = 200;
  TestServer server([](app::AppConfig& c) {
    FastAttendance(c);
    c.hub.reconnect_grace_ms = kGraceMs;
  });
  Api api{server.port()};
  std::string teacher_token = api.Login("teacher_a");
  std::string student_token = api.Login("student_a");
  int64_t student_id = server.Id("student_a");
  int64_t session = api.StartSession(teacher_token);
  auto teacher = api.Join(teacher_token, session);
  Next(*teacher, "welcome");
  auto student = api.Join(student_token, session);
  ASSERT_FALSE(Next(*student, "welcome").empty());
  Next(*teacher, "presence.joined");

  int64_t close_ms = NowMs();
  student->Close();
  student->WaitClosed();
  Next(*teacher, "presence.reconnecting");
  ASSERT_FALSE(Next(*teacher, "presence.left").empty());
  int64_t left_seen_ms = NowMs();
  student = api.Join(student_token, session);
  ASSERT_FALSE(Next(*student, "welcome").empty());
  Next(*teacher, "presence.joined");

  int64_t end_ms = NowMs();
  api.EndSession(teacher_token, session);
  std::vector<store::AttendanceIntervalRecord> rows;
  ASSERT_TRUE(WaitFor([&] {
    rows = Intervals(server.data_dir(), session, student_id);
    return rows.size() == 2 && rows[1].left_ms.has_value();
  })) << "the second interval never reached the store";
  ASSERT_TRUE(rows[0].left_ms.has_value());
  // The first closed when the socket closed, before the grace period ran out and the others saw
  // presence.left; the second opened on the reconnect and closed at the end.
  EXPECT_GE(*rows[0].left_ms, close_ms);
  EXPECT_LE(*rows[0].left_ms + kGraceMs, left_seen_ms);
  EXPECT_GE(rows[1].joined_ms, left_seen_ms);
  EXPECT_GE(*rows[1].left_ms, end_ms);

  auto row = api.AttendanceRow(teacher_token, session, student_id);
  int64_t present_ms =
      (*rows[0].left_ms - rows[0].joined_ms) + (*rows[1].left_ms - rows[1].joined_ms);
  EXPECT_EQ(row.at("intervals").as_int64(), 2);
  EXPECT_FALSE(row.at("present_now").as_bool());
  EXPECT_EQ(row.at("first_join_at").as_string(), FormatIsoUtc(rows[0].joined_ms));
  EXPECT_EQ(row.at("last_leave_at").as_string(), FormatIsoUtc(*rows[1].left_ms));
  EXPECT_EQ(row.at("seconds_present").as_int64(), present_ms / 1000);
  EXPECT_EQ(row.at("minutes_present").as_int64(), (present_ms + 30'000) / 60'000);
}

}  // namespace
}  // namespace homeroom::testing
