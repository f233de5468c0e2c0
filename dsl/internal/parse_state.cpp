#include "dsl/internal/parse_state.h"

#include <cstring>

namespace polc::dsl {

/// Describes the token at `offset` for "..., found X".
std::string describe_found(std::string_view text, std::uint32_t offset) {
  if (offset >= text.size()) return "end of file";
  unsigned char c = static_cast<unsigned char>(text[offset]);
  if (c == '\n' || c == '\r') return "end of line";
  if (ident_char(static_cast<char>(c))) {
    std::string_view w = word_at(text.data() + offset, text.data() + text.size());
    if (w.size() > 32) return "'" + std::string(w.substr(0, 32)) + "...'";
    return "'" + std::string(w) + "'";
  }
  if (c > 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
  if (c >= 0x80) return "a non-ASCII character";
  static const char* kHex = "0123456789abcdef";
  return std::string("invalid character 0x") + kHex[c >> 4] + kHex[c & 15];
}

namespace {

/// True when only blanks and a comment follow `p` on its line.
bool ends_line(const char* p, const char* end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) ++p;
  return p >= end || *p == '\n' || *p == '#';
}

/// True when a line whose first token is at `p` (`col1`: at column 1) is a place to resume.
bool is_sync_point(const char* p, const char* end, bool col1, Sync level) {
  if (p >= end) return true;
  std::string_view w = word_at(p, end);
  if (col1 && (w == "import" || w == "const" || w == "fn" || w == "policy")) return true;
  if (level == Sync::kDeclaration) return false;
  if (*p == '}') return true;
  if (w == "for" || w == "let" || w == "when" || w == "require" || w == "report" || w == "if")
    return true;
  if (level == Sync::kPolicyMember && !w.empty()) {
    if (w == "param") return true;
    const char* q = p + w.size();
    while (q < end && (*q == ' ' || *q == '\t')) ++q;
    return q < end && *q == '=' && (q + 1 >= end || q[1] != '=');  // an attribute `key = ...`
  }
  return false;
}

}  // namespace

/// Returns where parsing resumes after an error at `error` in an item that began at `start`:
/// the error position itself when it is the first token of its line and a sync point,
/// otherwise the first token of the next line that is one. Always past `start`.
const char* find_resume(const char* base, const char* end, const char* start, const char* error,
                        Sync level) {
  const char* p = std::max(error, start);
  if (p > start && p < end && *p == '}' && level != Sync::kDeclaration && ends_line(p + 1, end))
    return p;  // the `}` that closes the body, as in `policy p { id = }`
  if (p > start) {
    const char* b = p;
    while (b > base && (b[-1] == ' ' || b[-1] == '\t')) --b;
    bool first_token = b == base || b[-1] == '\n' || b[-1] == '\r';
    if (first_token && is_sync_point(p, end, b == base || b[-1] == '\n', level)) return p;
  }
  while (p < end) {
    const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    if (nl == nullptr) return end;
    const char* line = static_cast<const char*>(nl) + 1;
    p = line;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) ++p;
    if (p < end && *p == '\n') continue;
    if (is_sync_point(p, end, p == line, level)) return p;
  }
  return end;
}

/// Skips whitespace and comments (the grammar's `sep`) from `p`.
const char* skip_sep(const char* p, const char* end) {
  while (p < end) {
    if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
      ++p;
    } else if (*p == '#') {
      while (p < end && *p != '\n') ++p;
    } else {
      break;
    }
  }
  return p;
}

}  // namespace polc::dsl
