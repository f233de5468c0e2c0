// The formatter's lexer (dsl/format.cpp): policy source as tokens, each with the comments
// around it. A comment on the same line after a token is that token's `trailing` comment; any
// other comment is a `leading` comment of the next token (the end-of-file token takes the
// comments that end a file). String literals, message templates with their `{expr}` parts
// and long strings are one token each, kept byte for byte. Tokens are produced on demand
// because a message template (after `message`, or after a `related` clause's ':') is lexed
// differently from a string in an expression, and a policy name (`vpce-sg-no-egress`) from a
// name. The source is assumed to have parsed (dsl/parser.h); anything else throws
// `FormatFailure`. Views point into the source, which must outlive the tokens.
#pragma once
#include <cstddef>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace polc::dsl::fmt {

/// Thrown when the formatter meets input it does not expect; the caller reports it and leaves
/// the file unchanged.
struct FormatFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Comment {
  std::string_view text;      // from '#' to the end of the line, trailing spaces removed
  bool blank_before = false;  // an empty line separates it from what came before
};

enum class TokKind { kWord, kNumber, kString, kPunct, kEof };

struct Token {
  TokKind kind = TokKind::kEof;
  std::string_view text;
  std::vector<Comment> leading;
  bool blank_before = false;  // an empty line between the last leading comment (or the previous
                              // token) and this token
  std::string_view trailing;  // the comment after it on its line; empty when none
};

enum class LexMode { kNormal, kMessage, kPolicyName };

class Lexer {
 public:
  explicit Lexer(std::string_view source) : src_(source) {}
  Token next(LexMode mode);

 private:
  char at(std::size_t i) const { return i < src_.size() ? src_[i] : '\0'; }
  bool starts(std::size_t i, std::string_view s) const { return src_.substr(i, s.size()) == s; }
  void trivia(Token& t);
  void trailing(Token& t);
  std::size_t plain_string(std::size_t i) const;  // i after the opening quote
  std::size_t long_string(std::size_t i) const;   // i after the opening """
  std::size_t raw_string(std::size_t i) const;    // i after the opening '
  std::size_t template_string(std::size_t i, bool long_form) const;
  std::size_t interpolation(std::size_t i) const;  // i after '{'; returns after its '}'
  std::size_t need(std::size_t i) const;           // throws when i is past the end

  std::string_view src_;
  std::size_t pos_ = 0;
};

}  // namespace polc::dsl::fmt
