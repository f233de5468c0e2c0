// Converts libyaml marks to byte offsets.
//
// libyaml 0.2.5 counts `yaml_mark_t::index` in characters, not bytes, for UTF-8 input (checked
// empirically; a CRLF counts as two characters, a NEL as one). polc positions are byte offsets
// into `SourceFile::text()`, so every mark goes through this cursor. Marks arrive almost in
// order, so the cursor walks forward (or, rarely, back) from the last position: linear in the
// file size overall. A pure-ASCII text maps characters to bytes directly.
// Not thread-safe; one per parse.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace polc::internal {

class MarkToOffset {
 public:
  explicit MarkToOffset(std::string_view text) : text_(text) {
    // Eight bytes at a time: this runs over every file loaded.
    std::size_t i = 0;
    std::uint64_t high = 0;
    for (; i + 8 <= text.size(); i += 8) {
      std::uint64_t word;
      std::memcpy(&word, text.data() + i, 8);
      high |= word;
    }
    for (; i < text.size(); ++i) high |= static_cast<unsigned char>(text[i]);
    ascii_ = (high & 0x8080808080808080ull) == 0;
  }

  /// Returns the byte offset of the character with 0-based index `char_index`, clamped to the
  /// text size.
  std::uint32_t byte_offset(std::size_t char_index) {
    if (ascii_)
      return static_cast<std::uint32_t>(char_index < text_.size() ? char_index : text_.size());
    const std::size_t n = text_.size();
    while (char_ < char_index && byte_ < n) {
      byte_ += sequence_length(static_cast<unsigned char>(text_[byte_]));
      if (byte_ > n) byte_ = n;
      ++char_;
    }
    while (char_ > char_index && byte_ > 0) {
      --byte_;
      while (byte_ > 0 && (static_cast<unsigned char>(text_[byte_]) & 0xC0) == 0x80) --byte_;
      --char_;
    }
    return static_cast<std::uint32_t>(byte_);
  }

 private:
  static std::size_t sequence_length(unsigned char lead) {
    if (lead < 0x80) return 1;
    if ((lead & 0xE0) == 0xC0) return 2;
    if ((lead & 0xF0) == 0xE0) return 3;
    if ((lead & 0xF8) == 0xF0) return 4;
    return 1;  // invalid lead byte; libyaml rejects the input before we get here
  }

  std::string_view text_;
  bool ascii_ = true;
  std::size_t char_ = 0;
  std::size_t byte_ = 0;
};

}  // namespace polc::internal
