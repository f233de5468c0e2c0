#include "engine/discovery.h"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>

namespace polc {
namespace {

namespace fs = std::filesystem;

bool has_ext(const std::string& name, std::initializer_list<const char*> exts) {
  for (const char* e : exts) {
    std::string_view ext(e);
    if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0)
      return true;
  }
  return false;
}

bool is_template_name(const std::string& n) {
  return has_ext(n, {".yaml", ".yml", ".json", ".template"});
}

}  // namespace

bool path_matches_glob(const std::string& pattern, const std::string& path) {
  std::string p = path;
  if (p.starts_with("./")) p = p.substr(2);
  auto try_match = [&](const std::string& candidate) {
    // FNM_PATHNAME keeps `*` inside one segment; `**` is handled by matching without it.
    if (pattern.find("**") != std::string::npos)
      return fnmatch(pattern.c_str(), candidate.c_str(), 0) == 0;
    return fnmatch(pattern.c_str(), candidate.c_str(), FNM_PATHNAME) == 0;
  };
  if (try_match(p)) return true;
  for (std::size_t i = 0; i < p.size(); ++i)
    if (p[i] == '/' && try_match(p.substr(i + 1))) return true;
  return false;
}

namespace {

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

Diagnostic walk_error(std::string path, std::string message, DiagSeverity severity) {
  Diagnostic d;
  d.severity = severity;
  d.code = "unreadable";
  d.location = Location::whole(std::move(path));
  d.message = std::move(message);
  return d;
}

}  // namespace

/// One argument's depth-first walk. `head` holds the next file of the stream.
struct FileWalker::ArgWalk {
  /// One directory being walked: its entries' names, sorted, a directory's with '/' appended
  /// (its sort key: where its files fall among the sorted paths). Only names are kept; paths
  /// are built when an entry is reached.
  struct Level {
    fs::path dir;
    std::vector<std::string> keys;
    std::size_t next = 0;
  };

  const std::vector<std::string>* excludes = nullptr;
  std::vector<Diagnostic>* errors = nullptr;
  std::vector<Level> stack;
  bool has_head = false;
  std::string head;
  FileKind head_kind = FileKind::kTemplate;

  /// Lists `dir` sorted; false when it cannot be opened.
  bool push_directory(const fs::path& dir, bool top) {
    std::error_code ec;
    fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
    if (ec) {
      errors->push_back(walk_error(dir.string(), "cannot read directory: " + ec.message(),
                                   top ? DiagSeverity::kError : DiagSeverity::kWarning));
      return false;
    }
    Level level;
    level.dir = dir;
    while (it != end) {
      const fs::directory_entry& e = *it;
      std::error_code sec;
      const bool symlink = e.is_symlink(sec);
      std::string key = e.path().filename().string();
      // Symlinks to directories are not followed (a loop cannot trap the walk) nor listed;
      // anything else is a candidate (FIFOs and devices are rejected when loading, without
      // blocking).
      if (!symlink && e.is_directory(sec)) {
        key += '/';
        level.keys.push_back(std::move(key));
      } else if (!(symlink && fs::is_directory(e.path(), sec))) {
        level.keys.push_back(std::move(key));
      }
      it.increment(ec);
      if (ec) {
        errors->push_back(walk_error(e.path().string(),
                                     "cannot read directory entry: " + ec.message(),
                                     DiagSeverity::kWarning));
        break;
      }
    }
    std::sort(level.keys.begin(), level.keys.end());
    level.keys.shrink_to_fit();
    stack.push_back(std::move(level));
    return true;
  }

  /// Moves to the next file of this argument; false at its end.
  bool advance() {
    has_head = false;
    while (!stack.empty()) {
      Level& level = stack.back();
      if (level.next == level.keys.size()) {
        stack.pop_back();
        continue;
      }
      std::string& key = level.keys[level.next++];
      const bool directory = key.back() == '/';
      if (directory) key.pop_back();
      const fs::path path = level.dir / key;
      std::string().swap(key);  // walked: free its name
      std::string p = path.string();
      if (directory) {
        if (path.filename() == ".git" || path.filename() == "node_modules" ||
            excluded_by(*excludes, p))
          continue;
        push_directory(path, false);  // invalidates `level`
        continue;
      }
      if (excluded_by(*excludes, p) || !classify(p, false, head_kind)) continue;
      head = std::move(p);
      has_head = true;
      return true;
    }
    return false;
  }
};

FileWalker::FileWalker(const std::vector<std::string>& paths, std::vector<std::string> excludes)
    : excludes_(std::move(excludes)) {
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
    walk->excludes = &excludes_;
    walk->errors = &errors_;
    if (!fs::is_directory(fs::status(arg, ec))) {
      if (excluded_by(excludes_, arg) || !classify(arg, true, walk->head_kind)) continue;
      walk->head = arg;
      walk->has_head = true;
    } else {
      if (!walk->push_directory(arg, true)) continue;
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
  return out;
}

}  // namespace polc
