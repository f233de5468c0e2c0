#include "engine/base/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>
#include <vector>

namespace polc {
namespace {

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

/// The directory part of `path` ("." when it has none).
std::string directory_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

OutputFile::~OutputFile() {
  if (file_) std::fclose(file_);
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

bool OutputFile::open(std::string& error) {
  struct stat target;
  char* resolved = ::realpath(path_.c_str(), nullptr);
  const std::string real = resolved ? resolved : "";
  std::free(resolved);
  const bool special_path = real.starts_with("/dev/") || real.starts_with("/proc/");
  if (special_path || (::stat(path_.c_str(), &target) == 0 && !S_ISREG(target.st_mode))) {
    // A device, a FIFO or a terminal (`-o json=/dev/stdout`, `/dev/null`, `/proc/self/fd/N`,
    // whatever it leads to): written to as it is. Renaming over it would replace the device
    // node itself, or a file the shell has open.
    file_ = std::fopen(path_.c_str(), "wb");
    if (!file_) {
      error = errno_text(errno);
      return false;
    }
    direct_ = true;
    return true;
  }
  // Through a symlink, the file it leads to is replaced (not the link).
  target_ = real.empty() ? path_ : real;  // empty: a new file
  const std::size_t slash = target_.rfind('/');
  const std::string base = slash == std::string::npos ? target_ : target_.substr(slash + 1);
  const std::string dir = directory_of(target_);
  std::string pattern = (dir == "/" ? std::string("/") : dir + "/") + "." + base + ".polc-XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) {
    error = errno_text(errno);
    return false;
  }
  temp_ = name.data();
  // The mode of the file it replaces, or what a plain open(O_CREAT, 0666) would give.
  struct stat st;
  mode_t mode;
  if (::stat(target_.c_str(), &st) == 0) {
    mode = st.st_mode & 07777;
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    mode = 0666 & ~mask;
  }
  ::fchmod(fd, mode);
  file_ = ::fdopen(fd, "wb");
  if (!file_) {
    error = errno_text(errno);
    ::close(fd);
    return false;
  }
  return true;
}

bool OutputFile::commit(bool write_failed, std::string& error) {
  if (!file_) {
    error = "not open";
    return false;
  }
  bool ok = !write_failed && std::fflush(file_) == 0 && !std::ferror(file_);
  int err = ok ? 0 : (errno ? errno : EIO);
  if (ok && !direct_ && ::fsync(::fileno(file_)) != 0) {
    ok = false;
    err = errno;
  }
  if (std::fclose(file_) != 0 && ok) {
    ok = false;
    err = errno;
  }
  file_ = nullptr;
  if (direct_) {
    if (!ok) error = errno_text(err);
    return ok;
  }
  if (ok && ::rename(temp_.c_str(), target_.c_str()) != 0) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    error = errno_text(err);
    return false;  // the destructor removes the temporary file
  }
  temp_.clear();
  // The rename itself is durable once the directory is.
  const int dfd = ::open(directory_of(target_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

bool write_file_atomically(const std::string& path, std::string_view bytes, std::string& error) {
  OutputFile out(path);
  if (!out.open(error)) return false;
  const bool failed = std::fwrite(bytes.data(), 1, bytes.size(), out.file()) != bytes.size();
  return out.commit(failed, error);
}

}  // namespace polc
