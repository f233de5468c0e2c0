// UTF-8 helpers for the reporters. Report formats (JSON, SARIF, JUnit XML, GitHub workflow
// commands) must carry valid UTF-8, but template text may not be: these helpers decode one code
// point at a time, strictly (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF),
// and report each invalid byte as U+FFFD so the writers can replace it.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace polc::internal {

/// The replacement character written for each byte that is not part of valid UTF-8.
inline constexpr char32_t kReplacementChar = 0xFFFD;

/// Decodes the code point starting at byte `i` of `s` (requires `i < s.size()`). Stores it in
/// `cp` and returns the number of bytes it spans (1 to 4). An invalid or truncated sequence
/// yields `cp == kReplacementChar` and a length of 1, so the caller resumes at the next byte.
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp);

/// Appends the UTF-8 encoding of `cp` (which must be a valid scalar value) to `out`.
void append_utf8(std::string& out, char32_t cp);

/// Returns `s` with every invalid byte replaced by U+FFFD; valid UTF-8 is copied unchanged.
std::string sanitize_utf8(std::string_view s);

/// Number of code points in the first `bytes` bytes of `s` (each invalid byte counts as one).
std::size_t count_code_points(std::string_view s, std::size_t bytes);

/// Returns the 0-based byte offset of the first byte that starts an invalid UTF-8 sequence in
/// `text`, or `std::string_view::npos` when the whole buffer is valid.
std::size_t find_invalid_utf8(std::string_view text);

}  // namespace polc::internal
