// The formatter's lexer (dsl/internal/format_lex.h). Mirrors the lexical rules of
// dsl/internal/grammar.h; the input has already been accepted by the parser.
#include "dsl/internal/format_lex.h"

namespace polc::dsl::fmt {
namespace {

bool is_word_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word_char(char c) { return is_word_start(c) || is_digit(c); }

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::size_t Lexer::need(std::size_t i) const {
  if (i >= src_.size()) throw FormatFailure("unexpected end of input");
  return i;
}

void Lexer::trivia(Token& t) {
  int newlines = 0;
  while (pos_ < src_.size()) {
    const char c = src_[pos_];
    if (c == '\n') {
      ++newlines;
      ++pos_;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      ++pos_;
    } else if (c == '#') {
      std::size_t end = src_.find('\n', pos_);
      if (end == std::string_view::npos) end = src_.size();
      t.leading.push_back({trim_right(src_.substr(pos_, end - pos_)), newlines >= 2});
      newlines = 0;
      pos_ = end;
    } else {
      break;
    }
  }
  t.blank_before = newlines >= 2;
}

void Lexer::trailing(Token& t) {
  std::size_t i = pos_;
  while (i < src_.size() && (src_[i] == ' ' || src_[i] == '\t' || src_[i] == '\r')) ++i;
  if (at(i) != '#') return;
  std::size_t end = src_.find('\n', i);
  if (end == std::string_view::npos) end = src_.size();
  t.trailing = trim_right(src_.substr(i, end - i));
  pos_ = end;
}

std::size_t Lexer::plain_string(std::size_t i) const {
  while (src_[need(i)] != '"') i += src_[i] == '\\' ? 2 : 1;
  return i + 1;
}

std::size_t Lexer::long_string(std::size_t i) const {
  while (!starts(need(i), "\"\"\"")) i += src_[i] == '\\' ? 2 : 1;
  return i + 3;
}

std::size_t Lexer::raw_string(std::size_t i) const {
  while (src_[need(i)] != '\'') ++i;
  return i + 1;
}

std::size_t Lexer::interpolation(std::size_t i) const {
  int depth = 0;
  for (;;) {
    const char c = src_[need(i)];
    if (c == '#') {
      while (at(i) != '\n') need(i++);
    } else if (c == '"') {
      i = starts(i, "\"\"\"") ? long_string(i + 3) : plain_string(i + 1);
    } else if (c == '\'') {
      i = raw_string(i + 1);
    } else if (c == '{') {
      ++depth;
      ++i;
    } else if (c == '}') {
      ++i;
      if (depth-- == 0) return i;
    } else {
      ++i;
    }
  }
}

std::size_t Lexer::template_string(std::size_t i, bool long_form) const {
  for (;;) {
    need(i);
    if (long_form ? starts(i, "\"\"\"") : src_[i] == '"') return i + (long_form ? 3 : 1);
    if (src_[i] == '\\') {
      i += 2;
    } else if (starts(i, "{{") || starts(i, "}}")) {
      i += 2;
    } else if (src_[i] == '{') {
      i = interpolation(i + 1);
    } else {
      ++i;
    }
  }
}

Token Lexer::next(LexMode mode) {
  Token t;
  trivia(t);
  const std::size_t start = pos_;
  if (pos_ >= src_.size()) {
    t.kind = TokKind::kEof;
    return t;
  }
  const char c = src_[pos_];
  std::size_t end = pos_ + 1;
  if (mode == LexMode::kPolicyName) {
    t.kind = TokKind::kWord;
    end = pos_;
    while (is_word_char(at(end)) || at(end) == '-') ++end;
    if (end == pos_) throw FormatFailure("expected a policy name");
  } else if (is_word_start(c)) {
    t.kind = TokKind::kWord;
    while (is_word_char(at(end))) ++end;
  } else if (is_digit(c)) {
    t.kind = TokKind::kNumber;
    while (is_digit(at(end))) ++end;
    if (at(end) == '.' && is_digit(at(end + 1))) {
      end += 2;
      while (is_digit(at(end))) ++end;
    }
    if (at(end) == 'e' || at(end) == 'E') {
      std::size_t e = end + 1;
      if (at(e) == '+' || at(e) == '-') ++e;
      if (is_digit(at(e))) {
        end = e;
        while (is_digit(at(end))) ++end;
      }
    }
  } else if (c == '"') {
    t.kind = TokKind::kString;
    const bool long_form = starts(pos_, "\"\"\"");
    const std::size_t body = pos_ + (long_form ? 3 : 1);
    if (mode == LexMode::kMessage) {
      end = template_string(body, long_form);
    } else {
      end = long_form ? long_string(body) : plain_string(body);
    }
  } else if (c == '\'') {
    t.kind = TokKind::kString;
    end = raw_string(pos_ + 1);
  } else {
    t.kind = TokKind::kPunct;
    static constexpr std::string_view kTwo[] = {"==", "!=", "<=", ">="};
    for (std::string_view op : kTwo)
      if (starts(pos_, op)) end = pos_ + 2;
    static constexpr std::string_view kOne = "()[]{},:.=<>+-*/%";
    if (end == pos_ + 1 && kOne.find(c) == std::string_view::npos)
      throw FormatFailure("unexpected character");
  }
  t.text = src_.substr(start, end - start);
  pos_ = end;
  trailing(t);
  return t;
}

}  // namespace polc::dsl::fmt
