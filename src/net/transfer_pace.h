#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>

namespace homeroom::net {

// When a transfer on one connection (a request body being read, a response being written) must be
// cut: at its whole deadline (`limit` after it started), or as soon as it falls behind a minimum
// rate. The rate rule: the transfer may stall for at most `grace` at any point, and each byte
// moved buys 1 / min_bytes_per_second more time, but the time bought never runs further than
// `grace` ahead of now. So a client that trickles (slow POST) or reads a byte now and then (slow
// read) is cut about `grace` after it falls behind the rate, and what a burst earns (say the
// kernel's socket buffers swallowing the first 100 KiB of a response) cannot pay for minutes of
// trickling afterwards. A transfer that keeps the rate is bounded by `limit` alone.
//
// Pure arithmetic on the time points it is given (tests need no clock). A plain value;
// thread-compatible.
class TransferPace {
 public:
  using Clock = std::chrono::steady_clock;

  // `min_bytes_per_second` <= 0 turns the rate rule off (only `limit` applies).
  TransferPace(Clock::time_point start, Clock::duration limit, double min_bytes_per_second,
               Clock::duration grace)
      : hard_(start + limit), pace_(start + grace), rate_(min_bytes_per_second), grace_(grace) {}

  // Records `bytes` more moved at `now`.
  void Progress(size_t bytes, Clock::time_point now) {
    if (rate_ <= 0 || bytes == 0) return;
    const auto earned = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(static_cast<double>(bytes) / rate_));
    pace_ = std::min(pace_ + earned, now + grace_);
  }

  // The moment the transfer is cut unless it progresses first: arm the socket's expiry at it
  // before each read or write.
  Clock::time_point deadline() const { return rate_ > 0 ? std::min(hard_, pace_) : hard_; }

  // After the transfer timed out at deadline(): true when the rate rule cut it, false when it was
  // the whole deadline.
  bool cut_by_rate() const { return rate_ > 0 && pace_ < hard_; }

 private:
  const Clock::time_point hard_;
  Clock::time_point pace_;
  const double rate_;
  const Clock::duration grace_;
};

}  // namespace homeroom::net
