#include "engine/base/printable.h"

#include <algorithm>

#include "engine/base/utf8.h"

namespace polc {
namespace {

constexpr char kHex[] = "0123456789abcdef";

/// True for the code points escaped as `\u{XXXX}`: C1 controls and the format characters that
/// reorder or hide text.
bool is_hidden_format(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C ||
         cp == 0x2028 || cp == 0x2029;
}

/// Appends the escape for the code point of `len` bytes at `text[i]` (decoded as `cp`), or the
/// bytes themselves when none is needed. Returns the number of cells appended.
std::size_t append_one(std::string* out, std::string_view text, std::size_t i, std::size_t len,
                       char32_t cp) {
  const auto byte = static_cast<unsigned char>(text[i]);
  std::string esc;
  if (cp == internal::kReplacementChar && len == 1 && byte >= 0x80) {
    esc = {'\\', 'x', kHex[byte >> 4], kHex[byte & 0xF]};  // not UTF-8
  } else if (cp == '\n') {
    esc = "\\n";
  } else if (cp == '\r') {
    esc = "\\r";
  } else if (cp == 0x1B) {
    esc = "\\e";
  } else if ((cp < 0x20 && cp != '\t') || cp == 0x7F) {
    esc = {'\\', 'x', kHex[cp >> 4], kHex[cp & 0xF]};
  } else if (is_hidden_format(cp)) {
    esc = "\\u{";
    for (int shift = 12; shift >= 0; shift -= 4) esc += kHex[(cp >> shift) & 0xF];
    esc += '}';
  } else {
    if (out) out->append(text.substr(i, len));
    return 1;
  }
  if (out) *out += esc;
  return esc.size();
}

}  // namespace

void append_printable(std::string& out, std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    // Runs of plain ASCII are copied at once (the common case).
    std::size_t j = i;
    while (j < text.size()) {
      const auto c = static_cast<unsigned char>(text[j]);
      if (c < 0x20 || c >= 0x7F) break;
      ++j;
    }
    out.append(text.substr(i, j - i));
    if (j == text.size()) break;
    char32_t cp;
    const std::size_t len = internal::decode_utf8(text, j, cp);
    append_one(&out, text, j, len, cp);
    i = j + len;
  }
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_printable(out, text);
  return out;
}

std::string printable_lines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i <= text.size();) {
    const std::size_t nl = std::min(text.find('\n', i), text.size());
    append_printable(out, text.substr(i, nl - i));
    if (nl == text.size()) break;
    out += '\n';
    i = nl + 1;
  }
  return out;
}

bool is_printable(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp;
    const std::size_t len = internal::decode_utf8(text, i, cp);
    std::string probe;
    if (append_one(&probe, text, i, len, cp) != 1 || probe != text.substr(i, len)) return false;
    i += len;
  }
  return true;
}

std::size_t printable_width(std::string_view text, std::size_t bytes) {
  if (bytes > text.size()) bytes = text.size();
  std::size_t cells = 0;
  for (std::size_t i = 0; i < bytes;) {
    char32_t cp;
    const std::size_t len = internal::decode_utf8(text, i, cp);
    cells += append_one(nullptr, text, i, len, cp);
    i += len;
  }
  return cells;
}

}  // namespace polc
