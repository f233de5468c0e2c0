#include "cli/lsp/text_index.h"

#include <algorithm>
#include <filesystem>

#include "engine/base/limits.h"

namespace polc::lsp {
namespace {

bool ident_first(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool ident_rest(char c) { return ident_first(c) || (c >= '0' && c <= '9'); }
bool is_open(char c) { return c == '(' || c == '[' || c == '{'; }
bool is_close(char c) { return c == ')' || c == ']' || c == '}'; }

}  // namespace

const std::vector<std::string_view>& keywords() {
  static const std::vector<std::string_view> k = {
      "import",  "as",     "const", "param", "fn",   "policy", "for",     "in",      "let", "when",
      "require", "report", "if",    "then",  "else", "at",     "related", "message", "and", "or",
      "not",     "all",    "any",   "none",  "true", "false",  "null",    "severity"};
  return k;
}

bool is_keyword(std::string_view word) {
  if (word == "severity") return false;  // a header key and a clause word, never reserved
  const auto& k = keywords();
  return std::find(k.begin(), k.end(), word) != k.end();
}

std::string_view string_contents(std::string_view t) {
  if (t.starts_with("\"\"\"")) {
    t.remove_prefix(3);
    if (t.ends_with("\"\"\"")) t.remove_suffix(3);
    return t;
  }
  if (!t.empty() && (t.front() == '"' || t.front() == '\'')) {
    char q = t.front();
    t.remove_prefix(1);
    if (!t.empty() && t.back() == q) t.remove_suffix(1);
  }
  return t;
}

TextIndex::TextIndex(std::string text) : text_(std::move(text)) {
  lex();
  find_decls();
  find_ends();
}

void TextIndex::lex() {
  std::uint32_t i = 0;
  const auto n = static_cast<std::uint32_t>(text_.size());
  while (i < n) lex_code(i, 0, false);
  // Brackets: each token's innermost group, each opening bracket's match.
  std::vector<int> open;
  for (std::size_t k = 0; k < tokens_.size(); ++k) {
    Token& t = tokens_[k];
    char c = t.kind == Token::kPunct ? text_[t.begin] : '\0';
    if (is_close(c) && !open.empty()) {
      tokens_[open.back()].match = static_cast<int>(k);
      open.pop_back();
    }
    t.group_begin = open.empty() ? 0 : tokens_[open.back()].begin;
    if (is_open(c)) open.push_back(static_cast<int>(k));
  }
  // Group ends, now that the matches are known (an unclosed group runs to the end).
  std::vector<int> stack;
  for (std::size_t k = 0; k < tokens_.size(); ++k) {
    Token& t = tokens_[k];
    char c = t.kind == Token::kPunct ? text_[t.begin] : '\0';
    if (is_close(c) && !stack.empty() && tokens_[stack.back()].match == static_cast<int>(k))
      stack.pop_back();
    t.group_end = stack.empty()                      ? n
                  : tokens_[stack.back()].match >= 0 ? tokens_[tokens_[stack.back()].match].end
                                                     : n;
    if (is_open(c)) stack.push_back(static_cast<int>(k));
  }
}

// Lexes code from `i`. Inside an interpolation (`in_interpolation`), stops after the `}` that
// closes it.
void TextIndex::lex_code(std::uint32_t& i, std::uint32_t depth, bool in_interpolation) {
  const auto n = static_cast<std::uint32_t>(text_.size());
  int braces = 0;
  while (i < n) {
    char c = text_[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else if (c == '#') {
      while (i < n && text_[i] != '\n') ++i;
    } else if (ident_first(c)) {
      std::uint32_t b = i;
      while (i < n && ident_rest(text_[i])) ++i;
      // A policy name is kebab-case: `policy broken-one {`.
      if (!tokens_.empty() && tokens_.back().kind == Token::kIdent &&
          token_text(tokens_.back()) == "policy")
        while (i < n && (ident_rest(text_[i]) || text_[i] == '-')) ++i;
      tokens_.push_back({Token::kIdent, b, i});
    } else if (c >= '0' && c <= '9') {
      std::uint32_t b = i;
      while (i < n && (ident_rest(text_[i]) || text_[i] == '.')) ++i;
      tokens_.push_back({Token::kNumber, b, i});
    } else if (c == '"' || c == '\'') {
      lex_string(i, depth);
    } else {
      if (in_interpolation) {
        if (c == '{') ++braces;
        if (c == '}' && braces-- == 0) {
          ++i;
          return;
        }
      }
      tokens_.push_back({Token::kPunct, i, i + 1});
      ++i;
    }
    if (!in_interpolation) return;  // one token per call at the top: the caller loops
  }
}

void TextIndex::lex_string(std::uint32_t& i, std::uint32_t depth) {
  const auto n = static_cast<std::uint32_t>(text_.size());
  const std::uint32_t b = i;
  const std::size_t slot = tokens_.size();
  tokens_.push_back({Token::kString, b, b});
  if (text_[i] == '\'') {
    ++i;
    while (i < n && text_[i] != '\'' && text_[i] != '\n') ++i;
    if (i < n && text_[i] == '\'') ++i;
  } else {
    const bool long_string = text_.compare(i, 3, "\"\"\"") == 0;
    i += long_string ? 3 : 1;
    while (i < n) {
      char c = text_[i];
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (long_string ? text_.compare(i, 3, "\"\"\"") == 0 : c == '"') {
        i += long_string ? 3 : 1;
        break;
      }
      if (!long_string && c == '\n') break;
      if (c == '{' && depth < kMaxExpressionDepth) {
        ++i;
        lex_code(i, depth + 1, true);
        continue;
      }
      ++i;
    }
  }
  tokens_[slot].end = std::min(i, n);
}

void TextIndex::find_decls() {
  const auto n = static_cast<std::uint32_t>(text_.size());
  const int count = static_cast<int>(tokens_.size());
  auto word = [&](int k) -> std::string_view {
    return k >= 0 && k < count && tokens_[k].kind == Token::kIdent ? token_text(tokens_[k])
                                                                   : std::string_view();
  };
  auto punct = [&](int k, char c) {
    return k >= 0 && k < count && tokens_[k].kind == Token::kPunct && text_[tokens_[k].begin] == c;
  };
  // Where each file-level declaration starts: a declaration's scope ends at the next one.
  std::vector<std::uint32_t> starts;
  for (const Token& t : tokens_) {
    std::string_view w = t.kind == Token::kIdent ? token_text(t) : std::string_view();
    if (t.group_end == n && (w == "import" || w == "const" || w == "fn" || w == "policy"))
      starts.push_back(t.begin);
  }
  auto next_start = [&](std::uint32_t after) {
    auto it = std::upper_bound(starts.begin(), starts.end(), after);
    return it == starts.end() ? n : *it;
  };
  auto scope_end = [&](const Token& t) {
    return t.group_end == n ? next_start(t.begin) : t.group_end;
  };
  auto add = [&](DeclKind kind, int name_tok, std::uint32_t begin, std::uint32_t sb,
                 std::uint32_t se) -> Decl& {
    Decl d;
    d.kind = kind;
    d.name = std::string(token_text(tokens_[name_tok]));
    d.name_begin = tokens_[name_tok].begin;
    d.name_end = tokens_[name_tok].end;
    d.begin = begin;
    d.scope_begin = sb;
    d.scope_end = se;
    by_name_[d.name].push_back(static_cast<int>(decls_.size()));
    decls_.push_back(std::move(d));
    return decls_.back();
  };
  for (int k = 0; k < count; ++k) {
    const Token& t = tokens_[k];
    std::string_view w = word(k);
    if (w.empty()) continue;
    const bool top = t.group_end == n;
    if (w == "import" && top && k + 1 < count && tokens_[k + 1].kind == Token::kString) {
      std::string path(string_contents(token_text(tokens_[k + 1])));
      int name_tok = k + 1;
      if (word(k + 2) == "as" && !word(k + 3).empty()) name_tok = k + 3;
      Decl& d = add(DeclKind::kImport, name_tok, t.begin, 0, n);
      if (name_tok == k + 1) {
        by_name_[d.name].pop_back();
        d.name = std::filesystem::path(path).stem().string();
        by_name_[d.name].push_back(static_cast<int>(decls_.size() - 1));
      }
      d.detail = path;
    } else if (w == "const" && top && !word(k + 1).empty()) {
      add(DeclKind::kConst, k + 1, t.begin, 0, n);
    } else if (w == "fn" && top && !word(k + 1).empty()) {
      Decl& d = add(DeclKind::kFunction, k + 1, t.begin, 0, n);
      const std::uint32_t end = next_start(t.begin);
      std::string params = "(";
      if (punct(k + 2, '(')) {
        int close = tokens_[k + 2].match < 0 ? count : tokens_[k + 2].match;
        std::vector<int> names;
        for (int j = k + 3; j < close; ++j)
          if (tokens_[j].kind == Token::kIdent) names.push_back(j);
        for (int j : names) {
          if (params.size() > 1) params += ", ";
          params += token_text(tokens_[j]);
        }
        d.detail = params + ")";
        for (int j : names) add(DeclKind::kFnParam, j, tokens_[j].begin, t.begin, end);
      } else {
        d.detail = "()";
      }
    } else if (w == "policy" && top && !word(k + 1).empty()) {
      std::uint32_t end = n;
      if (punct(k + 2, '{') && tokens_[k + 2].match >= 0)
        end = tokens_[tokens_[k + 2].match].end;
      else
        end = next_start(t.begin);
      add(DeclKind::kPolicy, k + 1, t.begin, 0, n).end = end;
    } else if (w == "param" && !word(k + 1).empty() && !is_keyword(word(k + 1))) {
      add(DeclKind::kParam, k + 1, t.begin, t.group_begin, scope_end(t));
    } else if (w == "let" && !word(k + 1).empty() && !is_keyword(word(k + 1))) {
      add(DeclKind::kLet, k + 1, t.begin, tokens_[k + 1].begin, scope_end(t));
      if (punct(k + 2, '=')) typed_value(k + 3, decls_.back());
    } else if ((w == "for" || w == "all" || w == "any" || w == "none") && !word(k + 1).empty() &&
               word(k + 2) == "in" && !is_keyword(word(k + 1))) {
      // A comprehension's element comes before its `for`: its scope is the whole [...] group.
      const bool in_list =
          t.group_end != n && t.group_begin < text_.size() && text_[t.group_begin] == '[';
      add(DeclKind::kLoop, k + 1, t.begin, in_list ? t.group_begin : tokens_[k + 1].begin,
          scope_end(t));
      typed_value(k + 3, decls_.back());  // a list's items: lists are transparent
    }
  }
}

// What the expression at token `k` holds, when it is `resources("T")` or a name (with fields)
// typed so: sets `d.resource_type`, `d.property`, `d.path` and `d.detail`.
void TextIndex::typed_value(int k, Decl& d) const {
  const int count = static_cast<int>(tokens_.size());
  auto word = [&](int i) -> std::string_view {
    return i >= 0 && i < count && tokens_[i].kind == Token::kIdent ? token_text(tokens_[i])
                                                                   : std::string_view();
  };
  auto punct = [&](int i, char c) {
    return i >= 0 && i < count && tokens_[i].kind == Token::kPunct && text_[tokens_[i].begin] == c;
  };
  if (word(k) == "resources" && punct(k + 1, '(') && k + 2 < count &&
      tokens_[k + 2].kind == Token::kString && punct(k + 3, ')')) {
    d.resource_type = std::string(string_contents(token_text(tokens_[k + 2])));
    d.detail = "resources(\"" + d.resource_type + "\")";
    return;
  }
  if (word(k).empty()) return;
  std::vector<std::string> names{std::string(word(k))};
  int last = k;
  while (punct(last + 1, '.') && !word(last + 2).empty()) {
    names.emplace_back(word(last + 2));
    last += 2;
  }
  if (punct(last + 1, '(') || punct(last + 1, '[')) return;
  const int src = resolve(k);
  if (src < 0 || decls_[src].resource_type.empty()) return;
  const Decl& from = decls_[src];
  std::vector<std::string> path;
  if (from.property) {
    path = from.path;
    path.insert(path.end(), names.begin() + 1, names.end());
  } else if (names.size() == 1) {
    d.resource_type = from.resource_type;
    d.detail = from.detail;
    return;
  } else if (names[1] != "Properties") {
    return;
  } else {
    path.assign(names.begin() + 2, names.end());
  }
  d.resource_type = from.resource_type;
  d.property = true;
  d.path = std::move(path);
  d.detail = d.resource_type + " Properties";
  for (const std::string& p : d.path) d.detail += "." + p;
}

// The end of each file-level declaration other than a policy: its last token before the next
// declaration. One pass over the tokens (both lists are sorted by offset).
void TextIndex::find_ends() {
  std::vector<std::pair<std::uint32_t, int>> starts;  // (begin, declaration), file level
  for (std::size_t i = 0; i < decls_.size(); ++i) {
    const DeclKind k = decls_[i].kind;
    if (k == DeclKind::kImport || k == DeclKind::kConst || k == DeclKind::kFunction ||
        k == DeclKind::kPolicy) {
      starts.emplace_back(decls_[i].begin, static_cast<int>(i));
      if (k != DeclKind::kPolicy) decls_[i].end = decls_[i].name_end;
    }
  }
  std::sort(starts.begin(), starts.end());
  std::size_t j = 0;
  for (const Token& t : tokens_) {
    while (j + 1 < starts.size() && starts[j + 1].first <= t.begin) ++j;
    if (starts.empty() || starts[j].first > t.begin) continue;
    Decl& d = decls_[starts[j].second];
    if (d.kind != DeclKind::kPolicy) d.end = std::max(d.end, t.end);
  }
}

int TextIndex::token_at(std::uint32_t offset) const {
  int best = -1;
  auto it = std::upper_bound(tokens_.begin(), tokens_.end(), offset,
                             [](std::uint32_t o, const Token& t) { return o < t.begin; });
  // Tokens starting at or before `offset`, nearest first; a string token may enclose later ones.
  for (int k = static_cast<int>(it - tokens_.begin()) - 1;
       k >= 0 && k >= static_cast<int>(it - tokens_.begin()) - 64; --k) {
    const Token& t = tokens_[k];
    if (offset < t.begin || offset > t.end) continue;
    if (offset == t.end && t.kind != Token::kIdent && t.kind != Token::kString) continue;
    if (best < 0 || (tokens_[best].kind == Token::kString && t.kind != Token::kString)) best = k;
    if (t.kind == Token::kIdent) return k;
  }
  return best;
}

int TextIndex::find_top(std::string_view name, bool functions_only) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return -1;
  for (int i : it->second) {
    const Decl& d = decls_[i];
    if (functions_only ? d.kind == DeclKind::kFunction
                       : (d.kind == DeclKind::kImport || d.kind == DeclKind::kConst ||
                          d.kind == DeclKind::kFunction || d.kind == DeclKind::kPolicy))
      return i;
  }
  return -1;
}

int TextIndex::resolve(int tok) const {
  if (tok < 0 || tok >= static_cast<int>(tokens_.size()) || tokens_[tok].kind != Token::kIdent)
    return -1;
  const Token& t = tokens_[tok];
  if (tok > 0 && tokens_[tok - 1].kind == Token::kPunct && text_[tokens_[tok - 1].begin] == '.')
    return -1;
  const std::string_view name = token_text(t);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return -1;
  for (int i : it->second)
    if (decls_[i].name_begin == t.begin && decls_[i].name_end == t.end) return i;
  const bool call = tok + 1 < static_cast<int>(tokens_.size()) &&
                    tokens_[tok + 1].kind == Token::kPunct && text_[tokens_[tok + 1].begin] == '(';
  int best = -1;
  if (!call) {
    for (int i : it->second) {
      const Decl& d = decls_[i];
      if (d.kind == DeclKind::kImport || d.kind == DeclKind::kConst ||
          d.kind == DeclKind::kFunction || d.kind == DeclKind::kPolicy)
        continue;
      if (t.begin < d.scope_begin || t.begin >= d.scope_end) continue;
      if (best < 0 || d.scope_begin > decls_[best].scope_begin ||
          (d.scope_begin == decls_[best].scope_begin && d.name_begin > decls_[best].name_begin))
        best = i;
    }
  }
  if (best >= 0) return best;
  return find_top(name, call);
}

std::vector<int> TextIndex::visible(std::uint32_t offset) const {
  std::vector<int> out;
  for (std::size_t i = 0; i < decls_.size(); ++i) {
    const Decl& d = decls_[i];
    const bool top =
        d.kind == DeclKind::kImport || d.kind == DeclKind::kConst || d.kind == DeclKind::kFunction;
    if (d.kind == DeclKind::kPolicy) continue;
    if (!top && (offset < d.scope_begin || offset > d.scope_end ||
                 (d.kind == DeclKind::kLet && offset < d.name_end)))
      continue;
    out.push_back(static_cast<int>(i));
  }
  std::stable_sort(out.begin(), out.end(),
                   [&](int a, int b) { return decls_[a].scope_begin > decls_[b].scope_begin; });
  return out;
}

std::string TextIndex::doc_comment(std::uint32_t offset) const {
  auto line_begin = [&](std::size_t pos) -> std::size_t {
    std::size_t p = pos == 0 ? std::string::npos : text_.rfind('\n', pos - 1);
    return p == std::string::npos ? 0 : p + 1;
  };
  std::size_t ls = line_begin(std::min<std::size_t>(offset, text_.size()));
  std::vector<std::string_view> lines;
  while (ls > 0) {
    std::size_t prev = line_begin(ls - 1);
    std::string_view line = std::string_view(text_).substr(prev, ls - 1 - prev);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.starts_with("#")) break;
    line.remove_prefix(1);
    if (line.starts_with(" ")) line.remove_prefix(1);
    lines.push_back(line);
    ls = prev;
  }
  std::string out;
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (!out.empty()) out += '\n';
    out.append(*it);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> TextIndex::policy_header(const Decl& d) const {
  std::vector<std::pair<std::string, std::string>> out;
  auto it = std::find_if(tokens_.begin(), tokens_.end(),
                         [&](const Token& t) { return t.begin == d.name_begin; });
  if (it == tokens_.end() || it + 1 == tokens_.end() || it[1].match < 0) return out;
  const Token& open = it[1];
  const std::uint32_t body_end = tokens_[open.match].end;
  for (auto t = it + 2; t != tokens_.end() && t->begin < body_end; ++t) {
    if (t->group_end != body_end || t->kind != Token::kIdent) continue;
    std::string_view w = token_text(*t);
    if (w == "for" || w == "let" || w == "when" || w == "require" || w == "report" || w == "if")
      break;
    if (w == "param" || (t[-1].kind == Token::kIdent && token_text(t[-1]) == "param") ||
        t + 1 == tokens_.end() || t[1].kind != Token::kPunct || text_[t[1].begin] != '=')
      continue;
    std::string value;
    if (t + 2 != tokens_.end() && t[2].kind == Token::kString &&
        token_text(t[2]).starts_with("\"\"\"")) {
      // A long string: its words on one line.
      for (char c : string_contents(token_text(t[2]))) {
        const bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t';
        if (space && (value.empty() || value.back() == ' ')) continue;
        value += space ? ' ' : c;
      }
      while (!value.empty() && value.back() == ' ') value.pop_back();
      value = "\"" + value + "\"";
    } else if (t + 2 != tokens_.end() && t[2].kind == Token::kPunct && t[2].match >= 0) {
      value = text_.substr(t[2].begin, tokens_[t[2].match].end - t[2].begin);
    } else {
      std::size_t eol = text_.find('\n', t[1].end);
      std::string_view line = std::string_view(text_).substr(
          t[1].end, (eol == std::string::npos ? text_.size() : eol) - t[1].end);
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
      while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
      value = std::string(line);
    }
    out.emplace_back(std::string(w), std::move(value));
  }
  return out;
}

std::vector<int> TextIndex::references(int d) const {
  std::vector<int> out;
  if (d < 0 || d >= static_cast<int>(decls_.size())) return out;
  for (int k = 0; k < static_cast<int>(tokens_.size()); ++k)
    if (tokens_[k].kind == Token::kIdent && token_text(tokens_[k]) == decls_[d].name &&
        resolve(k) == d)
      out.push_back(k);
  return out;
}

}  // namespace polc::lsp
