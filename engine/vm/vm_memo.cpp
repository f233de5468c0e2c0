// The memo of pure function calls: see `Vm::Impl::memo_probe` (engine/vm/vm_impl.h).
//
// Each IAM policy of the pack walks every IAM resource's documents and statements again
// (`iam.identity_documents(r)`, `iam.statements(d.doc)`, `iam.unconstrained(st)`, ...): the same
// calls on the same template values, whose results depend on nothing else unless a condition
// or the assignment is read (which `impure` counts). The first call runs; its result is copied
// out of the evaluation arena, and the next policies' calls take it.
#include <cstring>
#include <functional>

#include "engine/base/limits.h"
#include "engine/vm/vm_impl.h"

namespace polc {

namespace {

constexpr std::uint64_t kHashMul = 0x9e3779b97f4a7c15ull;

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  h ^= v + kHashMul + (h << 6) + (h >> 2);
  return h;
}

// Whether `v` can be part of a key (its identity holds for the whole template), and its hash.
bool key_part(Val v, std::uint64_t& h) {
  switch (v.kind) {
    case VKind::kNull:
      h = mix(h, 1);
      return true;
    case VKind::kBool:
      h = mix(h, v.boolean ? 3 : 2);
      return true;
    case VKind::kInt:
      h = mix(mix(h, 4), static_cast<std::uint64_t>(v.integer));
      return true;
    case VKind::kString:
      h = mix(mix(h, 5), std::hash<std::string_view>{}(v.str()));
      return true;
    case VKind::kNode:  // a node of the subject's template (context 0)
      if (v.len != 0) return false;
      h = mix(mix(h, 6), reinterpret_cast<std::uintptr_t>(v.node));
      return true;
    case VKind::kResource:
      if (v.integer != 0) return false;
      h = mix(mix(h, 7), v.len);
      return true;
    default:  // floats, lists and maps the evaluation built, unknowns, pending lists
      return false;
  }
}

bool same_key_part(Val a, Val b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case VKind::kNull:
      return true;
    case VKind::kBool:
      return a.boolean == b.boolean;
    case VKind::kInt:
      return a.integer == b.integer;
    case VKind::kString:
      return a.str() == b.str();
    case VKind::kNode:
      return a.node == b.node && a.len == b.len;
    case VKind::kResource:
      return a.len == b.len && a.integer == b.integer;
    default:
      return false;
  }
}

bool is_statement_opcode(Opcode op) {
  switch (op) {
    case Opcode::kReport:
    case Opcode::kCheck:
    case Opcode::kGuard:
    case Opcode::kSaveUncertain:
    case Opcode::kRestoreUncertain:
    case Opcode::kIterInitGuarded:
    case Opcode::kEnd:
      return true;
    default:
      return false;
  }
}

}  // namespace

void Vm::Impl::memo_begin(const Template& t) {
  if (memo_chunk_ok.size() != set.chunks.size()) {
    // A function chunk (no policy's rule) whose code has no statement opcode: an expression,
    // whose only effect is its result.
    memo_chunk_ok.assign(set.chunks.size(), 1);
    memo_chunk_stack.resize(set.chunks.size());
    for (std::size_t c = 0; c < set.chunks.size(); ++c)
      memo_chunk_stack[c] =
          static_cast<std::uint32_t>(set.chunks[c].num_locals + set.chunks[c].code.size());
    memo_stats.assign(set.chunks.size(), MemoStats{});
    for (const CompiledPolicy& p : set.policies) {
      for (const SubjectRule& r : p.subject_rules)
        if (r.chunk < memo_chunk_ok.size()) memo_chunk_ok[r.chunk] = 0;
      if (p.template_chunk >= 0 &&
          static_cast<std::size_t>(p.template_chunk) < memo_chunk_ok.size())
        memo_chunk_ok[static_cast<std::size_t>(p.template_chunk)] = 0;
    }
    for (std::size_t c = 0; c < set.chunks.size(); ++c) {
      const std::vector<std::uint8_t>& code = set.chunks[c].code;
      for (std::size_t pc = 0; pc < code.size() && memo_chunk_ok[c];) {
        if (code[pc] >= static_cast<std::uint8_t>(Opcode::kCount_) ||
            is_statement_opcode(static_cast<Opcode>(code[pc])))
          memo_chunk_ok[c] = 0;
        else
          pc += 1 + kOperandBytes[code[pc]];
      }
      if (!opts.memo_calls) memo_chunk_ok[c] = 0;
    }
  }
  if (memo_tmpl == &t && memo_serial == t.serial() && memo_deployment == t.deployment() &&
      memo_world == world)
    return;
  memo_tmpl = &t;
  memo_serial = t.serial();
  memo_deployment = t.deployment();
  memo_world = world;
  // Emptied by moving to the next generation; the slots are wiped only when it wraps around.
  // (Also when nothing was remembered: copies that did not fit may have used the arena.)
  if (memo_count || memo_arena.used()) {
    if (++memo_generation == 0) {
      memo_table.assign(memo_table.size(), MemoEntry{});
      memo_generation = 1;
    }
    memo_count = 0;
    memo_arena.reset();
  }
}

Vm::Impl::MemoProbe Vm::Impl::memo_probe(std::uint32_t chunk, const Val* args, std::uint32_t argc,
                                         std::uint64_t& step, std::uint64_t max_steps,
                                         std::size_t& memory_limit, Val& out) {
  if (argc > kMemoArgs || ctx != 0) return MemoProbe::kSkip;
  MemoStats& stats = memo_stats[chunk];
  if (stats.misses >= kMemoTrialMisses && stats.hits < stats.misses / kMemoMissesPerHit) {
    memo_chunk_ok[chunk] = 0;  // for the Vm's lifetime
    return MemoProbe::kSkip;
  }
  std::uint64_t h = chunk;
  for (std::uint32_t i = 0; i < argc; ++i)
    if (!key_part(args[i], h)) return MemoProbe::kSkip;
  h = mix(h, argc);
  if (!memo_table.empty()) {
    const std::size_t mask = memo_table.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const MemoEntry& e = memo_table[i];
      if (e.generation != memo_generation) break;
      if (e.hash != h || e.chunk != chunk || e.argc != argc) continue;
      bool same = true;
      for (std::uint32_t a = 0; a < argc && same; ++a) same = same_key_part(e.args[a], args[a]);
      if (!same) continue;
      // The call's budgets as if it ran: when they would not hold it, it runs (and stops
      // where it stopped before).
      if (step + e.steps > max_steps || work + e.work > kMaxVmWorkUnits ||
          arena.used() + e.bytes > memory_limit || stack.size() + e.stack_need + 8 > kMaxVmStack ||
          frames.size() + e.frames_need > kMaxVmFrames)
        return MemoProbe::kSkip;
      if (!memo_calls.empty()) {  // what it would have used, for the call being remembered
        MemoCall& outer = memo_calls.back();
        outer.stack_peak = std::max(outer.stack_peak, stack.size() + e.stack_need);
        outer.frames_peak = std::max(outer.frames_peak, frames.size() + e.frames_need);
      }
      step += e.steps;
      work += e.work;
      memory_limit -= e.bytes;
      if (e.assumes) {
        assumed = e.assumed;
        ++assumptions;
      }
      ++memo_hit_count;
      ++stats.hits;
      out = e.result;
      return MemoProbe::kHit;
    }
  }
  if (memo_count >= kMaxVmMemoEntries || memo_arena.used() >= kMaxVmMemoBytes)
    return MemoProbe::kSkip;
  ++stats.misses;
  MemoCall c;
  c.depth = frames.size() + 1;
  c.hash = h;
  c.chunk = chunk;
  c.argc = argc;
  for (std::uint32_t i = 0; i < argc; ++i) c.args[i] = args[i];
  c.impure = impure;
  c.stack_at = stack.size();
  c.frames_at = frames.size();
  c.stack_peak = stack.size() - argc + memo_chunk_stack[chunk];
  c.frames_peak = frames.size() + 1;
  c.assumptions = assumptions;
  c.steps = step;
  c.work = work;
  c.used = arena.used();
  memo_calls.push_back(c);
  return MemoProbe::kMiss;
}

bool Vm::Impl::memo_copy(Val& v, std::size_t depth, std::size_t& budget) {
  if (budget == 0 || depth > kMaxVmMemoResultDepth) return false;
  --budget;
  // The arena's bound holds for every allocation below (at most a list's or a map's arrays, or
  // a string, at a time).
  auto room = [&](std::size_t bytes) { return memo_arena.used() + bytes <= kMaxVmMemoBytes; };
  switch (v.kind) {
    case VKind::kNull:
    case VKind::kBool:
    case VKind::kInt:
    case VKind::kFloat:
      return true;
    case VKind::kString:
    case VKind::kUnknown:
      if (!room(v.len)) return false;
      v.chars = memo_arena.copy(v.str()).data();
      return true;
    case VKind::kNode:
      return v.len == 0;
    case VKind::kResource:
      return v.integer == 0;
    case VKind::kList: {
      const VList* from = v.list;
      if (from->size > budget || !room(sizeof(VList) + sizeof(Val) * (from->size + 1)))
        return false;
      auto* l = memo_arena.make<VList>();
      l->items = memo_arena.array<Val>(from->size ? from->size : 1).data();
      l->size = from->size;
      l->capacity = from->size;
      for (std::uint32_t i = 0; i < from->size; ++i) {
        l->items[i] = from->items[i];
        if (!memo_copy(l->items[i], depth + 1, budget)) return false;
      }
      v.list = l;
      return true;
    }
    case VKind::kMap: {
      const VMap* from = v.map;
      if (2 * std::size_t{from->size} > budget ||
          !room(sizeof(VMap) + 2 * sizeof(Val) * (from->size + 1)))
        return false;
      auto* m = memo_arena.make<VMap>();
      m->keys = memo_arena.array<Val>(from->size ? from->size : 1).data();
      m->values = memo_arena.array<Val>(from->size ? from->size : 1).data();
      m->size = from->size;
      for (std::uint32_t i = 0; i < from->size; ++i) {
        m->keys[i] = from->keys[i];
        m->values[i] = from->values[i];
        if (!memo_copy(m->keys[i], depth + 1, budget) ||
            !memo_copy(m->values[i], depth + 1, budget))
          return false;
      }
      v.map = m;
      return true;
    }
    case VKind::kPending:
      return false;
  }
  return false;
}

void Vm::Impl::memo_store(Val result, std::uint64_t step) {
  const MemoCall c = memo_calls.back();
  memo_calls.pop_back();
  if (!memo_calls.empty()) {  // the call being remembered around this one used what it used
    MemoCall& outer = memo_calls.back();
    outer.stack_peak = std::max(outer.stack_peak, c.stack_peak);
    outer.frames_peak = std::max(outer.frames_peak, c.frames_peak);
  }
  if (c.impure != impure || status != VmStatus::kOk || reporting) return;
  if (memo_count >= kMaxVmMemoEntries) return;
  std::size_t budget = kMaxVmMemoResultValues;
  if (!memo_copy(result, 0, budget)) return;  // what it copied stays unused until the reset
  MemoEntry e;
  e.generation = memo_generation;
  e.hash = c.hash;
  e.chunk = c.chunk;
  e.argc = c.argc;
  for (std::uint32_t i = 0; i < c.argc; ++i) {
    e.args[i] = c.args[i];
    if (e.args[i].kind != VKind::kString) continue;
    if (memo_arena.used() + e.args[i].len > kMaxVmMemoBytes) return;
    e.args[i].chars = memo_arena.copy(e.args[i].str()).data();
  }
  e.result = result;
  e.steps = step - c.steps;
  e.work = work - c.work;
  e.bytes = arena.used() - c.used;
  e.assumes = assumptions != c.assumptions;
  e.stack_need = static_cast<std::uint32_t>(c.stack_peak - c.stack_at);
  e.frames_need = static_cast<std::uint32_t>(c.frames_peak - c.frames_at);
  e.assumed = assumed;  // a static string (pseudo_value's)
  // Keep the table at most half full: grow by doubling (from 256 slots) up to the bound.
  if (2 * (memo_count + 1) > memo_table.size()) {
    std::vector<MemoEntry> old = std::move(memo_table);
    memo_table.assign(old.empty() ? 256 : 2 * old.size(), MemoEntry{});
    const std::size_t mask = memo_table.size() - 1;
    for (const MemoEntry& o : old) {
      if (o.generation != memo_generation) continue;
      std::size_t i = o.hash & mask;
      while (memo_table[i].generation == memo_generation) i = (i + 1) & mask;
      memo_table[i] = o;
    }
  }
  const std::size_t mask = memo_table.size() - 1;
  std::size_t i = e.hash & mask;
  while (memo_table[i].generation == memo_generation) i = (i + 1) & mask;
  memo_table[i] = e;
  ++memo_count;
}

std::size_t Vm::memo_entries() const { return impl_->memo_count; }
std::uint64_t Vm::memo_hits() const { return impl_->memo_hit_count; }
std::size_t Vm::memo_bytes() const { return impl_->memo_arena.used(); }

}  // namespace polc
