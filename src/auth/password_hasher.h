#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace homeroom::auth {

// Argon2id cost. The default is OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane.
struct Argon2Params {
  uint64_t ops_limit = 2;
  size_t mem_limit_bytes = 19u << 20;
};

// Cheap parameters for passwords that arrive in a roster export: hashing 345,000 of them at full
// cost would take over an hour on two cores, so the importer uses these and the first successful
// sign-in re-hashes at full cost (NeedsRehash). Documented in docs/security.md.
inline constexpr Argon2Params kImportArgon2Params{.ops_limit = 1, .mem_limit_bytes = 64u << 10};

// Returns the Argon2id string (algorithm, parameters, salt and hash), or kInternal when libsodium
// cannot allocate the memory. CPU-heavy: call on the hashing pool, never on an I/O thread.
// Thread-safe.
Result<std::string> HashPassword(std::string_view password, const Argon2Params& params);

// True when `password` matches `encoded` (constant time in the password). Thread-safe.
bool VerifyPassword(std::string_view encoded, std::string_view password);

// True when `encoded` was made with other parameters than `params` (then re-hash on sign-in).
bool NeedsRehash(std::string_view encoded, const Argon2Params& params);

}  // namespace homeroom::auth
