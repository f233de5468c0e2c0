// What the language server knows about a policy file's text without compiling it: its tokens,
// its declarations (imports, constants, functions, policies, parameters and the names bound by
// `let`, `for` and quantifiers, each with the byte range where it is in scope), and which
// declaration a name refers to. Built from the text alone, so every editor request on a file
// that does not parse (the usual state while typing) still gets an answer. The diagnostics come
// from the compiler itself (cli/lsp/analysis.h), never from here.
//
// Offsets are 0-based byte offsets into the text. A `TextIndex` owns a copy of the text;
// immutable after construction; not shared between threads.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace polc::lsp {

struct Token {
  enum Kind : std::uint8_t { kIdent, kString, kNumber, kPunct } kind = kPunct;
  std::uint32_t begin = 0, end = 0;
  std::uint32_t group_begin = 0;  // start of the innermost ( [ { group holding it; 0 at depth 0
  std::uint32_t group_end = 0;    // end of that group; the text's size at depth 0
  int match = -1;                 // an opening bracket: the index of its closing one, or -1
};

enum class DeclKind : std::uint8_t {
  kImport,
  kConst,
  kFunction,
  kPolicy,
  kParam,
  kFnParam,
  kLet,
  kLoop
};

struct Decl {
  DeclKind kind = DeclKind::kLet;
  std::string name;
  std::uint32_t name_begin = 0, name_end = 0;
  std::uint32_t begin = 0;                       // the declaration's first byte (its keyword)
  std::uint32_t end = 0;                         // file-level declarations: past its last token
  std::uint32_t scope_begin = 0, scope_end = 0;  // where the name is visible
  std::string detail;         // import: the path; function: "(a, b)"; loop/let: "resources(\"T\")"
  std::string resource_type;  // a loop or let over resources("T") or a property of T: T
  bool property = false;      // with resource_type: a property value at `path`, not a resource
  std::vector<std::string> path;  // under Properties (lists are transparent, as in the checker)
};

class TextIndex {
 public:
  explicit TextIndex(std::string text);
  const std::string& text() const { return text_; }
  const std::vector<Token>& tokens() const { return tokens_; }
  const std::vector<Decl>& decls() const { return decls_; }
  std::string_view token_text(const Token& t) const {
    return std::string_view(text_).substr(t.begin, t.end - t.begin);
  }

  /// The index of the token at `offset` (a cursor just after a word counts as on it), or -1.
  int token_at(std::uint32_t offset) const;
  /// The declaration the identifier token `tok` names (innermost scope first, then file level),
  /// or -1. A name after `.` is a field or a module member, never a declaration of this file.
  int resolve(int tok) const;
  /// The file-level declaration (import, const, fn, policy) called `name`, or -1.
  int find_top(std::string_view name, bool functions_only = false) const;
  /// Names visible at `offset`: the declarations in scope there, innermost first.
  std::vector<int> visible(std::uint32_t offset) const;
  /// The `#` comment lines right above the line of `offset`, without the `# `, joined by newlines.
  std::string doc_comment(std::uint32_t offset) const;
  /// The header attributes of the policy declared by `d` (`key = value`, in order) as text lines.
  std::vector<std::pair<std::string, std::string>> policy_header(const Decl& d) const;
  /// The identifier tokens that name declaration `d` (its own name token included).
  std::vector<int> references(int d) const;

 private:
  void lex();
  /// `depth`: strings inside interpolations inside strings; past kMaxExpressionDepth an
  /// interpolation is read as plain text, so the recursion is bounded.
  void lex_code(std::uint32_t& i, std::uint32_t depth, bool in_interpolation);
  void lex_string(std::uint32_t& i, std::uint32_t depth);
  void find_decls();
  void find_ends();
  void typed_value(int k, Decl& d) const;
  std::string text_;
  std::vector<Token> tokens_;
  std::vector<Decl> decls_;
  std::map<std::string, std::vector<int>, std::less<>> by_name_;  // declarations by name
};

/// True for the words of the language (`for`, `require`, `true`, ...).
bool is_keyword(std::string_view word);
/// The language's keywords.
const std::vector<std::string_view>& keywords();
/// The text of a string token without its quotes (escapes kept as written).
std::string_view string_contents(std::string_view token);

}  // namespace polc::lsp
