#include "storm/report.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "storm/detection.h"

namespace homeroom::storm {
namespace {

using std::chrono::microseconds;

TEST(Stats, ClassifiesAnswersAndFailures) {
  TrafficStats s("api");
  s.RecordStatus(200, microseconds(1000));
  s.RecordStatus(429, microseconds(200));
  s.RecordStatus(503, microseconds(300));
  s.RecordStatus(404, microseconds(300));
  s.RecordError(NetError::kRefused, microseconds(50));
  s.RecordError(NetError::kTimeout, microseconds(10'000'000));
  s.RecordError(NetError::kCapped, microseconds(0));
  EXPECT_EQ(s.attempts(), 7u);
  EXPECT_EQ(s.answers(), 4u);
  EXPECT_EQ(s.successes(), 1u);
  EXPECT_EQ(s.rejections(), 2u);
  EXPECT_EQ(s.ErrorCount(NetError::kRefused), 1u);
  EXPECT_EQ(s.latency().count(), 6u);  // a capped attempt never left the storm: no latency
}

TEST(Stats, MapsSocketErrorsToKinds) {
  namespace error = boost::asio::error;
  EXPECT_EQ(ClassifyError(error::connection_refused), NetError::kRefused);
  EXPECT_EQ(ClassifyError(error::connection_reset), NetError::kReset);
  EXPECT_EQ(ClassifyError(error::broken_pipe), NetError::kReset);
  EXPECT_EQ(ClassifyError(error::eof), NetError::kClosed);
  EXPECT_EQ(ClassifyError(boost::beast::error::timeout), NetError::kTimeout);
  EXPECT_EQ(ClassifyError(error::address_in_use), NetError::kOther);
}

TEST(Report, JsonKeepsLegitimateAndAttackTrafficApart) {
  StormConfig config;
  config.target = *ParseTarget("127.0.0.1:8080");
  StormResult r;
  r.legit_users = 2;
  for (int i = 0; i < 999; ++i) r.api->RecordStatus(200, microseconds(2000));
  r.api->RecordStatus(503, microseconds(100));
  r.chat->RecordOk(microseconds(500));
  AttackSpec spec{.kind = AttackKind::kHttpFlood, .rate = 500, .sources = 4, .connections = 8};
  r.attacks.emplace_back(spec, std::make_unique<TrafficStats>("http-flood"));
  r.attacks[0].second->RecordStatus(429, microseconds(100));
  r.attacks[0].second->RecordStatus(404, microseconds(100));
  r.attacks[0].second->RecordError(NetError::kReset, microseconds(100));
  r.detection.availability = DetectionResult::Availability::kUnavailable;
  r.detection.last_http_status = 404;

  // Through text, as a script reads the file.
  boost::json::value v = boost::json::parse(boost::json::serialize(ReportJson(config, r)));
  const auto& legit = v.at("legit");
  EXPECT_EQ(legit.at("streams").at("api").at("attempts").to_number<uint64_t>(), 1000u);
  EXPECT_EQ(legit.at("streams").at("api").at("status").at("503").to_number<uint64_t>(), 1u);
  EXPECT_EQ(legit.at("total").at("attempts").to_number<uint64_t>(), 1001u);
  EXPECT_NEAR(legit.at("total").at("success_rate").to_number<double>(), 1000.0 / 1001, 1e-9);
  EXPECT_NEAR(legit.at("streams").at("api").at("latency_ms").at("p50").to_number<double>(), 2.0,
              0.05);
  const auto& flood = v.at("attacks").at("http-flood");
  EXPECT_EQ(flood.at("rate").to_number<double>(), 500);
  EXPECT_EQ(flood.at("stats").at("attempts").to_number<uint64_t>(), 3u);
  EXPECT_EQ(flood.at("stats").at("status").at("429").to_number<uint64_t>(), 1u);
  EXPECT_EQ(flood.at("stats").at("without_answer").at("reset").to_number<uint64_t>(), 1u);
  EXPECT_EQ(v.at("detection").at("status").as_string(), "n/a");
  EXPECT_TRUE(v.at("detection").at("seconds").is_null());

  std::string table = ReportTable(config, r);
  EXPECT_NE(table.find("LEGITIMATE"), std::string::npos);
  EXPECT_NE(table.find("http-flood"), std::string::npos);
  EXPECT_NE(table.find("Time to detect: n/a"), std::string::npos);
}

TEST(Report, DetectionIsReportedWithItsDelay) {
  StormConfig config;
  config.target = *ParseTarget("127.0.0.1:8080");
  StormResult r;
  r.attacks.emplace_back(
      AttackSpec{.kind = AttackKind::kSlowloris, .rate = 1, .sources = 1, .connections = 1},
      std::make_unique<TrafficStats>("slowloris"));
  r.detection.availability = DetectionResult::Availability::kAvailable;
  r.detection.state_before = "normal";
  r.detection.state_after = "slow_clients";
  r.detection.seconds = 12.5;
  auto json = ReportJson(config, r);
  EXPECT_EQ(json.at("detection").at("status").as_string(), "detected");
  EXPECT_EQ(json.at("detection").at("seconds").to_number<double>(), 12.5);
  EXPECT_NE(ReportTable(config, r).find("12.5 s"), std::string::npos);
}

TEST(Detection, ReadsTheAttackStateFromSeveralShapes) {
  // Homeroom's GET /api/v1/admin/status: the attack types in progress, not their changing rates.
  EXPECT_EQ(AttackStateOf(R"({"load":{"requests_per_s":12.5},"attack":{"mode":"auto",)"
                          R"("detected":false,"under_attack":false,"active":[],"recent":[]}})"),
            "none");
  EXPECT_EQ(AttackStateOf(R"({"attack":{"under_attack":true,"active":[)"
                          R"({"type":"slow_clients","rate":3.5,"sources":["127.1.0.1"]},)"
                          R"({"type":"flood","rate":900.1,"sources":[]}]}})"),
            "flood+slow_clients");
  EXPECT_EQ(AttackStateOf(R"({"attack_state":"normal"})"), "normal");
  EXPECT_EQ(AttackStateOf(R"({"attack":{"state":"flood","since":1}})"), "flood");
  EXPECT_EQ(AttackStateOf(R"({"attack":{"type":"login_stuffing"}})"), "login_stuffing");
  EXPECT_EQ(AttackStateOf(R"({"under_attack":true})"), "true");
  EXPECT_EQ(AttackStateOf(R"({"load":1})"), "");
  EXPECT_EQ(AttackStateOf("not json"), "");
}

}  // namespace
}  // namespace homeroom::storm
