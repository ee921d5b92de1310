#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace homeroom::storm {

// A latency histogram in the style of HdrHistogram: log-linear buckets (64 per power of two above
// 128) give every value within 1/64 (about 1.6%) of its true size, from 0 to 2^40 in fixed memory
// (about 18 KiB). Values are unitless; the storm records microseconds.
//
// Thread-safe: Record() from any number of threads at once (relaxed atomics); readers see a
// consistent-enough view for reporting after the writers are done.
class Histogram {
 public:
  Histogram() = default;
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Values above kMaxValue are recorded as kMaxValue.
  static constexpr uint64_t kMaxValue = (uint64_t{1} << 40) - 1;

  void Record(uint64_t value);
  // Adds every recorded value of `other` (other must not be written meanwhile).
  void Merge(const Histogram& other);

  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  uint64_t max() const { return max_.load(std::memory_order_relaxed); }
  uint64_t min() const;  // 0 when empty
  double mean() const;   // 0 when empty

  // The value at or below which `fraction` (0..1) of the recorded values lie: the highest value
  // equivalent to the bucket that holds that rank, capped by the largest recorded value. 0 when
  // empty.
  uint64_t Percentile(double fraction) const;

 private:
  static constexpr int kSubBits = 6;  // 64 sub-buckets per power of two
  static constexpr size_t kBuckets = (40 - kSubBits + 1) * 64 + 64;
  static size_t IndexOf(uint64_t value);
  static uint64_t HighestEquivalent(size_t index);

  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> max_{0};
  std::atomic<uint64_t> min_{UINT64_MAX};
};

}  // namespace homeroom::storm
