// Helpers for diagnostic text built from template content (keys, logical IDs).
//
// Names come from untrusted input: they are quoted, cut to a readable length and kept on one
// line so a hostile key cannot flood or forge report lines. Pure functions, thread-safe.
#pragma once
#include <string>
#include <string_view>

namespace polc::internal {

/// Longest name quoted verbatim in a message, in bytes; longer ones end with "...".
inline constexpr std::size_t kMaxQuotedNameBytes = 80;

/// Returns `s` cut after `kMaxQuotedNameBytes` bytes (ending with "..."), with line breaks
/// and tabs turned into spaces.
inline std::string cut_name(std::string_view s) {
  std::string out;
  bool cut = false;
  if (s.size() > kMaxQuotedNameBytes) {
    std::size_t n = kMaxQuotedNameBytes;
    // Do not split a UTF-8 sequence.
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    s = s.substr(0, n);
    cut = true;
  }
  for (char c : s) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (cut) out += "...";
  return out;
}

/// Returns `cut_name(s)` in single quotes.
inline std::string quote_name(std::string_view s) {
  std::string out(1, '\'');
  out.append(cut_name(s)).push_back('\'');
  return out;
}

}  // namespace polc::internal
