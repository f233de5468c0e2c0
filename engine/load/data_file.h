// Reading small YAML or JSON data files (configuration, waivers) into a value tree.
//
// The configuration and waiver modules share this helper: it reads a file with a size bound,
// picks the parser by extension (`.json` → simdjson, anything else → libyaml) and returns the
// parsed `Document`, whose offsets the callers turn into `file:line:col` diagnostics.
#pragma once
#include <cstddef>
#include <memory>
#include <string>

#include "engine/base/diagnostic.h"
#include "engine/model/document.h"

namespace polc::internal {

/// Reads and parses `path` (at most `max_bytes`). Returns nullptr, with an error diagnostic in
/// `diags`, when the file cannot be read, is too large or does not parse. Thread-safe.
std::unique_ptr<Document> read_data_file(const std::string& path, std::size_t max_bytes,
                                         Diagnostics& diags);

/// Parses `text` as if read from `path` (same parser choice as `read_data_file`).
std::unique_ptr<Document> parse_data_text(const std::string& path, std::string text,
                                          Diagnostics& diags);

/// The text of a scalar node (string, integer, float or bool), or "" for other kinds. Integers
/// and bools print as YAML spells them (`42`, `true`).
std::string scalar_string(const Value* v);

}  // namespace polc::internal
