// `format_policy_source` (dsl/format.h): parse with the real parser (errors are the caller's),
// lay the tokens out (dsl/internal/format_builder.h), then parse the result again and compare
// the two ASTs without their positions before returning it.
#include "dsl/format.h"

#include <string_view>

#include "dsl/ast.h"
#include "dsl/internal/format_builder.h"
#include "dsl/parser.h"

namespace polc {

std::string ast_dump_without_positions(const ast::File& file, const SourceFile& source) {
  const std::string dump = ast::dump(file, source);
  std::string out;
  out.reserve(dump.size());
  auto digits = [&](std::size_t i) {
    while (i < dump.size() && dump[i] >= '0' && dump[i] <= '9') ++i;
    return i;
  };
  for (std::size_t i = 0; i < dump.size();) {
    if (dump[i] == '@') {
      // '@' digits ':' digits '-' digits ':' digits
      std::size_t j = digits(i + 1);
      bool ok = j > i + 1 && j < dump.size() && dump[j] == ':';
      if (ok) j = digits(j + 1);
      ok = ok && j < dump.size() && dump[j] == '-';
      if (ok) j = digits(j + 1);
      ok = ok && j < dump.size() && dump[j] == ':';
      if (ok) {
        const std::size_t k = digits(j + 1);
        if (k > j + 1) {
          i = k;
          continue;
        }
      }
    }
    out += dump[i++];
  }
  return out;
}

namespace {

void internal_error(const SourceFile& source, Diagnostics& diags, const std::string& why) {
  Location loc;
  loc.file = source.path();
  loc.line = 1;
  loc.column = 1;
  diags.error("format-internal", loc,
              "polc fmt cannot format this file (" + why +
                  "); it is left unchanged. Please report this with the file");
}

}  // namespace

std::optional<std::string> format_policy_source(const SourceFile& source, Diagnostics& diags) {
  Diagnostics parsed;
  auto before = parse_policy_source(source, parsed);
  if (parsed.has_errors() || !before) {
    for (const Diagnostic& d : parsed.items())
      if (d.severity == DiagSeverity::kError) diags.add(d);
    return std::nullopt;
  }
  std::string text;
  try {
    dsl::fmt::Builder builder(source.text());
    const dsl::fmt::DocId root = builder.file();
    text = builder.docs().print(root, kFormatWidth);
  } catch (const dsl::fmt::FormatFailure& e) {
    internal_error(source, diags, e.what());
    return std::nullopt;
  }
  if (!text.empty()) text += '\n';
  SourceFile formatted(source.path(), text);
  Diagnostics again;
  auto after = parse_policy_source(formatted, again);
  if (again.has_errors() || !after) {
    internal_error(source, diags, "the formatted text does not parse");
    return std::nullopt;
  }
  if (ast_dump_without_positions(*before, source) !=
      ast_dump_without_positions(*after, formatted)) {
    internal_error(source, diags, "the formatted text would parse to a different AST");
    return std::nullopt;
  }
  return text;
}

}  // namespace polc
