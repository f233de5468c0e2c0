// Intrinsic-function normalization used by `build_template`: tagging single-key maps with their
// `Intrinsic` kind, rewriting `Fn::GetAtt` to its canonical list form, and reading the
// variables of an `Fn::Sub` string.
//
// The walk is iterative (explicit stack), so it is safe on any tree the loaders produce.
// Functions here mutate the tree they are given and allocate new nodes in its arena; they are
// thread-safe on distinct documents.
#pragma once
#include <cstdint>
#include <functional>
#include <string_view>

#include "engine/base/arena.h"
#include "engine/model/value.h"

namespace polc::internal {

/// Tags every intrinsic map below `root` (a template's root map) with its kind, in place.
/// `{"Condition": "Name"}` is an intrinsic only in the `Conditions` section and as a direct
/// argument of `Fn::If` / `Fn::And` / `Fn::Or` / `Fn::Not`; elsewhere `Condition` is an
/// ordinary key (the resource attribute, IAM policy conditions). `Fn::GetAtt: "A.B.C"` becomes
/// `["A", "B.C"]` (split at the first dot); `Fn::GetAtt: [{"Fn::Sub": "Lit"}, Attr]` whose Sub
/// has no variable left becomes `["Lit", Attr]`. New nodes keep the offsets of the originals.
void canonicalize_intrinsics(Arena& arena, Value* root);

/// Calls `fn(name, pos)` for each variable `${name}` of the `Fn::Sub` string `text`, in order,
/// with `pos` the byte position of `$` in `text`. `${!Literal}` escapes are skipped; `name`
/// is trimmed of surrounding blanks and may contain a dot (`${Res.Attr}`).
void for_each_sub_variable(std::string_view text,
                           const std::function<void(std::string_view, std::size_t)>& fn);

}  // namespace polc::internal
