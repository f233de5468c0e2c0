// `polc check`: the configuration (file plus flags), the scan, then the
// post-processing chain every finding goes through, in this order: severity overrides, inline
// suppressions (done by the scanner), central waivers, the baseline, the display threshold.
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>

#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/run_setup.h"
#include "engine/base/glob.h"
#include "engine/base/limits.h"
#include "engine/base/output_file.h"
#include "engine/config/config.h"
#include "engine/config/selection.h"
#include "engine/load/loader.h"
#include "engine/load/stack_links.h"
#include "engine/program/bundle.h"
#include "engine/report/report.h"
#include "engine/scan/cache.h"
#include "engine/scan/discovery.h"
#include "engine/scan/scanner.h"
#include "engine/scan/shard.h"
#include "engine/schema/schema.h"
#include "engine/triage/baseline.h"
#include "engine/triage/exit_codes.h"
#include "engine/triage/fingerprint.h"
#include "engine/triage/waivers.h"
#include "engine/vm/condition_model.h"

namespace polc::cli {
namespace fs = std::filesystem;
namespace {

bool location_less(const Diagnostic& a, const Diagnostic& b) {
  return std::tie(a.location.file, a.location.line, a.location.column) <
         std::tie(b.location.file, b.location.line, b.location.column);
}

bool write_file(const std::string& path, const std::string& text, const char* what) {
  std::string error;
  if (!write_file_atomically(path, text, error)) {
    std::cerr << "polc: cannot write the " << what << " to " << path << " (" << error
              << "); the previous file, if any, is unchanged\n";
    return false;
  }
  return true;
}

/// Buffer of a report stream that is not a terminal (bytes). A report is written a file's
/// findings at a time (about 6 KB in a JSON report with the whole pack), which the default
/// buffer of 4 KB passes on as one write each: 4,700 system calls for the corpus's 27 MB report,
/// about 430 with this buffer. A terminal keeps its line buffering.
constexpr std::size_t kReportStreamBufferBytes = 64u << 10;

/// Gives `file` (before its first write) the kReportStreamBufferBytes at `buffer` unless it is a
/// terminal. (glibc ignores the size when the buffer is left to it.) `buffer` must outlive the
/// stream's last write and close.
void buffer_report_stream(std::FILE* file, char* buffer) {
  if (file && isatty(fileno(file)) == 0)
    std::setvbuf(file, buffer, _IOFBF, kReportStreamBufferBytes);
}

/// Standard output for reports: clears the progress bar's line before each write.
class ProgressAwareSink final : public FileSink {
 public:
  ProgressAwareSink(std::FILE* file, ProgressBar& progress) : FileSink(file), progress_(progress) {}
  void write(std::string_view bytes) override {
    progress_.finish();
    FileSink::write(bytes);
  }

 private:
  ProgressBar& progress_;
};

/// A report file (`--output FORMAT=PATH`), opened before the scan and written while it runs,
/// into a temporary file that replaces PATH only when the report is whole (engine/base/output_file.h).
class ReportFile {
 public:
  explicit ReportFile(std::string path) : out_(std::move(path)) {}
  bool open() {
    std::string error;
    if (!out_.open(error)) return fail(error);
    buffer_report_stream(out_.file(), buffer_.get());
    sink_ = std::make_unique<FileSink>(out_.file());
    return true;
  }
  FileSink& sink() { return *sink_; }
  /// Replaces the path with the report; false (with a message) when any write failed, and then
  /// the previous file is left as it was.
  bool close() {
    std::string error;
    return out_.commit(!sink_->ok(), error) || fail(error);
  }

 private:
  bool fail(const std::string& error) const {
    std::cerr << "polc: cannot write the report to " << out_.path() << " (" << error
              << "); check that its directory exists and is writable (the previous file, if "
                 "any, is unchanged)\n";
    return false;
  }
  // Declared before `out_`, so it outlives the file's close in `out_`'s destructor.
  std::unique_ptr<char[]> buffer_ = std::make_unique<char[]>(kReportStreamBufferBytes);
  OutputFile out_;
  std::unique_ptr<FileSink> sink_;
};

/// True when `a` and `b` are the same existing file (device and inode, so whatever the
/// spelling, through symlinks and hard links).
bool same_file(const struct stat& a, const std::string& b) {
  struct stat sb;
  return ::stat(b.c_str(), &sb) == 0 && sb.st_dev == a.st_dev && sb.st_ino == a.st_ino;
}

/// A report or baseline this run writes never replaces one of its inputs (D13): a template or
/// policy named on the command line or found by the walk, a bundle, a waiver file, the
/// baseline it reads (for a report; `--write-baseline` may update `--baseline`). A file of the
/// scanned tree that the run would write over (`found`: the walk's templates at an output
/// path) may be replaced only when it is not a CloudFormation template: the previous report.
/// Prints why and returns false otherwise; nothing was written yet.
bool outputs_spare_inputs(const std::vector<std::pair<std::string, bool>>& outputs,
                          const std::vector<std::string>& scan_paths,
                          const std::vector<std::string>& policy_paths,
                          const std::vector<std::string>& bundles, const Config& cfg,
                          const std::vector<std::string>& found) {
  for (const auto& [out, is_baseline] : outputs) {
    struct stat so;
    if (::stat(out.c_str(), &so) != 0) continue;  // not there: it cannot be an input
    std::vector<std::pair<const std::string*, const char*>> inputs;
    for (const auto& p : scan_paths) inputs.push_back({&p, "a template or policy argument"});
    for (const auto& p : policy_paths) inputs.push_back({&p, "a policy"});
    for (const auto& p : bundles) inputs.push_back({&p, "a policy bundle"});
    for (const auto& p : cfg.waiver_files) inputs.push_back({&p, "a waiver file"});
    if (!is_baseline && !cfg.baseline.empty()) inputs.push_back({&cfg.baseline, "the baseline"});
    for (const auto& [in, what] : inputs)
      if (same_file(so, *in)) {
        std::cerr << "polc: refusing to write " << (is_baseline ? "the baseline" : "a report")
                  << " to " << out << ": it is " << what << " of this run (" << *in
                  << "); choose another path\n";
        return false;
      }
    for (const std::string& t : found) {
      if (!same_file(so, t)) continue;
      const LoadResult lr = load_template_file(t);
      if (lr.status == LoadStatus::kNotTemplate) continue;  // e.g. the previous report
      std::cerr << "polc: refusing to write " << (is_baseline ? "the baseline" : "a report")
                << " to " << out << ": it is "
                << (lr.status == LoadStatus::kTemplate ? "a CloudFormation template"
                                                       : "a file that may be a template")
                << " in the scanned tree; choose another path\n";
      return false;
    }
  }
  return true;
}

/// Opens the `--cache` directory for this run's policy set and options; prints why not and
/// returns nullptr on failure.
std::unique_ptr<DiskCache> open_cache(const CheckArgs& args, const PolicySet& set,
                                      const std::vector<PolicyInfo>& active,
                                      const SuppressionOptions& suppressions, const std::string& schemas_digest) {
  const std::uint64_t max_mb = args.cache_max_mb ? args.cache_max_mb : kDefaultCacheMaxMb;
  if (max_mb > (std::uint64_t{1} << 40)) {
    std::cerr << "polc: --cache-max-mb " << max_mb << " is too large; give a size in MiB\n";
    return nullptr;
  }
  std::vector<std::string> ids;
  for (const PolicyInfo& p : active) ids.push_back(p.id);
  // --check-properties adds outcomes: a cache kept without it must not answer a run with it.
  if (args.check_properties) ids.push_back("--check-properties " + schemas_digest);
  std::string error, key, key_source;
  if (!load_cache_key(args.cache_dir, key, key_source, error)) {
    std::cerr << "polc: --cache: " << error << "\n";
    return nullptr;
  }
  auto cache = DiskCache::open(args.cache_dir, cache_context(save_bundle(set), ids, suppressions),
                               max_mb << 20, key, error);
  if (!cache) std::cerr << "polc: " << error << "\n";
  return cache;
}

/// After the scan: prints the cache's warnings and statistics, then trims it to its bound.
void finish_cache(DiskCache& cache, const CheckArgs& args, bool color) {
  print_diagnostics(cache.take_warnings(), color);
  cache.evict();
  if (!args.quiet)
    std::cerr << "polc: cache " << args.cache_dir << ": " << cache.hits() << " hit"
              << (cache.hits() == 1 ? "" : "s") << ", " << cache.misses() << " miss"
              << (cache.misses() == 1 ? "" : "es") << "\n";
}

}  // namespace

int run_check(const CheckArgs& args) {
  auto start = std::chrono::steady_clock::now();
  // Nothing is written to standard output before the report. A plain array: no destructor, so
  // it outlives the flush at exit.
  static char stdout_buffer[kReportStreamBufferBytes];
  buffer_report_stream(stdout, stdout_buffer);
  bool color_err = use_color(args.no_color, 2, args.color);
  Config cfg;
  if (!effective_config(args, cfg, color_err)) return kExitUsageOrPolicyError;
  ReportFormat format;
  std::vector<std::pair<ReportFormat, std::string>> extra_outputs;
  if (!resolve_outputs(cfg, format, extra_outputs)) return kExitUsageOrPolicyError;
  const Severity threshold = cfg.severity.value_or(Severity::kLow);
  const Severity fail_threshold = cfg.fail_threshold.value_or(threshold);
  CivilDate today;
  ShardSpec shard;
  if (!check_run_settings(args, today, shard)) return kExitUsageOrPolicyError;

  std::vector<std::string> scan_paths = args.paths;
  if (scan_paths.empty()) scan_paths.push_back(".");
  // Templates are streamed (a second walk feeds the scanner); this first walk finds the
  // policies among the arguments and counts the templates for the progress bar.
  std::vector<std::string> written;  // report and baseline files: not templates of this run
  std::vector<std::pair<std::string, bool>> outputs;  // the same, and whether the baseline
  for (const OutputSpec& o : cfg.outputs)
    if (!o.path.empty()) {
      written.push_back(o.path);
      outputs.push_back({o.path, false});
    }
  if (!args.write_baseline.empty()) {
    written.push_back(args.write_baseline);
    outputs.push_back({args.write_baseline, true});
  }
  TemplateFilter selected(args.cache_dir, written, shard);
  ScanInputs files = find_scan_inputs(scan_paths, cfg.exclude, selected);
  // The resource schemas: the embedded table plus `.polc.yaml` `schemas:` overlays; they outlive
  // the scan (--check-properties reads them).
  schema::SchemaSet schemas;
  std::unique_ptr<PolicySet> set = load_run_policies(
      args, cfg, files.policies, files.bundles, scan_paths, schemas, color_err,
      [&](const std::vector<std::string>& policy_paths, const std::vector<std::string>& bundles) {
        return outputs_spare_inputs(outputs, scan_paths, policy_paths, bundles, cfg,
                                    selected.outputs_found);
      });
  if (!set) return kExitUsageOrPolicyError;
  bool usage_error = false;
  for (const auto& e : files.errors)
    if (e.code == "no-such-file") usage_error = true;
  std::vector<PolicyInfo> known;
  for (const auto& p : set->policies) known.push_back(p.info);
  if (!validate_config(cfg, *set, color_err)) return kExitUsageOrPolicyError;
  // `--pseudo-parameter NAME=VALUE`: a global slot named after the pseudo parameter, which the
  // VM reads before its defaults (part of the bundle bytes, so of the cache key too).
  for (const std::string& pp : args.pseudo_parameters) {
    std::size_t eq = pp.find('=');
    std::string name = pp.substr(0, eq);
    if (eq == std::string::npos || !is_pseudo_parameter(name) || name == "AWS::NoValue") {
      std::cerr << "polc: --pseudo-parameter takes NAME=VALUE with NAME a pseudo parameter "
                   "(AWS::Partition, "
                   "AWS::URLSuffix, AWS::Region, ...), not '"
                << pp << "'\n";
      return kExitUsageOrPolicyError;
    }
    Constant value;
    value.kind = VKind::kString;
    value.text = pp.substr(eq + 1);
    auto slot = std::find_if(set->globals.begin(), set->globals.end(),
                             [&](const GlobalSlot& g) { return g.name == name; });
    if (slot != set->globals.end())
      slot->value = std::move(value);
    else
      set->globals.push_back({name, std::move(value)});
  }
  // `policies`: the active set the reports list. `evaluated`: those the VM runs, i.e. without
  // the policies all of whose findings would be hidden by the display threshold (their findings
  // could change nothing: not the report, not the exit code), except when writing a baseline,
  // which records hidden findings too, and with `--cache`, whose entries serve any threshold.
  std::vector<std::uint32_t> evaluated;
  std::vector<PolicyInfo> policies;  // the active ones, with severity overrides
  std::vector<PolicyInfo> evaluated_infos;
  // Policy id -> the severity `severity_overrides` gives all its findings (looked up per
  // finding, so resolved here once).
  std::unordered_map<std::string, Severity> override_of;
  for (std::uint32_t i = 0; i < set->policies.size(); ++i) {
    PolicyInfo p = set->policies[i].info;
    if (!policy_selected(p, cfg.enable, cfg.disable)) continue;
    for (const SeverityOverride& o : cfg.severity_overrides)
      if (matches_policy(p, o.policy)) override_of[p.id] = o.severity;  // the last one wins
    Severity most_severe = p.severity;  // of anything it can report, after overrides
    if (auto it = override_of.find(p.id); it != override_of.end()) {
      p.severity = most_severe = it->second;
    } else {
      for (const ReportSite& site : set->policies[i].report_sites)
        if (site.has_severity && static_cast<int>(site.severity) < static_cast<int>(most_severe))
          most_severe = site.severity;
    }
    const bool hidden = static_cast<int>(most_severe) > static_cast<int>(threshold);
    if (!hidden || !args.write_baseline.empty() || !args.cache_dir.empty()) {
      evaluated.push_back(i);
      evaluated_infos.push_back(p);
    }
    policies.push_back(std::move(p));
  }
  set->freeze();

  Baseline baseline;
  if (!cfg.baseline.empty()) {
    Diagnostics bd;
    if (!load_baseline(cfg.baseline, baseline, bd)) {
      print_diagnostics(bd.items(), color_err);
      return kExitUsageOrPolicyError;
    }
  }

  // Parameter values: files first, then --parameter, then pseudo parameters.
  DeploymentValues values;
  bool has_values = false;
  {
    Diagnostics vd;
    for (const std::string& f : args.parameter_files) has_values |= read_parameter_file(f, values, vd);
    auto pair = [&](const std::string& kv, const char* flag, bool pseudo) {
      auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0 || (pseudo && !is_pseudo_parameter(kv.substr(0, eq)))) {
        vd.error("usage", Location{}, std::string(flag) + " " + kv + ": expected " +
                                          (pseudo ? "AWS::NAME=VALUE with a pseudo parameter" : "KEY=VALUE"));
        return;
      }
      values.values[kv.substr(0, eq)] = kv.substr(eq + 1);
      values.origin[kv.substr(0, eq)] = flag;
      has_values = true;
    };
    for (const std::string& kv : args.parameters) pair(kv, "--parameter", false);
    for (const std::string& kv : args.pseudo_parameters) pair(kv, "--pseudo-parameter", true);
    if (!args.region.empty()) pair("AWS::Region=" + args.region, "--region", true);
    if (!args.account.empty()) pair("AWS::AccountId=" + args.account, "--account", true);
    if (vd.has_errors()) {
      print_diagnostics(vd.items(), color_err);
      return kExitUsageOrPolicyError;
    }
  }

  // Deployments (`deployments:`): each template named by one is checked once per deployment,
  // with the deployment's values (files, then parameters, region and account), then the
  // command line's values on top.
  std::map<std::string, std::vector<DeploymentValues>> deployments;
  {
    Diagnostics dd;
    const fs::path root = cfg.path.empty() ? fs::path(".") : fs::path(cfg.path).parent_path();
    for (const DeploymentSpec& spec : cfg.deployments) {
      DeploymentValues dv;
      dv.name = spec.name;
      std::string template_path = spec.template_path;
      if (!spec.deployment_file.empty()) {
        std::string named;
        if (!read_parameter_file(spec.deployment_file, dv, dd, &named)) continue;
        if (named.empty()) {
          dd.error("deployment", spec.location,
                   "deployment " + spec.name + ": " + spec.deployment_file +
                       " names no template (template-file-path)");
          continue;
        }
        template_path = (root / named).lexically_normal().generic_string();
      }
      for (const std::string& f : spec.parameter_files) read_parameter_file(f, dv, dd);
      for (const auto& [k, v] : spec.parameters) {
        dv.values[k] = v;
        dv.origin[k] = cfg.path;
      }
      if (!spec.region.empty()) {
        dv.values["AWS::Region"] = spec.region;
        dv.origin["AWS::Region"] = cfg.path;
      }
      if (!spec.account.empty()) {
        dv.values["AWS::AccountId"] = spec.account;
        dv.origin["AWS::AccountId"] = cfg.path;
      }
      if (has_values)
        for (const auto& [k, v] : values.values) {
          dv.values[k] = v;
          dv.origin[k] = values.origin[k];
        }
      deployments[deployment_key(template_path)].push_back(std::move(dv));
    }
    if (dd.has_errors()) {
      print_diagnostics(dd.items(), color_err);
      return kExitUsageOrPolicyError;
    }
  }

  ScanOptions options;
  if (has_values) options.deployment = &values;
  if (!deployments.empty()) options.deployments = &deployments;
  // Never more workers than templates (nor than kMaxWorkers).
  options.jobs = worker_count(args.jobs, files.templates);
  if (args.check_properties) options.check_properties = &schemas;
  options.suppressions.inline_suppressions = cfg.inline_suppressions.value_or(true);
  options.suppressions.foreign = cfg.honor_foreign_suppressions.value_or(false);
  std::unique_ptr<DiskCache> cache;
  if (!args.cache_dir.empty()) {
    cache = open_cache(args, *set, evaluated_infos, options.suppressions, schemas.overlay_digest());
    if (!cache) return kExitUsageOrPolicyError;
    options.cache = cache.get();
  }

  // The reports are written while the scan runs (engine/report/report.h), each file's findings as
  // soon as the files before it are done, so memory does not grow with the number of files.
  ProgressBar progress(!args.quiet && stderr_is_interactive());
  ReportOptions ro;
  ro.color = (format == ReportFormat::kText || format == ReportFormat::kCompact) &&
             use_color(args.no_color, 1, args.color);
  ro.show_suppressed = args.show_suppressed;
  ro.verbose = args.verbose;
  ro.show_aliases = args.show_aliases;
  ro.tool_version = POLC_VERSION;
  ro.pack_version = POLC_VERSION;
  ReportFrame frame;
  frame.policies = policies;
  frame.scan_root = ".";
  if (shard.active()) {
    frame.shard.index = shard.index;
    frame.shard.count = shard.count;
    frame.shard.fail_threshold = fail_threshold;
    frame.shard.fail_on_unknown = cfg.fail_on_unknown.value_or(true);
    // What decides a shard's findings besides its files: `polc merge` refuses shards that
    // differ in it (issue 14, D11).
    std::string run = std::string(severity_name(threshold)) + "|" +
                      std::string(severity_name(fail_threshold)) + "|" +
                      (frame.shard.fail_on_unknown ? "unknown-fails" : "unknown-passes");
    for (const PolicyInfo& p : policies)
      run += "|" + p.id + "=" + std::string(severity_name(p.severity));
    for (const Waiver& w : cfg.waivers)
      run += "|waiver:" + w.rule + "\x1f" + w.path + "\x1f" + w.resource + "\x1f" +
             (w.expires ? format_civil_date(*w.expires) : std::string("-"));
    std::vector<std::string> ids;
    for (const PolicyInfo& p : evaluated_infos) ids.push_back(p.id);
    frame.shard.policy_set_digest =
        cache_context(save_bundle(*set) + run, ids, options.suppressions);
    for (const std::string& p : scan_paths) frame.shard.roots.push_back(normalize_report_path(p));
    std::sort(frame.shard.roots.begin(), frame.shard.roots.end());
    frame.shard.roots.erase(std::unique(frame.shard.roots.begin(), frame.shard.roots.end()),
                            frame.shard.roots.end());
  }
  frame.baseline_used = !cfg.baseline.empty() || !args.write_baseline.empty();
  ProgressAwareSink stdout_sink(stdout, progress);
  std::vector<std::unique_ptr<ReportFile>> report_files;
  for (const auto& [f, path] : extra_outputs) {
    auto file = std::make_unique<ReportFile>(path);
    if (!file->open()) return kExitUsageOrPolicyError;
    report_files.push_back(std::move(file));
  }
  std::vector<std::unique_ptr<ReportWriter>> writers;
  writers.push_back(make_report_writer(format, ro, stdout_sink));
  for (std::size_t k = 0; k < extra_outputs.size(); ++k) {
    ReportOptions xo = ro;
    xo.color = false;
    writers.push_back(make_report_writer(extra_outputs[k].first, xo, report_files[k]->sink()));
  }
  for (auto& w : writers) w->begin(frame);

  ScanSummary summary;
  ExitCodeTracker exit_code(fail_threshold, cfg.fail_on_unknown.value_or(true));
  WaiverApplier waivers(cfg.waivers, today, known);
  {
    std::vector<std::string> ran;
    for (const PolicyInfo& p : evaluated_infos) ran.push_back(p.id);
    waivers.set_ran_policies(std::move(ran));
  }
  std::optional<BaselineMatcher> baseline_matcher;
  if (!cfg.baseline.empty()) baseline_matcher.emplace(baseline);
  std::vector<BaselineEntry> new_baseline;  // --write-baseline: what it will list
  // Diagnostics found before the scan (discovery), merged in file order.
  std::vector<Diagnostic> pending = std::move(files.errors);
  std::stable_sort(pending.begin(), pending.end(), location_less);
  std::size_t next_pending = 0;
  std::size_t done = 0;

  // Everything between the scanner and the reports, one file at a time: severity overrides,
  // fingerprints, central waivers, the baseline, the display threshold and the counts.
  auto hidden = [&](const Finding& f) {
    return static_cast<int>(f.severity) > static_cast<int>(threshold);
  };
  auto report_group = [&](std::vector<Finding>& findings, std::vector<Diagnostic>& diags) {
    std::stable_sort(diags.begin(), diags.end(), location_less);
    std::erase_if(findings, hidden);  // in place: what is shown is not moved elsewhere
    for (const Finding& f : findings) {
      if (f.suppressed)
        ++summary.suppressed;
      else if (f.baselined)
        ++summary.baselined;
      else if (f.outcome == Outcome::kUnknown)
        ++summary.unknown;
      else
        ++summary.findings_by_severity[static_cast<int>(f.severity)];
      exit_code.add(f);
    }
    for (const Diagnostic& d : diags) exit_code.add(d);
    for (auto& w : writers) w->add(findings, diags);
  };
  auto consume = [&](const std::string& path, FileOutcome& o) {
    switch (o.status) {
      case FileOutcome::Status::kChecked:
        ++summary.templates_checked;
        break;
      case FileOutcome::Status::kSkipped:
        ++summary.files_skipped;
        if (args.verbose) {  // -v: which files were not taken for templates, and why
          Diagnostic d;
          d.severity = DiagSeverity::kNote;
          d.code = "skipped";
          d.location = Location::whole(path);
          d.message = "skipped, not a CloudFormation template: " +
                      (o.skip_reason.empty() ? std::string("no template sections") : o.skip_reason);
          o.diagnostics.push_back(std::move(d));
        }
        break;
      case FileOutcome::Status::kFailed:
        ++summary.templates_failed;
        break;
    }
    if (o.incomplete) summary.incomplete += std::max<std::uint64_t>(o.incomplete_runs, 1);
    if (o.status == FileOutcome::Status::kChecked)
      for (auto& w : writers) w->template_checked(path);
    std::vector<Diagnostic> diags;
    while (next_pending < pending.size() && pending[next_pending].location.file <= path)
      diags.push_back(std::move(pending[next_pending++]));
    for (Diagnostic& d : o.diagnostics) diags.push_back(std::move(d));
    // The waivers and the baseline may change a finding `prepare` rendered: it is then
    // rendered again, here.
    const bool may_change =
        !cfg.waivers.empty() || baseline_matcher || !args.write_baseline.empty();
    std::vector<std::tuple<bool, bool, std::string, std::string>> before;
    if (may_change)
      for (const Finding& f : o.findings)
        before.emplace_back(f.suppressed, f.baselined, f.suppression_reason, f.suppression_source);
    // Central waivers, after the inline suppressions the scanner applied.
    waivers.apply(o.findings);
    // The baseline: known findings do not fail; entries of this file that nothing matched were
    // fixed (reported only for the policies of this run).
    if (baseline_matcher) {
      baseline_matcher->apply(o.findings);
      if (o.status == FileOutcome::Status::kChecked)
        for (const BaselineEntry& e : baseline_matcher->unmatched_in(normalize_report_path(path)))
          if (std::any_of(evaluated_infos.begin(), evaluated_infos.end(),
                          [&](const PolicyInfo& p) { return p.id == e.policy_id; })) {
            // Located at the template as this run names it, so it is reported with the file.
            diags.push_back(fixed_baseline_note(e, cfg.baseline));
            diags.back().location = Location::whole(path);
          }
    }
    if (!args.write_baseline.empty()) {
      for (Finding& f : o.findings)
        if (!f.suppressed && !f.baselined) {
          new_baseline.push_back(baseline_entry(f));
          f.baselined = true;
        }
    }
    if (may_change)
      for (std::size_t i = 0; i < o.findings.size(); ++i) {
        const Finding& f = o.findings[i];
        if (before[i] != std::tie(f.suppressed, f.baselined, f.suppression_reason,
                                  f.suppression_source))
          o.findings[i].rendered_by = nullptr;
      }
    report_group(o.findings, diags);
  };
  // What needs nothing from other files, on the scan's workers, in parallel: fingerprints,
  // severity overrides, excluded constructs, and the shown findings rendered for the first
  // report (the one on standard output) when its writer can (`ReportWriter::prerender`).
  const ReportWriter* renderer = writers.empty() ? nullptr : writers.front().get();
  auto prepare = [&](const std::string& path, FileOutcome& o) {
    // The file as reports name it, once per file (a finding's file is its template's).
    const std::string report_path = normalize_report_path(path);
    assign_fingerprints(o.findings, path, report_path);
    for (Finding& f : o.findings) {
      if (!override_of.empty())
        if (auto it = override_of.find(f.policy_id); it != override_of.end())
          f.severity = it->second;
    }
    // Findings on excluded CDK constructs are dropped, like excluded paths.
    if (!cfg.exclude_constructs.empty())
      std::erase_if(o.findings, [&](const Finding& f) {
        return !f.construct_path.empty() &&
               std::any_of(cfg.exclude_constructs.begin(), cfg.exclude_constructs.end(),
                           [&](const std::string& g) {
                             return construct_matches_glob(g, f.construct_path);
                           });
      });
    if (renderer)
      for (Finding& f : o.findings)
        if (!hidden(f)) renderer->prerender(f);
  };
  // Every template of the run, whatever its shard (a shard links its templates as an unsharded
  // run does; engine/scan/scanner.h, `scan_linked`): the paths the first walk kept, or, for a
  // tree too large to keep them, a second walk.
  std::optional<FileWalker> walker;
  if (!files.all_buffered) walker.emplace(scan_paths, cfg.exclude);
  std::size_t next_path = 0;
  auto source = [&](std::string& path, bool& regular, bool& mine) {
    if (!walker) {
      if (next_path == files.template_paths.size()) return false;
      const ScanInputs::Template& t = files.template_paths[next_path++];
      regular = t.regular;
      mine = t.selected;
      path = t.path;  // kept for `lookup`
      return true;
    }
    FileKind kind;
    while (walker->next(path, kind))
      if (kind == FileKind::kTemplate && selected.in_run(path)) {
        regular = walker->listed_regular();
        mine = selected.in_shard(path);
        return true;
      }
    return false;
  };
  // A nested template that is not linked otherwise: its path as the scan names it, from the
  // kept paths or one more walk (only when the link plan meets such a template).
  // The run's template paths by file name; a key is spelled out (`link_path_key`, a lexical
  // normalization) only for the paths whose file name is the key's, not for every path.
  std::vector<std::string> walked;  // the paths of a second walk
  std::unordered_map<std::string_view, std::vector<const std::string*>> by_name;
  bool listed = false;
  auto lookup = [&](const std::string& key) {
    auto file_name = [](std::string_view p) {
      const std::size_t slash = p.find_last_of('/');
      return slash == std::string_view::npos ? p : p.substr(slash + 1);
    };
    if (!listed && files.all_buffered) {
      for (const ScanInputs::Template& t : files.template_paths)
        by_name[file_name(t.path)].push_back(&t.path);
    } else if (!listed) {
      FileWalker again(scan_paths, cfg.exclude);
      std::string path;
      FileKind kind;
      while (again.next(path, kind))
        if (kind == FileKind::kTemplate && selected.in_run(path)) walked.push_back(path);
      for (const std::string& w : walked) by_name[file_name(w)].push_back(&w);
    }
    listed = true;
    auto it = by_name.find(file_name(key));
    if (it != by_name.end())
      for (const std::string* p : it->second)  // the first in scan order, as before
        if (link_path_key(*p) == key) return *p;
    return std::string();
  };
  options.expected_files = files.run_templates;
  scan_linked(*set, evaluated, known, source, lookup, prepare, consume, options,
              [&] { progress.update(++done, files.templates); });
  progress.finish();
  if (cache) finish_cache(*cache, args, color_err);

  // What is known only at the end: the rest of the discovery diagnostics and the waivers'.
  std::vector<Diagnostic> tail(std::make_move_iterator(pending.begin() + next_pending),
                               std::make_move_iterator(pending.end()));
  waivers.finish(tail);
  std::vector<Finding> no_findings;
  if (!tail.empty()) report_group(no_findings, tail);

  bool write_failed = false;
  if (!args.write_baseline.empty()) {
    std::size_t n = 0;  // what the file lists, said as such
    const std::string text = render_baseline_entries(std::move(new_baseline), &n);
    if (write_file(args.write_baseline, text, "baseline")) {
      std::cerr << "polc: wrote the baseline " << args.write_baseline << " (" << n << " new finding"
                << (n == 1 ? "" : "s") << "); check it in and run `polc check --baseline "
                << args.write_baseline << "` in CI\n";
    } else {
      write_failed = true;  // the reports are still completed (they are valid documents)
    }
  }
  summary.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int code = exit_code.exit_code(summary, usage_error);
  for (auto& w : writers) w->finish(summary, code);
  std::fflush(stdout);
  for (auto& f : report_files) write_failed = !f->close() || write_failed;
  return write_failed ? kExitUsageOrPolicyError : code;
}

}  // namespace polc::cli
