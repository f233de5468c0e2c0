// Layout documents and their printer (dsl/internal/format_doc.h). The printer follows Wadler's
// "prettier printer" with an explicit command stack, as Prettier's printDocToString does: a
// group is printed flat when it has no hard break and its flat text, plus what follows up to
// the next possible break, fits in the width.
#include "dsl/internal/format_doc.h"

#include <algorithm>
#include <utility>

namespace polc::dsl::fmt {

DocId DocArena::add(DocNode n) {
  nodes_.push_back(std::move(n));
  return static_cast<DocId>(nodes_.size() - 1);
}

DocId DocArena::text(std::string_view s) {
  DocNode n;
  n.kind = DocKind::kText;
  n.text = std::string(s);
  n.hard = s.find('\n') != std::string_view::npos;
  return add(std::move(n));
}

DocId DocArena::leaf(DocKind kind) {
  DocNode n;
  n.kind = kind;
  n.hard = kind == DocKind::kHardLine || kind == DocKind::kBlankLine || kind == DocKind::kLineStart;
  return add(std::move(n));
}

DocId DocArena::trailing(std::string_view comment) {
  DocNode n;
  n.kind = DocKind::kTrailing;
  n.text = std::string(comment);
  n.ends_trailing = true;
  return add(std::move(n));
}

namespace {
// A container is hard when a child is, or when an end-of-line comment is followed by more.
bool any_hard(const std::vector<DocNode>& nodes, const std::vector<DocId>& children) {
  for (std::size_t i = 0; i < children.size(); ++i) {
    const DocNode& c = nodes[children[i]];
    if (c.hard || (c.ends_trailing && i + 1 < children.size())) return true;
  }
  return false;
}
bool ends_trailing(const std::vector<DocNode>& nodes, const std::vector<DocId>& children) {
  return !children.empty() && nodes[children.back()].ends_trailing;
}
}  // namespace

DocId DocArena::container(DocKind kind, std::uint32_t indent, std::vector<DocId> children) {
  DocNode n;
  n.kind = kind;
  n.indent = indent;
  n.hard = any_hard(nodes_, children);
  n.ends_trailing = ends_trailing(nodes_, children);
  n.children = std::move(children);
  return add(std::move(n));
}

DocId DocArena::nest(std::uint32_t indent, std::vector<DocId> children) {
  return container(DocKind::kNest, indent, std::move(children));
}

DocId DocArena::group(std::vector<DocId> children) {
  return container(DocKind::kGroup, 0, std::move(children));
}

DocId DocArena::concat(std::vector<DocId> children) {
  return container(DocKind::kConcat, 0, std::move(children));
}

namespace {

struct Cmd {
  std::uint32_t indent;
  bool flat;
  DocId id;
};

class Printer {
 public:
  Printer(const DocArena& docs, std::size_t width) : docs_(docs), width_(width) {}

  std::string run(DocId root) {
    stack_.push_back({0, false, root});
    while (!stack_.empty()) {
      Cmd c = stack_.back();
      stack_.pop_back();
      step(c);
    }
    while (!out_.empty() && (out_.back() == ' ' || out_.back() == '\n')) out_.pop_back();
    return std::move(out_);
  }

 private:
  void trim_spaces() {
    while (!out_.empty() && out_.back() == ' ') out_.pop_back();
  }

  void newline(std::uint32_t indent) {
    pending_ = false;
    line_indent_ = indent;
    if (out_.empty()) return;  // never a leading empty line
    trim_spaces();
    out_ += '\n';
    col_ = 0;
    at_start_ = true;
  }

  void put(std::string_view s, std::uint32_t indent) {
    if (pending_) newline(indent);
    if (at_start_) {
      out_.append(line_indent_, ' ');
      col_ = line_indent_;
      at_start_ = false;
    }
    out_ += s;
    const auto nl = s.rfind('\n');
    col_ = nl == std::string_view::npos ? col_ + s.size() : s.size() - nl - 1;
  }

  void push_children(const DocNode& n, std::uint32_t indent, bool flat) {
    for (auto it = n.children.rbegin(); it != n.children.rend(); ++it)
      stack_.push_back({indent, flat, *it});
  }

  void step(const Cmd& c) {
    const DocNode& n = docs_.at(c.id);
    switch (n.kind) {
      case DocKind::kText:
        put(n.text, c.indent);
        break;
      case DocKind::kSpace:
        if (!at_start_ && !pending_ && !out_.empty()) {
          out_ += ' ';
          ++col_;
        }
        break;
      case DocKind::kLine:
        if (c.flat && !pending_) {
          if (!at_start_ && !out_.empty()) {
            out_ += ' ';
            ++col_;
          }
        } else {
          newline(c.indent);
        }
        break;
      case DocKind::kSoftLine:
        if (!c.flat) newline(c.indent);
        break;
      case DocKind::kHardLine:
        newline(c.indent);
        break;
      case DocKind::kBlankLine:
        if (out_.empty()) break;
        if (!at_start_ || pending_) newline(c.indent);
        if (out_.size() < 2 || out_.compare(out_.size() - 2, 2, "\n\n") != 0) out_ += '\n';
        line_indent_ = c.indent;
        break;
      case DocKind::kLineStart:
        if (!at_start_ || pending_) newline(c.indent);
        line_indent_ = c.indent;
        break;
      case DocKind::kTrailing:
        if (at_start_) {
          put(n.text, c.indent);
        } else {
          trim_spaces();
          out_ += "  ";
          out_ += n.text;
        }
        pending_ = true;
        break;
      case DocKind::kNest:
        push_children(n, c.indent + n.indent, c.flat);
        break;
      case DocKind::kGroup: {
        const bool flat =
            !n.hard && (c.flat || fits(c, width_ > col_ ? static_cast<long>(width_ - col_) : 0));
        push_children(n, c.indent, flat);
        break;
      }
      case DocKind::kConcat:
        push_children(n, c.indent, c.flat);
        break;
    }
  }

  // True when the group `c`, printed flat, and what follows it up to the next line break fit
  // in `remaining` columns.
  bool fits(const Cmd& c, long remaining) const {
    std::vector<std::pair<DocId, bool>> st{{c.id, true}};
    std::size_t rest = stack_.size();
    while (remaining >= 0) {
      if (st.empty()) {
        if (rest == 0) return true;
        --rest;
        st.push_back({stack_[rest].id, stack_[rest].flat});
        continue;
      }
      auto [id, flat] = st.back();
      st.pop_back();
      const DocNode& n = docs_.at(id);
      switch (n.kind) {
        case DocKind::kText: {
          const auto nl = n.text.find('\n');
          if (nl != std::string::npos) return remaining - static_cast<long>(nl) >= 0;
          remaining -= static_cast<long>(n.text.size());
          break;
        }
        case DocKind::kSpace:
          remaining -= 1;
          break;
        case DocKind::kLine:
          if (!flat) return true;
          remaining -= 1;
          break;
        case DocKind::kSoftLine:
          if (!flat) return true;
          break;
        case DocKind::kHardLine:
        case DocKind::kBlankLine:
        case DocKind::kLineStart:
        case DocKind::kTrailing:
          return true;
        case DocKind::kNest:
        case DocKind::kConcat:
        case DocKind::kGroup: {
          const bool child_flat = flat && !n.hard;
          for (auto it = n.children.rbegin(); it != n.children.rend(); ++it)
            st.push_back({*it, child_flat});
          break;
        }
      }
    }
    return false;
  }

  const DocArena& docs_;
  std::size_t width_;
  std::vector<Cmd> stack_;
  std::string out_;
  std::size_t col_ = 0;
  std::uint32_t line_indent_ = 0;
  bool at_start_ = true;
  bool pending_ = false;
};

}  // namespace

std::string DocArena::print(DocId root, std::size_t width) const {
  return Printer(*this, width).run(root);
}

}  // namespace polc::dsl::fmt
