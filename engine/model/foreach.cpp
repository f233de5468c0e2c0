#include "engine/model/foreach.h"

#include <cctype>
#include <string>
#include <unordered_map>

#include "engine/base/limits.h"
#include "engine/base/message_text.h"

namespace polc::internal {
namespace {

/// Bodies nest at most `kMaxNestingDepth` levels (loader bound); the copy recurses per level
/// and shares, uncopied, anything deeper than this.
constexpr std::size_t kMaxCopyDepth = kMaxNestingDepth + 16;

constexpr std::string_view kLoopPrefix = "Fn::ForEach::";

struct Binding {
  std::string_view ident;
  std::string_view value;
};

struct Generated {
  MapEntry entry;
  std::string_view generated_by;
};

class Expander {
 public:
  Expander(Document& doc, const Value* parameters, std::string_view noun, Diagnostics& diags)
      : doc_(doc), arena_(*doc.arena), params_(parameters), noun_(noun), diags_(diags) {}

  /// Expands the loop `key: loop` into `out`. Returns false when it could not be expanded.
  void expand(std::string_view key, std::uint32_t key_offset, const Value* loop,
              std::vector<Binding>& bindings, std::vector<Generated>& out, std::string_view top,
              std::size_t level);

 private:
  std::string_view substitute(std::string_view s, const std::vector<Binding>& b);
  Value* copy(const Value* v, const std::vector<Binding>& b, std::size_t depth);
  bool items_of(const Value* coll, std::string_view key, std::uint32_t key_offset,
                std::vector<std::string_view>& items);
  void not_expanded(std::string_view key, std::uint32_t offset, const std::string& why,
                    std::size_t templates) {
    diags_.warning("foreach-not-expanded", Location::at(*doc_.file, offset),
                   cut_name(key) + " not expanded (" + why + "); " + std::to_string(templates) +
                       " " + std::string(noun_) + " templates not evaluated");
  }

  Document& doc_;
  Arena& arena_;
  const Value* params_;
  std::string_view noun_;
  Diagnostics& diags_;
  std::size_t expansions_ = 0;
  bool limit_reported_ = false;
};

std::string_view Expander::substitute(std::string_view s, const std::vector<Binding>& b) {
  if (s.find("{") == std::string_view::npos) return s;
  std::string out;
  bool changed = false;
  std::size_t i = 0;
  while (i < s.size()) {
    if ((s[i] == '$' || s[i] == '&') && i + 1 < s.size() && s[i + 1] == '{') {
      std::size_t close = s.find('}', i + 2);
      if (close != std::string_view::npos) {
        std::string_view name = s.substr(i + 2, close - i - 2);
        const Binding* hit = nullptr;
        // Innermost binding wins.
        for (auto it = b.rbegin(); it != b.rend() && !hit; ++it)
          if (it->ident == name) hit = &*it;
        if (hit) {
          if (s[i] == '$') {
            out += hit->value;
          } else {
            for (char c : hit->value)
              if (std::isalnum(static_cast<unsigned char>(c))) out += c;
          }
          i = close + 1;
          changed = true;
          continue;
        }
      }
    }
    out += s[i++];
  }
  return changed ? arena_.copy(out) : s;
}

Value* Expander::copy(const Value* v, const std::vector<Binding>& b, std::size_t depth) {
  if (v == nullptr) return nullptr;
  Value* n = arena_.make<Value>(*v);
  if (depth > kMaxCopyDepth) return n;
  if (v->is_string()) {
    std::string_view s = substitute(v->str(), b);
    n->chars = s.data();
    n->size = static_cast<std::uint32_t>(s.size());
  } else if (v->is_list()) {
    auto items = arena_.array<Value*>(v->size);
    for (std::uint32_t i = 0; i < v->size; ++i) items[i] = copy(v->items[i], b, depth + 1);
    n->items = items.data();
  } else if (v->is_map()) {
    if (v->size == 1 && v->entries[0].key == "Ref" && v->entries[0].value &&
        v->entries[0].value->is_string()) {
      std::string_view name = v->entries[0].value->str();
      for (auto it = b.rbegin(); it != b.rend(); ++it) {
        if (it->ident != name) continue;
        Value* s = arena_.make<Value>();
        s->kind = ValueKind::kString;
        s->quoted = true;
        s->offset = v->offset;
        s->chars = it->value.data();
        s->size = static_cast<std::uint32_t>(it->value.size());
        return s;
      }
    }
    auto entries = arena_.array<MapEntry>(v->size);
    for (std::uint32_t i = 0; i < v->size; ++i) {
      entries[i].key = substitute(v->entries[i].key, b);
      entries[i].key_offset = v->entries[i].key_offset;
      entries[i].value = copy(v->entries[i].value, b, depth + 1);
    }
    n->entries = entries.data();
  }
  return n;
}

bool Expander::items_of(const Value* coll, std::string_view key, std::uint32_t key_offset,
                        std::vector<std::string_view>& items) {
  if (coll == nullptr) return false;
  const Value* list = coll;
  if (coll->is_map() && coll->size == 1 && coll->entries[0].key == "Ref" &&
      coll->entries[0].value && coll->entries[0].value->is_string()) {
    std::string_view pname = coll->entries[0].value->str();
    const Value* decl = params_ ? params_->get(pname) : nullptr;
    const Value* def = decl ? decl->get("Default") : nullptr;
    if (def == nullptr) return false;
    if (def->is_string()) {
      std::string_view s = def->str();
      std::size_t start = 0;
      while (start <= s.size()) {
        std::size_t comma = s.find(',', start);
        if (comma == std::string_view::npos) comma = s.size();
        std::string_view item = s.substr(start, comma - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        items.push_back(item);
        start = comma + 1;
      }
      list = nullptr;
    } else {
      list = def;
    }
    Diagnostic d;
    d.severity = DiagSeverity::kNote;
    d.code = "foreach-default";
    d.message =
        cut_name(key) + " expanded with the default value of parameter " + quote_name(pname);
    d.location = Location::at(*doc_.file, key_offset);
    diags_.add(std::move(d));
    if (list == nullptr) return true;
  }
  if (!list->is_list()) return false;
  for (const Value* item : list->list()) {
    if (item == nullptr) return false;
    switch (item->kind) {
      case ValueKind::kString:
        items.push_back(item->str());
        break;
      case ValueKind::kInt:
        items.push_back(arena_.copy(std::to_string(item->integer)));
        break;
      case ValueKind::kBool:
        items.push_back(item->boolean ? "true" : "false");
        break;
      default:
        return false;
    }
  }
  return true;
}

void Expander::expand(std::string_view key, std::uint32_t key_offset, const Value* loop,
                      std::vector<Binding>& bindings, std::vector<Generated>& out,
                      std::string_view top, std::size_t level) {
  const Value* body = loop && loop->is_list() && loop->size == 3 ? loop->items[2] : nullptr;
  if (body == nullptr || !body->is_map() || !loop->items[0] || !loop->items[0]->is_string()) {
    not_expanded(key, key_offset, "expected [Identifier, Collection, {OutputKey: Value}]",
                 body && body->is_map() ? body->size : 0);
    return;
  }
  if (level >= kMaxForEachNesting) {
    not_expanded(key, key_offset, "loops nested deeper than " + std::to_string(kMaxForEachNesting),
                 body->size);
    return;
  }
  std::vector<std::string_view> items;
  if (!items_of(loop->items[1], key, key_offset, items)) {
    not_expanded(key, key_offset, "collection is not a literal list", body->size);
    return;
  }
  std::string_view ident = loop->items[0]->str();
  for (std::string_view item : items) {
    if (++expansions_ > kMaxForEachExpansions) {
      if (!limit_reported_) {
        diags_.warning("foreach-limit", Location::at(*doc_.file, key_offset),
                       "Fn::ForEach expansions exceed the limit of " +
                           std::to_string(kMaxForEachExpansions) +
                           "; the remaining iterations are not evaluated");
        limit_reported_ = true;
      }
      return;
    }
    bindings.push_back({ident, item});
    for (const MapEntry& e : body->map()) {
      if (is_foreach_key(e.key)) {
        expand(e.key, e.key_offset, e.value, bindings, out, top, level + 1);
        continue;
      }
      MapEntry g;
      g.key = substitute(e.key, bindings);
      g.key_offset = e.key_offset;
      g.value = copy(e.value, bindings, 0);
      out.push_back({g, top});
    }
    bindings.pop_back();
  }
}

}  // namespace

bool is_foreach_key(std::string_view key) { return key.starts_with(kLoopPrefix); }

void expand_foreach(Document& doc, Value* section, const Value* parameters, std::string_view noun,
                    std::vector<std::string_view>* generated_by, Diagnostics& diags) {
  if (section == nullptr || !section->is_map()) return;
  bool any = false;
  for (const MapEntry& e : section->map()) any = any || is_foreach_key(e.key);
  if (!any) {
    if (generated_by) generated_by->assign(section->size, std::string_view());
    return;
  }
  Expander ex(doc, parameters, noun, diags);
  std::vector<Generated> out;
  std::vector<Binding> bindings;
  for (const MapEntry& e : section->map()) {
    if (is_foreach_key(e.key)) {
      ex.expand(e.key, e.key_offset, e.value, bindings, out, e.key, 0);
    } else {
      out.push_back({e, {}});
    }
  }
  // Last wins on repeated keys, as for duplicate keys in the source.
  std::unordered_map<std::string_view, std::size_t> seen;
  std::vector<bool> dropped(out.size(), false);
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto [it, inserted] = seen.emplace(out[i].entry.key, i);
    if (inserted) continue;
    Diagnostic d;
    d.severity = DiagSeverity::kWarning;
    d.code = "duplicate-key";
    d.message = "key " + quote_name(out[i].entry.key) + " is declared more than once" +
                (out[i].generated_by.empty() && out[it->second].generated_by.empty()
                     ? std::string()
                     : " (after Fn::ForEach expansion)") +
                "; the last occurrence wins";
    d.location = Location::at(*doc.file, out[i].entry.key_offset);
    d.notes.push_back({Location::at(*doc.file, out[it->second].entry.key_offset),
                       "first occurrence of " + quote_name(out[i].entry.key)});
    diags.add(std::move(d));
    dropped[it->second] = true;
    it->second = i;
  }
  std::size_t kept = 0;
  for (bool d : dropped) kept += d ? 0 : 1;
  auto entries = doc.arena->array<MapEntry>(kept);
  if (generated_by) generated_by->clear();
  std::size_t k = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (dropped[i]) continue;
    entries[k++] = out[i].entry;
    if (generated_by) generated_by->push_back(out[i].generated_by);
  }
  section->entries = entries.data();
  section->size = static_cast<std::uint32_t>(kept);
}

}  // namespace polc::internal
