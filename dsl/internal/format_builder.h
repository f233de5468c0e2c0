// The formatter's parser (dsl/format.cpp): reads the tokens of dsl/internal/format_lex.h by
// recursive descent, following dsl/internal/grammar.h, and builds the layout document of
// dsl/internal/format_doc.h, with every comment placed. The layout rules are listed in
// dsl/format.h. Input must have parsed; anything unexpected throws FormatFailure. Recursion
// follows the nesting of expressions, which the parser bounds (kMaxExpressionDepth); a bound
// of its own (kMaxFormatDepth) throws before the stack could.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/internal/format_doc.h"
#include "dsl/internal/format_lex.h"

namespace polc::dsl::fmt {

/// Nesting depth (recursive calls) past which formatting gives up: well above what the
/// parser's kMaxExpressionDepth allows, so it is only hit by a formatter bug.
inline constexpr std::size_t kMaxFormatDepth = 4096;

class Builder {
 public:
  explicit Builder(std::string_view source) : lex_(source) {}
  /// The layout of the whole file.
  DocId file();
  const DocArena& docs() const { return d_; }

 private:
  struct Ex {
    DocId doc;
    bool chain = false;  // a top-level `and`/`or` chain, or an if/let (breaks after '=' first)
    DocId aligned = 0;   // for a chain: the same chain with its operators not indented
  };
  struct Member {
    DocId doc;
    DocId pad = 0;        // padding node before '=', 0 when not aligned
    std::size_t key = 0;  // key length
    int run = -1;         // alignment run, -1 for none
  };

  Token& peek();
  std::size_t take();
  std::size_t take_mode(LexMode mode);
  bool is(std::string_view text);
  std::size_t expect(std::string_view text);

  DocId sp() { return d_.leaf(DocKind::kSpace); }
  DocId line() { return d_.leaf(DocKind::kLine); }
  DocId softline() { return d_.leaf(DocKind::kSoftLine); }
  DocId hardline() { return d_.leaf(DocKind::kHardLine); }
  DocId tok(std::size_t i);
  DocId comments_only(std::size_t i);
  void words(std::vector<DocId>& parts, int n);
  void lead(std::size_t i, bool keep_blanks, bool first, bool blank_after, std::vector<DocId>& out);

  DocId declaration(bool first);
  DocId policy_decl(std::vector<DocId> parts);
  DocId block(std::size_t open);
  DocId statement();
  DocId clause();
  DocId assign(Ex value);
  DocId params();

  Ex expression(bool no_in = false);
  Ex chain(bool no_in, int level);
  DocId not_level(bool no_in);
  DocId cmp_level(bool no_in);
  DocId arith(int level);
  DocId neg_level();
  DocId postfix();
  DocId primary();
  DocId seq(std::size_t open, std::string_view close, std::vector<DocId> head);
  DocId bracketed(std::size_t open, DocId inner, std::size_t close);

  struct Depth {
    explicit Depth(std::size_t& d) : d_(d) {
      if (++d_ > kMaxFormatDepth) throw FormatFailure("nesting too deep");
    }
    ~Depth() { --d_; }
    Depth(const Depth&) = delete;
    Depth& operator=(const Depth&) = delete;
    std::size_t& d_;
  };

  Lexer lex_;
  DocArena d_;
  std::vector<Token> toks_;
  std::size_t cur_ = 0;
  std::size_t depth_ = 0;
};

}  // namespace polc::dsl::fmt
