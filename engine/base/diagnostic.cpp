#include "engine/base/diagnostic.h"

#include "engine/base/limits.h"
#include "engine/base/printable.h"

namespace polc {

std::string_view diag_severity_name(DiagSeverity s) {
  switch (s) {
    case DiagSeverity::kError:
      return "error";
    case DiagSeverity::kWarning:
      return "warning";
    case DiagSeverity::kNote:
      return "note";
  }
  return "error";
}

Location Location::at(const SourceFile& file, std::uint32_t offset) {
  Location l;
  l.file = file.path();
  l.offset = offset;
  LineCol lc = file.locate(offset);
  l.line = lc.line;
  l.column = lc.column;
  std::string_view text = file.line_text(lc.line);
  if (text.size() > kMaxSnippetBytes) {
    std::size_t n = kMaxSnippetBytes;
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;  // UTF-8 boundary
    text = text.substr(0, n);
  }
  l.source_line = std::string(text);
  return l;
}

Location Location::whole(std::string file) {
  Location l;
  l.file = std::move(file);
  return l;
}

void Diagnostics::error(std::string code, Location loc, std::string message) {
  add(Diagnostic{
      DiagSeverity::kError, std::move(code), std::move(message), std::move(loc), {}, {}});
}

void Diagnostics::warning(std::string code, Location loc, std::string message) {
  add(Diagnostic{
      DiagSeverity::kWarning, std::move(code), std::move(message), std::move(loc), {}, {}});
}

bool Diagnostics::has_errors() const {
  for (const auto& d : items_)
    if (d.severity == DiagSeverity::kError) return true;
  return false;
}

bool Diagnostics::has_load_errors() const {  // errors that are not `is_incomplete_code`
  for (const auto& d : items_)
    if (d.severity == DiagSeverity::kError && !is_incomplete_code(d.code)) return true;
  return false;
}

bool is_incomplete_code(std::string_view code) {
  return code == "foreach-not-expanded" || code == "foreach-limit" ||
         code == "sam-policy-not-expanded" || code == "sam-globals-limit";
}

void append_location(std::string& out, const Location& loc) {
  append_printable(out, loc.file);
  if (loc.line > 0) {
    out += ':';
    out += std::to_string(loc.line);
    out += ':';
    out += std::to_string(loc.column);
  }
}

void append_source_snippet(std::string& out, const Location& loc) {
  if (loc.line == 0 || loc.source_line.empty()) return;
  std::string num = std::to_string(loc.line);
  out += ' ';
  out += num;
  out += " | ";
  // Tabs become single spaces so the caret lines up; control characters are escaped
  // (engine/base/printable.h): a source line is the scanned tree's text.
  const std::size_t start = out.size();
  append_printable(out, loc.source_line);
  for (std::size_t i = start; i < out.size(); ++i)
    if (out[i] == '\t') out[i] = ' ';
  out += '\n';
  out.append(num.size() + 1, ' ');
  out += " | ";
  const std::size_t col = loc.column > 0 ? loc.column - 1 : 0;
  // One space per cell before the column (a code point, or each character of an escape).
  out.append(printable_width(loc.source_line, col), ' ');
  out += "^\n";
}

std::string render_diagnostic(const Diagnostic& d, bool color) {
  std::string out;
  if (color) out += "\x1b[1m";
  append_location(out, d.location);
  out += ": ";
  if (color)
    out += d.severity == DiagSeverity::kError     ? "\x1b[31m"
           : d.severity == DiagSeverity::kWarning ? "\x1b[35m"
                                                  : "\x1b[36m";
  out += diag_severity_name(d.severity);
  out += ':';
  if (color) out += "\x1b[0m\x1b[1m";
  out += ' ';
  append_printable(out, d.message);
  if (!d.code.empty()) {
    out += " [";
    append_printable(out, d.code);
    out += ']';
  }
  if (color) out += "\x1b[0m";
  out += '\n';
  append_source_snippet(out, d.location);
  for (const auto& n : d.notes) {
    append_location(out, n.location);
    out += ": note: ";
    append_printable(out, n.message);
    out += '\n';
    append_source_snippet(out, n.location);
  }
  return out;
}

}  // namespace polc
