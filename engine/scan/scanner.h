// Stage engine/scan (above triage): many templates: discovery and the directory walker, the pool
// of workers, shards and the result cache.
//
// Scanner: checks many templates against a compiled policy set with a pool of workers.
//
// Each worker owns a `Vm` and loads, checks and frees one template at a time. All workers share
// the frozen `PolicySet`. `scan_stream` takes the paths from a source and passes each file's
// outcome on, in source order, as soon as the files before it are done, so a scan of any number
// of files holds at most `kMaxPendingOutcomes` outcomes (memory stays flat). `scan_linked`, the
// scan of `polc check`, does the same over every file of the run and also indexes their links
// (engine/load/stack_links.h), holding the outcomes until its link plan is complete. Findings
// are sorted with `finding_less`, so the output is identical at any number of workers.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
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
  /// Optional: the links between the run's templates (engine/load/stack_links.h). A linked
  /// template is checked with its neighbourhood loaded beside it; its cached outcome is keyed
  /// by the neighbourhood's contents too. Not owned; must outlive the scan. `scan_linked` sets
  /// it itself once its plan is complete.
  const LinkPlan* links = nullptr;
  /// `--check-properties`: warn about template properties their type's schema lacks
  /// (engine/schema/property_check.h); null: not checked. Not owned.
  const schema::SchemaSet* check_properties = nullptr;
  /// Optional: counts the files read whole by the batch reader (tests, benchmarks). Not owned.
  std::atomic<std::uint64_t>* batch_read_files = nullptr;
  /// Optional: parameter and pseudo parameter values every template is checked with (checked
  /// against each template's declarations first: a bad value fails that template). Not owned.
  /// The result cache is not used with values.
  const DeploymentValues* deployment = nullptr;
  /// Optional: templates checked once per deployment (`deployments:` of .polc.yaml), keyed by
  /// the template's path as `deployment_key` gives it; each deployment's values are checked
  /// against the template first (bad ones are errors of that deployment). A finding that holds
  /// in some deployments only lists them (`Finding::deployments`). Not owned; no result cache.
  const std::map<std::string, std::vector<DeploymentValues>>* deployments = nullptr;
};

/// The key of `path` in `ScanOptions::deployments`: the path made absolute and normal (symbolic
/// links followed as far as they exist).
std::string deployment_key(const std::string& path);

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
  /// Takes back the count of one `lookup` (a hit when `hit`) whose outcome the scan did not
  /// use: `scan_linked` checked the file again once its links were known. Counting only.
  virtual void retract(bool hit) { (void)hit; }
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

/// Works on an outcome before it is consumed: called on the scan's worker threads, for
/// different outcomes concurrently, so it must be thread-safe; the work that needs no state
/// shared with other files (fingerprints, rendering the findings) then runs in parallel, and
/// only the rest runs in order in the consumer.
using OutcomePreparer = std::function<void(const std::string& path, FileOutcome& outcome)>;

/// A path of `scan_linked`'s source: as `PathSource`, and `selected` when this run checks the
/// file (its shard); the others (other shards' files) are only read for their links, so that a
/// sharded run links its templates as an unsharded one does.
using RunSource = std::function<bool(std::string& path, bool& regular, bool& selected)>;
/// The path, as the source named it, of the template of the run whose `link_path_key`
/// (engine/load/stack_links.h) is `key`; "" when there is none. Called after the source is
/// exhausted, only for a nested template that is not itself linked otherwise.
using RunLookup = std::function<std::string(const std::string& key)>;

/// `polc check`'s scan: `scan_stream` over the selected paths of `source`, with the templates
/// linked by exports, imports and local nested stacks (engine/load/stack_links.h), reading
/// each file once in the common case. One pass over every path of the run checks each
/// selected file as if it linked to nothing and keeps, from the same bytes and the same parsed
/// template, the link facts of the files the byte search `may_link` lets through. Since any
/// later file may import from a file or name it as its nested template, the outcomes are held
/// (`HeldOutcomes`: in memory up to `kHeldOutcomeMemoryBytes`, then in a temporary file) until
/// the pass is over and the `LinkPlan` complete; then they are passed on in source order, each
/// with its link diagnostics, and the files the plan links to others (and only those) are read
/// and checked again with their neighbourhood, on the workers, replacing their first outcome.
/// The outcomes are those `scan_stream` gives with `options.links` set to the complete plan;
/// with a result cache, a first outcome replaced is neither stored nor counted
/// (`OutcomeCache::retract`). `prepare`, when set, gets each final outcome on a worker before
/// `consume` does. `checked()` is called after each selected file's first check, in source
/// order, one call at a time (a progress bar); `options.links` is ignored.
void scan_linked(const PolicySet& set, const std::vector<std::uint32_t>& active,
                 const std::vector<PolicyInfo>& known, const RunSource& source,
                 const RunLookup& lookup, const OutcomePreparer& prepare,
                 const OutcomeConsumer& consume, const ScanOptions& options,
                 const std::function<void()>& checked = {});

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
