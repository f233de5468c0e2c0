// Loading and checking one file of a scan (internal to engine/scan: `scan_stream` and
// `scan_linked` share it).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/load/stack_links.h"
#include "engine/scan/scanner.h"

namespace polc::internal {

/// What checking one file gave.
struct FileCheck {
  FileOutcome outcome;
  /// With a result cache, for a file that was read: the key `lookup` gave ("" otherwise), and
  /// whether it was a hit. On a miss the caller stores the outcome under the key
  /// (`store_in_cache`).
  std::string cache_key;
  bool cache_hit = false;
  /// The file was read (a file that could not be, or a file not regular, was not).
  bool read = false;
};

/// Loads and checks `path` (or takes its outcome from `options.cache`). `prefetched` is the
/// whole file when the batch reader read it; otherwise the file is read here. `buffer` is the
/// worker's read buffer, reused from file to file while the loader does not take it. With
/// `facts`, when the file's bytes may link (`may_link`) and it loads as a template, its link
/// facts are set from the same bytes (parsed for them on a cache hit). The outcome is not
/// stored in the cache.
FileCheck check_file(Vm& vm, const PolicySet& set, const std::vector<std::uint32_t>& active,
                     const std::vector<PolicyInfo>& known, const std::string& path,
                     std::optional<std::string_view> prefetched, std::string& buffer,
                     const ScanOptions& options, LinkFacts* facts = nullptr);

/// Stores `c`'s outcome in `options.cache` when its lookup missed.
void store_in_cache(const FileCheck& c, const ScanOptions& options);

/// The link facts of `path` for a file the run does not check (another shard's): read (or
/// `prefetched`), and parsed only when `may_link` lets it through; empty when it cannot link.
LinkFacts index_file(const std::string& path, std::optional<std::string_view> prefetched,
                     std::string& buffer);

}  // namespace polc::internal
