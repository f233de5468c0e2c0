// The result cache (`polc check --cache DIR`): per-file outcomes stored on disk, addressed by
// content, so a run over an unchanged tree only reads and hashes its files.
//
// Key: a 128-bit keyed hash (XXH3-128 from xxHash with a secret derived from the cache key,
// fields length-prefixed) of a format tag,
// polc's version, the run's *context* (`cache_context`: the compiled policy set as `save_bundle`
// bytes after configuration parameters are applied, the active policy ids and the inline and
// foreign suppression options), the template path as given (findings carry it) and the
// template's bytes. Value: the file's outcome as the scanner returns it: status, findings with
// inline suppressions applied, load and policy diagnostics (`encode_cache_entry`: nothing at
// all for the common outcome "checked, no findings, no diagnostics", otherwise a compact binary
// form of every field, bounds- and range-checked when read). What comes after the scanner (severity
// overrides, fingerprints, central waivers, the baseline, the display threshold) is applied to
// cached outcomes like fresh ones, so changing those settings never needs a new cache.
//
// Layout: `DIR/v3/<context hash>/<name>.seg`. A *segment* file holds many entries, each framed
// with its key, length and tag: HMAC-SHA-256 under a key derived from the cache key
// (`load_cache_key`), so an entry that anyone without the key wrote (a forged "clean" outcome
// in a cache shared between pull requests) fails verification, is ignored with a warning, and
// its file is checked again (engine/scan/cache.cpp; docs/security.md). A run reads all segments of
// its context once when it opens the cache (one file, not one per template, on a warm run) and
// writes the entries it computed as one new segment at the end (more when they pass
// `kCacheSegmentBytes`). Segments are never modified: writers write a temporary file in the
// same directory and `rename()` it into place, so concurrent runs (even on a shared directory)
// never see half a segment; a segment removed by another run meanwhile only costs misses.
// A corrupt segment is ignored (and removed) with a warning, a corrupt entry is ignored with a
// warning; their files are checked again. Runs refresh the modification time of the segments
// they used; past `kMaxCacheSegments` segments a run compacts its context (see limits.h), and
// `evict` removes the oldest segments while the directory is larger than its bound.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/scan/scanner.h"

namespace polc {

/// Fewest bytes a cache key may have (`POLC_CACHE_KEY`, the key file).
inline constexpr std::size_t kMinCacheKeyBytes = 16;

/// Finds the secret that authenticates the cache's records (docs/security.md, "The result
/// cache"): the environment variable `POLC_CACHE_KEY` when set (CI: from a secret store, the
/// same on every job that shares the cache), otherwise the key file
/// `$XDG_CONFIG_HOME/polc/cache-key` (default `~/.config/polc/cache-key`), created with 32
/// random bytes and mode 0600 on first use. The key file must be a regular file owned by the
/// user, readable by nobody else, and not inside `cache_dir` (which may be shared or in the
/// scanned tree). Returns false and sets `error` (what to do) when no usable key exists;
/// `source` names where the key came from.
bool load_cache_key(const std::string& cache_dir, std::string& key, std::string& source,
                    std::string& error);

/// The part of the cache key shared by every file of a run: hashes `bundle_bytes` (from
/// `save_bundle`), `active_ids`, the suppression options and the data tables built into polc
/// that decide findings (the resource schemas, the SAM policy templates and managed policies,
/// the IAM access levels), so that a rebuilt polc with a changed table never reuses an outcome
/// the old table gave, even at the same version. Pure.
std::string cache_context(std::string_view bundle_bytes, const std::vector<std::string>& active_ids,
                          const SuppressionOptions& suppressions);
/// The same over `tables` instead of the built-in ones (tests).
std::string cache_context(std::string_view bundle_bytes, const std::vector<std::string>& active_ids,
                          const SuppressionOptions& suppressions,
                          const std::vector<std::string_view>& tables);
/// The data tables built into polc that `cache_context` hashes, in order: the resource schemas,
/// the SAM policy templates, the SAM managed policies, the IAM access levels.
std::vector<std::string_view> embedded_data_tables();

/// A file mapped read-only into memory (a cache segment). Move-only; unmaps on destruction.
class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(MappedFile&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  MappedFile& operator=(MappedFile&&) = delete;
  ~MappedFile();
  /// Maps the first `size` bytes of `fd` (which may be closed afterwards); false on failure.
  bool map(int fd, std::size_t size);
  std::string_view view() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

/// A cache directory for one context. Thread-safe: `lookup` and `store` may run concurrently in
/// any number of threads, and any number of processes may use the directory at once. Memory:
/// the segments of the context are mapped while the object lives (about their size on disk).
class DiskCache : public OutcomeCache {
 public:
  /// Opens (creating it if needed) the cache in `dir` and reads the segments of `context`
  /// (from `cache_context`); `max_bytes` bounds the directory's size. Returns nullptr and sets
  /// `error` when the directory cannot be created or written. Corrupt segments become warnings.
  /// `cache_key` (at least kMinCacheKeyBytes secret bytes, from `load_cache_key`) keys the
  /// lookup hashes and authenticates every record: entries written without it are ignored.
  static std::unique_ptr<DiskCache> open(const std::string& dir, std::string context,
                                         std::uint64_t max_bytes, std::string_view cache_key,
                                         std::string& error);
  /// Writes the entries still buffered (`flush`); errors are dropped.
  ~DiskCache() override;

  /// Hashes `contents` (the whole file `path` as read by the scanner) into `key`. True and `out`
  /// set on a hit; on a miss `key` is what `store` files the computed outcome under.
  bool lookup(const std::string& path, std::string_view contents, std::string& key,
              FileOutcome& out) override;
  /// Buffers `outcome` under `key`; written to a segment by `flush` (or earlier once the buffer
  /// passes `kCacheSegmentBytes`). Visible to later runs, not to this object's `lookup`.
  void store(const std::string& key, const FileOutcome& outcome) override;
  /// Takes back one hit (or miss) from `hits` (`misses`).
  void retract(bool hit) override { --(hit ? hits_ : misses_); }

  /// Writes the buffered entries as a new segment, compacts the context when it has more than
  /// `kMaxCacheSegments` segments (once per object), and refreshes the modification time of
  /// the segments that served hits. Failures become warnings.
  void flush();

  /// Flushes, then removes the segments with the oldest modification times until the cache
  /// directory (all contexts) holds at most `max_bytes`; also removes temporary files left by
  /// killed runs. Returns how many files it removed. Failures (another process removed the file
  /// first) are ignored.
  std::size_t evict();

  std::uint64_t hits() const { return hits_; }
  std::uint64_t misses() const { return misses_; }
  /// Flushes (so that a failed write is reported), then returns the warnings about corrupt
  /// entries and segments and failed writes collected since the last call.
  std::vector<Diagnostic> take_warnings();

  /// The segment files of this context on disk, sorted (for tests and tools).
  std::vector<std::string> segment_paths() const;

 private:
  struct Key {
    std::uint64_t a = 0, b = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const { return static_cast<std::size_t>(k.a ^ k.b); }
  };
  struct Segment {
    std::string path;
    MappedFile file;
    std::int64_t mtime = 0;  // seconds
  };
  /// One entry found in a segment: where its payload is.
  struct Slot {
    Key key;
    std::uint32_t segment = 0;
    std::size_t offset = 0;  // of the record in the segment's bytes
    std::uint32_t length = 0;
  };
  enum SlotState : std::uint8_t { kUnused = 0, kHit = 1, kBad = 2 };

  DiskCache(std::string root, std::string dir, std::string context, std::uint64_t max_bytes)
      : root_(std::move(root)),
        dir_(std::move(dir)),
        context_(std::move(context)),
        max_bytes_(max_bytes) {}
  void read_segments();
  void warn(std::string file, std::string message);
  /// Writes `body` (records) as a new segment; `mtime` (seconds, 0: now) dates it.
  bool write_segment(const std::string& body, std::int64_t mtime);
  void flush_locked();

  std::string root_;  // DIR/v3
  std::string dir_;   // DIR/v3/<context hash>
  std::string context_;
  std::string tag_key_;     // HMAC key of record tags, derived from the cache key
  std::string key_secret_;  // XXH3 secret of lookup keys, derived from the cache key
  std::uint64_t max_bytes_;
  std::vector<Segment> segments_;                          // read at open, immutable afterwards
  std::vector<Slot> slots_;                                // immutable after open
  std::unordered_map<Key, std::uint32_t, KeyHash> index_;  // key -> slot; immutable after open
  std::unique_ptr<std::atomic<std::uint8_t>[]> states_;    // SlotState per slot
  std::atomic<std::uint64_t> hits_{0}, misses_{0}, temp_counter_{0};
  std::mutex mutex_;  // guards warnings_, pending_, compacted_
  std::vector<Diagnostic> warnings_;
  std::string pending_;  // records stored and not yet written
  bool compacted_ = false;
};

/// Serializes `outcome` as the payload of a cache entry for `key`: empty for a checked file
/// without findings, diagnostics or incompleteness; otherwise the format tag, `key` and every
/// field of the outcome in a compact binary form (engine/scan/cache.cpp). Pure.
std::string encode_cache_entry(std::string_view key, const FileOutcome& outcome);
/// Parses a payload from `encode_cache_entry`; false with `error` set (and `out` reset) when it
/// is malformed, truncated, has out-of-range values or is for another key. Thread-safe.
bool decode_cache_entry(std::string_view bytes, std::string_view key, FileOutcome& out,
                        std::string& error);

/// The directory under `dir` (the `--cache` argument) that holds every file the cache writes
/// (`DIR/v2`): a scan leaves it out, and only it, when the cache lives inside the scanned tree.
std::string cache_files_dir(const std::string& dir);

}  // namespace polc
