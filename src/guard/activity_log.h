#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/metrics.h"
#include "guard/cidr.h"
#include "guard/request_observer.h"

namespace homeroom::guard {

// Settings of the activity log (serve flags --forensics-*, docs/security.md "Forensics and
// audit"). The bounds make memory and the stored rows a known size whatever the traffic.
struct ActivityLogOptions {
  // Length of one time slice: activity is summed per source per slice (at least 1 s).
  std::chrono::seconds slice{60};
  // Sources (hosts and subnets together) tracked per slice; when full, the lightest is replaced by
  // the newcomer (space-saving), so the heaviest sources of a flood are always kept. The store
  // keeps at most this many rows per slice as well.
  size_t max_sources_per_slice = 10'000;
  // Distinct paths and user agents kept per source per slice with their counts; the rest are
  // counted as "other".
  size_t max_paths_per_source = 8;
  size_t max_agents_per_source = 4;
  // Signed-in accounts remembered per source per slice.
  size_t max_accounts_per_source = 8;
  // Paths and user agents are cut to this many bytes (an attacker picks their length).
  size_t max_text_bytes = 160;
  // Completed slices held in memory waiting for a flush (the store may be slow or down); beyond,
  // the oldest are dropped and counted.
  size_t max_pending_slices = 3;
  // Independent locks: requests of different sources rarely wait for each other.
  size_t shards = 16;
};

// The bounds that merging two activity records keeps (a subset of ActivityLogOptions).
struct ActivityLimits {
  size_t max_paths = 8;
  size_t max_agents = 4;
  size_t max_accounts = 8;
};
ActivityLimits LimitsOf(const ActivityLogOptions& options);

// A text and how many requests carried it.
struct NamedCount {
  std::string name;
  int64_t count = 0;
  friend bool operator==(const NamedCount&, const NamedCount&) = default;
};

enum class SourceScope { kHost, kSubnet };
// "host" or "subnet"; ParseScope is its inverse (false for anything else).
std::string_view ScopeName(SourceScope scope);
bool ParseScope(std::string_view name, SourceScope* scope);

// What one source (a host key or a subnet key, guard/cidr.h) did in one time slice, or summed over
// several (the report). A plain value; not synchronized.
struct SourceActivity {
  int64_t slice_ms = 0;      // start of the (first) slice, UTC epoch ms
  int64_t slice_end_ms = 0;  // end of the (last) slice
  SourceScope scope = SourceScope::kHost;
  Cidr source;  // the host key (/32, /64) or the subnet key (/24, /48)
  Cidr subnet;  // the subnet key the source lies in (the source itself for a subnet)
  // Requests counted while the source was tracked: a lower bound of what it sent.
  int64_t requests = 0;
  // At most this many more requests may have come from it in the slice before it was tracked (the
  // count it inherited when it replaced a lighter source): its true count is within
  // [requests, requests + requests_uncertain].
  int64_t requests_uncertain = 0;
  int64_t first_ms = 0;  // first and last request seen (while tracked)
  int64_t last_ms = 0;
  std::array<int64_t, 5> status_classes{};  // answered 1xx, 2xx, 3xx, 4xx, 5xx
  int64_t bytes_in = 0;                     // request body bytes
  int64_t bytes_out = 0;                    // response body bytes
  std::vector<NamedCount> paths;            // most requested first (at most max_paths)
  int64_t other_paths = 0;                  // requests to paths not listed
  std::vector<NamedCount> agents;           // User-Agent values, most frequent first
  int64_t other_agents = 0;
  std::vector<int64_t> user_ids;  // accounts whose requests authenticated, ascending
  bool more_accounts = false;     // more accounts than max_accounts were seen

  // How this source ranks for eviction (space-saving): its count plus what it inherited.
  int64_t weight() const { return requests + requests_uncertain; }
};

// Folds `from` (the same source) into `into`: counts add, first/last widen, the slice range
// widens, top lists are summed by name and cut back to `limits` (what no longer fits counts as
// "other"), accounts are united (at most limits.max_accounts, then more_accounts). The result does
// not depend on the order of merges except for ties among the kept names.
void MergeActivity(SourceActivity& into, const SourceActivity& from, const ActivityLimits& limits);

// Sorts a top list by count (descending) then name, keeping `max` entries and adding the counts of
// the rest to *other.
void TrimTop(std::vector<NamedCount>& list, size_t max, int64_t* other);

// A bounded, rotated per-source record of traffic for forensics (issue 4, section 5): a
// guard::RequestObserver that sums each answered request into its source's host key and subnet key
// for the current time slice. Drain() hands everything summed so far to whoever stores it (the
// app's domain::ActivityRecorder, which writes one store transaction per flush); nothing here does
// I/O.
//
// Bounds: at most max_sources_per_slice sources per slice (split evenly over the shards); a new
// source arriving when its shard is full replaces the lightest one, inheriting its count as
// uncertainty (space-saving): a source with more than (the shard's requests in the slice) / (its
// slots) requests is never evicted, so a flood's heaviest sources survive any number of light
// ones. Each
// source keeps at most max_paths/agents/accounts entries. Completed slices wait in memory for
// Drain() up to max_pending_slices, then the oldest are dropped.
//
// Metrics: homeroom_guard_activity_requests_total, homeroom_guard_activity_evictions_total
// (sources replaced by heavier newcomers), homeroom_guard_activity_dropped_total (sources of
// completed slices dropped because no flush took them), homeroom_guard_activity_tracked_sources
// (gauge: sources in memory).
//
// Thread-safe: OnRequest runs on every I/O thread at once; each call takes the locks of two shards
// (the host's and the subnet's) briefly, does no I/O and allocates only for a new source or text.
class ActivityLog final : public RequestObserver {
 public:
  ActivityLog(ActivityLogOptions options, metrics::Registry& metrics);
  ~ActivityLog() override;
  ActivityLog(const ActivityLog&) = delete;
  ActivityLog& operator=(const ActivityLog&) = delete;

  void OnRequest(const RequestRecord& record) override;

  // Takes everything summed so far: completed slices and the current, partial one (which starts
  // afresh, so a later Drain returns the rest of that slice as another record of the same slice
  // and source; the store merges them). Order: unspecified.
  std::vector<SourceActivity> Drain();

  // Sources in memory now (all shards, all pending slices).
  size_t tracked() const;
  const ActivityLogOptions& options() const { return options_; }
  // The start of the slice containing `epoch_ms`.
  int64_t SliceStart(int64_t epoch_ms) const;

 private:
  struct Shard;
  void Add(Shard& shard, const Cidr& key, SourceScope scope, const Cidr& subnet,
           const RequestRecord& record, int64_t at_ms, int64_t slice_ms);
  // Moves the shard's current slice to its pending list (bounded). Caller holds shard.mu.
  void Rotate(Shard& shard, int64_t new_slice_ms);

  const ActivityLogOptions options_;
  const int64_t slice_ms_;
  const size_t per_shard_capacity_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::shared_ptr<std::atomic<int64_t>> tracked_ = std::make_shared<std::atomic<int64_t>>(0);

  metrics::Counter& requests_;
  metrics::Counter& evictions_;
  metrics::Counter& dropped_;
};

}  // namespace homeroom::guard
