// Stage engine/program (above load): what a compiled policy is: the opcode and builtin tables,
// chunks with constant pools and source maps, the verifier, bundles. The dsl/ compiler produces
// it; engine/vm runs it.
//
// Bytecode: chunks, constant pools and the compiled, immutable `PolicySet`.
//
// The DSL compiler (dsl/compiler.cpp) produces a PolicySet; the VM (engine/vm/vm.h) runs it.
// A chunk is the code of one function or one rule, with its own constant pool and, for every
// code byte, the policy-source offset it came from (clox's line table, at byte granularity), so
// a runtime error points at `policy.polc:line:col`. The opcode table is engine/program/opcodes.def.
//
// After `PolicySet::freeze()` a set is immutable and may be shared by any number of worker
// threads, each with its own VM. Bundles (engine/program/bundle.h) serialize a frozen set.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/arena.h"
#include "engine/base/finding.h"
#include "engine/base/scan_result.h"
#include "engine/base/source_file.h"
#include "engine/program/vm_value.h"

namespace polc {

inline constexpr int kVar = 1000;  // "variable stack effect" marker in opcodes.def

enum class Opcode : std::uint8_t {
#define OPCODE(name, operands, effect, doc) name,
#include "engine/program/opcodes.def"
#undef OPCODE
  kCount_
};

struct OpcodeInfo {
  std::string_view name;  // "CONST", "GET_LOCAL", ...
  int operand_bytes;
  int stack_effect;  // kVar when it depends on operands
  std::string_view doc;
};
/// The row of engine/program/opcodes.def for `op`.
const OpcodeInfo& opcode_info(Opcode op);

/// Operand bytes of every opcode (engine/program/opcodes.def), indexed by the opcode: the interpreter's
/// hot path, with no lazy initialization (`opcode_info(op).operand_bytes` gives the same).
inline constexpr std::uint8_t kOperandBytes[] = {
#define OPCODE(name, operands, effect, doc) operands,
#include "engine/program/opcodes.def"
#undef OPCODE
};
static_assert(sizeof kOperandBytes == static_cast<std::size_t>(Opcode::kCount_));

/// A constant of a chunk's pool, in a serializable form. Lists and maps nest.
struct Constant {
  VKind kind = VKind::kNull;  // kNull, kBool, kInt, kFloat, kString, kList, kMap
  bool boolean = false;
  std::int64_t integer = 0;
  double number = 0;
  std::string text;               // kString; for kMap, unused
  std::vector<Constant> items;    // kList items, kMap values
  std::vector<std::string> keys;  // kMap keys
  bool operator==(const Constant&) const = default;
};

struct Chunk {
  std::string name;          // "policy-name/rule 1", "ec2.has_default_egress", ...
  std::uint32_t source = 0;  // index into PolicySet::sources
  std::uint8_t arity = 0;
  std::uint8_t num_locals = 0;  // including the arguments
  std::vector<std::uint8_t> code;
  std::vector<std::uint32_t> offsets;  // policy-source byte offset of each code byte
  std::vector<Constant> constants;
  std::vector<Val> constant_vals;  // `constants` materialized by `PolicySet::freeze`
};

/// One `related` entry of a report site.
struct RelatedSite {
  bool is_collection = false;  // `related x in COLL: msg` (true) or `related EXPR: msg`
};

/// The static part of one `require` / `report` statement.
struct ReportSite {
  std::uint32_t offset = 0;  // policy-source offset of the statement
  bool has_at = false;
  bool has_message = false;
  std::vector<RelatedSite> related;
  bool has_severity = false;  // `severity LEVEL` override in the report clause
  Severity severity = Severity::kInfo;
};

/// A subject rule: the block of a top-level `for x in resources("Type")`, run once per
/// resource of that type, with the resource in local 0.
struct SubjectRule {
  std::string resource_type;  // may contain `*` wildcards
  std::uint32_t chunk = 0;
};

struct CompiledPolicy {
  PolicyInfo info;
  std::vector<SubjectRule> subject_rules;
  std::int32_t template_chunk = -1;  // top-level statements outside subject loops, or -1
  std::vector<ReportSite> report_sites;
  std::uint32_t source = 0;  // index into PolicySet::sources
  bool builtin = false;      // part of the embedded standard pack
};

/// A policy parameter (global slot): its qualified name `policy-name.param` and value.
struct GlobalSlot {
  std::string name;
  Constant value;
};

class PolicySet {
 public:
  std::vector<Chunk> chunks;
  std::vector<CompiledPolicy> policies;
  std::vector<GlobalSlot> globals;
  std::vector<std::unique_ptr<SourceFile>> sources;  // policy sources, for runtime diagnostics
  std::vector<Val> global_vals;                      // materialized by `freeze`

  /// Converts every constant to a `Val` in the set's own arena and builds the line tables of
  /// `sources` (so workers may locate runtime errors concurrently). Call once, after compiling and
  /// after applying configuration parameters; the set is read-only afterwards.
  void freeze();
  bool frozen() const { return frozen_; }

  /// Materializes a constant into `arena`.
  static Val materialize(const Constant& c, Arena& arena);

 private:
  std::unique_ptr<Arena> arena_;
  bool frozen_ = false;
};

/// Stack effect of the instruction at `code[pc]` (resolving kVar from its operands).
int stack_effect(const std::vector<std::uint8_t>& code, std::size_t pc);

/// Reads a little-endian u16 operand at `code[at]`.
inline std::uint16_t read_u16(const std::uint8_t* code) {
  return static_cast<std::uint16_t>(code[0] | (code[1] << 8));
}

/// Disassembles `chunk` in the stable text form `polc disasm` prints and the golden tests use:
/// one instruction per line, `offset  line:col  NAME operands  ; comment`.
std::string disassemble(const Chunk& chunk, const PolicySet& set);
/// Disassembles every chunk of `set`, policies first.
std::string disassemble(const PolicySet& set);

/// Checks `chunk`: every opcode known, operands in range (constants, locals, globals, chunks,
/// builtins, report sites), jump targets on instruction boundaries inside the chunk, and a
/// consistent stack depth on every path that never goes below zero nor above `kMaxVmStack`.
/// Returns an empty string when valid, else the first problem found.
std::string verify_chunk(const Chunk& chunk, const PolicySet& set, std::size_t builtin_count);
/// Verifies every chunk and cross-reference of `set`.
std::string verify_policy_set(const PolicySet& set, std::size_t builtin_count);

}  // namespace polc
