#include "engine/cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "engine/fingerprint.h"
#include "engine/json_writer.h"
#include "engine/limits.h"
#include "engine/record_json.h"

namespace polc {

namespace {

namespace fs = std::filesystem;

/// Version of the entry layout and key scheme; part of both the directory name and the key.
constexpr std::string_view kCacheFormat = "polc-cache-v1";
/// Second FNV lane: the offset basis mixed with a constant, so the two lanes differ.
constexpr std::uint64_t kSecondLaneSeed = 0x9e3779b97f4a7c15ULL;
/// A hit refreshes its entry's modification time when it is older than this (one hour).
constexpr std::int64_t kTouchIntervalSeconds = 3600;
/// Temporary files older than this are leftovers of killed runs and may be removed.
constexpr auto kStaleTempAge = std::chrono::minutes(10);

/// Two FNV-1a 64 lanes over fields, each followed by the 0xFF separator. Bytes are fed 8 at a
/// time (one xor and one multiply per 64-bit little-endian word, then the tail byte by byte):
/// a cache key needs no more than that, and it keeps hashing far below the cost of reading.
struct Hash128 {
  std::uint64_t a = kFnv64Offset, b = kFnv64Offset ^ kSecondLaneSeed;
  void add(std::string_view bytes) {
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
      std::uint64_t word;
      std::memcpy(&word, bytes.data() + i, 8);
      a = (a ^ word) * kFnv64Prime;
      b = (b ^ (word + kSecondLaneSeed)) * kFnv64Prime;
    }
    for (; i < bytes.size(); ++i) {
      const auto byte = static_cast<unsigned char>(bytes[i]);
      a = (a ^ byte) * kFnv64Prime;
      b = (b ^ (byte + 1u)) * kFnv64Prime;
    }
    a = (a ^ 0xffu) * kFnv64Prime;
    b = (b ^ 0x100u) * kFnv64Prime;
    b ^= b >> 29;  // spread high bits down so the lanes diverge further
  }
  std::string hex() const {
    char buf[33];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(a),
                  static_cast<unsigned long long>(b));
    return buf;
  }
};

enum class ReadStatus { kOk, kMissing, kFailed };

/// Reads `path` into `out` with one open, one fstat and the reads (the cache's hot path): only
/// regular files of at most `limit` bytes.
ReadStatus read_bounded(const std::string& path, std::size_t limit, std::string& out,
                        std::int64_t* mtime = nullptr) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return errno == ENOENT ? ReadStatus::kMissing : ReadStatus::kFailed;
  struct stat st;
  ReadStatus status = ReadStatus::kFailed;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
      static_cast<std::uint64_t>(st.st_size) <= limit) {
    if (mtime) *mtime = st.st_mtim.tv_sec;
    out.resize(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < out.size()) {
      const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    out.resize(got);
    status = got == static_cast<std::size_t>(st.st_size) ? ReadStatus::kOk : ReadStatus::kFailed;
  }
  ::close(fd);
  return status;
}

std::string_view status_name(FileOutcome::Status s) {
  switch (s) {
    case FileOutcome::Status::kChecked:
      return "checked";
    case FileOutcome::Status::kSkipped:
      return "skipped";
    case FileOutcome::Status::kFailed:
      return "failed";
  }
  return "failed";
}

}  // namespace

std::string cache_context(std::string_view bundle_bytes, const std::vector<std::string>& active_ids,
                          const SuppressionOptions& suppressions) {
  Hash128 h;
  h.add(bundle_bytes);
  for (const std::string& id : active_ids) h.add(id);
  h.add(suppressions.inline_suppressions ? "inline" : "no-inline");
  h.add(suppressions.foreign ? "foreign" : "no-foreign");
  return h.hex();
}

std::string encode_cache_entry(std::string_view key, const FileOutcome& outcome) {
  std::string out;
  JsonWriter w(out, false);
  w.begin_object();
  w.member("format", kCacheFormat);
  w.member("key", key);
  w.member("status", status_name(outcome.status));
  w.member("incomplete", outcome.incomplete);
  w.key("findings");
  w.begin_array();
  for (const Finding& f : outcome.findings) write_finding_record(w, f);
  w.end_array();
  w.key("diagnostics");
  w.begin_array();
  for (const Diagnostic& d : outcome.diagnostics) write_diagnostic_record(w, d);
  w.end_array();
  w.end_object();
  return out;
}

bool decode_cache_entry(std::string_view bytes, std::string_view key, FileOutcome& out,
                        std::string& error) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(bytes);
  simdjson::dom::element root;
  if (auto err = parser.parse(padded).get(root)) {
    error = std::string("not valid JSON: ") + simdjson::error_message(err);
    return false;
  }
  std::string_view format, entry_key, status;
  if (root["format"].get_string().get(format) != simdjson::SUCCESS || format != kCacheFormat ||
      root["key"].get_string().get(entry_key) != simdjson::SUCCESS || entry_key != key ||
      root["status"].get_string().get(status) != simdjson::SUCCESS ||
      root["incomplete"].get_bool().get(out.incomplete) != simdjson::SUCCESS) {
    error = "not an entry of this cache format for this key";
    return false;
  }
  if (status == "checked") {
    out.status = FileOutcome::Status::kChecked;
  } else if (status == "skipped") {
    out.status = FileOutcome::Status::kSkipped;
  } else if (status == "failed") {
    out.status = FileOutcome::Status::kFailed;
  } else {
    error = "unknown status '" + std::string(status) + "'";
    return false;
  }
  simdjson::dom::array findings, diagnostics;
  if (root["findings"].get_array().get(findings) != simdjson::SUCCESS ||
      root["diagnostics"].get_array().get(diagnostics) != simdjson::SUCCESS) {
    error = "no findings or diagnostics array";
    return false;
  }
  out.findings.clear();
  out.diagnostics.clear();
  for (simdjson::dom::element f : findings) {
    Finding finding;
    if (!read_finding_record(f, finding, error)) return false;
    out.findings.push_back(std::move(finding));
  }
  for (simdjson::dom::element d : diagnostics) {
    Diagnostic diag;
    if (!read_diagnostic_record(d, diag, error)) return false;
    out.diagnostics.push_back(std::move(diag));
  }
  return true;
}

std::unique_ptr<DiskCache> DiskCache::open(const std::string& dir, std::string context,
                                           std::uint64_t max_bytes, std::string& error) {
  std::error_code ec;
  const fs::path root = fs::path(dir) / "v1";
  fs::create_directories(root, ec);
  if (ec || !fs::is_directory(root, ec) || ::access(root.c_str(), W_OK | X_OK) != 0) {
    error = "cannot create or write the cache directory " + root.string() +
            "; check the path given to --cache and its permissions";
    return nullptr;
  }
  return std::unique_ptr<DiskCache>(new DiskCache(root.string(), std::move(context), max_bytes));
}

std::string DiskCache::entry_path(std::string_view key) const {
  return root_ + "/" + std::string(key.substr(0, 2)) + "/" + std::string(key) + ".json";
}

void DiskCache::warn(std::string file, std::string message) {
  Diagnostic d;
  d.severity = DiagSeverity::kWarning;
  d.code = "cache";
  d.location = Location::whole(std::move(file));
  d.message = std::move(message);
  std::lock_guard<std::mutex> lock(mutex_);
  warnings_.push_back(std::move(d));
}

std::vector<Diagnostic> DiskCache::take_warnings() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Diagnostic> out;
  out.swap(warnings_);
  return out;
}

bool DiskCache::lookup(const std::string& path, std::string& key, FileOutcome& out) {
  key.clear();
  std::string bytes;
  if (read_bounded(path, kMaxTemplateBytes, bytes) != ReadStatus::kOk)
    return false;  // the loader says why
  Hash128 h;
  h.add(kCacheFormat);
  h.add(POLC_VERSION);
  h.add(context_);
  h.add(path);
  h.add(bytes);
  key = h.hex();
  const std::string entry = entry_path(key);
  std::string text, error;
  std::int64_t mtime = 0;
  const ReadStatus rs = read_bounded(entry, kMaxCacheEntryBytes, text, &mtime);
  if (rs == ReadStatus::kMissing) {  // never stored, or evicted by another run meanwhile
    ++misses_;
    return false;
  }
  if (rs == ReadStatus::kFailed) {
    error = "unreadable or larger than kMaxCacheEntryBytes";
  } else if (decode_cache_entry(text, key, out, error)) {
    // Recently used: evicted last. Refreshed at most once per kTouchInterval, which spares a
    // metadata write per file on every warm run.
    if (std::time(nullptr) - mtime > kTouchIntervalSeconds)
      ::utimensat(AT_FDCWD, entry.c_str(), nullptr, 0);
    ++hits_;
    return true;
  }
  out = FileOutcome{};
  warn(entry,
       "corrupt cache entry for " + path + " (" + error + "); ignored, the file is checked again");
  ++misses_;
  return false;
}

void DiskCache::store(const std::string& key, const FileOutcome& outcome) {
  const fs::path entry = entry_path(key);
  std::error_code ec;
  fs::create_directories(entry.parent_path(), ec);
  const fs::path tmp = entry.parent_path() / ("tmp-" + std::to_string(::getpid()) + "-" +
                                              std::to_string(temp_counter_.fetch_add(1)));
  const std::string text = encode_cache_entry(key, outcome);
  {
    std::ofstream of(tmp, std::ios::binary);
    of.write(text.data(), static_cast<std::streamsize>(text.size()));
    of.close();
    if (!of) {
      fs::remove(tmp, ec);
      warn(root_, "cannot write a cache entry in " + entry.parent_path().string() +
                      "; results are not cached (is the disk full?)");
      return;
    }
  }
  fs::rename(tmp, entry, ec);  // atomic: readers see the old entry, the new one or none
  if (ec) fs::remove(tmp, ec);
}

std::size_t DiskCache::evict() {
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
    if (e.path.filename().string().rfind("tmp-", 0) == 0) {
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

}  // namespace polc
