#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace homeroom::auth {

// Secrets handed to clients: session tokens and activation codes. Only their hashes are stored
// (BLAKE2b-256), so a copy of the database cannot be replayed as sessions. Thread-safe.

// Length of the raw hashes stored for tokens and codes.
inline constexpr size_t kSecretHashBytes = 32;

// A new session token: 256 random bits as unpadded base64url (43 characters).
std::string NewSessionToken();

// The stored hash of a token (raw bytes), or nullopt when `token` is not a well-formed token
// (wrong length or alphabet), so that garbage never reaches the store.
std::optional<std::string> HashSessionToken(std::string_view token);

// Alphabet of activation codes: digits and capitals without 0/O, 1/I, so that a code read aloud
// or copied from paper is typed right.
inline constexpr std::string_view kActivationAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
// Characters of randomness in an activation code (32 symbols each: 50 bits).
inline constexpr size_t kActivationCodeChars = 10;

// A new activation code, grouped for reading: "K7M2Q-ZP9XD".
std::string NewActivationCode();

// Canonical form of what a person typed: upper-cased, spaces and dashes dropped. nullopt when it
// cannot be a code (wrong length or a character outside the alphabet).
std::optional<std::string> NormalizeActivationCode(std::string_view typed);

// The stored hash of a canonical code (raw bytes).
std::string HashActivationCode(std::string_view canonical);

// True when two equal-length byte strings are equal, in time independent of their contents.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace homeroom::auth
