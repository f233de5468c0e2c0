// Private state of `Vm`, shared by engine/vm/vm.cpp (the interpreter loop and the condition
// search), engine/vm/vm_data.cpp (resolving template values, comparisons, text) and
// engine/vm/vm_builtins.cpp (the builtin functions).
#pragma once
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/arena.h"
#include "engine/vm/vm.h"

namespace polc {

/// A finding as one leaf of the condition search produced it.
struct RawFinding {
  std::uint32_t resource = kNoIndex;  // logical ID of this resource
  std::uint32_t offset = 0;           // template byte offset of the location
  bool has_offset = false;
  std::string path;  // property path below the resource, "" at the resource
  std::string message;
  std::vector<std::pair<std::uint32_t, std::string>> related;  // template offset, message
  Outcome outcome = Outcome::kFail;
  std::uint16_t site = 0;
};

enum class VmStatus : std::uint8_t { kOk, kFork, kError };

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
  void pop_back() { --size_; }
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
  const Template* tmpl = nullptr;
  const CompiledPolicy* policy = nullptr;
  Arena arena;

  struct Frame {
    const Chunk* chunk;
    std::size_t pc;
    std::size_t base;
  };
  ValStack stack;
  std::vector<Frame> frames;
  std::uint64_t steps = 0;
  std::size_t memory_base = 0;  // `arena.used()` when the current evaluation started
  VmStatus status = VmStatus::kOk;
  std::string_view fork_condition;
  std::string error;
  std::string error_code;
  std::uint32_t error_offset = 0;  // policy-source offset
  std::uint32_t error_source = 0;
  std::vector<std::pair<std::string_view, bool>> assignment;
  bool uncertain = false;      // a `when` was unknown: later findings of this run are unknown
  bool check_unknown = false;  // the `require` being reported was unknown
  std::uint32_t subject = kNoIndex;
  std::vector<RawFinding> raw;

  // ---- interpreter (vm.cpp)
  bool execute(const Chunk& chunk, std::size_t base);
  void fail(std::string code, std::string message);
  void emit_report(std::uint16_t site, Val message, Val at, Val related);

  // ---- conditions (vm.cpp)
  /// 1 true, 0 false, -1 when a fork was requested (status set to kFork).
  int cond_value(std::string_view name, int depth = 0);
  int eval_cond_expr(const Value* v, int depth);
  bool cond_is_derived(const Value* v, int depth) const;
  void request_fork(std::string_view name);

  // ---- data (vm_data.cpp)
  /// Resolves a template node: follows Fn::If (may fork), turns AWS::NoValue into null,
  /// parameters into their default or unknown, computes what can be computed offline, and
  /// returns scalars as VM scalars. Lists, maps and reference intrinsics stay `kNode`.
  Val resolve_node(const Value* n);
  Val resolve(Val v) { return v.kind == VKind::kNode ? resolve_node(v.node) : v; }
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
  /// Three-valued equality: 1 equal, 0 different, -1 unknown.
  int equals(Val a, Val b, int depth = 0);
  /// Ordering: -1/0/1, or 2 when incomparable, 3 when unknown.
  int compare(Val a, Val b);
  /// 1 true, 0 false, -1 unknown; -2 when not a truth value (type error).
  int truth(Val v);
  std::string text(Val v, int depth = 0);
  bool number_of(Val v, double& out);
  Val make_string(std::string_view s) { return Val::of_string(arena.copy(s)); }
  VList* new_list(std::uint32_t capacity);
  void list_push(VList* l, Val v);
  Val member(Val needle, Val haystack);
  Val arith(Opcode op, Val a, Val b);

  // ---- builtins (vm_builtins.cpp)
  Val call_builtin(std::uint8_t id, Val* args, int argc);
  Val referrers(std::uint32_t resource, std::string_view type, std::string_view path);
  void collect_refs(const Value* v, VList* out, int depth);
  /// The resource a raw Ref / GetAtt node names, or kNoIndex.
  std::uint32_t ref_target(const Value* n);
  /// The logical ID of the resource containing template offset `offset` (by resource node span),
  /// and the property path of `node` below it, when found.
  std::string path_of(const Value* node, std::uint32_t resource);
};

}  // namespace polc
