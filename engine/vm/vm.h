// Stage engine/vm (above program): the interpreter: template data as the VM sees it (lazy
// resolution of intrinsics under a condition assignment), the builtins, three-valued logic, and
// the search over condition assignments.
//
// Vm: runs compiled policies over one template.
//
// A Vm is re-entrant and owns all of its mutable state (value stack, call frames, step counter,
// evaluation arena, condition assignment). Use one Vm per worker thread; any number of Vms may
// share one frozen `PolicySet` and one `Template`.
//
// Conditions. Template values can depend on conditions (`Fn::If`, a resource's `Condition`).
// The VM runs a rule under a partial assignment of condition values. When it needs a
// condition the assignment does not fix, it stops with a *fork request*; `evaluate_policy`
// then re-runs the rule under both values. Each leaf of that search yields findings; a finding
// present in only some leaves carries the condition clauses under which it holds. The search
// runs only over combinations the template's parameters can produce (engine/condition_model.h),
// and is bounded by `kMaxConditionWork`; past it the result is reported as incomplete.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/base/finding.h"
#include "engine/model/template.h"
#include "engine/program/bytecode.h"

namespace polc {

class StackWorld;
struct CoverageCounts;

/// What one policy produced on one template.
struct PolicyOutput {
  std::vector<Finding> findings;   // merged over condition leaves, not yet suppressed or sorted
  std::vector<Diagnostic> diagnostics;  // runtime errors and limits, located in the policy and template
  bool incomplete = false;  // a limit or runtime error stopped part of the evaluation
};

/// Options that change evaluation without changing results (for differential tests).
struct VmOptions {
  std::uint64_t max_steps = 0;  // 0: kMaxVmSteps
  /// Remember the results of pure helper-function calls per template (engine/vm/vm_memo.cpp);
  /// false runs every call.
  bool memo_calls = true;
};

class Vm {
 public:
  explicit Vm(const PolicySet& set, VmOptions options = {});
  ~Vm();
  Vm(const Vm&) = delete;
  Vm& operator=(const Vm&) = delete;

  /// Runs `policy` over `tmpl` and appends its findings and diagnostics to `out`. The set must
  /// be frozen. Never throws; never aborts the scan.
  void evaluate_policy(const CompiledPolicy& policy, const Template& tmpl, PolicyOutput& out);

  /// Forgets everything allocated for the previous template. Call between templates.
  void reset();

  /// The linked templates (engine/stack_links.h) the next evaluations see besides their own:
  /// imports, parameters passed by a parent stack and nested stacks' outputs resolve into them,
  /// and `referrers` finds their resources. nullptr (the default): each template alone. Not
  /// owned; must outlive the evaluations.
  void set_world(const StackWorld* world);

  /// Counts every instruction this Vm executes, and every conditional jump it takes, into
  /// `counts` (engine/vm/coverage.h), which must have been made for this Vm's `PolicySet` and
  /// outlive the evaluations; nullptr (the default) counts nothing and costs nothing. Not owned;
  /// one `CoverageCounts` per thread.
  void set_coverage(CoverageCounts* counts);

  /// How many call results the memo of pure function calls holds for the current template
  /// (at most kMaxVmMemoEntries), the bytes it keeps for them (at most kMaxVmMemoBytes), and how
  /// many calls it answered since the Vm was made. For tests.
  std::size_t memo_entries() const;
  std::size_t memo_bytes() const;
  std::uint64_t memo_hits() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// True when resource type `type` matches `pattern` (`*` matches any run of characters).
bool type_matches(std::string_view pattern, std::string_view type);

}  // namespace polc
