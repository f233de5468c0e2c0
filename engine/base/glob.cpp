#include "engine/base/glob.h"

#include <fnmatch.h>

namespace polc {

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

}  // namespace polc
