// `ast::dump`: the stable S-expression form of a parsed file, the golden format of the parser
// tests. Every node is printed as `(head payload @L:C-L:C` with its children on the following
// lines, indented by two spaces, and a closing parenthesis after the last child. Recursion
// follows the tree, whose depth the parser bounds (kMaxExpressionDepth).
#include <charconv>
#include <string>

#include "dsl/ast.h"

namespace polc::ast {
namespace {

const char* binary_op_name(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "add";
    case BinaryOp::kSub:
      return "sub";
    case BinaryOp::kMul:
      return "mul";
    case BinaryOp::kDiv:
      return "div";
    case BinaryOp::kMod:
      return "mod";
    case BinaryOp::kEq:
      return "eq";
    case BinaryOp::kNe:
      return "ne";
    case BinaryOp::kLt:
      return "lt";
    case BinaryOp::kLe:
      return "le";
    case BinaryOp::kGt:
      return "gt";
    case BinaryOp::kGe:
      return "ge";
    case BinaryOp::kIn:
      return "in";
    case BinaryOp::kNotIn:
      return "not-in";
  }
  return "?";
}

const char* quantifier_name(Quantifier q) {
  switch (q) {
    case Quantifier::kAll:
      return "all";
    case Quantifier::kAny:
      return "any";
    case Quantifier::kNone:
      return "none";
  }
  return "?";
}

std::string quote(std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  std::string out = "\"";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          out += "\\x";
          out += kHex[u >> 4];
          out += kHex[u & 15];
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string format_float(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // keep floats distinct from ints
  return s;
}

class Dumper {
 public:
  explicit Dumper(const SourceFile& source) : source_(source) {}

  std::string take() { return std::move(out_); }

  void file(const File& f) {
    out_ += "(file";
    indent_ = 2;
    for (const Import& i : f.imports) {
      std::string head = "import " + quote(i.path);
      if (!i.alias.empty()) head += " as " + i.alias;
      open(head, i.span);
      close();
    }
    for (const Binding& c : f.consts) {
      open("const " + c.name, c.span);
      expr(c.value.get());
      close();
    }
    for (const Function& fn : f.functions) {
      std::string head = "fn " + fn.name + " (";
      for (std::size_t i = 0; i < fn.params.size(); ++i) head += (i ? " " : "") + fn.params[i];
      open(head + ")", fn.span);
      expr(fn.body.get());
      close();
    }
    for (const Policy& p : f.policies) policy(p);
    out_ += ")\n";
  }

 private:
  std::string span_text(Span s) const {
    LineCol b = source_.locate(s.begin);
    LineCol e = source_.locate(s.end);
    std::string out(1, '@');
    out.append(std::to_string(b.line)).append(1, ':').append(std::to_string(b.column));
    out.append(1, '-').append(std::to_string(e.line)).append(1, ':').append(std::to_string(e.column));
    return out;
  }

  void open(const std::string& head, Span span) {
    out_ += '\n';
    out_.append(static_cast<std::size_t>(indent_), ' ');
    out_ += '(';
    out_ += head;
    out_ += ' ';
    out_ += span_text(span);
    indent_ += 2;
  }
  void open_plain(const std::string& head) {
    out_ += '\n';
    out_.append(static_cast<std::size_t>(indent_), ' ');
    out_ += '(';
    out_ += head;
    indent_ += 2;
  }
  void close() {
    out_ += ')';
    indent_ -= 2;
  }

  void policy(const Policy& p) {
    open("policy " + p.name + " name" + span_text(p.name_span), p.span);
    for (const Attribute& a : p.attributes) {
      open("attr " + a.key, a.span);
      expr(a.value.get());
      close();
    }
    for (const Binding& b : p.params) {
      open("param " + b.name, b.span);
      expr(b.value.get());
      close();
    }
    for (const StmtPtr& s : p.body) stmt(*s);
    close();
  }

  void stmt(const Stmt& s) {
    switch (s.kind) {
      case StmtKind::kFor:
        open("for " + s.name, s.span);
        expr(s.expr.get());
        for (const StmtPtr& c : s.body) stmt(*c);
        break;
      case StmtKind::kLet:
        open("let " + s.name, s.span);
        expr(s.expr.get());
        break;
      case StmtKind::kWhen:
        open("when", s.span);
        expr(s.expr.get());
        break;
      case StmtKind::kRequire:
        open("require", s.span);
        expr(s.expr.get());
        report(s.report);
        break;
      case StmtKind::kReport:
        open("report", s.span);
        report(s.report);
        break;
      case StmtKind::kIf:
        open("if", s.span);
        expr(s.expr.get());
        open_plain("then");
        for (const StmtPtr& c : s.body) stmt(*c);
        close();
        if (!s.else_body.empty()) {
          open_plain("else");
          for (const StmtPtr& c : s.else_body) stmt(*c);
          close();
        }
        break;
    }
    close();
  }

  void report(const Report& r) {
    if (r.message) {
      open_plain("message");
      expr(r.message.get());
      close();
    }
    if (r.at) {
      open_plain("at");
      expr(r.at.get());
      close();
    }
    for (const Related& rel : r.related) {
      open(rel.name.empty() ? std::string("related") : std::string("related ").append(rel.name), rel.span);
      expr(rel.target.get());
      expr(rel.message.get());
      close();
    }
    if (!r.severity.empty()) {
      open(std::string("severity ").append(r.severity), r.severity_span);
      close();
    }
  }

  void expr(const Expr* e) {
    if (e == nullptr) {
      open_plain("missing");
      close();
      return;
    }
    switch (e->kind) {
      case ExprKind::kNull:
        open("null", e->span);
        break;
      case ExprKind::kBool:
        open(e->bool_value ? "bool true" : "bool false", e->span);
        break;
      case ExprKind::kInt:
        open("int " + std::to_string(e->int_value), e->span);
        break;
      case ExprKind::kFloat:
        open("float " + format_float(e->float_value), e->span);
        break;
      case ExprKind::kString:
        open("string " + quote(e->string_value), e->span);
        break;
      case ExprKind::kTemplate:
        open("template", e->span);
        break;
      case ExprKind::kName:
        open("name " + e->name, e->span);
        break;
      case ExprKind::kField:
        open("field " + quote(e->name), e->span);
        break;
      case ExprKind::kIndex:
        open("index", e->span);
        break;
      case ExprKind::kWildcard:
        open("wildcard", e->span);
        break;
      case ExprKind::kCall:
        open("call " + e->name, e->span);
        break;
      case ExprKind::kUnary:
        open("neg", e->span);
        break;
      case ExprKind::kNot:
        open("not", e->span);
        break;
      case ExprKind::kBinary:
        open(binary_op_name(e->op), e->span);
        break;
      case ExprKind::kAnd:
        open("and", e->span);
        break;
      case ExprKind::kOr:
        open("or", e->span);
        break;
      case ExprKind::kIf:
        open("if", e->span);
        break;
      case ExprKind::kLet:
        open("let " + e->name, e->span);
        break;
      case ExprKind::kQuantifier:
        open(std::string(quantifier_name(e->quantifier)) + " " + e->name, e->span);
        break;
      case ExprKind::kList:
        open("list", e->span);
        break;
      case ExprKind::kComprehension:
        open("comprehension " + e->name, e->span);
        break;
      case ExprKind::kMap:
        open("map", e->span);
        break;
    }
    if (e->kind == ExprKind::kMap) {
      for (std::size_t i = 0; i < e->args.size(); ++i) {
        open_plain("entry " + quote(i < e->keys.size() ? e->keys[i] : std::string()));
        expr(e->args[i].get());
        close();
      }
    } else {
      if (e->lhs) expr(e->lhs.get());
      if (e->rhs) expr(e->rhs.get());
      if (e->cond) expr(e->cond.get());
      for (const ExprPtr& a : e->args) expr(a.get());
    }
    close();
  }

  const SourceFile& source_;
  std::string out_;
  int indent_ = 0;
};

}  // namespace

std::string dump(const File& file, const SourceFile& source) {
  Dumper d(source);
  d.file(file);
  return d.take();
}

}  // namespace polc::ast
