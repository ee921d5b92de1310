#include "guard/block_list.h"

#include <algorithm>
#include <limits>
#include <mutex>
#include <utility>

namespace homeroom::guard {

namespace asio = boost::asio;

namespace {

constexpr int kV4MappedBits = 96;

bool IsV4(const asio::ip::address& address) {
  return address.is_v4() || address.to_v6().is_v4_mapped();
}

bool Expired(const BlockEntry& entry, int64_t now_ms) {
  return entry.until_ms && *entry.until_ms <= now_ms;
}

// An IPv6 range short enough to cover IPv4-mapped addresses cannot be probed by the address's own
// (IPv4) prefix lengths.
bool IsWide(const Cidr& range) { return !range.is_v4() && range.prefix_length() < kV4MappedBits; }

}  // namespace

void BlockList::Table::Put(BlockEntry entry, bool extend) {
  auto it = index.find(entry.range);
  if (it != index.end()) {
    BlockEntry& existing = entries[it->second];
    if (extend && existing.until_ms && (!entry.until_ms || *entry.until_ms > *existing.until_ms)) {
      existing.until_ms = entry.until_ms;
    } else if (!extend) {
      existing.until_ms = entry.until_ms;
      existing.since_ms = entry.since_ms;
    }
    existing.reason = std::move(entry.reason);
    return;
  }
  const Cidr range = entry.range;
  index.emplace(range, entries.size());
  entries.push_back(std::move(entry));
  if (IsWide(range)) {
    wide.push_back(entries.size() - 1);
    return;
  }
  const std::pair<bool, int> length{range.is_v4(), range.prefix_length()};
  if (std::find(lengths.begin(), lengths.end(), length) == lengths.end()) {
    lengths.push_back(length);
  }
}

bool BlockList::Table::Erase(const Cidr& range) {
  auto it = index.find(range);
  if (it == index.end()) return false;
  const size_t at = it->second;
  index.erase(it);
  if (at != entries.size() - 1) {
    entries[at] = std::move(entries.back());
    index[entries[at].range] = at;
  }
  entries.pop_back();
  RebuildLengths();
  return true;
}

void BlockList::Table::RebuildLengths() {
  lengths.clear();
  wide.clear();
  for (size_t i = 0; i < entries.size(); ++i) {
    const Cidr& range = entries[i].range;
    if (IsWide(range)) {
      wide.push_back(i);
      continue;
    }
    const std::pair<bool, int> length{range.is_v4(), range.prefix_length()};
    if (std::find(lengths.begin(), lengths.end(), length) == lengths.end()) {
      lengths.push_back(length);
    }
  }
}

const BlockEntry* BlockList::Table::Find(const asio::ip::address& address, int64_t now_ms) const {
  if (entries.empty()) return nullptr;
  const bool v4 = IsV4(address);
  for (const auto& [length_v4, length] : lengths) {
    if (length_v4 != v4) continue;
    auto it = index.find(Cidr::FromAddress(address, length));
    if (it != index.end() && !Expired(entries[it->second], now_ms)) return &entries[it->second];
  }
  for (size_t i : wide) {
    if (entries[i].range.Contains(address) && !Expired(entries[i], now_ms)) return &entries[i];
  }
  return nullptr;
}

BlockList::BlockList(const Clock& clock, BlockListOptions options)
    : clock_(clock), options_(options) {}

void BlockList::ReplaceManual(std::vector<BlockEntry> blocked, std::vector<Cidr> allowed) {
  const int64_t now_ms = clock_.NowMs();
  Table manual;
  for (BlockEntry& entry : blocked) {
    if (Expired(entry, now_ms)) continue;
    entry.automatic = false;
    manual.Put(std::move(entry), /*extend=*/false);
  }
  Table allow;
  for (const Cidr& range : allowed)
    allow.Put(BlockEntry{range, false, "", now_ms, std::nullopt}, false);
  std::unique_lock lock(mu_);
  manual_ = std::move(manual);
  allowed_ = std::move(allow);
  UpdateEmptyLocked();
}

bool BlockList::BlockAutomatically(const Cidr& range, std::string reason,
                                   std::chrono::seconds ttl) {
  const int64_t now_ms = clock_.NowMs();
  std::unique_lock lock(mu_);
  // Allowed wholly (an allowed range contains it) or in part (it contains an allowed range).
  for (const BlockEntry& allowed : allowed_.entries) {
    if (allowed.range.Contains(range) || range.Contains(allowed.range)) return false;
  }
  auto existing = automatic_.index.find(range);
  if (existing != automatic_.index.end() && Expired(automatic_.entries[existing->second], now_ms)) {
    automatic_.Erase(range);  // a new block, not an extension: its since_ms is now
  }
  if (!automatic_.index.contains(range)) MakeRoomLocked(now_ms);
  const int64_t ttl_ms = std::chrono::duration_cast<std::chrono::milliseconds>(ttl).count();
  automatic_.Put(BlockEntry{range, true, std::move(reason), now_ms, now_ms + ttl_ms},
                 /*extend=*/true);
  UpdateEmptyLocked();
  return true;
}

bool BlockList::UnblockAutomatic(const Cidr& range) {
  std::unique_lock lock(mu_);
  const bool erased = automatic_.Erase(range);
  UpdateEmptyLocked();
  return erased;
}

bool BlockList::IsBlocked(const asio::ip::address& address) const {
  if (empty_.load(std::memory_order_acquire)) return false;
  const int64_t now_ms = clock_.NowMs();
  std::shared_lock lock(mu_);
  if (allowed_.Find(address, now_ms) != nullptr) return false;
  return manual_.Find(address, now_ms) != nullptr || automatic_.Find(address, now_ms) != nullptr;
}

bool BlockList::IsAllowed(const asio::ip::address& address) const {
  const int64_t now_ms = clock_.NowMs();
  std::shared_lock lock(mu_);
  return allowed_.Find(address, now_ms) != nullptr;
}

std::vector<BlockEntry> BlockList::Entries() const {
  const int64_t now_ms = clock_.NowMs();
  std::vector<BlockEntry> manual;
  std::vector<BlockEntry> automatic;
  {
    std::shared_lock lock(mu_);
    for (const BlockEntry& entry : manual_.entries) {
      if (!Expired(entry, now_ms)) manual.push_back(entry);
    }
    for (const BlockEntry& entry : automatic_.entries) {
      if (!Expired(entry, now_ms)) automatic.push_back(entry);
    }
  }
  auto by_range = [](const BlockEntry& a, const BlockEntry& b) {
    return a.range.ToString() < b.range.ToString();
  };
  std::sort(manual.begin(), manual.end(), by_range);
  std::sort(automatic.begin(), automatic.end(), by_range);
  manual.insert(manual.end(), std::make_move_iterator(automatic.begin()),
                std::make_move_iterator(automatic.end()));
  return manual;
}

void BlockList::MakeRoomLocked(int64_t now_ms) {
  if (automatic_.entries.size() < options_.max_automatic_entries) return;
  Table kept;
  for (BlockEntry& entry : automatic_.entries) {
    if (!Expired(entry, now_ms)) kept.Put(std::move(entry), false);
  }
  automatic_ = std::move(kept);
  while (!automatic_.entries.empty() &&
         automatic_.entries.size() >= options_.max_automatic_entries) {
    auto soonest =
        std::min_element(automatic_.entries.begin(), automatic_.entries.end(),
                         [](const BlockEntry& a, const BlockEntry& b) {
                           return a.until_ms.value_or(std::numeric_limits<int64_t>::max()) <
                                  b.until_ms.value_or(std::numeric_limits<int64_t>::max());
                         });
    const Cidr range = soonest->range;
    automatic_.Erase(range);
  }
}

void BlockList::UpdateEmptyLocked() {
  empty_.store(manual_.entries.empty() && automatic_.entries.empty(), std::memory_order_release);
}

}  // namespace homeroom::guard
