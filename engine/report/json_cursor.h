// JsonCursor: writes the fixed skeleton of a report element (member names, indentation, commas,
// literals known when polc is compiled) straight into a string's buffer, with the values escaped
// as `append_json_string` escapes them. For the reporters' per-finding renderers, which write the
// same shape tens of thousands of times; the generic `JsonWriter` (engine/base/json_writer.h)
// writes everything else. Not thread-safe; one cursor per string at a time.
#pragma once
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "engine/base/json_writer.h"

namespace polc::internal {

class JsonCursor {
 public:
  /// Writes at the end of `out`, which holds room not yet written (zero bytes) past the cursor
  /// until `finish` cuts it. `expected`: the bytes the element will likely take (room is made for
  /// that at once; more when needed).
  JsonCursor(std::string& out, std::size_t expected) : out_(out) { reopen(expected); }
  JsonCursor(const JsonCursor&) = delete;
  JsonCursor& operator=(const JsonCursor&) = delete;
  /// Cuts `out` to what was written. Call once, at the end.
  void finish() { out_.resize(static_cast<std::size_t>(p_ - out_.data())); }

  /// A string literal, copied as it is (no escaping: it must be valid JSON text).
  template <std::size_t N>
  void lit(const char (&text)[N]) {
    room(N - 1);
    std::memcpy(p_, text, N - 1);
    p_ += N - 1;
  }
  void ch(char c) {
    room(1);
    *p_++ = c;
  }
  /// `text` as a quoted, escaped JSON string (`append_json_string`).
  void str(std::string_view text) {
    if (json_plain_text(text)) {
      room(text.size() + 2);
      *p_++ = '"';
      if (!text.empty()) std::memcpy(p_, text.data(), text.size());
      p_ += text.size();
      *p_++ = '"';
      return;
    }
    finish();
    append_json_string(out_, text);
    reopen();
  }
  void num(std::uint64_t n) {
    room(20);
    p_ = std::to_chars(p_, p_ + 20, n).ptr;
  }

 private:
  /// Room for the next writes made without a check.
  static constexpr std::size_t kSlack = 256;

  void room(std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n) grow(n);
  }
  void grow(std::size_t n) {
    finish();
    out_.reserve(out_.size() * 2 + n);
    reopen(n);
  }
  /// Makes room at the end of `out_` again after it was cut or appended to.
  void reopen(std::size_t n = 0) {
    const std::size_t at = out_.size();
    out_.resize(at + n + kSlack);
    p_ = out_.data() + at;
    end_ = out_.data() + out_.size();
  }

  std::string& out_;
  char* p_;
  char* end_;
};

}  // namespace polc::internal
