// Stage engine/base: what every stage shares and depends on nothing else of polc: the arena,
// source files and 1-based line/column lookup, diagnostics, findings and scan results as data,
// the limits of every resource (limits.h), path globs, UTF-8 handling, escaping control
// characters for human-readable output (printable.h), the JSON writer and atomic output files
// (output_file.h).
//
// Diagnostics are data: a severity, a location, a message and optional notes.
//
// Every stage (loaders, normalizer, policy parser, checker, VM) reports problems as
// `Diagnostic` values into a `Diagnostics` list instead of printing them, so tests can capture
// them and reporters can render them in any format. A diagnostic carries a resolved `Location`
// (file path, 1-based line and column, and a copy of the source line for the caret), so it
// stays valid after the template it points into has been freed.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/source_file.h"

namespace polc {

enum class DiagSeverity : std::uint8_t { kError, kWarning, kNote };
std::string_view diag_severity_name(DiagSeverity s);

/// A resolved source position. `line == 0` means the diagnostic concerns the whole file.
struct Location {
  std::string file;
  std::uint32_t offset = 0;  // 0-based byte offset into the file's text (after a BOM)
  std::uint32_t line = 0;    // 1-based
  std::uint32_t column = 0;  // 1-based, bytes
  std::string source_line;   // the text of `line`, for the caret; may be empty

  /// Resolves `offset` in `file`, copying the source line.
  static Location at(const SourceFile& file, std::uint32_t offset);
  /// A location naming only the file.
  static Location whole(std::string file);
};

struct DiagNote {
  Location location;
  std::string message;
};

struct Diagnostic {
  DiagSeverity severity = DiagSeverity::kError;
  /// A stable short code such as `yaml-syntax`, `duplicate-key` or `nesting-depth`.
  std::string code;
  std::string message;
  Location location;
  std::vector<DiagNote> notes;
  /// For diagnostics raised while running a policy: its id; empty otherwise.
  std::string policy_id;
};

/// True for the codes that leave a template loaded but not wholly checked: part of it was never
/// evaluated. `foreach-limit` (an error: a resource limit was passed) and
/// `foreach-not-expanded` (a warning: valid CloudFormation polc cannot expand offline, such as a
/// collection from a parameter without a default), and `sam-policy-not-expanded` (a warning: a
/// SAM `Policies` item polc cannot expand into a policy document) and `sam-globals-limit` (an
/// error: merging SAM `Globals` passed kMaxSamGlobalsMergedEntries). Either way the rest of the
/// template is checked and the run is incomplete (exit code 4, SARIF executionSuccessful false),
/// never a pass. Pure.
bool is_incomplete_code(std::string_view code);

/// An append-only list of diagnostics. Not thread-safe; each worker keeps its own.
class Diagnostics {
 public:
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  void error(std::string code, Location loc, std::string message);
  void warning(std::string code, Location loc, std::string message);
  bool has_errors() const;
  /// True when an error other than an `is_incomplete_code` one is present (the template
  /// cannot be checked at all).
  bool has_load_errors() const;
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  std::vector<Diagnostic>& items() { return items_; }

 private:
  std::vector<Diagnostic> items_;
};

/// Renders `d` compiler-style: `file:line:col: severity: message`, then the source line and a
/// caret under the column, then each note the same way. Ends with a newline.
std::string render_diagnostic(const Diagnostic& d, bool color = false);

/// Appends `file:line:col` to `out`, or just `file` when `loc.line == 0`.
void append_location(std::string& out, const Location& loc);
/// Appends the source snippet `render_diagnostic` prints: ` 12 | <source line>` and a caret line
/// under `loc.column` (tabs shown as single spaces), each ending with a newline. Appends nothing
/// when `loc` has no line or no source text.
void append_source_snippet(std::string& out, const Location& loc);

}  // namespace polc
