// ConditionModel: what the named conditions of one template can be, for the VM's search over
// condition assignments and for the conditions stated on findings.
//
// Each named condition of the template (`Conditions:`) becomes a binary decision diagram over
// the values of the parameters it compares. A parameter (or pseudo parameter) that some
// `Fn::Equals` compares with constants is a finite-domain variable: its domain is its
// `AllowedValues` when it declares them (compared as strings, as CloudFormation compares),
// otherwise the constants it is compared with plus "any other value". So `Fn::Equals` of one
// parameter with different constants are exclusive, and AllowedValues bound what a parameter
// can be. `Fn::Not`, `Fn::And`, `Fn::Or` and `Condition` nest. An equality polc cannot decide
// (two parameters, an `Fn::Select` or `Fn::Join` of a parameter, ...) is a free atom: a boolean
// of its own, one per distinct expression. A condition name the template does not declare is
// a free atom too. A parameter with a value given for the deployment (`polc check --parameter`,
// a parameter file) is that value.
//
// The solver is BuDDy (Debian's libbdd-dev). BuDDy keeps one global node table, so every
// operation, including the construction and destruction of a model, holds one process-wide
// mutex; models are small and queries take microseconds (bench/conditions_bench.cpp).
//
// Thread-safety: a model may be used from one thread at a time; different models from
// different threads (they serialize on the mutex).
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/model/template.h"

namespace polc {

/// An assignment of named conditions: (condition name, value) pairs.
using CondClause = std::vector<std::pair<std::string_view, bool>>;

class ConditionModel {
 public:
  /// Builds the diagrams of every named condition of `tmpl` (which must outlive the model).
  explicit ConditionModel(const Template& tmpl);
  ~ConditionModel();

  /// True once some model of this process made enough diagram nodes (a large condition
  /// problem) for BuDDy's operation caches to grow from 10,000 entries to the node table's size.
  static bool solver_caches_grown();
  ConditionModel(const ConditionModel&) = delete;
  ConditionModel& operator=(const ConditionModel&) = delete;

  /// False when the solver ran out of nodes (kMaxConditionBddNodes); every query then answers
  /// "undecided" and the caller reports its result incomplete.
  bool ok() const;

  /// Sets the assignment later queries are made under (cached: setting the same one is free).
  /// Names not declared by the template are free atoms.
  void set_assignment(const CondClause& assignment);
  /// True when some parameter values produce the current assignment.
  bool feasible();
  /// The value condition `name` must have under the current assignment: 1 or 0, or -1 when
  /// both are possible (the caller forks), -2 when the solver failed.
  int decide(std::string_view name);

  /// A condition of the model's own that holds when some clause of `disjuncts` does (each a
  /// conjunction of named conditions' values): the existence of one of several resources under
  /// different conditions. Returns its name ("A or B and not C"), owned by the model and equal
  /// for equal disjuncts, which `decide` and assignments accept like a template condition's;
  /// `simplify` states it in the template's names.
  std::string_view any_of(const std::vector<CondClause>& disjuncts);

  /// What the current assignment says of parameter `name`: kFixed with `value` set when it
  /// can have only one value, kExcluded when `candidate` (its default, as text) is ruled out,
  /// else kFree. Only parameters that conditions compare are known here.
  enum class ParamFact { kFree, kFixed, kExcluded };
  ParamFact parameter(std::string_view name, std::string_view candidate, std::string& value);

  /// The simplest formula, in the template's own condition names, of "some assignment of
  /// `holds` happens", where `explored` lists every assignment the search ran (together they
  /// cover every feasible combination). Empty with `always` set when it is every feasible
  /// combination. Tried in order: one condition name or its negation; otherwise the clauses of
  /// `holds`, each with the literals dropped that the others and infeasibility make redundant,
  /// and clauses implied by the others dropped.
  std::vector<CondClause> simplify(const std::vector<CondClause>& explored,
                                   const std::vector<const CondClause*>& holds, bool& always);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// Checks the values given for a deployment against the template's parameter declarations:
/// a key the template does not declare (pseudo parameters `AWS::...` aside), a value outside
/// `AllowedValues`, not matching `AllowedPattern` (whole value, RE2), shorter than `MinLength`
/// or longer than `MaxLength` (bytes), or outside `MinValue`/`MaxValue` is an error naming the
/// origin (file) and key, located at the parameter's declaration. Items of a list parameter
/// are checked one by one. True when no error was added.
bool validate_deployment(const Template& tmpl, const DeploymentValues& values,
                         std::vector<Diagnostic>& out);

/// Reads parameter values from `path` into `out` (later files and keys override earlier ones),
/// in any of: the AWS CLI format `[{"ParameterKey": K, "ParameterValue": V}, ...]`, the
/// CodePipeline template configuration `{"Parameters": {K: V}}`, or an AWS CloudFormation Git
/// sync deployment file (`template-file-path`, `parameters: {K: V}`, `tags`). JSON or YAML.
/// False, with a positioned error in `diags`, when the file cannot be read or has another shape.
/// `template_file`, when given, receives a Git sync file's `template-file-path` (as written).
bool read_parameter_file(const std::string& path, DeploymentValues& out, Diagnostics& diags,
                         std::string* template_file = nullptr);

/// CloudFormation's text of a scalar template value: strings as written, numbers and booleans
/// as CloudFormation passes them to `Fn::Equals` ("443", "true"). False for lists and maps.
bool scalar_text(const Value* v, std::string& out);

}  // namespace polc
