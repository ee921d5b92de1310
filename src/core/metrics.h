#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

namespace homeroom::metrics {

// Label pairs in the order given, e.g. {{"route", "/api/v1/me"}, {"status", "200"}}.
using Labels = std::vector<std::pair<std::string, std::string>>;

// A monotonically increasing count. Thread-safe, lock-free.
class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down. Thread-safe, lock-free.
class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void Add(int64_t d) { value_.fetch_add(d, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// A latency histogram in seconds with fixed buckets (1 ms .. 10 s). Thread-safe, lock-free.
class Histogram {
 public:
  static const std::vector<double>& Bounds();
  void Observe(double seconds);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  // Cumulative count of observations <= Bounds()[i]; i == Bounds().size() is +Inf.
  uint64_t CumulativeCount(size_t i) const;
  double sum() const;

 private:
  static constexpr size_t kBuckets = 14;
  std::atomic<uint64_t> buckets_[kBuckets + 1] = {};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_micros_{0};
};

// Holds every metric of the process by family name and labels, and renders the Prometheus text
// format. Get* return a reference that stays valid for the registry's life: components look their
// metrics up once and keep the reference. Thread-safe.
class Registry {
 public:
  Counter& GetCounter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& GetGauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& GetHistogram(const std::string& name, const std::string& help,
                          const Labels& labels = {});
  // A gauge whose value is read at scrape time (queue depths, open connections).
  void AddGaugeCallback(const std::string& name, const std::string& help, const Labels& labels,
                        std::function<double()> read);

  // Prometheus text exposition format 0.0.4.
  std::string RenderPrometheus() const;

  // Reads a counter's value, 0 if absent (tests assert on metrics by name, envoy-style).
  uint64_t CounterValue(const std::string& name, const Labels& labels = {}) const;
  int64_t GaugeValue(const std::string& name, const Labels& labels = {}) const;
  // The sum of every series of counter family `name` whose labels include all of `match` (all
  // series when `match` is empty); 0 if absent. For rates over a family (the guard's status page).
  uint64_t CounterTotal(const std::string& name, const Labels& match = {}) const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram, kCallback };
  struct Series {
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> callback;
  };
  struct Family {
    Kind kind;
    std::string help;
    std::map<std::string, Series> series;  // by rendered label string
  };
  Series& GetSeries(const std::string& name, const std::string& help, Kind kind,
                    const Labels& labels);
  const Series* FindSeries(const std::string& name, const Labels& labels) const;

  mutable std::shared_mutex mu_;
  std::map<std::string, Family> families_;  // guarded by mu_
};

// Renders labels as {a="1",b="2"} with Prometheus escaping; empty string for no labels.
std::string RenderLabels(const Labels& labels);

}  // namespace homeroom::metrics
