#include "engine/scan/scanner.h"

#include <malloc.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <system_error>
#include <thread>
#include <tuple>

#include "engine/base/limits.h"
#include "engine/load/batch_read.h"
#include "engine/load/loader.h"
#include "engine/load/stack_links.h"
#include "engine/scan/check_file.h"
#include "engine/scan/ordered_pool.h"
#include "engine/schema/property_check.h"
#include "engine/vm/condition_model.h"
#include "engine/vm/vm.h"

namespace polc {
namespace {

/// Allocations up to this size come from the C heap rather than from their own mmap (glibc's
/// largest allowed value on 64-bit): a block freed after one template is reused by the next
/// one instead of being unmapped and faulted in again.
constexpr int kAllocatorMmapThreshold = 32 << 20;
/// Free memory kept at the top of the C heap before it is returned to the system. Peak RSS is
/// what the largest template needs either way; this only avoids giving it back in between.
constexpr int kAllocatorTrimThreshold = 128 << 20;

}  // namespace

void retain_freed_memory() {
  static std::once_flag once;
  std::call_once(once, [] {
#if defined(__GLIBC__)
    // Large blocks from the heap rather than from mmap (each munmap'd block is faulted in
    // again by the next template), and no trimming of the heap top below this size.
    mallopt(M_MMAP_THRESHOLD, kAllocatorMmapThreshold);
    mallopt(M_TRIM_THRESHOLD, kAllocatorTrimThreshold);
#endif
  });
}

FileOutcome check_template(Vm& vm, const PolicySet& set, const std::vector<std::uint32_t>& active,
                           const std::vector<PolicyInfo>& known, const Template& tmpl,
                           const ScanOptions& options) {
  FileOutcome out;
  out.status = FileOutcome::Status::kChecked;
  PolicyOutput po;
  bool any_incomplete = false;
  for (std::uint32_t idx : active) {
    const CompiledPolicy& p = set.policies[idx];
    po.incomplete = false;
    vm.evaluate_policy(p, tmpl, po);
    if (po.incomplete) ++out.incomplete_runs;  // counted per policy run, as the summary says
    any_incomplete = any_incomplete || po.incomplete;
    if (po.findings.size() > kMaxFindingsPerTemplate) break;
  }
  po.incomplete = any_incomplete;
  vm.reset();
  if (po.findings.size() > kMaxFindingsPerTemplate) {
    std::size_t dropped = po.findings.size() - kMaxFindingsPerTemplate;
    po.findings.resize(kMaxFindingsPerTemplate);
    Diagnostic d;
    d.severity = DiagSeverity::kWarning;
    d.code = "findings-limit";
    d.location = Location::whole(tmpl.file().path());
    d.message = "more than " + std::to_string(kMaxFindingsPerTemplate) +
                " findings in this template (kMaxFindingsPerTemplate); " + std::to_string(dropped) +
                " not listed";
    po.diagnostics.push_back(std::move(d));
    po.incomplete = true;
    if (out.incomplete_runs == 0) out.incomplete_runs = 1;  // the findings limit stopped the run
  }
  // Which policies ran, for "suppression matched nothing" warnings; none when a policy stopped
  // early (its silence proves nothing).
  auto ran = [&](std::string_view id) {
    if (po.incomplete) return false;
    for (std::uint32_t idx : active)
      if (set.policies[idx].info.id == id) return true;
    return false;
  };
  if (options.check_properties)
    check_template_properties(tmpl, *options.check_properties, po.diagnostics);
  apply_template_suppressions(tmpl, known, options.suppressions, po.findings, po.diagnostics, ran);
  out.findings = std::move(po.findings);
  out.diagnostics = std::move(po.diagnostics);
  out.incomplete = po.incomplete;
  sort_findings(out.findings);
  // The outcome may be held until the pass is over (scan_linked): no spare capacity, which is
  // half a kilobyte per unused Finding.
  out.findings.shrink_to_fit();
  return out;
}

namespace {

/// Checks `tmpl` once per deployment of `deps` and merges the outcomes: one finding per policy,
/// place, message and condition, listing the deployments it holds in unless it holds in all.
FileOutcome check_deployments(Vm& vm, const PolicySet& set,
                              const std::vector<std::uint32_t>& active,
                              const std::vector<PolicyInfo>& known, Template& tmpl,
                              const std::vector<DeploymentValues>& deps,
                              const ScanOptions& options) {
  FileOutcome out;
  out.status = FileOutcome::Status::kFailed;
  std::map<std::tuple<std::string, std::uint32_t, std::uint32_t, std::string, std::string,
                      std::string, std::string>,
           std::size_t>
      index;
  std::set<std::tuple<std::string, std::uint32_t, std::uint32_t, std::string>> seen_diags;
  std::size_t checked = 0;
  for (const DeploymentValues& d : deps) {
    std::vector<Diagnostic> errors;
    FileOutcome o;
    if (!validate_deployment(tmpl, d, errors)) {
      o.diagnostics = std::move(errors);
    } else {
      tmpl.set_deployment(&d);
      vm.reset();
      o = check_template(vm, set, active, known, tmpl, options);
      tmpl.set_deployment(nullptr);
      ++checked;
      out.status = FileOutcome::Status::kChecked;
      out.incomplete |= o.incomplete;
      out.incomplete_runs += o.incomplete_runs;
    }
    for (Diagnostic& diag : o.diagnostics) {
      // A value error names its deployment already (validate_deployment).
      if (diag.code != "parameter-value")
        diag.message = "deployment " + d.name + ": " + diag.message;
      if (seen_diags.insert({diag.message, diag.location.line, diag.location.column, diag.code})
              .second)
        out.diagnostics.push_back(std::move(diag));
    }
    for (Finding& f : o.findings) {
      auto key = std::make_tuple(f.policy_id, f.location.line, f.location.column, f.resource,
                                 f.property_path, f.message, describe_conditions(f.conditions));
      auto [it, inserted] = index.try_emplace(key, out.findings.size());
      if (inserted) out.findings.push_back(std::move(f));
      out.findings[it->second].deployments.push_back(d.name);
    }
  }
  for (Finding& f : out.findings)
    if (f.deployments.size() == checked) f.deployments.clear();
  std::stable_sort(out.findings.begin(), out.findings.end(), finding_less);
  return out;
}

}  // namespace

namespace internal {

FileCheck check_file(Vm& vm, const PolicySet& set, const std::vector<std::uint32_t>& active,
                     const std::vector<PolicyInfo>& known, const std::string& path,
                     std::optional<std::string_view> prefetched, std::string& buffer,
                     const ScanOptions& options, LinkFacts* facts) {
  FileCheck check;
  FileOutcome& out = check.outcome;
  LoadResult lr;
  std::string_view contents;
  if (prefetched) {
    contents = *prefetched;
    check.read = true;
  } else if (read_template_file(path, buffer, lr)) {
    contents = buffer;
    check.read = true;
  }  // otherwise `lr` says why; such an outcome is not cached
  const bool read = check.read;
  auto take_bytes = [&] { return prefetched ? padded_source(contents) : std::move(buffer); };
  // A deployment's values are not part of the cache key: no cache with --parameter and friends.
  OutcomeCache* cache = options.deployment || options.deployments ? nullptr : options.cache;
  // A linked template's outcome depends on its neighbours too: their paths and contents (at
  // index time) are part of its cache key.
  const std::vector<std::string> neighbours =
      read && options.links ? options.links->neighbourhood(path) : std::vector<std::string>();
  const std::string cache_path =
      neighbours.empty() ? path : path + '\n' + options.links->digest(path);
  if (read && cache && cache->lookup(cache_path, contents, check.cache_key, out)) {
    check.cache_hit = true;
    // The outcome is known, the links are not: the template is loaded for them only when its
    // bytes may declare some.
    if (facts && may_link(contents) && may_be_template(contents)) {
      LoadResult parsed = load_template_read(path, take_bytes());
      if (parsed.status == LoadStatus::kTemplate && parsed.tmpl)
        *facts = link_facts(*parsed.tmpl, default_stack_name(path));
    }
    return check;
  }
  if (read) lr = load_template_read(path, take_bytes());
  // The loaded template gives its link facts (none for most, at the cost of a look at its
  // outputs, imports and resource types).
  if (facts && lr.status == LoadStatus::kTemplate && lr.tmpl)
    *facts = link_facts(*lr.tmpl, default_stack_name(path));
  std::vector<Diagnostic> value_errors;
  const std::vector<DeploymentValues>* deps = nullptr;
  if (lr.status == LoadStatus::kTemplate && lr.tmpl && options.deployments) {
    auto it = options.deployments->find(deployment_key(path));
    if (it != options.deployments->end() && !it->second.empty()) deps = &it->second;
  }
  if (lr.status == LoadStatus::kTemplate && lr.tmpl) {
    // Linked templates (cross-stack exports and imports, nested stacks) are seen whatever the
    // deployment: each deployment's check, and a check with --parameter values, reads them.
    std::vector<LoadResult> others;
    std::unique_ptr<StackWorld> world;
    if (neighbours.size() > 1) {
      others.reserve(neighbours.size() - 1);
      std::vector<StackWorld::Member> members{{lr.tmpl.get(), path}};
      for (std::size_t i = 1; i < neighbours.size(); ++i) {
        others.push_back(load_template_file(neighbours[i]));  // its problems are its own file's
        if (others.back().status == LoadStatus::kTemplate && others.back().tmpl)
          members.push_back({others.back().tmpl.get(), neighbours[i]});
      }
      world = std::make_unique<StackWorld>(std::move(members));
      vm.set_world(world.get());
    }
    if (deps) {
      out = check_deployments(vm, set, active, known, *lr.tmpl, *deps, options);
    } else if (options.deployment &&
               !validate_deployment(*lr.tmpl, *options.deployment, value_errors)) {
      out.status = FileOutcome::Status::kFailed;
      out.diagnostics = std::move(value_errors);
    } else {
      lr.tmpl->set_deployment(options.deployment);
      out = check_template(vm, set, active, known, *lr.tmpl, options);
    }
    vm.set_world(nullptr);
  } else if (lr.status == LoadStatus::kNotTemplate) {
    out.status = FileOutcome::Status::kSkipped;
    out.skip_reason = std::move(lr.skip_reason);
  } else {
    out.status = FileOutcome::Status::kFailed;
  }
  // Load diagnostics first, then policy diagnostics.
  auto& diags = lr.diagnostics.items();
  // A loaded template with parts that were never evaluated is not a complete check.
  for (const Diagnostic& d : diags)
    if (d.severity == DiagSeverity::kError && is_incomplete_code(d.code)) out.incomplete = true;
  out.diagnostics.insert(out.diagnostics.begin(), std::make_move_iterator(diags.begin()),
                         std::make_move_iterator(diags.end()));
  return check;
}

void store_in_cache(const FileCheck& c, const ScanOptions& options) {
  if (options.cache && !c.cache_hit && !c.cache_key.empty())
    options.cache->store(c.cache_key, c.outcome);
}

LinkFacts index_file(const std::string& path, std::optional<std::string_view> prefetched,
                     std::string& buffer) {
  std::string_view contents;
  LoadResult failure;
  if (prefetched)
    contents = *prefetched;
  else if (read_template_file(path, buffer, failure))
    contents = buffer;
  else
    return {};  // its own shard reports it
  if (!may_link(contents) || !may_be_template(contents)) return {};
  LoadResult lr =
      load_template_read(path, prefetched ? padded_source(contents) : std::move(buffer));
  if (lr.status != LoadStatus::kTemplate || !lr.tmpl) return {};
  return link_facts(*lr.tmpl, default_stack_name(path));
}

}  // namespace internal

std::string deployment_key(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(path, ec);
  if (ec) p = std::filesystem::absolute(path, ec).lexically_normal();
  return p.generic_string();
}

std::size_t scan_batch_files(unsigned jobs, std::uint64_t taken, std::uint64_t expected) {
  // Every worker's batch fits in the kMaxPendingOutcomes window at once, with room to spare.
  const std::size_t most = std::clamp<std::size_t>(kMaxPendingOutcomes / (2 * std::max(1u, jobs)),
                                                   1, internal::kBatchReadFiles);
  const std::uint64_t left = expected > taken ? expected - taken : 0;
  return static_cast<std::size_t>(
      std::clamp<std::uint64_t>(left / (4 * std::max(1u, jobs)), 1, most));
}

unsigned worker_count(unsigned requested, std::size_t files) {
  const unsigned wanted = requested ? requested : std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(
      std::min<std::size_t>({wanted, std::max<std::size_t>(1, files), kMaxWorkers}));
}

void scan_stream(const PolicySet& set, const std::vector<std::uint32_t>& active,
                 const std::vector<PolicyInfo>& known, const PathSource& source,
                 const OutcomeConsumer& consume, const ScanOptions& options) {
  retain_freed_memory();
  struct Item {
    std::string path;
  };
  internal::run_ordered_pool<Item>(
      worker_count(options.jobs, SIZE_MAX), options.batch_reads, options.expected_files,
      [&](Item& item, bool& batch) { return source(item.path, batch); },
      [&] {
        return [&, vm = std::make_unique<Vm>(set), buffer = std::string()](
                   Item& item, std::optional<std::string_view> contents) mutable {
          if (contents && options.batch_read_files) ++*options.batch_read_files;
          internal::FileCheck c =
              internal::check_file(*vm, set, active, known, item.path, contents, buffer, options);
          internal::store_in_cache(c, options);
          // What the links say about this file (never cached: it depends on the other files
          // of the run).
          if (options.links && c.outcome.status != FileOutcome::Status::kSkipped)
            for (Diagnostic& d : options.links->diagnostics(item.path))
              c.outcome.diagnostics.push_back(std::move(d));
          return std::move(c.outcome);
        };
      },
      [&](Item& item, FileOutcome& outcome) { consume(item.path, outcome); });
}

std::vector<FileOutcome> scan_files(const PolicySet& set, const std::vector<std::uint32_t>& active,
                                    const std::vector<PolicyInfo>& known,
                                    const std::vector<std::string>& files,
                                    const ScanOptions& options, const std::vector<bool>* regular) {
  std::vector<FileOutcome> outcomes;
  outcomes.reserve(files.size());
  std::size_t next = 0;
  ScanOptions o = options;
  o.jobs = worker_count(options.jobs, files.size());
  o.expected_files = files.size();
  scan_stream(
      set, active, known,
      [&](std::string& path, bool& is_regular) {
        if (next == files.size()) return false;
        is_regular = regular && (*regular)[next];
        path = files[next++];
        return true;
      },
      [&](const std::string&, FileOutcome& outcome) {
        outcomes.push_back(std::move(outcome));
        if (options.progress) options.progress(outcomes.size(), files.size());
      },
      o);
  return outcomes;
}

}  // namespace polc
