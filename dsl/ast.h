// AST of the polc policy language (docs/language.md is the reference).
//
// The parser (dsl/parser.cpp, PEGTL actions) builds this tree; the checker resolves names in
// it; the compiler flattens it into bytecode. Nodes own their children through `unique_ptr`.
// Every node has a `Span`: 0-based byte offsets into its `SourceFile`'s text; the one
// conversion to line and column is `SourceFile::locate`. An AST is built and used by one
// thread; it is discarded once the policy set is compiled.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/finding.h"
#include "engine/base/source_file.h"

namespace polc::ast {

struct Span {
  std::uint32_t begin = 0;  // 0-based byte offset, inclusive
  std::uint32_t end = 0;    // exclusive
};

enum class ExprKind : std::uint8_t {
  kNull,          // null
  kBool,          // true / false                      -> bool_value
  kInt,           // 42                                -> int_value
  kFloat,         // 1.5                               -> float_value
  kString,        // "text" or 'raw'                   -> string_value
  kTemplate,      // "a {expr} b" (message strings)    -> parts: kString and expression parts
  kName,          // ident                             -> name
  kField,         // base.name / base."quoted"         -> lhs, name
  kIndex,         // base[expr]                        -> lhs, rhs
  kWildcard,      // base[*]                           -> lhs
  kCall,          // f(args) / module.f(args)          -> name (possibly "module.f"), args
  kUnary,         // -x                                -> op, lhs
  kNot,           // not x                             -> lhs
  kBinary,        // arithmetic, comparison, in        -> op, lhs, rhs
  kAnd,           // a and b                           -> lhs, rhs
  kOr,            // a or b                            -> lhs, rhs
  kIf,            // if c then a else b                -> args[0..2]
  kLet,           // let name = value in body          -> name, lhs (value), rhs (body)
  kQuantifier,    // all|any|none name in coll: pred   -> quantifier, name, lhs (coll), rhs (pred)
  kList,          // [a, b, c]                         -> args
  kComprehension, // [elem for name in coll if cond]   -> name, lhs (elem), rhs (coll), cond (may be null)
  kMap,           // {key: value, "k": v}              -> keys, args (values)
};

enum class BinaryOp : std::uint8_t { kAdd, kSub, kMul, kDiv, kMod, kEq, kNe, kLt, kLe, kGt, kGe, kIn, kNotIn };
enum class Quantifier : std::uint8_t { kAll, kAny, kNone };

struct Expr {
  ExprKind kind = ExprKind::kNull;
  Span span;
  bool bool_value = false;
  std::int64_t int_value = 0;
  double float_value = 0;
  std::string string_value;  // kString
  std::string name;          // kName, kField, kCall, kLet, kQuantifier, kComprehension
  BinaryOp op = BinaryOp::kAdd;
  Quantifier quantifier = Quantifier::kAll;
  std::unique_ptr<Expr> lhs, rhs, cond;
  std::vector<std::unique_ptr<Expr>> args;  // kCall args, kList items, kIf [c,a,b], kMap values, kTemplate parts
  std::vector<std::string> keys;            // kMap keys
};
using ExprPtr = std::unique_ptr<Expr>;

/// `related NAME in COLL: "template"` or `related EXPR: "template"`.
struct Related {
  Span span;
  std::string name;  // empty for the single-location form
  ExprPtr target;    // the collection (with name) or the single location
  ExprPtr message;   // kTemplate or kString
};

/// The report clause shared by `require` and `report`.
struct Report {
  ExprPtr message;  // kTemplate / kString; null means "use the policy title"
  ExprPtr at;       // location: a resource or template value; null means the loop's subject
  std::vector<Related> related;
  std::string severity;  // `severity LEVEL` override for this finding; empty: the policy's
  Span severity_span;
};

enum class StmtKind : std::uint8_t {
  kFor,      // for name in expr { body }
  kLet,      // let name = expr
  kWhen,     // when expr            (skip the rest of the block unless true)
  kRequire,  // require expr report  (finding when expr is false)
  kReport,   // report report        (finding whenever reached)
  kIf,       // if expr { body } else { else_body }
};

struct Stmt {
  StmtKind kind = StmtKind::kLet;
  Span span;
  std::string name;  // kFor, kLet
  ExprPtr expr;
  std::vector<std::unique_ptr<Stmt>> body;
  std::vector<std::unique_ptr<Stmt>> else_body;
  Report report;  // kRequire, kReport
};
using StmtPtr = std::unique_ptr<Stmt>;

/// `name = value` inside a policy header (id, title, severity, ...).
struct Attribute {
  Span span;
  std::string key;
  ExprPtr value;  // literals only: string, name (for severity), list of strings
};

/// `param name = default` (policy level) or `const NAME = expr` (file level).
struct Binding {
  Span span;
  std::string name;
  ExprPtr value;
};

/// `fn name(a, b) = expr`
struct Function {
  Span span;
  std::string name;
  std::vector<std::string> params;
  ExprPtr body;
};

/// `import "stdlib/ec2" as ec2` / `import "lib/net.polc"` (binds the file stem).
struct Import {
  Span span;
  std::string path;
  std::string alias;  // explicit `as` name, or empty
};

struct Policy {
  Span span;
  std::string name;  // kebab-case, as written after `policy`
  Span name_span;
  std::vector<Attribute> attributes;
  std::vector<Binding> params;
  std::vector<StmtPtr> body;
};

/// One parsed policy or library file.
struct File {
  std::vector<Import> imports;
  std::vector<Binding> consts;
  std::vector<Function> functions;
  std::vector<Policy> policies;
};

/// Writes a stable, indented, S-expression dump of `file` (the golden format for parser
/// tests); spans are printed as `@line:col` using `source`.
std::string dump(const File& file, const SourceFile& source);

}  // namespace polc::ast
