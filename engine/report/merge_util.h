// Helpers shared by the JSON and SARIF halves of `polc merge` (engine/report_merge*.cpp):
// checking that shard reports form one complete set, and uniting diagnostics that every shard
// repeats. Private to the merge.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/diagnostic.h"

namespace polc::internal {

/// What one input said about sharding: `count == 0` when it is not a shard report.
struct ShardMark {
  std::string path;
  std::uint32_t index = 0;
  std::uint32_t count = 0;
};

/// Checks that the inputs are all plain reports, or together exactly shards 1..N of one N.
/// Adds an error diagnostic per problem to `diags`; returns false when there was one.
bool check_shard_set(const std::vector<ShardMark>& marks, Diagnostics& diags);

/// Adds an error diagnostic about `path` (whole file, code `merge`) to `diags`.
void merge_error(Diagnostics& diags, const std::string& path, const std::string& message);

/// Unites per-input lists of keyed items: an item whose key occurs k times in one input and at
/// most k times in every other is kept k times, in first-seen order. Shards repeat global
/// diagnostics (an expired waiver, a missing path), while per-file ones occur in one shard only,
/// so this gives the unsharded run's list. `keys[i]` are the keys of input i's items; returns
/// (input, item) index pairs to keep.
std::vector<std::pair<std::size_t, std::size_t>> unite_by_max_multiplicity(
    const std::vector<std::vector<std::string>>& keys);

/// `waiver-expired` diagnostics say how many findings matched the waiver ("...; 2 findings
/// matched it. ..."), a count each shard knows only for its own files. Splits `message` into the
/// text around the count (`shape`, with a 0 byte where the count was) and the count; false when
/// the message has no such count.
bool split_match_count(std::string_view message, std::string& shape, std::uint64_t& count);
/// The inverse of `split_match_count`, with `count` (and its plural) put back.
std::string join_match_count(std::string_view shape, std::uint64_t count);

/// The priority order of exit codes when combining runs: 2, 1, 3, 4, 0 (docs/exit-codes.md).
int combine_exit_codes(int a, int b);

}  // namespace polc::internal
