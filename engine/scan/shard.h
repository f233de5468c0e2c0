// Shards: splitting one scan over N machines (`polc check --shard K/N`).
//
// A file belongs to shard `1 + h % N`, where `h` is FNV-1a 64 (engine/triage/fingerprint.h) of its path
// normalized with `normalize_report_path`, i.e. relative to the scan root as the reports write
// it. The assignment depends only on the path and N: not on the thread count, the order in
// which files were discovered or the other files, so the N shards together check every file
// exactly once and a file stays in its shard as the tree grows. `polc merge`
// (engine/report/report_merge.h) recombines the shards' reports.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace polc {

/// One shard of a run: `index` in 1..`count`. `count == 0` means "not sharded".
struct ShardSpec {
  std::uint32_t index = 0;
  std::uint32_t count = 0;
  bool active() const { return count > 0; }
};

/// Parses "K/N" (decimal, 1 <= K <= N <= kMaxShards, no spaces or signs). On failure returns
/// false and sets `error` to one sentence saying what is wrong and what is expected.
bool parse_shard_spec(std::string_view text, ShardSpec& out, std::string& error);

/// The 1-based shard of `path` among `count` shards (`count` >= 1). Pure and thread-safe.
std::uint32_t shard_of(std::string_view path, std::uint32_t count);

/// The paths of `files` that belong to `shard`, in their original order. All of them when the
/// shard is not active.
std::vector<std::string> select_shard(const std::vector<std::string>& files,
                                      const ShardSpec& shard);

}  // namespace polc
