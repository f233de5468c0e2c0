// YAML → value tree, through libyaml's event API (libyaml 0.2.5, YAML 1.1, the same parser
// PyYAML and therefore cfn-lint use).
//
// What it does beyond plain parsing:
//  - short-form tags (`!Ref`, `!GetAtt`, `!Sub`, ...) become long-form single-key maps;
//  - scalars are typed as CloudFormation reads them (YAML 1.1: `yes`/`on`/`True` booleans,
//    leading-zero octal `000400` = 256, `0x` hex, `.inf`); map keys always stay strings;
//  - anchors, aliases and `<<` merge keys are expanded, explicit keys winning, bounded by
//    `kMaxAliasExpansionNodes`;
//  - duplicate keys: every duplicate is reported with both lines, the last occurrence wins;
//  - a second document, a tab used as indentation, nesting beyond `kMaxNestingDepth`, invalid
//    UTF-8 and syntax errors are positioned errors.
// The builder is iterative (an explicit stack), never recursive per nesting level.
#pragma once
#include "engine/base/diagnostic.h"
#include "engine/model/document.h"

namespace polc {

/// Parses `doc.file` into `doc.root`. Returns false (with at least one error in `diags`) when
/// the file cannot be loaded; `doc.root` is then nullptr. An empty stream (or only comments)
/// loads as a null root. Offsets in the tree are 0-based byte offsets into `doc.file->text()`.
/// Error codes: `yaml-syntax` (libyaml's problem and context, invalid UTF-8, truncation),
/// `multiple-documents`, `nesting-depth`, `string-length`, `alias-expansion`, `yaml-alias`
/// (unknown or recursive alias), `merge-key`, `complex-key`; warnings: `duplicate-key`,
/// `yaml-tag`. Sets `doc.uses_aliases` when an alias or merge key is used. New diagnostics are
/// appended in source order. Thread-safe on distinct documents.
bool parse_yaml(Document& doc, Diagnostics& diags);

}  // namespace polc
