// `Fn::ForEach` expansion (the AWS::LanguageExtensions transform), run by `build_template`
// before intrinsics are canonicalized.
//
// A loop is a section key `Fn::ForEach::Name` whose value is
// `[Identifier, Collection, {OutputKeyTemplate: Body, ...}]`. When the collection is a literal
// list (or a `Ref` to a parameter with a default), each item yields a copy of every output
// entry with `${Identifier}` / `&{Identifier}` substituted in keys and strings and
// `{"Ref": Identifier}` replaced by the item. Loops nested in an output map are expanded too,
// up to `kMaxForEachNesting` levels; the total is bounded by `kMaxForEachExpansions`. A loop
// that cannot be expanded is dropped with a `foreach-not-expanded` warning.
// Thread-safe on distinct documents.
#pragma once
#include <string_view>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/model/document.h"

namespace polc::internal {

/// Expands the loops among the entries of `section` (a map, e.g. `Resources`) in place.
/// `parameters` is the template's `Parameters` map (or nullptr), used for `Ref` collections;
/// `noun` names what the section's entries are in messages ("resource", "output").
/// When `generated_by` is not null it receives, for each entry of the rebuilt section, the
/// top-level loop key that produced it (empty for entries written literally). A generated key
/// that repeats an existing one replaces it (last wins) with a `duplicate-key` warning.
void expand_foreach(Document& doc, Value* section, const Value* parameters, std::string_view noun,
                    std::vector<std::string_view>* generated_by, Diagnostics& diags);

/// True when `key` names a loop (`Fn::ForEach::...`).
bool is_foreach_key(std::string_view key);

}  // namespace polc::internal
