// bench_live_setup: prepares an imported data directory for the live-class benchmark.
//
// For `--rooms` sections it picks one teacher and `--room-size - 1` students (every user in one
// room only, so that each socket of the load is a distinct signed-in user), schedules a one-off
// live session on each section and starts it through domain::LiveScheduleService (the same
// service the REST API calls), and mints one session token per participant the way
// auth::AuthService does at sign-in (store::InsertSession of the token's BLAKE2b hash), without
// the Argon2 password verification that makes real sign-in cost ~65 ms a user. The server is not
// involved and gains no backdoor: the tokens are ordinary sessions in the store.
//
// Output (--out): one line per participant, grouped by room in room order:
//   <live_session_id> <user_id> <teacher|student> <token>
//
// Usage: bench_live_setup --data-dir D --rooms 640 --room-size 30 --out creds.txt
// Exits 1 (with a message) when the district has too few suitable sections.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <unordered_set>
#include <vector>

#include "auth/session_token.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "domain/live_schedule.h"
#include "store/auth_store.h"
#include "store/database.h"

namespace {

using namespace homeroom;

struct Room {
  int64_t section_id = 0;
  int64_t teacher_id = 0;
  std::vector<int64_t> student_ids;
  int64_t live_session_id = 0;
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "bench_live_setup: %s\n", what.c_str());
  std::exit(1);
}

std::string IsoUtc(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Greedy: sections with the most active students first; a section is taken when it has an
// unused active teacher and at least `students` unused active students.
std::vector<Room> PickRooms(store::Database& db, size_t rooms, size_t students) {
  struct Enrollment {
    int64_t section_id, user_id;
    bool teacher;
  };
  std::vector<Enrollment> rows;
  Status read = db.ReadSync([&](sql::Connection& c) -> Status {
    HR_ASSIGN_OR_RETURN(
        sql::Statement * st,
        c.Prepare("SELECT e.section_id, e.user_id, u.role FROM enrollments e "
                  "JOIN users u ON u.id = e.user_id JOIN sections s ON s.id = e.section_id "
                  "WHERE e.active = 1 AND u.active = 1 AND u.enabled = 1 AND s.active = 1 "
                  "AND ((e.role = 'student' AND u.role = 'student') OR "
                  "     (e.role = 'teacher' AND u.role = 'teacher')) "
                  "ORDER BY e.section_id, e.user_id"));
    for (;;) {
      HR_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      rows.push_back({st->Int(0), st->Int(1), st->Text(2) == "teacher"});
    }
    return Status::Ok();
  });
  if (!read.ok()) Die("reading enrollments: " + read.ToString());

  struct Section {
    int64_t id = 0;
    std::vector<int64_t> teachers, students;
  };
  std::vector<Section> sections;
  for (const Enrollment& e : rows) {
    if (sections.empty() || sections.back().id != e.section_id) sections.push_back({e.section_id});
    (e.teacher ? sections.back().teachers : sections.back().students).push_back(e.user_id);
  }
  std::stable_sort(sections.begin(), sections.end(), [](const Section& a, const Section& b) {
    return a.students.size() > b.students.size();
  });
  std::unordered_set<int64_t> used;
  std::vector<Room> picked;
  for (const Section& s : sections) {
    if (picked.size() == rooms) break;
    Room r{.section_id = s.id};
    for (int64_t t : s.teachers) {
      if (!used.contains(t)) {
        r.teacher_id = t;
        break;
      }
    }
    if (r.teacher_id == 0) continue;
    for (int64_t st : s.students) {
      if (r.student_ids.size() == students) break;
      if (!used.contains(st)) r.student_ids.push_back(st);
    }
    if (r.student_ids.size() < students) continue;
    used.insert(r.teacher_id);
    used.insert(r.student_ids.begin(), r.student_ids.end());
    picked.push_back(std::move(r));
  }
  if (picked.size() < rooms) {
    Die("only " + std::to_string(picked.size()) + " sections have a free teacher and " +
        std::to_string(students) + " free students; generate a bigger district");
  }
  return picked;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_dir, out_path;
  size_t rooms = 0, room_size = 30;
  int minutes = 120;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--data-dir") {
      data_dir = value;
    } else if (flag == "--rooms") {
      rooms = std::stoul(value);
    } else if (flag == "--room-size") {
      room_size = std::stoul(value);
    } else if (flag == "--out") {
      out_path = value;
    } else if (flag == "--minutes") {
      minutes = std::stoi(value);
    } else {
      Die("unknown flag " + flag);
    }
  }
  if (data_dir.empty() || out_path.empty() || rooms == 0 || room_size < 2) {
    Die("usage: --data-dir D --rooms N [--room-size 30] [--minutes 120] --out FILE");
  }

  metrics::Registry metrics;
  store::Database::Options db_options;
  db_options.path = data_dir + "/homeroom.db";
  auto db = store::Database::Open(db_options, &metrics);
  if (!db.ok()) Die("opening the store: " + db.status().ToString());
  std::vector<Room> picked = PickRooms(**db, rooms, room_size - 1);

  // Schedule and start one session per room through the schedule service.
  const Clock& clock = SystemClock::Instance();
  auto service = domain::LiveScheduleService::Create(**db, clock, domain::LiveOptions{});
  if (!service.ok()) Die(service.status().ToString());
  const int64_t now = clock.NowMs();
  boost::asio::io_context io;
  auto schedule = [&]() -> boost::asio::awaitable<Status> {
    for (Room& r : picked) {
      domain::OneOffRequest request{.title = "Live bench " + std::to_string(r.section_id),
                                    .starts_at = IsoUtc(now),
                                    .ends_at = IsoUtc(now + int64_t{minutes} * 60'000)};
      auto scheduled =
          co_await (*service)->ScheduleOneOff(r.section_id, r.teacher_id, std::move(request));
      if (!scheduled.ok()) co_return scheduled.status();
      r.live_session_id = scheduled->sessions.at(0).id;
      auto started = co_await (*service)->Start(r.live_session_id);
      if (!started.ok()) co_return started.status();
    }
    co_return Status::Ok();
  };
  auto done = boost::asio::co_spawn(io, schedule(), boost::asio::use_future);
  io.run();
  Status scheduled = done.get();
  if (!scheduled.ok()) Die("scheduling: " + scheduled.ToString());

  // One session token per participant, as a sign-in would create it (12 hours, not remembered).
  std::ofstream out(out_path);
  if (!out) Die("cannot write " + out_path);
  std::vector<store::NewSession> sessions;
  auto add = [&](const Room& r, int64_t user_id, const char* role) {
    std::string token = auth::NewSessionToken();
    sessions.push_back({.token_hash = *auth::HashSessionToken(token),
                        .user_id = user_id,
                        .now_ms = now,
                        .expires_ms = now + 12 * 3600 * 1000,
                        .ip = "127.0.0.1",
                        .user_agent = "bench_live_setup"});
    out << r.live_session_id << ' ' << user_id << ' ' << role << ' ' << token << '\n';
  };
  for (const Room& r : picked) {
    add(r, r.teacher_id, "teacher");
    for (int64_t s : r.student_ids) add(r, s, "student");
  }
  out.close();
  Status minted = (*db)->WriteSync([&](sql::Connection& c) -> Status {
    for (const store::NewSession& s : sessions)
      HR_RETURN_IF_ERROR(store::InsertSession(c, s).status());
    return Status::Ok();
  });
  if (!minted.ok()) Die("minting sessions: " + minted.ToString());
  std::printf("setup: %zu live sessions started, %zu session tokens minted -> %s\n", picked.size(),
              sessions.size(), out_path.c_str());
  return 0;
}
