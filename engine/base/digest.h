// Cryptographic digests: SHA-256 (bundle contents), HMAC-SHA-256 (cache entry tags) and SHA-1
// (names the SAM translator derives with it), from
// OpenSSL's libcrypto (Debian's libssl-dev). Why these and not XXH3: docs/security.md.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace polc {

/// A SHA-256 or HMAC-SHA-256 result: 32 bytes.
using Digest256 = std::array<std::uint8_t, 32>;

/// SHA-256 (FIPS 180-4) of `data`. Pure, thread-safe.
Digest256 sha256(std::string_view data);

/// SHA-1 (FIPS 180-4) of `data` as 40 lowercase hex digits. Not for security: only to
/// reproduce names others derive with it (the SAM translator's generated logical IDs). Pure,
/// thread-safe.
std::string sha1_hex(std::string_view data);

/// HMAC-SHA-256 (RFC 2104) of the concatenation of `parts` under `key`. Pure, thread-safe.
Digest256 hmac_sha256(std::string_view key, std::initializer_list<std::string_view> parts);

/// Compares two byte strings in time that depends only on their length (a tag check that
/// does not leak how many leading bytes matched).
bool equal_constant_time(std::string_view a, std::string_view b);

/// `n` bytes from the kernel's random number generator (getrandom). False when it fails.
bool random_bytes(std::size_t n, std::string& out);

}  // namespace polc
