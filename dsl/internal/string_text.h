// Turning string literals of the policy language into their values: escape processing, the
// `{{`/`}}` literal braces of message templates, and the indentation removal of long `"""`
// strings (docs/language.md, "Lexical structure"). Pure functions over the source bytes, shared by
// the parser's actions; no PEGTL here.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace polc::dsl {

/// Which bytes of a long string's content survive indentation removal. Built once per long
/// string; `kept(i)` takes a 0-based offset into the content the mask was built from.
class DedentMask {
 public:
  /// Builds the mask for `content` (the bytes between the `"""` delimiters): a first line that
  /// is blank is dropped with its newline, a last line that is blank is dropped with the newline
  /// before it, and the longest run of spaces/tabs common to all non-blank lines is removed from
  /// the start of every line. Linear in `content.size()`.
  explicit DedentMask(std::string_view content);
  bool kept(std::size_t i) const { return i >= keep_.size() || keep_[i] != 0; }

 private:
  std::vector<char> keep_;
};

/// Options of `cook_string`.
struct CookOptions {
  bool template_braces = false;      // `{{` and `}}` stand for one brace (message templates)
  bool normalize_crlf = false;       // `\r\n` becomes `\n` (long strings)
  const DedentMask* mask = nullptr;  // bytes to drop; offsets relative to `mask_origin`
  const char* mask_origin = nullptr;
};

/// Returns the value of the raw source bytes `[begin, end)` of a string literal's content:
/// escapes `\" \\ \n \t \{ \}` are replaced, and the options above applied. The grammar has
/// already rejected unknown escapes; an unknown one is kept verbatim here.
std::string cook_string(const char* begin, const char* end, const CookOptions& options);

}  // namespace polc::dsl
