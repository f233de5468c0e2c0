// JsonWriter: a small streaming JSON writer for the reporters.
//
// The writer appends to a caller-owned `std::string`, inserts commas and (optionally) two-space
// indentation itself, and escapes strings so the output is always valid JSON in valid UTF-8:
// `"` and `\` are escaped, newline, carriage return and tab use their short escapes, every other
// control character (U+0000..U+001F) and DEL are written as `\u00XX`, valid UTF-8 passes through
// unchanged, and each byte that is not part of valid UTF-8 becomes U+FFFD. Non-finite doubles
// are written as `null`. The writer does not check that keys and values alternate correctly; the
// reporters are its only callers and the tests parse their output. Not thread-safe; cheap to
// create, one per document.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace polc {

/// Appends `text` to `out` as a quoted, escaped JSON string (see the header comment).
void append_json_string(std::string& out, std::string_view text);

/// True when `text` needs no escape in a JSON string: printable ASCII without quote or
/// backslash (then `append_json_string` writes it between quotes unchanged).
bool json_plain_text(std::string_view text);

class JsonWriter {
 public:
  /// Writes into `out`, which must outlive the writer. `pretty` selects two-space indentation
  /// with one member per line; otherwise the output is compact.
  explicit JsonWriter(std::string& out, bool pretty = true) : out_(out), pretty_(pretty) {}
  /// Writes the elements of a container that is open `depth` levels deep in a document written
  /// by another writer (a report section written apart and spliced in later): the first value
  /// gets no comma, and every value is indented for that depth. Do not close the container.
  JsonWriter(std::string& out, bool pretty, std::size_t depth)
      : out_(out), pretty_(pretty), stack_(depth) {}

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  /// Writes a member name; the next call must write its value.
  void key(std::string_view name);

  void value(std::string_view text);
  void value(const char* text) { value(std::string_view(text)); }
  void value(bool b);
  void value(std::int64_t n);
  void value(std::uint64_t n);
  void value(int n) { value(static_cast<std::int64_t>(n)); }
  void value(std::uint32_t n) { value(static_cast<std::uint64_t>(n)); }
  /// Writes `d` with `decimals` digits after the point (fixed notation, locale-independent).
  void value(double d, int decimals = 3);
  void null();
  /// Records that the innermost open container already holds values written by another writer
  /// (a spliced section), so it gets commas and closes on its own line.
  void mark_nonempty() {
    if (!stack_.empty()) stack_.back().empty = false;
  }

  /// Appends `text`, one whole value written by a writer made for this container's depth (the
  /// constructor with `depth`, whose output starts with its own line break and indentation), as
  /// the next element of the innermost open container: its comma, then `text` unchanged.
  void raw_element(std::string_view text) {
    if (!stack_.empty()) {
      if (!stack_.back().empty) out_ += ',';
      stack_.back().empty = false;
    }
    out_.append(text);
  }
  /// Shorthands for `key(name)` followed by `value(v)` / `null()`.
  template <typename T>
  void member(std::string_view name, const T& v) {
    key(name);
    value(v);
  }
  void null_member(std::string_view name) {
    key(name);
    null();
  }

 private:
  void before_value();
  void open(char c);
  void close(char c);
  void newline_indent();

  struct Level {
    bool empty = true;
  };
  std::string& out_;
  bool pretty_;
  bool after_key_ = false;
  std::vector<Level> stack_;
};

}  // namespace polc
