#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/status.h"

namespace homeroom::guard {

// A count-min sketch (Cormode and Muthukrishnan): how often each key was seen, for any number of
// distinct keys, in a fixed `width` x `depth` table of counters. Keys are given as 64-bit hashes
// (Cidr::Hash); each row re-mixes the hash with its own seed.
//
// Guarantees: Estimate(k) is never below the true count of k; with conservative update (below) it
// exceeds it only when every row's cell of k is shared with other keys, and then by at most the
// total added (with probability 1 - (1/2)^depth by no more than 2 * total / width). A sketch with
// more cells than keys and no collisions is exact.
//
// Conservative update: Add() raises only the cells that are below the new estimate, which keeps
// the never-under guarantee and makes heavy keys' neighbours overestimate much less.
//
// Decay(f) multiplies every cell by f (rounding down), so a sketch can age what it saw window by
// window; Decay(0) clears it. After a decay the never-under guarantee holds against the true count
// decayed the same way, up to rounding.
//
// Memory: width * depth * 8 bytes, fixed at construction. Not thread-safe: the caller guards it
// (guard::TrafficMonitor keeps one per shard under the shard's lock).
class CountMinSketch {
 public:
  // width >= 1 and depth >= 1 (a zero is a programming error and crashes loudly).
  CountMinSketch(size_t width, size_t depth) : width_(width), depth_(depth), cells_(width * depth) {
    HR_CHECK(width >= 1 && depth >= 1, "CountMinSketch needs width >= 1 and depth >= 1");
  }

  // Adds `count` occurrences of the key with hash `key_hash`; returns the key's new estimate.
  uint64_t Add(uint64_t key_hash, uint64_t count = 1) {
    uint64_t estimate = Estimate(key_hash);
    uint64_t target = Saturating(estimate, count);
    for (size_t row = 0; row < depth_; ++row) {
      uint64_t& cell = cells_[row * width_ + Column(key_hash, row)];
      cell = std::max(cell, target);
    }
    total_ = Saturating(total_, count);
    return target;
  }

  // The key's estimated count: >= its true count.
  uint64_t Estimate(uint64_t key_hash) const {
    uint64_t estimate = std::numeric_limits<uint64_t>::max();
    for (size_t row = 0; row < depth_; ++row) {
      estimate = std::min(estimate, cells_[row * width_ + Column(key_hash, row)]);
    }
    return estimate;
  }

  // Multiplies every cell (and the total) by `factor` in [0, 1]; 0 clears the sketch.
  void Decay(double factor) {
    factor = std::clamp(factor, 0.0, 1.0);
    if (factor == 0.0) {
      std::fill(cells_.begin(), cells_.end(), 0);
      total_ = 0;
      return;
    }
    for (uint64_t& cell : cells_) cell = Scaled(cell, factor);
    total_ = Scaled(total_, factor);
  }

  // Everything added since construction or the last Decay(0), decayed alike.
  uint64_t total() const { return total_; }
  size_t width() const { return width_; }
  size_t depth() const { return depth_; }

 private:
  static uint64_t Saturating(uint64_t a, uint64_t b) {
    return a > std::numeric_limits<uint64_t>::max() - b ? std::numeric_limits<uint64_t>::max()
                                                        : a + b;
  }
  static uint64_t Scaled(uint64_t v, double factor) {
    return static_cast<uint64_t>(std::floor(static_cast<double>(v) * factor));
  }
  // splitmix64 of the key's hash and the row: independent-looking columns per row.
  size_t Column(uint64_t key_hash, size_t row) const {
    uint64_t z = key_hash + 0x9e3779b97f4a7c15ull * (row + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return static_cast<size_t>(z % width_);
  }

  size_t width_;
  size_t depth_;
  std::vector<uint64_t> cells_;  // row-major, depth_ rows of width_
  uint64_t total_ = 0;
};

}  // namespace homeroom::guard
