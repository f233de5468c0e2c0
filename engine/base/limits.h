// Named limits. Every bound polc puts on untrusted input lives here, with the reason for its
// value. Each limit has a test that pushes past it and expects a positioned diagnostic while the
// rest of the scan goes on (tests/limits_test.cpp, tests/lang/limit_*.polc).
#pragma once
#include <cstddef>
#include <cstdint>

namespace polc {

/// Largest template file read, in bytes. The largest real CloudFormation template the service
/// accepts from S3 is 1 MB (AWS CloudFormation quotas page); CDK output rarely passes 5 MB.
/// 64 MiB leaves room for pre-processed templates and still bounds memory per worker.
inline constexpr std::size_t kMaxTemplateBytes = 64u << 20;

/// Deepest nesting of lists and maps in a template. Real templates nest 20 to 40 levels; the
/// loaders are iterative, so the bound protects memory and the recursive consumers of the tree.
inline constexpr std::size_t kMaxNestingDepth = 256;

/// Most nodes that YAML alias expansion may add to one document (billion-laughs guard).
inline constexpr std::size_t kMaxAliasExpansionNodes = 1'000'000;

/// Most bytes of scalars and keys that YAML alias expansion may add to one document. Aliases
/// share their node, but everything that walks the tree (policies, `polc dump`, messages) sees
/// each use: 2,000 aliases of a resource holding a 4 MiB string are 8 GB to read or print. The
/// same as `kMaxTemplateBytes`: an aliased document is at most as large again as the largest
/// file read.
inline constexpr std::size_t kMaxAliasExpansionBytes = 64u << 20;

/// Most resources in one template. The CloudFormation quota is 500; SAM and ForEach expansion
/// can exceed it before the service sees the template, so polc allows more.
inline constexpr std::size_t kMaxResources = 20'000;

/// Longest string scalar accepted, in bytes (a base64 `UserData` is the usual large one).
inline constexpr std::size_t kMaxStringBytes = 4u << 20;

/// Most `Fn::ForEach` iterations expanded in one template.
inline constexpr std::size_t kMaxForEachExpansions = 10'000;

/// Most value-tree nodes `Fn::ForEach` expansion may copy in one template section (all loops and
/// iterations together). Iterations alone do not bound memory: 10,000 copies of a body holding
/// a 50,000-item list are 500 million nodes from a 169 KB template. A node costs about 40
/// bytes of arena, so this bounds expansion to some 80 MB per section, far above the few
/// thousand nodes real loops generate.
inline constexpr std::size_t kMaxForEachCopiedNodes = 2'000'000;

/// Most bytes of strings `Fn::ForEach` expansion may build by substituting `${Identifier}` in
/// one template section (a long string substituted in every iteration), in bytes.
inline constexpr std::size_t kMaxForEachCopiedBytes = 64u << 20;

/// Most map entries and list items merging SAM `Globals` into the template's SAM resources may
/// create in one template (engine/model/sam_globals.cpp). A merged map or list is a new copy per
/// resource: 1,000 functions each with one environment variable of their own under a Globals
/// map of 100,000 variables would copy 100 million entries (some 2.4 GB). A merge past it stops,
/// with a `sam-globals-limit` error that makes the run incomplete; real templates merge a few
/// hundred.
inline constexpr std::size_t kMaxSamGlobalsMergedEntries = 2'000'000;

/// Deepest nesting of `Fn::ForEach` loops inside one another's output maps. The transform
/// allows loops in loop bodies; real templates use one or two levels. The expander recurses
/// per level, so the bound also protects the stack.
inline constexpr std::size_t kMaxForEachNesting = 5;

/// Largest policy source file, in bytes.
inline constexpr std::size_t kMaxPolicyBytes = 1u << 20;

/// Deepest nesting of policy expressions; the parser and checker recurse per level.
inline constexpr std::size_t kMaxExpressionDepth = 128;

/// VM instructions one evaluation (one policy on one subject under one condition assignment)
/// may execute. A policy that loops or recurses without end is stopped here.
inline constexpr std::uint64_t kMaxVmSteps = 2'000'000;

/// Work one evaluation may do inside instructions, in units of bytes scanned: builtins on
/// strings (`contains`, `in`, `split`, `replace`, `join`, `lower`, `upper`, `starts_with`,
/// `ends_with`) charge the bytes they read, string comparisons the bytes compared, and
/// `matches()` its input's bytes times the pattern's RE2 program size (the cost of RE2's NFA,
/// which it falls back to when a pattern's DFA outgrows kMaxRegexMemory). The step budget
/// counts instructions, but one instruction can scan megabytes: this bounds time (about a
/// second at 1 ns per unit), not instructions. Substring search is linear (two-way algorithm).
inline constexpr std::uint64_t kMaxVmWorkUnits = std::uint64_t{1} << 30;

/// Deepest VM value stack, in values.
inline constexpr std::size_t kMaxVmStack = 4096;

/// Most memory one evaluation (one policy on one subject under one condition assignment) may
/// allocate for the values it builds, in bytes. Doubling a string or a list a few dozen times
/// takes only a few steps, so the step budget alone does not bound memory.
inline constexpr std::size_t kMaxVmMemoryBytes = 256u << 20;

/// Deepest VM call stack, in frames (bounds recursion in helper functions).
inline constexpr std::size_t kMaxVmFrames = 256;

/// Most condition-solver work for one policy on one subject: each run of the rule under one
/// assignment of the template's named conditions counts 1, and so does each solver query
/// (is this condition decided by the assignment? is this parameter's value?). Only feasible
/// assignments are run, so exclusive conditions cost one run each (case 22's shape, 50 groups:
/// about 2,700 units); 13 independent conditions read by one rule need about 25,000. Past
/// it the evaluator stops and reports the result as incomplete.
inline constexpr std::size_t kMaxConditionWork = 50'000;

/// Most VM steps that the runs of one condition search (one policy on one subject) take
/// together: the time bound of the search, as `kMaxVmSteps` is of one run. Cheap runs reach
/// `kMaxConditionWork` first; a rule that walks much of the template per run (a security group
/// used by 16 endpoints under 16 independent conditions) reaches this in a fraction of a second
/// instead of spending a minute on 50,000 runs. Past it the result is reported as incomplete.
inline constexpr std::uint64_t kMaxConditionSearchSteps = 2'000'000;

/// Most clauses of a finding's condition that are merged and simplified by the pairwise rules
/// (subsumption, `x and not x`), which take time cubic in their number. A finding with more keeps
/// its clauses as explored: the same condition, written longer.
inline constexpr std::size_t kMaxSimplifiedClauses = 256;

/// Largest parameter file read (`--parameter-file`, deployments), in bytes. Real ones are a
/// few KiB; CloudFormation accepts at most 200 parameters.
inline constexpr std::size_t kMaxParameterFileBytes = 1u << 20;

/// Most BDD nodes the condition solver (BuDDy, engine/condition_model.cpp) may hold at once,
/// over all templates being checked (about 20 bytes each). A template whose conditions need
/// more is reported incomplete.
inline constexpr int kMaxConditionBddNodes = 4'000'000;

/// Largest compiled RE2 program, in RE2's cost units (`RE2::Options::max_mem` in bytes).
inline constexpr std::int64_t kMaxRegexMemory = 1 << 20;

/// Longest finding message (and related-location note) kept, in bytes; longer ones are cut
/// and end with "...". Messages interpolate template values, which may be megabytes long:
/// without a bound, 10,000 findings quoting a 4 MiB string are 40 GB of report.
inline constexpr std::size_t kMaxMessageBytes = 4096;

/// Longest source line kept for a diagnostic's or finding's snippet, in bytes (a minified JSON
/// template is one line of megabytes; each finding copies its snippet).
inline constexpr std::size_t kMaxSnippetBytes = 400;

/// Most findings reported for one template; past it the rest are counted, not listed.
inline constexpr std::size_t kMaxFindingsPerTemplate = 10'000;

/// Most constants in one chunk's constant pool (operands are 16-bit).
inline constexpr std::size_t kMaxConstants = 65'535;

/// Largest configuration (`.polc.yaml`) or waiver file read, in bytes. Real ones are a few KB;
/// 1 MiB bounds memory against a mistaken `--config` pointing at a large file.
inline constexpr std::size_t kMaxConfigBytes = 1u << 20;

/// Largest resource schema file (`.polc.yaml` `schemas:` overlays) polc reads; larger is an error.
inline constexpr std::size_t kMaxSchemaFileBytes = 16u << 20;

/// Largest baseline file read, in bytes. One entry is about 300 bytes, so 64 MiB holds some
/// 200,000 accepted findings, far more than any real baseline.
inline constexpr std::size_t kMaxBaselineBytes = 64u << 20;

/// Nodes of a resource searched for the property path of a finding located at a template node
/// (`Vm`). A resource's own nodes number in the thousands at most; past the bound the finding
/// is reported at the resource, without a property path.
inline constexpr std::size_t kMaxPathSearchNodes = 100'000;

/// Directories walked up from the working directory when looking for `.polc.yaml`.
inline constexpr std::size_t kMaxConfigSearchDepth = 64;

/// Most shards `--shard K/N` accepts. A CI matrix has tens of jobs; the bound only keeps the
/// number parser simple and the value far from overflow.
inline constexpr std::uint32_t kMaxShards = 100'000;

/// Default size bound of the `--cache` directory (`--cache-max-mb`), in MiB. An entry is about
/// 600 bytes per finding plus 60 (a template without findings or diagnostics: 28 bytes), so
/// 512 MiB holds results for hundreds of thousands of templates; past the bound the oldest
/// segment files (by modification time) are evicted.
inline constexpr std::uint64_t kDefaultCacheMaxMb = 512;

/// Largest cache entry stored or read, in bytes (one file's outcome). Larger outcomes are not
/// cached (the file is checked on every run), and a record claiming more makes its segment
/// corrupt (ignored, recomputed).
inline constexpr std::size_t kMaxCacheEntryBytes = 64u << 20;

/// A cache segment file is written once the entries buffered by a run pass this size, in
/// bytes; the rest are written at the end of the run. Bounds the memory a cold run uses for
/// entries not yet written.
inline constexpr std::size_t kCacheSegmentBytes = 32u << 20;

/// Largest cache segment file read, in bytes: a full buffer plus one entry plus framing. A
/// larger file in the cache directory is treated as corrupt (ignored and removed), so a
/// damaged or foreign file cannot make polc read gigabytes.
inline constexpr std::size_t kMaxCacheSegmentBytes = kCacheSegmentBytes + kMaxCacheEntryBytes + 64;

/// Segment files of one policy set (cache context) above which a run compacts them: the
/// entries it used and wrote go to one new segment, the others to an older-dated one (evicted
/// first), and the old segments are removed. Each run that computes something adds a segment,
/// and a run reads all segments of its context, so this bounds the files opened per run.
inline constexpr std::size_t kMaxCacheSegments = 16;

/// Largest report file `polc merge` reads, in bytes. A JSON finding is about 1 KB; 1 GiB holds a
/// million findings.
inline constexpr std::size_t kMaxMergeReportBytes = 1u << 30;

/// Most worker threads a scan starts, whatever `-j` asks (and never more than there are
/// files). Each worker holds a VM and a template; past the machine's cores more only cost
/// memory.
inline constexpr std::size_t kMaxWorkers = 256;

/// Bytes of template paths `polc check` keeps from its first walk over the arguments (which
/// finds the policies among them). A tree whose paths fit (some 15,000 files) is walked once;
/// a larger one is walked again as it is scanned, so memory does not grow with the tree.
inline constexpr std::size_t kMaxBufferedPathBytes = 1u << 20;

/// Most files the scanner has taken but not yet passed on in order. Outcomes are passed on in
/// file order, so a slow file holds back the ones after it; workers wait rather than run ahead
/// without bound, which keeps memory flat however many files follow a large one.
inline constexpr std::size_t kMaxPendingOutcomes = 64;

/// Bytes of outcomes `polc check` holds in memory while its one pass over the files runs
/// (engine/scan/held_outcomes.h): no outcome is passed on before the link plan is complete,
/// because any later file may link to an earlier one. Past this, outcomes go to a temporary
/// file, so memory stays bounded however many files and findings there are. Counted as the
/// outcomes' approximate heap bytes (`HeldOutcomes::charge`).
inline constexpr std::size_t kHeldOutcomeMemoryBytes = 32u << 20;

/// Most directory fds one file walk (a `FileWalker`, all its arguments together) keeps open.
/// A directory is opened relative to its parent's fd, which saves resolving the whole path
/// again; past this many open parents (a tree deeper than this, or many arguments walked side
/// by side) directories are opened by path instead, so the walk never uses more than this plus
/// one fd, far below the usual 1024 soft limit, leaving room for the scanner's files.
inline constexpr std::size_t kMaxWalkDirFds = 32;

/// Bytes a streaming report keeps in memory for each section it writes out of order (the JSON
/// `errors`, the SARIF `results`, the JUnit suites); past it the section goes to a temporary
/// file, so a report of any size needs no more memory than this.
inline constexpr std::size_t kReportSpoolMemoryBytes = 256u << 10;

/// Linked templates (engine/stack_links.h): at most this many templates are loaded to check one
/// linked template (its neighbourhood); past it a warning names the templates left out.
inline constexpr std::size_t kMaxLinkedTemplates = 64;

/// Links followed to resolve one value across templates (an import of an export whose value is
/// a parameter a parent passes, ...): bounds cycles of nested stacks and re-exports.
inline constexpr int kMaxLinkDepth = 16;

}  // namespace polc
