#include "guard/activity_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace homeroom::guard {
namespace {

constexpr int64_t kT0 = 1'790'000'040'000;  // a slice boundary for 60 s slices
constexpr int64_t kMinute = 60'000;

// A request record at `at_ms` from `ip`; the strings must outlive the call to OnRequest.
RequestRecord At(int64_t at_ms, const char* ip, std::string_view path = "/api/v1/me",
                 unsigned status = 200, std::string_view agent = "curl/8") {
  RequestRecord r;
  r.at = std::chrono::system_clock::time_point(std::chrono::milliseconds(at_ms));
  r.remote = boost::asio::ip::make_address(ip);
  r.method = "GET";
  r.path = path;
  r.route = "unmatched";
  r.user_agent = agent;
  r.status = status;
  r.bytes_in = 10;
  r.bytes_out = 100;
  return r;
}

const SourceActivity* Find(const std::vector<SourceActivity>& all, const std::string& source) {
  auto it = std::find_if(all.begin(), all.end(),
                         [&](const SourceActivity& a) { return a.source.ToString() == source; });
  return it == all.end() ? nullptr : &*it;
}

TEST(ActivityLog, SumsEachRequestIntoItsHostAndItsSubnet) {
  metrics::Registry metrics;
  ActivityLog log({}, metrics);
  RequestRecord a = At(kT0 + 1'000, "127.0.0.66", "/wp-login.php", 404, "Stresser/1.0");
  log.OnRequest(a);
  RequestRecord b = At(kT0 + 2'000, "127.0.0.66", "/api/v1/me", 200, "Stresser/1.0");
  b.user_id = 100;
  log.OnRequest(b);
  RequestRecord c = At(kT0 + 3'000, "127.0.0.67", "/api/v1/me", 503, "Firefox");
  log.OnRequest(c);
  EXPECT_EQ(log.tracked(), 3u);  // two hosts and their shared /24
  std::vector<SourceActivity> all = log.Drain();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(log.tracked(), 0u);

  const SourceActivity* host = Find(all, "127.0.0.66/32");
  ASSERT_NE(host, nullptr);
  EXPECT_EQ(host->scope, SourceScope::kHost);
  EXPECT_EQ(host->subnet.ToString(), "127.0.0.0/24");
  EXPECT_EQ(host->slice_ms, kT0);
  EXPECT_EQ(host->slice_end_ms, kT0 + kMinute);
  EXPECT_EQ(host->requests, 2);
  EXPECT_EQ(host->requests_uncertain, 0);
  EXPECT_EQ(host->first_ms, kT0 + 1'000);
  EXPECT_EQ(host->last_ms, kT0 + 2'000);
  EXPECT_EQ(host->status_classes[1], 1);  // 2xx
  EXPECT_EQ(host->status_classes[3], 1);  // 4xx
  EXPECT_EQ(host->bytes_in, 20);
  EXPECT_EQ(host->bytes_out, 200);
  ASSERT_EQ(host->paths.size(), 2u);
  EXPECT_EQ(host->agents, (std::vector<NamedCount>{{"Stresser/1.0", 2}}));
  EXPECT_EQ(host->user_ids, std::vector<int64_t>{100});

  const SourceActivity* subnet = Find(all, "127.0.0.0/24");
  ASSERT_NE(subnet, nullptr);
  EXPECT_EQ(subnet->scope, SourceScope::kSubnet);
  EXPECT_EQ(subnet->requests, 3);
  EXPECT_EQ(subnet->status_classes[4], 1);                     // 5xx
  EXPECT_EQ(subnet->paths[0], (NamedCount{"/api/v1/me", 2}));  // most requested first
  EXPECT_EQ(metrics.CounterValue("homeroom_guard_activity_requests_total"), 3u);
}

TEST(ActivityLog, KeepsTheHeaviestSourcesWhenASliceIsFull) {
  metrics::Registry metrics;
  ActivityLog log({.max_sources_per_slice = 4, .shards = 1}, metrics);
  // Space-saving keeps every source with more than (all counts) / (slots) requests: here
  // (2 x 200 + 2 x 100) / 4 = 150 < 200.
  for (int i = 0; i < 200; ++i) {
    RequestRecord r = At(kT0 + i, "127.9.9.9");
    log.OnRequest(r);
  }
  // 100 light sources, each in its own /24: far more than the 4 slots.
  for (int i = 0; i < 100; ++i) {
    std::string ip = "127.1." + std::to_string(i) + ".1";
    RequestRecord r = At(kT0 + 300 + i, ip.c_str());
    log.OnRequest(r);
  }
  EXPECT_LE(log.tracked(), 4u);
  std::vector<SourceActivity> all = log.Drain();
  EXPECT_LE(all.size(), 4u);
  const SourceActivity* heavy = Find(all, "127.9.9.9/32");
  ASSERT_NE(heavy, nullptr);
  EXPECT_EQ(heavy->requests, 200);
  ASSERT_NE(Find(all, "127.9.9.0/24"), nullptr);
  // A newcomer that replaced a light source carries that source's count as uncertainty.
  bool inherited = false;
  for (const SourceActivity& a : all) {
    if (a.source.ToString().starts_with("127.1.")) inherited |= a.requests_uncertain > 0;
  }
  EXPECT_TRUE(inherited);
  EXPECT_GT(metrics.CounterValue("homeroom_guard_activity_evictions_total"), 150u);
}

TEST(ActivityLog, KeepsAFewPathsAndAgentsPerSourceAndCountsTheRestAsOther) {
  metrics::Registry metrics;
  ActivityLog log({.max_paths_per_source = 3, .max_agents_per_source = 2, .max_text_bytes = 12},
                  metrics);
  std::vector<std::string> paths;
  for (int i = 0; i < 10; ++i) paths.push_back("/random/" + std::to_string(i));
  for (int i = 0; i < 10; ++i) {
    std::string agent = "agent-" + std::to_string(i % 4);
    RequestRecord r = At(kT0 + i, "127.0.0.66", paths[i], 404, agent);
    log.OnRequest(r);
  }
  std::string long_path = "/a-very-long-path-\x01\xff-beyond-the-limit";
  RequestRecord odd = At(kT0 + 20, "127.0.0.5", long_path, 404, "");
  log.OnRequest(odd);
  std::vector<SourceActivity> all = log.Drain();
  const SourceActivity* host = Find(all, "127.0.0.66/32");
  ASSERT_NE(host, nullptr);
  EXPECT_EQ(host->paths.size(), 3u);
  EXPECT_EQ(host->other_paths, 7);
  EXPECT_EQ(host->agents.size(), 2u);
  EXPECT_EQ(host->other_agents, 10 - host->agents[0].count - host->agents[1].count);
  const SourceActivity* other = Find(all, "127.0.0.5/32");
  ASSERT_NE(other, nullptr);
  // Cut to 12 bytes; control and non-ASCII bytes shown as '?'.
  EXPECT_EQ(other->paths[0].name, "/a-very-long");
  RequestRecord odd2 = At(kT0 + 21, "127.0.0.5", "/x\x01\xff", 404, "");
  log.OnRequest(odd2);
  EXPECT_EQ(log.Drain()[0].paths[0].name, "/x??");
}

TEST(ActivityLog, StartsANewRecordEverySlice) {
  metrics::Registry metrics;
  ActivityLog log({}, metrics);
  RequestRecord a = At(kT0 + 59'999, "127.0.0.66");
  log.OnRequest(a);
  RequestRecord b = At(kT0 + kMinute, "127.0.0.66");
  log.OnRequest(b);
  std::vector<SourceActivity> all = log.Drain();
  std::vector<int64_t> host_slices;
  for (const auto& x : all) {
    if (x.scope == SourceScope::kHost) host_slices.push_back(x.slice_ms);
  }
  std::sort(host_slices.begin(), host_slices.end());
  EXPECT_EQ(host_slices, (std::vector<int64_t>{kT0, kT0 + kMinute}));
}

TEST(ActivityLog, DropsTheOldestCompletedSlicesWhenNobodyDrainsThem) {
  metrics::Registry metrics;
  ActivityLog log({.max_pending_slices = 1, .shards = 1}, metrics);
  for (int slice = 0; slice < 4; ++slice) {
    RequestRecord r = At(kT0 + slice * kMinute, "127.0.0.66");
    log.OnRequest(r);
  }
  // Slices 0..2 completed; one is kept pending, two were dropped (host and subnet each).
  EXPECT_EQ(metrics.CounterValue("homeroom_guard_activity_dropped_total"), 4u);
  std::vector<SourceActivity> all = log.Drain();
  EXPECT_EQ(all.size(), 4u);  // slice 2 (pending) and slice 3 (current), host and subnet
  for (const auto& a : all) EXPECT_GE(a.slice_ms, kT0 + 2 * kMinute);
}

TEST(ActivityLog, MergingAddsCountsAndKeepsTheLimits) {
  SourceActivity a;
  a.slice_ms = kT0;
  a.slice_end_ms = kT0 + kMinute;
  a.requests = 5;
  a.first_ms = kT0 + 10;
  a.last_ms = kT0 + 20;
  a.paths = {{"/a", 3}, {"/b", 2}};
  a.user_ids = {1, 3};
  SourceActivity b;
  b.slice_ms = kT0 + kMinute;
  b.slice_end_ms = kT0 + 2 * kMinute;
  b.requests = 4;
  b.requests_uncertain = 2;
  b.first_ms = kT0 + kMinute;
  b.last_ms = kT0 + kMinute + 5;
  b.paths = {{"/c", 3}, {"/b", 1}};
  b.other_paths = 1;
  b.user_ids = {2, 4};
  MergeActivity(a, b, {.max_paths = 2, .max_agents = 2, .max_accounts = 3});
  EXPECT_EQ(a.requests, 9);
  EXPECT_EQ(a.requests_uncertain, 2);
  EXPECT_EQ(a.slice_ms, kT0);
  EXPECT_EQ(a.slice_end_ms, kT0 + 2 * kMinute);
  EXPECT_EQ(a.first_ms, kT0 + 10);
  EXPECT_EQ(a.last_ms, kT0 + kMinute + 5);
  // /a 3, /b 3, /c 3: ties go by name, so /c joins "other".
  EXPECT_EQ(a.paths, (std::vector<NamedCount>{{"/a", 3}, {"/b", 3}}));
  EXPECT_EQ(a.other_paths, 4);
  EXPECT_EQ(a.user_ids, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_TRUE(a.more_accounts);
}

}  // namespace
}  // namespace homeroom::guard
