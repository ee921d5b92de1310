#include "domain/client_telemetry.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>

namespace homeroom::domain {
namespace {

// Buckets kept before full (idle) ones are forgotten.
constexpr size_t kBucketSweepThreshold = 10'000;

Status Bad(size_t index, const std::string& what) {
  return Status::InvalidArgument("events[" + std::to_string(index) + "]: " + what);
}

// The first `max_chars` characters of UTF-8 `text` (Boost.JSON has checked it is UTF-8).
std::string Cut(std::string_view text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && chars++ == max_chars) {
      return std::string(text.substr(0, i));
    }
  }
  return std::string(text);
}

// Copies the string member `name` of `in` (cut to max_chars) into `out`. kInvalidArgument when
// it is present but not a string, or `required` and absent.
Status CopyText(const boost::json::object& in, std::string_view name, bool required,
                size_t max_chars, size_t index, boost::json::object& out) {
  auto it = in.find(name);
  if (it == in.end() || it->value().is_null()) {
    return required ? Bad(index, std::string(name) + " is required") : Status::Ok();
  }
  if (!it->value().is_string()) return Bad(index, std::string(name) + " must be a string");
  out[name] = Cut(it->value().as_string(), max_chars);
  return Status::Ok();
}

// Copies the whole-number member `name` (0 .. max) into `out`.
Status CopyCount(const boost::json::object& in, std::string_view name, bool required, int64_t max,
                 size_t index, boost::json::object& out) {
  auto it = in.find(name);
  if (it == in.end() || it->value().is_null()) {
    return required ? Bad(index, std::string(name) + " is required") : Status::Ok();
  }
  const auto& v = it->value();
  int64_t n = -1;
  if (v.is_int64()) n = v.as_int64();
  if (v.is_uint64() && v.as_uint64() <= static_cast<uint64_t>(max)) n = v.as_uint64();
  // Browsers measure with fractions of a millisecond.
  if (v.is_double() && v.as_double() >= 0 && v.as_double() <= static_cast<double>(max)) {
    n = std::llround(v.as_double());
  }
  if (n < 0 || n > max) {
    return Bad(index, std::string(name) + " must be a number from 0 to " + std::to_string(max));
  }
  out[name] = n;
  return Status::Ok();
}

// Durations and codes a device can plausibly report (an hour; close codes end at 4999).
constexpr int64_t kMaxMs = 3'600'000;
constexpr int64_t kMaxCloseCode = 4999;

Status CheckKind(const boost::json::object& in, std::string_view kind, size_t max_chars,
                 size_t index, boost::json::object& detail) {
  if (kind == "error") {
    HR_RETURN_IF_ERROR(CopyText(in, "message", true, max_chars, index, detail));
    return CopyText(in, "source", false, max_chars, index, detail);
  }
  if (kind == "ws_disconnect") {
    HR_RETURN_IF_ERROR(CopyCount(in, "code", true, kMaxCloseCode, index, detail));
    HR_RETURN_IF_ERROR(CopyText(in, "reason", false, max_chars, index, detail));
    HR_RETURN_IF_ERROR(CopyCount(in, "connected_ms", false, 7 * 24 * kMaxMs, index, detail));
    if (auto it = in.find("clean"); it != in.end() && !it->value().is_null()) {
      if (!it->value().is_bool()) return Bad(index, "clean must be true or false");
      detail["clean"] = it->value().as_bool();
    }
    return Status::Ok();
  }
  if (kind == "rtt") return CopyCount(in, "ms", true, kMaxMs, index, detail);
  if (kind == "page_load") {
    for (std::string_view field : {"ttfb_ms", "dom_ms", "load_ms"}) {
      HR_RETURN_IF_ERROR(CopyCount(in, field, true, kMaxMs, index, detail));
    }
    return Status::Ok();
  }
  return Bad(index, "kind must be error, ws_disconnect, rtt or page_load");
}

}  // namespace

Result<std::vector<store::ClientEventRecord>> ParseClientEvents(const boost::json::array& events,
                                                                int64_t received_ms,
                                                                const TelemetryOptions& options) {
  if (events.empty()) return Status::InvalidArgument("events must not be empty");
  if (events.size() > options.max_events_per_report) {
    return Status::InvalidArgument("a report may hold at most " +
                                   std::to_string(options.max_events_per_report) + " events");
  }
  const int64_t skew_ms = std::chrono::milliseconds(options.max_clock_skew).count();
  std::vector<store::ClientEventRecord> out;
  for (size_t i = 0; i < events.size(); ++i) {
    if (!events[i].is_object()) return Bad(i, "must be an object");
    const auto& in = events[i].as_object();
    auto kind = in.find("kind");
    if (kind == in.end() || !kind->value().is_string()) {
      return Bad(i, "kind must be error, ws_disconnect, rtt or page_load");
    }
    store::ClientEventRecord e;
    e.kind = std::string(kind->value().as_string());
    boost::json::object detail;
    HR_RETURN_IF_ERROR(CheckKind(in, e.kind, options.max_text_chars, i, detail));
    e.detail = boost::json::serialize(detail);
    auto page = in.find("page");
    if (page == in.end() || !page->value().is_string() || page->value().as_string().empty() ||
        page->value().as_string()[0] != '/') {
      return Bad(i, "page must be the app's path (starting with /)");
    }
    if (page->value().as_string().size() > options.max_page_bytes) {
      return Bad(i, "page may have at most " + std::to_string(options.max_page_bytes) + " bytes");
    }
    e.page = std::string(page->value().as_string());
    e.received_ms = received_ms;
    e.at_ms = received_ms;
    if (auto at = in.find("at_ms"); at != in.end() && !at->value().is_null()) {
      if (!at->value().is_int64()) return Bad(i, "at_ms must be epoch milliseconds");
      const int64_t device_ms = at->value().as_int64();
      if (std::llabs(device_ms - received_ms) <= skew_ms) e.at_ms = device_ms;
    }
    out.push_back(std::move(e));
  }
  return out;
}

TelemetryService::TelemetryService(store::Database& db, const Clock& clock,
                                   metrics::Registry& metrics, TelemetryOptions options)
    : db_(db),
      clock_(clock),
      options_(options),
      rate_{.per_second = options.events_per_minute / 60.0, .burst = options.burst},
      metrics_(metrics),
      refused_rate_(metrics.GetCounter("homeroom_telemetry_refused_total",
                                       "Client telemetry reports refused",
                                       {{"reason", "rate_limited"}})),
      refused_invalid_(metrics.GetCounter("homeroom_telemetry_refused_total",
                                          "Client telemetry reports refused",
                                          {{"reason", "invalid"}})),
      pruned_(metrics.GetCounter("homeroom_telemetry_pruned_total",
                                 "Client telemetry events removed past the retention")) {}

bool TelemetryService::Admit(int64_t user_id, size_t n, int* retry_after_s) {
  const int64_t now = clock_.MonotonicMs();
  std::lock_guard lock(mu_);
  if (buckets_.size() > kBucketSweepThreshold) {
    std::erase_if(buckets_, [&](const auto& kv) { return kv.second.Full(rate_, now); });
  }
  auto& bucket = buckets_.try_emplace(user_id, rate_, now).first->second;
  for (size_t taken = 0; taken < n; ++taken) {
    int64_t wait_ms = 0;
    if (!bucket.Take(rate_, now, &wait_ms)) {
      for (size_t i = 0; i < taken; ++i) bucket.Refund(rate_);
      // The wait for one token; the report needs more, but the client retries with fewer.
      *retry_after_s = static_cast<int>(std::max<int64_t>(1, (wait_ms + 999) / 1000));
      return false;
    }
  }
  return true;
}

boost::asio::awaitable<Result<int64_t>> TelemetryService::Report(int64_t user_id, std::string ip,
                                                                 std::string user_agent,
                                                                 const boost::json::array& events) {
  auto parsed = ParseClientEvents(events, clock_.NowMs(), options_);
  if (!parsed.ok()) {
    refused_invalid_.Inc();
    co_return parsed.status();
  }
  int retry_after_s = 0;
  if (!Admit(user_id, parsed->size(), &retry_after_s)) {
    refused_rate_.Inc();
    co_return Status::ResourceExhausted(
        "at most " + std::to_string(static_cast<int64_t>(options_.events_per_minute)) +
            " telemetry events a minute per user",
        retry_after_s);
  }
  user_agent = user_agent.substr(0, options_.max_page_bytes);
  for (auto& e : *parsed) {
    e.user_id = user_id;
    e.ip = ip;
    e.user_agent = user_agent;
    metrics_
        .GetCounter("homeroom_telemetry_events_total", "Client telemetry events stored",
                    {{"kind", e.kind}})
        .Inc();
  }
  const auto count = static_cast<int64_t>(parsed->size());
  auto job = [events = std::move(*parsed)](sql::Connection& c) {
    return store::telemetry_store::Insert(c, events);
  };
  HR_CO_RETURN_IF_ERROR(co_await db_.Write(std::move(job)));
  co_return count;
}

boost::asio::awaitable<Result<std::vector<store::ClientEventRecord>>> TelemetryService::ForUser(
    int64_t user_id, int64_t from_ms, int64_t to_ms) {
  auto job = [user_id, from_ms, to_ms, limit = options_.max_read](sql::Connection& c) {
    return store::telemetry_store::ForUser(c, user_id, from_ms, to_ms, limit);
  };
  co_return co_await db_.Read(std::move(job));
}

boost::asio::awaitable<Result<int64_t>> TelemetryService::Prune() {
  const int64_t before = clock_.NowMs() - std::chrono::milliseconds(options_.retention).count();
  auto job = [before](sql::Connection& c) {
    return store::telemetry_store::PruneBefore(c, before);
  };
  auto pruned = co_await db_.Write(std::move(job));
  if (pruned.ok()) pruned_.Inc(static_cast<uint64_t>(*pruned));
  co_return pruned;
}

}  // namespace homeroom::domain
