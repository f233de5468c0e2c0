// Discovery: turning command-line paths into the sorted list of files to check.
//
// Directories are walked recursively without following directory symlinks (so a symlink loop
// cannot trap the walk); `.git` and `node_modules` are skipped; `--exclude` globs match the
// path as reached from the argument and every path suffix after a `/`. Files keep the path as
// reached from the argument (`dir/sub/t.yaml`). Not thread-safe; run once per scan.
#pragma once
#include <string>
#include <vector>

#include "engine/diagnostic.h"

namespace polc {

struct DiscoveredFiles {
  std::vector<std::string> templates;  // .yaml .yml .json .template, sorted, unique
  std::vector<std::string> policies;   // .polc sources, sorted, unique
  std::vector<std::string> bundles;    // .polcb compiled bundles
  std::vector<std::string> tests;      // *.tests.yaml policy test files (never templates)
  std::vector<Diagnostic> errors;      // a missing argument, an unreadable directory
};

/// Walks `paths`. A file argument is taken whatever its extension when it is a template or
/// policy candidate by content; a directory contributes files by extension.
DiscoveredFiles discover_files(const std::vector<std::string>& paths, const std::vector<std::string>& excludes);

/// True when `path` matches glob `pattern` (`*` within a path segment, `**` across segments,
/// `?` one character), tried against the whole path and every suffix after a `/`.
bool path_matches_glob(const std::string& pattern, const std::string& path);

}  // namespace polc
