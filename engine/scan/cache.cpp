#include "engine/scan/cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <limits>
#include <utility>

#include "engine/base/digest.h"
#include "engine/base/limits.h"
#include "engine/base/source_file.h"
#include "engine/model/sam_policy_templates.h"
#include "engine/schema/iam_actions.h"
#include "engine/schema/schema_table.h"
#include "engine/scan/outcome_codec.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace polc {

using internal::put_str;

namespace {

namespace fs = std::filesystem;

/// Version of the entry layout and key scheme; part of the key and of every non-empty entry.
constexpr std::string_view kCacheFormat = "polc-cache-v3";
/// Directory under `--cache DIR` of this layout.
constexpr std::string_view kLayoutDir = "v3";
/// First bytes of a segment file.
constexpr std::string_view kSegmentMagic = "polcseg3";
constexpr std::string_view kSegmentSuffix = ".seg";
constexpr std::string_view kTempPrefix = "tmp-";
/// Bytes of a record's tag: HMAC-SHA-256 truncated to 128 bits (RFC 2104 allows truncation to
/// half the output; forging one needs 2^128 online tries, with no way to check offline).
constexpr std::size_t kTagBytes = 16;
/// A record: key (two little-endian u64), payload length (u32), tag, payload.
constexpr std::size_t kRecordHeaderBytes = 16 + 4 + kTagBytes;
/// A run refreshes the modification time of a segment that served hits when it is older than
/// this (one hour).
constexpr std::int64_t kTouchIntervalSeconds = 3600;
/// Temporary files older than this are leftovers of killed runs and may be removed.
constexpr auto kStaleTempAge = std::chrono::minutes(10);

/// XXH3-128 (xxHash, used header-only) over fields, each preceded by its length as 8
/// little-endian bytes so that field boundaries are part of the hash. About a tenth of an
/// instruction per byte: hashing stays far below the cost of reading the files.
class Hash128 {
 public:
  Hash128() { XXH3_128bits_reset(&state_); }
  /// Keyed: `secret` (at least XXH3_SECRET_SIZE_MIN bytes) must outlive the object.
  explicit Hash128(std::string_view secret) {
    XXH3_128bits_reset_withSecret(&state_, secret.data(), secret.size());
  }
  void add(std::string_view bytes) {
    char len[8];
    for (int i = 0; i < 8; ++i)
      len[i] = static_cast<char>((static_cast<std::uint64_t>(bytes.size()) >> (8 * i)) & 0xff);
    XXH3_128bits_update(&state_, len, sizeof len);
    XXH3_128bits_update(&state_, bytes.data(), bytes.size());
  }
  /// The hash of the fields added so far: high and low halves.
  std::pair<std::uint64_t, std::uint64_t> digest() const {
    const XXH128_hash_t h = XXH3_128bits_digest(&state_);
    return {h.high64, h.low64};
  }
  std::string hex() const {
    const auto [a, b] = digest();
    return hex_key(a, b);
  }
  static std::string hex_key(std::uint64_t a, std::uint64_t b) {
    char buf[33];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(a),
                  static_cast<unsigned long long>(b));
    return buf;
  }

 private:
  XXH3_state_t state_;
};

/// The tag of a record: HMAC-SHA-256 under the run's tag key of its key, its payload length and
/// its payload, truncated to kTagBytes. Without the cache key nobody can make a valid record.
std::string record_tag(std::string_view tag_key, std::string_view key_and_length,
                       std::string_view payload) {
  const Digest256 d = hmac_sha256(tag_key, {key_and_length, payload});
  return std::string(reinterpret_cast<const char*>(d.data()), kTagBytes);
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint64_t get_le(const char* p, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

/// Parses a 32-digit lower-case hex key; false when it is not one.
bool parse_key(std::string_view hex, std::uint64_t& a, std::uint64_t& b) {
  if (hex.size() != 32) return false;
  std::uint64_t v[2] = {0, 0};
  for (std::size_t i = 0; i < 32; ++i) {
    const char c = hex[i];
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    v[i / 16] = (v[i / 16] << 4) | static_cast<std::uint64_t>(d);
  }
  a = v[0];
  b = v[1];
  return true;
}

std::string key_bytes(std::uint64_t a, std::uint64_t b) {
  std::string out;
  put_u64(out, a);
  put_u64(out, b);
  return out;
}

enum class ReadStatus { kOk, kMissing, kFailed };

/// Maps the segment file `path` (regular, at most `limit` bytes) read-only into `seg`, with its
/// pages populated in one call: no copy, no zero-filling, no page fault per 4 KiB. Segments
/// are never modified in place (only renamed into place and removed), so the mapping stays
/// valid even when another run removes the file.
ReadStatus map_segment_file(const char* path, std::size_t limit, MappedFile& seg,
                            std::int64_t& mtime) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return errno == ENOENT ? ReadStatus::kMissing : ReadStatus::kFailed;
  struct stat st;
  ReadStatus status = ReadStatus::kFailed;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
      static_cast<std::uint64_t>(st.st_size) <= limit) {
    mtime = st.st_mtim.tv_sec;
    status =
        seg.map(fd, static_cast<std::size_t>(st.st_size)) ? ReadStatus::kOk : ReadStatus::kFailed;
  }
  ::close(fd);
  return status;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// The names of the regular entries of `dir` ending in `suffix`, sorted.
std::vector<std::string> list_dir(const std::string& dir, std::string_view suffix) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      const std::string_view name = e->d_name;
      if (ends_with(name, suffix) && name.rfind(kTempPrefix, 0) != 0) names.emplace_back(name);
    }
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool is_clean(const FileOutcome& o) {
  return o.status == FileOutcome::Status::kChecked && o.findings.empty() && o.diagnostics.empty() &&
         !o.incomplete;
}

}  // namespace

std::string cache_context(std::string_view bundle_bytes, const std::vector<std::string>& active_ids,
                          const SuppressionOptions& suppressions,
                          const std::vector<std::string_view>& tables) {
  Hash128 h;
  h.add(bundle_bytes);
  for (const std::string& id : active_ids) h.add(id);
  h.add(suppressions.inline_suppressions ? "inline" : "no-inline");
  h.add(suppressions.foreign ? "foreign" : "no-foreign");
  for (std::string_view table : tables) h.add(table);
  return h.hex();
}

std::vector<std::string_view> embedded_data_tables() {
  return {schema::embedded_schema_table(), internal::embedded_policy_templates(),
          internal::embedded_managed_policies(), schema::embedded_iam_access_levels()};
}

std::string cache_context(std::string_view bundle_bytes, const std::vector<std::string>& active_ids,
                          const SuppressionOptions& suppressions) {
  return cache_context(bundle_bytes, active_ids, suppressions, embedded_data_tables());
}

std::string encode_cache_entry(std::string_view key, const FileOutcome& outcome) {
  std::string out;
  if (is_clean(outcome)) return out;  // the common outcome: nothing to read back
  put_str(out, kCacheFormat);
  put_str(out, key);
  internal::put_outcome_body(out, outcome);
  return out;
}

bool decode_cache_entry(std::string_view bytes, std::string_view key, FileOutcome& out,
                        std::string& error) {
  out.findings.clear();
  out.diagnostics.clear();
  out.status = FileOutcome::Status::kChecked;
  out.incomplete = false;
  if (bytes.empty()) return true;
  internal::ByteReader r{bytes};
  if (r.view() != kCacheFormat || r.view() != key) {
    error = "not an entry of this cache format for this key";
    return false;
  }
  internal::read_outcome_body(r, out);
  if (!r.ok || !r.in.empty()) {
    error = r.ok ? "bytes after the last diagnostic" : "truncated or out-of-range field";
    out = FileOutcome{};
    return false;
  }
  return true;
}

std::unique_ptr<DiskCache> DiskCache::open(const std::string& dir, std::string context,
                                           std::uint64_t max_bytes, std::string_view cache_key,
                                           std::string& error) {
  if (cache_key.size() < kMinCacheKeyBytes) {
    error = "the cache key must hold at least " + std::to_string(kMinCacheKeyBytes) + " bytes";
    return nullptr;
  }
  std::error_code ec;
  const fs::path root = fs::path(dir) / kLayoutDir;
  Hash128 h;
  h.add(kCacheFormat);
  h.add(POLC_VERSION);
  h.add(context);
  const fs::path ctx_dir = root / h.hex();
  fs::create_directories(ctx_dir, ec);
  if (ec || !fs::is_directory(ctx_dir, ec) || ::access(ctx_dir.c_str(), W_OK | X_OK) != 0) {
    error = "cannot create or write the cache directory " + root.string() +
            "; check the path given to --cache and its permissions";
    return nullptr;
  }
  std::unique_ptr<DiskCache> cache(
      new DiskCache(root.string(), ctx_dir.string(), std::move(context), max_bytes));
  // Two keys derived from the cache key: one for the records' HMAC tags, one (192 bytes, as
  // XXH3 wants a secret of at least 136) for the keyed XXH3-128 of each file's lookup key, so
  // that nobody without the cache key can aim a template at another one's record.
  const Digest256 tk = hmac_sha256(cache_key, {"polc cache record tag"});
  cache->tag_key_.assign(reinterpret_cast<const char*>(tk.data()), tk.size());
  for (char i = 0; i < 6; ++i) {
    const Digest256 part = hmac_sha256(cache_key, {"polc cache lookup key", std::string_view(&i, 1)});
    cache->key_secret_.append(reinterpret_cast<const char*>(part.data()), part.size());
  }
  cache->read_segments();
  return cache;
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
}

bool MappedFile::map(int fd, std::size_t size) {
  if (size == 0) return true;
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  if (p == MAP_FAILED) return false;
  data_ = static_cast<const char*>(p);
  size_ = size;
  return true;
}

void DiskCache::read_segments() {
  for (const std::string& name : list_dir(dir_, kSegmentSuffix)) {
    Segment seg;
    seg.path = dir_ + "/" + name;
    const ReadStatus rs =
        map_segment_file(seg.path.c_str(), kMaxCacheSegmentBytes, seg.file, seg.mtime);
    if (rs == ReadStatus::kMissing) continue;  // removed by another run meanwhile
    std::string error;
    std::vector<Slot> found;
    const std::string_view b = seg.file.view();
    if (rs == ReadStatus::kFailed) {
      error = "unreadable or larger than kMaxCacheSegmentBytes";
    } else if (b.substr(0, kSegmentMagic.size()) != kSegmentMagic) {
      error = "not a polc cache segment";
    } else {
      std::size_t at = kSegmentMagic.size();
      while (at < b.size()) {
        if (b.size() - at < kRecordHeaderBytes) {
          error = "truncated entry header at byte " + std::to_string(at);
          break;
        }
        Slot s;
        s.key.a = get_le(b.data() + at, 8);
        s.key.b = get_le(b.data() + at + 8, 8);
        s.length = static_cast<std::uint32_t>(get_le(b.data() + at + 16, 4));
        s.segment = static_cast<std::uint32_t>(segments_.size());
        s.offset = at;
        if (s.length > kMaxCacheEntryBytes || b.size() - at - kRecordHeaderBytes < s.length) {
          error = "entry at byte " + std::to_string(at) + " runs past the end";
          break;
        }
        found.push_back(s);
        at += kRecordHeaderBytes + s.length;
      }
    }
    if (!error.empty()) {
      // Segments are never rewritten in place, so this one will not get better.
      warn(seg.path, "corrupt cache segment (" + error +
                         "); ignored and removed, its files are checked again");
      ::unlink(seg.path.c_str());
      continue;
    }
    for (const Slot& s : found) {
      // Duplicates (concurrent runs, compaction) hold the same outcome: keep the first.
      if (index_.emplace(s.key, static_cast<std::uint32_t>(slots_.size())).second)
        slots_.push_back(s);
    }
    segments_.push_back(std::move(seg));
  }
  states_ = std::make_unique<std::atomic<std::uint8_t>[]>(slots_.size());
}

DiskCache::~DiskCache() {
  std::lock_guard<std::mutex> lock(mutex_);
  flush_locked();
}

void DiskCache::warn(std::string file, std::string message) {
  Diagnostic d;
  d.severity = DiagSeverity::kWarning;
  d.code = "cache";
  d.location = Location::whole(std::move(file));
  d.message = std::move(message);
  warnings_.push_back(std::move(d));
}

std::vector<Diagnostic> DiskCache::take_warnings() {
  std::lock_guard<std::mutex> lock(mutex_);
  flush_locked();
  std::vector<Diagnostic> out;
  out.swap(warnings_);
  return out;
}

std::vector<std::string> DiskCache::segment_paths() const {
  std::vector<std::string> out;
  for (const std::string& name : list_dir(dir_, kSegmentSuffix)) out.push_back(dir_ + "/" + name);
  return out;
}

bool DiskCache::lookup(const std::string& path, std::string_view contents, std::string& key,
                       FileOutcome& out) {
  Hash128 h(key_secret_);
  h.add(kCacheFormat);
  h.add(POLC_VERSION);
  h.add(context_);
  h.add(path);
  h.add(contents);
  const auto [a, b] = h.digest();
  key = Hash128::hex_key(a, b);
  const auto it = index_.find(Key{a, b});
  if (it == index_.end()) {
    ++misses_;
    return false;
  }
  const Slot& s = slots_[it->second];
  const std::string_view record =
      segments_[s.segment].file.view().substr(s.offset, kRecordHeaderBytes + s.length);
  const std::string_view payload = record.substr(kRecordHeaderBytes);
  std::string error;
  if (!equal_constant_time(record_tag(tag_key_, record.substr(0, 20), payload),
                           record.substr(20, kTagBytes))) {
    error = "tag mismatch: not written by polc with this cache key";
  } else if (decode_cache_entry(payload, key, out, error)) {
    states_[it->second].store(kHit, std::memory_order_relaxed);
    ++hits_;
    return true;
  }
  states_[it->second].store(kBad, std::memory_order_relaxed);
  out = FileOutcome{};
  {
    std::lock_guard<std::mutex> lock(mutex_);
    warn(segments_[s.segment].path, "corrupt cache entry for " + path + " (" + error +
                                        "); ignored, the file is checked again");
  }
  ++misses_;
  return false;
}

void DiskCache::store(const std::string& key, const FileOutcome& outcome) {
  std::uint64_t a, b;
  if (!parse_key(key, a, b)) return;
  const std::string payload = encode_cache_entry(key, outcome);
  if (payload.size() > kMaxCacheEntryBytes) return;  // checked on every run instead
  const std::string kb = key_bytes(a, b);
  std::string record;
  record.reserve(kRecordHeaderBytes + payload.size());
  record += kb;
  put_u32(record, static_cast<std::uint32_t>(payload.size()));
  record += record_tag(tag_key_, record, payload);
  record += payload;
  std::lock_guard<std::mutex> lock(mutex_);
  pending_ += record;
  if (pending_.size() >= kCacheSegmentBytes) {
    write_segment(pending_, 0);  // on failure the entries are dropped: memory stays bounded
    pending_.clear();
  }
}

bool DiskCache::write_segment(const std::string& body, std::int64_t mtime) {
  const std::uint64_t n = temp_counter_.fetch_add(1);
  const std::string tmp =
      dir_ + "/" + std::string(kTempPrefix) + std::to_string(::getpid()) + "-" + std::to_string(n);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  bool ok = fd >= 0;
  auto write_all = [&](std::string_view data) {
    while (ok && !data.empty()) {
      const ssize_t w = ::write(fd, data.data(), data.size());
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        ok = false;
        break;
      }
      data.remove_prefix(static_cast<std::size_t>(w));
    }
  };
  write_all(kSegmentMagic);
  write_all(body);
  if (fd >= 0 && ::close(fd) != 0) ok = false;
  if (ok && mtime > 0) {
    const struct timespec times[2] = {{mtime, 0}, {mtime, 0}};
    ::utimensat(AT_FDCWD, tmp.c_str(), times, 0);
  }
  // A name no other run picks: time in nanoseconds, process and counter.
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  char name[96];
  std::snprintf(name, sizeof name, "/%016llx-%d-%llu", static_cast<unsigned long long>(ns),
                static_cast<int>(::getpid()), static_cast<unsigned long long>(n));
  // rename() is atomic: readers see the whole segment or none.
  if (ok && ::rename(tmp.c_str(), (dir_ + name + std::string(kSegmentSuffix)).c_str()) != 0)
    ok = false;
  if (!ok) {
    ::unlink(tmp.c_str());
    warn(dir_, "cannot write a cache segment in " + dir_ +
                   "; results are not cached (is the disk full?)");
  }
  return ok;
}

void DiskCache::flush() {
  std::lock_guard<std::mutex> lock(mutex_);
  flush_locked();
}

void DiskCache::flush_locked() {
  const std::int64_t now = std::time(nullptr);
  std::vector<bool> used(segments_.size(), false);
  for (std::size_t i = 0; i < slots_.size(); ++i)
    if (states_[i].load(std::memory_order_relaxed) == kHit) used[slots_[i].segment] = true;
  const std::size_t after_run = segments_.size() + (pending_.empty() ? 0 : 1);
  if (!compacted_ && !segments_.empty() && after_run > kMaxCacheSegments) {
    // Compaction: the entries used or computed by this run in one segment, the others in one
    // dated like the oldest segment read (evicted first), then the old segments go.
    compacted_ = true;
    std::string live = std::move(pending_), rest;
    pending_.clear();
    std::int64_t oldest = now;
    for (const Segment& s : segments_) oldest = std::min(oldest, s.mtime);
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      const Slot& s = slots_[i];
      const std::uint8_t state = states_[i].load(std::memory_order_relaxed);
      if (state == kBad) continue;
      std::string& to = state == kHit ? live : rest;
      to += segments_[s.segment].file.view().substr(s.offset, kRecordHeaderBytes + s.length);
    }
    bool ok = true;
    if (!live.empty()) ok = write_segment(live, 0) && ok;
    if (!rest.empty()) ok = write_segment(rest, std::max<std::int64_t>(oldest, 1)) && ok;
    if (ok)
      for (const Segment& s : segments_) ::unlink(s.path.c_str());
    return;
  }
  if (!pending_.empty()) {
    write_segment(pending_, 0);
    pending_.clear();
  }
  // Recently used: evicted last. Refreshed at most once per kTouchInterval, which spares a
  // metadata write on most warm runs.
  for (std::size_t i = 0; i < segments_.size(); ++i)
    if (used[i] && now - segments_[i].mtime > kTouchIntervalSeconds) {
      ::utimensat(AT_FDCWD, segments_[i].path.c_str(), nullptr, 0);
      segments_[i].mtime = now;
    }
}

std::size_t DiskCache::evict() {
  flush();
  struct Entry {
    fs::path path;
    std::uint64_t size;
    fs::file_time_type mtime;
  };
  std::vector<Entry> entries;
  std::uint64_t total = 0;
  std::size_t removed = 0;
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::error_code fe;
    if (!it->is_regular_file(fe)) continue;
    Entry e{it->path(), it->file_size(fe), it->last_write_time(fe)};
    if (fe) continue;
    if (e.path.filename().string().rfind(kTempPrefix, 0) == 0) {
      if (now - e.mtime > kStaleTempAge && fs::remove(e.path, fe)) ++removed;
      continue;
    }
    total += e.size;
    entries.push_back(std::move(e));
  }
  if (total <= max_bytes_) return removed;
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.mtime < b.mtime; });
  for (const Entry& e : entries) {
    if (total <= max_bytes_) break;
    std::error_code fe;
    if (fs::remove(e.path, fe)) ++removed;
    total -= e.size;
  }
  return removed;
}

std::string cache_files_dir(const std::string& dir) {
  return (fs::path(dir) / kLayoutDir).string();
}

}  // namespace polc
