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
    error_offset = f.pc < f.chunk->offsets.size() ? f.chunk->offsets[f.pc] : 0;
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

template <bool kCoverage>
bool Vm::Impl::execute_loop(const Chunk& entry, std::size_t base) {
  const std::uint64_t max_steps = opts.max_steps ? opts.max_steps : kMaxVmSteps;
  if (frames.size() >= kMaxVmFrames) {
    fail("vm-frames",
         "call depth exceeds " + std::to_string(kMaxVmFrames) + " frames (kMaxVmFrames)");
    return false;
  }
  stack.resize(base + entry.num_locals);
  frames.push_back({&entry, 0, base});
  const std::size_t entry_depth = frames.size();
  // The current frame, its code and the step count live in locals: only a call or a return
  // changes the frame (nothing else in the VM pushes or pops frames), and `steps` is written
  // back on every way out.
  Frame* fp = &frames.back();
  const std::uint8_t* code = fp->chunk->code.data();
  const std::size_t memory_at_start = memory_base;
  std::uint64_t step = steps;
  struct WriteBack {
    std::uint64_t& to;
    const std::uint64_t& from;
    ~WriteBack() { to = from; }
  } write_back{steps, step};
  while (true) {
    Frame& f = *fp;
    if (++step > max_steps) {
      fail("vm-steps", "evaluation exceeds " + std::to_string(max_steps) + " steps (kMaxVmSteps)");
      return false;
    }
    if (arena.used() - memory_at_start > kMaxVmMemoryBytes) {
      fail("vm-memory", "evaluation allocates more than " + std::to_string(kMaxVmMemoryBytes) +
                            " bytes (kMaxVmMemoryBytes)");
      return false;
    }
    if (stack.size() + 8 > kMaxVmStack) {
      fail("vm-stack",
           "value stack exceeds " + std::to_string(kMaxVmStack) + " values (kMaxVmStack)");
      return false;
    }
    const auto op = static_cast<Opcode>(code[f.pc]);
    const std::uint8_t* p = code + f.pc + 1;
    std::size_t next = f.pc + 1 + kOperandBytes[static_cast<std::size_t>(op)];
    [[maybe_unused]] std::uint64_t* jumped = nullptr;  // coverage: the taken count of this jump
    if constexpr (kCoverage) {
      const auto ci = static_cast<std::size_t>(f.chunk - set.chunks.data());
      if (ci < coverage->hits.size() && f.pc < coverage->hits[ci].size()) {
        ++coverage->hits[ci][f.pc];
        jumped = &coverage->jumps[ci][f.pc];
      }
    }
    auto pop = [&] {
      Val v = stack.back();
      stack.pop_back();
      return v;
    };
    switch (op) {
      case Opcode::kConst:
        stack.push(f.chunk->constant_vals[read_u16(p)]);
        break;
      case Opcode::kNull:
        stack.push(Val::null());
        break;
      case Opcode::kTrue:
        stack.push(Val::of_bool(true));
        break;
      case Opcode::kFalse:
        stack.push(Val::of_bool(false));
        break;
      case Opcode::kPop:
        stack.pop_back();
        break;
      case Opcode::kGetLocal:
        stack.push(stack[f.base + p[0]]);
        break;
      case Opcode::kSetLocal:
        stack[f.base + p[0]] = pop();
        break;
      case Opcode::kGetGlobal:
        stack.push(set.global_vals[read_u16(p)]);
        break;
      case Opcode::kTemplate:
        stack.push(Val::of_node(tmpl->root()));
        break;
      case Opcode::kField: {
        Val base_val = pop();
        stack.push(field(base_val, f.chunk->constant_vals[read_u16(p)].str()));
        break;
      }
      case Opcode::kIndex: {
        Val idx = pop();
        Val b = pop();
        stack.push(index(b, idx));
        break;
      }
      case Opcode::kWildcard:
        stack.back() = wildcard(stack.back());
        break;
      case Opcode::kCallBuiltin: {
        int argc = p[1];
        std::size_t args_at = stack.size() - argc;
        // `count(x) > 0` (or `!= 0`, `== 0`, `<= 0`) of a pending list asks only whether one of
        // its candidates exists: one condition, the disjunction of theirs, instead of a fork on
        // each (2^n runs for n candidates under independent conditions).
        if (argc == 1 && stack.back().kind == VKind::kPending && is_count_builtin(p[0]) &&
            static_cast<Opcode>(code[next]) == Opcode::kConst) {
          const std::uint8_t* q = code + next + 1;
          const Val k = f.chunk->constant_vals[read_u16(q)];
          const auto cmp = static_cast<Opcode>(code[next + 3]);
          if (k.kind == VKind::kInt && k.integer == 0 &&
              (cmp == Opcode::kGt || cmp == Opcode::kNe || cmp == Opcode::kEq ||
               cmp == Opcode::kLe)) {
            int r = pending_nonempty(stack.back());
            if (r < 0) break;  // fork or error: the run stops here
            stack.resize(args_at);
            stack.push(Val::of_bool((r == 1) == (cmp == Opcode::kGt || cmp == Opcode::kNe)));
            next += 4;
            break;
          }
        }
        Val r = call_builtin(p[0], stack.data() + args_at, argc);
        stack.resize(args_at);
        stack.push(r);
        break;
      }
      case Opcode::kCall: {
        const Chunk& callee = set.chunks[read_u16(p)];
        int argc = p[2];
        f.pc = next;
        std::size_t callee_base = stack.size() - argc;
        if (frames.size() >= kMaxVmFrames) {
          fail("vm-frames",
               "call depth exceeds " + std::to_string(kMaxVmFrames) + " frames (kMaxVmFrames)");
          return false;
        }
        stack.resize(callee_base + callee.num_locals);
        frames.push_back({&callee, 0, callee_base});
        fp = &frames.back();
        code = callee.code.data();
        continue;
      }
      case Opcode::kReturn: {
        Val r = pop();
        stack.resize(f.base);
        frames.pop_back();
        stack.push(r);
        if (frames.size() < entry_depth) return true;
        fp = &frames.back();
        code = fp->chunk->code.data();
        continue;
      }
      case Opcode::kSaveUncertain:
        stack[f.base + p[0]] = Val::of_bool(uncertain);
        break;
      case Opcode::kRestoreUncertain:
        uncertain = stack[f.base + p[0]].is_true();
        break;
      case Opcode::kEnd:
        stack.resize(f.base);
        frames.pop_back();
        return true;
      case Opcode::kJump:
        next += read_u16(p);
        break;
      case Opcode::kLoop:
        next = f.pc - read_u16(p);
        break;
      case Opcode::kJumpIfFalse: {
        int t = truth_of(pop());
        if (t == -2) fail("type", "condition is not a boolean");
        if (t != 1) next += read_u16(p);
        break;
      }
      case Opcode::kJumpIfFalseKeep: {
        int t = truth_of(stack.back());
        if (t == -2) fail("type", "operand of 'and' is not a boolean");
        if (t == 0) next += read_u16(p);
        break;
      }
      case Opcode::kJumpIfTrueKeep: {
        int t = truth_of(stack.back());
        if (t == -2) fail("type", "operand of 'or' is not a boolean");
        if (t == 1) next += read_u16(p);
        break;
      }
      case Opcode::kJumpIfUnknownKeep:
        // A pending list is a list (maybe empty), never unknown: no need to settle it here.
        if (stack.back().kind != VKind::kPending && truth_of(stack.back()) == -1)
          next += read_u16(p);
        break;
      case Opcode::kGuard: {
        int t = truth_of(pop());
        if (t == -2) fail("type", "'when' condition is not a boolean");
        if (t == 0) next += read_u16(p);
        if (t == -1) uncertain = true;
        break;
      }
      case Opcode::kCheck: {
        int t = truth_of(pop());
        if (t == -2) fail("type", "'require' condition is not a boolean");
        if (t == 1) next += read_u16(p);
        if (t == -1) check_unknown = true;  // the report that follows is an "unknown" outcome
        if (t != 1) reporting = true;       // until the report
        break;
      }
      case Opcode::kAnd:
      case Opcode::kOr: {
        Val b = pop();
        Val a = pop();
        int ta = truth_of(a), tb = truth_of(b);
        if (ta == -2 || tb == -2) {
          fail("type", std::string("operand of '") + (op == Opcode::kAnd ? "and" : "or") +
                           "' is not a boolean");
          break;
        }
        // Three-valued: the deciding value (false for `and`, true for `or`) wins over unknown;
        // the other value needs both operands.
        const bool is_and = op == Opcode::kAnd;
        const int deciding = is_and ? 0 : 1;
        if (ta == deciding || tb == deciding)
          stack.push(Val::of_bool(!is_and));
        else if (ta == 1 - deciding && tb == 1 - deciding)
          stack.push(Val::of_bool(is_and));
        else
          stack.push(
              Val::unknown(is_and ? "unknown operand of 'and'" : "unknown operand of 'or'"));
        break;
      }
      case Opcode::kNot: {
        int t = truth_of(stack.back());
        if (t == -2)
          fail("type", "operand of 'not' is not a boolean");
        else if (t == -1)
          stack.back() = Val::unknown("unknown operand of 'not'");
        else
          stack.back() = Val::of_bool(t == 0);
        break;
      }
      case Opcode::kEq:
      case Opcode::kNe: {
        Val b = pop();
        Val a = pop();
        int e = equals(a, b);
        if (e < 0)
          stack.push(Val::unknown("comparison with an unknown value"));
        else
          stack.push(Val::of_bool((e == 1) == (op == Opcode::kEq)));
        break;
      }
      case Opcode::kLt:
      case Opcode::kLe:
      case Opcode::kGt:
      case Opcode::kGe: {
        Val b = pop();
        Val a = pop();
        int c = compare(a, b);
        if (c == 3) {
          stack.push(Val::unknown("comparison with an unknown value"));
        } else if (c == 2) {
          stack.push(Val::of_bool(false));
        } else {
          bool r = op == Opcode::kLt   ? c < 0
                   : op == Opcode::kLe ? c <= 0
                   : op == Opcode::kGt ? c > 0
                                       : c >= 0;
          stack.push(Val::of_bool(r));
        }
        break;
      }
      case Opcode::kIn: {
        Val b = pop();
        Val a = pop();
        stack.push(member(a, b));
        break;
      }
      case Opcode::kAdd:
        if ((stack.back().kind == VKind::kPending ||
             stack[stack.size() - 2].kind == VKind::kPending) &&
            !reporting) {
          Val b = pop();
          Val a = pop();
          stack.push_back(concat_pending(a, b));
          break;
        }
        [[fallthrough]];
      case Opcode::kSub:
      case Opcode::kMul:
      case Opcode::kDiv:
      case Opcode::kMod: {
        Val b = pop();
        Val a = pop();
        stack.push(arith(op, a, b));
        break;
      }
      case Opcode::kNeg: {
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
        break;
      }
      case Opcode::kList: {
        std::uint16_t n = read_u16(p);
        VList* l = new_list(n);
        for (std::size_t i = stack.size() - n; i < stack.size(); ++i) list_push(l, stack[i]);
        stack.resize(stack.size() - n);
        stack.push(Val::of_list(l));
        break;
      }
      case Opcode::kMap: {
        std::uint16_t n = read_u16(p);
        auto* m = arena.make<VMap>();
        auto keys = arena.array<Val>(n);
        auto vals = arena.array<Val>(n);
        std::size_t at = stack.size() - 2 * n;
        for (std::uint16_t i = 0; i < n; ++i) {
          Val k = resolve(stack[at + 2 * i]);
          keys[i] = k.kind == VKind::kString ? k : make_string(text(k));
          vals[i] = stack[at + 2 * i + 1];
        }
        m->keys = keys.data();
        m->values = vals.data();
        m->size = n;
        stack.resize(at);
        stack.push(Val::of_map(m));
        break;
      }
      case Opcode::kIterInit: {
        Val coll = pop();
        VList* l = to_list(coll, true);
        if (!l) l = new_list(0);
        stack[f.base + p[0]] = Val::of_list(l);
        stack[f.base + p[0] + 1] = Val::of_int(0);
        break;
      }
      case Opcode::kIterInitGuarded:
        iter_init_guarded(f.base, p[0], pop());
        break;
      case Opcode::kIterNext: {
        Val& lv = stack[f.base + p[0]];
        Val& iv = stack[f.base + p[0] + 1];
        if (lv.kind == VKind::kPending) {
          Val item;
          if (iter_next_guarded(f.base, p[0], item))
            stack.push(item);
          else
            next += read_u16(p + 1);
        } else if (lv.kind == VKind::kList && iv.kind == VKind::kInt && iv.integer >= 0 &&
                   iv.integer < lv.list->size) {
          stack.push(lv.list->items[iv.integer]);
          iv.integer++;
        } else {
          next += read_u16(p + 1);
        }
        break;
      }
      case Opcode::kAppend: {
        Val v = pop();
        Val& acc = stack[f.base + p[0]];
        if (acc.kind == VKind::kUnknown) break;  // a comprehension whose filter was unknown
        if (acc.kind != VKind::kList) acc = Val::of_list(new_list(4));
        list_push(acc.list, v);
        break;
      }
      case Opcode::kConcat: {
        std::uint16_t n = read_u16(p);
        std::string s;
        for (std::size_t i = stack.size() - n; i < stack.size(); ++i) s += text(stack[i]);
        stack.resize(stack.size() - n);
        stack.push(make_string(s));
        break;
      }
      case Opcode::kReport: {
        Val related = pop();
        Val at = pop();
        Val message = pop();
        emit_report(read_u16(p), message, at, related);
        break;
      }
      case Opcode::kCount_:
        fail("internal", "bad opcode");
        break;
    }
    if (status != VmStatus::kOk) return false;
    if constexpr (kCoverage) {
      // A conditional jump that jumped (the fall-through target is the next instruction).
      if (jumped && next != frames.back().pc + 1 + kOperandBytes[static_cast<std::size_t>(op)])
        ++*jumped;
    }
    fp->pc = next;
  }
}

template bool Vm::Impl::execute_loop<true>(const Chunk&, std::size_t);
template bool Vm::Impl::execute_loop<false>(const Chunk&, std::size_t);

void Vm::set_coverage(CoverageCounts* counts) { impl_->coverage = counts; }

}  // namespace polc
