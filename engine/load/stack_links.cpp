// Stacks that reference each other: the index (LinkPlan) and the linked view (StackWorld).
#include "engine/load/stack_links.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <functional>
#include <set>
#include <span>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "engine/base/limits.h"
#include "engine/base/message_text.h"
#include "engine/load/loader.h"

namespace polc {
namespace {

constexpr std::string_view kStackType = "AWS::CloudFormation::Stack";

std::optional<std::string> eval_string(const Template& t, const Value* v, std::string_view stack,
                                       int depth) {
  if (v == nullptr || depth > kMaxLinkDepth) return std::nullopt;
  switch (v->kind) {
    case ValueKind::kString:
      return std::string(v->str());
    case ValueKind::kInt:
      return std::to_string(v->integer);
    case ValueKind::kMap:
      break;
    default:
      return std::nullopt;
  }
  const Value* arg = v->arg();
  if (arg == nullptr) return std::nullopt;
  auto named = [&](std::string_view name) -> std::optional<std::string> {
    if (name == "AWS::StackName") return std::string(stack);
    const std::uint32_t p = t.find_parameter(name);
    if (p == kNoIndex || t.parameters()[p].default_value == nullptr) return std::nullopt;
    return eval_string(t, t.parameters()[p].default_value, stack, depth + 1);
  };
  switch (v->intrinsic) {
    case Intrinsic::kRef:
      return arg->is_string() ? named(arg->str()) : std::nullopt;
    case Intrinsic::kSub: {
      const Value* text = arg;
      const Value* vars = nullptr;
      if (arg->is_list()) {
        if (arg->size < 1) return std::nullopt;
        text = arg->items[0];
        vars = arg->size >= 2 ? arg->items[1] : nullptr;
      }
      if (text == nullptr || !text->is_string()) return std::nullopt;
      const std::string_view s = text->str();
      std::string out;
      for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '$' || i + 1 >= s.size() || s[i + 1] != '{') {
          out += s[i];
          continue;
        }
        const std::size_t end = s.find('}', i + 2);
        if (end == std::string_view::npos) return std::nullopt;
        const std::string_view name = s.substr(i + 2, end - i - 2);
        if (!name.empty() && name[0] == '!') {
          out += "${";
          out += name.substr(1);
          out += '}';
        } else {
          const Value* var = vars && vars->is_map() ? vars->get(name) : nullptr;
          std::optional<std::string> part =
              var ? eval_string(t, var, stack, depth + 1) : named(name);
          if (!part) return std::nullopt;
          out += *part;
        }
        i = end;
      }
      return out;
    }
    case Intrinsic::kJoin: {
      if (!arg->is_list() || arg->size != 2 || !arg->items[0] || !arg->items[0]->is_string() ||
          !arg->items[1] || !arg->items[1]->is_list())
        return std::nullopt;
      std::string out;
      bool first = true;
      for (const Value* item : arg->items[1]->list()) {
        std::optional<std::string> part = eval_string(t, item, stack, depth + 1);
        if (!part) return std::nullopt;
        if (!first) out += arg->items[0]->str();
        out += *part;
        first = false;
      }
      return out;
    }
    default:
      return std::nullopt;
  }
}

std::string hex64(std::uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = kHex[v & 15];
  return s;
}

}  // namespace

std::string default_stack_name(std::string_view path) {
  std::string_view name = path.substr(path.find_last_of('/') + 1);
  if (std::size_t dot = name.rfind('.'); dot != std::string_view::npos && dot > 0)
    name = name.substr(0, dot);
  for (std::string_view suffix :
       {std::string_view(".nested.template"), std::string_view(".template")})
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      name.remove_suffix(suffix.size());
      break;
    }
  return std::string(name);
}

namespace {

constexpr std::string_view kImportNeedle = "ImportValue", kExportNeedle = "Export";

/// True when `s` at `i` starts what `may_link` looks for: `ImportValue`, the nested stack type,
/// `Export` as a key (an optional quote, spaces and a colon after it), or a `\u`, `\U` or `\x`
/// escape that could spell any of them.
bool link_at(std::string_view s, std::size_t i) {
  const std::string_view rest = s.substr(i);
  switch (rest[0]) {
    case 'I':
      return rest.starts_with(kImportNeedle);
    case 'A':
      return rest.starts_with(kStackType);
    case 'E': {
      if (!rest.starts_with(kExportNeedle)) return false;
      std::size_t j = kExportNeedle.size();
      if (j < rest.size() && (rest[j] == '"' || rest[j] == '\'')) ++j;
      while (j < rest.size() && (rest[j] == ' ' || rest[j] == '\t')) ++j;
      return j < rest.size() && rest[j] == ':';
    }
    case '\\':
      return rest.size() > 1 && (rest[1] == 'u' || rest[1] == 'U' || rest[1] == 'x');
    default:
      return false;
  }
}

}  // namespace

bool may_link(std::string_view contents) {
  const std::size_t n = contents.size();
  std::size_t i = 0;
#if defined(__SSE2__)
  // Sixteen positions at a time, each needle by two of its bytes (the first and one further
  // on: few positions match both), then `link_at` on the candidates. One pass over the bytes
  // for all needles instead of one search per needle.
  const char* p = contents.data();
  auto at = [&](std::size_t k) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + k));
  };
  auto eq = [](__m128i v, char c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(c)); };
  constexpr std::size_t kReach = kStackType.size() - 1;  // the furthest byte a needle tests
  for (; i + kReach + 16 <= n; i += 16) {
    const __m128i b0 = at(i), b1 = at(i + 1);
    const __m128i import = _mm_and_si128(eq(b0, 'I'), eq(at(i + kImportNeedle.size() - 1), 'e'));
    const __m128i stack = _mm_and_si128(eq(b0, 'A'), eq(at(i + kReach), 'k'));
    const __m128i exp = _mm_and_si128(eq(b0, 'E'), eq(at(i + kExportNeedle.size() - 1), 't'));
    const __m128i escape = _mm_and_si128(
        eq(b0, '\\'), _mm_or_si128(_mm_or_si128(eq(b1, 'u'), eq(b1, 'U')), eq(b1, 'x')));
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(
        _mm_or_si128(_mm_or_si128(import, stack), _mm_or_si128(exp, escape))));
    for (; mask; mask &= mask - 1)
      if (link_at(contents, i + static_cast<std::size_t>(__builtin_ctz(mask)))) return true;
  }
#endif
  for (; i < n; ++i)
    if (link_at(contents, i)) return true;
  return false;
}

std::optional<std::string> static_string(const Template& t, const Value* v,
                                         std::string_view stack_name) {
  return eval_string(t, v, stack_name, 0);
}

std::string link_path_key(std::string_view path) {
  std::string s = std::filesystem::path(path).lexically_normal().string();
  while (s.starts_with("./")) s.erase(0, 2);
  return s;
}

std::string nested_template_path(const Template& t, const Resource& r) {
  if (r.type != kStackType) return {};
  std::string_view target;
  const Value* url = r.properties ? r.properties->get("TemplateURL") : nullptr;
  if (url && url->is_string()) target = url->str();
  // A CDK cloud assembly names the nested template's file in the asset metadata.
  if (r.metadata && (target.empty() || target.find("://") != std::string_view::npos)) {
    const Value* prop = r.metadata->get("aws:asset:property");
    const Value* asset = r.metadata->get("aws:asset:path");
    if (prop && prop->is_string() && prop->str() == "TemplateURL" && asset && asset->is_string())
      target = asset->str();
  }
  if (target.empty() || target.find("://") != std::string_view::npos || target.starts_with("s3:") ||
      target.starts_with("http"))
    return {};
  const std::filesystem::path base = std::filesystem::path(t.file().path()).parent_path();
  return link_path_key((base / std::filesystem::path(target)).string());
}

LinkFacts link_facts(const Template& t, std::string_view stack_name) {
  LinkFacts f;
  for (const Output& o : t.outputs()) {
    const Value* exp = o.node && o.node->is_map() ? o.node->get("Export") : nullptr;
    if (exp == nullptr || !exp->is_map()) continue;
    const MapEntry* name = exp->find("Name");
    if (name == nullptr) continue;
    std::optional<std::string> s = static_string(t, name->value, stack_name);
    f.exports.push_back({s.value_or(""), Location::at(t.file(), name->value ? name->value->offset
                                                                            : name->key_offset)});
  }
  for (const ImportSite& site : t.imports()) {
    std::optional<std::string> s = static_string(t, site.node->arg(), stack_name);
    f.imports.push_back({s.value_or(""), Location::at(t.file(), site.node->offset)});
  }
  for (const Resource& r : t.resources()) {
    std::string child = nested_template_path(t, r);
    if (child.empty()) continue;
    LinkFacts::Child c{std::move(child), Location::at(t.file(), r.offset), {}};
    // Outputs of other nested stacks passed to this one: `Fn::GetAtt [Other, Outputs.Name]`.
    const Value* params = r.properties ? r.properties->get("Parameters") : nullptr;
    for (const MapEntry& e : params ? params->map() : std::span<const MapEntry>()) {
      const Value* v = e.value;
      const Value* arg = v ? v->arg() : nullptr;
      if (!v || v->intrinsic != Intrinsic::kGetAtt || !arg || !arg->is_list() || arg->size < 2 ||
          !arg->items[0]->is_string() || !arg->items[1]->is_string() ||
          !arg->items[1]->str().starts_with("Outputs."))
        continue;
      const std::uint32_t other = t.find_resource(arg->items[0]->str());
      if (other == kNoIndex) continue;
      std::string path = nested_template_path(t, t.resources()[other]);
      if (!path.empty()) c.fed_by.push_back(std::move(path));
    }
    f.children.push_back(std::move(c));
  }
  return f;
}

// ---------------------------------------------------------------------------------------------
// LinkPlan

void LinkPlan::add(const std::string& path, LinkFacts facts) {
  if (facts.empty()) return;
  by_key_.emplace(link_path_key(path), static_cast<std::uint32_t>(entries_.size()));
  entries_.push_back({path, std::move(facts)});
}

void LinkPlan::finish_impl(const std::function<std::string(const std::string&)>& scanned,
                           bool digests) {
  auto note = [&](const std::string& key, DiagSeverity sev, const char* code, Location loc,
                  std::string message) {
    Diagnostic d;
    d.severity = sev;
    d.code = code;
    d.location = std::move(loc);
    d.message = std::move(message);
    diagnostics_[key].push_back(std::move(d));
  };
  // Export name -> the entries that declare it.
  std::unordered_map<std::string, std::vector<std::uint32_t>> exporters;
  for (std::uint32_t i = 0; i < entries_.size(); ++i)
    for (const LinkFacts::Export& e : entries_[i].facts.exports) {
      const std::string& key = entries_[i].path;
      if (e.name.empty()) {
        note(key, DiagSeverity::kWarning, "export-name-unresolved", e.location,
             "this export's name cannot be computed without deploying (only literals, Fn::Sub, "
             "Fn::Join, AWS::StackName and parameter defaults are); imports of it are not "
             "linked to this template");
        continue;
      }
      auto& list = exporters[e.name];
      if (std::find(list.begin(), list.end(), i) == list.end()) list.push_back(i);
    }
  // Undirected link graph over entry indices (children that are only someone's nested template
  // join as entries without facts).
  std::vector<std::set<std::uint32_t>> edges(entries_.size());
  auto entry_of = [&](const std::string& key) -> std::uint32_t {
    if (auto it = by_key_.find(key); it != by_key_.end()) return it->second;
    std::string as_scanned = scanned(key);
    if (as_scanned.empty()) return kNoIndex;
    const auto i = static_cast<std::uint32_t>(entries_.size());
    by_key_.emplace(key, i);
    entries_.push_back({std::move(as_scanned), {}});
    edges.emplace_back();
    return i;
  };
  for (const auto& [name, list] : exporters)
    if (list.size() > 1)
      for (std::uint32_t i : list)
        for (const LinkFacts::Export& e : entries_[i].facts.exports)
          if (e.name == name) {
            std::string others;
            for (std::uint32_t j : list)
              if (j != i) others += (others.empty() ? "" : ", ") + entries_[j].path;
            note(entries_[i].path, DiagSeverity::kWarning, "export-duplicate", e.location,
                 "export name " + internal::quote_name(name) + " is also exported by " + others +
                     "; CloudFormation accepts one, so imports of it are not linked");
          }
  const std::size_t with_facts = entries_.size();
  for (std::uint32_t i = 0; i < with_facts; ++i) {
    const std::string key = entries_[i].path;
    for (const LinkFacts::Import& imp : entries_[i].facts.imports) {
      if (imp.name.empty()) continue;  // the VM reports the value as unknown
      auto it = exporters.find(imp.name);
      if (it == exporters.end()) {
        note(key, DiagSeverity::kNote, "import-unresolved", imp.location,
             "no template of this run exports " + internal::quote_name(imp.name) +
                 "; values imported from it are unknown");
        continue;
      }
      if (it->second.size() != 1) continue;  // reported at the exports
      const std::uint32_t j = it->second[0];
      if (j == i) continue;
      edges[i].insert(j);
      edges[j].insert(i);
    }
    for (std::size_t c = 0; c < entries_[i].facts.children.size(); ++c) {
      const LinkFacts::Child child = entries_[i].facts.children[c];  // entries_ may grow
      const std::uint32_t j = entry_of(child.path);
      if (j == kNoIndex) {
        note(key, DiagSeverity::kNote, "nested-template-not-scanned", child.location,
             "the nested stack's template " + child.path +
                 " is not among the scanned files; its parameters and outputs are not linked");
        continue;
      }
      if (j == i) continue;
      edges[i].insert(j);
      edges[j].insert(i);
      // A sibling whose outputs the parent passes to this child: linked to it directly.
      for (const std::string& from : child.fed_by) {
        const std::uint32_t k = entry_of(from);
        if (k == kNoIndex || k == j) continue;
        edges[j].insert(k);
        edges[k].insert(j);
      }
    }
  }
  // Neighbourhoods: the direct links (siblings are linked where one feeds the other).
  std::unordered_map<std::uint32_t, std::string> hashes;
  auto content_hash = [&](std::uint32_t i) -> const std::string& {
    auto it = hashes.find(i);
    if (it != hashes.end()) return it->second;
    std::string bytes;
    LoadResult failure;
    std::string h = read_template_file(entries_[i].path, bytes, failure)
                        ? hex64(XXH3_64bits(bytes.data(), bytes.size()))
                        : std::string("unreadable");
    return hashes.emplace(i, std::move(h)).first->second;
  };
  for (std::uint32_t i = 0; i < entries_.size(); ++i) {
    if (edges[i].empty()) continue;
    std::vector<std::uint32_t> order{i};
    auto take = [&](std::uint32_t j) {
      if (std::find(order.begin(), order.end(), j) == order.end()) order.push_back(j);
    };
    for (std::uint32_t j : edges[i]) take(j);
    const std::string& key = entries_[i].path;
    if (order.size() > kMaxLinkedTemplates) {
      note(key, DiagSeverity::kWarning, "linked-templates-limit", Location::whole(entries_[i].path),
           "this template links to " + std::to_string(order.size() - 1) +
               " templates; only the first " + std::to_string(kMaxLinkedTemplates - 1) +
               " are loaded with it (kMaxLinkedTemplates), links to the others are not followed");
      order.resize(kMaxLinkedTemplates);
    }
    Neighbours n;
    XXH3_state_t state;
    XXH3_64bits_reset(&state);
    for (std::uint32_t j : order) {
      n.paths.push_back(entries_[j].path);
      const std::string k = link_path_key(entries_[j].path);
      XXH3_64bits_update(&state, k.data(), k.size() + 1);
      if (!digests) continue;
      const std::string& h = content_hash(j);
      XXH3_64bits_update(&state, h.data(), h.size());
    }
    n.digest = hex64(XXH3_64bits_digest(&state));
    neighbours_.emplace(key, std::move(n));
  }
  for (auto& [key, list] : diagnostics_)
    std::stable_sort(list.begin(), list.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::tie(a.location.line, a.location.column) <
             std::tie(b.location.line, b.location.column);
    });
}

std::vector<std::string> LinkPlan::neighbourhood(std::string_view path) const {
  if (neighbours_.empty()) return {};
  auto it = neighbours_.find(std::string(path));
  return it == neighbours_.end() ? std::vector<std::string>() : it->second.paths;
}

std::string LinkPlan::digest(std::string_view path) const {
  auto it = neighbours_.find(std::string(path));
  return it == neighbours_.end() ? std::string() : it->second.digest;
}

std::vector<Diagnostic> LinkPlan::diagnostics(std::string_view path) const {
  if (diagnostics_.empty()) return {};
  auto it = diagnostics_.find(std::string(path));
  if (it == diagnostics_.end()) return {};
  std::vector<Diagnostic> out = it->second;
  for (Diagnostic& d : out) d.location.file = std::string(path);
  return out;
}

// ---------------------------------------------------------------------------------------------
// StackWorld

StackWorld::StackWorld(std::vector<Member> members) : members_(std::move(members)) {
  std::unordered_map<std::string, const Template*> by_key;
  for (const Member& m : members_) by_key.emplace(link_path_key(m.path), m.tmpl);
  // Exports: name -> value; a name two members export links to neither.
  std::unordered_map<std::string, LinkTarget> exports;
  std::set<std::string> duplicate;
  for (const Member& m : members_) {
    const std::string stack = default_stack_name(m.path);
    for (const Output& o : m.tmpl->outputs()) {
      const Value* exp = o.node && o.node->is_map() ? o.node->get("Export") : nullptr;
      const Value* name = exp && exp->is_map() ? exp->get("Name") : nullptr;
      std::optional<std::string> s = name ? static_string(*m.tmpl, name, stack) : std::nullopt;
      if (!s) continue;
      if (!exports.emplace(*s, LinkTarget{m.tmpl, o.node->get("Value")}).second)
        duplicate.insert(*s);
    }
  }
  for (const std::string& d : duplicate) exports.erase(d);
  for (const Member& m : members_) {
    const std::string stack = default_stack_name(m.path);
    for (const ImportSite& site : m.tmpl->imports()) {
      std::optional<std::string> s = static_string(*m.tmpl, site.node->arg(), stack);
      if (!s) continue;
      if (auto it = exports.find(*s); it != exports.end() && it->second.node)
        imports_.emplace(site.node, it->second);
    }
    for (std::uint32_t i = 0; i < m.tmpl->resources().size(); ++i) {
      const Resource& r = m.tmpl->resources()[i];
      const std::string child = nested_template_path(*m.tmpl, r);
      if (child.empty()) continue;
      auto it = by_key.find(child);
      if (it == by_key.end() || it->second == m.tmpl) continue;
      children_[m.tmpl][i] = it->second;
      Binding& b = bindings_[it->second];
      if (++b.parents == 1) {
        b.parent = m.tmpl;
        b.parameters = r.properties ? r.properties->get("Parameters") : nullptr;
      }
    }
  }
  // References across members, from resource properties.
  auto add = [&](const Template* t, std::uint32_t from, const std::string& path, const Value* v) {
    auto target = follow(t, v, 0);
    if (!target || target->first == t) return;
    referrers_[target->first][target->second].push_back({t, from, path});
  };
  for (const Member& m : members_) {
    const Template* t = m.tmpl;
    for (const ImportSite& site : t->imports())
      if (site.from != kNoIndex) add(t, site.from, site.path, site.node);
    const bool bound = bindings_.count(t) && bindings_[t].parents == 1;
    for (const Reference& ref : t->references()) {
      if (ref.from == kNoIndex || !ref.node || ref.kind == RefKind::kDependsOn) continue;
      if (ref.kind == RefKind::kRef && ref.target_kind == TargetKind::kParameter && bound) {
        add(t, ref.from, ref.path, ref.node);
      } else if (ref.kind == RefKind::kGetAtt && ref.target_kind == TargetKind::kResource &&
                 ref.attribute.starts_with("Outputs.")) {
        add(t, ref.from, ref.path, ref.node);
      }
    }
  }
}

std::optional<std::pair<const Template*, std::uint32_t>> StackWorld::follow(const Template* t,
                                                                            const Value* v,
                                                                            int depth) const {
  if (!t || !v || depth > kMaxLinkDepth || !v->is_map()) return std::nullopt;
  const Value* arg = v->arg();
  if (!arg) return std::nullopt;
  switch (v->intrinsic) {
    case Intrinsic::kRef: {
      if (!arg->is_string()) return std::nullopt;
      const std::uint32_t r = t->find_resource(arg->str());
      if (r != kNoIndex) return std::make_pair(t, r);
      LinkTarget p = parameter(*t, arg->str());
      return p ? follow(p.tmpl, p.node, depth + 1) : std::nullopt;
    }
    case Intrinsic::kGetAtt: {
      if (!arg->is_list() || arg->size < 2 || !arg->items[0]->is_string() ||
          !arg->items[1]->is_string())
        return std::nullopt;
      const std::uint32_t r = t->find_resource(arg->items[0]->str());
      if (r == kNoIndex) return std::nullopt;
      if (LinkTarget o = stack_output(*t, r, arg->items[1]->str()))
        return follow(o.tmpl, o.node, depth + 1);
      return std::make_pair(t, r);
    }
    case Intrinsic::kImportValue: {
      LinkTarget e = import_value(v);
      return e ? follow(e.tmpl, e.node, depth + 1) : std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

LinkTarget StackWorld::import_value(const Value* import_node) const {
  auto it = imports_.find(import_node);
  return it == imports_.end() ? LinkTarget{} : it->second;
}

LinkTarget StackWorld::parameter(const Template& t, std::string_view name) const {
  auto it = bindings_.find(&t);
  if (it == bindings_.end() || it->second.parents != 1 || !it->second.parameters) return {};
  const Value* v = it->second.parameters->get(name);
  return v ? LinkTarget{it->second.parent, v} : LinkTarget{};
}

LinkTarget StackWorld::stack_output(const Template& t, std::uint32_t stack_resource,
                                    std::string_view attribute) const {
  if (!attribute.starts_with("Outputs.")) return {};
  auto it = children_.find(&t);
  if (it == children_.end()) return {};
  auto c = it->second.find(stack_resource);
  if (c == it->second.end()) return {};
  const std::string_view name = attribute.substr(8);
  for (const Output& o : c->second->outputs())
    if (o.name == name && o.node && o.node->is_map())
      if (const Value* v = o.node->get("Value")) return {c->second, v};
  return {};
}

const std::vector<ExternalReference>& StackWorld::referrers(const Template& t,
                                                            std::uint32_t resource) const {
  static const std::vector<ExternalReference> kNone;
  auto it = referrers_.find(&t);
  if (it == referrers_.end()) return kNone;
  auto r = it->second.find(resource);
  return r == it->second.end() ? kNone : r->second;
}

}  // namespace polc
