// What `polc check`, `polc config` and `polc list` share: the effective configuration (file
// plus flags), the walk over the scan arguments, the run's policies and their validation.
// Internal to cli/.
#pragma once
#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "engine/base/diagnostic.h"
#include "engine/base/scan_result.h"
#include "engine/config/config.h"
#include "engine/program/bytecode.h"
#include "engine/report/report.h"
#include "engine/scan/cache.h"
#include "engine/scan/shard.h"
#include "engine/schema/schema.h"
#include "engine/triage/fingerprint.h"
#include "engine/triage/waivers.h"

namespace polc::cli {

/// Which discovered templates this run checks: not the cache's own files (`DIR/v2/` of
/// `--cache DIR`: a cache kept inside the scanned tree, even at its root, must not be scanned,
/// and nothing else of DIR is left out), not the files this run writes (`--output`,
/// `--write-baseline`: they are remembered in `outputs_found`, and `refuse_inputs_as_outputs`
/// decides), and only those of this run's shard. Not thread-safe (it remembers the last
/// directory); the walk calls it from one thread at a time.
class TemplateFilter {
 public:
  TemplateFilter(const std::string& cache_dir, const std::vector<std::string>& outputs,
                 const ShardSpec& shard)
      : shard_(shard) {
    std::error_code ec;
    cwd_ = std::filesystem::current_path(ec);
    if (ec) return;  // no working directory: nothing to compare against
    if (!cache_dir.empty()) cache_root_ = (absolute(cache_files_dir(cache_dir)) / "").string();
    for (const std::string& o : outputs) outputs_.push_back(absolute(o).string());
  }

  bool operator()(const std::string& path) const { return in_run(path) && in_shard(path); }

  /// True when `path` is this run's shard (always without `--shard`).
  bool in_shard(const std::string& path) const {
    return !shard_.active() || shard_of(normalize_report_path(path), shard_.count) == shard_.index;
  }

  /// True when `path` is a template of the run, whatever its shard: not in the cache directory,
  /// not a report file (a report file found is remembered in `outputs_found`).
  bool in_run(const std::string& path) const {
    if (cache_root_.empty() && outputs_.empty()) return true;
    const std::string p = absolute_text(path);
    if (!cache_root_.empty() && p.compare(0, cache_root_.size(), cache_root_) == 0) return false;
    if (std::find(outputs_.begin(), outputs_.end(), p) != outputs_.end()) {
      if (std::find(outputs_found.begin(), outputs_found.end(), path) == outputs_found.end())
        outputs_found.push_back(path);
      return false;
    }
    return true;
  }

  /// The discovered templates that are files this run writes, as the walk named them.
  mutable std::vector<std::string> outputs_found;

 private:
  /// Lexical: the working directory is read once, so there is no system call per file.
  std::filesystem::path absolute(const std::string& path) const {
    const std::filesystem::path p(path);
    return (p.is_absolute() ? p : cwd_ / p).lexically_normal();
  }

  /// `absolute(path).string()`, with the directory part normalized once per directory rather
  /// than once per file: the walk gives a directory's files one after another, each a plain
  /// name (never `.` or `..`) after the directory as reached from the argument.
  std::string absolute_text(const std::string& path) const {
    const std::size_t slash = path.rfind('/');
    const std::string_view name = slash == std::string::npos
                                      ? std::string_view(path)
                                      : std::string_view(path).substr(slash + 1);
    if (slash == std::string::npos || slash == 0 || name.empty() || name == "." || name == "..")
      return absolute(path).string();
    const std::string_view dir = std::string_view(path).substr(0, slash);
    if (dir != last_dir_) {
      last_dir_.assign(dir);
      last_dir_absolute_ = (absolute(last_dir_) / "").string();
    }
    std::string p = last_dir_absolute_;
    p += name;
    return p;
  }

  std::filesystem::path cwd_;
  ShardSpec shard_;
  std::string cache_root_;
  std::vector<std::string> outputs_;
  // The directory of the last path `absolute_text` saw, and its absolute form ending in '/'.
  // Called by one thread at a time (the walk), like the whole filter.
  mutable std::string last_dir_, last_dir_absolute_;
};

/// What the first walk over the scan arguments finds: policies, bundles, problems, how many
/// templates the run will check, and the templates' paths themselves while they fit in
/// `kMaxBufferedPathBytes` (then the scan needs no second walk; past it they are streamed by a
/// second walk, so memory stays bounded).
struct ScanInputs {
  std::vector<std::string> policies;
  std::vector<std::string> bundles;
  std::vector<Diagnostic> errors;
  std::size_t templates = 0;      // this shard's
  std::size_t run_templates = 0;  // every shard's (the link index reads them all)
  /// A template path and `FileWalker::listed_regular` for it.
  struct Template {
    std::string path;
    bool regular = false;
    bool selected = true;  // this shard's (the others are kept for the link index)
  };
  std::vector<Template> template_paths;  // all of them when `all_buffered`
  bool all_buffered = true;
};

/// Checks the policy inputs before they are compiled (false: refused, already printed).
using PolicyInputCheck = std::function<bool(const std::vector<std::string>& policy_paths,
                                            const std::vector<std::string>& bundles)>;

/// True when the selector `sel` is the policy's id or name.
bool matches_policy(const PolicyInfo& p, const std::string& sel);

/// The configuration file overlaid with the flags, waivers loaded; prints, false on errors.
bool effective_config(const CheckArgs& a, Config& out, bool color);

/// Splits the configured outputs into the stdout format and the report files.
bool resolve_outputs(const Config& cfg, ReportFormat& format,
                     std::vector<std::pair<ReportFormat, std::string>>& files);

/// The first walk over the scan arguments: policies, bundles, problems and the selected templates.
ScanInputs find_scan_inputs(const std::vector<std::string>& paths,
                            const std::vector<std::string>& excludes,
                            const TemplateFilter& selected);

/// The policies of a run, compiled (or one bundle loaded); prints problems, nullptr on errors.
std::unique_ptr<PolicySet> load_run_policies(const CheckArgs& args, const Config& cfg,
                                             const std::vector<std::string>& found_policies,
                                             const std::vector<std::string>& found_bundles,
                                             const std::vector<std::string>& scan_paths,
                                             schema::SchemaSet& schemas, bool color,
                                             const PolicyInputCheck& check_inputs = {});

/// Checks `POLC_TODAY` and `--shard` (and `--write-baseline`); prints, false on errors.
bool check_run_settings(const CheckArgs& args, CivilDate& today, ShardSpec& shard);

/// Validates selectors, severity overrides and parameters; prints, false on errors.
bool validate_config(const Config& cfg, PolicySet& set, bool color);

}  // namespace polc::cli
