#include "engine/scan/discovery.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "engine/base/glob.h"
#include "engine/base/limits.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

/// True when `name` ends with one of `exts` (lower case), in any case: `Stack.YAML`,
/// `net.Yml` and `STACK.JSON` are templates too (a file skipped for its spelling would be a
/// silent pass).
bool has_ext(const std::string& name, std::initializer_list<const char*> exts) {
  for (const char* e : exts) {
    std::string_view ext(e);
    if (name.size() <= ext.size()) continue;
    const std::size_t at = name.size() - ext.size();
    bool same = true;
    for (std::size_t k = 0; k < ext.size() && same; ++k) {
      char c = name[at + k];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      same = c == ext[k];
    }
    if (same) return true;
  }
  return false;
}

/// A CDK cloud assembly (`cdk synth`'s output: a directory with `manifest.json` and the `cdk.out`
/// version file) lists its stacks' templates (`*.template.json`) and nested assemblies of
/// stages (`assembly-*/`); its asset directories and files (`asset.*`: Lambda code, Docker
/// contexts, copies of files) and its own metadata (`manifest.json`, `tree.json`,
/// `*.assets.json`, `*.metadata.json`, `validation-report.json`) are not templates. Removes those
/// from a directory's listed `keys` (names ending in '/' for directories, '\0' for regular
/// files). Facts: AWS CDK, "Cloud assembly" (the cloud-assembly-schema `manifest.json`).
void skip_cloud_assembly_files(std::vector<std::string>& keys) {
  auto listed = [&](std::string_view name) {
    return std::any_of(keys.begin(), keys.end(), [&](const std::string& k) {
      return k.size() == name.size() + 1 && k.starts_with(name);
    });
  };
  if (!listed("manifest.json") || !listed("cdk.out")) return;
  std::erase_if(keys, [](const std::string& k) {
    std::string_view name = k;
    if (!name.empty() && (name.back() == '/' || name.back() == '\0')) name.remove_suffix(1);
    return name.starts_with("asset.") || name == "manifest.json" || name == "tree.json" ||
           name == "cdk.out" || name == "validation-report.json" ||
           name.ends_with(".assets.json") || name.ends_with(".metadata.json");
  });
}

bool is_template_name(const std::string& n) {
  return has_ext(n, {".yaml", ".yml", ".json", ".template"});
}


bool excluded_by(const std::vector<std::string>& excludes, const std::string& p) {
  for (const auto& g : excludes)
    if (path_matches_glob(g, p)) return true;
  return false;
}

/// The kind of `p` by its name; an explicit file argument is a template whatever its extension.
bool classify(const std::string& p, bool explicit_arg, FileKind& kind) {
  if (has_ext(p, {".polc"})) {
    kind = FileKind::kPolicy;
  } else if (has_ext(p, {".tests.yaml", ".tests.yml"})) {
    kind = FileKind::kTests;
  } else if (has_ext(p, {".polcb", ".bundle"})) {
    kind = FileKind::kBundle;
  } else if (is_template_name(p) || explicit_arg) {
    kind = FileKind::kTemplate;
  } else {
    return false;
  }
  return true;
}

/// One record of getdents64(2), as the kernel lays it out (`struct linux_dirent64`).
struct Dirent64 {
  std::uint64_t d_ino;
  std::int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[1];  // NUL-terminated, d_reclen - 19 bytes at most
};

/// Bytes read per getdents64 call: readdir's buffer size, enough for most directories in one
/// call (the second returns 0).
constexpr std::size_t kDirentBufferBytes = 32u << 10;

/// Opens directory `name` relative to `at` for reading its entries (opendir's flags), retrying
/// on EINTR; with `nofollow`, a symlink fails (ELOOP) instead of being followed. -1 and errno
/// on failure.
int open_dir(int at, const char* name, bool nofollow) {
  const int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK | (nofollow ? O_NOFOLLOW : 0);
  int fd;
  do {
    fd = ::openat(at, name, flags);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

/// `dir` joined with entry `name`: a '/' between unless `dir` is empty or already ends in one
/// ("d/" gives "d/name"); the working directory "." adds nothing ("name"), so a file has one
/// spelling however it was reached (`polc check` and `polc check policies/` both give
/// `policies/x.polc`).
std::string join_path(const std::string& dir, const std::string& name) {
  if (dir == ".") return name;
  std::string p;
  p.reserve(dir.size() + 1 + name.size());
  p = dir;
  if (!p.empty() && p.back() != '/') p += '/';
  p += name;
  return p;
}

/// The text of errno value `err`, as std::error_code::message() gives it (strerror).
std::string error_text(int err) { return std::error_code(err, std::generic_category()).message(); }

int stat_at(int dirfd, const char* name, struct stat& st, int flags) {
  int r;
  do {
    r = ::fstatat(dirfd, name, &st, flags);
  } while (r < 0 && errno == EINTR);
  return r;
}

/// The d_type of entry `name` of directory `dirfd` when getdents64 did not say (DT_UNKNOWN):
/// DT_DIR, DT_LNK, DT_REG, or DT_UNKNOWN for anything else (a FIFO, a device) and for an entry
/// that cannot be looked at, which is then listed as a candidate, as before, but not as a
/// regular file.
unsigned char entry_type(int dirfd, const char* name) {
  struct stat st;
  if (stat_at(dirfd, name, st, AT_SYMLINK_NOFOLLOW) != 0) return DT_UNKNOWN;
  if (S_ISDIR(st.st_mode)) return DT_DIR;
  if (S_ISLNK(st.st_mode)) return DT_LNK;
  return S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
}

/// True when symlink `name` of directory `dirfd` leads to a directory (false when dangling).
bool target_is_directory(int dirfd, const char* name) {
  struct stat st;
  return stat_at(dirfd, name, st, 0) == 0 && S_ISDIR(st.st_mode);
}

Diagnostic walk_error(std::string path, std::string message, const char* code = "unreadable") {
  Diagnostic d;
  d.severity = DiagSeverity::kError;
  d.code = code;
  d.location = Location::whole(std::move(path));
  d.message = std::move(message);
  return d;
}

/// True when absolute, resolved `path` is `root` or lies below it.
bool inside(const std::string& path, const std::string& root) {
  if (root == "/") return true;
  return path.compare(0, root.size(), root) == 0 &&
         (path.size() == root.size() || path[root.size()] == '/');
}

/// `path` resolved (realpath(3)); empty with errno set when it cannot be.
std::string resolved(const std::string& path) {
  char* r = ::realpath(path.c_str(), nullptr);
  if (!r) return {};
  std::string out(r);
  std::free(r);
  return out;
}

}  // namespace

std::string normalize_path_argument(const std::string& path) {
  if (path.empty()) return path;
  std::string out;
  if (path[0] == '/') out = "/";
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    const std::string_view seg(path.data() + i, j - i);
    if (!seg.empty() && seg != ".") {
      if (!out.empty() && out.back() != '/') out += '/';
      out += seg;
    }
    i = j + 1;
  }
  return out.empty() ? "." : out;
}

std::vector<std::string> resolve_roots(const std::vector<std::string>& paths) {
  std::vector<std::string> roots;
  for (const std::string& p : paths) {
    std::error_code ec;
    const bool dir = fs::is_directory(p, ec);
    std::string r =
        resolved(dir                                 ? p
                 : fs::path(p).parent_path().empty() ? std::string(".")
                                                     : fs::path(p).parent_path().string());
    if (!r.empty() && std::find(roots.begin(), roots.end(), r) == roots.end())
      roots.push_back(std::move(r));
  }
  return roots;
}

/// One argument's depth-first walk. `head` holds the next file of the stream.
struct FileWalker::ArgWalk {
  /// Ends the key of a symlink that leads outside the roots (after '/' for a directory).
  static constexpr char kOutsideMark = '\x01';

  /// One directory being walked: its entries' names, sorted, a directory's with '/' appended
  /// (its sort key: where its files fall among the sorted paths), a regular file's (d_type
  /// DT_REG) with a NUL appended (which sorts as the bare name would: no name holds a NUL; it
  /// is `FileWalker::listed_regular`). Only names are kept; paths
  /// are built when an entry is reached. `fd` stays open while the level is on the stack, so
  /// its subdirectories are opened relative to it, when it has any and the walker's budget of
  /// kMaxWalkDirFds allows; otherwise it is -1 and they are opened by path.
  struct Level {
    std::string dir;
    std::vector<std::string> keys;
    std::size_t next = 0;
    int fd = -1;
  };

  FileWalker* owner = nullptr;
  std::vector<Level> stack;
  bool has_head = false;
  std::string head;
  FileKind head_kind = FileKind::kTemplate;
  bool head_regular = false;  // listed as a regular file by its directory

  ArgWalk() = default;
  ArgWalk(const ArgWalk&) = delete;
  ArgWalk& operator=(const ArgWalk&) = delete;
  ~ArgWalk() {
    while (!stack.empty()) pop();
  }

  void pop() {
    if (stack.back().fd >= 0) {
      ::close(stack.back().fd);
      --owner->dir_fds_;
    }
    stack.pop_back();
  }

  /// Lists directory `dir` (opened as `name` relative to `at`: a directory fd, or AT_FDCWD with
  /// `name` the path) sorted. Any failure (no permission, a path past PATH_MAX, EMFILE, a
  /// directory swapped for a symlink) is an error diagnostic naming the directory, which fails
  /// the run (its templates were not checked), and returns false. Below an argument (`top`
  /// false) a symlink is never followed (O_NOFOLLOW: a directory swapped for a symlink after it
  /// was listed fails).
  bool push_directory(const std::string& dir, int at, const char* name, bool top) {
    // A path the kernel would refuse (opened relative to its parent it would not be): kept
    // refused, as when every directory was opened by its path.
    const int fd = dir.size() >= PATH_MAX ? (errno = ENAMETOOLONG, -1) : open_dir(at, name, !top);
    if (fd < 0) {
      const int err = errno;
      errors().push_back(walk_error(dir,
                                    "cannot read directory, so the templates and policies "
                                    "in it were not checked: " +
                                        error_text(err)));
      return false;
    }
    Level level;
    level.dir = dir;
    std::vector<char>& buf = owner->dirents_;
    if (buf.empty()) buf.resize(kDirentBufferBytes);
    bool any = false;  // an entry was read (a later read error is an entry's)
    bool has_subdir = false;
    std::string last;  // the last entry read, named by a later read error
    for (;;) {
      long n;
      do {
        n = ::syscall(SYS_getdents64, fd, buf.data(), buf.size());
      } while (n < 0 && errno == EINTR);
      if (n == 0) break;
      if (n < 0) {
        const int err = errno;
        // As readdir: a directory removed while open reads as empty.
        if (err == ENOENT) break;
        if (!any) {
          ::close(fd);
          errors().push_back(walk_error(dir,
                                        "cannot read directory, so the templates and "
                                        "policies in it were not checked: " +
                                            error_text(err)));
          return false;
        }
        errors().push_back(walk_error(
            join_path(dir, last),
            "cannot read the directory's entries after this one, so they were not checked: " +
                error_text(err)));
        break;
      }
      for (long off = 0; off < n;) {
        const auto* d = reinterpret_cast<const Dirent64*>(buf.data() + off);
        off += d->d_reclen;
        const char* entry = d->d_name;
        if (entry[0] == '.' && (entry[1] == '\0' || (entry[1] == '.' && entry[2] == '\0')))
          continue;
        any = true;
        last = entry;
        unsigned char type = d->d_type;
        if (type == DT_UNKNOWN) type = entry_type(fd, entry);
        // FIFOs and devices are candidates (rejected when loading, without blocking); symlinks
        // are sorted out by `symlink_key`.
        if (type == DT_DIR) {
          level.keys.push_back(last + '/');
          // .git and node_modules are never opened: no reason to keep this fd for them.
          if (last != ".git" && last != "node_modules") has_subdir = true;
        } else if (type == DT_REG) {
          level.keys.push_back(last + '\0');
        } else if (type == DT_LNK) {
          std::string key = symlink_key(fd, dir, last);
          if (!key.empty()) level.keys.push_back(std::move(key));
        } else {
          level.keys.push_back(last);
        }
      }
    }
    skip_cloud_assembly_files(level.keys);
    if (has_subdir && owner->dir_fds_ < kMaxWalkDirFds) {
      level.fd = fd;
      ++owner->dir_fds_;
    } else {
      ::close(fd);
    }
    std::sort(level.keys.begin(), level.keys.end());
    level.keys.shrink_to_fit();
    stack.push_back(std::move(level));
    return true;
  }

  std::vector<Diagnostic>& errors() { return owner->errors_; }

  /// The key of symlink `name` in directory `dir` (open as `fd`), or "" to leave it out. A
  /// symlink is followed only when it resolves inside one of the walk's roots (the directories
  /// polc was given): then a file is listed by its name, and a directory is left out (it is not
  /// followed, so a loop cannot trap the walk, and its files are walked where they are). A
  /// symlink that leads outside the roots is never opened: its key ends in kOutsideMark (a
  /// directory's in '/' too) and `advance` reports it, when its name is one polc would have
  /// checked, as an error. A dangling symlink is listed by its name (loading it fails, named).
  std::string symlink_key(int fd, const std::string& dir, const std::string& name) {
    const bool directory = target_is_directory(fd, name.c_str());
    const std::string target = resolved(join_path(dir, name));
    // Dangling, a loop, or too long: listed by its name, its load fails (naming the error).
    if (target.empty()) return directory ? std::string() : name;
    const auto& roots = owner->roots_;
    if (std::any_of(roots.begin(), roots.end(),
                    [&](const std::string& r) { return inside(target, r); }))
      return directory ? std::string() : name;
    return name + (directory ? "/" : "") + kOutsideMark;
  }

  /// Moves to the next file of this argument; false at its end.
  bool advance() {
    has_head = false;
    while (!stack.empty()) {
      Level& level = stack.back();
      if (level.next == level.keys.size()) {
        pop();
        continue;
      }
      std::string key = std::move(level.keys[level.next++]);  // walked: free its name
      if (key.back() == kOutsideMark) {
        key.pop_back();
        const bool to_directory = key.back() == '/';
        if (to_directory) key.pop_back();
        std::string p = join_path(level.dir, key);
        FileKind ignored;
        if (excluded_by(owner->excludes_, p) || (!to_directory && !classify(p, false, ignored)))
          continue;
        errors().push_back(walk_error(
            std::move(p),
            std::string("not followed: a symlink to ") + (to_directory ? "a directory" : "a file") +
                " outside the directories polc was given, so it was not checked (name its "
                "target as an argument to check it)",
            "symlink-outside"));
        continue;
      }
      const bool directory = key.back() == '/';
      const bool regular = key.back() == '\0';
      if (directory || regular) key.pop_back();
      std::string p = join_path(level.dir, key);
      if (directory) {
        if (key == ".git" || key == "node_modules" || excluded_by(owner->excludes_, p)) continue;
        // Relative to the open parent when there is one, else by path.
        if (level.fd >= 0)
          push_directory(p, level.fd, key.c_str(), false);  // invalidates `level`
        else
          push_directory(p, AT_FDCWD, p.c_str(), false);
        continue;
      }
      if (excluded_by(owner->excludes_, p) || !classify(p, false, head_kind)) continue;
      head = std::move(p);
      head_regular = regular;
      has_head = true;
      return true;
    }
    return false;
  }
};

FileWalker::FileWalker(const std::vector<std::string>& raw_paths, std::vector<std::string> excludes)
    : excludes_(std::move(excludes)) {
  // Each path is normalized once, here (`normalize_path_argument`); an argument naming the same
  // file or directory as an earlier one (`d`, `./d/`, `/abs/d`) is walked once.
  std::vector<std::string> paths;
  std::vector<std::pair<dev_t, ino_t>> seen;
  for (const std::string& raw : raw_paths) {
    std::string p = normalize_path_argument(raw);
    struct stat st;
    if (::stat(p.c_str(), &st) == 0) {
      const std::pair<dev_t, ino_t> id{st.st_dev, st.st_ino};
      if (std::find(seen.begin(), seen.end(), id) != seen.end()) continue;
      seen.push_back(id);
    } else if (std::find(paths.begin(), paths.end(), p) != paths.end()) {
      continue;
    }
    paths.push_back(std::move(p));
  }
  // The roots symlinks may lead into: each argument itself (a directory and what is below it,
  // or exactly a file), resolved.
  for (const std::string& p : paths) {
    std::string r = resolved(p);
    if (!r.empty() && std::find(roots_.begin(), roots_.end(), r) == roots_.end())
      roots_.push_back(std::move(r));
  }
  for (const auto& arg : paths) {
    std::error_code ec;
    auto st = fs::symlink_status(arg, ec);
    if (ec || !fs::exists(st)) {
      Diagnostic d;
      d.code = "no-such-file";
      d.location = Location::whole(arg);
      d.message = "no such file or directory";
      errors_.push_back(std::move(d));
      continue;
    }
    auto walk = std::make_unique<ArgWalk>();
    walk->owner = this;
    if (!fs::is_directory(fs::status(arg, ec))) {
      if (excluded_by(excludes_, arg) || !classify(arg, true, walk->head_kind)) continue;
      walk->head = arg;
      walk->has_head = true;
    } else {
      if (!walk->push_directory(arg, AT_FDCWD, arg.c_str(), true)) continue;
      walk->advance();
    }
    walks_.push_back(std::move(walk));
  }
}

FileWalker::~FileWalker() = default;

bool FileWalker::next(std::string& path, FileKind& kind) {
  ArgWalk* least = nullptr;
  for (auto& w : walks_)
    if (w->has_head && (!least || w->head < least->head)) least = w.get();
  if (!least) return false;
  path = least->head;
  kind = least->head_kind;
  listed_regular_ = least->head_regular;
  // The same path reached from several arguments is listed once.
  for (auto& w : walks_)
    if (w->has_head && w->head == path) w->advance();
  return true;
}

std::vector<Diagnostic> FileWalker::take_errors() {
  std::vector<Diagnostic> out = std::move(errors_);
  errors_.clear();
  return out;
}

DiscoveredFiles discover_files(const std::vector<std::string>& paths,
                               const std::vector<std::string>& excludes) {
  DiscoveredFiles out;
  FileWalker walker(paths, excludes);
  std::string path;
  FileKind kind;
  while (walker.next(path, kind)) {
    switch (kind) {
      case FileKind::kTemplate:
        out.templates.push_back(path);
        break;
      case FileKind::kPolicy:
        out.policies.push_back(path);
        break;
      case FileKind::kBundle:
        out.bundles.push_back(path);
        break;
      case FileKind::kTests:
        out.tests.push_back(path);
        break;
    }
  }
  out.errors = walker.take_errors();
  std::vector<std::string> normalized;
  for (const std::string& p : paths) normalized.push_back(normalize_path_argument(p));
  out.roots = resolve_roots(normalized);
  return out;
}

}  // namespace polc
