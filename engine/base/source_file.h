// SourceFile: the bytes of one input file (template or policy) and its line table.
//
// Positions inside polc are 0-based byte offsets. This is the one place where an offset becomes
// a 1-based line and a 1-based column (counted in bytes, as compilers do; a UTF-8 BOM at the
// start of the file is not counted). The line table is built on first use. A SourceFile is
// immutable after construction except for that lazy table; do not share one between threads
// before calling `locate` once, or give each thread its own.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace polc {

/// A resolved position: 1-based line and column (bytes), plus the byte offset it came from.
struct LineCol {
  std::uint32_t line = 0;    // 1-based; 0 means "no position"
  std::uint32_t column = 0;  // 1-based, in bytes
};

/// Bytes `load_template_file` allocates, zero-filled, after a file's contents, so that the
/// JSON parser (simdjson reads up to 64 bytes past the end) can use them in place.
inline constexpr std::size_t kSourcePadding = 64;

class SourceFile {
 public:
  /// Takes ownership of `bytes`. `path` is kept verbatim, as reached from the command line.
  SourceFile(std::string path, std::string bytes);

  const std::string& path() const { return path_; }
  /// The file's bytes, without a leading UTF-8 BOM.
  std::string_view text() const { return text_; }
  /// Bytes allocated after the end of `text()` (readable; their contents are unspecified
  /// unless the creator zeroed them, as `load_template_file` does). Used to parse in place.
  std::size_t padding() const { return bytes_.capacity() - bytes_.size(); }
  /// Number of BOM bytes skipped at the start (0 or 3).
  std::uint32_t bom_bytes() const { return bom_; }

  /// Converts a 0-based byte offset into `text()` to a 1-based line and column. Offsets past the
  /// end clamp to the last position.
  LineCol locate(std::uint32_t offset) const;
  /// The text of 1-based `line`, without its line terminator; empty when out of range.
  std::string_view line_text(std::uint32_t line) const;
  /// Byte offset of the start of 1-based `line`.
  std::uint32_t line_start(std::uint32_t line) const;

 private:
  void build_lines() const;
  std::string path_;
  std::string bytes_;
  std::string_view text_;
  std::uint32_t bom_ = 0;
  mutable std::vector<std::uint32_t> line_starts_;
};

}  // namespace polc
