#include "engine/base/source_file.h"

#include <algorithm>
#include <cstring>

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
  if (std::memchr(data, '\r', n) == nullptr) {
    // Only "\n" terminators (the common case): memchr skips the long lines of minified JSON.
    for (const char* p = data; (p = static_cast<const char*>(std::memchr(p, '\n', n - (p - data))));
         ++p)
      line_starts_.push_back(static_cast<std::uint32_t>(p - data + 1));
    return;
  }
  for (std::uint32_t i = 0; i < text_.size(); ++i) {
    char c = text_[i];
    if (c == '\n') {
      line_starts_.push_back(i + 1);
    } else if (c == '\r') {
      if (i + 1 < text_.size() && text_[i + 1] == '\n') ++i;
      line_starts_.push_back(i + 1);
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
