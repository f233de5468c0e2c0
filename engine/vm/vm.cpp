// The interpreter loop and the search over condition assignments. See engine/vm/vm.h.
#include "engine/vm/vm.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "engine/base/limits.h"
#include "engine/base/message_text.h"
#include "engine/program/builtins.h"
#include "engine/vm/vm_impl.h"

namespace polc {

bool type_matches(std::string_view pattern, std::string_view type) {
  // Most patterns are plain type names: compare them directly (`referrers` and `resources`
  // test every candidate resource).
  if (pattern.find('*') == std::string_view::npos) return pattern == type;
  // Iterative glob with `*` only.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < type.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == type[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Vm::Vm(const PolicySet& set, VmOptions options) : impl_(std::make_unique<Impl>(set, options)) {
  impl_->stack.reserve(kMaxVmStack + 16);
}
Vm::~Vm() = default;

void Vm::reset() {
  impl_->arena.reset();
  impl_->model.reset();
  impl_->model_tmpl = nullptr;
  impl_->memo_tmpl = nullptr;  // the next evaluation empties the memo
}

// ---------------------------------------------------------------------------------------------
// Conditions

void Vm::Impl::request_fork(std::string_view name) {
  if (status == VmStatus::kOk) {
    status = VmStatus::kFork;
    fork_condition = name;
  }
}

ConditionModel& Vm::Impl::conditions() {
  if (!model || model_tmpl != tmpl || model_serial != tmpl->serial() ||
      model_deployment != tmpl->deployment()) {
    model.reset();
    model = std::make_unique<ConditionModel>(*tmpl);
    model_tmpl = tmpl;
    model_serial = tmpl->serial();
    model_deployment = tmpl->deployment();
  }
  return *model;
}

bool Vm::Impl::spend_condition_work() {
  ++impure;
  if (condition_steps > kMaxConditionSearchSteps) {
    fail("condition-work", "the search over condition combinations ran more than " +
                               std::to_string(kMaxConditionSearchSteps) +
                               " VM steps (kMaxConditionSearchSteps); the remaining "
                               "combinations were not checked");
    return false;
  }
  if (++condition_work <= kMaxConditionWork) return true;
  fail("condition-work", "the search over condition combinations exceeds " +
                             std::to_string(kMaxConditionWork) +
                             " units of solver work (kMaxConditionWork); the remaining "
                             "combinations were not checked");
  return false;
}

// A condition's value under the run's assignment: fixed by it, implied by it (the solver finds
// only one value possible), or else a fork request. Forks are on the named condition the
// template reads (`Fn::If [Elsewhere, ...]`), never on the conditions it is defined from.
int Vm::Impl::cond_value(std::string_view name) {
  int r = peek_cond(name);
  if (r == -1) {
    const ConditionDecl* decl = tmpl->find_condition(name);
    request_fork(decl ? decl->name : name);
  }
  return r < 0 ? -1 : r;
}

int Vm::Impl::known_cond(std::string_view name) const {
  ++impure;
  for (const auto& [n, v] : assignment)
    if (n == name) return v ? 1 : 0;
  for (const auto& [n, v] : decided)
    if (n == name) return v;
  return -1;
}

int Vm::Impl::peek_cond(std::string_view name) {
  if (int k = known_cond(name); k >= 0) return k;
  if (!spend_condition_work()) return -2;
  ConditionModel& cm = conditions();
  cm.set_assignment(assignment);
  int r = cm.decide(name);
  if (r == -2) {
    fail("condition-solver", "the condition solver needs more than " +
                                 std::to_string(kMaxConditionBddNodes) +
                                 " nodes (kMaxConditionBddNodes)");
    return -2;
  }
  if (r >= 0) decided.emplace_back(name, r);
  return r;
}

Val Vm::Impl::settle(Val v) {
  ++impure;
  if (v.len >= pending.size()) return Val::of_list(new_list(0));
  const std::vector<Candidate>& cands = pending[v.len];
  VList* out = new_list(static_cast<std::uint32_t>(cands.size()));
  for (const Candidate& c : cands) {
    bool holds = true;
    for (const auto& [name, want] : c.needs) {
      int r = reporting ? peek_cond(name) : cond_value(name);
      if (r == -2 || (r < 0 && !reporting)) return Val::null();  // fork requested, or error
      if (r >= 0 && (r == 1) != want) {
        holds = false;
        break;
      }
    }
    if (holds) list_push(out, c.resource);
  }
  return Val::of_list(out);
}

int Vm::Impl::pending_nonempty(Val v) {
  ++impure;
  if (v.len >= pending.size()) return 0;
  std::vector<CondClause> disjuncts;
  for (const Candidate& c : pending[v.len]) {
    if (c.needs.empty()) return 1;
    disjuncts.push_back(c.needs);
  }
  if (disjuncts.empty()) return 0;
  if (disjuncts.size() == 1 && disjuncts[0].size() == 1) {
    int r = cond_value(disjuncts[0][0].first);
    return r < 0 ? -1 : (r == 1) == disjuncts[0][0].second;
  }
  if (!spend_condition_work()) return -1;
  std::string_view any = conditions().any_of(disjuncts);
  return cond_value(any);
}

// ---------------------------------------------------------------------------------------------
// The interpreter

void Vm::Impl::fail(std::string code, std::string message) {
  if (status == VmStatus::kError) return;
  status = VmStatus::kError;
  error_code = std::move(code);
  error = std::move(message);
  if (!frames.empty()) {
    const Frame& f = frames.back();
    const std::size_t pc = f.pc();
    error_offset = pc < f.chunk->offsets.size() ? f.chunk->offsets[pc] : 0;
    error_source = f.chunk->source;
  }
}

bool Vm::Impl::charge(std::uint64_t units) {
  work += units;
  if (work <= kMaxVmWorkUnits) return true;
  fail("vm-work", "evaluation exceeds " + std::to_string(kMaxVmWorkUnits) +
                      " units of work (kMaxVmWorkUnits: bytes scanned by builtins and string "
                      "comparisons)");
  return false;
}

// Coverage is chosen once per call, outside the loop: the loop without it has no coverage code
// at all (a separate instantiation), so an ordinary scan pays nothing for it.
bool Vm::Impl::execute(const Chunk& entry, std::size_t base) {
  return coverage ? execute_loop<true>(entry, base) : execute_loop<false>(entry, base);
}

namespace {
// The handlers of the computed-goto dispatch, by opcode byte: `bad` for any byte past the
// opcodes (the list ends with nullptr).
struct HandlerTable {
  const void* at[256];
};
template <typename... Labels>
HandlerTable handler_table(const void* bad, Labels... labels) {
  static_assert(sizeof...(Labels) == static_cast<std::size_t>(Opcode::kCount_) + 1);
  HandlerTable t;
  const void* const given[] = {labels...};
  for (std::size_t i = 0; i < 256; ++i)
    t.at[i] = i < static_cast<std::size_t>(Opcode::kCount_) ? given[i] : bad;
  return t;
}
}  // namespace

// Dispatch. With GCC and clang each handler ends in its own copy of the per-instruction checks
// and an indirect jump through a table of label addresses (computed goto: one branch site per
// handler, which the processor predicts from the handler it is in); elsewhere, or with
// POLC_VM_SWITCH_DISPATCH defined, one `switch` does the same. The instruction pointer and the
// frame's base live in locals; `Frame::ip` is written once per instruction, for `fail`.
#if (defined(__GNUC__) || defined(__clang__)) && !defined(POLC_VM_SWITCH_DISPATCH)
#define POLC_VM_COMPUTED_GOTO 1
#else
#define POLC_VM_COMPUTED_GOTO 0
#endif

template <bool kCoverage>
bool Vm::Impl::execute_loop(const Chunk& entry, std::size_t base) {
  const std::uint64_t max_steps = opts.max_steps ? opts.max_steps : kMaxVmSteps;
  if (frames.size() >= kMaxVmFrames) {
    fail("vm-frames",
         "call depth exceeds " + std::to_string(kMaxVmFrames) + " frames (kMaxVmFrames)");
    return false;
  }
  stack.resize(base + entry.num_locals);
  frames.push_back({&entry, entry.code.data(), base});
  const std::size_t entry_depth = frames.size();
  // The current frame, its base, the instruction pointer and the step count live in
  // locals: only a call or a return changes the frame (nothing else in the VM pushes or pops
  // frames), and `steps` is written back on every way out.
  Frame* fp = &frames.back();
  const std::uint8_t* ip = entry.code.data();
  std::size_t fbase = base;
  // The arena only grows during an evaluation: `used() - memory_base > limit` as one compare.
  // Lowered by the bytes of each remembered call taken from the memo (`memo_probe`).
  std::size_t memory_limit = memory_base + kMaxVmMemoryBytes;
  std::uint64_t step = steps;
  struct WriteBack {
    std::uint64_t& to;
    const std::uint64_t& from;
    ~WriteBack() { to = from; }
  } write_back{steps, step};
  [[maybe_unused]] std::uint64_t* jumped = nullptr;     // coverage: the taken count of this jump
  [[maybe_unused]] const std::uint8_t* fall = nullptr;  // coverage: the next instruction
  auto pop = [&] {
    Val v = stack.back();
    stack.pop_back();
    return v;
  };
  auto local = [&](std::size_t slot) -> Val& { return stack[fbase + slot]; };

#if POLC_VM_COMPUTED_GOTO
  // Indexed by any byte: one that is no opcode goes to `bad_opcode` (the verifier rejects such
  // code; the table keeps the interpreter inside its handlers whatever it is given).
  static const HandlerTable kHandlers = handler_table(&&bad_opcode,
#define OPCODE(name, operands, effect, doc) &&op_##name,
#include "engine/program/opcodes.def"
#undef OPCODE
                                                      nullptr);
#define VM_CASE(name) op_##name
#define VM_GO_TO_HANDLER() goto* kHandlers.at[*ip]
#else
#define VM_CASE(name) case Opcode::name
#define VM_GO_TO_HANDLER() goto dispatch
#endif
  // The checks before each instruction, then its handler. The memory and stack limits are
  // checked after the instructions that may allocate or grow the stack (`memory`, `stack`),
  // which is the same as before every instruction: the others neither allocate nor push.
#define VM_DISPATCH_AFTER(memory, stack_grew)                                  \
  do {                                                                         \
    fp->ip = ip;                                                               \
    if (++step > max_steps) goto too_many_steps;                               \
    if ((memory) && arena.used() > memory_limit) goto too_much_memory;         \
    if ((stack_grew) && stack.size() + 8 > kMaxVmStack) goto stack_too_deep;   \
    if constexpr (kCoverage) {                                                 \
      if (*ip >= static_cast<std::uint8_t>(Opcode::kCount_)) goto bad_opcode;  \
      const auto ci = static_cast<std::size_t>(fp->chunk - set.chunks.data()); \
      jumped = nullptr;                                                        \
      fall = ip + 1 + kOperandBytes[*ip];                                      \
      const std::size_t pc = fp->pc();                                         \
      if (ci < coverage->hits.size() && pc < coverage->hits[ci].size()) {      \
        ++coverage->hits[ci][pc];                                              \
        jumped = &coverage->jumps[ci][pc];                                     \
      }                                                                        \
    }                                                                          \
    VM_GO_TO_HANDLER();                                                        \
  } while (0)
#define VM_DISPATCH() VM_DISPATCH_AFTER(true, true)
  // Coverage counts a jump taken (the next instruction is not the one after it).
#define VM_COUNT_JUMP()                    \
  do {                                     \
    if constexpr (kCoverage)               \
      if (jumped && ip != fall) ++*jumped; \
  } while (0)
  // The end of an instruction that cannot fail, fork, allocate nor push: `ip` moves by `n`.
#define VM_NEXT(n)                   \
  do {                               \
    ip += (n);                       \
    VM_COUNT_JUMP();                 \
    VM_DISPATCH_AFTER(false, false); \
  } while (0)
  // The same for an instruction that pushes one value.
#define VM_PUSHED_NEXT(n)           \
  do {                              \
    ip += (n);                      \
    VM_DISPATCH_AFTER(false, true); \
  } while (0)
  // The end of an instruction that may have failed or requested a fork; `ip` already moved.
#define VM_CHECKED()                           \
  do {                                         \
    if (status != VmStatus::kOk) return false; \
    VM_COUNT_JUMP();                           \
    VM_DISPATCH();                             \
  } while (0)
#define VM_NEXT_CHECKED(n) \
  do {                     \
    ip += (n);             \
    VM_CHECKED();          \
  } while (0)

  VM_DISPATCH();
#if !POLC_VM_COMPUTED_GOTO
dispatch:
  switch (static_cast<Opcode>(*ip)) {
#else
  {
#endif
    VM_CASE(kConst) : {
      stack.push(fp->chunk->constant_vals[read_u16(ip + 1)]);
      VM_PUSHED_NEXT(3);
    }
    VM_CASE(kNull) : {
      stack.push(Val::null());
      VM_PUSHED_NEXT(1);
    }
    VM_CASE(kTrue) : {
      stack.push(Val::of_bool(true));
      VM_PUSHED_NEXT(1);
    }
    VM_CASE(kFalse) : {
      stack.push(Val::of_bool(false));
      VM_PUSHED_NEXT(1);
    }
    VM_CASE(kPop) : {
      stack.pop_back();
      VM_NEXT(1);
    }
    VM_CASE(kGetLocal) : {
      stack.push(local(ip[1]));
      VM_PUSHED_NEXT(2);
    }
    VM_CASE(kSetLocal) : {
      local(ip[1]) = pop();
      VM_NEXT(2);
    }
    VM_CASE(kGetGlobal) : {
      stack.push(set.global_vals[read_u16(ip + 1)]);
      VM_PUSHED_NEXT(3);
    }
    VM_CASE(kTemplate) : {
      stack.push(Val::of_node(tmpl->root()));
      VM_PUSHED_NEXT(1);
    }
    VM_CASE(kField) : {
      Val& top = stack.back();
      top = field(top, fp->chunk->constant_vals[read_u16(ip + 1)].str());
      VM_NEXT_CHECKED(3);
    }
    VM_CASE(kIndex) : {
      Val idx = pop();
      Val b = pop();
      stack.push(index(b, idx));
      VM_NEXT_CHECKED(1);
    }
    VM_CASE(kWildcard) : {
      stack.back() = wildcard(stack.back());
      VM_NEXT_CHECKED(1);
    }
    VM_CASE(kCallBuiltin) : {
      const int argc = ip[2];
      const std::size_t args_at = stack.size() - argc;
      if (Val quick; argc >= 1 && quick_builtin(ip[1], stack.data() + args_at, quick)) {
        stack.truncate(args_at);
        stack.push(quick);
        VM_NEXT_CHECKED(3);
      }
      // `count(x) > 0` (or `!= 0`, `== 0`, `<= 0`) of a pending list asks only whether one of
      // its candidates exists: one condition, the disjunction of theirs, instead of a fork on
      // each (2^n runs for n candidates under independent conditions).
      if (argc == 1 && stack.back().kind == VKind::kPending && is_count_builtin(ip[1]) &&
          static_cast<Opcode>(ip[3]) == Opcode::kConst) {
        const Val k = fp->chunk->constant_vals[read_u16(ip + 4)];
        const auto cmp = static_cast<Opcode>(ip[6]);
        if (k.kind == VKind::kInt && k.integer == 0 &&
            (cmp == Opcode::kGt || cmp == Opcode::kNe || cmp == Opcode::kEq ||
             cmp == Opcode::kLe)) {
          int r = pending_nonempty(stack.back());
          if (r < 0) VM_NEXT_CHECKED(3);  // fork or error: the run stops here
          stack.truncate(args_at);
          stack.push(Val::of_bool((r == 1) == (cmp == Opcode::kGt || cmp == Opcode::kNe)));
          VM_NEXT_CHECKED(3 + 4);
        }
      }
      Val r = call_builtin(ip[1], stack.data() + args_at, argc);
      stack.truncate(args_at);
      stack.push(r);
      VM_NEXT_CHECKED(3);
    }
    VM_CASE(kCall) : {
      const std::uint16_t callee_index = read_u16(ip + 1);
      const Chunk& callee = set.chunks[callee_index];
      const int argc = ip[3];
      fp->ip = ip + 4;
      const std::size_t callee_base = stack.size() - argc;
      if constexpr (!kCoverage) {
        // A pure call remembered for this template: its result, without running it.
        if (memo_chunk_ok[callee_index] && !reporting) {
          Val r;
          if (memo_probe(callee_index, stack.data() + callee_base, static_cast<std::uint32_t>(argc),
                         step, max_steps, memory_limit, r) == MemoProbe::kHit) {
            stack.truncate(callee_base);
            stack.push(r);
            ip += 4;
            VM_DISPATCH();
          }
        }
      }
      if (frames.size() >= kMaxVmFrames) {
        fail("vm-frames",
             "call depth exceeds " + std::to_string(kMaxVmFrames) + " frames (kMaxVmFrames)");
        return false;
      }
      stack.resize(callee_base + callee.num_locals);
      frames.push_back({&callee, callee.code.data(), callee_base});
      if constexpr (!kCoverage)
        if (!memo_calls.empty()) memo_note_call(callee_index, callee_base);
      fp = &frames.back();
      ip = callee.code.data();
      fbase = callee_base;
      VM_DISPATCH();
    }
    VM_CASE(kReturn) : {
      Val r = pop();
      if constexpr (!kCoverage)
        if (!memo_calls.empty() && memo_calls.back().depth == frames.size()) memo_store(r, step);
      stack.truncate(fbase);
      frames.pop_back();
      stack.push(r);
      if (frames.size() < entry_depth) return true;
      fp = &frames.back();
      ip = fp->ip;
      fbase = fp->base;
      VM_DISPATCH();
    }
    VM_CASE(kSaveUncertain) : {
      local(ip[1]) = Val::of_bool(uncertain);
      VM_NEXT(2);
    }
    VM_CASE(kRestoreUncertain) : {
      uncertain = local(ip[1]).is_true();
      VM_NEXT(2);
    }
    VM_CASE(kEnd) : {
      stack.truncate(fbase);
      frames.pop_back();
      return true;
    }
    VM_CASE(kJump) : VM_NEXT(3 + read_u16(ip + 1));
    VM_CASE(kLoop) : VM_NEXT(-static_cast<int>(read_u16(ip + 1)));
    VM_CASE(kJumpIfFalse) : {
      const int t = truth_of(pop());
      if (t == -2) fail("type", "condition is not a boolean");
      VM_NEXT_CHECKED(t != 1 ? 3 + read_u16(ip + 1) : 3);
    }
    VM_CASE(kJumpIfFalseKeep) : {
      const int t = truth_of(stack.back());
      if (t == -2) fail("type", "operand of 'and' is not a boolean");
      VM_NEXT_CHECKED(t == 0 ? 3 + read_u16(ip + 1) : 3);
    }
    VM_CASE(kJumpIfTrueKeep) : {
      const int t = truth_of(stack.back());
      if (t == -2) fail("type", "operand of 'or' is not a boolean");
      VM_NEXT_CHECKED(t == 1 ? 3 + read_u16(ip + 1) : 3);
    }
    // A pending list is a list (maybe empty), never unknown: no need to settle it here.
    VM_CASE(kJumpIfUnknownKeep)
        : VM_NEXT_CHECKED(stack.back().kind != VKind::kPending && truth_of(stack.back()) == -1
                              ? 3 + read_u16(ip + 1)
                              : 3);
    VM_CASE(kGuard) : {
      const int t = truth_of(pop());
      if (t == -2) fail("type", "'when' condition is not a boolean");
      if (t == -1) uncertain = true;
      VM_NEXT_CHECKED(t == 0 ? 3 + read_u16(ip + 1) : 3);
    }
    VM_CASE(kCheck) : {
      const int t = truth_of(pop());
      if (t == -2) fail("type", "'require' condition is not a boolean");
      if (t == -1) check_unknown = true;  // the report that follows is an "unknown" outcome
      if (t != 1) reporting = true;       // until the report
      VM_NEXT_CHECKED(t == 1 ? 3 + read_u16(ip + 1) : 3);
    }
    VM_CASE(kAnd) : VM_CASE(kOr) : {
      const bool is_and = static_cast<Opcode>(*ip) == Opcode::kAnd;
      Val b = pop();
      Val a = pop();
      const int ta = truth_of(a), tb = truth_of(b);
      if (ta == -2 || tb == -2) {
        fail("type", std::string("operand of '") + (is_and ? "and" : "or") + "' is not a boolean");
        VM_NEXT_CHECKED(1);
      }
      // Three-valued: the deciding value (false for `and`, true for `or`) wins over unknown;
      // the other value needs both operands.
      const int deciding = is_and ? 0 : 1;
      if (ta == deciding || tb == deciding)
        stack.push(Val::of_bool(!is_and));
      else if (ta == 1 - deciding && tb == 1 - deciding)
        stack.push(Val::of_bool(is_and));
      else
        stack.push(Val::unknown(is_and ? "unknown operand of 'and'" : "unknown operand of 'or'"));
      VM_NEXT_CHECKED(1);
    }
    VM_CASE(kNot) : {
      const int t = truth_of(stack.back());
      if (t == -2)
        fail("type", "operand of 'not' is not a boolean");
      else if (t == -1)
        stack.back() = Val::unknown("unknown operand of 'not'");
      else
        stack.back() = Val::of_bool(t == 0);
      VM_NEXT_CHECKED(1);
    }
    VM_CASE(kEq) : VM_CASE(kNe) : {
      const bool is_eq = static_cast<Opcode>(*ip) == Opcode::kEq;
      Val b = pop();
      Val a = pop();
      const int e = equals(a, b);
      if (e < 0)
        stack.push(Val::unknown("comparison with an unknown value"));
      else
        stack.push(Val::of_bool((e == 1) == is_eq));
      VM_NEXT_CHECKED(1);
    }
    VM_CASE(kLt) : VM_CASE(kLe) : VM_CASE(kGt) : VM_CASE(kGe) : {
      const auto op = static_cast<Opcode>(*ip);
      Val b = pop();
      Val a = pop();
      const int c = compare(a, b);
      if (c == 3) {
        stack.push(Val::unknown("comparison with an unknown value"));
      } else if (c == 2) {
        stack.push(Val::of_bool(false));
      } else {
        const bool r = op == Opcode::kLt   ? c < 0
                       : op == Opcode::kLe ? c <= 0
                       : op == Opcode::kGt ? c > 0
                                           : c >= 0;
        stack.push(Val::of_bool(r));
      }
      VM_NEXT_CHECKED(1);
    }
    VM_CASE(kIn) : {
      Val b = pop();
      Val a = pop();
      stack.push(member(a, b));
      VM_NEXT_CHECKED(1);
    }
    VM_CASE(kAdd) : VM_CASE(kSub) : VM_CASE(kMul) : VM_CASE(kDiv) : VM_CASE(kMod) : {
      const auto op = static_cast<Opcode>(*ip);
      if (op == Opcode::kAdd &&
          (stack.back().kind == VKind::kPending ||
           stack[stack.size() - 2].kind == VKind::kPending) &&
          !reporting) {
        Val b = pop();
        Val a = pop();
        stack.push_back(concat_pending(a, b));
        VM_NEXT_CHECKED(1);
      }
      Val b = pop();
      Val a = pop();
      stack.push(arith(op, a, b));
      VM_NEXT_CHECKED(1);
    }
    VM_CASE(kNeg) : {
      Val a = resolve(stack.back());
      if (a.kind == VKind::kInt)
        stack.back() =
            a.integer == INT64_MIN ? Val::unknown("integer overflow") : Val::of_int(-a.integer);
      else if (a.kind == VKind::kFloat)
        stack.back() = Val::of_float(-a.number);
      else if (a.kind == VKind::kUnknown)
        stack.back() = a;
      else
        stack.back() = Val::null();
      VM_NEXT_CHECKED(1);
    }
    VM_CASE(kList) : {
      const std::uint16_t n = read_u16(ip + 1);
      VList* l = new_list(n);
      for (std::size_t i = stack.size() - n; i < stack.size(); ++i) list_push(l, stack[i]);
      stack.truncate(stack.size() - n);
      stack.push(Val::of_list(l));
      VM_NEXT_CHECKED(3);
    }
    VM_CASE(kMap) : {
      const std::uint16_t n = read_u16(ip + 1);
      auto* m = arena.make<VMap>();
      auto keys = arena.array<Val>(n);
      auto vals = arena.array<Val>(n);
      const std::size_t at = stack.size() - 2 * n;
      for (std::uint16_t i = 0; i < n; ++i) {
        Val k = resolve(stack[at + 2 * i]);
        keys[i] = k.kind == VKind::kString ? k : make_string(text(k));
        vals[i] = stack[at + 2 * i + 1];
      }
      m->keys = keys.data();
      m->values = vals.data();
      m->size = n;
      stack.truncate(at);
      stack.push(Val::of_map(m));
      VM_NEXT_CHECKED(3);
    }
    VM_CASE(kIterInit) : {
      Val coll = pop();
      VList* l = to_list(coll, true);
      if (!l) l = new_list(0);
      local(ip[1]) = Val::of_list(l);
      local(ip[1] + 1) = Val::of_int(0);
      VM_NEXT_CHECKED(2);
    }
    VM_CASE(kIterInitGuarded) : {
      iter_init_guarded(fbase, ip[1], pop());
      VM_NEXT_CHECKED(2);
    }
    VM_CASE(kIterNext) : {
      Val& lv = local(ip[1]);
      Val& iv = local(ip[1] + 1);
      if (lv.kind == VKind::kPending) {
        Val item;
        if (iter_next_guarded(fbase, ip[1], item)) {
          stack.push(item);
          VM_NEXT_CHECKED(4);
        }
        VM_NEXT_CHECKED(4 + read_u16(ip + 2));
      }
      if (lv.kind == VKind::kList && iv.kind == VKind::kInt && iv.integer >= 0 &&
          iv.integer < lv.list->size) {
        stack.push(lv.list->items[iv.integer]);
        iv.integer++;
        VM_NEXT_CHECKED(4);
      }
      VM_NEXT_CHECKED(4 + read_u16(ip + 2));
    }
    VM_CASE(kAppend) : {
      Val v = pop();
      Val& acc = local(ip[1]);
      // An unknown accumulator: a comprehension whose filter was unknown stays unknown.
      if (acc.kind != VKind::kUnknown) {
        if (acc.kind != VKind::kList) acc = Val::of_list(new_list(4));
        list_push(acc.list, v);
      }
      VM_NEXT_CHECKED(2);
    }
    VM_CASE(kConcat) : {
      const std::uint16_t n = read_u16(ip + 1);
      {  // a scope the dispatch leaves after the string's destructor (clang's indirect goto)
        std::string s;
        for (std::size_t i = stack.size() - n; i < stack.size(); ++i) s += text(stack[i]);
        stack.truncate(stack.size() - n);
        stack.push(make_string(s));
      }
      VM_NEXT_CHECKED(3);
    }
    VM_CASE(kReport) : {
      Val related = pop();
      Val at = pop();
      Val message = pop();
      emit_report(read_u16(ip + 1), message, at, related);
      VM_NEXT_CHECKED(3);
    }
#if !POLC_VM_COMPUTED_GOTO
    case Opcode::kCount_:
      goto bad_opcode;
#endif
  }
bad_opcode:
  fail("internal", "bad opcode");
  return false;
too_many_steps:
  fail("vm-steps", "evaluation exceeds " + std::to_string(max_steps) + " steps (kMaxVmSteps)");
  return false;
too_much_memory:
  fail("vm-memory", "evaluation allocates more than " + std::to_string(kMaxVmMemoryBytes) +
                        " bytes (kMaxVmMemoryBytes)");
  return false;
stack_too_deep:
  fail("vm-stack", "value stack exceeds " + std::to_string(kMaxVmStack) + " values (kMaxVmStack)");
  return false;
#undef VM_CASE
#undef VM_GO_TO_HANDLER
#undef VM_DISPATCH
#undef VM_COUNT_JUMP
#undef VM_NEXT
#undef VM_PUSHED_NEXT
#undef VM_DISPATCH_AFTER
#undef VM_CHECKED
#undef VM_NEXT_CHECKED
}

template bool Vm::Impl::execute_loop<true>(const Chunk&, std::size_t);
template bool Vm::Impl::execute_loop<false>(const Chunk&, std::size_t);

void Vm::set_coverage(CoverageCounts* counts) { impl_->coverage = counts; }

}  // namespace polc
