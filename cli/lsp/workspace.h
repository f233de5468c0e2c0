// The language server's state between messages: the open documents (their text, line map and
// `TextIndex`), the workspace roots, the modules that imports name, and the last test results.
// Bounded by kMaxLspOpenDocuments and kMaxLspOpenBytes (cli/lsp/lsp_limits.h). Used by one
// thread (the server's loop).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/lsp/json_rpc.h"
#include "cli/lsp/text_index.h"
#include "engine/base/diagnostic.h"
#include "engine/schema/schema.h"

namespace polc::lsp {

struct OpenDocument {
  std::string uri;
  std::string path;  // the file's path (from a file:// URI), or the URI itself for others
  std::string text;
  std::int64_t version = 0;
  bool tests_file = false;  // *.tests.yaml; otherwise a policy or library file
  std::unique_ptr<TextIndex> index;
  LineMap lines;
};

/// A module an import names: its text and where it is (a file, or an embedded stdlib module
/// written to the user's cache directory so that an editor can open it).
struct ModuleSource {
  std::string key;   // "stdlib/core.polc", or the file's path
  std::string path;  // a file an editor can open, or empty when there is none
  std::string text;
};

/// The last `polc test` run of a document.
/// A problem `polc test` printed as `FILE:LINE:COL: error: MESSAGE` (a failing case, a bad key).
struct TestProblem {
  std::string path;
  std::uint32_t line = 0, column = 0;  // 1-based; column in bytes
  bool error = true;
  std::string message;
};

struct TestRun {
  int exit_code = 0;
  std::vector<TestProblem> problems;
  std::uint32_t passed = 0, failed = 0;
  std::string summary;  // "3 passed, 0 failed", or what went wrong
  std::string output;   // what polc test printed, bounded by kMaxLspTestOutputBytes
};

class Workspace {
 public:
  bool utf16 = true;  // position encoding agreed at initialize
  std::vector<std::string>
      roots;  // workspace folders (paths), import roots with each document's own folder
  std::map<std::string, TestRun> test_runs;  // by document URI
  /// Diagnostics from the last test run (JSON objects, comma-separated) by file URI; a file's
  /// are dropped when it changes.
  std::map<std::string, std::string> test_diagnostics;

  /// Opens or replaces a document. False (nothing changed) when a limit would be passed;
  /// `error` says which.
  bool open(const std::string& uri, std::string text, std::int64_t version, std::string& error);
  void close(const std::string& uri);
  OpenDocument* find(const std::string& uri);
  const OpenDocument* find(const std::string& uri) const;
  std::size_t open_bytes() const { return bytes_; }
  std::size_t open_count() const { return docs_.size(); }

  /// The module an import declaration `imp` of `doc` names, or nullopt when it cannot be read.
  std::optional<ModuleSource> import_module(const OpenDocument& doc, const Decl& imp) const;
  /// The import roots of `doc`: the workspace folders and the document's own folder.
  std::vector<std::string> import_roots(const OpenDocument& doc) const;
  /// The resource schemas `polc check` would use for `doc`: the embedded table plus the
  /// overlays (`schemas:`) of the `.polc.yaml` found from the document's folder up; null when
  /// there are none (the embedded table alone). Cached per configuration file and its
  /// modification time.
  const schema::SchemaSet* schemas_for(const OpenDocument& doc) const;

 private:
  struct CachedSchemas {
    std::int64_t mtime = 0;
    std::unique_ptr<schema::SchemaSet> set;  // null: the configuration names no overlays
  };
  std::map<std::string, std::unique_ptr<OpenDocument>> docs_;
  mutable std::map<std::string, CachedSchemas> schemas_;  // by configuration file
  std::size_t bytes_ = 0;
};

/// Writes an embedded module's text under the user's cache directory
/// ($XDG_CACHE_HOME or ~/.cache, polc/lsp-VERSION/KEY) unless the file is there already, and
/// returns its path; empty when there is no cache directory or it cannot be written.
std::string materialize_embedded(const std::string& key, const std::string& text);

/// The diagnostics `polc check`/`polc compile` gives for `doc` (a policy file: parse, check,
/// schema and compile errors and warnings, the same codes and text; a test file: YAML errors),
/// from the same compile path (dsl/compiler.h) over the unsaved text.
std::vector<Diagnostic> document_diagnostics(const Workspace& ws, const OpenDocument& doc);

}  // namespace polc::lsp
