// Discovery: turning command-line paths into the sorted list of files to check.
//
// Directories are walked recursively without following directory symlinks (so a symlink loop
// cannot trap the walk); `.git` and `node_modules` are skipped; `--exclude` globs match the
// path as reached from the argument and every path suffix after a `/`. Files keep the path as
// reached from the argument (`dir/sub/t.yaml`). Not thread-safe; run once per scan.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/diagnostic.h"

namespace polc {

struct DiscoveredFiles {
  std::vector<std::string> templates;  // .yaml .yml .json .template, sorted, unique
  std::vector<std::string> policies;   // .polc sources, sorted, unique
  std::vector<std::string> bundles;    // .polcb compiled bundles
  std::vector<std::string> tests;      // *.tests.yaml policy test files (never templates)
  std::vector<Diagnostic> errors;      // a missing argument, an unreadable directory
  std::vector<std::string> roots;      // `resolve_roots` of the arguments: imports stay inside
};

/// What a discovered file is, by its name (or, for a file argument, by its content later).
enum class FileKind : std::uint8_t { kTemplate, kPolicy, kBundle, kTests };

/// Streams the files `discover_files` lists, in the same order (sorted by path, byte-wise, and
/// unique across the arguments), without holding the list: each argument is walked depth-first
/// with each directory's entries sorted (a directory `d` as `d/`, which is where its files fall
/// in the sorted list of paths), and the arguments' streams are merged. Memory is the entries of
/// the directories on the current path, not the number of files, so a scan of any size streams.
/// Problems are collected as they are met, each an error naming its path: a missing argument, a
/// directory that cannot be read (no permission, a path past PATH_MAX, EMFILE...), a symlink
/// that leads outside the roots.
///
/// Paths: each argument is normalized once (`normalize_path_argument`) and arguments naming the
/// same file or directory are walked once; files keep the path as reached from their argument.
///
/// Symlinks (docs/security.md): an argument is followed whatever it is (whoever runs polc named
/// it). Below a directory argument, a symlink is followed only when its target (resolved with
/// realpath(3)) lies inside one of the roots (the directories given, or is a file given), and
/// then only to a file: a symlink to a directory is never followed. A symlink
/// leading outside the roots is never opened, and when its name is one polc checks (or it leads
/// to a directory) it is a `symlink-outside` error: nothing outside what polc was given is read.
///
/// Linux only: each directory is opened relative to its parent's fd (openat with O_NOFOLLOW,
/// so a directory swapped for a symlink is not followed) and read with getdents64, whose entry
/// types spare a stat per entry (only a symlink, or an entry of unknown type, is stat'ed). A
/// parent's fd stays open while its subdirectories are walked, at most kMaxWalkDirFds at once
/// for the whole walker; past that budget directories are opened by path. Every fd is
/// close-on-exec and closed by the time the walk ends or the object is destroyed. Not
/// thread-safe; one walk per object.
class FileWalker {
 public:
  FileWalker(const std::vector<std::string>& paths, std::vector<std::string> excludes);
  ~FileWalker();
  FileWalker(const FileWalker&) = delete;
  FileWalker& operator=(const FileWalker&) = delete;

  /// Sets `path` and `kind` to the next file; false when the walk is over.
  bool next(std::string& path, FileKind& kind);
  /// True when the file `next` gave last was listed by its directory as a regular file
  /// (getdents64's d_type DT_REG: not a symlink, FIFO or device); false for a file argument,
  /// which may be anything (`/dev/stdin`, a FIFO, a symlink). The scanner reads only such
  /// files in batches (engine/load/batch_read.h).
  bool listed_regular() const { return listed_regular_; }
  /// The diagnostics met so far (missing arguments first), moved out.
  std::vector<Diagnostic> take_errors();

 private:
  struct ArgWalk;
  // Declared before walks_, which use them until destroyed.
  std::size_t dir_fds_ = 0;    // directory fds the walks keep open (at most kMaxWalkDirFds)
  std::vector<char> dirents_;  // getdents64 buffer shared by the walks
  std::vector<std::unique_ptr<ArgWalk>> walks_;
  std::vector<std::string> excludes_;
  std::vector<std::string> roots_;  // resolved directories symlinks may lead into
  std::vector<Diagnostic> errors_;
  bool listed_regular_ = false;
};

/// `path` with empty and `.` segments dropped and no trailing '/': "./a//b/" gives "a/b", "./"
/// gives ".". `..` segments are kept (lexically removing them would be wrong past a symlink).
std::string normalize_path_argument(const std::string& path);

/// The resolved (realpath) directories that `paths` name: a directory itself, a file's
/// directory; paths that do not exist are left out. The roots of symlinks and of imports.
std::vector<std::string> resolve_roots(const std::vector<std::string>& paths);

/// Walks `paths` (with `FileWalker`) and collects the files by kind. A file argument is taken
/// whatever its extension when it is a template or policy candidate by content; a directory
/// contributes files by extension.
DiscoveredFiles discover_files(const std::vector<std::string>& paths,
                               const std::vector<std::string>& excludes);


}  // namespace polc
