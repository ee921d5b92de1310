#include "core/metrics.h"

#include <gtest/gtest.h>

namespace homeroom::metrics {
namespace {

TEST(Registry, CountersWithLabelsRenderInPrometheusFormat) {
  Registry r;
  r.GetCounter("homeroom_http_requests_total", "Requests.", {{"route", "/a"}, {"status", "200"}})
      .Inc(2);
  r.GetCounter("homeroom_http_requests_total", "Requests.", {{"route", "/a"}, {"status", "200"}})
      .Inc();
  std::string text = r.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE homeroom_http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("homeroom_http_requests_total{route=\"/a\",status=\"200\"} 3"),
            std::string::npos);
  EXPECT_EQ(r.CounterValue("homeroom_http_requests_total", {{"route", "/a"}, {"status", "200"}}),
            3u);
}

TEST(Registry, HistogramBucketsAreCumulative) {
  Registry r;
  auto& h = r.GetHistogram("lat_seconds", "Latency.");
  h.Observe(0.0005);
  h.Observe(0.003);
  h.Observe(100);
  EXPECT_EQ(h.count(), 3u);
  std::string text = r.RenderPrometheus();
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.001\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.005\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"+Inf\"} 3"), std::string::npos) << text;
}

TEST(Registry, CallbackGaugesAreReadAtScrapeTime) {
  Registry r;
  int depth = 4;
  r.AddGaugeCallback("queue_depth", "Depth.", {{"pool", "db"}}, [&] { return double(depth); });
  depth = 7;
  EXPECT_NE(r.RenderPrometheus().find("queue_depth{pool=\"db\"} 7"), std::string::npos);
  EXPECT_EQ(r.GaugeValue("queue_depth", {{"pool", "db"}}), 7);
}

TEST(Registry, LabelValuesAreEscaped) {
  EXPECT_EQ(RenderLabels({{"ua", "a\"b\\c"}}), "{ua=\"a\\\"b\\\\c\"}");
}

}  // namespace
}  // namespace homeroom::metrics

namespace homeroom::metrics {
namespace {

TEST(Registry, CounterTotalSumsTheSeriesWhoseLabelsMatch) {
  Registry r;
  r.GetCounter("x_total", "h", {{"class", "api"}, {"decision", "shed"}}).Inc(2);
  r.GetCounter("x_total", "h", {{"class", "login"}, {"decision", "shed"}}).Inc(3);
  r.GetCounter("x_total", "h", {{"class", "api"}, {"decision", "accepted"}}).Inc(10);
  r.GetCounter("x_total", "h", {{"class", "api"}, {"xdecision", "shed"}}).Inc(100);
  EXPECT_EQ(r.CounterTotal("x_total", {{"decision", "shed"}}), 5u);
  EXPECT_EQ(r.CounterTotal("x_total", {{"class", "api"}, {"decision", "shed"}}), 2u);
  EXPECT_EQ(r.CounterTotal("x_total"), 115u);
  EXPECT_EQ(r.CounterTotal("absent_total"), 0u);
}

}  // namespace
}  // namespace homeroom::metrics
