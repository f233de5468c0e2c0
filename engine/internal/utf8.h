// UTF-8 helpers shared by the loaders: locating the first invalid byte of a buffer.
//
// simdjson and libyaml only say *that* a buffer is not valid UTF-8; messages need the byte
// offset, which this scalar validator finds (RFC 3629: no overlongs, no surrogates, at most
// U+10FFFF). Pure functions, thread-safe.
#pragma once
#include <cstddef>
#include <string_view>

namespace polc::internal {

/// Returns the 0-based byte offset of the first byte that starts an invalid UTF-8 sequence in
/// `text`, or `std::string_view::npos` when the whole buffer is valid.
std::size_t find_invalid_utf8(std::string_view text);

}  // namespace polc::internal
