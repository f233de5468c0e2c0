// The state the policy parser's actions work on (dsl/parser.cpp), and the text helpers of its
// error recovery. Kept free of PEGTL so the grammar is compiled in one translation unit.
//
// `ParseState` holds an operand stack of expressions (each with the depth of its tree), a stack
// of marks (where a list, call, map, template or parameter list began) and a stack of statements
// under construction. Actions push leaves and replace operands by the node built from them; a
// checkpoint of the three stack sizes lets error recovery drop a half-built construct. One
// ParseState parses one file on one thread.
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dsl/ast.h"
#include "engine/base/diagnostic.h"
#include "engine/base/limits.h"
#include "engine/base/source_file.h"

namespace polc::dsl {

using ast::Expr;
using ast::ExprKind;
using ast::ExprPtr;
using ast::Span;
using ast::Stmt;
using ast::StmtKind;
using ast::StmtPtr;

/// Thrown when nesting passes `kMaxExpressionDepth`, at 0-based byte `offset`; reported with
/// code `expression-depth` by the declaration-level recovery.
struct DepthExceeded {
  std::uint32_t offset;
};

inline constexpr const char* kDepthMessage =
    "expression or block nested too deeply (the limit is 128 levels)";
static_assert(kMaxExpressionDepth == 128, "update kDepthMessage");

struct Mark {
  std::size_t index;    // operand stack size when the construct began
  std::uint32_t begin;  // its first byte
};

struct Frame {
  StmtPtr stmt;
  bool in_else = false;  // appending to `else_body`
};

struct Checkpoint {
  std::size_t exprs, marks, frames;
};

class ParseState {
 public:
  ParseState(const SourceFile& source, Diagnostics& diags, ast::File& file)
      : source_(source), diags_(diags), file_(file), base_(source.text().data()) {}

  std::uint32_t offset(const char* p) const { return static_cast<std::uint32_t>(p - base_); }
  const char* base() const { return base_; }
  std::string_view text() const { return source_.text(); }
  ast::File& file() { return file_; }

  template <typename In>
  Span span(const In& in) const {
    return {offset(in.begin()), offset(in.end())};
  }

  ExprPtr make(ExprKind kind, Span span) const {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->span = span;
    return e;
  }

  /// Pushes a leaf.
  void push(ExprPtr e) { push_at_depth(std::move(e), 1); }
  /// Pushes a node whose tree is `depth` deep.
  void push_at_depth(ExprPtr e, std::uint32_t depth) { exprs_.emplace_back(std::move(e), depth); }
  /// Sets the span of the top operand.
  void set_top_span(Span span) {
    if (!exprs_.empty()) exprs_.back().first->span = span;
  }
  /// Pushes a node whose children had depths up to `child_depth`; throws `DepthError` at
  /// `where` when the tree becomes deeper than `kMaxExpressionDepth`.
  void push_node(ExprPtr e, std::uint32_t child_depth, const char* where) {
    if (child_depth + 1 > kMaxExpressionDepth) throw DepthExceeded{offset(where)};
    push_at_depth(std::move(e), child_depth + 1);
  }

  ExprPtr pop(std::uint32_t* depth = nullptr) {
    if (exprs_.empty()) return make(ExprKind::kNull, {});  // unreachable with this grammar
    ExprPtr e = std::move(exprs_.back().first);
    if (depth != nullptr) *depth = std::max(*depth, exprs_.back().second);
    exprs_.pop_back();
    return e;
  }
  bool top_is(ExprKind kind) const { return !exprs_.empty() && exprs_.back().first->kind == kind; }

  void mark(std::uint32_t begin) { marks_.push_back({exprs_.size(), begin}); }
  /// Pops everything pushed since the last mark, in order; `begin` gets the mark's offset.
  std::vector<ExprPtr> pop_to_mark(std::uint32_t* depth, std::uint32_t* begin) {
    std::vector<ExprPtr> out;
    if (marks_.empty()) return out;
    Mark m = marks_.back();
    marks_.pop_back();
    *begin = m.begin;
    for (std::size_t i = std::min(m.index, exprs_.size()); i < exprs_.size(); ++i) {
      *depth = std::max(*depth, exprs_[i].second);
      out.push_back(std::move(exprs_[i].first));
    }
    exprs_.resize(std::min(m.index, exprs_.size()));
    return out;
  }

  void open_stmt(StmtKind kind, ExprPtr expr, std::string name) {
    auto s = std::make_unique<Stmt>();
    s->kind = kind;
    s->expr = std::move(expr);
    s->name = std::move(name);
    frames_.push_back({std::move(s), false});
  }
  Stmt* open_frame() { return frames_.empty() ? nullptr : frames_.back().stmt.get(); }
  void set_in_else() {
    if (!frames_.empty()) frames_.back().in_else = true;
  }
  StmtPtr close_stmt(Span span) {
    if (frames_.empty()) return nullptr;
    StmtPtr s = std::move(frames_.back().stmt);
    frames_.pop_back();
    s->span = span;
    return s;
  }
  void append_stmt(StmtPtr s) {
    if (!s) return;
    if (!frames_.empty()) {
      Frame& f = frames_.back();
      (f.in_else ? f.stmt->else_body : f.stmt->body).push_back(std::move(s));
    } else if (policy_) {
      policy_->body.push_back(std::move(s));
      policy_has_statements_ = true;
    }
  }

  ast::Policy* policy() { return policy_.get(); }
  bool policy_has_statements() const { return policy_has_statements_; }
  void begin_policy(std::string name, Span name_span) {
    finish_policy({name_span.begin, name_span.end});
    policy_ = std::make_unique<ast::Policy>();
    policy_->name = std::move(name);
    policy_->name_span = name_span;
    policy_begin_ = name_span.begin;
  }
  void set_policy_begin(std::uint32_t begin) { policy_begin_ = begin; }
  /// Moves the policy under construction (complete or not) into the file.
  void finish_policy(Span span) {
    if (!policy_) return;
    policy_->span = {std::min(policy_begin_, span.begin), span.end};
    file_.policies.push_back(std::move(*policy_));
    policy_.reset();
    policy_has_statements_ = false;
  }

  Checkpoint checkpoint() const { return {exprs_.size(), marks_.size(), frames_.size()}; }
  void restore(const Checkpoint& c) {
    if (exprs_.size() > c.exprs) exprs_.resize(c.exprs);
    if (marks_.size() > c.marks) marks_.resize(c.marks);
    while (frames_.size() > c.frames) frames_.pop_back();
  }

  /// Records an error at `offset`, unless one was already recorded there (a failure seen by
  /// several recovery points).
  void error(std::string code, std::uint32_t offset, std::string message) {
    if (offset == last_error_) return;
    last_error_ = offset;
    diags_.error(std::move(code), Location::at(source_, offset), std::move(message));
  }

  std::size_t nesting = 0;  // current grammar recursion depth

 private:
  const SourceFile& source_;
  Diagnostics& diags_;
  ast::File& file_;
  const char* base_;
  std::vector<std::pair<ExprPtr, std::uint32_t>> exprs_;
  std::vector<Mark> marks_;
  std::vector<Frame> frames_;
  std::unique_ptr<ast::Policy> policy_;
  std::uint32_t policy_begin_ = 0;
  bool policy_has_statements_ = false;
  std::int64_t last_error_ = -1;
};

/// Where error recovery resumes: the level of the item that failed.
enum class Sync : std::uint8_t { kNone, kDeclaration, kPolicyMember, kStatement };

/// True for `[A-Za-z0-9_]`.
inline bool ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// The run of identifier characters starting at `p` (empty when none).
inline std::string_view word_at(const char* p, const char* end) {
  const char* q = p;
  while (q < end && ident_char(*q)) ++q;
  return {p, static_cast<std::size_t>(q - p)};
}

/// Describes the token at 0-based `offset` of `text` for "..., found X": a quoted word or
/// character, "end of line", "end of file", or the byte value of an invalid character.
std::string describe_found(std::string_view text, std::uint32_t offset);

/// Returns where parsing resumes after an error at `error` in an item of `level` that began at
/// `start` (all pointers into `[base, end)`): the error position itself when it is a `}` or the
/// first token of its line and a sync point (a declaration keyword at column 1; for statements
/// also a statement keyword or `}`; for policy members also `param` or `key =`), otherwise the
/// first such token on a following line, or `end`. The result is always past `start`.
const char* find_resume(const char* base, const char* end, const char* start, const char* error,
                        Sync level);

/// Skips whitespace and `#` comments (the grammar's `sep`) from `p`.
const char* skip_sep(const char* p, const char* end);

}  // namespace polc::dsl
