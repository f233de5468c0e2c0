// The formatter's parser and layout rules (dsl/internal/format_builder.h).
#include "dsl/internal/format_builder.h"

#include <algorithm>
#include <utility>

namespace polc::dsl::fmt {
namespace {

bool is_statement_keyword(std::string_view w) {
  return w == "for" || w == "let" || w == "when" || w == "require" || w == "report" || w == "if";
}

}  // namespace

// ---- Tokens

Token& Builder::peek() {
  if (cur_ == toks_.size()) toks_.push_back(lex_.next(LexMode::kNormal));
  return toks_[cur_];
}

std::size_t Builder::take() {
  peek();
  return cur_++;
}

std::size_t Builder::take_mode(LexMode mode) {
  if (cur_ != toks_.size()) throw FormatFailure("token lexed ahead of a message or name");
  toks_.push_back(lex_.next(mode));
  return cur_++;
}

bool Builder::is(std::string_view text) {
  const Token& t = peek();
  return t.kind != TokKind::kEof && t.kind != TokKind::kString && t.text == text;
}

std::size_t Builder::expect(std::string_view text) {
  if (!is(text)) throw FormatFailure("unexpected token");
  return take();
}

// Own-line comments before token `i`, each on its own line. With `keep_blanks`, an empty line
// before a comment (or between the last comment and the token, with `blank_after`) is kept,
// except before the first thing of a block (`first`). The comments are then taken from the
// token, so that `tok` does not print them again.
void Builder::lead(std::size_t i, bool keep_blanks, bool first, bool blank_after,
                   std::vector<DocId>& out) {
  Token& t = toks_[i];
  for (std::size_t k = 0; k < t.leading.size(); ++k) {
    const bool blank = keep_blanks && t.leading[k].blank_before && !(first && k == 0);
    out.push_back(d_.leaf(blank ? DocKind::kBlankLine : DocKind::kLineStart));
    out.push_back(d_.text(t.leading[k].text));
    out.push_back(hardline());
  }
  if (keep_blanks && blank_after && t.blank_before && !(first && t.leading.empty()))
    out.push_back(d_.leaf(DocKind::kBlankLine));
  t.leading.clear();
  t.blank_before = false;
}

DocId Builder::tok(std::size_t i) {
  std::vector<DocId> parts;
  lead(i, false, false, false, parts);
  parts.push_back(d_.text(toks_[i].text));
  if (!toks_[i].trailing.empty()) parts.push_back(d_.trailing(toks_[i].trailing));
  return d_.concat(std::move(parts));
}

// The next `n` tokens, one space apart.
void Builder::words(std::vector<DocId>& parts, int n) {
  for (int i = 0; i < n; ++i) {
    if (i > 0) parts.push_back(sp());
    parts.push_back(tok(take()));
  }
}

// The comments of a token that is not printed (a trailing comma).
DocId Builder::comments_only(std::size_t i) {
  std::vector<DocId> parts;
  lead(i, false, false, false, parts);
  if (!toks_[i].trailing.empty()) parts.push_back(d_.trailing(toks_[i].trailing));
  return d_.concat(std::move(parts));
}

// ---- Declarations

DocId Builder::file() {
  std::vector<DocId> parts;
  bool first = true;
  while (peek().kind != TokKind::kEof) {
    if (!first) parts.push_back(hardline());
    parts.push_back(declaration(first));
    first = false;
  }
  std::size_t eof = take();
  if (!toks_[eof].leading.empty()) {
    if (!first) parts.push_back(hardline());
    lead(eof, true, first, false, parts);
  }
  return d_.concat(std::move(parts));
}

DocId Builder::declaration(bool first) {
  std::vector<DocId> parts;
  lead(cur_, true, first, true, parts);
  if (is("import")) {
    words(parts, 2);  // import "path"
    if (is("as")) {
      parts.push_back(sp());
      words(parts, 2);  // as name
    }
  } else if (is("const") || is("fn")) {
    const bool fn = is("fn");
    words(parts, 2);  // const NAME, fn NAME
    if (fn) parts.push_back(params());
    parts.push_back(sp());
    parts.push_back(tok(expect("=")));
    parts.push_back(assign(expression()));
  } else if (is("policy")) {
    parts.push_back(tok(take()));
    parts.push_back(sp());
    parts.push_back(tok(take_mode(LexMode::kPolicyName)));
    return policy_decl(std::move(parts));
  } else {
    throw FormatFailure("expected a declaration");
  }
  return d_.concat(std::move(parts));
}

// `(a, b)` of a function declaration.
DocId Builder::params() {
  const std::size_t open = expect("(");
  std::vector<DocId> items;
  while (!is(")")) {
    items.push_back(tok(take()));
    if (is(",")) {
      const std::size_t comma = take();
      if (is(")")) {
        items.push_back(comments_only(comma));
      } else {
        items.push_back(tok(comma));
        items.push_back(line());
      }
    }
  }
  return bracketed(open, d_.concat(std::move(items)), take());
}

// ` = value`: an `and`/`or` chain that does not fit moves to the next line first.
DocId Builder::assign(Ex value) {
  if (value.chain)
    return d_.group({d_.nest(2, {line(), value.aligned ? value.aligned : value.doc})});
  return d_.concat({sp(), value.doc});
}

DocId Builder::policy_decl(std::vector<DocId> parts) {
  parts.push_back(sp());
  parts.push_back(tok(expect("{")));
  std::vector<Member> members;
  int run = -1;
  bool prev_aligned_kind = false;
  std::string_view prev_kind;
  while (!is("}")) {
    Token& t = peek();
    const bool first = members.empty();
    bool blank = t.blank_before;
    for (const Comment& c : t.leading) blank = blank || c.blank_before;
    std::vector<DocId> m;
    lead(cur_, true, first, true, m);
    Member member{};
    std::string_view kind;
    std::size_t key_tok = 0;
    if (is("param")) {
      kind = "param";
      m.push_back(tok(take()));
      m.push_back(sp());
      key_tok = take();
    } else if (peek().kind == TokKind::kWord && !is_statement_keyword(peek().text)) {
      kind = "attribute";
      key_tok = take();
    }
    if (!kind.empty()) {
      if (!prev_aligned_kind || blank || kind != prev_kind) ++run;
      m.push_back(tok(key_tok));
      const bool alignable = toks_[key_tok].trailing.empty() && peek().leading.empty();
      if (alignable) {
        member.pad = d_.text("");
        member.key = toks_[key_tok].text.size();
        member.run = run;
        m.push_back(member.pad);
      }
      m.push_back(sp());
      m.push_back(tok(expect("=")));
      m.push_back(sp());
      m.push_back(expression().doc);
      prev_aligned_kind = true;
      prev_kind = kind;
    } else {
      m.push_back(statement());
      prev_aligned_kind = false;
    }
    member.doc = d_.concat(std::move(m));
    members.push_back(member);
  }
  std::vector<std::size_t> widest(static_cast<std::size_t>(run + 1), 0);
  for (const Member& m : members)
    if (m.run >= 0) widest[m.run] = std::max(widest[m.run], m.key);
  std::vector<DocId> body;
  for (const Member& m : members) {
    if (m.run >= 0) d_.set_text(m.pad, std::string(widest[m.run] - m.key, ' '));
    body.push_back(hardline());
    body.push_back(m.doc);
  }
  const std::size_t close = take();
  lead(close, true, members.empty(), false, body);
  if (!body.empty()) {
    parts.push_back(d_.nest(2, std::move(body)));
    parts.push_back(d_.leaf(DocKind::kLineStart));
  }
  parts.push_back(tok(close));
  return d_.concat(std::move(parts));
}

// ---- Statements

// `{ statements }` after its '{' (token `open`).
DocId Builder::block(std::size_t open) {
  std::vector<DocId> body;
  bool first = true;
  while (!is("}")) {
    body.push_back(hardline());
    lead(cur_, true, first, true, body);
    body.push_back(statement());
    first = false;
  }
  const std::size_t close = take();
  lead(close, true, first, false, body);
  std::vector<DocId> parts{tok(open)};
  if (!body.empty()) {
    parts.push_back(d_.nest(2, std::move(body)));
    parts.push_back(d_.leaf(DocKind::kLineStart));
  }
  parts.push_back(tok(close));
  return d_.concat(std::move(parts));
}

DocId Builder::statement() {
  Depth guard(depth_);
  std::vector<DocId> parts;
  if (is("for")) {
    words(parts, 3);  // for NAME in
    parts.push_back(sp());
    parts.push_back(expression().doc);
    parts.push_back(sp());
    parts.push_back(block(expect("{")));
  } else if (is("let")) {
    words(parts, 3);  // let NAME =
    parts.push_back(assign(expression()));
  } else if (is("when")) {
    parts.push_back(tok(take()));
    parts.push_back(sp());
    parts.push_back(expression().doc);
  } else if (is("require") || is("report")) {
    const bool require = is("require");
    parts.push_back(tok(take()));
    std::vector<DocId> clauses;
    if (require) {
      parts.push_back(sp());
      parts.push_back(expression().doc);
    } else if (is("message") || is("at") || is("related") || is("severity")) {
      parts.push_back(sp());
      parts.push_back(clause());
    }
    while (is("message") || is("at") || is("related") || is("severity")) {
      clauses.push_back(hardline());
      clauses.push_back(clause());
    }
    if (!clauses.empty()) parts.push_back(d_.nest(2, std::move(clauses)));
  } else if (is("if")) {
    parts.push_back(tok(take()));
    parts.push_back(sp());
    parts.push_back(expression().doc);
    parts.push_back(sp());
    parts.push_back(block(expect("{")));
    if (is("else")) {
      parts.push_back(sp());
      parts.push_back(tok(take()));
      parts.push_back(sp());
      parts.push_back(is("if") ? statement() : block(expect("{")));
    }
  } else {
    throw FormatFailure("expected a statement");
  }
  return d_.concat(std::move(parts));
}

// One `message`, `at`, `related` or `severity` clause of a `require` or `report`.
DocId Builder::clause() {
  std::vector<DocId> parts;
  const bool message = is("message");
  const bool related = is("related");
  const bool at = is("at");
  parts.push_back(tok(take()));
  parts.push_back(sp());
  if (message) {
    parts.push_back(tok(take_mode(LexMode::kMessage)));
  } else if (related) {
    parts.push_back(expression().doc);
    parts.push_back(tok(expect(":")));
    parts.push_back(sp());
    parts.push_back(tok(take_mode(LexMode::kMessage)));
  } else if (at) {
    parts.push_back(expression().doc);
  } else {
    parts.push_back(tok(take()));  // the severity level
  }
  return d_.concat(std::move(parts));
}

// ---- Expressions

// An expression that starts with `if` or `let` is that whole if/let expression (they extend to
// the right as far as they can): after '=', it moves to the next line first, as a chain does.
Builder::Ex Builder::expression(bool no_in) {
  const bool extends = is("if") || is("let");
  Ex e = chain(no_in, 0);
  e.chain = e.chain || extends;
  return e;
}

// Level 0: `or`, level 1: `and`. A chain of two or more operands breaks before each operator,
// indented by two; comments before an operand move before its operator (unless the operator
// has an end-of-line comment, which must stay first).
Builder::Ex Builder::chain(bool no_in, int level) {
  Depth guard(depth_);
  const std::string_view op = level == 0 ? "or" : "and";
  Ex first = level == 0 ? chain(no_in, 1) : Ex{not_level(no_in), false};
  if (!is(op)) return first;
  std::vector<DocId> rest;
  while (is(op)) {
    const std::size_t o = take();
    rest.push_back(line());
    lead(o, false, false, false, rest);
    peek();
    if (toks_[o].trailing.empty()) lead(cur_, false, false, false, rest);
    rest.push_back(tok(o));
    rest.push_back(sp());
    rest.push_back(level == 0 ? chain(no_in, 1).doc : not_level(no_in));
  }
  const DocId tail = d_.concat(std::move(rest));
  return {d_.group({first.doc, d_.nest(2, {tail})}), true, d_.group({first.doc, tail})};
}

DocId Builder::not_level(bool no_in) {
  Depth guard(depth_);
  if (!is("not")) return cmp_level(no_in);
  const DocId n = tok(take());
  return d_.concat({n, sp(), not_level(no_in)});
}

DocId Builder::cmp_level(bool no_in) {
  const DocId left = arith(0);
  std::vector<DocId> parts{left};
  if (is("==") || is("!=") || is("<=") || is(">=") || is("<") || is(">")) {
    parts.push_back(sp());
    parts.push_back(tok(take()));
  } else if (!no_in && is("in")) {
    parts.push_back(sp());
    parts.push_back(tok(take()));
  } else if (!no_in && is("not")) {
    parts.push_back(sp());
    parts.push_back(tok(take()));
    parts.push_back(sp());
    parts.push_back(tok(expect("in")));
  } else {
    return left;
  }
  parts.push_back(sp());
  parts.push_back(arith(0));
  return d_.concat(std::move(parts));
}

// Level 0: `+ -` (a chain that does not fit breaks before its operators), level 1: `* / %`.
DocId Builder::arith(int level) {
  Depth guard(depth_);
  auto operand = [&]() { return level == 0 ? arith(1) : neg_level(); };
  const DocId first = operand();
  std::vector<DocId> rest;
  while (level == 0 ? (is("+") || is("-")) : (is("*") || is("/") || is("%"))) {
    rest.push_back(level == 0 ? line() : sp());
    rest.push_back(tok(take()));
    rest.push_back(sp());
    rest.push_back(operand());
  }
  if (rest.empty()) return first;
  if (level == 1) {
    rest.insert(rest.begin(), first);
    return d_.concat(std::move(rest));
  }
  return d_.group({first, d_.nest(2, std::move(rest))});
}

DocId Builder::neg_level() {
  Depth guard(depth_);
  if (!is("-")) return postfix();
  const DocId minus = tok(take());
  return d_.concat({minus, neg_level()});
}

DocId Builder::postfix() {
  std::vector<DocId> parts{primary()};
  for (;;) {
    if (is(".")) {
      parts.push_back(tok(take()));
      parts.push_back(tok(take()));
    } else if (is("[")) {
      const std::size_t open = take();
      if (is("*")) {
        parts.push_back(tok(open));
        parts.push_back(tok(take()));
        parts.push_back(tok(expect("]")));
      } else {
        const DocId inner = expression().doc;
        parts.push_back(bracketed(open, inner, expect("]")));
      }
    } else if (is("(")) {
      parts.push_back(seq(take(), ")", {}));
    } else {
      break;
    }
  }
  return parts.size() == 1 ? parts[0] : d_.concat(std::move(parts));
}

// `open inner close`, the inner part on its own lines, indented, when it does not fit.
DocId Builder::bracketed(std::size_t open, DocId inner, std::size_t close) {
  const DocId o = tok(open);
  return d_.group({o, d_.nest(2, {softline(), inner}), softline(), tok(close)});
}

// Comma-separated items after `open` up to `close` (arguments, list items, map entries), with
// `head` already read (the first item). A trailing comma is dropped (its comments are kept).
DocId Builder::seq(std::size_t open, std::string_view close, std::vector<DocId> head) {
  std::vector<DocId> items = std::move(head);
  bool need_item = items.empty();
  while (!is(close)) {
    if (is(",")) {
      const std::size_t comma = take();
      if (is(close)) {
        items.push_back(comments_only(comma));
      } else {
        items.push_back(tok(comma));
        items.push_back(line());
      }
      need_item = true;
      continue;
    }
    if (!need_item) throw FormatFailure("expected ','");
    if (close == "}") {  // a map entry: key ':' value
      const DocId key = tok(take());
      const DocId colon = tok(expect(":"));
      items.push_back(d_.concat({key, colon, sp(), expression().doc}));
    } else {
      items.push_back(expression().doc);
    }
    need_item = false;
  }
  if (items.empty()) {
    const DocId o = tok(open);
    return d_.concat({o, tok(take())});
  }
  return bracketed(open, d_.concat(std::move(items)), take());
}

DocId Builder::primary() {
  Depth guard(depth_);
  const Token& t = peek();
  if (t.kind == TokKind::kString || t.kind == TokKind::kNumber) return tok(take());
  if (t.kind != TokKind::kWord && t.kind != TokKind::kPunct)
    throw FormatFailure("expected a value");
  if (is("(")) {  // a chain inside breaks with its operators under its first operand
    const std::size_t open = take();
    const Ex inner = expression();
    return bracketed(open, inner.aligned ? inner.aligned : inner.doc, expect(")"));
  }
  if (is("{")) return seq(take(), "}", {});
  if (is("[")) {
    const std::size_t open = take();
    if (is("]")) return seq(open, "]", {});
    const DocId first = expression().doc;
    if (!is("for")) return seq(open, "]", {first});
    std::vector<DocId> inner{first, line(), tok(take()), sp(), tok(take()), sp()};
    inner.push_back(tok(expect("in")));
    inner.push_back(sp());
    inner.push_back(expression().doc);
    if (is("if")) {
      inner.push_back(line());
      inner.push_back(tok(take()));
      inner.push_back(sp());
      inner.push_back(expression().doc);
    }
    return bracketed(open, d_.concat(std::move(inner)), expect("]"));
  }
  if (is("if")) {
    // `if a then x else if b then y else z`: each `else` starts a line when it does not fit.
    // Each `if c then x` breaks before `then` when it does not fit either.
    std::vector<DocId> parts;
    for (;;) {
      std::vector<DocId> head{tok(take()), sp(), expression().doc};
      std::vector<DocId> then{line(), tok(expect("then")), sp(), expression().doc};
      head.push_back(d_.nest(2, std::move(then)));
      parts.push_back(d_.group(std::move(head)));
      parts.push_back(line());
      parts.push_back(tok(expect("else")));
      parts.push_back(sp());
      if (!is("if")) break;
    }
    parts.push_back(expression().doc);
    return d_.group(std::move(parts));
  }
  if (is("let")) {
    std::vector<DocId> parts{tok(take()), sp(), tok(take()), sp(), tok(expect("="))};
    parts.push_back(sp());
    parts.push_back(expression(true).doc);
    parts.push_back(line());
    parts.push_back(tok(expect("in")));
    parts.push_back(sp());
    parts.push_back(expression().doc);
    return d_.group(std::move(parts));
  }
  if (is("all") || is("any") || is("none")) {
    std::vector<DocId> parts{tok(take()), sp(), tok(take()), sp(), tok(expect("in")), sp()};
    parts.push_back(expression().doc);
    parts.push_back(tok(expect(":")));
    parts.push_back(sp());
    // A predicate that breaks is indented past the line it continues, so that its `and`/`or`
    // do not read as the enclosing statement's.
    parts.push_back(d_.nest(2, {expression().doc}));
    return d_.concat(std::move(parts));
  }
  if (t.kind == TokKind::kWord) return tok(take());  // a name, true, false, null
  throw FormatFailure("expected a value");
}

}  // namespace polc::dsl::fmt
