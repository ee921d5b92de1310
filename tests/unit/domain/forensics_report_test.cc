#include "domain/forensics_report.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "domain/activity_recorder.h"
#include "store/database.h"
#include "testing/temp_dir.h"

namespace homeroom::domain {
namespace {

constexpr int64_t kT0 = 1'790'000'040'000;  // a minute boundary
constexpr int64_t kMinute = 60'000;

Status Seed(sql::Connection& c) {
  return c.Exec(
      "INSERT INTO users (id, sourced_id, username, username_key, role, source_role, given_name,"
      " family_name, updated_ms) VALUES"
      " (100, 'u100', 'student_a', 'student_a', 'student', 'student', 'A', 'P', 0),"
      " (101, 'u101', 'student_b', 'student_b', 'student', 'student', 'B', 'D', 0),"
      " (300, 'u300', 'teacher_a', 'teacher_a', 'teacher', 'teacher', 'T', 'A', 0);"
      "INSERT INTO auth_events (at_ms, user_id, username, ip, kind) VALUES"
      " (1790000041000, 100, 'student_a', '127.0.0.66', 'login_ok'),"
      " (1790000042000, 100, 'student_a', '127.0.0.66', 'login_ok'),"
      " (1790000043000, 101, 'student_b', '127.0.0.70', 'login_ok'),"
      " (1790000044000, 300, 'teacher_a', '127.0.1.5', 'login_ok'),"
      " (1700000000000, 300, 'teacher_a', '127.0.0.66', 'login_ok');");
}

guard::RequestRecord At(int64_t at_ms, const char* ip, std::string_view path,
                        std::string_view agent) {
  guard::RequestRecord r;
  r.at = std::chrono::system_clock::time_point(std::chrono::milliseconds(at_ms));
  r.remote = boost::asio::ip::make_address(ip);
  r.method = "GET";
  r.path = path;
  r.user_agent = agent;
  r.status = 404;
  return r;
}

struct World {
  World() {
    auto opened = store::Database::Open({.path = dir.path() + "/h.db"}, &metrics);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    db = std::move(*opened);
    EXPECT_TRUE(db->WriteSync(Seed).ok());
  }
  ForensicsReport Report(ForensicsQuery q) {
    ForensicsReport report;
    Status s = db->ReadSync([&](sql::Connection& c) -> Status {
      HR_ASSIGN_OR_RETURN(report, BuildForensicsReport(c, q, {}, guard::LimitsOf(log.options()),
                                                       kT0 + 10 * kMinute));
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return report;
  }
  testing::TempDir dir;
  metrics::Registry metrics;
  std::unique_ptr<store::Database> db;
  guard::ActivityLog log{{}, metrics};
  ManualClock clock{kT0 + 10 * kMinute};
};

const ForensicsQuery kWindow{.from_ms = kT0,
                             .to_ms = kT0 + 5 * kMinute,
                             .top = 10,
                             .accounts_from_ms = kT0,
                             .accounts_to_ms = kT0 + 5 * kMinute};

TEST(ForensicsReport, ListsTheBusiestSourcesFirstWithTheAccountsThatSignedInFromThem) {
  World w;
  for (int i = 0; i < 30; ++i) {
    std::string path = "/wp-admin/" + std::to_string(i % 3);  // the record only views it
    auto r = At(kT0 + i * 1000, "127.0.0.66", path, "Stresser");
    w.log.OnRequest(r);
  }
  for (int i = 0; i < 5; ++i) {
    auto r = At(kT0 + i * 1000, "127.0.0.70", "/api/v1/me", "Firefox");
    r.user_id = 101;
    w.log.OnRequest(r);
  }
  auto far = At(kT0 + 2 * kMinute, "127.0.1.5", "/api/v1/me", "Safari");
  w.log.OnRequest(far);
  ActivityRecorder recorder(w.log, *w.db, w.clock, w.metrics);
  uint64_t writes_before = w.metrics.CounterValue("homeroom_db_writes_total");
  ASSERT_TRUE(recorder.FlushNow().ok());
  EXPECT_EQ(w.metrics.CounterValue("homeroom_db_writes_total") - writes_before, 1u);
  EXPECT_EQ(w.metrics.CounterValue("homeroom_guard_activity_flushes_total"), 1u);
  EXPECT_EQ(w.metrics.CounterValue("homeroom_guard_activity_rows_written_total"), 5u);

  ForensicsReport report = w.Report(kWindow);
  ASSERT_EQ(report.hosts.size(), 3u);
  EXPECT_EQ(SourceLabel(report.hosts[0].activity), "127.0.0.66");
  EXPECT_EQ(report.hosts[0].activity.requests, 30);
  EXPECT_EQ(SourceLabel(report.hosts[1].activity), "127.0.0.70");
  EXPECT_EQ(SourceLabel(report.hosts[2].activity), "127.0.1.5");
  // student_a signed in twice from .66 in the window; teacher_a's sign-in there is too old.
  ASSERT_EQ(report.hosts[0].signed_in.size(), 1u);
  EXPECT_EQ(report.hosts[0].signed_in[0].username, "student_a");
  EXPECT_EQ(report.hosts[0].signed_in[0].role, "student");
  EXPECT_EQ(report.hosts[0].signed_in[0].sign_ins, 2);
  ASSERT_EQ(report.hosts[1].authenticated.size(), 1u);
  EXPECT_EQ(report.hosts[1].authenticated[0].username, "student_b");

  ASSERT_EQ(report.subnets.size(), 2u);
  EXPECT_EQ(SourceLabel(report.subnets[0].activity), "127.0.0.0/24");
  EXPECT_EQ(report.subnets[0].activity.requests, 35);
  // The /24 names both accounts that signed in inside it, and not teacher_a's 127.0.1.5.
  ASSERT_EQ(report.subnets[0].signed_in.size(), 2u);
  EXPECT_EQ(report.subnets[0].signed_in[0].username, "student_a");
  EXPECT_EQ(report.subnets[0].signed_in[1].username, "student_b");

  // A narrower accounts window leaves student_a out.
  ForensicsQuery narrow = kWindow;
  narrow.accounts_from_ms = kT0 + 2500;
  EXPECT_TRUE(w.Report(narrow).hosts[0].signed_in.empty());
  // top limits each scope.
  ForensicsQuery one = kWindow;
  one.top = 1;
  EXPECT_EQ(w.Report(one).hosts.size(), 1u);
}

TEST(ForensicsReport, CsvQuotesWhatAnAttackerSentAndDefusesFormulas) {
  World w;
  auto r = At(kT0, "127.0.0.66", "/a,b", "=HYPERLINK(\"x\"), evil");
  w.log.OnRequest(r);
  ActivityRecorder recorder(w.log, *w.db, w.clock, w.metrics);
  ASSERT_TRUE(recorder.FlushNow().ok());
  ForensicsReport report = w.Report(kWindow);
  std::string csv = ForensicsCsv(report);
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "scope,source,subnet,requests,requests_uncertain,first_seen,last_seen,bytes_in,"
            "bytes_out,status_1xx,status_2xx,status_3xx,status_4xx,status_5xx,paths,user_agents,"
            "signed_in_accounts,authenticated_accounts");
  EXPECT_NE(csv.find("host,127.0.0.66,127.0.0.0/24,1,0,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",\"1 /a,b\","), std::string::npos) << csv;
  // The agent's quotes are doubled; it starts with a count, so no formula can start the cell.
  EXPECT_NE(csv.find(",\"1 =HYPERLINK(\"\"x\"\"), evil\","), std::string::npos) << csv;
  EXPECT_NE(csv.find("\"2 student_a (student, user 100)\""), std::string::npos) << csv;
  boost::json::object json = ForensicsJson(report);
  EXPECT_EQ(json.at("hosts").as_array()[0].at("user_agents").as_array()[0].at("user_agent"),
            "=HYPERLINK(\"x\"), evil");
}

TEST(ForensicsReport, QueryParametersAreCheckedAgainstTheirLimits) {
  auto zone = DistrictZone::Load("America/New_York");
  ASSERT_TRUE(zone.ok());
  ForensicsOptions o;
  const int64_t now = kT0;
  auto parse = [&](ForensicsParams p) { return ParseForensicsQuery(p, *zone, now, o); };
  auto defaults = parse({});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->to_ms, now);
  EXPECT_EQ(defaults->from_ms, now - 3600'000);
  EXPECT_EQ(defaults->top, o.default_top);
  EXPECT_EQ(defaults->accounts_from_ms, defaults->from_ms);

  auto ok = parse({.from = "2026-09-01T08:00:00Z", .to = "2026-09-01T09:00:00Z", .top = "5"});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->to_ms - ok->from_ms, 3600'000);
  EXPECT_EQ(ok->top, 5);

  auto too_long = parse({.from = "2026-09-01T00:00:00Z", .to = "2026-09-30T00:00:00Z"});
  EXPECT_EQ(too_long.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(too_long.status().message().find("forensics_max_window_h"), std::string::npos);
  auto inverted = parse({.from = "2026-09-02T00:00:00Z", .to = "2026-09-01T00:00:00Z"});
  EXPECT_EQ(inverted.status().message(), "to must be after from");
  EXPECT_FALSE(parse({.top = "0"}).ok());
  EXPECT_FALSE(parse({.top = "1000"}).ok());
  EXPECT_FALSE(parse({.top = "5x"}).ok());
  EXPECT_FALSE(parse({.from = "yesterday"}).ok());
  auto accounts = parse({.accounts_from = "2026-09-15T00:00:00Z"});
  ASSERT_TRUE(accounts.ok());
  EXPECT_EQ(accounts->accounts_to_ms, accounts->to_ms);
  auto accounts_too_long = parse({.accounts_from = "2026-08-01T00:00:00Z"});
  EXPECT_NE(accounts_too_long.status().message().find("forensics_max_accounts_window_h"),
            std::string::npos);
}

TEST(ActivityRecorder, RetentionDeletesActivityAndAuditEntriesPastTheirAge) {
  World w;
  auto old = At(kT0 - 15 * 24 * 3600'000LL, "127.0.0.66", "/", "x");
  w.log.OnRequest(old);
  auto recent = At(kT0, "127.0.0.66", "/", "x");
  w.log.OnRequest(recent);
  ActivityRecorder recorder(
      w.log, *w.db, w.clock, w.metrics,
      {.retention = std::chrono::days(14), .audit_retention = std::chrono::days(1)});
  ASSERT_TRUE(recorder.FlushNow().ok());
  store::AuditEntry e{.at_ms = kT0 - 2 * 24 * 3600'000LL,
                      .actor = "cli:root",
                      .actor_ip = "local",
                      .action = "forensics.report"};
  ASSERT_TRUE(
      w.db->WriteSync([&](sql::Connection& c) { return store::AuditStore::Append(c, e).status(); })
          .ok());
  auto pruned = recorder.PruneNow();
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 2);  // the old slice's host and subnet rows
  EXPECT_EQ(w.metrics.CounterValue("homeroom_guard_audit_rows_pruned_total"), 1u);
  EXPECT_EQ(w.Report(kWindow).hosts.size(), 1u);
}

}  // namespace
}  // namespace homeroom::domain
