#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"

namespace homeroom::guard {

// The heaviest keys of a stream in fixed memory: the space-saving algorithm (Metwally, Agrawal and
// El Abbadi, 2005) with `capacity` counters.
//
// Each monitored key has a count and an error. A key not monitored takes the counter of the
// smallest count m (that key is forgotten), starting at m + n with error m. Guarantees, with N the
// total added and m the smallest count when the summary is full (m <= N / capacity):
//  - for a monitored key, count - error <= true count <= count;
//  - a key whose true count exceeds m is monitored (so every key above N / capacity is);
//  - the counts add up to N.
//
// The counters sit in an indexed binary min-heap, so Add() is O(log capacity) even when every
// request comes from a new source (a many-source flood), and the smallest count is at the root.
//
// Decay(f) scales every count and error by f (rounding down) and forgets keys left at zero, so a
// summary can age window by window; the guarantees then hold against the decayed stream, up to
// rounding. Decay(0) or Clear() empties it.
//
// Memory: `capacity` entries plus the index, fixed. Not thread-safe: the caller guards it.
template <typename Key, typename Hash = std::hash<Key>>
class SpaceSaving {
 public:
  struct Entry {
    Key key;
    uint64_t count = 0;  // an upper bound of the key's true count
    uint64_t error = 0;  // count - error is a lower bound
  };

  // capacity >= 1 (zero is a programming error and crashes loudly).
  explicit SpaceSaving(size_t capacity) : capacity_(capacity) {
    HR_CHECK(capacity >= 1, "SpaceSaving needs capacity >= 1");
    heap_.reserve(capacity);
    index_.reserve(capacity);
  }

  // Counts `n` more occurrences of `key`.
  void Add(const Key& key, uint64_t n = 1) {
    total_ += n;
    auto it = index_.find(key);
    if (it != index_.end()) {
      heap_[it->second].count += n;
      SiftDown(it->second);
      return;
    }
    if (heap_.size() < capacity_) {
      heap_.push_back({key, n, 0});
      index_.emplace(key, heap_.size() - 1);
      SiftUp(heap_.size() - 1);
      return;
    }
    // Replace the smallest: the new key inherits its count as error.
    Entry& root = heap_[0];
    index_.erase(root.key);
    uint64_t min = root.count;
    root = {key, min + n, min};
    index_.emplace(key, 0);
    SiftDown(0);
  }

  // The `n` heaviest monitored keys, by count (then by smaller error) descending.
  std::vector<Entry> Top(size_t n) const {
    std::vector<Entry> out(heap_.begin(), heap_.end());
    std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
      return a.count != b.count ? a.count > b.count : a.error < b.error;
    });
    if (out.size() > n) out.resize(n);
    return out;
  }

  // The key's entry when it is monitored.
  std::optional<Entry> Find(const Key& key) const {
    auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    return heap_[it->second];
  }

  // The smallest monitored count when full (the most a forgotten key can have had), else 0.
  uint64_t MinCount() const {
    return heap_.size() < capacity_ || heap_.empty() ? 0 : heap_[0].count;
  }

  // Scales counts and errors by `factor` in [0, 1]; keys left at zero are forgotten.
  void Decay(double factor) {
    factor = std::clamp(factor, 0.0, 1.0);
    if (factor == 0.0) {
      Clear();
      return;
    }
    std::vector<Entry> kept;
    kept.reserve(heap_.size());
    uint64_t total = 0;
    for (const Entry& e : heap_) {
      uint64_t count = static_cast<uint64_t>(std::floor(static_cast<double>(e.count) * factor));
      if (count == 0) continue;
      uint64_t error = static_cast<uint64_t>(std::floor(static_cast<double>(e.error) * factor));
      kept.push_back({e.key, count, std::min(error, count)});
      total += count;
    }
    heap_.clear();
    index_.clear();
    total_ = total;
    for (Entry& e : kept) {
      heap_.push_back(std::move(e));
      index_.emplace(heap_.back().key, heap_.size() - 1);
      SiftUp(heap_.size() - 1);
    }
  }

  void Clear() {
    heap_.clear();
    index_.clear();
    total_ = 0;
  }

  uint64_t total() const { return total_; }
  size_t size() const { return heap_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  void Swap(size_t a, size_t b) {
    std::swap(heap_[a], heap_[b]);
    index_[heap_[a].key] = a;
    index_[heap_[b].key] = b;
  }
  void SiftUp(size_t i) {
    while (i > 0) {
      size_t parent = (i - 1) / 2;
      if (heap_[parent].count <= heap_[i].count) return;
      Swap(parent, i);
      i = parent;
    }
  }
  void SiftDown(size_t i) {
    for (;;) {
      size_t smallest = i;
      size_t left = 2 * i + 1;
      size_t right = left + 1;
      if (left < heap_.size() && heap_[left].count < heap_[smallest].count) smallest = left;
      if (right < heap_.size() && heap_[right].count < heap_[smallest].count) smallest = right;
      if (smallest == i) return;
      Swap(i, smallest);
      i = smallest;
    }
  }

  size_t capacity_;
  std::vector<Entry> heap_;                      // min-heap by count
  std::unordered_map<Key, size_t, Hash> index_;  // key -> position in heap_
  uint64_t total_ = 0;
};

}  // namespace homeroom::guard
