#include "storm/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace homeroom::storm {

// Values below 128 have a bucket each. Above, a value with its highest bit at position m
// (m >= 7) is shifted right by s = m - 6 into [64, 128) and lands in bucket 64 * s + (v >> s):
// the buckets of consecutive powers of two follow each other without a gap.
size_t Histogram::IndexOf(uint64_t value) {
  if (value < 128) return static_cast<size_t>(value);
  const int msb = 63 - std::countl_zero(value);
  const int shift = msb - kSubBits;
  return static_cast<size_t>(64 * shift) + static_cast<size_t>(value >> shift);
}

uint64_t Histogram::HighestEquivalent(size_t index) {
  if (index < 128) return index;
  const size_t shift = index / 64 - 1;
  const uint64_t lowest = static_cast<uint64_t>(index % 64 + 64) << shift;
  return lowest + ((uint64_t{1} << shift) - 1);
}

void Histogram::Record(uint64_t value) {
  value = std::min(value, kMaxValue);
  buckets_[IndexOf(value)].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  uint64_t seen = max_.load(std::memory_order_relaxed);
  while (value > seen && !max_.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
  seen = min_.load(std::memory_order_relaxed);
  while (value < seen && !min_.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

void Histogram::Merge(const Histogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) {
    buckets_[i].fetch_add(other.buckets_[i].load(std::memory_order_relaxed),
                          std::memory_order_relaxed);
  }
  count_.fetch_add(other.count(), std::memory_order_relaxed);
  sum_.fetch_add(other.sum_.load(std::memory_order_relaxed), std::memory_order_relaxed);
  if (other.count() > 0) {
    uint64_t other_max = other.max();
    uint64_t seen = max_.load(std::memory_order_relaxed);
    while (other_max > seen && !max_.compare_exchange_weak(seen, other_max)) {
    }
    uint64_t other_min = other.min();
    seen = min_.load(std::memory_order_relaxed);
    while (other_min < seen && !min_.compare_exchange_weak(seen, other_min)) {
    }
  }
}

uint64_t Histogram::min() const { return count() == 0 ? 0 : min_.load(std::memory_order_relaxed); }

double Histogram::mean() const {
  const uint64_t n = count();
  return n == 0 ? 0.0 : static_cast<double>(sum_.load(std::memory_order_relaxed)) / n;
}

uint64_t Histogram::Percentile(double fraction) const {
  uint64_t total = 0;
  for (const auto& b : buckets_) total += b.load(std::memory_order_relaxed);
  if (total == 0) return 0;
  fraction = std::clamp(fraction, 0.0, 1.0);
  // The rank (1-based) of the value asked for: at least the first value.
  const uint64_t rank = std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil(fraction * static_cast<double>(total))));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i].load(std::memory_order_relaxed);
    if (seen >= rank) return std::min(HighestEquivalent(i), max());
  }
  return max();
}

}  // namespace homeroom::storm
