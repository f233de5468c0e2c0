#include "engine/program/bytecode.h"

#include <array>
#include <cstdio>

#include "engine/base/limits.h"
#include "engine/program/builtins.h"

namespace polc {
namespace {

constexpr std::string_view upper_name(std::string_view n) { return n; }

const std::array<OpcodeInfo, static_cast<std::size_t>(Opcode::kCount_)> kOpcodeTable = {{
#define OPCODE(name, operands, effect, doc) {upper_name(#name), operands, effect, doc},
#include "engine/program/opcodes.def"
#undef OPCODE
}};

// "kGetLocal" -> "GET_LOCAL"
std::string display_name(std::string_view raw) {
  std::string out;
  for (std::size_t i = 1; i < raw.size(); ++i) {
    char c = raw[i];
    if (c >= 'A' && c <= 'Z') {
      if (i > 1) out += '_';
      out += c;
    } else {
      out += static_cast<char>(c - 'a' + 'A');
    }
  }
  return out;
}

}  // namespace

const OpcodeInfo& opcode_info(Opcode op) {
  static const auto names = [] {
    std::array<std::string, static_cast<std::size_t>(Opcode::kCount_)> n;
    for (std::size_t i = 0; i < n.size(); ++i) n[i] = display_name(kOpcodeTable[i].name);
    return n;
  }();
  static const auto table = [] {
    auto t = kOpcodeTable;
    for (std::size_t i = 0; i < t.size(); ++i) t[i].name = names[i];
    return t;
  }();
  return table[static_cast<std::size_t>(op)];
}

int stack_effect(const std::vector<std::uint8_t>& code, std::size_t pc) {
  auto op = static_cast<Opcode>(code[pc]);
  const OpcodeInfo& info = opcode_info(op);
  if (info.stack_effect != kVar) return info.stack_effect;
  const std::uint8_t* p = code.data() + pc + 1;
  switch (op) {
    case Opcode::kCallBuiltin: return 1 - p[1];
    case Opcode::kCall: return 1 - p[2];
    case Opcode::kList: return 1 - read_u16(p);
    case Opcode::kMap: return 1 - 2 * read_u16(p);
    case Opcode::kConcat: return 1 - read_u16(p);
    case Opcode::kIterNext: return 1;  // on the fall-through path; 0 when it jumps
    default: return 0;
  }
}

Val PolicySet::materialize(const Constant& c, Arena& arena) {
  switch (c.kind) {
    case VKind::kBool: return Val::of_bool(c.boolean);
    case VKind::kInt: return Val::of_int(c.integer);
    case VKind::kFloat: return Val::of_float(c.number);
    case VKind::kString: return Val::of_string(arena.copy(c.text));
    case VKind::kList: {
      auto* l = arena.make<VList>();
      auto items = arena.array<Val>(c.items.size());
      for (std::size_t i = 0; i < c.items.size(); ++i) items[i] = materialize(c.items[i], arena);
      l->items = items.data();
      l->size = l->capacity = static_cast<std::uint32_t>(items.size());
      return Val::of_list(l);
    }
    case VKind::kMap: {
      auto* m = arena.make<VMap>();
      auto keys = arena.array<Val>(c.keys.size());
      auto vals = arena.array<Val>(c.items.size());
      for (std::size_t i = 0; i < c.keys.size() && i < c.items.size(); ++i) {
        keys[i] = Val::of_string(arena.copy(c.keys[i]));
        vals[i] = materialize(c.items[i], arena);
      }
      m->keys = keys.data();
      m->values = vals.data();
      m->size = static_cast<std::uint32_t>(std::min(keys.size(), vals.size()));
      return Val::of_map(m);
    }
    default: return Val::null();
  }
}

void PolicySet::freeze() {
  if (frozen_) return;
  arena_ = std::make_unique<Arena>();
  for (auto& chunk : chunks) {
    chunk.constant_vals.clear();
    for (const auto& c : chunk.constants) chunk.constant_vals.push_back(materialize(c, *arena_));
  }
  global_vals.clear();
  for (const auto& g : globals) global_vals.push_back(materialize(g.value, *arena_));
  // Workers locate runtime errors in these sources concurrently; build the lazy line tables now.
  for (const auto& s : sources)
    if (s) s->locate(0);
  frozen_ = true;
}

namespace {

std::string constant_text(const Constant& c) {
  switch (c.kind) {
    case VKind::kNull: return "null";
    case VKind::kBool: return c.boolean ? "true" : "false";
    case VKind::kInt: return std::to_string(c.integer);
    case VKind::kFloat: {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%g", c.number);
      return buf;
    }
    case VKind::kString: {
      std::string out = "\"";
      for (char ch : c.text) {
        if (ch == '"' || ch == '\\') out += '\\';
        if (ch == '\n') {
          out += "\\n";
          continue;
        }
        out += ch;
      }
      if (out.size() > 60) out = out.substr(0, 57) + "...";
      return out + "\"";
    }
    case VKind::kList: {
      std::string out = "[";
      for (std::size_t i = 0; i < c.items.size(); ++i) out += (i ? ", " : "") + constant_text(c.items[i]);
      return out + "]";
    }
    case VKind::kMap: {
      std::string out = "{";
      for (std::size_t i = 0; i < c.keys.size() && i < c.items.size(); ++i)
        out += (i ? ", " : "") + c.keys[i] + ": " + constant_text(c.items[i]);
      return out + "}";
    }
    default: return "?";
  }
}

void append_operand(std::string& line, long value) {
  line.push_back(' ');
  line.append(std::to_string(value));
}

}  // namespace

std::string disassemble(const Chunk& chunk, const PolicySet& set) {
  std::string out = "== " + chunk.name + " (arity " + std::to_string(chunk.arity) + ", locals " +
                    std::to_string(chunk.num_locals) + ", constants " + std::to_string(chunk.constants.size()) +
                    ") ==\n";
  const SourceFile* src = chunk.source < set.sources.size() ? set.sources[chunk.source].get() : nullptr;
  std::size_t pc = 0;
  std::uint32_t last_line = 0;
  while (pc < chunk.code.size()) {
    auto op = static_cast<Opcode>(chunk.code[pc]);
    if (chunk.code[pc] >= static_cast<std::uint8_t>(Opcode::kCount_)) {
      out += "  <bad opcode>\n";
      break;
    }
    const OpcodeInfo& info = opcode_info(op);
    char head[64];
    std::string pos = "   |";
    if (src && pc < chunk.offsets.size()) {
      LineCol lc = src->locate(chunk.offsets[pc]);
      if (lc.line != last_line) {
        pos = std::to_string(lc.line) + ":" + std::to_string(lc.column);
        last_line = lc.line;
      }
    }
    std::snprintf(head, sizeof head, "%04zu %8s  ", pc, pos.c_str());
    std::string line = head;
    line += info.name;
    const std::uint8_t* p = chunk.code.data() + pc + 1;
    if (pc + 1 + info.operand_bytes > chunk.code.size()) {
      out += line + " <truncated>\n";
      break;
    }
    std::string comment;
    switch (op) {
      case Opcode::kConst:
      case Opcode::kField: {
        std::uint16_t k = read_u16(p);
        append_operand(line, k);
        if (k < chunk.constants.size()) comment = constant_text(chunk.constants[k]);
        break;
      }
      case Opcode::kGetLocal:
      case Opcode::kSetLocal:
      case Opcode::kIterInit:
      case Opcode::kIterInitGuarded:
      case Opcode::kAppend:
      case Opcode::kSaveUncertain:
      case Opcode::kRestoreUncertain: append_operand(line, p[0]); break;
      case Opcode::kGetGlobal: {
        std::uint16_t g = read_u16(p);
        append_operand(line, g);
        if (g < set.globals.size()) comment = set.globals[g].name;
        break;
      }
      case Opcode::kCallBuiltin:
        append_operand(line, p[0]);
        append_operand(line, p[1]);
        comment = std::string(builtin_name(p[0]));
        break;
      case Opcode::kCall: {
        std::uint16_t f = read_u16(p);
        append_operand(line, f);
        append_operand(line, p[2]);
        if (f < set.chunks.size()) comment = set.chunks[f].name;
        break;
      }
      case Opcode::kJump:
      case Opcode::kJumpIfFalse:
      case Opcode::kJumpIfFalseKeep:
      case Opcode::kJumpIfTrueKeep:
      case Opcode::kJumpIfUnknownKeep:
      case Opcode::kGuard:
      case Opcode::kCheck: {
        std::uint16_t j = read_u16(p);
        append_operand(line, j);
        comment = "-> " + std::to_string(pc + 3 + j);
        break;
      }
      case Opcode::kLoop: {
        std::uint16_t j = read_u16(p);
        append_operand(line, j);
        comment = "-> " + std::to_string(static_cast<long>(pc) - j);
        break;
      }
      case Opcode::kIterNext: {
        std::uint16_t j = read_u16(p + 1);
        append_operand(line, p[0]);
        append_operand(line, j);
        comment = "done -> " + std::to_string(pc + 4 + j);
        break;
      }
      case Opcode::kList:
      case Opcode::kMap:
      case Opcode::kConcat:
      case Opcode::kReport: append_operand(line, read_u16(p)); break;
      default: break;
    }
    if (!comment.empty()) {
      if (line.size() < 40) line.append(40 - line.size(), ' ');
      line += " ; " + comment;
    }
    out += line + "\n";
    pc += 1 + info.operand_bytes;
  }
  return out;
}

std::string disassemble(const PolicySet& set) {
  std::string out;
  for (const auto& p : set.policies) {
    out += "policy " + p.info.name + " (" + p.info.id + ")\n";
    for (const auto& r : p.subject_rules) out += "  for each " + r.resource_type + ": chunk " + std::to_string(r.chunk) + "\n";
    if (p.template_chunk >= 0) out += "  template rule: chunk " + std::to_string(p.template_chunk) + "\n";
  }
  for (std::size_t i = 0; i < set.chunks.size(); ++i) {
    out += "\nchunk " + std::to_string(i) + " ";
    out += disassemble(set.chunks[i], set);
  }
  return out;
}

std::string verify_chunk(const Chunk& chunk, const PolicySet& set, std::size_t builtin_count) {
  const auto& code = chunk.code;
  const std::size_t n = code.size();
  if (n == 0) return chunk.name + ": empty chunk";
  if (chunk.offsets.size() != n) return chunk.name + ": source map size differs from code size";
  // Mark instruction boundaries.
  std::vector<char> boundary(n + 1, 0);
  std::size_t pc = 0;
  while (pc < n) {
    if (code[pc] >= static_cast<std::uint8_t>(Opcode::kCount_))
      return chunk.name + ": unknown opcode " + std::to_string(code[pc]) + " at " + std::to_string(pc);
    boundary[pc] = 1;
    pc += 1 + opcode_info(static_cast<Opcode>(code[pc])).operand_bytes;
  }
  if (pc != n) return chunk.name + ": last instruction truncated";
  std::size_t last_pc = 0;
  for (std::size_t q = 0; q < n; q += 1 + opcode_info(static_cast<Opcode>(code[q])).operand_bytes) last_pc = q;
  auto last = static_cast<Opcode>(code[last_pc]);
  if (last != Opcode::kReturn && last != Opcode::kEnd && last != Opcode::kJump && last != Opcode::kLoop)
    return chunk.name + ": chunk does not end with RETURN, END or a jump";
  // Abstract interpretation of stack depth; -1 = not yet reached.
  std::vector<int> depth(n, -1);
  std::vector<std::size_t> work;
  depth[0] = 0;
  work.push_back(0);
  auto flow = [&](std::size_t target, int d, std::string& err) {
    if (target >= n || !boundary[target]) {
      err = chunk.name + ": jump to " + std::to_string(target) + " is not an instruction boundary";
      return;
    }
    if (depth[target] == -1) {
      depth[target] = d;
      work.push_back(target);
    } else if (depth[target] != d) {
      err = chunk.name + ": inconsistent stack depth at " + std::to_string(target) + " (" + std::to_string(depth[target]) +
            " vs " + std::to_string(d) + ")";
    }
  };
  while (!work.empty()) {
    std::size_t at = work.back();
    work.pop_back();
    int d = depth[at];
    auto op = static_cast<Opcode>(code[at]);
    const std::uint8_t* p = code.data() + at + 1;
    std::size_t next = at + 1 + opcode_info(op).operand_bytes;
    // Operand range checks.
    switch (op) {
      case Opcode::kConst:
      case Opcode::kField:
        if (read_u16(p) >= chunk.constants.size()) return chunk.name + ": constant index out of range at " + std::to_string(at);
        if (op == Opcode::kField && chunk.constants[read_u16(p)].kind != VKind::kString)
          return chunk.name + ": FIELD operand is not a string constant at " + std::to_string(at);
        break;
      case Opcode::kGetLocal:
      case Opcode::kSetLocal:
      case Opcode::kAppend:
      case Opcode::kSaveUncertain:
      case Opcode::kRestoreUncertain:
        if (p[0] >= chunk.num_locals) return chunk.name + ": local slot out of range at " + std::to_string(at);
        break;
      case Opcode::kIterInit:
      case Opcode::kIterInitGuarded:
      case Opcode::kIterNext:
        if (p[0] + 1 >= chunk.num_locals) return chunk.name + ": iterator slot out of range at " + std::to_string(at);
        break;
      case Opcode::kGetGlobal:
        if (read_u16(p) >= set.globals.size()) return chunk.name + ": global index out of range at " + std::to_string(at);
        break;
      case Opcode::kCallBuiltin: {
        if (p[0] >= builtin_count) return chunk.name + ": builtin index out of range at " + std::to_string(at);
        const BuiltinInfo& b = builtin_info(p[0]);
        if (p[1] < b.min_arity || p[1] > b.max_arity) return chunk.name + ": wrong builtin arity at " + std::to_string(at);
        break;
      }
      case Opcode::kCall: {
        std::uint16_t f = read_u16(p);
        if (f >= set.chunks.size()) return chunk.name + ": function index out of range at " + std::to_string(at);
        if (set.chunks[f].arity != p[2]) return chunk.name + ": wrong call arity at " + std::to_string(at);
        break;
      }
      case Opcode::kReport: {
        // Report sites are per policy; the compiler keeps them in range (checked in verify_policy_set).
        break;
      }
      default: break;
    }
    int effect = stack_effect(code, at);
    int after = d + effect;
    int pops = 0;
    switch (op) {
      case Opcode::kCallBuiltin: pops = p[1]; break;
      case Opcode::kCall: pops = p[2]; break;
      case Opcode::kList:
      case Opcode::kConcat: pops = read_u16(p); break;
      case Opcode::kMap: pops = 2 * read_u16(p); break;
      default: pops = effect < 0 ? -effect : 0; break;
    }
    if (d - pops < 0) return chunk.name + ": stack underflow at " + std::to_string(at);
    if (after > static_cast<int>(kMaxVmStack)) return chunk.name + ": stack too deep at " + std::to_string(at);
    std::string err;
    switch (op) {
      case Opcode::kReturn:
        if (d != 1) return chunk.name + ": RETURN with stack depth " + std::to_string(d) + " (expected 1)";
        break;
      case Opcode::kEnd:
        if (d != 0) return chunk.name + ": END with stack depth " + std::to_string(d) + " (expected 0)";
        break;
      case Opcode::kJump: flow(next + read_u16(p), after, err); break;
      case Opcode::kLoop:
        if (read_u16(p) > at) return chunk.name + ": LOOP before the chunk start at " + std::to_string(at);
        flow(at - read_u16(p), after, err);
        break;
      case Opcode::kJumpIfFalse:
      case Opcode::kJumpIfFalseKeep:
      case Opcode::kJumpIfTrueKeep:
      case Opcode::kJumpIfUnknownKeep:
      case Opcode::kGuard:
      case Opcode::kCheck:
        flow(next + read_u16(p), after, err);
        if (err.empty()) flow(next, after, err);
        break;
      case Opcode::kIterNext:
        flow(next + read_u16(p + 1), d, err);
        if (err.empty()) flow(next, d + 1, err);
        break;
      default:
        if (next >= n) return chunk.name + ": falls off the end at " + std::to_string(at);
        flow(next, after, err);
        break;
    }
    if (!err.empty()) return err;
  }
  return {};
}

std::string verify_policy_set(const PolicySet& set, std::size_t builtin_count) {
  for (const auto& chunk : set.chunks) {
    if (chunk.source >= set.sources.size() && !set.sources.empty()) return chunk.name + ": source index out of range";
    std::string err = verify_chunk(chunk, set, builtin_count);
    if (!err.empty()) return err;
  }
  // REPORT belongs in rule chunks only: a function chunk can be called from any policy.
  std::vector<char> is_rule(set.chunks.size(), 0);
  for (const auto& p : set.policies) {
    for (const auto& r : p.subject_rules)
      if (r.chunk < is_rule.size()) is_rule[r.chunk] = 1;
    if (p.template_chunk >= 0 && static_cast<std::size_t>(p.template_chunk) < is_rule.size()) is_rule[p.template_chunk] = 1;
  }
  for (std::size_t ci = 0; ci < set.chunks.size(); ++ci) {
    const auto& code = set.chunks[ci].code;
    for (std::size_t pc = 0; pc < code.size(); pc += 1 + opcode_info(static_cast<Opcode>(code[pc])).operand_bytes)
      if (static_cast<Opcode>(code[pc]) == Opcode::kReport && !is_rule[ci])
        return set.chunks[ci].name + ": REPORT outside a rule chunk";
  }
  for (const auto& p : set.policies) {
    if (p.template_chunk < -1) return p.info.name + ": bad template chunk index";
    for (const auto& r : p.subject_rules)
      if (r.chunk >= set.chunks.size() || set.chunks[r.chunk].arity != 1)
        return p.info.name + ": subject rule chunk out of range";
    if (p.template_chunk >= 0 && static_cast<std::size_t>(p.template_chunk) >= set.chunks.size())
      return p.info.name + ": template chunk out of range";
    // Every REPORT in the policy's rule chunks must name one of its sites.
    std::vector<std::uint32_t> rule_chunks;
    for (const auto& r : p.subject_rules) rule_chunks.push_back(r.chunk);
    if (p.template_chunk >= 0) rule_chunks.push_back(static_cast<std::uint32_t>(p.template_chunk));
    for (std::uint32_t ci : rule_chunks) {
      const auto& code = set.chunks[ci].code;
      std::size_t pc = 0;
      while (pc < code.size()) {
        auto op = static_cast<Opcode>(code[pc]);
        if (op == Opcode::kReport && read_u16(code.data() + pc + 1) >= p.report_sites.size())
          return p.info.name + ": report site out of range";
        pc += 1 + opcode_info(op).operand_bytes;
      }
    }
  }
  return {};
}

}  // namespace polc
