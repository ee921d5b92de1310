#pragma once

#include <array>
#include <atomic>
#include <boost/json/object.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "storm/histogram.h"

namespace homeroom::storm {

// How an exchange ended when no HTTP status came back.
enum class NetError {
  kRefused,   // connect refused (ECONNREFUSED), or no slot in the listen backlog
  kReset,     // connection reset by the server (ECONNRESET, EPIPE)
  kClosed,    // closed cleanly by the server before a complete answer (EOF)
  kTimeout,   // no answer within the storm's own timeout
  kCapped,    // not sent: the storm's own connection cap was full (not the server's doing)
  kHeldOpen,  // slow attacks: still open, unanswered, when the storm ended (the server kept it)
  kOther,     // anything else (address in use, bad answer...)
};
inline constexpr int kNetErrorCount = 7;
const char* NetErrorName(NetError e);
// Maps a socket or Beast error to a kind; an `error_code` that is not an error maps to kOther.
NetError ClassifyError(const boost::system::error_code& ec);

// What one stream of traffic got: answers by HTTP status (101 for a WebSocket upgrade), failures by
// network kind, latency of every attempt, and named event counts ("ws.close.1008"). A stream is
// "legit api", "legit login", "attack http-flood" and so on.
//
// Thread-safe: every method may be called from any thread.
class TrafficStats {
 public:
  explicit TrafficStats(std::string name) : name_(std::move(name)) {}
  TrafficStats(const TrafficStats&) = delete;
  TrafficStats& operator=(const TrafficStats&) = delete;

  const std::string& name() const { return name_; }

  // An answer with this status (100..599; others count as status 0) after `latency`.
  void RecordStatus(int status, std::chrono::microseconds latency);
  // A failure without an answer after `latency`.
  void RecordError(NetError error, std::chrono::microseconds latency);
  // A successful exchange that has no HTTP status (a WebSocket command acknowledged).
  void RecordOk(std::chrono::microseconds latency) { RecordStatus(200, latency); }
  // A named event, `n` times.
  void Count(const std::string& event, uint64_t n = 1);

  // Attempts: answers plus errors.
  uint64_t attempts() const;
  uint64_t answers() const;
  uint64_t StatusCount(int status) const;
  uint64_t ErrorCount(NetError e) const;
  uint64_t EventCount(const std::string& event) const;
  // Answers with 2xx or 101.
  uint64_t successes() const;
  // Answers that are the server pushing back: 403, 408, 413, 429, 431, 503.
  uint64_t rejections() const;
  const Histogram& latency() const { return latency_; }
  std::map<std::string, uint64_t> events() const;

  // Adds everything of `other` into this one (for totals). `other` must not be written meanwhile.
  void Merge(const TrafficStats& other);

  // {"attempts","successes","success_rate","rejections","latency_ms":{p50,p90,p99,p999,max,mean},
  //  "status":{"200":n,...},"without_answer":{"refused":n,...},"events":{...}}
  boost::json::object ToJson() const;

 private:
  std::string name_;
  std::array<std::atomic<uint64_t>, 600> by_status_{};
  std::array<std::atomic<uint64_t>, kNetErrorCount> by_error_{};
  Histogram latency_;
  mutable std::mutex mu_;
  std::map<std::string, uint64_t> events_;  // guarded by mu_
};

// True for the answers a legitimate user counts as success: 2xx and 101 (switching protocols).
inline bool IsSuccess(int status) { return status == 101 || (status >= 200 && status < 300); }
// True for the statuses that are the server defending itself.
bool IsRejection(int status);

}  // namespace homeroom::storm
