// The cache key (engine/cache.h, `load_cache_key`): from POLC_CACHE_KEY or a per-user key file.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "engine/scan/cache.h"
#include "engine/base/digest.h"

namespace polc {

namespace {

namespace fs = std::filesystem;

/// Largest key file read, in bytes (a generated one has 32).
constexpr std::size_t kMaxCacheKeyFileBytes = 4096;
/// Bytes of a generated key.
constexpr std::size_t kGeneratedKeyBytes = 32;

/// Reads the key file at `path`: a regular file (not a symlink), owned by the effective user,
/// with no group or other permission bits, of kMinCacheKeyBytes..kMaxCacheKeyFileBytes bytes.
/// Returns 1 when read, 0 when it does not exist, -1 on any other problem (`error` says what).
int read_key_file(const std::string& path, std::string& key, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return 0;
    error = "cannot open the cache key file " + path + " (" + std::strerror(errno) +
            "; it must be a regular file, not a symlink)";
    return -1;
  }
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0;
  if (!ok || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 077) != 0 ||
      st.st_size < static_cast<off_t>(kMinCacheKeyBytes) ||
      st.st_size > static_cast<off_t>(kMaxCacheKeyFileBytes)) {
    ::close(fd);
    error = "the cache key file " + path +
            " must be a regular file owned by you, with mode 0600, of " +
            std::to_string(kMinCacheKeyBytes) + " to " + std::to_string(kMaxCacheKeyFileBytes) +
            " bytes";
    return -1;
  }
  key.assign(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < key.size()) {
    const ssize_t r = ::read(fd, key.data() + got, key.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<std::size_t>(r);
  }
  ::close(fd);
  if (got != key.size()) {
    error = "cannot read the cache key file " + path;
    return -1;
  }
  return 1;
}

/// Creates the key file with fresh random bytes, atomically: written to a temporary file
/// (mode 0600) and linked into place, so a concurrent run sees the whole key or none, and the
/// first one to link wins (the others read it).
bool create_key_file(const std::string& path, std::string& error) {
  std::string bytes;
  if (!random_bytes(kGeneratedKeyBytes, bytes)) {
    error = "cannot get random bytes for a new cache key";
    return false;
  }
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  if (fd >= 0) ok = ::fsync(fd) == 0 && ok;
  if (fd >= 0) ok = ::close(fd) == 0 && ok;
  if (ok && ::link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST) ok = false;
  ::unlink(tmp.c_str());
  if (!ok) error = "cannot create the cache key file " + path + " (" + std::strerror(errno) + ")";
  return ok;
}

/// True when `inner` is `outer` or lies below it (both made absolute and normal).
bool is_within(const fs::path& inner, const fs::path& outer) {
  std::error_code ec;
  const fs::path a = fs::weakly_canonical(fs::absolute(inner, ec), ec);
  const fs::path b = fs::weakly_canonical(fs::absolute(outer, ec), ec);
  auto ai = a.begin();
  for (auto bi = b.begin(); bi != b.end(); ++bi, ++ai) {
    if (bi->empty()) continue;  // a trailing separator
    if (ai == a.end() || *ai != *bi) return false;
  }
  return true;
}

}  // namespace

bool load_cache_key(const std::string& cache_dir, std::string& key, std::string& source,
                    std::string& error) {
  if (const char* env = std::getenv("POLC_CACHE_KEY")) {
    key = env;
    source = "POLC_CACHE_KEY";
    if (key.size() < kMinCacheKeyBytes) {
      error = "POLC_CACHE_KEY must hold at least " + std::to_string(kMinCacheKeyBytes) +
              " bytes (for example 32 random bytes in hex: openssl rand -hex 32)";
      return false;
    }
    return true;
  }
  fs::path dir;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg == '/') {
    dir = fs::path(xdg) / "polc";
  } else if (const char* home = std::getenv("HOME"); home && *home == '/') {
    dir = fs::path(home) / ".config" / "polc";
  } else {
    error = "no cache key: set POLC_CACHE_KEY, or HOME for the key file ~/.config/polc/cache-key";
    return false;
  }
  const fs::path file = dir / "cache-key";
  source = file.string();
  if (is_within(file, cache_dir)) {
    error = "the cache key file " + file.string() + " lies inside the cache directory " +
            cache_dir + ", which others may write; use another --cache or set POLC_CACHE_KEY";
    return false;
  }
  ::mkdir(dir.parent_path().c_str(), 0700);  // ~/.config; an existing one is kept as it is
  ::mkdir(dir.c_str(), 0700);
  for (int attempt = 0; attempt < 2; ++attempt) {
    const int r = read_key_file(file.string(), key, error);
    if (r != 0) return r > 0;
    if (!create_key_file(file.string(), error)) return false;
  }
  error = "cannot read the cache key file " + file.string();
  return false;
}

}  // namespace polc
