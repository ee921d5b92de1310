#include "storm/stats.h"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>

namespace homeroom::storm {

const char* NetErrorName(NetError e) {
  switch (e) {
    case NetError::kRefused:
      return "refused";
    case NetError::kReset:
      return "reset";
    case NetError::kClosed:
      return "closed";
    case NetError::kTimeout:
      return "timeout";
    case NetError::kCapped:
      return "storm_cap";
    case NetError::kHeldOpen:
      return "held_open";
    case NetError::kOther:
      return "other";
  }
  return "other";
}

NetError ClassifyError(const boost::system::error_code& ec) {
  namespace error = boost::asio::error;
  if (ec == error::connection_refused) return NetError::kRefused;
  if (ec == error::connection_reset || ec == error::broken_pipe ||
      ec == error::connection_aborted) {
    return NetError::kReset;
  }
  if (ec == error::eof || ec == boost::beast::http::error::end_of_stream ||
      ec == boost::beast::http::error::partial_message ||
      ec == boost::beast::websocket::error::closed) {
    return NetError::kClosed;
  }
  if (ec == boost::beast::error::timeout || ec == error::timed_out ||
      ec == error::operation_aborted) {
    return NetError::kTimeout;
  }
  return NetError::kOther;
}

bool IsRejection(int status) {
  return status == 403 || status == 408 || status == 413 || status == 429 || status == 431 ||
         status == 503;
}

void TrafficStats::RecordStatus(int status, std::chrono::microseconds latency) {
  if (status < 100 || status >= 600) status = 0;
  by_status_[static_cast<size_t>(status)].fetch_add(1, std::memory_order_relaxed);
  latency_.Record(static_cast<uint64_t>(std::max<int64_t>(0, latency.count())));
}

void TrafficStats::RecordError(NetError error, std::chrono::microseconds latency) {
  by_error_[static_cast<size_t>(error)].fetch_add(1, std::memory_order_relaxed);
  if (error != NetError::kCapped) {
    latency_.Record(static_cast<uint64_t>(std::max<int64_t>(0, latency.count())));
  }
}

void TrafficStats::Count(const std::string& event, uint64_t n) {
  std::lock_guard lock(mu_);
  events_[event] += n;
}

uint64_t TrafficStats::answers() const {
  uint64_t n = 0;
  for (const auto& c : by_status_) n += c.load(std::memory_order_relaxed);
  return n;
}

uint64_t TrafficStats::attempts() const {
  uint64_t n = answers();
  for (const auto& c : by_error_) n += c.load(std::memory_order_relaxed);
  return n;
}

uint64_t TrafficStats::StatusCount(int status) const {
  if (status < 0 || status >= 600) return 0;
  return by_status_[static_cast<size_t>(status)].load(std::memory_order_relaxed);
}

uint64_t TrafficStats::ErrorCount(NetError e) const {
  return by_error_[static_cast<size_t>(e)].load(std::memory_order_relaxed);
}

uint64_t TrafficStats::EventCount(const std::string& event) const {
  std::lock_guard lock(mu_);
  auto it = events_.find(event);
  return it == events_.end() ? 0 : it->second;
}

uint64_t TrafficStats::successes() const {
  uint64_t n = 0;
  for (int s = 100; s < 600; ++s) {
    if (IsSuccess(s)) n += StatusCount(s);
  }
  return n;
}

uint64_t TrafficStats::rejections() const {
  uint64_t n = 0;
  for (int s = 100; s < 600; ++s) {
    if (IsRejection(s)) n += StatusCount(s);
  }
  return n;
}

std::map<std::string, uint64_t> TrafficStats::events() const {
  std::lock_guard lock(mu_);
  return events_;
}

void TrafficStats::Merge(const TrafficStats& other) {
  for (size_t i = 0; i < by_status_.size(); ++i) {
    by_status_[i].fetch_add(other.by_status_[i].load(std::memory_order_relaxed));
  }
  for (size_t i = 0; i < by_error_.size(); ++i) {
    by_error_[i].fetch_add(other.by_error_[i].load(std::memory_order_relaxed));
  }
  latency_.Merge(other.latency_);
  auto other_events = other.events();
  std::lock_guard lock(mu_);
  for (const auto& [k, v] : other_events) events_[k] += v;
}

boost::json::object TrafficStats::ToJson() const {
  boost::json::object out;
  const uint64_t attempts_n = attempts();
  const uint64_t ok = successes();
  out["attempts"] = attempts_n;
  out["successes"] = ok;
  out["success_rate"] = attempts_n == 0 ? 1.0 : static_cast<double>(ok) / attempts_n;
  out["rejections"] = rejections();
  auto ms = [](uint64_t us) { return static_cast<double>(us) / 1000.0; };
  boost::json::object latency;
  latency["count"] = latency_.count();
  latency["p50"] = ms(latency_.Percentile(0.50));
  latency["p90"] = ms(latency_.Percentile(0.90));
  latency["p99"] = ms(latency_.Percentile(0.99));
  latency["p999"] = ms(latency_.Percentile(0.999));
  latency["max"] = ms(latency_.max());
  latency["mean"] = latency_.mean() / 1000.0;
  out["latency_ms"] = std::move(latency);
  boost::json::object status;
  for (int s = 0; s < 600; ++s) {
    if (uint64_t n = StatusCount(s); n > 0) status[std::to_string(s)] = n;
  }
  out["status"] = std::move(status);
  boost::json::object errors;
  for (int e = 0; e < kNetErrorCount; ++e) {
    errors[NetErrorName(static_cast<NetError>(e))] = ErrorCount(static_cast<NetError>(e));
  }
  out["without_answer"] = std::move(errors);
  boost::json::object events_json;
  for (const auto& [k, v] : events()) events_json[k] = v;
  out["events"] = std::move(events_json);
  return out;
}

}  // namespace homeroom::storm
