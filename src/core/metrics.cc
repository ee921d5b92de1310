#include "core/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "core/status.h"

namespace homeroom::metrics {

const std::vector<double>& Histogram::Bounds() {
  static const std::vector<double> bounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                             0.25,  0.5,    1.0,   2.5,  5.0,   7.5,  10.0};
  return bounds;
}

void Histogram::Observe(double seconds) {
  const auto& bounds = Bounds();
  size_t i = std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(std::max(0.0, seconds) * 1e6),
                        std::memory_order_relaxed);
}

uint64_t Histogram::CumulativeCount(size_t i) const {
  uint64_t total = 0;
  for (size_t b = 0; b <= i && b <= kBuckets; ++b)
    total += buckets_[b].load(std::memory_order_relaxed);
  return total;
}

double Histogram::sum() const { return sum_micros_.load(std::memory_order_relaxed) / 1e6; }

namespace {

std::string Escape(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

// Appends one more label to an already rendered label string.
std::string WithLabel(const std::string& rendered, const std::string& key,
                      const std::string& value) {
  std::string pair = fmt::format("{}=\"{}\"", key, Escape(value));
  if (rendered.empty()) return "{" + pair + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + pair + "}";
}

}  // namespace

std::string RenderLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ",";
    out += fmt::format("{}=\"{}\"", labels[i].first, Escape(labels[i].second));
  }
  out += "}";
  return out;
}

Registry::Series& Registry::GetSeries(const std::string& name, const std::string& help, Kind kind,
                                      const Labels& labels) {
  std::string key = RenderLabels(labels);
  {
    std::shared_lock lock(mu_);
    auto f = families_.find(name);
    if (f != families_.end()) {
      auto s = f->second.series.find(key);
      if (s != f->second.series.end()) return s->second;
    }
  }
  std::unique_lock lock(mu_);
  auto [f, inserted] = families_.try_emplace(name, Family{kind, help, {}});
  HR_CHECK(f->second.kind == kind, "metric registered twice with different kinds");
  Series& series = f->second.series[key];
  switch (kind) {
    case Kind::kCounter:
      if (!series.counter) series.counter = std::make_unique<Counter>();
      break;
    case Kind::kGauge:
      if (!series.gauge) series.gauge = std::make_unique<Gauge>();
      break;
    case Kind::kHistogram:
      if (!series.histogram) series.histogram = std::make_unique<Histogram>();
      break;
    case Kind::kCallback:
      break;
  }
  return series;
}

const Registry::Series* Registry::FindSeries(const std::string& name, const Labels& labels) const {
  std::shared_lock lock(mu_);
  auto f = families_.find(name);
  if (f == families_.end()) return nullptr;
  auto s = f->second.series.find(RenderLabels(labels));
  return s == f->second.series.end() ? nullptr : &s->second;
}

Counter& Registry::GetCounter(const std::string& name, const std::string& help,
                              const Labels& labels) {
  return *GetSeries(name, help, Kind::kCounter, labels).counter;
}

Gauge& Registry::GetGauge(const std::string& name, const std::string& help, const Labels& labels) {
  return *GetSeries(name, help, Kind::kGauge, labels).gauge;
}

Histogram& Registry::GetHistogram(const std::string& name, const std::string& help,
                                  const Labels& labels) {
  return *GetSeries(name, help, Kind::kHistogram, labels).histogram;
}

void Registry::AddGaugeCallback(const std::string& name, const std::string& help,
                                const Labels& labels, std::function<double()> read) {
  Series& s = GetSeries(name, help, Kind::kCallback, labels);
  std::unique_lock lock(mu_);
  s.callback = std::move(read);
}

uint64_t Registry::CounterValue(const std::string& name, const Labels& labels) const {
  const Series* s = FindSeries(name, labels);
  return s && s->counter ? s->counter->value() : 0;
}

uint64_t Registry::CounterTotal(const std::string& name, const Labels& match) const {
  // Each wanted pair as it appears inside a rendered label string: {a="1",b="2"}.
  std::vector<std::string> wanted;
  for (const auto& pair : match) {
    std::string one = RenderLabels({pair});
    wanted.push_back(one.substr(1, one.size() - 2));
  }
  std::shared_lock lock(mu_);
  auto f = families_.find(name);
  if (f == families_.end()) return 0;
  uint64_t total = 0;
  for (const auto& [rendered, series] : f->second.series) {
    if (!series.counter) continue;
    bool all = true;
    for (const std::string& w : wanted) {
      size_t at = rendered.find(w);
      // A whole pair: preceded by '{' or ','.
      while (at != std::string::npos && at > 0 && rendered[at - 1] != '{' &&
             rendered[at - 1] != ',') {
        at = rendered.find(w, at + 1);
      }
      if (at == std::string::npos) {
        all = false;
        break;
      }
    }
    if (all) total += series.counter->value();
  }
  return total;
}

int64_t Registry::GaugeValue(const std::string& name, const Labels& labels) const {
  const Series* s = FindSeries(name, labels);
  if (!s) return 0;
  if (s->gauge) return s->gauge->value();
  if (s->callback) return static_cast<int64_t>(s->callback());
  return 0;
}

std::string Registry::RenderPrometheus() const {
  std::shared_lock lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    const char* type = family.kind == Kind::kCounter     ? "counter"
                       : family.kind == Kind::kHistogram ? "histogram"
                                                         : "gauge";
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, family.help, name, type);
    for (const auto& [labels, s] : family.series) {
      switch (family.kind) {
        case Kind::kCounter:
          out += fmt::format("{}{} {}\n", name, labels, s.counter->value());
          break;
        case Kind::kGauge:
          out += fmt::format("{}{} {}\n", name, labels, s.gauge->value());
          break;
        case Kind::kCallback:
          out += fmt::format("{}{} {}\n", name, labels, s.callback ? s.callback() : 0.0);
          break;
        case Kind::kHistogram: {
          const auto& bounds = Histogram::Bounds();
          for (size_t i = 0; i <= bounds.size(); ++i) {
            std::string le = i < bounds.size() ? fmt::format("{}", bounds[i]) : "+Inf";
            out += fmt::format("{}_bucket{} {}\n", name, WithLabel(labels, "le", le),
                               s.histogram->CumulativeCount(i));
          }
          out += fmt::format("{}_sum{} {}\n", name, labels, s.histogram->sum());
          out += fmt::format("{}_count{} {}\n", name, labels, s.histogram->count());
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace homeroom::metrics
