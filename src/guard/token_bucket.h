#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace homeroom::guard {

// A refill rate and a burst: `per_second` tokens are added each second up to `burst`. A
// per_second of 0 (or less) means no limit.
struct RateLimit {
  double per_second = 0;
  double burst = 0;

  bool unlimited() const { return per_second <= 0; }
};

// The classic token bucket: starts full, each request takes one token, tokens come back at the
// limit's rate. A plain value with no clock of its own (times are passed in, in monotonic ms) so
// that tables of millions can hold one cheaply; not synchronized (the owner's lock guards it).
class TokenBucket {
 public:
  TokenBucket(const RateLimit& limit, int64_t now_ms) : tokens_(limit.burst), last_ms_(now_ms) {}

  // Takes one token; true when there was one. Otherwise leaves the bucket unchanged and sets
  // *wait_ms to the milliseconds until a token will be there (at least 1).
  bool Take(const RateLimit& limit, int64_t now_ms, int64_t* wait_ms) {
    if (limit.unlimited()) return true;
    Refill(limit, now_ms);
    if (tokens_ >= 1.0) {
      tokens_ -= 1.0;
      return true;
    }
    const double missing = 1.0 - tokens_;
    *wait_ms =
        std::max<int64_t>(1, static_cast<int64_t>(std::ceil(missing * 1000.0 / limit.per_second)));
    return false;
  }

  // Gives a token back (a later check of the same request refused it), up to the burst.
  void Refund(const RateLimit& limit) { tokens_ = std::min(limit.burst, tokens_ + 1.0); }

  // True when the bucket has refilled completely: it is then no different from a new one, so an
  // idle key can be forgotten without giving its owner anything.
  bool Full(const RateLimit& limit, int64_t now_ms) const {
    if (limit.unlimited()) return true;
    const double elapsed_s = static_cast<double>(std::max<int64_t>(0, now_ms - last_ms_)) / 1000.0;
    return tokens_ + elapsed_s * limit.per_second >= limit.burst;
  }

  double tokens() const { return tokens_; }

 private:
  void Refill(const RateLimit& limit, int64_t now_ms) {
    if (now_ms > last_ms_) {
      const double elapsed_s = static_cast<double>(now_ms - last_ms_) / 1000.0;
      tokens_ = std::min(limit.burst, tokens_ + elapsed_s * limit.per_second);
      last_ms_ = now_ms;
    }
  }

  double tokens_;
  int64_t last_ms_;
};

}  // namespace homeroom::guard
