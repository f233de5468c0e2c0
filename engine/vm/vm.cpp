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
  for (const auto& [n, v] : assignment)
    if (n == name) return v ? 1 : 0;
  for (const auto& [n, v] : decided)
    if (n == name) return v;
  if (!spend_condition_work()) return -1;
  ConditionModel& cm = conditions();
  cm.set_assignment(assignment);
  int r = cm.decide(name);
  if (r == -2) {
    fail("condition-solver", "the condition solver needs more than " +
                                 std::to_string(kMaxConditionBddNodes) +
                                 " nodes (kMaxConditionBddNodes)");
    return -1;
  }
  if (r < 0) {
    const ConditionDecl* decl = tmpl->find_condition(name);
    request_fork(decl ? decl->name : name);
    return -1;
  }
  decided.emplace_back(name, r);
  return r;
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

bool Vm::Impl::execute(const Chunk& entry, std::size_t base) {
  const std::uint64_t max_steps = opts.max_steps ? opts.max_steps : kMaxVmSteps;
  if (frames.size() >= kMaxVmFrames) {
    fail("vm-frames",
         "call depth exceeds " + std::to_string(kMaxVmFrames) + " frames (kMaxVmFrames)");
    return false;
  }
  stack.resize(base + entry.num_locals);
  frames.push_back({&entry, 0, base});
  const std::size_t entry_depth = frames.size();
  while (true) {
    Frame& f = frames.back();
    const std::uint8_t* code = f.chunk->code.data();
    if (++steps > max_steps) {
      fail("vm-steps", "evaluation exceeds " + std::to_string(max_steps) + " steps (kMaxVmSteps)");
      return false;
    }
    if (arena.used() - memory_base > kMaxVmMemoryBytes) {
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
    auto pop = [&] {
      Val v = stack.back();
      stack.pop_back();
      return v;
    };
    switch (op) {
      case Opcode::kConst:
        stack.push_back(f.chunk->constant_vals[read_u16(p)]);
        break;
      case Opcode::kNull:
        stack.push_back(Val::null());
        break;
      case Opcode::kTrue:
        stack.push_back(Val::of_bool(true));
        break;
      case Opcode::kFalse:
        stack.push_back(Val::of_bool(false));
        break;
      case Opcode::kPop:
        stack.pop_back();
        break;
      case Opcode::kGetLocal:
        stack.push_back(stack[f.base + p[0]]);
        break;
      case Opcode::kSetLocal:
        stack[f.base + p[0]] = pop();
        break;
      case Opcode::kGetGlobal:
        stack.push_back(set.global_vals[read_u16(p)]);
        break;
      case Opcode::kTemplate:
        stack.push_back(Val::of_node(tmpl->root()));
        break;
      case Opcode::kField: {
        Val base_val = pop();
        stack.push_back(field(base_val, f.chunk->constant_vals[read_u16(p)].str()));
        break;
      }
      case Opcode::kIndex: {
        Val idx = pop();
        Val b = pop();
        stack.push_back(index(b, idx));
        break;
      }
      case Opcode::kWildcard:
        stack.back() = wildcard(stack.back());
        break;
      case Opcode::kCallBuiltin: {
        int argc = p[1];
        std::size_t args_at = stack.size() - argc;
        Val r = call_builtin(p[0], stack.data() + args_at, argc);
        stack.resize(args_at);
        stack.push_back(r);
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
        continue;
      }
      case Opcode::kReturn: {
        Val r = pop();
        stack.resize(f.base);
        frames.pop_back();
        stack.push_back(r);
        if (frames.size() < entry_depth) return true;
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
        int t = truth(pop());
        if (t == -2) fail("type", "condition is not a boolean");
        if (t != 1) next += read_u16(p);
        break;
      }
      case Opcode::kJumpIfFalseKeep: {
        int t = truth(stack.back());
        if (t == -2) fail("type", "operand of 'and' is not a boolean");
        if (t == 0) next += read_u16(p);
        break;
      }
      case Opcode::kJumpIfTrueKeep: {
        int t = truth(stack.back());
        if (t == -2) fail("type", "operand of 'or' is not a boolean");
        if (t == 1) next += read_u16(p);
        break;
      }
      case Opcode::kJumpIfUnknownKeep:
        if (truth(stack.back()) == -1) next += read_u16(p);
        break;
      case Opcode::kGuard: {
        int t = truth(pop());
        if (t == -2) fail("type", "'when' condition is not a boolean");
        if (t == 0) next += read_u16(p);
        if (t == -1) uncertain = true;
        break;
      }
      case Opcode::kCheck: {
        int t = truth(pop());
        if (t == -2) fail("type", "'require' condition is not a boolean");
        if (t == 1) next += read_u16(p);
        if (t == -1) check_unknown = true;  // the report that follows is an "unknown" outcome
        break;
      }
      case Opcode::kAnd:
      case Opcode::kOr: {
        Val b = pop();
        Val a = pop();
        int ta = truth(a), tb = truth(b);
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
          stack.push_back(Val::of_bool(!is_and));
        else if (ta == 1 - deciding && tb == 1 - deciding)
          stack.push_back(Val::of_bool(is_and));
        else
          stack.push_back(
              Val::unknown(is_and ? "unknown operand of 'and'" : "unknown operand of 'or'"));
        break;
      }
      case Opcode::kNot: {
        int t = truth(stack.back());
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
          stack.push_back(Val::unknown("comparison with an unknown value"));
        else
          stack.push_back(Val::of_bool((e == 1) == (op == Opcode::kEq)));
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
          stack.push_back(Val::unknown("comparison with an unknown value"));
        } else if (c == 2) {
          stack.push_back(Val::of_bool(false));
        } else {
          bool r = op == Opcode::kLt   ? c < 0
                   : op == Opcode::kLe ? c <= 0
                   : op == Opcode::kGt ? c > 0
                                       : c >= 0;
          stack.push_back(Val::of_bool(r));
        }
        break;
      }
      case Opcode::kIn: {
        Val b = pop();
        Val a = pop();
        stack.push_back(member(a, b));
        break;
      }
      case Opcode::kAdd:
      case Opcode::kSub:
      case Opcode::kMul:
      case Opcode::kDiv:
      case Opcode::kMod: {
        Val b = pop();
        Val a = pop();
        stack.push_back(arith(op, a, b));
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
        stack.push_back(Val::of_list(l));
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
        stack.push_back(Val::of_map(m));
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
      case Opcode::kIterNext: {
        Val& lv = stack[f.base + p[0]];
        Val& iv = stack[f.base + p[0] + 1];
        if (lv.kind == VKind::kList && iv.kind == VKind::kInt && iv.integer >= 0 &&
            iv.integer < lv.list->size) {
          stack.push_back(lv.list->items[iv.integer]);
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
        stack.push_back(make_string(s));
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
    frames.back().pc = next;
  }
}

}  // namespace polc

namespace polc {

void Vm::Impl::emit_report(std::uint16_t site_index, Val message, Val at, Val related) {
  if (site_index >= policy->report_sites.size()) {
    fail("internal", "report site out of range");
    return;
  }
  RawFinding f;
  f.site = site_index;
  f.outcome = (uncertain || check_unknown) ? Outcome::kUnknown : Outcome::kFail;
  check_unknown = false;
  // Location: a resource, a template node, or the subject.
  Val loc = at;
  // A finding is reported in the subject's template: a location in a linked one is not used.
  if ((loc.kind == VKind::kResource || loc.kind == VKind::kNode) && context_of(loc) != 0)
    loc = Val::null();
  if (loc.kind == VKind::kResource) {
    f.resource = loc.len;
  } else if (loc.kind == VKind::kNode) {
    f.resource = subject;
    f.offset = loc.node->offset;
    f.has_offset = true;
    f.path = path_of(loc.node, subject);
    // A node of another resource (a standalone AWS::EC2::SecurityGroupIngress read through
    // its group): the finding is about that resource, where it is suppressed and fingerprinted;
    // the subject becomes related information.
    if (f.path.empty() && (subject == kNoIndex || loc.node != tmpl->resources()[subject].node)) {
      const std::uint32_t owner = resource_containing(loc.node);
      if (owner != kNoIndex && owner != subject) {
        std::string path = path_of(loc.node, owner);
        if (!path.empty() || loc.node == tmpl->resources()[owner].node) {
          if (subject != kNoIndex) {
            const Resource& s = tmpl->resources()[subject];
            f.related.push_back({s.offset,
                                 "reported while checking " + std::string(s.type) + " " +
                                     std::string(s.logical_id),
                                 tmpl});
          }
          f.resource = owner;
          f.path = std::move(path);
        }
      }
    }
  } else {
    f.resource = subject;
  }
  if (f.resource != kNoIndex && !f.has_offset) {
    f.offset = tmpl->resources()[f.resource].offset;
    f.has_offset = true;
  }
  if (!f.has_offset) {
    f.offset = 0;
    f.has_offset = true;
  }
  // A message interpolates template values, which may be megabytes long (and shared by
  // thousands of YAML aliases): each finding keeps at most kMaxMessageBytes of it.
  Val m = resolve(message);
  if (m.kind == VKind::kString)
    f.message = internal::cut_text(m.str(), kMaxMessageBytes);
  else if (!m.is_null())
    f.message = internal::cut_text(text(m), kMaxMessageBytes);
  else
    f.message = policy->info.title;
  if (!assumed.empty())
    f.message.append(" (assuming ").append(assumed).append("; see --pseudo-parameter)");
  // Related: a list of [location, message] pairs (or of lists of them).
  if (VList* rl = to_list(related, false)) {
    for (std::uint32_t i = 0; i < rl->size; ++i) {
      Val pair = rl->items[i];
      if (pair.kind != VKind::kList || pair.list->size != 2) continue;
      Val where = pair.list->items[0];
      std::uint32_t off = 0;
      const Template* in = contexts[context_of(where)];
      if (where.kind == VKind::kResource)
        off = in->resources()[where.len].offset;
      else if (where.kind == VKind::kNode)
        off = where.node->offset;
      else
        continue;
      f.related.push_back({off, internal::cut_text(text(pair.list->items[1]), kMaxMessageBytes), in});
    }
  }
  // An unknown finding says "maybe" about a place: one per place and evaluation is enough. Both
  // blocks of an `if` whose condition is unknown run, and a ladder of `else if`s would otherwise
  // report the same rule once per rung; the first (the one written first) stands.
  if (f.outcome == Outcome::kUnknown)
    for (const RawFinding& r : raw)
      if (r.resource == f.resource && r.offset == f.offset && r.path == f.path) return;
  if (raw.size() < kMaxFindingsPerTemplate) raw.push_back(std::move(f));
}

namespace {

using Clause = CondClause;

// Simplifies a DNF over condition literals: merges clauses that differ only in the polarity of
// one literal and drops clauses subsumed by others. An empty clause means "always".
std::vector<Clause> simplify(std::vector<Clause> dnf) {
  for (auto& c : dnf) std::sort(c.begin(), c.end());
  // The pairwise merging below is cubic in the clauses: past the bound they stay as explored
  // (still exact, only longer).
  bool changed = dnf.size() <= kMaxSimplifiedClauses;
  while (changed) {
    changed = false;
    for (std::size_t i = 0; i < dnf.size() && !changed; ++i) {
      for (std::size_t j = 0; j < dnf.size() && !changed; ++j) {
        if (i == j) continue;
        const Clause& a = dnf[i];
        const Clause& b = dnf[j];
        // Subsumption: a ⊆ b → drop b.
        if (std::includes(b.begin(), b.end(), a.begin(), a.end())) {
          dnf.erase(dnf.begin() + static_cast<long>(j));
          changed = true;
          break;
        }
        if (a.size() != b.size()) continue;
        std::size_t diff = 0, at = 0;
        for (std::size_t k = 0; k < a.size(); ++k) {
          if (a[k].first != b[k].first) {
            diff = 99;
            break;
          }
          if (a[k].second != b[k].second) {
            ++diff;
            at = k;
          }
        }
        if (diff == 1) {
          Clause merged = a;
          merged.erase(merged.begin() + static_cast<long>(at));
          dnf[i] = merged;
          dnf.erase(dnf.begin() + static_cast<long>(j));
          changed = true;
        }
      }
    }
  }
  std::sort(dnf.begin(), dnf.end());
  return dnf;
}

}  // namespace

void Vm::set_world(const StackWorld* world) { impl_->world = world; }

void Vm::evaluate_policy(const CompiledPolicy& policy, const Template& tmpl, PolicyOutput& out) {
  Impl& m = *impl_;
  m.tmpl = &tmpl;
  m.contexts.assign(1, &tmpl);
  m.ctx = 0;
  m.link_depth = 0;
  m.policy = &policy;
  const SourceFile& tfile = tmpl.file();

  // The finding of `rf`, without conditions. Moves the strings out of `rf` when it may.
  auto make_finding = [&](RawFinding& rf, bool any_fail) {
    Finding f;
    f.policy_id = policy.info.id;
    f.policy_name = policy.info.name;
    const ReportSite& site = policy.report_sites[rf.site];
    f.severity = site.has_severity ? site.severity : policy.info.severity;
    f.outcome = any_fail ? Outcome::kFail : Outcome::kUnknown;
    if (rf.resource != kNoIndex) {
      const Resource& r = tmpl.resources()[rf.resource];
      f.resource = std::string(r.logical_id);
      f.construct_path = std::string(r.cdk_path);
    }
    f.property_path = std::move(rf.path);
    f.location = Location::at(tfile, rf.offset);
    f.message = std::move(rf.message);
    f.remediation = policy.info.remediation;
    for (auto& r : rf.related)
      f.related.push_back({Location::at(r.tmpl->file(), r.offset), std::move(r.message)});
    return f;
  };

  struct Leaf {
    Clause assignment;
    std::vector<RawFinding> findings;
  };
  // Kept across subjects so that their storage is reused (most subjects run one leaf).
  std::vector<Leaf> leaves;
  std::vector<Clause> todo;
  auto explore = [&](std::uint32_t chunk_index, std::uint32_t subject) {
    const Chunk& chunk = m.set.chunks[chunk_index];
    leaves.clear();
    todo.clear();
    todo.push_back({});
    bool stopped = false;
    m.condition_work = 0;
    m.condition_steps = 0;
    while (!todo.empty()) {
      Clause a = std::move(todo.back());
      todo.pop_back();
      m.assignment = a;
      m.raw.clear();
      m.stack.clear();
      m.frames.clear();
      m.condition_steps += m.steps;
      m.steps = 0;
      m.work = 0;
      m.memory_base = m.arena.used();
      m.status = VmStatus::kOk;
      m.uncertain = false;
      m.check_unknown = false;
      m.assumed = {};
      m.subject = subject;
      m.decided.clear();
      m.error_source = UINT32_MAX;
      bool exists = true;
      if (m.assignment.size() > 0) m.spend_condition_work();  // each forked run counts
      if (subject != kNoIndex && !tmpl.resources()[subject].condition.empty()) {
        int c = m.cond_value(tmpl.resources()[subject].condition);
        if (c == 0) exists = false;
      }
      if (m.status == VmStatus::kOk && exists) {
        m.stack.push_back(subject != kNoIndex ? Val::of_resource(subject) : Val::null());
        m.set_context(0);
        m.execute(chunk, 0);
      }
      if (m.status == VmStatus::kFork) {
        std::string_view c = m.fork_condition;
        Clause f = a, t = a;
        f.emplace_back(c, false);
        t.emplace_back(c, true);
        todo.push_back(std::move(f));
        todo.push_back(std::move(t));
        continue;
      }
      if (m.status == VmStatus::kError) {
        Diagnostic d;
        d.severity = DiagSeverity::kError;
        d.code = m.error_code;
        d.policy_id = policy.info.id;
        std::string where;
        if (m.error_source < m.set.sources.size()) {
          const SourceFile& ps = *m.set.sources[m.error_source];
          LineCol lc = ps.locate(m.error_offset);
          where = ps.path() + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
        }
        d.message = "policy " + policy.info.name + " could not finish" +
                    (subject != kNoIndex
                         ? " on resource " + std::string(tmpl.resources()[subject].logical_id)
                         : "") +
                    ": " + m.error + (where.empty() ? "" : " (at " + where + ")");
        d.location =
            Location::at(tfile, subject != kNoIndex ? tmpl.resources()[subject].offset : 0);
        out.diagnostics.push_back(std::move(d));
        out.incomplete = true;
        stopped = true;
        break;
      }
      leaves.push_back({std::move(a), std::move(m.raw)});
      m.raw.clear();
    }
    if (stopped && leaves.empty()) return;
    if (leaves.size() == 1 && !stopped) {
      // One leaf (no condition forked): every finding stands alone, in the order reported,
      // holds unconditionally and is failed or unknown as the leaf said. The general merge
      // below gives the same; this skips its maps (and their copies of every path).
      for (RawFinding& rf : leaves[0].findings)
        out.findings.push_back(make_finding(rf, rf.outcome == Outcome::kFail));
      return;
    }
    std::vector<Clause> explored;
    if (!stopped && m.model && m.model_tmpl == &tmpl && m.model_serial == tmpl.serial())
      for (const Leaf& l : leaves) explored.push_back(l.assignment);
    // Merge: one finding per (resource, location, path); conditions from the leaves it holds in.
    struct Merged {
      RawFinding* first = nullptr;  // used once, by the finding it gives
      std::vector<std::size_t> leaves;
      bool any_fail = false;
    };
    // Key: location, report site and the occurrence of that pair within the leaf, so a loop that
    // reports twice at one place gives two findings while leaves still line up.
    using Key = std::tuple<std::uint32_t, std::uint32_t, std::string, std::uint16_t, std::uint32_t>;
    std::map<Key, Merged> merged;
    std::vector<Key> order;
    for (std::size_t li = 0; li < leaves.size(); ++li) {
      std::map<std::tuple<std::uint32_t, std::uint32_t, std::string, std::uint16_t>, std::uint32_t>
          seen;
      for (RawFinding& rf : leaves[li].findings) {
        std::uint32_t occurrence =
            seen[std::make_tuple(rf.resource, rf.offset, rf.path, rf.site)]++;
        auto key = std::make_tuple(rf.resource, rf.offset, rf.path, rf.site, occurrence);
        auto [it, inserted] = merged.try_emplace(key);
        if (inserted) {
          it->second.first = &rf;
          order.push_back(key);
        }
        if (it->second.leaves.empty() || it->second.leaves.back() != li)
          it->second.leaves.push_back(li);
        if (rf.outcome == Outcome::kFail) it->second.any_fail = true;
      }
    }
    for (const auto& key : order) {
      const Merged& mg = merged[key];
      Finding f = make_finding(*mg.first, mg.any_fail);
      if (mg.leaves.size() != leaves.size() || stopped) {
        std::vector<Clause> dnf;
        bool always = false;
        if (!stopped && m.model && m.model_tmpl == &tmpl && m.model_serial == tmpl.serial()) {
          std::vector<const Clause*> holds;
          for (std::size_t li : mg.leaves) holds.push_back(&leaves[li].assignment);
          dnf = m.model->simplify(explored, holds, always);
        } else {
          for (std::size_t li : mg.leaves) dnf.push_back(leaves[li].assignment);
          dnf = simplify(std::move(dnf));
          always = !stopped && std::any_of(dnf.begin(), dnf.end(),
                                           [](const Clause& c) { return c.empty(); });
        }
        if (!always) {
          for (const Clause& c : dnf) {
            ConditionClause cc;
            for (const auto& [n, v] : c) cc.push_back({std::string(n), v});
            f.conditions.push_back(std::move(cc));
          }
        }
      }
      out.findings.push_back(std::move(f));
    }
  };

  // Nothing of one subject's evaluation outlives it (findings own their text), so the arena
  // is emptied after each: a template's memory stays that of its largest subject, not the sum.
  auto explore_and_forget = [&](std::uint32_t chunk_index, std::uint32_t subject) {
    explore(chunk_index, subject);
    m.arena.reset();
  };
  for (const SubjectRule& rule : policy.subject_rules) {
    bool wildcard = rule.resource_type.find('*') != std::string::npos;
    if (!wildcard) {
      for (std::uint32_t idx : tmpl.resources_of_type(rule.resource_type))
        explore_and_forget(rule.chunk, idx);
    } else {
      for (std::uint32_t idx = 0; idx < tmpl.resources().size(); ++idx)
        if (type_matches(rule.resource_type, tmpl.resources()[idx].type))
          explore_and_forget(rule.chunk, idx);
    }
  }
  if (policy.template_chunk >= 0)
    explore_and_forget(static_cast<std::uint32_t>(policy.template_chunk), kNoIndex);
  m.tmpl = nullptr;
}

}  // namespace polc
