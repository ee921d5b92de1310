#include "guard/activity_log.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <utility>

namespace homeroom::guard {
namespace {

// Paths and agents are stored as printable ASCII: control bytes and bytes >= 0x80 become '?', so
// that what an attacker sent can be shown in JSON, CSV and a terminal as it is, without escapes or
// broken UTF-8.
char Printable(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u >= 0x7f ? '?' : c;
}

std::string Sanitize(std::string_view text, size_t max_bytes) {
  text = text.substr(0, max_bytes);
  std::string out(text);
  for (char& c : out) c = Printable(c);
  return out;
}

// True when `stored` is what Sanitize(raw, max_bytes) would give, without building it.
bool SameText(std::string_view stored, std::string_view raw, size_t max_bytes) {
  raw = raw.substr(0, max_bytes);
  if (stored.size() != raw.size()) return false;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (stored[i] != Printable(raw[i])) return false;
  }
  return true;
}

void CountText(std::vector<NamedCount>& list, int64_t* other, std::string_view raw,
               size_t max_items, size_t max_bytes) {
  for (NamedCount& e : list) {
    if (SameText(e.name, raw, max_bytes)) {
      ++e.count;
      return;
    }
  }
  if (list.size() < max_items) {
    list.push_back({Sanitize(raw, max_bytes), 1});
  } else {
    ++*other;
  }
}

void AddAccount(SourceActivity& a, int64_t user_id, size_t max_accounts) {
  auto it = std::lower_bound(a.user_ids.begin(), a.user_ids.end(), user_id);
  if (it != a.user_ids.end() && *it == user_id) return;
  if (a.user_ids.size() >= max_accounts) {
    a.more_accounts = true;
    return;
  }
  a.user_ids.insert(it, user_id);
}

void MergeTop(std::vector<NamedCount>& into, int64_t* into_other,
              const std::vector<NamedCount>& from, int64_t from_other, size_t max) {
  for (const NamedCount& e : from) {
    auto it = std::find_if(into.begin(), into.end(),
                           [&](const NamedCount& x) { return x.name == e.name; });
    if (it != into.end()) {
      it->count += e.count;
    } else {
      into.push_back(e);
    }
  }
  *into_other += from_other;
  TrimTop(into, max, into_other);
}

}  // namespace

ActivityLimits LimitsOf(const ActivityLogOptions& o) {
  return {.max_paths = o.max_paths_per_source,
          .max_agents = o.max_agents_per_source,
          .max_accounts = o.max_accounts_per_source};
}

std::string_view ScopeName(SourceScope scope) {
  return scope == SourceScope::kHost ? "host" : "subnet";
}

bool ParseScope(std::string_view name, SourceScope* scope) {
  if (name == "host") {
    *scope = SourceScope::kHost;
  } else if (name == "subnet") {
    *scope = SourceScope::kSubnet;
  } else {
    return false;
  }
  return true;
}

void TrimTop(std::vector<NamedCount>& list, size_t max, int64_t* other) {
  std::sort(list.begin(), list.end(), [](const NamedCount& a, const NamedCount& b) {
    return a.count != b.count ? a.count > b.count : a.name < b.name;
  });
  for (size_t i = max; i < list.size(); ++i) *other += list[i].count;
  if (list.size() > max) list.resize(max);
}

void MergeActivity(SourceActivity& into, const SourceActivity& from, const ActivityLimits& limits) {
  if (from.requests == 0 && from.requests_uncertain == 0) return;
  if (into.requests == 0 && into.requests_uncertain == 0) {
    into.first_ms = from.first_ms;
    into.last_ms = from.last_ms;
    into.slice_ms = from.slice_ms;
    into.slice_end_ms = from.slice_end_ms;
  } else {
    into.first_ms = std::min(into.first_ms, from.first_ms);
    into.last_ms = std::max(into.last_ms, from.last_ms);
    into.slice_ms = std::min(into.slice_ms, from.slice_ms);
    into.slice_end_ms = std::max(into.slice_end_ms, from.slice_end_ms);
  }
  into.requests += from.requests;
  into.requests_uncertain += from.requests_uncertain;
  for (size_t i = 0; i < into.status_classes.size(); ++i) {
    into.status_classes[i] += from.status_classes[i];
  }
  into.bytes_in += from.bytes_in;
  into.bytes_out += from.bytes_out;
  MergeTop(into.paths, &into.other_paths, from.paths, from.other_paths, limits.max_paths);
  MergeTop(into.agents, &into.other_agents, from.agents, from.other_agents, limits.max_agents);
  into.more_accounts = into.more_accounts || from.more_accounts;
  for (int64_t id : from.user_ids) AddAccount(into, id, limits.max_accounts);
}

struct ActivityLog::Shard {
  std::mutex mu;
  int64_t slice_ms = std::numeric_limits<int64_t>::min();  // the current slice; guarded by mu
  std::unordered_map<Cidr, size_t, Cidr::Hash> index;      // source -> slot; guarded by mu
  std::vector<SourceActivity> slots;                       // guarded by mu
  std::vector<int64_t> weights;  // slots[i].weight(), scanned for eviction; guarded by mu
  std::deque<std::vector<SourceActivity>> pending;  // completed slices; guarded by mu
};

ActivityLog::ActivityLog(ActivityLogOptions options, metrics::Registry& metrics)
    : options_(options),
      slice_ms_(std::max<int64_t>(1000, std::chrono::milliseconds(options.slice).count())),
      per_shard_capacity_(
          std::max<size_t>(1, options.max_sources_per_slice / std::max<size_t>(1, options.shards))),
      requests_(metrics.GetCounter("homeroom_guard_activity_requests_total",
                                   "Requests summed into the forensics activity log")),
      evictions_(metrics.GetCounter(
          "homeroom_guard_activity_evictions_total",
          "Sources replaced in the activity log by heavier newcomers (the slice was full)")),
      dropped_(metrics.GetCounter(
          "homeroom_guard_activity_dropped_total",
          "Source records of completed slices dropped because no flush took them in time")) {
  size_t shards = std::max<size_t>(1, options.shards);
  for (size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>());
  metrics.AddGaugeCallback("homeroom_guard_activity_tracked_sources",
                           "Source records held in memory by the activity log", {},
                           [tracked = tracked_] { return static_cast<double>(tracked->load()); });
}

ActivityLog::~ActivityLog() = default;

int64_t ActivityLog::SliceStart(int64_t epoch_ms) const {
  int64_t r = epoch_ms % slice_ms_;
  if (r < 0) r += slice_ms_;
  return epoch_ms - r;
}

void ActivityLog::OnRequest(const RequestRecord& record) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  const int64_t at_ms = duration_cast<milliseconds>(record.at.time_since_epoch()).count();
  const int64_t slice = SliceStart(at_ms);
  const Cidr host = HostKey(record.remote);
  const Cidr subnet = SubnetKey(record.remote);
  requests_.Inc();
  Cidr::Hash hash;
  Add(*shards_[hash(host) % shards_.size()], host, SourceScope::kHost, subnet, record, at_ms,
      slice);
  Add(*shards_[hash(subnet) % shards_.size()], subnet, SourceScope::kSubnet, subnet, record, at_ms,
      slice);
}

void ActivityLog::Add(Shard& shard, const Cidr& key, SourceScope scope, const Cidr& subnet,
                      const RequestRecord& record, int64_t at_ms, int64_t slice_ms) {
  std::lock_guard lock(shard.mu);
  if (slice_ms > shard.slice_ms) Rotate(shard, slice_ms);
  // A request finished just before the boundary on another thread counts in the current slice.
  at_ms = std::max(at_ms, shard.slice_ms);
  size_t i = 0;
  auto found = shard.index.find(key);
  bool fresh = found == shard.index.end();
  int64_t inherited = 0;
  if (!fresh) {
    i = found->second;
  } else if (shard.slots.size() < per_shard_capacity_) {
    i = shard.slots.size();
    shard.slots.emplace_back();
    shard.weights.push_back(0);
    tracked_->fetch_add(1, std::memory_order_relaxed);
  } else {
    // Space-saving: the newcomer takes the lightest slot and its count as uncertainty.
    i = static_cast<size_t>(std::min_element(shard.weights.begin(), shard.weights.end()) -
                            shard.weights.begin());
    inherited = shard.weights[i];
    shard.index.erase(shard.slots[i].source);
    shard.slots[i] = SourceActivity();
    evictions_.Inc();
  }
  SourceActivity& a = shard.slots[i];
  if (fresh) {
    shard.index.emplace(key, i);
    a.slice_ms = shard.slice_ms;
    a.slice_end_ms = shard.slice_ms + slice_ms_;
    a.scope = scope;
    a.source = key;
    a.subnet = subnet;
    a.requests_uncertain = inherited;
    a.first_ms = at_ms;
    a.last_ms = at_ms;
  }
  ++a.requests;
  a.first_ms = std::min(a.first_ms, at_ms);
  a.last_ms = std::max(a.last_ms, at_ms);
  unsigned cls = record.status / 100;
  if (cls >= 1 && cls <= 5) ++a.status_classes[cls - 1];
  a.bytes_in += static_cast<int64_t>(record.bytes_in);
  a.bytes_out += static_cast<int64_t>(record.bytes_out);
  CountText(a.paths, &a.other_paths, record.path, options_.max_paths_per_source,
            options_.max_text_bytes);
  CountText(a.agents, &a.other_agents, record.user_agent, options_.max_agents_per_source,
            options_.max_text_bytes);
  if (record.user_id) AddAccount(a, *record.user_id, options_.max_accounts_per_source);
  shard.weights[i] = a.weight();
}

void ActivityLog::Rotate(Shard& shard, int64_t new_slice_ms) {
  if (!shard.slots.empty()) {
    shard.pending.push_back(std::move(shard.slots));
    while (shard.pending.size() > options_.max_pending_slices) {
      size_t n = shard.pending.front().size();
      dropped_.Inc(n);
      tracked_->fetch_sub(static_cast<int64_t>(n), std::memory_order_relaxed);
      shard.pending.pop_front();
    }
  }
  shard.slots.clear();
  shard.weights.clear();
  shard.index.clear();
  shard.slice_ms = new_slice_ms;
}

std::vector<SourceActivity> ActivityLog::Drain() {
  std::vector<SourceActivity> out;
  for (auto& shard : shards_) {
    std::deque<std::vector<SourceActivity>> pending;
    std::vector<SourceActivity> current;
    {
      std::lock_guard lock(shard->mu);
      pending.swap(shard->pending);
      current.swap(shard->slots);
      shard->weights.clear();
      shard->index.clear();
    }
    for (auto& slice : pending) {
      for (auto& a : slice) out.push_back(std::move(a));
    }
    for (auto& a : current) out.push_back(std::move(a));
  }
  tracked_->fetch_sub(static_cast<int64_t>(out.size()), std::memory_order_relaxed);
  for (SourceActivity& a : out) {
    TrimTop(a.paths, options_.max_paths_per_source, &a.other_paths);
    TrimTop(a.agents, options_.max_agents_per_source, &a.other_agents);
  }
  return out;
}

size_t ActivityLog::tracked() const {
  int64_t n = tracked_->load(std::memory_order_relaxed);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

}  // namespace homeroom::guard
