// JSON → value tree with simdjson On-Demand. The tree is built while iterating, with an
// explicit stack of open containers: children accumulate in one shared `pending` vector and
// are copied into the arena when their container closes.
#include "engine/load/json_parser.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/limits.h"
#include "engine/base/message_text.h"
#include "engine/base/utf8.h"

namespace polc {
namespace {

namespace od = simdjson::ondemand;

/// simdjson's own depth bound; ours (`kMaxNestingDepth`) is checked first, with a position.
constexpr std::size_t kSimdjsonMaxDepth = kMaxNestingDepth + 8;

/// Files up to this size are parsed with the thread's cached parser and buffer (simdjson keeps
/// about 5 bytes per input byte); larger ones use memory released after the parse.
constexpr std::size_t kMaxRetainedJsonBytes = 4u << 20;
/// Maps up to this many entries are checked for duplicate keys pairwise (no allocation).
constexpr std::size_t kSmallMapEntries = 16;

struct Frame {
  Value* node = nullptr;
  bool is_map = false;
  std::size_t first = 0;  // index into `pending` of this container's first child
  od::array_iterator ait;
  od::array_iterator aend;
  od::object_iterator oit;
  od::object_iterator oend;
};

class JsonBuilder {
 public:
  JsonBuilder(Document& doc, Diagnostics& diags) : doc_(doc), diags_(diags) {}

  /// Parses `text` (the file's text, or a same-length patched copy of it).
  bool run(std::string_view text);

 private:
  std::uint32_t offset_of(const char* p) const {
    if (p < base_ || p > base_ + len_) return last_offset_;
    return static_cast<std::uint32_t>(p - base_);
  }
  /// The string whose contents start at `p` (just after its opening quote, inside the text
  /// being parsed), as a view of the file's own bytes, when it has no escape; else nothing.
  /// The parsed text is the file's text or a same-length copy of it whose strings are unchanged,
  /// so the view lives as long as the document, without a copy into the arena.
  std::optional<std::string_view> unescaped_in_file(const char* p) const {
    if (p < base_ || p > base_ + len_) return std::nullopt;
    const char* end = base_ + len_;
    // The first quote ends the string unless a backslash comes before it.
    const auto* q =
        static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)));
    if (q == nullptr || std::memchr(p, '\\', static_cast<std::size_t>(q - p)) != nullptr)
      return std::nullopt;
    if (q == p) return std::string_view();  // as the arena's copy of "" is
    return doc_.file->text().substr(static_cast<std::size_t>(p - base_),
                                    static_cast<std::size_t>(q - p));
  }
  std::uint32_t error_offset(od::document& d) {
    const char* p = nullptr;
    if (d.current_location().get(p) == simdjson::SUCCESS) return offset_of(p);
    return last_offset_;
  }
  void syntax_error(std::uint32_t offset, simdjson::error_code ec) {
    std::string msg = "invalid JSON: ";
    msg += simdjson::error_message(ec);
    diags_.error("json-syntax", Location::at(*doc_.file, offset), std::move(msg));
  }
  /// Builds a scalar from `v` (an `od::value` or the root `od::document`); false on error.
  template <typename V>
  bool scalar(V& v, od::json_type type, std::uint32_t offset, Value*& out,
              simdjson::error_code& ec);
  bool number_from_token(std::string_view tok, Value& n);
  /// Starts `v` (already known to be a container) as a new frame. False on error.
  template <typename V>
  bool open(V& v, od::json_type type, std::uint32_t offset, Value*& out, simdjson::error_code& ec);
  void close_top();
  static void advance(Frame& f) {
    if (f.is_map)
      ++f.oit;
    else
      ++f.ait;
  }
  void check_duplicates(std::vector<MapEntry>& entries, std::size_t first);

  Document& doc_;
  Diagnostics& diags_;
  const char* base_ = nullptr;
  std::size_t len_ = 0;
  std::uint32_t last_offset_ = 0;
  std::vector<Frame> stack_;
  std::vector<MapEntry> pending_;
};

bool JsonBuilder::number_from_token(std::string_view tok, Value& n) {
  while (!tok.empty() &&
         (tok.back() == ' ' || tok.back() == '\t' || tok.back() == '\n' || tok.back() == '\r' ||
          tok.back() == ',' || tok.back() == '}' || tok.back() == ']'))
    tok.remove_suffix(1);
  bool integral = tok.find_first_of(".eE") == std::string_view::npos;
  if (integral) {
    std::int64_t i = 0;
    auto [p, err] = std::from_chars(tok.data(), tok.data() + tok.size(), i);
    if (err == std::errc() && p == tok.data() + tok.size()) {
      n.kind = ValueKind::kInt;
      n.integer = i;
      return true;
    }
  }
  std::string copy(tok);
  char* end = nullptr;
  double d = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return false;
  n.kind = ValueKind::kFloat;
  n.number = d;
  return true;
}

std::string_view token_of(od::value& v) { return v.raw_json_token(); }
std::string_view token_of(od::document& d) {
  std::string_view tok;
  if (d.raw_json_token().get(tok)) return {};
  return tok;
}

template <typename V>
bool JsonBuilder::scalar(V& v, od::json_type type, std::uint32_t offset, Value*& out,
                         simdjson::error_code& ec) {
  Value* n = doc_.arena->make<Value>();
  n->offset = offset;
  switch (type) {
    case od::json_type::string: {
      std::string_view s;
      const std::string_view tok = token_of(v);
      std::optional<std::string_view> plain;
      if (!tok.empty() && tok[0] == '"') plain = unescaped_in_file(tok.data() + 1);
      if (plain) {
        s = *plain;
      } else if ((ec = v.get_string().get(s))) {
        return false;
      }
      if (s.size() > kMaxStringBytes) {
        diags_.error("string-size", Location::at(*doc_.file, offset),
                     "string of " + std::to_string(s.size()) + " bytes exceeds the limit of " +
                         std::to_string(kMaxStringBytes));
        return false;
      }
      if (!plain) s = doc_.arena->copy(s);
      n->kind = ValueKind::kString;
      n->quoted = true;
      n->chars = s.data();
      n->size = static_cast<std::uint32_t>(s.size());
      break;
    }
    case od::json_type::number: {
      // Validate with simdjson, then type from the token: int64 when it fits, else float.
      double d = 0;
      ec = v.get_double().get(d);
      std::string_view tok = token_of(v);
      if (!number_from_token(tok, *n)) {
        if (ec == simdjson::SUCCESS) ec = simdjson::NUMBER_ERROR;
        return false;
      }
      ec = simdjson::SUCCESS;
      break;
    }
    case od::json_type::boolean: {
      bool b = false;
      if ((ec = v.get_bool().get(b))) return false;
      n->kind = ValueKind::kBool;
      n->boolean = b;
      break;
    }
    case od::json_type::null: {
      bool is_null = false;
      if ((ec = v.is_null().get(is_null))) return false;
      if (!is_null) {
        ec = simdjson::N_ATOM_ERROR;
        return false;
      }
      n->kind = ValueKind::kNull;
      break;
    }
    default:
      ec = simdjson::INCORRECT_TYPE;
      return false;
  }
  out = n;
  return true;
}

template <typename V>
bool JsonBuilder::open(V& v, od::json_type type, std::uint32_t offset, Value*& out,
                       simdjson::error_code& ec) {
  if (stack_.size() >= kMaxNestingDepth) {
    diags_.error(
        "nesting-depth", Location::at(*doc_.file, offset),
        "nesting depth exceeds the limit of " + std::to_string(kMaxNestingDepth) + " levels");
    return false;
  }
  Value* n = doc_.arena->make<Value>();
  n->offset = offset;
  Frame f;
  f.node = n;
  f.first = pending_.size();
  if (type == od::json_type::array) {
    od::array a;
    if ((ec = v.get_array().get(a))) return false;
    n->kind = ValueKind::kList;
    if ((ec = a.begin().get(f.ait))) return false;
    if ((ec = a.end().get(f.aend))) return false;
  } else {
    od::object o;
    if ((ec = v.get_object().get(o))) return false;
    n->kind = ValueKind::kMap;
    f.is_map = true;
    if ((ec = o.begin().get(f.oit))) return false;
    if ((ec = o.end().get(f.oend))) return false;
  }
  stack_.push_back(f);
  out = n;
  return true;
}

void JsonBuilder::check_duplicates(std::vector<MapEntry>& entries, std::size_t first) {
  const std::size_t n = entries.size() - first;
  if (n < 2) return;
  // Reports entry `i` as a duplicate of the earlier surviving entry `prev` (dropped later).
  auto report = [&](std::size_t prev, std::size_t i) {
    LineCol before = doc_.file->locate(entries[prev].key_offset);
    Diagnostic d;
    d.severity = DiagSeverity::kWarning;
    d.code = "duplicate-key";
    // Same wording as the YAML loader.
    d.message = "duplicate key " + internal::quote_name(entries[i].key) + " (first at line " +
                std::to_string(before.line) + "); the last occurrence wins";
    d.location = Location::at(*doc_.file, entries[i].key_offset);
    d.notes.push_back({Location::at(*doc_.file, entries[prev].key_offset),
                       "first occurrence of " + internal::quote_name(entries[i].key)});
    diags_.add(std::move(d));
  };
  // The surviving occurrence of a key is its latest one so far, so entry `i` duplicates the
  // nearest earlier entry with the same key. Small maps (nearly all) compare pairwise, without
  // allocating; larger ones index the keys in a hash map.
  std::vector<bool> dropped;
  bool any = false;
  if (n <= kSmallMapEntries) {
    for (std::size_t i = first + 1; i < entries.size(); ++i) {
      for (std::size_t j = i; j-- > first;) {
        if (entries[j].key != entries[i].key) continue;
        if (!any) dropped.assign(n, false);
        report(j, i);
        dropped[j - first] = true;
        any = true;
        break;
      }
    }
  } else {
    std::unordered_map<std::string_view, std::size_t> seen;
    seen.reserve(n);
    for (std::size_t i = first; i < entries.size(); ++i) {
      auto [it, inserted] = seen.emplace(entries[i].key, i);
      if (inserted) continue;
      if (!any) dropped.assign(n, false);
      report(it->second, i);
      dropped[it->second - first] = true;
      it->second = i;
      any = true;
    }
  }
  if (!any) return;
  std::size_t out = first;
  for (std::size_t i = first; i < entries.size(); ++i)
    if (!dropped[i - first]) entries[out++] = entries[i];
  entries.resize(out);
}

void JsonBuilder::close_top() {
  Frame& f = stack_.back();
  if (f.is_map) check_duplicates(pending_, f.first);
  const std::size_t n = pending_.size() - f.first;
  f.node->size = static_cast<std::uint32_t>(n);
  if (f.is_map) {
    auto arr = doc_.arena->array<MapEntry>(n);
    std::copy(pending_.begin() + static_cast<std::ptrdiff_t>(f.first), pending_.end(), arr.begin());
    f.node->entries = arr.data();
  } else {
    auto arr = doc_.arena->array<Value*>(n);
    for (std::size_t i = 0; i < n; ++i) arr[i] = pending_[f.first + i].value;
    f.node->items = arr.data();
  }
  pending_.resize(f.first);
  stack_.pop_back();
  if (!stack_.empty()) advance(stack_.back());
}

bool JsonBuilder::run(std::string_view text) {
  if (text.size() > 0xFFFFFFF0u) {
    diags_.error("file-size", Location::whole(doc_.file->path()), "file too large");
    return false;
  }
  if (!simdjson::validate_utf8(text.data(), text.size())) {
    std::size_t bad = internal::find_invalid_utf8(text);
    if (bad == std::string_view::npos) bad = 0;
    diags_.error("invalid-utf8", Location::at(*doc_.file, static_cast<std::uint32_t>(bad)),
                 "invalid UTF-8 byte sequence");
    return false;
  }
  // One parser and padded buffer per thread, reused across files; a large file gets its own,
  // freed on return, so a worker does not keep hundreds of MB after one big template.
  thread_local od::parser tl_parser;
  thread_local simdjson::padded_string tl_buffer;
  std::unique_ptr<od::parser> own_parser;
  simdjson::padded_string own_buffer;
  od::parser* parser = &tl_parser;
  simdjson::padded_string* buffer = &tl_buffer;
  if (text.size() > kMaxRetainedJsonBytes) {
    own_parser = std::make_unique<od::parser>();
    parser = own_parser.get();
    buffer = &own_buffer;
  }
  // The file's own bytes are parsed in place when the loader allocated simdjson's padding after
  // them (load_template_file does); otherwise they are copied into a padded buffer.
  static_assert(kSourcePadding >= simdjson::SIMDJSON_PADDING);
  const std::string_view file_text = doc_.file->text();
  const bool in_place = text.data() == file_text.data() && text.size() == file_text.size() &&
                        doc_.file->padding() >= simdjson::SIMDJSON_PADDING;
  const char* input = text.data();
  std::size_t allocated = text.size() + doc_.file->padding();
  if (!in_place) {
    if (buffer->size() < text.size() || buffer->size() > text.size() + kMaxRetainedJsonBytes)
      *buffer = simdjson::padded_string(text.size());
    std::memcpy(buffer->data(), text.data(), text.size());
    input = buffer->data();
    allocated = buffer->size() + simdjson::SIMDJSON_PADDING;
  }
  if (parser->capacity() < text.size() || parser->max_depth() != kSimdjsonMaxDepth) {
    if (parser->allocate(std::max<std::size_t>(text.size(), 4096), kSimdjsonMaxDepth)) {
      diags_.error("json-syntax", Location::whole(doc_.file->path()), "out of memory");
      return false;
    }
  }
  base_ = input;
  len_ = text.size();

  od::document d;
  simdjson::error_code ec = parser->iterate(input, text.size(), allocated).get(d);
  if (ec) {
    std::uint32_t off = 0;
    // Stage 1 errors (unclosed string, bad characters) carry no position: scan for a
    // plausible one (the end of the text for truncation).
    if (ec == simdjson::UNCLOSED_STRING || ec == simdjson::EMPTY)
      off = static_cast<std::uint32_t>(len_);
    if (ec == simdjson::EMPTY) {
      diags_.error("json-syntax", Location::at(*doc_.file, off), "empty JSON document");
    } else {
      syntax_error(off, ec);
    }
    return false;
  }

  od::json_type type;
  if ((ec = d.type().get(type))) {
    syntax_error(error_offset(d), ec);
    return false;
  }
  const char* loc = nullptr;
  std::uint32_t root_off = d.current_location().get(loc) ? 0 : offset_of(loc);
  Value* root = nullptr;
  if (type == od::json_type::array || type == od::json_type::object) {
    if (!open(d, type, root_off, root, ec)) {
      if (ec) syntax_error(root_off, ec);
      return false;
    }
  } else {
    if (!scalar(d, type, root_off, root, ec)) {
      if (ec) syntax_error(root_off, ec);
      return false;
    }
  }

  while (!stack_.empty()) {
    Frame& f = stack_.back();
    od::value child;
    std::string_view key;
    std::uint32_t key_offset = 0;
    if (f.is_map) {
      if (!(f.oit != f.oend)) {
        close_top();
        continue;
      }
      od::field field;
      if ((ec = (*f.oit).get(field))) break;
      key_offset = offset_of(reinterpret_cast<const char*>(field.key().raw())) - 1;
      last_offset_ = key_offset;
      if (auto plain = unescaped_in_file(reinterpret_cast<const char*>(field.key().raw()))) {
        key = *plain;
      } else {
        if ((ec = field.unescaped_key().get(key))) break;
        key = doc_.arena->copy(key);
      }
      child = field.value();
    } else {
      if (!(f.ait != f.aend)) {
        close_top();
        continue;
      }
      if ((ec = (*f.ait).get(child))) break;
    }
    std::uint32_t off = offset_of(child.raw_json_token().data());
    last_offset_ = off;
    od::json_type ct;
    if ((ec = child.type().get(ct))) break;
    Value* built = nullptr;
    if (ct == od::json_type::array || ct == od::json_type::object) {
      // On-Demand requires a child to be fully read before its parent iterator advances:
      // the parent's entry is recorded now and its iterator bumped when the child closes.
      std::size_t mark = pending_.size();
      pending_.push_back(MapEntry{key, key_offset, nullptr});
      if (!open(child, ct, off, built, ec)) {
        if (ec) syntax_error(off, ec);
        return false;
      }
      pending_[mark].value = built;
      continue;
    }
    if (!scalar(child, ct, off, built, ec)) {
      if (ec) syntax_error(off, ec);
      return false;
    }
    pending_.push_back(MapEntry{key, key_offset, built});
    advance(f);
  }
  if (ec) {
    syntax_error(error_offset(d), ec);
    return false;
  }
  const char* rest = nullptr;
  if (d.current_location().get(rest) == simdjson::SUCCESS) {
    std::uint32_t off = offset_of(rest);
    diags_.error("json-syntax", Location::at(*doc_.file, off),
                 "invalid JSON: unexpected content after the top-level value");
    return false;
  }
  doc_.root = root;
  return true;
}

/// Offsets of commas followed (after blanks) by `}` or `]`, outside strings.
std::vector<std::size_t> find_trailing_commas(std::string_view text) {
  std::vector<std::size_t> out;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == ',') {
      std::size_t j = i + 1;
      while (j < text.size() &&
             (text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r'))
        ++j;
      std::size_t k = i;  // the comma must follow a value, not `{`, `[` or another comma
      while (k > 0 && (text[k - 1] == ' ' || text[k - 1] == '\t' || text[k - 1] == '\n' ||
                       text[k - 1] == '\r'))
        --k;
      bool after_value = k > 0 && text[k - 1] != '{' && text[k - 1] != '[' && text[k - 1] != ',';
      if (after_value && j < text.size() && (text[j] == '}' || text[j] == ']')) out.push_back(i);
    }
  }
  return out;
}

}  // namespace

bool parse_json(Document& doc, Diagnostics& diags) {
  const std::size_t mark = diags.size();
  {
    JsonBuilder b(doc, diags);
    if (b.run(doc.file->text())) return true;
  }
  // CloudFormation reads JSON with a YAML parser, which accepts a comma before `}` or `]`.
  // Retry once with those commas blanked (same length, so offsets are unchanged).
  bool syntax = false;
  for (std::size_t i = mark; i < diags.size(); ++i)
    syntax = syntax || diags.items()[i].code == "json-syntax";
  if (!syntax) return false;
  std::vector<std::size_t> commas = find_trailing_commas(doc.file->text());
  if (commas.empty()) return false;
  std::string patched(doc.file->text());
  for (std::size_t c : commas) patched[c] = ' ';
  Diagnostics retry;
  JsonBuilder b(doc, retry);
  if (!b.run(patched)) return false;
  diags.items().resize(mark);
  Diagnostic d;
  d.severity = DiagSeverity::kWarning;
  d.code = "json-trailing-comma";
  d.message = "trailing comma is not valid JSON (CloudFormation accepts it)";
  if (commas.size() > 1)
    d.message += "; " + std::to_string(commas.size() - 1) + " more in this file";
  d.location = Location::at(*doc.file, static_cast<std::uint32_t>(commas[0]));
  diags.add(std::move(d));
  for (auto& x : retry.items()) diags.add(std::move(x));
  return true;
}

}  // namespace polc
