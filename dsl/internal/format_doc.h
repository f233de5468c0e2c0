// The layout documents of the policy formatter (dsl/format.cpp): a Wadler-style pretty-printing
// document (text, line breaks that a group takes flat or broken, nesting) plus the two pieces a
// comment-keeping formatter needs: an end-of-line comment (the rest of the line is taken) and
// "start a new line unless at one" before own-line comments. Nodes live in one arena owned by
// `DocArena`; ids are indices into it. Printing is iterative (no recursion over the tree).
// Included by dsl/format.cpp and the formatter's parts only.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace polc::dsl::fmt {

using DocId = std::uint32_t;

enum class DocKind : std::uint8_t {
  kText,       // text; may hold '\n' (a long string), which breaks every enclosing group
  kSpace,      // one space, unless at the start of a line
  kLine,       // a space when flat, a new line when broken
  kSoftLine,   // nothing when flat, a new line when broken
  kHardLine,   // always a new line; breaks every enclosing group
  kBlankLine,  // an empty line (at most one in a row, none at the start of the output)
  kLineStart,  // a new line unless at the start of one; breaks every enclosing group
  kTrailing,   // an end-of-line comment: two spaces and the text; what follows starts a new line
  kNest,       // children indented by `indent` more after each new line
  kGroup,      // children flat if they fit in the width, else broken
  kConcat,     // children in order
};

struct DocNode {
  DocKind kind = DocKind::kConcat;
  bool hard = false;           // contains something that breaks enclosing groups
  bool ends_trailing = false;  // ends with an end-of-line comment (which breaks a group only
                               // when something follows it there)
  std::uint32_t indent = 0;
  std::string text;
  std::vector<DocId> children;
};

class DocArena {
 public:
  DocId text(std::string_view s);
  DocId leaf(DocKind kind);
  DocId trailing(std::string_view comment);
  DocId nest(std::uint32_t indent, std::vector<DocId> children);
  DocId group(std::vector<DocId> children);
  DocId concat(std::vector<DocId> children);
  const DocNode& at(DocId id) const { return nodes_[id]; }
  /// Replaces the text of the text node `id` (alignment padding, known only later); the new
  /// text holds no '\n'.
  void set_text(DocId id, std::string s) { nodes_[id].text = std::move(s); }

  /// Lays `root` out in `width` columns (bytes). Lines carry no trailing spaces; the result
  /// does not end with a new line.
  std::string print(DocId root, std::size_t width) const;

 private:
  DocId add(DocNode n);
  DocId container(DocKind kind, std::uint32_t indent, std::vector<DocId> children);
  std::vector<DocNode> nodes_;
};

}  // namespace polc::dsl::fmt
