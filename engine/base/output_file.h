// Files polc writes (`-o FORMAT=PATH` reports, `--write-baseline`, `polc compile -o`, `polc merge
// -o`) are replaced atomically: the bytes go to a temporary file in the same directory
// (`.NAME.polc-XXXXXX`, a name no directory walk takes for a template), which is flushed,
// fsync'ed and then renamed over PATH, and the directory is fsync'ed. A kill -9, a full disk or
// a failed write leaves the previous PATH whole (and at worst a temporary file behind); readers
// only ever see the old file or the new one. The new file keeps the mode of the one it replaces
// (a new one gets 0666 minus the umask). A PATH that is a symlink has the file it leads to
// replaced; a PATH that exists and is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO) is
// written to directly, never renamed over. Not thread-safe; one object per file.
#pragma once
#include <cstdio>
#include <string>
#include <string_view>

namespace polc {

class OutputFile {
 public:
  explicit OutputFile(std::string path) : path_(std::move(path)) {}
  ~OutputFile();  // removes the temporary file unless `commit` succeeded
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  /// Creates the temporary file; false with `error` set (e.g. the directory does not exist).
  bool open(std::string& error);
  /// The temporary file, open for writing after `open`.
  std::FILE* file() const { return file_; }
  /// Flushes, fsyncs and renames the temporary file over the path; false with `error` set when
  /// any write failed (`write_failed`) or any step does, and then the path is left as it was.
  bool commit(bool write_failed, std::string& error);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string target_;  // the file replaced: `path_` resolved through symlinks
  std::string temp_;
  bool direct_ = false;  // `path_` is not a regular file: written in place
  std::FILE* file_ = nullptr;
};

/// Writes `bytes` to `path` atomically (as `OutputFile`); false with `error` set on failure.
bool write_file_atomically(const std::string& path, std::string_view bytes, std::string& error);

}  // namespace polc
