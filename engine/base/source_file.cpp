#include "engine/base/source_file.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace polc {

SourceFile::SourceFile(std::string path, std::string bytes)
    : path_(std::move(path)), bytes_(std::move(bytes)) {
  text_ = bytes_;
  if (text_.size() >= 3 && static_cast<unsigned char>(text_[0]) == 0xEF &&
      static_cast<unsigned char>(text_[1]) == 0xBB &&
      static_cast<unsigned char>(text_[2]) == 0xBF) {
    text_.remove_prefix(3);
    bom_ = 3;
  }
}

void SourceFile::build_lines() const {
  if (!line_starts_.empty()) return;
  line_starts_.reserve(text_.size() / 32 + 2);
  line_starts_.push_back(0);
  const char* data = text_.data();
  const std::size_t n = text_.size();
  // Only "\n" terminators (the common case) until a "\r" is met: then the general loop below
  // starts again from the beginning.
  bool cr = false;
  std::size_t i = 0;
#if defined(__SSE2__)
  // Sixteen bytes at a time: each "\n" of the block by its bit.
  const __m128i nl = _mm_set1_epi8('\n'), ret = _mm_set1_epi8('\r');
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, ret)) != 0) {
      cr = true;
      break;
    }
    for (unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl))); mask;
         mask &= mask - 1)
      line_starts_.push_back(static_cast<std::uint32_t>(i + __builtin_ctz(mask) + 1));
  }
#endif
  for (; i < n && !cr; ++i) {
    if (data[i] == '\r')
      cr = true;
    else if (data[i] == '\n')
      line_starts_.push_back(static_cast<std::uint32_t>(i + 1));
  }
  if (!cr) return;
  line_starts_.assign(1, 0);
  for (std::uint32_t k = 0; k < text_.size(); ++k) {
    char c = text_[k];
    if (c == '\n') {
      line_starts_.push_back(k + 1);
    } else if (c == '\r') {
      if (k + 1 < text_.size() && text_[k + 1] == '\n') ++k;
      line_starts_.push_back(k + 1);
    }
  }
}

LineCol SourceFile::locate(std::uint32_t offset) const {
  build_lines();
  if (offset > text_.size()) offset = static_cast<std::uint32_t>(text_.size());
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  std::uint32_t line = static_cast<std::uint32_t>(it - line_starts_.begin());
  return {line, offset - line_starts_[line - 1] + 1};
}

std::uint32_t SourceFile::line_start(std::uint32_t line) const {
  build_lines();
  if (line == 0 || line > line_starts_.size()) return static_cast<std::uint32_t>(text_.size());
  return line_starts_[line - 1];
}

std::string_view SourceFile::line_text(std::uint32_t line) const {
  build_lines();
  if (line == 0 || line > line_starts_.size()) return {};
  std::uint32_t b = line_starts_[line - 1];
  // The line ends where the next one starts, less its terminator ("\n", "\r" or "\r\n"); the
  // last line ends at the end of the text. O(1): a one-line template (minified JSON) of
  // megabytes is asked for its line once per finding.
  if (line == line_starts_.size()) return text_.substr(b);
  std::uint32_t e = line_starts_[line] - 1;
  if (text_[e] == '\n' && e > b && text_[e - 1] == '\r') --e;
  return text_.substr(b, e - b);
}

}  // namespace polc
