// The result cache (`polc check --cache DIR`): per-file outcomes stored on disk, addressed by
// content, so a run over an unchanged tree only reads and hashes its files.
//
// Key: a 128-bit hash (two FNV-1a 64 lanes fed 64-bit words, engine/cache.cpp) of a format tag,
// polc's version, the run's *context* (`cache_context`: the compiled policy set as `save_bundle`
// bytes after configuration parameters are applied, the active policy ids and the inline and
// foreign suppression options), the template path as given (findings carry it) and the
// template's bytes. Value: the file's outcome as the scanner returns it: status, findings with
// inline suppressions applied, load and policy diagnostics, as JSON (engine/record_json.h).
// What comes after the scanner (severity overrides, fingerprints, central waivers, the
// baseline, the display threshold) is applied to cached outcomes like fresh ones, so changing
// those settings never needs a new cache.
//
// Layout: `DIR/v1/ab/<32 hex digits>.json`. Writers write a temporary file in the same
// directory and `rename()` it into place, so concurrent runs (even on a shared directory)
// never see half an entry. A corrupt or foreign entry is ignored with a warning and recomputed.
// Hits refresh an entry's modification time; `evict` removes the oldest entries while the
// directory is larger than its bound.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/scanner.h"

namespace polc {

/// The part of the cache key shared by every file of a run: hashes `bundle_bytes` (from
/// `save_bundle`), `active_ids` and the suppression options. Pure.
std::string cache_context(std::string_view bundle_bytes, const std::vector<std::string>& active_ids,
                          const SuppressionOptions& suppressions);

/// A cache directory. Thread-safe: `lookup` and `store` may run concurrently in any number of
/// threads and processes; `evict` should run once at the end of a run.
class DiskCache : public OutcomeCache {
 public:
  /// Opens (creating it if needed) the cache in `dir`. `context` comes from `cache_context`;
  /// `max_bytes` bounds the directory's size. Returns nullptr and sets `error` when the
  /// directory cannot be created or written.
  static std::unique_ptr<DiskCache> open(const std::string& dir, std::string context,
                                         std::uint64_t max_bytes, std::string& error);

  bool lookup(const std::string& path, std::string& key, FileOutcome& out) override;
  void store(const std::string& key, const FileOutcome& outcome) override;

  /// Removes the entries with the oldest modification times until the directory holds at most
  /// `max_bytes`; also removes temporary files left by killed runs. Returns how many files it
  /// removed. Failures (another process removed the file first) are ignored.
  std::size_t evict();

  std::uint64_t hits() const { return hits_; }
  std::uint64_t misses() const { return misses_; }
  /// Warnings about corrupt entries and failed writes, collected since the last call.
  std::vector<Diagnostic> take_warnings();

  /// The entry file for `key` (for tests and tools).
  std::string entry_path(std::string_view key) const;

 private:
  DiskCache(std::string root, std::string context, std::uint64_t max_bytes)
      : root_(std::move(root)), context_(std::move(context)), max_bytes_(max_bytes) {}
  void warn(std::string file, std::string message);

  std::string root_;  // DIR/v1
  std::string context_;
  std::uint64_t max_bytes_;
  std::atomic<std::uint64_t> hits_{0}, misses_{0}, temp_counter_{0};
  std::mutex mutex_;  // guards warnings_
  std::vector<Diagnostic> warnings_;
};

/// Serializes `outcome` as a cache entry for `key` (JSON). Pure.
std::string encode_cache_entry(std::string_view key, const FileOutcome& outcome);
/// Parses a cache entry; false with `error` set when it is malformed or for another key.
bool decode_cache_entry(std::string_view bytes, std::string_view key, FileOutcome& out,
                        std::string& error);

}  // namespace polc
