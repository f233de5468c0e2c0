// The compact binary form of a file's outcome (internal to engine/scan): the result cache's
// entries (engine/scan/cache.h) and the outcomes a linked scan holds until its link plan is
// complete (engine/scan/held_outcomes.h). Integers are LEB128 varints, strings a varint length
// and the bytes, booleans and enums one byte, lists a varint count and the elements.
#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "engine/base/diagnostic.h"
#include "engine/base/finding.h"
#include "engine/scan/scanner.h"

namespace polc::internal {

void put_varint(std::string& out, std::uint64_t v);
void put_str(std::string& out, std::string_view s);
void put_byte(std::string& out, std::uint8_t b);

/// A bounds-checked reader over untrusted bytes: every read fails (and stays failed) rather
/// than run past the end; enums and booleans are range-checked.
struct ByteReader {
  std::string_view in;
  bool ok = true;
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in.empty()) break;
      const auto b = static_cast<unsigned char>(in[0]);
      in.remove_prefix(1);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    ok = false;
    return 0;
  }
  std::uint32_t u32() {
    const std::uint64_t v = varint();
    if (v > std::numeric_limits<std::uint32_t>::max()) ok = false;
    return static_cast<std::uint32_t>(v);
  }
  /// A count of elements of at least one byte each: at most the bytes left.
  std::size_t count() {
    const std::uint64_t n = varint();
    if (n > in.size()) ok = false;
    return ok ? static_cast<std::size_t>(n) : 0;
  }
  std::uint8_t byte(std::uint8_t max) {
    if (in.empty() || static_cast<unsigned char>(in[0]) > max) {
      ok = false;
      return 0;
    }
    const auto b = static_cast<std::uint8_t>(in[0]);
    in.remove_prefix(1);
    return b;
  }
  bool boolean() { return byte(1) != 0; }
  std::string_view view() {
    const std::uint64_t n = varint();
    if (!ok || n > in.size()) {
      ok = false;
      return {};
    }
    const std::string_view s = in.substr(0, static_cast<std::size_t>(n));
    in.remove_prefix(static_cast<std::size_t>(n));
    return s;
  }
  void str(std::string& out) { out.assign(view()); }
  void location(Location& l) {
    str(l.file);
    l.offset = u32();
    l.line = u32();
    l.column = u32();
    str(l.source_line);
  }
};

/// Appends the status, `incomplete`, the findings and the diagnostics of `o` (not
/// `incomplete_runs` nor `skip_reason`).
void put_outcome_body(std::string& out, const FileOutcome& o);
/// Reads what `put_outcome_body` wrote into `out` (whose other fields are left alone); false
/// when the bytes are malformed (`r.ok` false), with `out` partly filled.
bool read_outcome_body(ByteReader& r, FileOutcome& out);

}  // namespace polc::internal
