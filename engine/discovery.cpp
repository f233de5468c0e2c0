#include "engine/discovery.h"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <set>

namespace polc {
namespace {

namespace fs = std::filesystem;

bool has_ext(const std::string& name, std::initializer_list<const char*> exts) {
  for (const char* e : exts) {
    std::string_view ext(e);
    if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0) return true;
  }
  return false;
}

bool is_template_name(const std::string& n) { return has_ext(n, {".yaml", ".yml", ".json", ".template"}); }

}  // namespace

bool path_matches_glob(const std::string& pattern, const std::string& path) {
  std::string p = path;
  if (p.starts_with("./")) p = p.substr(2);
  auto try_match = [&](const std::string& candidate) {
    // FNM_PATHNAME keeps `*` inside one segment; `**` is handled by matching without it.
    if (pattern.find("**") != std::string::npos) return fnmatch(pattern.c_str(), candidate.c_str(), 0) == 0;
    return fnmatch(pattern.c_str(), candidate.c_str(), FNM_PATHNAME) == 0;
  };
  if (try_match(p)) return true;
  for (std::size_t i = 0; i < p.size(); ++i)
    if (p[i] == '/' && try_match(p.substr(i + 1))) return true;
  return false;
}

DiscoveredFiles discover_files(const std::vector<std::string>& paths, const std::vector<std::string>& excludes) {
  DiscoveredFiles out;
  std::set<std::string> templates, policies, bundles, tests;
  auto excluded = [&](const std::string& p) {
    for (const auto& g : excludes)
      if (path_matches_glob(g, p)) return true;
    return false;
  };
  auto classify = [&](const std::string& p, bool explicit_arg) {
    if (excluded(p)) return;
    if (has_ext(p, {".polc"})) policies.insert(p);
    else if (has_ext(p, {".tests.yaml", ".tests.yml"})) tests.insert(p);
    else if (has_ext(p, {".polcb", ".bundle"})) bundles.insert(p);
    else if (is_template_name(p) || explicit_arg) templates.insert(p);
  };
  for (const auto& arg : paths) {
    std::error_code ec;
    auto st = fs::symlink_status(arg, ec);
    if (ec || !fs::exists(st)) {
      Diagnostic d;
      d.code = "no-such-file";
      d.location = Location::whole(arg);
      d.message = "no such file or directory";
      out.errors.push_back(std::move(d));
      continue;
    }
    auto target = fs::status(arg, ec);
    if (!fs::is_directory(target)) {
      classify(arg, true);
      continue;
    }
    fs::recursive_directory_iterator it(arg, fs::directory_options::skip_permission_denied, ec), end;
    if (ec) {
      Diagnostic d;
      d.code = "unreadable";
      d.location = Location::whole(arg);
      d.message = "cannot read directory: " + ec.message();
      out.errors.push_back(std::move(d));
      continue;
    }
    while (it != end) {
      const fs::directory_entry& e = *it;
      std::string name = e.path().filename().string();
      std::error_code sec;
      bool is_dir = e.is_directory(sec) && !e.is_symlink(sec);
      if (is_dir && (name == ".git" || name == "node_modules" || excluded(e.path().string()))) {
        it.disable_recursion_pending();
      } else if (!is_dir) {
        std::string p = e.path().string();
        // Symlinks to directories are not followed; anything else with a template or policy
        // extension is a candidate (FIFOs and devices are rejected when loading, without blocking).
        if (!(e.is_symlink(sec) && fs::is_directory(e.path(), sec))) classify(p, false);
      }
      it.increment(ec);
      if (ec) {
        Diagnostic d;
        d.code = "unreadable";
        d.location = Location::whole(e.path().string());
        d.message = "cannot read directory entry: " + ec.message();
        d.severity = DiagSeverity::kWarning;
        out.errors.push_back(std::move(d));
        ec.clear();
      }
    }
  }
  out.templates.assign(templates.begin(), templates.end());
  out.policies.assign(policies.begin(), policies.end());
  out.bundles.assign(bundles.begin(), bundles.end());
  out.tests.assign(tests.begin(), tests.end());
  return out;
}

}  // namespace polc
