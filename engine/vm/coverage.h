// Policy coverage: which instructions of a `PolicySet` ran, which branches of its `when`, `if`,
// `require` and `report` statements were taken, and the per-file line and branch figures
// `polc test --coverage` prints and writes as an lcov tracefile.
//
// Counting is the VM's (`Vm::set_coverage`): one count per instruction executed and one per
// conditional jump taken, indexed by chunk and code offset. Lines and branches are derived
// afterwards from the chunks' source maps (every code byte keeps its policy-source offset,
// engine/program/bytecode.h), so the bytecode itself carries no coverage instructions and a
// scan without coverage runs the same code as before. Each statement's span begins at its
// keyword, which tells the `if` guard from the `when` guard and `for`'s guard on an unknown
// collection. Hit counts count executions, including the re-runs of the search over condition
// combinations.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/program/bytecode.h"

namespace polc {

/// Counters for one `PolicySet`, filled by a Vm. Not thread-safe: one per Vm at a time (merge
/// with `add` after the fact).
struct CoverageCounts {
  std::vector<std::vector<std::uint64_t>> hits;   // [chunk][pc]: runs of the instruction at pc
  std::vector<std::vector<std::uint64_t>> jumps;  // [chunk][pc]: times the jump at pc jumped
  explicit CoverageCounts(const PolicySet& set);
  /// Adds `other` (made for the same set) to these counts.
  void add(const CoverageCounts& other);
};

/// One outcome of one branch point, in lcov's terms (`BRDA:line,block,branch,taken`).
struct BranchOutcome {
  std::uint32_t line = 0;   // 1-based line of the statement
  std::uint32_t block = 0;  // the branch point's number within its file, from 0
  std::uint32_t branch = 0;
  std::string what;        // "when true", "when false", "if then", "if else", "require holds",
                           // "require fails", "report reached"
  bool evaluated = false;  // the branch point itself ran (else lcov writes `-`)
  std::uint64_t taken = 0;
};

/// Coverage of one policy source file.
struct FileCoverage {
  std::string path;                              // as the PolicySet's source names it
  std::map<std::uint32_t, std::uint64_t> lines;  // 1-based line -> runs (its most-run instruction)
  std::vector<BranchOutcome> branches;
  std::size_t lines_hit() const;
  std::size_t branches_hit() const;
};

/// Per-file coverage of the sources of `set` that `include` accepts (by path), sorted by path.
/// `set` must be the one `counts` was made for; its sources must have their line tables (a
/// frozen set).
std::vector<FileCoverage> summarize_coverage(
    const PolicySet& set, const CoverageCounts& counts,
    const std::function<bool(std::string_view path)>& include);

/// `hit` of `total` as a percentage; 100 when `total` is 0 (nothing to cover).
double coverage_percent(std::size_t hit, std::size_t total);

/// The lcov tracefile of `files` (`TN:`, then per file `SF:`, `DA:`, `BRDA:`, `LF:`, `LH:`,
/// `BRF:`, `BRH:`, `end_of_record`), as genhtml and editors' coverage viewers read it.
std::string coverage_lcov(const std::vector<FileCoverage>& files, std::string_view test_name);

/// The summary table: one row per file (lines hit/total and %, branches hit/total and %), then
/// a `total` row. Ends with a newline.
std::string coverage_table(const std::vector<FileCoverage>& files);

}  // namespace polc
