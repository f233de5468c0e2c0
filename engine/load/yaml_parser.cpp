#include "engine/load/yaml_parser.h"

#include <yaml.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/limits.h"
#include "engine/load/yaml_map_assembler.h"
#include "engine/load/yaml_marks.h"
#include "engine/load/yaml_scalar.h"

namespace polc {
namespace {

using internal::DuplicateKey;
using internal::MapAssembler;
using internal::MarkToOffset;
using internal::ScalarType;

constexpr std::string_view kCoreTagPrefix = "tag:yaml.org,2002:";
constexpr std::uint32_t kNoPos = 0xFFFFFFFFu;

std::string_view view(const yaml_char_t* s) {
  return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
}

// A tag as written: `!!int` for core tags, the tag itself otherwise.
std::string display_tag(std::string_view tag) {
  if (tag.starts_with(kCoreTagPrefix)) return "!!" + std::string(tag.substr(kCoreTagPrefix.size()));
  return std::string(tag);
}

// A key or alias name quoted for a message, shortened when long.
std::string quote_for_message(std::string_view s) {
  std::string out = "'";
  std::size_t n = 0;
  for (char c : s) {
    if (++n > 80) {
      out += "...";
      break;
    }
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  out += '\'';
  return out;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_flow_indicator(char c) { return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'; }

// Frees a libyaml event when it goes out of scope.
struct EventGuard {
  yaml_event_t* e;
  ~EventGuard() { yaml_event_delete(e); }
};

// What an anchor names: the finished node, its expanded size and height.
struct Anchor {
  Value* value = nullptr;
  std::uint64_t nodes = 0;
  std::uint32_t height = 0;
  std::string_view raw;  // the scalar's text, for an alias used as a map key
};

// One open list or map. Children live in the shared scratch vectors from `begin` on.
struct Frame {
  std::uint32_t offset = 0;       // the container's content offset
  std::uint32_t begin = 0;        // first index in `items_` (list) or `entries_` (map)
  std::uint32_t merge_begin = 0;  // first index in `merges_`
  std::uint32_t depth = 0;        // tree depth of this container (the root is 1)
  std::uint32_t height = 0;       // largest child height
  std::uint32_t wrap_offset = 0;  // position of an intrinsic short-form tag
  std::uint64_t nodes = 1;        // nodes in the subtree, aliases expanded
  std::string_view anchor;        // arena copy, empty when none
  Intrinsic wrap = Intrinsic::kNone;
  bool is_map = false;
  bool want_key = true;      // map: the next node is a key
  bool merge_value = false;  // map: the next node is the value of a `<<` key
};

class YamlBuilder {
 public:
  YamlBuilder(Document& doc, Diagnostics& diags)
      : doc_(doc),
        diags_(diags),
        file_(*doc.file),
        text_(doc.file->text()),
        arena_(*doc.arena),
        marks_(text_) {
    stack_.reserve(64);
    items_.reserve(256);
    entries_.reserve(256);
  }

  bool run();

 private:
  bool handle(const yaml_event_t& e);
  bool on_scalar(const yaml_event_t& e);
  bool on_alias(const yaml_event_t& e);
  bool on_open(const yaml_event_t& e, bool is_map);
  bool on_close_list();
  bool on_close_map();
  bool finish(Value* v, const Frame& f);
  bool attach(Value* v, std::uint64_t nodes, std::uint32_t height);
  bool add_key(std::string_view key, std::uint32_t offset, bool is_merge);
  void register_anchor(std::string_view name, const Anchor& a);
  Value* make_string(std::string_view s, std::uint32_t offset, bool quoted);
  Value* make_wrapper(Intrinsic fn, Value* inner, std::uint32_t offset);
  Value* make_scalar(const yaml_event_t& e, std::string_view text, std::string_view tag,
                     std::uint32_t content, std::uint64_t& nodes);
  std::uint32_t skip_properties(std::uint32_t pos, std::uint32_t limit, std::uint32_t* tag_pos);
  std::uint32_t current_depth() const { return stack_.empty() ? 0 : stack_.back().depth; }
  void report_parser_error(const yaml_parser_t& p);
  void report_duplicates();
  bool fail(const char* code, std::uint32_t offset, std::string message);
  void warn(const char* code, std::uint32_t offset, std::string message);

  Document& doc_;
  Diagnostics& diags_;
  const SourceFile& file_;
  std::string_view text_;
  Arena& arena_;
  MarkToOffset marks_;

  std::vector<Frame> stack_;
  std::vector<Value*> items_;
  std::vector<MapEntry> entries_;
  std::vector<Value*> merges_;
  std::vector<DuplicateKey> dups_;
  MapAssembler assembler_;
  std::unordered_map<std::string_view, Anchor> anchors_;
  std::uint64_t expanded_ = 0;
  int documents_ = 0;
  Value* root_ = nullptr;
  bool done_ = false;
};

bool YamlBuilder::fail(const char* code, std::uint32_t offset, std::string message) {
  diags_.error(code, Location::at(file_, offset), std::move(message));
  return false;
}

void YamlBuilder::warn(const char* code, std::uint32_t offset, std::string message) {
  diags_.warning(code, Location::at(file_, offset), std::move(message));
}

bool YamlBuilder::run() {
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) {
    diags_.error("yaml-syntax", Location::whole(file_.path()), "cannot initialize the YAML parser");
    return false;
  }
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text_.data()),
                               text_.size());
  bool ok = true;
  while (!done_) {
    yaml_event_t e;
    if (!yaml_parser_parse(&parser, &e)) {
      report_parser_error(parser);
      ok = false;
      break;
    }
    EventGuard guard{&e};
    if (!handle(e)) {
      ok = false;
      break;
    }
  }
  yaml_parser_delete(&parser);
  report_duplicates();
  if (!ok) return false;
  doc_.root = root_ ? root_ : arena_.make<Value>();  // empty stream: a null root
  return true;
}

bool YamlBuilder::handle(const yaml_event_t& e) {
  switch (e.type) {
    case YAML_STREAM_END_EVENT:
      done_ = true;
      return true;
    case YAML_DOCUMENT_START_EVENT:
      if (++documents_ > 1)
        return fail("multiple-documents", marks_.byte_offset(e.start_mark.index),
                    "a second YAML document starts here; a CloudFormation template must be a "
                    "single document");
      return true;
    case YAML_SCALAR_EVENT:
      return on_scalar(e);
    case YAML_ALIAS_EVENT:
      return on_alias(e);
    case YAML_SEQUENCE_START_EVENT:
      return on_open(e, false);
    case YAML_MAPPING_START_EVENT:
      return on_open(e, true);
    case YAML_SEQUENCE_END_EVENT:
      return on_close_list();
    case YAML_MAPPING_END_EVENT:
      return on_close_map();
    default:
      return true;  // stream start, document end, no-event
  }
}

// Skips node properties (tags, anchors) and the blanks and comments after them; records the
// first tag's position in `*tag_pos`. Returns the content's offset, at most `limit`.
std::uint32_t YamlBuilder::skip_properties(std::uint32_t pos, std::uint32_t limit,
                                           std::uint32_t* tag_pos) {
  limit = std::min<std::uint32_t>(limit, static_cast<std::uint32_t>(text_.size()));
  while (pos < limit) {
    char c = text_[pos];
    if (is_blank(c)) {
      ++pos;
    } else if (c == '#') {
      while (pos < limit && text_[pos] != '\n') ++pos;
    } else if (c == '!' || c == '&') {
      if (c == '!' && tag_pos && *tag_pos == kNoPos) *tag_pos = pos;
      if (c == '!' && pos + 1 < limit && text_[pos + 1] == '<') {  // verbatim `!<...>`
        while (pos < limit && text_[pos] != '>') ++pos;
      }
      ++pos;
      while (pos < limit && !is_blank(text_[pos]) && !is_flow_indicator(text_[pos])) ++pos;
    } else {
      break;
    }
  }
  return std::min(pos, limit);
}

Value* YamlBuilder::make_string(std::string_view s, std::uint32_t offset, bool quoted) {
  Value* v = arena_.make<Value>();
  v->kind = ValueKind::kString;
  v->quoted = quoted;
  v->offset = offset;
  std::string_view copy = arena_.copy(s);
  v->chars = copy.data();
  v->size = static_cast<std::uint32_t>(copy.size());
  return v;
}

Value* YamlBuilder::make_wrapper(Intrinsic fn, Value* inner, std::uint32_t offset) {
  MapEntry* entry = arena_.make<MapEntry>();
  entry->key = intrinsic_name(fn);
  entry->key_offset = offset;
  entry->value = inner;
  Value* v = arena_.make<Value>();
  v->kind = ValueKind::kMap;
  v->intrinsic = fn;
  v->offset = offset;
  v->size = 1;
  v->entries = entry;
  return v;
}

// Builds the value of a scalar in value position; `nodes` receives its node count.
Value* YamlBuilder::make_scalar(const yaml_event_t& e, std::string_view text, std::string_view tag,
                                std::uint32_t content, std::uint64_t& nodes) {
  const auto& s = e.data.scalar;
  const bool plain = s.style == YAML_PLAIN_SCALAR_STYLE || s.style == YAML_ANY_SCALAR_STYLE;
  nodes = 1;
  if (tag.empty()) {
    if (!plain) return make_string(text, content, true);
    ScalarType t = internal::resolve_plain_scalar(text);
    if (t.kind == ScalarType::kString) return make_string(text, content, false);
    Value* v = arena_.make<Value>();
    v->offset = content;
    switch (t.kind) {
      case ScalarType::kNull:
        v->kind = ValueKind::kNull;
        break;
      case ScalarType::kBool:
        v->kind = ValueKind::kBool;
        v->boolean = t.boolean;
        break;
      case ScalarType::kInt:
        v->kind = ValueKind::kInt;
        v->integer = t.integer;
        break;
      case ScalarType::kFloat:
        v->kind = ValueKind::kFloat;
        v->number = t.number;
        break;
      case ScalarType::kString:
        break;
    }
    return v;
  }
  if (tag == "!") return make_string(text, content, true);  // non-specific tag: a string

  if (Intrinsic fn = intrinsic_from_tag(tag); fn != Intrinsic::kNone) {
    std::uint32_t tag_pos = kNoPos;
    skip_properties(marks_.byte_offset(e.start_mark.index), content, &tag_pos);
    if (tag_pos == kNoPos) tag_pos = content;
    Value* inner;
    if (fn == Intrinsic::kGetAtt) {
      // `!GetAtt A.B.C` → ["A", "B.C"]: split at the first dot, as cfn-lint does.
      std::size_t dot = text.find('.');
      std::uint32_t quote = plain ? 0 : 1;
      Value** parts = arena_.array<Value*>(2).data();
      parts[0] = make_string(text.substr(0, dot), content, true);
      std::uint32_t count = 1;
      if (dot != std::string_view::npos) {
        auto pos = static_cast<std::uint32_t>(content + quote + dot + 1);
        parts[1] =
            make_string(text.substr(dot + 1), std::min<std::uint32_t>(pos, text_.size()), true);
        count = 2;
      }
      inner = arena_.make<Value>();
      inner->kind = ValueKind::kList;
      inner->offset = content;
      inner->size = count;
      inner->items = parts;
      nodes += count;
    } else {
      inner = make_string(text, content, true);
    }
    nodes += 1;
    return make_wrapper(fn, inner, tag_pos);
  }

  if (tag.starts_with(kCoreTagPrefix)) {
    std::string_view core = tag.substr(kCoreTagPrefix.size());
    Value* v = arena_.make<Value>();
    v->offset = content;
    if (core == "str") return make_string(text, content, true);
    if (core == "null") return v;
    if (core == "bool" && internal::parse_yaml_bool(text, v->boolean)) {
      v->kind = ValueKind::kBool;
      return v;
    }
    if (core == "int" && internal::parse_yaml_int(text, v->integer)) {
      v->kind = ValueKind::kInt;
      return v;
    }
    if (core == "float") {
      std::int64_t i = 0;
      if (internal::parse_yaml_float(text, v->number)) {
        v->kind = ValueKind::kFloat;
        return v;
      }
      if (internal::parse_yaml_int(text, i)) {
        v->kind = ValueKind::kFloat;
        v->number = static_cast<double>(i);
        return v;
      }
    }
    if (core == "bool" || core == "int" || core == "float") {
      warn("yaml-tag", content,
           "cannot read " + quote_for_message(text) + " as " + display_tag(tag) +
               "; the value is kept as a string");
      return make_string(text, content, true);
    }
  }
  warn("yaml-tag", marks_.byte_offset(e.start_mark.index),
       "unsupported tag '" + display_tag(tag) + "'; the value is kept as a string");
  return make_string(text, content, true);
}

bool YamlBuilder::on_scalar(const yaml_event_t& e) {
  const auto& s = e.data.scalar;
  std::string_view text(reinterpret_cast<const char*>(s.value), s.length);
  std::uint32_t start = marks_.byte_offset(e.start_mark.index);
  std::uint32_t end = marks_.byte_offset(e.end_mark.index);
  if (text.size() > kMaxStringBytes)
    return fail("string-length", start,
                "string of " + std::to_string(text.size()) + " bytes is longer than the limit of " +
                    std::to_string(kMaxStringBytes) + " bytes");
  std::string_view tag = view(s.tag);
  std::string_view anchor = view(s.anchor);
  std::uint32_t content =
      (tag.empty() && anchor.empty()) ? start : skip_properties(start, end, nullptr);

  if (!stack_.empty() && stack_.back().is_map && stack_.back().want_key) {
    // Map keys always stay strings, whatever they look like.
    bool plain = s.style == YAML_PLAIN_SCALAR_STYLE;
    bool is_merge = (plain && tag.empty() && text == "<<") || tag == "tag:yaml.org,2002:merge";
    if (!is_merge && !tag.empty() && tag != "!" && !tag.starts_with(kCoreTagPrefix))
      warn("yaml-tag", start, "tag '" + display_tag(tag) + "' on a map key is ignored");
    if (!anchor.empty()) {
      Value* key_value = make_string(text, content, !plain);
      register_anchor(anchor, {key_value, 1, 1, key_value->str()});
      return add_key(key_value->str(), content, is_merge);
    }
    return add_key(arena_.copy(text), content, is_merge);
  }

  std::uint64_t nodes = 1;
  Value* v = make_scalar(e, text, tag, content, nodes);
  // A plain scalar is one node; an intrinsic wrapper adds a level, `!GetAtt`'s list another.
  std::uint32_t height = nodes == 1 ? 1 : nodes == 2 ? 2 : 3;
  if (!anchor.empty()) {
    std::string_view raw = v->is_string() ? v->str() : arena_.copy(text);
    register_anchor(anchor, {v, nodes, height, raw});
  }
  return attach(v, nodes, height);
}

void YamlBuilder::register_anchor(std::string_view name, const Anchor& a) {
  // A redefined anchor replaces the earlier one for later aliases (YAML 1.2 semantics).
  std::string_view key = arena_.copy(name);
  anchors_.insert_or_assign(key, a);
}

bool YamlBuilder::add_key(std::string_view key, std::uint32_t offset, bool is_merge) {
  Frame& f = stack_.back();
  f.want_key = false;
  if (is_merge) {
    f.merge_value = true;
    doc_.uses_aliases = true;
    return true;
  }
  entries_.push_back(MapEntry{key, offset, nullptr});
  return true;
}

bool YamlBuilder::on_alias(const yaml_event_t& e) {
  std::string_view name = view(e.data.alias.anchor);
  std::uint32_t offset = marks_.byte_offset(e.start_mark.index);
  doc_.uses_aliases = true;
  auto it = anchors_.find(name);
  if (it == anchors_.end()) {
    for (const Frame& f : stack_)
      if (f.anchor == name)
        return fail("yaml-alias", offset,
                    "alias '*" + std::string(name) +
                        "' refers to a node that contains it; recursive aliases are not supported");
    return fail("yaml-alias", offset, "alias '*" + std::string(name) + "' has no anchor before it");
  }
  const Anchor& a = it->second;
  if (!stack_.empty() && stack_.back().is_map && stack_.back().want_key) {
    if (a.value->is_list() || a.value->is_map())
      return fail("complex-key", offset,
                  "a map key must be a scalar, but alias '*" + std::string(name) + "' names a " +
                      std::string(kind_name(a.value->kind)));
    return add_key(a.raw, offset, false);
  }
  expanded_ += a.nodes;
  if (expanded_ > kMaxAliasExpansionNodes)
    return fail("alias-expansion", offset,
                "alias '*" + std::string(name) + "' expands the document past " +
                    std::to_string(kMaxAliasExpansionNodes) +
                    " nodes (too many aliases of large nodes)");
  if (current_depth() + a.height > kMaxNestingDepth)
    return fail("nesting-depth", offset,
                "alias '*" + std::string(name) + "' nests the document deeper than " +
                    std::to_string(kMaxNestingDepth) + " levels");
  return attach(a.value, a.nodes, a.height);
}

bool YamlBuilder::on_open(const yaml_event_t& e, bool is_map) {
  std::uint32_t start = marks_.byte_offset(e.start_mark.index);
  std::string_view tag = is_map ? view(e.data.mapping_start.tag) : view(e.data.sequence_start.tag);
  std::string_view anchor =
      is_map ? view(e.data.mapping_start.anchor) : view(e.data.sequence_start.anchor);
  if (!stack_.empty() && stack_.back().is_map && stack_.back().want_key)
    return fail("complex-key", start,
                std::string("a map key must be a scalar, not a ") + (is_map ? "map" : "list"));

  Frame f;
  f.is_map = is_map;
  f.offset = start;
  if (!tag.empty() || !anchor.empty()) {
    std::uint32_t tag_pos = kNoPos;
    f.offset = skip_properties(start, static_cast<std::uint32_t>(text_.size()), &tag_pos);
    Intrinsic fn = intrinsic_from_tag(tag);
    if (fn != Intrinsic::kNone) {
      f.wrap = fn;
      f.wrap_offset = tag_pos == kNoPos ? start : tag_pos;
    } else if (!tag.empty() && tag != "!" && tag != "tag:yaml.org,2002:map" &&
               tag != "tag:yaml.org,2002:seq") {
      warn("yaml-tag", start,
           "unsupported tag '" + display_tag(tag) + "'; the " + (is_map ? "map" : "list") +
               " is kept as written");
    }
    if (!anchor.empty()) f.anchor = arena_.copy(anchor);
  }
  f.depth = current_depth() + 1 + (f.wrap != Intrinsic::kNone ? 1 : 0);
  if (f.depth > kMaxNestingDepth)
    return fail(
        "nesting-depth", start,
        "lists and maps nest deeper than " + std::to_string(kMaxNestingDepth) + " levels here");
  f.begin = static_cast<std::uint32_t>(is_map ? entries_.size() : items_.size());
  f.merge_begin = static_cast<std::uint32_t>(merges_.size());
  stack_.push_back(f);
  return true;
}

bool YamlBuilder::on_close_list() {
  if (stack_.empty() || stack_.back().is_map) return true;  // libyaml guarantees balance
  Frame f = stack_.back();
  stack_.pop_back();
  auto n = items_.size() - f.begin;
  Value* v = arena_.make<Value>();
  v->kind = ValueKind::kList;
  v->offset = f.offset;
  v->size = static_cast<std::uint32_t>(n);
  std::span<Value*> items = arena_.array<Value*>(n);
  std::copy(items_.begin() + f.begin, items_.end(), items.begin());
  v->items = items.data();
  items_.resize(f.begin);
  return finish(v, f);
}

bool YamlBuilder::on_close_map() {
  if (stack_.empty() || !stack_.back().is_map) return true;
  Frame f = stack_.back();
  stack_.pop_back();
  std::span<const MapEntry> explicit_entries(entries_.data() + f.begin, entries_.size() - f.begin);
  std::span<Value* const> sources(merges_.data() + f.merge_begin, merges_.size() - f.merge_begin);
  std::span<const MapEntry> out = assembler_.assemble(explicit_entries, sources, dups_);
  Value* v = arena_.make<Value>();
  v->kind = ValueKind::kMap;
  v->offset = f.offset;
  v->size = static_cast<std::uint32_t>(out.size());
  std::span<MapEntry> entries = arena_.array<MapEntry>(out.size());
  std::copy(out.begin(), out.end(), entries.begin());
  v->entries = entries.data();
  if (out.size() == 1) v->intrinsic = intrinsic_from_key(out[0].key);
  entries_.resize(f.begin);
  merges_.resize(f.merge_begin);
  return finish(v, f);
}

bool YamlBuilder::finish(Value* v, const Frame& f) {
  std::uint64_t nodes = f.nodes;
  std::uint32_t height = f.height + 1;
  if (f.wrap != Intrinsic::kNone) {
    v = make_wrapper(f.wrap, v, f.wrap_offset);
    nodes += 1;
    height += 1;
  }
  if (!f.anchor.empty()) register_anchor(f.anchor, {v, nodes, height, {}});
  return attach(v, nodes, height);
}

bool YamlBuilder::attach(Value* v, std::uint64_t nodes, std::uint32_t height) {
  if (stack_.empty()) {
    root_ = v;
    return true;
  }
  Frame& f = stack_.back();
  f.nodes += nodes;
  f.height = std::max(f.height, height);
  if (!f.is_map) {
    items_.push_back(v);
    return true;
  }
  f.want_key = true;
  if (!f.merge_value) {
    if (entries_.size() > f.begin) entries_.back().value = v;
    return true;
  }
  f.merge_value = false;
  if (v->is_map()) {
    merges_.push_back(v);
    return true;
  }
  if (v->is_list()) {
    for (Value* item : v->list())
      if (!item->is_map())
        return fail("merge-key", item->offset,
                    "a merge key ('<<') takes a map or a list of maps, but this item is a " +
                        std::string(kind_name(item->kind)));
    // In `<<: [A, B]` the earlier map wins: add them in increasing priority.
    for (std::size_t i = v->size; i-- > 0;) merges_.push_back(v->items[i]);
    return true;
  }
  return fail(
      "merge-key", v->offset,
      "a merge key ('<<') takes a map or a list of maps, not a " + std::string(kind_name(v->kind)));
}

void YamlBuilder::report_duplicates() {
  for (const DuplicateKey& d : dups_) {
    std::uint32_t first_line = file_.locate(d.first_offset).line;
    Diagnostic diag;
    diag.severity = DiagSeverity::kWarning;
    diag.code = "duplicate-key";
    diag.message = "duplicate key " + quote_for_message(d.key) + " (first at line " +
                   std::to_string(first_line) + "); the last occurrence wins";
    diag.location = Location::at(file_, d.offset);
    diag.notes.push_back(
        {Location::at(file_, d.first_offset), "first occurrence of " + quote_for_message(d.key)});
    diags_.add(std::move(diag));
  }
  dups_.clear();
}

void YamlBuilder::report_parser_error(const yaml_parser_t& p) {
  if (p.error == YAML_MEMORY_ERROR) {
    diags_.error("yaml-syntax", Location::whole(file_.path()), "out of memory while parsing YAML");
    return;
  }
  std::string message = p.problem ? p.problem : "invalid YAML";
  std::uint32_t offset = 0;
  if (p.error == YAML_READER_ERROR) {
    offset = static_cast<std::uint32_t>(std::min(p.problem_offset, text_.size()));
    if (p.problem_value >= 0) {
      char buf[32];
      std::snprintf(buf, sizeof buf, " (#x%X)", static_cast<unsigned>(p.problem_value));
      message += buf;
    }
    message += "; the file must be UTF-8 text";
  } else {
    offset = marks_.byte_offset(p.problem_mark.index);
    if (offset < text_.size() && text_[offset] == '\t' &&
        message.find("cannot start any token") != std::string::npos)
      message += " (tab used for indentation?)";
  }
  Diagnostic diag;
  diag.code = "yaml-syntax";
  diag.location = Location::at(file_, offset);
  // "while scanning for the next token" says nothing the position does not.
  if (p.error != YAML_READER_ERROR && p.context &&
      std::string_view(p.context) != "while scanning for the next token") {
    std::uint32_t context_offset = marks_.byte_offset(p.context_mark.index);
    message += " (" + std::string(p.context) + " at line " +
               std::to_string(file_.locate(context_offset).line) + ")";
    if (context_offset != offset)
      diag.notes.push_back({Location::at(file_, context_offset), p.context});
  }
  diag.message = std::move(message);
  diags_.add(std::move(diag));
}

}  // namespace

bool parse_yaml(Document& doc, Diagnostics& diags) {
  doc.root = nullptr;
  std::size_t first = diags.size();
  bool ok = YamlBuilder(doc, diags).run();
  // Duplicate-key warnings are found when a map closes (inner maps first): list all new
  // diagnostics in source order.
  std::stable_sort(diags.items().begin() + static_cast<std::ptrdiff_t>(first), diags.items().end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return a.location.offset < b.location.offset;
                   });
  return ok;
}

}  // namespace polc
