#include "guard/proof_of_work.h"

#include <sodium.h>

#include <charconv>
#include <cstdlib>
#include <vector>

#include "guard/cidr.h"

namespace homeroom::guard {

namespace {

constexpr std::string_view kVersion = "1";
constexpr size_t kNonceBytes = 16;
constexpr size_t kMaxProofBytes = 256;
constexpr size_t kMaxCounterDigits = 20;

std::string Hex(const unsigned char* data, size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, size);
  out.pop_back();
  return out;
}

// Splits on '.'; empty when there are not exactly `n` parts.
std::vector<std::string_view> Split(std::string_view text, size_t n) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const size_t dot = text.find('.', start);
    parts.push_back(text.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
    if (parts.size() > n) return {};
  }
  if (parts.size() != n) return {};
  return parts;
}

template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  if (text.empty() || text.size() > kMaxCounterDigits) return false;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return err == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string_view ProofResultName(ProofResult result) {
  switch (result) {
    case ProofResult::kValid:
      return "valid";
    case ProofResult::kMissing:
      return "missing";
    case ProofResult::kMalformed:
      return "malformed";
    case ProofResult::kForged:
      return "forged";
    case ProofResult::kExpired:
      return "expired";
    case ProofResult::kTooEasy:
      return "too_easy";
    case ProofResult::kUnsolved:
      return "unsolved";
    case ProofResult::kReplayed:
      return "replayed";
    case ProofResult::kBusy:
      return "busy";
  }
  return "malformed";
}

ProofOfWork::ProofOfWork(const Clock& clock, ProofOfWorkOptions options)
    : clock_(clock), options_(std::move(options)) {
  if (sodium_init() < 0) std::abort();  // libsodium cannot run on this machine: nothing is safe
  if (options_.secret.empty()) {
    randombytes_buf(key_, sizeof(key_));
  } else {
    // Any length of secret becomes a 32-byte key.
    crypto_hash_sha256(key_, reinterpret_cast<const unsigned char*>(options_.secret.data()),
                       options_.secret.size());
  }
}

std::string ProofOfWork::Mac(std::string_view signed_part,
                             const boost::asio::ip::address& client) const {
  const std::string message = std::string(signed_part) + "|" + HostKey(client).ToString();
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(message.data()),
                         message.size(), key_);
  return Hex(mac, sizeof(mac));
}

Challenge ProofOfWork::Issue(const boost::asio::ip::address& client) {
  Challenge challenge;
  challenge.difficulty_bits = options_.difficulty_bits;
  challenge.expires_ms =
      clock_.NowMs() +
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.challenge_ttl).count();
  unsigned char nonce[kNonceBytes];
  randombytes_buf(nonce, sizeof(nonce));
  const std::string signed_part =
      std::string(kVersion) + "." + std::to_string(challenge.expires_ms) + "." +
      std::to_string(challenge.difficulty_bits) + "." + Hex(nonce, sizeof(nonce));
  challenge.text = signed_part + "." + Mac(signed_part, client);
  return challenge;
}

ProofResult ProofOfWork::Verify(std::string_view proof, const boost::asio::ip::address& client) {
  if (proof.empty()) return ProofResult::kMissing;
  if (proof.size() > kMaxProofBytes) return ProofResult::kMalformed;
  const size_t colon = proof.rfind(':');
  if (colon == std::string_view::npos) return ProofResult::kMalformed;
  const std::string_view challenge = proof.substr(0, colon);
  uint64_t counter = 0;
  if (!ParseNumber(proof.substr(colon + 1), &counter)) return ProofResult::kMalformed;
  const auto parts = Split(challenge, 5);
  if (parts.empty() || parts[0] != kVersion) return ProofResult::kMalformed;
  int64_t expires_ms = 0;
  int bits = 0;
  if (!ParseNumber(parts[1], &expires_ms) || !ParseNumber(parts[2], &bits) ||
      parts[3].size() != kNonceBytes * 2 || parts[4].size() != crypto_auth_hmacsha256_BYTES * 2) {
    return ProofResult::kMalformed;
  }
  const std::string_view signed_part = challenge.substr(0, challenge.size() - parts[4].size() - 1);
  const std::string expected = Mac(signed_part, client);
  if (sodium_memcmp(expected.data(), parts[4].data(), expected.size()) != 0) {
    return ProofResult::kForged;
  }
  const int64_t now_ms = clock_.NowMs();
  if (expires_ms <= now_ms) return ProofResult::kExpired;
  if (bits < options_.difficulty_bits) return ProofResult::kTooEasy;
  if (LeadingZeroBits(proof) < bits) return ProofResult::kUnsolved;
  std::lock_guard lock(mu_);
  if (used_.size() >= options_.max_used) {
    std::erase_if(used_, [now_ms](const auto& entry) { return entry.second <= now_ms; });
    if (used_.size() >= options_.max_used) return ProofResult::kBusy;
  }
  auto [it, inserted] = used_.emplace(std::string(parts[3]), expires_ms);
  (void)it;
  return inserted ? ProofResult::kValid : ProofResult::kReplayed;
}

size_t ProofOfWork::used_size() const {
  std::lock_guard lock(mu_);
  return used_.size();
}

int ProofOfWork::LeadingZeroBits(std::string_view text) {
  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  int bits = 0;
  for (unsigned char byte : hash) {
    if (byte == 0) {
      bits += 8;
      continue;
    }
    for (int i = 7; i >= 0 && !(byte & (1u << i)); --i) ++bits;
    break;
  }
  return bits;
}

std::string ProofOfWork::Solve(std::string_view challenge, int difficulty_bits) {
  const std::string prefix = std::string(challenge) + ":";
  for (uint64_t counter = 0;; ++counter) {
    std::string candidate = prefix + std::to_string(counter);
    if (LeadingZeroBits(candidate) >= difficulty_bits) return candidate;
  }
}

}  // namespace homeroom::guard
