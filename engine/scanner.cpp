#include "engine/scanner.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "engine/limits.h"
#include "engine/loader.h"
#include "engine/vm.h"

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
  for (std::uint32_t idx : active) {
    const CompiledPolicy& p = set.policies[idx];
    vm.evaluate_policy(p, tmpl, po);
    if (po.findings.size() > kMaxFindingsPerTemplate) break;
  }
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
  }
  apply_template_suppressions(tmpl, known, options.suppressions, po.findings, po.diagnostics);
  out.findings = std::move(po.findings);
  out.diagnostics = std::move(po.diagnostics);
  out.incomplete = po.incomplete;
  std::sort(out.findings.begin(), out.findings.end(), finding_less);
  return out;
}

std::vector<FileOutcome> scan_files(const PolicySet& set, const std::vector<std::uint32_t>& active,
                                    const std::vector<PolicyInfo>& known,
                                    const std::vector<std::string>& files,
                                    const ScanOptions& options) {
  retain_freed_memory();
  std::vector<FileOutcome> outcomes(files.size());
  unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = std::min<unsigned>(jobs, std::max<std::size_t>(1, files.size()));
  std::atomic<std::size_t> next{0}, done{0};
  auto worker = [&] {
    Vm vm(set);
    while (true) {
      std::size_t i = next.fetch_add(1);
      if (i >= files.size()) break;
      std::string cache_key, bytes;
      if (options.cache && options.cache->lookup(files[i], cache_key, outcomes[i], bytes)) {
        std::size_t d = done.fetch_add(1) + 1;
        if (options.progress) options.progress(d, files.size());
        continue;
      }
      // On a cache miss the file was read once already, for its key.
      LoadResult lr = cache_key.empty() ? load_template_file(files[i])
                                        : load_template_read(files[i], std::move(bytes));
      FileOutcome& out = outcomes[i];
      if (lr.status == LoadStatus::kTemplate && lr.tmpl) {
        out = check_template(vm, set, active, known, *lr.tmpl, options);
      } else if (lr.status == LoadStatus::kNotTemplate) {
        out.status = FileOutcome::Status::kSkipped;
      } else {
        out.status = FileOutcome::Status::kFailed;
      }
      // Load diagnostics first, then policy diagnostics.
      auto& diags = lr.diagnostics.items();
      out.diagnostics.insert(out.diagnostics.begin(), std::make_move_iterator(diags.begin()),
                             std::make_move_iterator(diags.end()));
      if (options.cache && !cache_key.empty()) options.cache->store(cache_key, out);
      std::size_t d = done.fetch_add(1) + 1;
      if (options.progress) options.progress(d, files.size());
    }
  };
  if (jobs <= 1) {
    worker();
  } else {
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < jobs; ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
  }
  return outcomes;
}

}  // namespace polc
