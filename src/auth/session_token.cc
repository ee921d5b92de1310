#include "auth/session_token.h"

#include <sodium.h>

#include "core/status.h"

namespace homeroom::auth {
namespace {

constexpr size_t kTokenBytes = 32;  // 256 bits
constexpr int kBase64Variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

void EnsureSodium() {
  static const bool ok = sodium_init() >= 0;
  HR_CHECK(ok, "libsodium failed to initialise");
}

std::string Blake2b(std::string_view domain, std::string_view data) {
  // The domain separates token hashes from code hashes even if the inputs collided.
  unsigned char out[kSecretHashBytes];
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, sizeof out);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(domain.data()),
                            domain.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(data.data()),
                            data.size());
  crypto_generichash_final(&state, out, sizeof out);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

}  // namespace

std::string NewSessionToken() {
  EnsureSodium();
  unsigned char raw[kTokenBytes];
  randombytes_buf(raw, sizeof raw);
  char encoded[sodium_base64_ENCODED_LEN(kTokenBytes, kBase64Variant)];
  sodium_bin2base64(encoded, sizeof encoded, raw, sizeof raw, kBase64Variant);
  sodium_memzero(raw, sizeof raw);
  return std::string(encoded);
}

std::optional<std::string> HashSessionToken(std::string_view token) {
  EnsureSodium();
  constexpr size_t kEncodedChars = sodium_base64_ENCODED_LEN(kTokenBytes, kBase64Variant) - 1;
  if (token.size() != kEncodedChars) return std::nullopt;
  unsigned char raw[kTokenBytes];
  size_t raw_len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(raw, sizeof raw, token.data(), token.size(), nullptr, &raw_len, &end,
                        kBase64Variant) != 0 ||
      raw_len != kTokenBytes || end != token.data() + token.size()) {
    return std::nullopt;
  }
  std::string hash =
      Blake2b("homeroom-session-v1", std::string_view(reinterpret_cast<char*>(raw), raw_len));
  sodium_memzero(raw, sizeof raw);
  return hash;
}

std::string NewActivationCode() {
  EnsureSodium();
  std::string code;
  for (size_t i = 0; i < kActivationCodeChars; ++i) {
    if (i == kActivationCodeChars / 2) code.push_back('-');
    code.push_back(kActivationAlphabet[randombytes_uniform(kActivationAlphabet.size())]);
  }
  return code;
}

std::optional<std::string> NormalizeActivationCode(std::string_view typed) {
  if (typed.size() > 4 * kActivationCodeChars) return std::nullopt;
  std::string out;
  for (char ch : typed) {
    if (ch == '-' || ch == ' ') continue;
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    if (kActivationAlphabet.find(ch) == std::string_view::npos) return std::nullopt;
    out.push_back(ch);
  }
  if (out.size() != kActivationCodeChars) return std::nullopt;
  return out;
}

std::string HashActivationCode(std::string_view canonical) {
  EnsureSodium();
  return Blake2b("homeroom-activation-v1", canonical);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  EnsureSodium();
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace homeroom::auth
