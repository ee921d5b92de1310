#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"

namespace homeroom::guard {

struct ProofOfWorkOptions {
  // Leading zero bits the SHA-256 of a solution must have: 2^bits hashes on average. 12 (4,096
  // hashes) takes a phone's browser about a quarter of a second (docs/security.md measures it).
  int difficulty_bits = 12;
  // How long a challenge may be solved and used.
  std::chrono::seconds challenge_ttl{120};
  // Used challenges remembered (each solution is single-use) until they expire. When full of
  // unexpired ones, new solutions are refused (kBusy) until some expire: fail closed, bounded.
  size_t max_used = 100'000;
  // HMAC-SHA-256 key (32 bytes or more, any text). Empty: a random key per process, which is
  // right for one node; several nodes behind a balancer need the same secret.
  std::string secret;
};

// A puzzle handed to a client by GET /api/v1/challenge.
struct Challenge {
  std::string text;  // "1.<expires_ms>.<bits>.<nonce>.<mac>"
  int difficulty_bits = 0;
  int64_t expires_ms = 0;  // wall clock, epoch ms
};

// Why a proof was not accepted (kValid when it was).
enum class ProofResult {
  kValid,
  kMissing,    // no proof sent
  kMalformed,  // not "<challenge>:<counter>" or not a challenge of ours
  kForged,     // the challenge's signature is wrong, or it was issued to another client
  kExpired,
  kTooEasy,   // issued at a lower difficulty than now required
  kUnsolved,  // the hash has too few leading zero bits
  kReplayed,  // this challenge was used already
  kBusy,      // the used-challenge set is full (fail closed)
};
std::string_view ProofResultName(ProofResult result);

// The under-attack mode's proof of work (docs/api.md, "Proof of work", has the client side).
//
// A challenge is stateless: its expiry, difficulty and a random nonce, signed with HMAC-SHA-256
// over those and the client's host key (/32, /64), so the server keeps nothing per challenge
// issued. A client finds a decimal counter such that SHA-256("<challenge>:<counter>") starts with
// `difficulty_bits` zero bits and sends "<challenge>:<counter>" in X-Homeroom-Proof. Verify() costs
// one HMAC and one hash. A solution is single-use: the challenge's nonce is remembered until its
// expiry in a bounded set.
//
// Thread-safe.
class ProofOfWork {
 public:
  ProofOfWork(const Clock& clock, ProofOfWorkOptions options);

  // A new challenge for `client` at the current difficulty.
  Challenge Issue(const boost::asio::ip::address& client);
  // Checks a proof ("<challenge>:<counter>") sent by `client` and, when valid, marks its
  // challenge used.
  ProofResult Verify(std::string_view proof, const boost::asio::ip::address& client);

  int difficulty_bits() const { return options_.difficulty_bits; }
  size_t used_size() const;

  // Leading zero bits of SHA-256(`text`).
  static int LeadingZeroBits(std::string_view text);
  // Solves a challenge by brute force (tests, homeroom-storm): "<challenge>:<counter>".
  static std::string Solve(std::string_view challenge, int difficulty_bits);

 private:
  std::string Mac(std::string_view signed_part, const boost::asio::ip::address& client) const;

  const Clock& clock_;
  const ProofOfWorkOptions options_;
  unsigned char key_[32];
  mutable std::mutex mu_;
  std::unordered_map<std::string, int64_t> used_;  // guarded by mu_: nonce -> expires_ms
};

}  // namespace homeroom::guard
