#pragma once

#include <atomic>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "guard/cidr.h"

namespace homeroom::guard {

// Refusals of blocked sources, one series per stage where they are refused: "connection" (at
// accept, guard::Sentinel) and "request" (a request head on a connection opened before the block,
// guard::Admission::CheckHead).
inline constexpr const char* kBlockedTotal = "homeroom_guard_blocked_total";
inline constexpr const char* kBlockedTotalHelp =
    "Connections and requests refused because their source is blocked, by stage.";
inline constexpr std::string_view kBlockedStageConnection = "connection";
inline constexpr std::string_view kBlockedStageRequest = "request";

// One blocked range, as operators and the detector see it.
struct BlockEntry {
  Cidr range;
  bool automatic = false;  // set by the detector (always with an expiry) or else by an operator
  std::string reason;
  int64_t since_ms = 0;             // wall clock, epoch ms (core/clock.h)
  std::optional<int64_t> until_ms;  // nullopt: until removed
};

struct BlockListOptions {
  // Automatic (detector) entries kept at most. When full, expired entries are dropped first, then
  // the entry expiring soonest makes room: a flood of distinct sources cannot grow the list without
  // bound, and the newest offenders are the ones blocked.
  size_t max_automatic_entries = 65536;
};

// Blocked and allowed ranges, consulted on the accept path and before each request.
//
// An allowed range is never blocked and never auto-blocked: IsBlocked() is false for an address
// inside any allowed range, whatever the block entries say.
//
// Lookup: ranges are kept in hash tables, one per prefix length in use, so IsBlocked() costs one
// hash probe per distinct prefix length (a handful), not a scan of the entries; an empty list
// answers without taking a lock. Wide IPv6 ranges that could cover IPv4-mapped addresses (length
// < 96) are few and scanned.
//
// Thread-safe. Readers take a shared lock; writers hold the exclusive lock only to edit the tables
// (ReplaceManual builds its tables before taking it), so readers never wait long.
class BlockList {
 public:
  explicit BlockList(const Clock& clock, BlockListOptions options = {});

  // Replaces the operators' entries (the store's copy, synced by the app) and the allow list.
  // Entries whose until_ms has passed are ignored; `automatic` is ignored (they are manual).
  void ReplaceManual(std::vector<BlockEntry> blocked, std::vector<Cidr> allowed);
  // Blocks `range` for `ttl` on a detector's decision; false (nothing done) when the range is
  // allowed (wholly or in part: an allowed range inside it is never blocked). Blocking a range
  // already auto-blocked extends it (the later expiry wins; the reason is replaced).
  bool BlockAutomatically(const Cidr& range, std::string reason, std::chrono::seconds ttl);
  // Removes an automatic entry; true when there was one. (Manual ones are removed through the
  // store.)
  bool UnblockAutomatic(const Cidr& range);
  bool IsBlocked(const boost::asio::ip::address& address) const;
  bool IsAllowed(const boost::asio::ip::address& address) const;
  // Current entries, expired ones left out, manual first (each group ordered by range text).
  std::vector<BlockEntry> Entries() const;

 private:
  // The entries of one kind, indexed for lookup.
  struct Table {
    // Entries by range; values index `entries`.
    std::vector<BlockEntry> entries;
    std::unordered_map<Cidr, size_t, Cidr::Hash> index;
    // Distinct (v4, prefix length) pairs in use, for probing.
    std::vector<std::pair<bool, int>> lengths;
    std::vector<size_t> wide;  // IPv6 entries shorter than /96: scanned

    // Adds or replaces the entry for `entry.range`, keeping the later expiry when `extend`.
    void Put(BlockEntry entry, bool extend);
    bool Erase(const Cidr& range);
    // Index of an unexpired entry containing `address`, if any.
    const BlockEntry* Find(const boost::asio::ip::address& address, int64_t now_ms) const;
    void RebuildLengths();
  };
  // Drops expired automatic entries, then the soonest-expiring while over the cap - 1.
  void MakeRoomLocked(int64_t now_ms);
  void UpdateEmptyLocked();

  const Clock& clock_;
  const BlockListOptions options_;
  mutable std::shared_mutex mu_;
  Table manual_;     // guarded by mu_
  Table automatic_;  // guarded by mu_
  Table allowed_;    // guarded by mu_ (until_ms unused)
  // True when there is nothing blocked at all: IsBlocked() returns at once.
  std::atomic<bool> empty_{true};
};

}  // namespace homeroom::guard
