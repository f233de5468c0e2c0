#include "engine/base/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "engine/base/utf8.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace polc {

namespace {

/// True when none of the 8 bytes of `w` is a control character (< 0x20 or 0x7F), a quote, a
/// backslash or a non-ASCII byte: the exact "has a byte less than / equal to" word tests.
inline bool plain_ascii8(std::uint64_t w) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  auto has_zero = [&](std::uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  const std::uint64_t below_space = (w - kOnes * 0x20) & ~w & kHigh;
  return ((w & kHigh) | below_space | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\')) |
          has_zero(w ^ (kOnes * 0x7F))) == 0;
}

/// True when `text` needs no escape: printable ASCII without quote or backslash.
bool plain_text(std::string_view text) {
  const char* p = text.data();
  const std::size_t n = text.size();
  if (n < 8) {  // short keys and values: byte by byte
    for (std::size_t i = 0; i < n; ++i) {
      const auto b = static_cast<unsigned char>(p[i]);
      if (b < 0x20 || b >= 0x7F || b == '"' || b == '\\') return false;
    }
    return true;
  }
  std::size_t i = 0;
#if defined(__SSE2__)
  // 16 bytes at a time: a byte needs a look when it is below 0x20, 0x7F or above (signed: below
  // 0x20 or negative, or equal to 0x7F), a quote or a backslash.
  const __m128i space = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7F),
                quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
  auto bad16 = [&](const char* at) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
    const __m128i bad = _mm_or_si128(
        _mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, del)),
        _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    return _mm_movemask_epi8(bad) != 0;
  };
  if (n >= 16) {
    for (; i + 16 <= n; i += 16)
      if (bad16(p + i)) return false;
    // The last 16 bytes, overlapping what was checked: no byte-wise tail.
    return i == n || !bad16(p + n - 16);
  }
#endif
  std::uint64_t w;
  for (; i + 8 <= n; i += 8) {
    std::memcpy(&w, p + i, 8);
    if (!plain_ascii8(w)) return false;
  }
  if (i == n) return true;
  // The last 8 bytes, overlapping what was checked (n >= 8 here).
  std::memcpy(&w, p + n - 8, 8);
  return plain_ascii8(w);
}

}  // namespace

bool json_plain_text(std::string_view text) { return plain_text(text); }

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  // The common case, a text with nothing to escape (keys, ids, most values): one copy.
  if (plain_text(text)) {
    const std::size_t at = out.size();
    out.append(text.size() + 2, '"');
    if (!text.empty()) std::memcpy(out.data() + at + 1, text.data(), text.size());
    return;
  }
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    // A run of printable ASCII without quote or backslash (most of any report) is copied whole;
    // eight bytes at a time while none of them needs a look.
    std::size_t run = i;
    while (run + 8 <= text.size()) {
      std::uint64_t w;
      std::memcpy(&w, text.data() + run, 8);
      if (!plain_ascii8(w)) break;
      run += 8;
    }
    while (run < text.size()) {
      const auto b = static_cast<unsigned char>(text[run]);
      if (b < 0x20 || b >= 0x7F || b == '"' || b == '\\') break;
      ++run;
    }
    if (run > i) {
      out.append(text.data() + i, run - i);
      i = run;
      continue;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (c < 0x20 || c == 0x7F) {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    char32_t cp = 0;
    const std::size_t n = internal::decode_utf8(text, i, cp);
    if (n == 1) {
      internal::append_utf8(out, internal::kReplacementChar);
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  out += '"';
}

void JsonWriter::newline_indent() {
  if (!pretty_) return;
  // A line break and the indentation in one append, for the depths reports use.
  static constexpr char kLine[] =
      "\n                                                                ";  // 64 spaces
  const std::size_t width = stack_.size() * 2;
  if (width + 1 < sizeof kLine) {
    out_.append(kLine, width + 1);
  } else {
    out_ += '\n';
    out_.append(width, ' ');
  }
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;
  if (!stack_.back().empty) out_ += ',';
  stack_.back().empty = false;
  newline_indent();
}

void JsonWriter::open(char c) {
  before_value();
  out_ += c;
  stack_.push_back(Level{});
}

void JsonWriter::close(char c) {
  if (stack_.empty()) return;
  const bool was_empty = stack_.back().empty;
  stack_.pop_back();
  if (!was_empty) newline_indent();
  out_ += c;
  if (stack_.empty() && pretty_) out_ += '\n';
}

void JsonWriter::begin_object() { open('{'); }
void JsonWriter::end_object() { close('}'); }
void JsonWriter::begin_array() { open('['); }
void JsonWriter::end_array() { close(']'); }

void JsonWriter::key(std::string_view name) {
  // Pretty output of a plain key (every key polc writes): the comma, the line break, the
  // indentation, the quoted key and ": " in one append.
  constexpr std::size_t kShortKey = 64, kShallow = 32;
  if (pretty_ && !after_key_ && !stack_.empty() && stack_.size() <= kShallow &&
      name.size() <= kShortKey && plain_text(name)) {
    char buf[1 + 1 + 2 * kShallow + kShortKey + 4];
    std::size_t n = 0;
    if (!stack_.back().empty) buf[n++] = ',';
    stack_.back().empty = false;
    buf[n++] = '\n';
    std::memset(buf + n, ' ', stack_.size() * 2);
    n += stack_.size() * 2;
    buf[n++] = '"';
    std::memcpy(buf + n, name.data(), name.size());
    n += name.size();
    buf[n++] = '"';
    buf[n++] = ':';
    buf[n++] = ' ';
    out_.append(buf, n);
    after_key_ = true;
    return;
  }
  before_value();
  append_json_string(out_, name);
  out_ += pretty_ ? ": " : ":";
  after_key_ = true;
}

void JsonWriter::value(std::string_view text) {
  before_value();
  append_json_string(out_, text);
}

void JsonWriter::value(bool b) {
  before_value();
  out_ += b ? "true" : "false";
}

void JsonWriter::value(std::int64_t n) {
  before_value();
  out_ += std::to_string(n);
}

void JsonWriter::value(std::uint64_t n) {
  before_value();
  out_ += std::to_string(n);
}

void JsonWriter::value(double d, int decimals) {
  before_value();
  if (!std::isfinite(d)) {
    out_ += "null";
    return;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed, decimals);
  if (res.ec != std::errc()) {
    res = std::to_chars(buf, buf + sizeof buf, d);  // very large: shortest form fits
  }
  out_.append(buf, res.ptr);
}

void JsonWriter::null() {
  before_value();
  out_ += "null";
}

}  // namespace polc
