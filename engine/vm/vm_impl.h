// Private state of `Vm`, shared by engine/vm/vm.cpp (the interpreter loop and the condition
// search), engine/vm/vm_findings.cpp (reporting findings, evaluate_policy), engine/vm/vm_data.cpp
// (resolving template values, comparisons, text), engine/vm/vm_params.cpp (parameters, linked
// stacks, node locations), engine/vm/vm_builtins.cpp (the builtin functions) and
// engine/vm/vm_refs.cpp (the reference graph).
#pragma once
#include <string.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/base/arena.h"
#include "engine/load/stack_links.h"
#include "engine/vm/condition_model.h"
#include "engine/vm/coverage.h"
#include "engine/vm/vm.h"

namespace polc {

/// The first occurrence of `needle` in `hay` at or after `from`, or npos: glibc's memmem, the
/// two-way algorithm, linear in the sizes (std::string_view::find is O(n*m) in the worst case).
inline std::size_t find_linear(std::string_view hay, std::string_view needle, std::size_t from) {
  if (from > hay.size()) return std::string_view::npos;
  if (needle.empty()) return from;
  // Also keeps memmem from an empty string's null data pointer (undefined behaviour).
  if (hay.size() - from < needle.size()) return std::string_view::npos;
  const void* at = ::memmem(hay.data() + from, hay.size() - from, needle.data(), needle.size());
  return at ? static_cast<std::size_t>(static_cast<const char*>(at) - hay.data())
            : std::string_view::npos;
}

/// A finding as one leaf of the condition search produced it.
struct RawFinding {
  std::uint32_t resource = kNoIndex;  // logical ID of this resource
  std::uint32_t offset = 0;           // template byte offset of the location
  bool has_offset = false;
  std::string path;  // property path below the resource, "" at the resource
  std::string message;
  struct Related {
    std::uint32_t offset;  // in `tmpl`
    std::string message;
    const Template* tmpl;  // the subject's template, or a linked one
  };
  std::vector<Related> related;
  Outcome outcome = Outcome::kFail;
  std::uint16_t site = 0;
  /// Literals beyond the run's assignment that the finding holds under: those of the items of
  /// guarded loops (`Vm::Impl::iter_next_guarded`) it was reported in. Empty outside them.
  CondClause guard;
};

enum class VmStatus : std::uint8_t { kOk, kFork, kError };

/// The builtins' ids (engine/program/builtins.def): `kB_name`.
enum BuiltinId : std::uint8_t {
#define BUILTIN(name, lo, hi, sig, doc) kB_##name,
#include "engine/program/builtins.def"
#undef BUILTIN
};

/// The VM's value stack: the subset of `std::vector<Val>` the interpreter uses, with pushes
/// and pops that inline (the interpreter checks the depth against kMaxVmStack before each
/// instruction, so the storage, reserved once, grows only in `grow`).
class ValStack {
 public:
  void reserve(std::size_t n) {
    if (n > items_.size()) items_.resize(n);
  }
  std::size_t size() const { return size_; }
  Val* data() { return items_.data(); }
  Val& operator[](std::size_t i) { return items_[i]; }
  Val& back() { return items_[size_ - 1]; }
  [[gnu::always_inline]] void push_back(Val v) {
    if (size_ == items_.size()) grow(size_ + 1);
    items_[size_++] = v;
  }
  /// `push_back` without the capacity check, for the interpreter: it checks before each
  /// instruction that the stack is kMaxVmStack - 8 deep at most, and `Vm` reserves kMaxVmStack
  /// + 16 slots, so an instruction's one push always has room.
  [[gnu::always_inline]] void push(Val v) { items_[size_++] = v; }
  void pop_back() { --size_; }
  /// Drops the values above the first `n` (`n <= size()`).
  [[gnu::always_inline]] void truncate(std::size_t n) { size_ = n; }
  void clear() { size_ = 0; }
  /// Like `std::vector::resize`: new slots are null.
  [[gnu::always_inline]] void resize(std::size_t n) {
    if (n > items_.size()) grow(n);
    for (std::size_t i = size_; i < n; ++i) items_[i] = Val();
    size_ = n;
  }

 private:
  [[gnu::noinline]] void grow(std::size_t n) { items_.resize(std::max(n, 2 * items_.size())); }
  std::vector<Val> items_;
  std::size_t size_ = 0;
};

struct Vm::Impl {
  Impl(const PolicySet& s, VmOptions o) : set(s), opts(o) {}

  const PolicySet& set;
  VmOptions opts;
  /// The template values are read from: the subject's, or, while a value of a linked template
  /// (engine/stack_links.h) is being read, that one (see `Context`).
  const Template* tmpl = nullptr;
  const CompiledPolicy* policy = nullptr;
  /// Linked templates of the current check, or nullptr.
  const StackWorld* world = nullptr;
  /// The templates values come from: [0] is the subject's. A `kNode` Val keeps its template's
  /// index here in `len`, a `kResource` Val in `integer`; `ctx` is the index of `tmpl`.
  std::vector<const Template*> contexts;
  std::uint32_t ctx = 0;
  int link_depth = 0;
  /// Switches `tmpl` to context `k` for the lifetime of the object.
  struct Context {
    Context(Impl& m, std::uint32_t k) : m_(m), saved_(m.ctx) { m.set_context(k); }
    ~Context() { m_.set_context(saved_); }
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

   private:
    Impl& m_;
    std::uint32_t saved_;
  };
  void set_context(std::uint32_t k) {
    ctx = k < contexts.size() ? k : 0;
    tmpl = contexts[ctx];
  }
  /// The context index of `t`, added when new.
  std::uint32_t context_of(const Template* t) {
    for (std::uint32_t i = 0; i < contexts.size(); ++i)
      if (contexts[i] == t) return i;
    contexts.push_back(t);
    return static_cast<std::uint32_t>(contexts.size() - 1);
  }
  /// The context a node or resource Val belongs to; the current one for other Vals.
  std::uint32_t context_of(Val v) const {
    if (v.kind == VKind::kNode) return v.len;
    if (v.kind == VKind::kResource) return static_cast<std::uint32_t>(v.integer);
    return ctx;
  }
  /// A node / resource Val of the current context.
  Val node_val(const Value* n) const {
    Val v = Val::of_node(n);
    v.len = ctx;
    return v;
  }
  Val resource_val(std::uint32_t index) const { return resource_val(index, ctx); }
  static Val resource_val(std::uint32_t index, std::uint32_t k) {
    Val v = Val::of_resource(index);
    v.integer = k;
    return v;
  }
  /// The value `target` of a linked template resolves to (in its context).
  Val resolve_linked(const LinkTarget& target);
  Arena arena;

  struct Frame {
    const Chunk* chunk;
    /// The instruction being run (the one to return to, in a caller): in `chunk->code`.
    const std::uint8_t* ip;
    std::size_t base;
    std::size_t pc() const { return static_cast<std::size_t>(ip - chunk->code.data()); }
  };
  ValStack stack;
  std::vector<Frame> frames;
  std::uint64_t steps = 0;
  std::uint64_t work =
      0;  // work units charged by builtins and string comparisons (kMaxVmWorkUnits)
  std::size_t memory_base = 0;  // `arena.used()` when the current evaluation started
  VmStatus status = VmStatus::kOk;
  std::string_view fork_condition;
  std::string error;
  std::string error_code;
  std::uint32_t error_offset = 0;  // policy-source offset
  std::uint32_t error_source = 0;
  CondClause assignment;
  bool uncertain = false;      // a `when` was unknown: later findings of this run are unknown
  bool check_unknown = false;  // the `require` being reported was unknown
  std::string_view assumed;    // "AWS::Partition is aws" when this run used an assumed value
  std::uint32_t subject = kNoIndex;
  std::vector<RawFinding> raw;

  // ---- interpreter (vm.cpp)
  bool execute(const Chunk& chunk, std::size_t base);
  template <bool kCoverage>
  bool execute_loop(const Chunk& chunk, std::size_t base);
  CoverageCounts* coverage = nullptr;  // `Vm::set_coverage`; not owned
  /// Charges `units` of work (bytes scanned; see kMaxVmWorkUnits) before a builtin or a string
  /// comparison does it. False, with a `vm-work` error, when the evaluation's budget is spent:
  /// the caller then returns without doing the work.
  bool charge(std::uint64_t units);
  void fail(std::string code, std::string message);
  void emit_report(std::uint16_t site, Val message, Val at, Val related);

  // ---- conditions (vm.cpp)
  /// 1 true, 0 false, -1 when a fork was requested (status set to kFork) or the condition
  /// work budget is spent (status set to kError).
  int cond_value(std::string_view name);
  void request_fork(std::string_view name);
  /// The solver of the current template's conditions (built on first use).
  ConditionModel& conditions();
  /// Counts one unit of condition work; false (and status kError) past kMaxConditionWork.
  bool spend_condition_work();
  std::unique_ptr<ConditionModel> model;
  const Template* model_tmpl = nullptr;
  std::uint64_t model_serial = 0;
  const DeploymentValues* model_deployment = nullptr;
  std::size_t condition_work = 0;     // per policy and subject
  std::uint64_t condition_steps = 0;  // VM steps of the runs of the search, per policy and subject
  std::vector<std::pair<std::string_view, int>> decided;  // implied by the run's assignment
  /// True from a failed `require` to its report: values computed then only describe the
  /// finding (its message, location and related notes), so a pending list names every
  /// candidate instead of forking on their conditions.
  bool reporting = false;
  /// The candidates of each `kPending` value of the run (cleared per run): the resource and the
  /// literals (named conditions and the values they need) under which it exists.
  struct Candidate {
    Val resource;
    CondClause needs;  // empty: exists under the run's assignment
  };
  std::vector<std::vector<Candidate>> pending;
  /// A condition's value under the run's assignment without forking: 1, 0, or -1 when both
  /// are possible; -2 (status kError) when the work budget or the solver failed.
  int peek_cond(std::string_view name);
  /// A condition's value when the run's assignment fixes it or the run has decided it: 1 or 0;
  /// -1 otherwise (without asking the solver).
  int known_cond(std::string_view name) const;
  /// A pending value as a list: the candidates whose conditions hold (forking on the undecided
  /// ones), or every candidate not ruled out while `reporting`.
  Val settle(Val v);
  /// Whether a pending value has an item: 1, 0, or -1 after a fork request on the disjunction
  /// of its candidates' conditions (or an error).
  int pending_nonempty(Val v);

  // ---- guarded values (vm_guards.cpp)
  /// A template list read as a property: pending (candidates with the literals they need) when
  /// some item is `Fn::If [C, Map, AWS::NoValue]` (or the reverse) with C undecided under the
  /// run's assignment and every other item is plain; otherwise the list node, as before.
  Val guarded_list(const Value* list);
  /// `a + b` where one side is pending and the other a list (or pending): a pending list of
  /// both sides' candidates, in order. Other operands: the ordinary `+`.
  Val concat_pending(Val a, Val b);
  /// ITER_INIT_GUARDED (a statement `for`): a pending collection is visited item by item, each
  /// under the literals it needs, pushed onto `assignment` for the body and popped after it;
  /// other collections as ITER_INIT. The body's findings hold under the pushed literals
  /// (RawFinding::guard) and its condition decisions are made with them.
  void iter_init_guarded(std::size_t base, std::uint8_t slot, Val coll);
  /// The next item of a guarded loop whose literals are feasible with the assignment, pushing
  /// them; false (literals popped, loop ended) when none is left or on an error.
  bool iter_next_guarded(std::size_t base, std::uint8_t slot, Val& item);
  struct GuardLoop {
    std::size_t frame;     // frames.size() of the loop's chunk
    std::uint8_t slot;     // its iterator slot
    std::size_t literals;  // assignment.size() before its items' literals
    std::size_t decided;   // decided.size() likewise
  };
  std::vector<GuardLoop> guard_loops;  // innermost last; cleared per run
  std::size_t run_literals = 0;        // assignment.size() of the run itself (the leaf)

  // ---- data (vm_data.cpp)
  /// Resolves a template node: follows Fn::If (may fork), turns AWS::NoValue into null,
  /// parameters into their default or unknown, computes what can be computed offline, and
  /// returns scalars as VM scalars. Lists, maps and reference intrinsics stay `kNode`.
  Val resolve_node(const Value* n);
  [[gnu::always_inline]] Val resolve(Val v) {
    if (v.kind == VKind::kPending) return settle(v);
    if (v.kind != VKind::kNode) return v;
    // What `resolve_node` gives for a scalar or a list, without the call: only a map can be an
    // intrinsic function (a list stays the node it is, in its own context).
    switch (v.node->kind) {
      case ValueKind::kNull:
        return Val::null();
      case ValueKind::kBool:
        return Val::of_bool(v.node->boolean);
      case ValueKind::kInt:
        return Val::of_int(v.node->integer);
      case ValueKind::kFloat:
        return Val::of_float(v.node->number);
      case ValueKind::kString:
        return Val::of_string(v.node->str());
      case ValueKind::kList:
        if (v.len < contexts.size()) return v;
        break;
      case ValueKind::kMap:
        break;
    }
    if (v.len == ctx) return resolve_node(v.node);
    Context c(*this, v.len);
    return resolve_node(v.node);
  }
  /// The value of `Ref: name` for a parameter or pseudo parameter (unknown for a resource).
  Val ref_value(std::string_view name);
  /// A pseudo parameter's value: configured (a global slot of that name, from
  /// `--pseudo-parameter`), else the commercial partition's for AWS::Partition and
  /// AWS::URLSuffix (noting the assumption in `assumed`), else unknown.
  Val pseudo_value(std::string_view name);
  /// The value of a property read from the template: like `resolve_node`, but scalars written
  /// in the template and unknown intrinsic results stay `kNode`, keeping their location.
  Val located(const Value* v);
  /// A parameter's value fixed by the condition assignment (the literal of an `Fn::Equals`
  /// condition that holds), `&kUnknownParameter` when the assignment rules out the default,
  /// or nullptr when the assignment says nothing about it.
  const Value* implied_parameter(std::string_view name, const Parameter& p);
  static const Value kUnknownParameter;
  /// The items of a collection (absent items dropped); nullptr when `v` is not a list.
  /// Maps give their keys when `map_keys`, else their values.
  VList* to_list(Val v, bool map_keys);
  Val field(Val base, std::string_view name);
  Val index(Val base, Val idx);
  Val wildcard(Val base);
  /// A parameter value given as text (a deployment's value): a list for list types.
  Val parameter_text(const Parameter* p, std::string_view text);
  /// Three-valued equality: 1 equal, 0 different, -1 unknown.
  int equals(Val a, Val b, int depth = 0);
  /// Ordering: -1/0/1, or 2 when incomparable, 3 when unknown.
  int compare(Val a, Val b);
  /// 1 true, 0 false, -1 unknown; -2 when not a truth value (type error).
  int truth(Val v);
  /// `truth`, with a boolean (most conditions) answered inline.
  [[gnu::always_inline]] int truth_of(Val v) {
    return v.kind == VKind::kBool ? (v.boolean ? 1 : 0) : truth(v);
  }
  std::string text(Val v, int depth = 0);
  bool number_of(Val v, double& out);
  Val make_string(std::string_view s) { return Val::of_string(arena.copy(s)); }
  VList* new_list(std::uint32_t capacity);
  void list_push(VList* l, Val v);
  Val member(Val needle, Val haystack);
  Val arith(Opcode op, Val a, Val b);

  // ---- subjects (vm_findings.cpp)
  /// The resources subject rule `rule` of `policy` runs over in `t` (those whose type matches
  /// the rule's), in document order; nullptr when `policy` is not one of the set's (the caller
  /// then matches the types itself). Computed once per template for every rule of the set: one
  /// type lookup per resource, instead of one per policy and rule.
  const std::vector<std::uint32_t>* subjects(const CompiledPolicy& policy, std::size_t rule,
                                             const Template& t);
  /// Fills `subject_hits` for `t` (and, on the first call, the index of the set's rules).
  [[gnu::noinline]] void index_subjects(const Template& t);
  /// Per policy of `set`: the index of its first subject rule in `rule_type`.
  std::vector<std::uint32_t> rule_base;
  /// Per subject rule of `set`: its type's index in `subject_hits`.
  std::vector<std::uint32_t> rule_type;
  /// The distinct exact types of the set's subject rules, and the distinct wildcard patterns
  /// (with their indices in `subject_hits`).
  std::unordered_map<std::string_view, std::uint32_t> exact_types;
  std::vector<std::pair<std::string_view, std::uint32_t>> wildcard_types;
  /// Per distinct rule type: the resources of `subjects_tmpl` it matches.
  std::vector<std::vector<std::uint32_t>> subject_hits;
  const Template* subjects_tmpl = nullptr;
  std::uint64_t subjects_serial = 0;

  // ---- builtins (vm_builtins.cpp)
  Val call_builtin(std::uint8_t id, Val* args, int argc);
  /// The commonest builtins, which only look at the kind of their first argument (`is_unknown`,
  /// `exists`, `is_string`, `is_number`, `is_bool`, `is_list`, `default`): their result in
  /// `out`, and true, without the call of `call_builtin` (the interpreter asks first, and so does
  /// `call_builtin`). False for the other builtins, and for a pending first argument of
  /// `is_string`, `is_number`, `is_bool` and `default` (settled by `call_builtin`).
  [[gnu::always_inline]] bool quick_builtin(std::uint8_t id, const Val* args, Val& out) {
    const Val a = args[0];
    switch (id) {
      case kB_is_unknown:
        // A pending list is a list, maybe empty: known, and a list.
        out = Val::of_bool(a.kind != VKind::kPending && resolve(a).kind == VKind::kUnknown);
        return true;
      case kB_exists: {
        if (a.kind == VKind::kPending) {
          out = Val::of_bool(true);
          return true;
        }
        // A template value that cannot be computed offline (a parameter without a default,
        // Fn::ImportValue, ...) still exists at deploy time: only Fn::If and AWS::NoValue make a
        // value absent, and those are resolved. An unknown computed by the policy stays unknown.
        const Val v = resolve(a);
        out = v.kind != VKind::kUnknown ? Val::of_bool(!v.is_null())
              : a.kind == VKind::kNode  ? Val::of_bool(true)
                                        : v;
        return true;
      }
      case kB_default:
        // The argument itself, not its resolved value: a template node stays one, so that `at`
        // points at the value the policy read (as for the fallback, args[1]).
        if (a.kind == VKind::kPending) return false;
        out = resolve(a).is_null() ? args[1] : a;
        return true;
      case kB_is_string:
      case kB_is_number:
      case kB_is_bool:
      case kB_is_list: {
        if (a.kind == VKind::kPending) {
          if (id != kB_is_list) return false;
          out = Val::of_bool(true);
          return true;
        }
        const Val v = resolve(a);
        if (status != VmStatus::kOk)
          out = Val::null();
        else if (v.kind == VKind::kUnknown)
          out = v;
        else if (id == kB_is_string)
          out = Val::of_bool(v.kind == VKind::kString);
        else if (id == kB_is_number)
          out = Val::of_bool(v.kind == VKind::kInt || v.kind == VKind::kFloat);
        else if (id == kB_is_bool)
          out = Val::of_bool(v.kind == VKind::kBool);
        else
          out = Val::of_bool(v.kind == VKind::kList ||
                             (v.kind == VKind::kNode && v.node->kind == ValueKind::kList));
        return true;
      }
      default:
        return false;
    }
  }
  static bool is_count_builtin(std::uint8_t id);
  Val referrers(std::uint32_t resource, std::string_view type, std::string_view path);
  void collect_refs(const Value* v, VList* out, int depth);
  /// For a template node whose value is unknown: false when its value is certainly not
  /// empty (a pseudo parameter, a parameter whose type or constraints exclude "", an Fn::Sub
  /// with literal text, ...), true when it may be.
  bool unknown_may_be_empty(const Value* n);
  /// The resource a raw Ref / GetAtt node names, or kNoIndex.
  std::uint32_t ref_target(const Value* n);
  /// The logical ID of the resource containing template offset `offset` (by resource node span),
  /// and the property path of `node` below it, when found.
  std::string path_of(const Value* node, std::uint32_t resource);
  /// `path_of`'s depth-first stack: an open map or list and the index of the child visited.
  struct PathStep {
    const Value* v;
    std::uint32_t next;  // children [0, next) are still to visit
  };
  std::vector<PathStep> path_stack;  // reused by every call
  /// The resource whose map holds `node` (the last resource starting at or before the node's
  /// offset, confirmed by `path_of`), or kNoIndex.
  std::uint32_t resource_containing(const Value* node);

  // ---- IAM builtins (vm_builtins_iam.cpp): list_of, iam_actions, iam_match
  Val builtin_list_of(Val v);
  Val builtin_iam_actions(Val* args, int argc);
  Val builtin_iam_match(Val* args, int argc);
  /// The patterns of an IAM Action-like value (a string or a list; other items are no
  /// patterns) appended to `out`; the first unknown one (or the value, when unknown) in
  /// `unknown`. False when resolving forked or failed (status set).
  bool iam_patterns(Val v, std::vector<std::string_view>& out, Val& unknown);
};

}  // namespace polc
