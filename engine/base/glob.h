#pragma once
// Path globs, shared by the scan's excludes (engine/scan/discovery) and the central waivers
// (engine/triage/waivers). Pure string matching: reads no file system.

#include <string>

namespace polc {

/// True when `path` matches glob `pattern` (`*` within a path segment, `**` across segments,
/// `?` one character), tried against the whole path and every suffix after a `/`. A leading
/// `./` of `path` is ignored. Thread-safe.
bool path_matches_glob(const std::string& pattern, const std::string& path);

}  // namespace polc
