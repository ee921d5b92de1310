// Alternate pathways against the real server and store: rules by the district, a school and a
// section, by grade band and effective date; the section's meeting link; what Join does for each
// student; opening the external link recorded as attendance.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "core/clock.h"
#include "integration/test_server.h"

namespace homeroom::testing {
namespace {

namespace bhttp = boost::beast::http;

struct Caller {
  TestServer& server;
  std::string token;
  HttpClient::Response Send(bhttp::verb verb, const std::string& target,
                            const std::string& body = "") {
    return server.Client().Send(verb, target, body, Bearer(token));
  }
  int64_t AddRule(const std::string& body) {
    auto res = Send(bhttp::verb::post, "/api/v1/pathway-rules", body);
    EXPECT_EQ(res.result_int(), 201) << body << ": " << res.body();
    return HttpClient::Json(res).at("id").as_int64();
  }
  // section id -> {"pathway", "meeting_url"} for the caller's sections.
  boost::json::object Pathway(int64_t section_id) {
    auto res = Send(bhttp::verb::get, "/api/v1/me/pathways");
    EXPECT_EQ(res.result_int(), 200) << res.body();
    boost::json::value body = HttpClient::Json(res);  // a local: never loop over a temporary
    for (const auto& item : body.at("items").as_array()) {
      if (item.at("section_id").as_int64() == section_id) return item.as_object();
    }
    ADD_FAILURE() << "section " << section_id << " not in " << res.body();
    return {};
  }
  int64_t ScheduleSoon(int64_t section_id) {
    int64_t now = SystemClock::Instance().NowMs();
    std::string body = fmt::format(R"({{"title":"Live","starts_at":"{}","ends_at":"{}"}})",
                                   FormatIsoUtc(now + 5 * 60'000), FormatIsoUtc(now + 50 * 60'000));
    auto res =
        Send(bhttp::verb::post, fmt::format("/api/v1/sections/{}/live-sessions", section_id), body);
    EXPECT_EQ(res.result_int(), 201) << res.body();
    return HttpClient::Json(res).at("items").at(0).at("id").as_int64();
  }
};

TEST(Pathways, TheDistrictSwitchesGrades6To12AndOnlyTheirJoinGoesToTheMeetingLink) {
  TestServer server;
  Caller district{server, server.Login("district")};
  Caller teacher_a{server, server.Login("teacher_a")};  // section 10, grade 3
  Caller teacher_b{server, server.Login("teacher_b")};  // section 20, grade 10
  Caller student_a{server, server.Login("student_a")};
  Caller student_b{server, server.Login("student_b")};
  Caller guardian_b{server, server.Login("guardian_b")};

  EXPECT_EQ(student_b.Pathway(20).at("pathway").as_string(), "built_in");
  district.AddRule(R"({"scope":"district","grade_band":"6-12","pathway":"external"})");
  auto link = teacher_b.Send(bhttp::verb::put, "/api/v1/sections/20/meeting-link",
                             R"({"url":"https://meet.example.test/algebra-1"})");
  ASSERT_EQ(link.result_int(), 200) << link.body();

  auto b = student_b.Pathway(20);
  EXPECT_EQ(b.at("pathway").as_string(), "external");
  EXPECT_EQ(b.at("meeting_url").as_string(), "https://meet.example.test/algebra-1");
  EXPECT_EQ(guardian_b.Pathway(20).at("pathway").as_string(), "external");
  auto a = student_a.Pathway(10);
  EXPECT_EQ(a.at("pathway").as_string(), "built_in");
  EXPECT_TRUE(a.at("meeting_url").is_null());

  // Opening the link is the student's attendance for the external session.
  int64_t algebra = teacher_b.ScheduleSoon(20);
  auto open = student_b.Send(bhttp::verb::post,
                             fmt::format("/api/v1/live-sessions/{}/open-external", algebra));
  ASSERT_EQ(open.result_int(), 200) << open.body();
  EXPECT_EQ(HttpClient::Json(open).at("url").as_string(), "https://meet.example.test/algebra-1");
  auto report =
      teacher_b.Send(bhttp::verb::get, fmt::format("/api/v1/live-sessions/{}/attendance", algebra));
  ASSERT_EQ(report.result_int(), 200) << report.body();
  auto items = HttpClient::Json(report).at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_TRUE(items[0].at("opened_external_at").is_string()) << report.body();

  // The grade 3 section stays in the built-in room: there is no external link to open.
  int64_t homeroom = teacher_a.ScheduleSoon(10);
  auto refused = student_a.Send(bhttp::verb::post,
                                fmt::format("/api/v1/live-sessions/{}/open-external", homeroom));
  EXPECT_EQ(refused.result_int(), 409) << refused.body();
  auto none = teacher_a.Send(bhttp::verb::get,
                             fmt::format("/api/v1/live-sessions/{}/attendance", homeroom));
  EXPECT_TRUE(HttpClient::Json(none).at("items").at(0).at("opened_external_at").is_null());
}

TEST(Pathways, ATeacherReadsAndRemovesTheSectionsLinkAndJoinWaitsForANewOne) {
  TestServer server;
  Caller district{server, server.Login("district")};
  Caller teacher_b{server, server.Login("teacher_b")};  // section 20, grade 10
  Caller student_b{server, server.Login("student_b")};
  const std::string link = "/api/v1/sections/20/meeting-link";
  auto read = [&] {
    auto res = teacher_b.Send(bhttp::verb::get, link);
    EXPECT_EQ(res.result_int(), 200) << res.body();
    return HttpClient::Json(res);
  };
  EXPECT_TRUE(read().at("url").is_null());  // nothing saved yet, pathway or not
  ASSERT_EQ(teacher_b.Send(bhttp::verb::put, link, R"({"url":"https://meet.example.test/a"})")
                .result_int(),
            200);
  EXPECT_EQ(read().at("url").as_string(), "https://meet.example.test/a");  // built-in today
  EXPECT_EQ(student_b.Send(bhttp::verb::get, link).result_int(), 403);

  district.AddRule(R"({"scope":"district","grade_band":"6-12","pathway":"external"})");
  int64_t session = teacher_b.ScheduleSoon(20);
  const std::string open = fmt::format("/api/v1/live-sessions/{}/open-external", session);
  EXPECT_EQ(student_b.Send(bhttp::verb::post, open).result_int(), 200);

  auto removed = teacher_b.Send(bhttp::verb::delete_, link);
  ASSERT_EQ(removed.result_int(), 200) << removed.body();
  EXPECT_TRUE(HttpClient::Json(removed).at("deleted").as_bool());
  EXPECT_TRUE(read().at("url").is_null());
  auto waiting = student_b.Send(bhttp::verb::post, open);
  EXPECT_EQ(waiting.result_int(), 409) << waiting.body();  // external, but no link to open
  auto again = teacher_b.Send(bhttp::verb::delete_, link);
  EXPECT_FALSE(HttpClient::Json(again).at("deleted").as_bool());
}

TEST(Pathways, TheMostSpecificRuleInForceWins) {
  TestServer server;
  Caller district{server, server.Login("district")};
  Caller admin_b{server, server.Login("admin_b")};  // school 3
  Caller teacher_b{server, server.Login("teacher_b")};
  Caller student_b{server, server.Login("student_b")};
  auto pathway = [&] { return std::string(student_b.Pathway(20).at("pathway").as_string()); };

  district.AddRule(R"({"scope":"district","pathway":"external"})");
  EXPECT_EQ(pathway(), "external");
  // A grade band beats every grade at the same scope.
  district.AddRule(R"({"scope":"district","grade_band":"6-12","pathway":"built_in"})");
  EXPECT_EQ(pathway(), "built_in");
  // The school beats the district, whatever the band.
  int64_t school = admin_b.AddRule(R"({"scope":"school","scope_id":3,"pathway":"external"})");
  EXPECT_EQ(pathway(), "external");
  // A section rule not yet in force changes nothing; one in force beats the school.
  teacher_b.AddRule(
      R"({"scope":"section","scope_id":20,"pathway":"built_in","effective_from":"2999-01-01"})");
  EXPECT_EQ(pathway(), "external");
  int64_t section = teacher_b.AddRule(R"({"scope":"section","scope_id":20,"pathway":"built_in"})");
  EXPECT_EQ(pathway(), "built_in");
  EXPECT_EQ(student_b.Pathway(20).at("rule_id").as_int64(), section);
  // Removing rules falls back to the next most specific.
  ASSERT_EQ(teacher_b.Send(bhttp::verb::delete_, fmt::format("/api/v1/pathway-rules/{}", section))
                .result_int(),
            200);
  EXPECT_EQ(student_b.Pathway(20).at("rule_id").as_int64(), school);

  auto list = district.Send(bhttp::verb::get, "/api/v1/pathway-rules");
  ASSERT_EQ(list.result_int(), 200);
  EXPECT_EQ(HttpClient::Json(list).at("items").as_array().size(), 4u);
}

TEST(Pathways, InvalidRulesAndLinksAreRefusedWithTheReason) {
  TestServer server;
  Caller district{server, server.Login("district")};
  for (const char* body : {
           R"({"scope":"county","pathway":"external"})",
           R"({"scope":"school","pathway":"external"})",
           R"({"scope":"district","scope_id":1,"pathway":"external"})",
           R"({"scope":"district","grade_band":"k-8","pathway":"external"})",
           R"({"scope":"district","pathway":"zoom"})",
           R"({"scope":"district","pathway":"external","effective_from":"2026-02-30"})",
       }) {
    auto res = district.Send(bhttp::verb::post, "/api/v1/pathway-rules", body);
    EXPECT_EQ(res.result_int(), 400) << body << ": " << res.body();
  }
  auto missing = district.Send(bhttp::verb::post, "/api/v1/pathway-rules",
                               R"({"scope":"school","scope_id":999,"pathway":"external"})");
  EXPECT_EQ(missing.result_int(), 404) << missing.body();
  for (const char* body : {R"({"url":"http://meet.example.test/x"})",
                           R"({"url":"https:///no-host"})", R"({"url":"https://a b"})", R"({})"}) {
    auto res = district.Send(bhttp::verb::put, "/api/v1/sections/20/meeting-link", body);
    EXPECT_EQ(res.result_int(), 400) << body << ": " << res.body();
  }
}

}  // namespace
}  // namespace homeroom::testing
