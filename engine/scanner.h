// Scanner: checks many templates against a compiled policy set with a pool of workers.
//
// Each worker owns a `Vm` and loads, checks and frees one template at a time (streaming: memory
// does not grow with the number of templates). All workers share the frozen `PolicySet`.
// Results are collected per file and merged in file order, and findings are sorted with
// `finding_less`, so the output is identical at any number of workers.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "engine/bytecode.h"
#include "engine/scan_result.h"
#include "engine/suppression.h"
#include "engine/vm.h"

namespace polc {

class OutcomeCache;

struct ScanOptions {
  unsigned jobs = 0;  // 0: the hardware threads
  SuppressionOptions suppressions;
  /// Called after each file (from worker threads; must be thread-safe), e.g. for progress.
  std::function<void(std::size_t done, std::size_t total)> progress;
  /// Optional per-file result cache (engine/cache.h); not owned, must outlive the scan.
  OutcomeCache* cache = nullptr;
};

/// Per-file outcome, in the order of `files`.
struct FileOutcome {
  enum class Status : std::uint8_t { kChecked, kSkipped, kFailed } status = Status::kSkipped;
  std::vector<Finding> findings;
  std::vector<Diagnostic> diagnostics;
  bool incomplete = false;
};

/// A per-file result cache the scanner consults before loading a file. Implementations must be
/// thread-safe: workers call them concurrently.
class OutcomeCache {
 public:
  virtual ~OutcomeCache() = default;
  /// Returns true and sets `out` when the outcome of `path` is cached. Otherwise sets `key` to
  /// the key `store` should file the computed outcome under ("" when it must not be stored)
  /// and, when `key` is not "", `bytes` to the file's contents as read for the key, which the
  /// scanner loads (`load_template_read`) instead of reading the file again.
  virtual bool lookup(const std::string& path, std::string& key, FileOutcome& out,
                      std::string& bytes) = 0;
  /// Files `outcome` (load and policy diagnostics included) under `key`.
  virtual void store(const std::string& key, const FileOutcome& outcome) = 0;
};

/// Checks `files` with the policies `active` (indices into `set.policies`). `known` lists all
/// policies (including inactive ones) for suppression warnings. Thread-safe with respect to
/// the set; creates its own threads.
std::vector<FileOutcome> scan_files(const PolicySet& set, const std::vector<std::uint32_t>& active,
                                    const std::vector<PolicyInfo>& known, const std::vector<std::string>& files,
                                    const ScanOptions& options);

/// Asks the C allocator (glibc) to keep freed memory for reuse instead of returning it to the
/// operating system, so that each template reuses the pages the previous one touched rather than
/// faulting in fresh ones (page faults dominate the load of a large template on a virtual
/// machine). Peak RSS is unchanged: what is kept was in use before. Process-wide and
/// idempotent; `scan_files` calls it. Thread-safe.
void retain_freed_memory();

/// Checks one already-loaded template (used by `scan_files`, `polc test` and tests).
FileOutcome check_template(Vm& vm, const PolicySet& set, const std::vector<std::uint32_t>& active,
                           const std::vector<PolicyInfo>& known, const Template& tmpl, const ScanOptions& options);

}  // namespace polc
