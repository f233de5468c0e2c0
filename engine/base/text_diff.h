// Unified diffs of two texts, line by line (for `polc fmt --check`).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace polc {

/// Line-diff table cells (lines before x lines after) past which `unified_diff` shows a changed
/// text as wholly replaced instead of computing a shortest diff: bounds its memory (4 bytes a
/// cell, so 16 MiB).
inline constexpr std::size_t kMaxDiffCells = std::size_t{4} << 20;

/// A unified diff (3 lines of context, hunks as `diff -u` writes them) from `before` to
/// `after`, headed `--- PATH` and `+++ PATH (formatted)`; only the header when they are equal.
/// Lines end at '\n'; a `before` without a final newline gets diff's "\ No newline" marker.
/// Pure function; thread-safe.
std::string unified_diff(const std::string& path, std::string_view before, std::string_view after);

}  // namespace polc
