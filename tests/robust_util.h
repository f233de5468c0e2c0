// Helpers for the robustness and limits tests: a temporary directory, a compiled policy set
// (the built-in pack and/or policy text) and an in-process scan that aggregates outcomes into a
// `ScanResult` the way `polc check` does (cli/commands.cpp), so reports can be compared.
#pragma once
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "dsl/compiler.h"
#include "engine/scan/scanner.h"
#include "engine/triage/fingerprint.h"

namespace polc::test {

/// A fresh directory under the system temp dir, removed (recursively) on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("polc-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    // Restore permissions a test may have removed, so removal succeeds.
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  /// Writes `text` to `name` (relative) and returns the full path as a string.
  std::string write(const std::string& name, const std::string& text) const {
    auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

/// A compiled, frozen policy set with every policy active.
struct Pack {
  std::unique_ptr<PolicySet> set;
  std::vector<std::uint32_t> active;
  std::vector<PolicyInfo> known;
  std::string diagnostics;  // rendered compile diagnostics
};

/// Compiles `policy_text` (may be empty) plus, when `builtin`, the standard pack.
inline Pack make_pack(const std::string& policy_text, bool builtin) {
  Pack p;
  Diagnostics diags;
  if (!policy_text.empty() && !builtin) {
    p.set = compile_policy_text("test.polc", policy_text, diags);
  } else {
    std::vector<std::string> paths;
    static std::atomic<int> n{0};
    std::string file;
    if (!policy_text.empty()) {
      file = (std::filesystem::temp_directory_path() /
              ("polc-pack-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".polc"))
                 .string();
      std::ofstream(file, std::ios::binary) << policy_text;
      paths.push_back(file);
    }
    p.set = compile_policy_files(paths, builtin, diags);
    if (!file.empty()) std::filesystem::remove(file);
  }
  for (const auto& d : diags.items()) p.diagnostics += render_diagnostic(d);
  if (!p.set) return p;
  p.set->freeze();
  for (std::uint32_t i = 0; i < p.set->policies.size(); ++i) {
    p.active.push_back(i);
    p.known.push_back(p.set->policies[i].info);
  }
  return p;
}

/// Scans `files` with `pack` at `jobs` workers.
inline std::vector<FileOutcome> scan(const Pack& pack, const std::vector<std::string>& files,
                                     unsigned jobs = 1) {
  ScanOptions o;
  o.jobs = jobs;
  return scan_files(*pack.set, pack.active, pack.known, files, o);
}

/// Checks one template, written from `tmpl`, with `policy` alone (no standard pack) at one
/// worker: the outcome of that file.
inline FileOutcome scan_text(const std::string& policy, const std::string& tmpl) {
  TempDir dir("scan-text");
  std::string path = dir.write("t.yaml", tmpl);
  auto pack = make_pack(policy, false);
  INFO(pack.diagnostics);
  REQUIRE(pack.set);
  auto out = scan(pack, {path});
  REQUIRE(out.size() == 1);
  return std::move(out[0]);
}

/// Aggregates outcomes as `polc check` does (threshold: every severity), elapsed time zero.
inline ScanResult aggregate(const Pack& pack, std::vector<FileOutcome> outcomes) {
  ScanResult result;
  for (std::uint32_t i : pack.active) result.policies.push_back(pack.set->policies[i].info);
  for (auto& o : outcomes) {
    switch (o.status) {
      case FileOutcome::Status::kChecked:
        ++result.summary.templates_checked;
        break;
      case FileOutcome::Status::kSkipped:
        ++result.summary.files_skipped;
        break;
      case FileOutcome::Status::kFailed:
        ++result.summary.templates_failed;
        break;
    }
    if (o.incomplete) ++result.summary.incomplete;
    for (auto& d : o.diagnostics) result.errors.push_back(std::move(d));
    for (auto& f : o.findings) {
      f.fingerprint = compute_fingerprint(f.policy_id, normalize_report_path(f.location.file),
                                          f.resource, f.property_path);
      if (f.suppressed)
        ++result.summary.suppressed;
      else if (f.outcome == Outcome::kUnknown)
        ++result.summary.unknown;
      else
        ++result.summary.findings_by_severity[static_cast<int>(f.severity)];
      result.findings.push_back(std::move(f));
    }
  }
  std::stable_sort(result.findings.begin(), result.findings.end(), finding_less);
  result.scan_root = ".";
  return result;
}

/// The codes of `diags`, for messages.
inline std::string codes_of(const std::vector<Diagnostic>& diags) {
  std::string s;
  for (const auto& d : diags) s += d.code + " (" + d.message + ")\n";
  return s;
}

/// True when some diagnostic of `diags` has code `code`.
inline const Diagnostic* find_code(const std::vector<Diagnostic>& diags, const std::string& code) {
  for (const auto& d : diags)
    if (d.code == code) return &d;
  return nullptr;
}

/// A finding's conditions as text, one `{Name=T Other=F }` group per clause.
inline std::string conds(const Finding& f) {
  std::string s;
  for (const auto& c : f.conditions) {
    s += "{";
    for (const auto& t : c) s += t.name + "=" + (t.value ? "T" : "F") + " ";
    s += "}";
  }
  return s;
}

}  // namespace polc::test
