// Teacher feedback against the real server and store: teachers send it, each administrator reads
// the entries and the summary of the schools they run, limits refuse with a reason.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <string>

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
  // Sends feedback; its JSON when the answer is `expected`.
  boost::json::value Feedback(const std::string& body, int expected = 201) {
    auto res = Send(bhttp::verb::post, "/api/v1/feedback", body);
    EXPECT_EQ(res.result_int(), expected) << body << ": " << res.body();
    return HttpClient::Json(res);
  }
  boost::json::value Get(const std::string& target, int expected = 200) {
    auto res = Send(bhttp::verb::get, target);
    EXPECT_EQ(res.result_int(), expected) << target << ": " << res.body();
    return HttpClient::Json(res);
  }
};

// The ids of a list answer's items, in order.
std::vector<int64_t> Ids(const boost::json::value& list) {
  std::vector<int64_t> ids;
  if (!list.is_object()) return ids;
  for (const auto& item : list.at("items").as_array()) ids.push_back(item.at("id").as_int64());
  return ids;
}

// The group of `key` == `value` in a summary array, or an empty object (and a failure).
boost::json::object Group(const boost::json::value& summary, const char* array, const char* key,
                          const boost::json::value& value) {
  for (const auto& g : summary.at(array).as_array()) {
    if (g.at(key) == value) return g.as_object();
  }
  ADD_FAILURE() << "no " << key << "=" << boost::json::serialize(value) << " in "
                << boost::json::serialize(summary);
  return {};
}

TEST(Feedback, EachAdministratorReadsTheFeedbackOfTheSchoolsTheyRunWithItsSchoolAndGradeBand) {
  TestServer server;
  Caller teacher_a{server, server.Login("teacher_a")};  // section 10, Coral Elementary (PK-5)
  Caller teacher_b{server, server.Login("teacher_b")};  // section 20, Bay High (9-12)
  Caller admin_a{server, server.Login("admin_a")};
  Caller admin_b{server, server.Login("admin_b")};
  Caller district{server, server.Login("district")};

  auto about_section = teacher_a.Feedback(
      R"({"rating":2,"category":"connectivity","text":"Audio drops every morning","section_id":10})");
  ASSERT_TRUE(about_section.is_object());
  EXPECT_EQ(about_section.at("school_id"), 2);
  EXPECT_EQ(about_section.at("grade_band"), "prek-5");
  EXPECT_EQ(about_section.at("teacher_name"), "Tess Adams");
  // Without a section: the teacher's school, and the band all their sections share.
  auto general = teacher_a.Feedback(R"({"rating":4,"category":"content","text":"Polls help"})");
  EXPECT_EQ(general.at("school_id"), 2);
  EXPECT_EQ(general.at("section_id"), nullptr);
  EXPECT_EQ(general.at("grade_band"), "prek-5");
  auto high = teacher_b.Feedback(R"({"rating":5,"category":"platform","text":"Très bien"})");
  EXPECT_EQ(high.at("school_id"), 3);
  EXPECT_EQ(high.at("grade_band"), "6-12");

  const int64_t a1 = about_section.at("id").as_int64();
  const int64_t a2 = general.at("id").as_int64();
  const int64_t b1 = high.at("id").as_int64();
  // Newest first; each school admin sees their school's only; the district sees all.
  EXPECT_EQ(Ids(admin_a.Get("/api/v1/feedback")), (std::vector<int64_t>{a2, a1}));
  EXPECT_EQ(Ids(admin_b.Get("/api/v1/feedback")), (std::vector<int64_t>{b1}));
  EXPECT_EQ(Ids(district.Get("/api/v1/feedback")), (std::vector<int64_t>{b1, a2, a1}));
  EXPECT_EQ(Ids(district.Get("/api/v1/feedback?school_id=3")), (std::vector<int64_t>{b1}));
  EXPECT_EQ(Ids(district.Get("/api/v1/feedback?category=connectivity")),
            (std::vector<int64_t>{a1}));
  admin_b.Get("/api/v1/feedback?school_id=2", 403);
  // A teacher reads back what they sent, never a colleague's.
  EXPECT_EQ(Ids(teacher_b.Get("/api/v1/feedback")), (std::vector<int64_t>{b1}));
  EXPECT_EQ(Ids(teacher_b.Get("/api/v1/feedback?school_id=2")), (std::vector<int64_t>{b1}));
  // Pages: the cursor continues below the last entry seen.
  auto first = district.Get("/api/v1/feedback?limit=2");
  EXPECT_EQ(Ids(first), (std::vector<int64_t>{b1, a2}));
  auto rest = district.Get("/api/v1/feedback?limit=2&cursor=" +
                           std::string(first.at("next_cursor").as_string()));
  EXPECT_EQ(Ids(rest), (std::vector<int64_t>{a1}));

  auto summary = district.Get("/api/v1/feedback/summary");
  EXPECT_EQ(summary.at("overall").at("count"), 3);
  EXPECT_DOUBLE_EQ(summary.at("overall").at("average_rating").as_double(), 3.67);
  auto coral = Group(summary, "by_school", "school_id", 2);
  EXPECT_EQ(coral.at("school_name"), "Coral Elementary");
  EXPECT_EQ(coral.at("count"), 2);
  EXPECT_DOUBLE_EQ(coral.at("average_rating").as_double(), 3.0);
  EXPECT_EQ(coral.at("by_category").at("connectivity"), 1);
  EXPECT_EQ(coral.at("by_category").at("content"), 1);
  EXPECT_EQ(coral.at("by_category").at("platform"), 0);
  auto secondary = Group(summary, "by_grade_band", "grade_band", "6-12");
  EXPECT_EQ(secondary.at("count"), 1);
  EXPECT_DOUBLE_EQ(secondary.at("average_rating").as_double(), 5.0);
  auto school_summary = admin_a.Get("/api/v1/feedback/summary");
  EXPECT_EQ(school_summary.at("overall").at("count"), 2);
  EXPECT_EQ(school_summary.at("by_school").as_array().size(), 1u);
  teacher_a.Get("/api/v1/feedback/summary", 403);
}

TEST(Feedback, BadFeedbackIsRefusedWithTheReasonAndNothingIsStored) {
  TestServer server([](app::AppConfig& c) { c.feedback.max_text_chars = 10; });
  Caller teacher{server, server.Login("teacher_a")};
  struct Case {
    const char* body;
    int status;
    const char* reason;
  };
  const Case cases[] = {
      {R"({"rating":0,"category":"other","text":"x"})", 400, "rating"},
      {R"({"rating":6,"category":"other","text":"x"})", 400, "rating"},
      {R"({"rating":"5","category":"other","text":"x"})", 400, "rating"},
      {R"({"rating":3,"category":"weather","text":"x"})", 400, "category"},
      {R"({"rating":3,"category":"other","text":""})", 400, "text"},
      {R"({"rating":3,"category":"other","text":"eleven char"})", 400, "at most 10 characters"},
      {R"({"rating":3,"category":"other","text":"x","section_id":20})", 403, "section you teach"},
      {R"({"rating":3,"category":"other","text":"x","section_id":"10"})", 400, "section_id"},
  };
  for (const auto& c : cases) {
    auto res = teacher.Send(bhttp::verb::post, "/api/v1/feedback", c.body);
    EXPECT_EQ(res.result_int(), c.status) << c.body << ": " << res.body();
    EXPECT_NE(res.body().find(c.reason), std::string::npos) << c.body << ": " << res.body();
  }
  // Ten characters, not ten bytes: accented text within the limit is taken.
  teacher.Feedback(R"({"rating":3,"category":"other","text":"éèàùçéèàùç"})");
  Caller district{server, server.Login("district")};
  EXPECT_EQ(Ids(district.Get("/api/v1/feedback")).size(), 1u);
  district.Get("/api/v1/feedback?from=2026-09-02&to=2026-09-01", 400);
  district.Get("/api/v1/feedback?from=yesterday", 400);
  district.Get("/api/v1/feedback?category=weather", 400);
}

TEST(Feedback, ATeacherOverTheDailyLimitIsToldToWait) {
  TestServer server([](app::AppConfig& c) { c.feedback.max_per_teacher_per_day = 2; });
  Caller teacher{server, server.Login("teacher_a")};
  const std::string body = R"({"rating":3,"category":"platform","text":"ok"})";
  teacher.Feedback(body);
  teacher.Feedback(body);
  auto res = teacher.Send(bhttp::verb::post, "/api/v1/feedback", body);
  EXPECT_EQ(res.result_int(), 429) << res.body();
  EXPECT_NE(res.body().find("at most 2 feedback entries in 24 hours"), std::string::npos);
  EXPECT_EQ(res[bhttp::field::retry_after], "3600");
  // Another teacher is not held back by it.
  Caller other{server, server.Login("teacher_b")};
  other.Feedback(body);
}

}  // namespace
}  // namespace homeroom::testing
