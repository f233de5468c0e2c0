#include "engine/scan/shard.h"

#include "engine/base/limits.h"
#include "engine/triage/fingerprint.h"

namespace polc {

namespace {

/// Parses a positive decimal without sign or spaces, at most `kMaxShards`.
bool parse_count(std::string_view text, std::uint32_t& out) {
  if (text.empty() || text.size() > 7) return false;
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v == 0 || v > kMaxShards) return false;
  out = static_cast<std::uint32_t>(v);
  return true;
}

}  // namespace

bool parse_shard_spec(std::string_view text, ShardSpec& out, std::string& error) {
  const std::size_t slash = text.find('/');
  std::uint32_t k = 0, n = 0;
  if (slash == std::string_view::npos || !parse_count(text.substr(0, slash), k) ||
      !parse_count(text.substr(slash + 1), n)) {
    error = "--shard expects K/N with whole numbers 1 <= K <= N <= " + std::to_string(kMaxShards) +
            " (for example --shard 2/4), got '" + std::string(text) + "'";
    return false;
  }
  if (k > n) {
    error = "--shard " + std::string(text) + ": the shard number " + std::to_string(k) +
            " is larger than the shard count " + std::to_string(n) + "; shards are numbered 1 to " +
            std::to_string(n);
    return false;
  }
  out.index = k;
  out.count = n;
  return true;
}

std::uint32_t shard_of(std::string_view path, std::uint32_t count) {
  if (count <= 1) return 1;
  const std::uint64_t h = fnv1a64(kFnv64Offset, normalize_report_path(path));
  return static_cast<std::uint32_t>(h % count) + 1;
}

std::vector<std::string> select_shard(const std::vector<std::string>& files,
                                      const ShardSpec& shard) {
  if (!shard.active()) return files;
  std::vector<std::string> out;
  for (const std::string& f : files)
    if (shard_of(f, shard.count) == shard.index) out.push_back(f);
  return out;
}

}  // namespace polc
