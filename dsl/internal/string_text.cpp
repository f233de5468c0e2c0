#include "dsl/internal/string_text.h"

#include <algorithm>

namespace polc::dsl {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool all_blank(std::string_view s, std::size_t b, std::size_t e) {
  for (std::size_t i = b; i < e; ++i)
    if (!is_blank(s[i])) return false;
  return true;
}

}  // namespace

DedentMask::DedentMask(std::string_view content) : keep_(content.size(), 1) {
  const std::size_t n = content.size();
  const std::size_t first_nl = content.find('\n');
  if (first_nl == std::string_view::npos) return;  // one line: kept verbatim
  std::size_t start = 0;
  if (all_blank(content, 0, first_nl)) {
    std::fill(keep_.begin(), keep_.begin() + static_cast<std::ptrdiff_t>(first_nl + 1), 0);
    start = first_nl + 1;
  }
  std::size_t end = n;
  const std::size_t last_nl = content.rfind('\n');
  if (all_blank(content, last_nl + 1, n)) {
    std::size_t drop = last_nl;
    if (drop < start) {
      drop = start;
    } else if (drop > start && content[drop - 1] == '\r') {
      --drop;
    }
    std::fill(keep_.begin() + static_cast<std::ptrdiff_t>(drop), keep_.end(), 0);
    end = drop;
  }
  // The common indentation of the non-blank lines in [start, end).
  std::size_t indent = std::string_view::npos;
  for (std::size_t line = start; line < end;) {
    std::size_t nl = content.find('\n', line);
    std::size_t line_end = (nl == std::string_view::npos || nl > end) ? end : nl;
    std::size_t lead = 0;
    while (line + lead < line_end && (content[line + lead] == ' ' || content[line + lead] == '\t'))
      ++lead;
    if (!all_blank(content, line + lead, line_end)) indent = std::min(indent, lead);
    line = line_end + 1;
  }
  if (indent == std::string_view::npos || indent == 0) return;
  for (std::size_t line = start; line < end;) {
    std::size_t nl = content.find('\n', line);
    std::size_t line_end = (nl == std::string_view::npos || nl > end) ? end : nl;
    for (std::size_t i = 0; i < indent && line + i < line_end; ++i) {
      char c = content[line + i];
      if (c != ' ' && c != '\t') break;
      keep_[line + i] = 0;
    }
    line = line_end + 1;
  }
}

std::string cook_string(const char* begin, const char* end, const CookOptions& options) {
  std::string out;
  out.reserve(static_cast<std::size_t>(end - begin));
  for (const char* p = begin; p < end; ++p) {
    if (options.mask != nullptr &&
        !options.mask->kept(static_cast<std::size_t>(p - options.mask_origin)))
      continue;
    char c = *p;
    if (c == '\\' && p + 1 < end) {
      char e = *++p;
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case '"':
        case '\\':
        case '{':
        case '}':
          out += e;
          break;
        default:
          out += '\\';
          out += e;
      }
    } else if (options.template_braces && (c == '{' || c == '}') && p + 1 < end && p[1] == c) {
      out += c;
      ++p;
    } else if (options.normalize_crlf && c == '\r' && p + 1 < end && p[1] == '\n') {
      continue;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace polc::dsl
