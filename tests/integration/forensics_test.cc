// Forensics against the real server: traffic and a sign-in from one source address, then the
// district admin's report (JSON and CSV), the audit log, and the CLI reading the same store while
// the server runs.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <sstream>

#include "cli/forensics_commands.h"
#include "core/clock.h"
#include "integration/test_server.h"

namespace homeroom::testing {
namespace {

constexpr const char* kAttacker = "127.0.0.66";
constexpr const char* kAgent = "GoldenEye/3.0 (stresser)";

// The source of `label` in `list` ("hosts" or "subnets"), or null.
const boost::json::object* FindSource(const boost::json::value& report, const char* list,
                                      const std::string& label) {
  for (const auto& s : report.at(list).as_array()) {
    if (s.at("source").as_string() == label) return &s.as_object();
  }
  return nullptr;
}

bool HasEntry(const boost::json::value& array, const char* key, const std::string& value) {
  for (const auto& e : array.as_array()) {
    if (e.at(key).as_string() == value) return true;
  }
  return false;
}

// Asserts what the report must say about the attacker.
void ExpectAttackerNamed(const boost::json::value& report) {
  const boost::json::object* host = FindSource(report, "hosts", kAttacker);
  ASSERT_NE(host, nullptr) << boost::json::serialize(report);
  EXPECT_GE(host->at("requests").as_int64(), 7);
  EXPECT_EQ(host->at("subnet").as_string(), "127.0.0.0/24");
  EXPECT_TRUE(HasEntry(host->at("paths"), "path", "/wp-login.php")) << *host;
  EXPECT_TRUE(HasEntry(host->at("paths"), "path", "/.env")) << *host;
  EXPECT_TRUE(HasEntry(host->at("user_agents"), "user_agent", kAgent)) << *host;
  EXPECT_GE(host->at("status").at("4xx").as_int64(), 6);
  ASSERT_EQ(host->at("signed_in_accounts").as_array().size(), 1u) << *host;
  const auto& account = host->at("signed_in_accounts").as_array()[0];
  EXPECT_EQ(account.at("username").as_string(), "student_a");
  EXPECT_EQ(account.at("role").as_string(), "student");
  EXPECT_EQ(account.at("user_id").as_int64(), 100);
  const boost::json::object* subnet = FindSource(report, "subnets", "127.0.0.0/24");
  ASSERT_NE(subnet, nullptr);
  EXPECT_TRUE(HasEntry(subnet->at("signed_in_accounts"), "username", "student_a"));
}

TEST(Forensics, TheReportNamesTheAttackingSourceItsPathsAgentAndTheAccountSignedInFromIt) {
  TestServer server;
  HttpClient attacker = server.Client(kAttacker);
  HttpClient::Headers agent = {{"User-Agent", kAgent}};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(attacker.Get("/wp-login.php?i=" + std::to_string(i), agent).result_int(), 404);
  }
  EXPECT_EQ(attacker.Get("/.env", agent).result_int(), 404);
  auto login = attacker.Post("/api/v1/auth/login",
                             R"({"username":"student_a","password":"pw-student_a"})", agent);
  ASSERT_EQ(login.result_int(), 200) << login.body();

  const int64_t now = SystemClock::Instance().NowMs();
  const std::string from = FormatIsoUtc(now - 10 * 60'000);
  const std::string to = FormatIsoUtc(now + 60'000);
  const std::string query = "/api/v1/admin/forensics?from=" + from + "&to=" + to;
  auto district = Bearer(server.Login("district"));

  // JSON: the API flushes the activity log first, so the current slice is in the report.
  auto json = server.Client().Get(query, district);
  ASSERT_EQ(json.result_int(), 200) << json.body();
  ExpectAttackerNamed(HttpClient::Json(json));

  auto csv = server.Client().Get(query + "&format=csv&top=5", district);
  ASSERT_EQ(csv.result_int(), 200) << csv.body();
  EXPECT_EQ(csv[boost::beast::http::field::content_type],
            "text/csv; charset=utf-8; header=present");
  EXPECT_TRUE(csv[boost::beast::http::field::content_disposition].starts_with(
      "attachment; filename=\"forensics-"));
  const std::string& body = csv.body();
  EXPECT_NE(body.find("host,127.0.0.66,127.0.0.0/24,"), std::string::npos) << body;
  EXPECT_NE(body.find("subnet,127.0.0.0/24,127.0.0.0/24,"), std::string::npos) << body;
  EXPECT_NE(body.find(" /wp-login.php"), std::string::npos);
  EXPECT_NE(body.find(kAgent), std::string::npos);
  EXPECT_NE(body.find("student_a (student, user 100)"), std::string::npos);

  // Only district admins: a school admin and a student are refused, anonymous must sign in.
  EXPECT_EQ(server.Client().Get(query, Bearer(server.Login("admin_a"))).result_int(), 403);
  EXPECT_EQ(server.Client().Get(query, Bearer(server.Login("student_a"))).result_int(), 403);
  EXPECT_EQ(server.Client().Get(query).result_int(), 401);
  // Limits say why.
  auto wide = server.Client().Get(
      "/api/v1/admin/forensics?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z", district);
  EXPECT_EQ(wide.result_int(), 400);
  EXPECT_NE(wide.body().find("forensics_max_window_h"), std::string::npos) << wide.body();
  EXPECT_EQ(server.Client().Get(query + "&top=100000", district).result_int(), 400);
  EXPECT_EQ(server.Client().Get(query + "&format=xml", district).result_int(), 400);

  // The CLI, reading the store while the server runs, prints the same report.
  cli::ForensicsArgs args;
  args.data_dir = server.app().config().data_dir;
  args.from = from;
  args.to = to;
  args.os_user = "operator";
  std::ostringstream out;
  std::ostringstream err;
  ASSERT_EQ(cli::RunForensics(args, out, err), 0) << err.str();
  ExpectAttackerNamed(boost::json::parse(out.str()));
  args.format = "csv";
  std::ostringstream csv_out;
  ASSERT_EQ(cli::RunForensics(args, csv_out, err), 0) << err.str();
  EXPECT_NE(csv_out.str().find("host,127.0.0.66,127.0.0.0/24,"), std::string::npos);

  // Every access is in the audit log: the two API reads as "district" from 127.0.0.1, the CLI's
  // as cli:operator from local. Reading the audit log is audited too.
  auto audit = server.Client().Get("/api/v1/admin/audit?action=forensics.report", district);
  ASSERT_EQ(audit.result_int(), 200) << audit.body();
  auto items = HttpClient::Json(audit).at("items").as_array();
  ASSERT_EQ(items.size(), 4u) << audit.body();
  EXPECT_EQ(items[0].at("actor").as_string(), "district");
  EXPECT_EQ(items[0].at("actor_user_id").as_int64(), 500);
  EXPECT_EQ(items[0].at("actor_ip").as_string(), "127.0.0.1");
  EXPECT_EQ(items[0].at("detail").at("format").as_string(), "json");
  EXPECT_EQ(items[0].at("detail").at("from").as_string(), from);
  EXPECT_EQ(items[1].at("detail").at("format").as_string(), "csv");
  EXPECT_EQ(items[2].at("actor").as_string(), "cli:operator");
  EXPECT_EQ(items[2].at("actor_ip").as_string(), "local");
  EXPECT_EQ(items[2].at("detail").at("via").as_string(), "cli");
  auto reads = server.Client().Get("/api/v1/admin/audit?action=audit.read", district);
  EXPECT_EQ(HttpClient::Json(reads).at("items").as_array().size(), 2u);
  EXPECT_EQ(
      server.Client().Get("/api/v1/admin/audit", Bearer(server.Login("admin_a"))).result_int(),
      403);
  EXPECT_GE(server.app().metrics().CounterValue("homeroom_guard_activity_flushes_total"), 2u);

  // The CLI takes the server's report settings (serve's flags and environment), not its own.
  cli::ForensicsArgs narrow = args;
  narrow.report.max_top = 3;
  narrow.top = "5";
  std::ostringstream narrow_out, narrow_err;
  EXPECT_EQ(cli::RunForensics(narrow, narrow_out, narrow_err), 2);
  EXPECT_NE(narrow_err.str().find("from 1 to 3"), std::string::npos) << narrow_err.str();
}

}  // namespace
}  // namespace homeroom::testing
