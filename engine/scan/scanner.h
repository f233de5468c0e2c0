// Stage engine/scan (above triage): many templates: discovery and the directory walker, the pool
// of workers, shards and the result cache.
//
// Scanner: checks many templates against a compiled policy set with a pool of workers.
//
// Each worker owns a `Vm` and loads, checks and frees one template at a time. All workers share
// the frozen `PolicySet`. `scan_stream` takes the paths from a source and passes each file's
// outcome on, in source order, as soon as the files before it are done, so a scan of any number
// of files holds at most `kMaxPendingOutcomes` outcomes (memory stays flat). Findings are sorted
// with `finding_less`, so the output is identical at any number of workers.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/scan_result.h"
#include "engine/program/bytecode.h"
#include "engine/triage/suppression.h"
#include "engine/vm/vm.h"

namespace polc {

class OutcomeCache;
class LinkPlan;
class TemplateStash;
namespace schema {
class SchemaSet;
}

struct ScanOptions {
  unsigned jobs = 0;  // 0: the hardware threads; at most kMaxWorkers (the caller's thread is one)
  SuppressionOptions suppressions;
  /// `scan_files` only: called after each file (from worker threads; must be thread-safe).
  std::function<void(std::size_t done, std::size_t total)> progress;
  /// Optional per-file result cache (engine/scan/cache.h); not owned, must outlive the scan.
  OutcomeCache* cache = nullptr;
  /// Read the files the source marks regular in batches with io_uring where the kernel allows
  /// it (engine/load/batch_read.h); false: one open, fstat, read and close per file. The
  /// outcomes are the same.
  bool batch_reads = true;
  /// How many paths the source will give, when the caller knows (0: unknown). Workers then
  /// take smaller batches as the scan nears its end, so that its last files are shared among
  /// them. A wrong count only changes how the work is shared.
  std::uint64_t expected_files = 0;
  /// Optional: the links between the run's templates (engine/stack_links.h), from the index
  /// pass over all of them (every shard's). A linked template is checked with its
  /// neighbourhood loaded beside it; its cached outcome is keyed by the neighbourhood's
  /// contents too. Not owned; must outlive the scan.
  const LinkPlan* links = nullptr;
  /// Optional: templates the index pass already loaded (engine/load/template_stash.h), taken
  /// instead of reading and parsing their files again. Not used with `cache`. Not owned.
  TemplateStash* stash = nullptr;
  /// `--check-properties`: warn about template properties their type's schema lacks
  /// (engine/schema/property_check.h); null: not checked. Not owned.
  const schema::SchemaSet* check_properties = nullptr;
  /// Optional: counts the files read whole by the batch reader (tests, benchmarks). Not owned.
  std::atomic<std::uint64_t>* batch_read_files = nullptr;
  /// Optional: parameter and pseudo parameter values every template is checked with (checked
  /// against each template's declarations first: a bad value fails that template). Not owned.
  /// The result cache is not used with values.
  const DeploymentValues* deployment = nullptr;
};

/// Per-file outcome, in the order of `files`.
struct FileOutcome {
  enum class Status : std::uint8_t { kChecked, kSkipped, kFailed } status = Status::kSkipped;
  std::vector<Finding> findings;
  std::vector<Diagnostic> diagnostics;
  bool incomplete = false;
  /// Policy runs on this template stopped by a limit or an error (`ScanSummary::incomplete`
  /// counts these, not templates). At least 1 when `incomplete`.
  std::uint32_t incomplete_runs = 0;
  /// For `kSkipped`: why (LoadResult::skip_reason); empty for an outcome from the cache.
  std::string skip_reason;
};

/// A per-file result cache the scanner consults before loading a file. Implementations must be
/// thread-safe: workers call them concurrently.
class OutcomeCache {
 public:
  virtual ~OutcomeCache() = default;
  /// Returns true and sets `out` when the outcome of the file `path` whose whole contents are
  /// `contents` is cached. Otherwise sets `key` to the key `store` should file the computed
  /// outcome under. Files that cannot be read never reach the cache.
  virtual bool lookup(const std::string& path, std::string_view contents, std::string& key,
                      FileOutcome& out) = 0;
  /// Files `outcome` (load and policy diagnostics included) under `key`.
  virtual void store(const std::string& key, const FileOutcome& outcome) = 0;
};

/// The number of workers a scan of `files` files starts for `-j requested` (0: the hardware
/// threads): at least 1, at most `files` and `kMaxWorkers`. Pure.
unsigned worker_count(unsigned requested, std::size_t files);

/// How many paths a worker of a scan with `jobs` workers takes (and reads in one batch) when
/// `taken` of `expected` paths are taken (`expected` SIZE_MAX: unknown): at most
/// `kBatchReadFiles` (engine/load/batch_read.h) and so few that every worker's batch fits
/// in `kMaxPendingOutcomes` twice; at most a quarter of each worker's share of what is left,
/// so that the last files of a scan are shared among the workers; at least 1. Pure.
std::size_t scan_batch_files(unsigned jobs, std::uint64_t taken, std::uint64_t expected);

/// Supplies the next path to check into `path`; false when there are none left. Sets `regular`
/// when a directory listing named the path a regular file (`FileWalker::listed_regular`): only
/// such files are read in batches, so a file argument that is a pipe, a FIFO or a device
/// (`/dev/stdin`, `<(command)`) is never read before its type is checked. Called by one thread
/// at a time (under the scanner's lock), in the order the outcomes are passed on.
using PathSource = std::function<bool(std::string& path, bool& regular)>;
/// Receives the outcome of each path, in the source's order, one call at a time (from whichever
/// worker thread finished the missing file; never concurrently). May move from `outcome`.
using OutcomeConsumer = std::function<void(const std::string& path, FileOutcome& outcome)>;

/// Checks the paths of `source` with the policies `active` (indices into `set.policies`) on
/// `options.jobs` workers, passing each outcome to `consume` in source order. `known` lists all
/// policies (including inactive ones) for suppression warnings. Thread-safe with respect to the
/// set; creates its own threads and returns when every outcome has been consumed.
void scan_stream(const PolicySet& set, const std::vector<std::uint32_t>& active,
                 const std::vector<PolicyInfo>& known, const PathSource& source,
                 const OutcomeConsumer& consume, const ScanOptions& options);

/// Checks `files` with the policies `active` (indices into `set.policies`). `known` lists all
/// policies (including inactive ones) for suppression warnings. Thread-safe with respect to
/// the set; creates its own threads. `scan_stream` collected into a vector (for tests and small
/// runs; memory grows with the number of files). `regular[i]`, when given, is the source's
/// `regular` for `files[i]` (otherwise none is, and no file is read in a batch).
std::vector<FileOutcome> scan_files(const PolicySet& set, const std::vector<std::uint32_t>& active,
                                    const std::vector<PolicyInfo>& known,
                                    const std::vector<std::string>& files,
                                    const ScanOptions& options,
                                    const std::vector<bool>* regular = nullptr);

/// Asks the C allocator (glibc) to keep freed memory for reuse instead of returning it to the
/// operating system, so that each template reuses the pages the previous one touched rather than
/// faulting in fresh ones (page faults dominate the load of a large template on a virtual
/// machine). Peak RSS is unchanged: what is kept was in use before. Process-wide and
/// idempotent; `scan_files` calls it. Thread-safe.
void retain_freed_memory();

/// Checks one already-loaded template (used by `scan_files`, `polc test` and tests).
FileOutcome check_template(Vm& vm, const PolicySet& set, const std::vector<std::uint32_t>& active,
                           const std::vector<PolicyInfo>& known, const Template& tmpl,
                           const ScanOptions& options);

}  // namespace polc
