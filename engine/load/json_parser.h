// JSON → value tree, through simdjson's On-Demand API (simdjson 3.0.1), which yields the byte
// offset of every value. Strings are unescaped into the document's arena; integers that fit
// int64 stay integers; duplicate keys are reported with both lines, the last one winning;
// nesting beyond `kMaxNestingDepth` is a positioned error. Iterative, never recursive per level.
#pragma once
#include "engine/base/diagnostic.h"
#include "engine/model/document.h"

namespace polc {

/// Parses `doc.file` into `doc.root`. Returns false (with at least one error in `diags`) when
/// the file cannot be loaded. Thread-safe on distinct documents.
bool parse_json(Document& doc, Diagnostics& diags);

}  // namespace polc
