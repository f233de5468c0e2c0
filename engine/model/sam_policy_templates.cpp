#include "engine/model/sam_policy_templates.h"

#include <simdjson.h>

#include <algorithm>

// POLC_SAM_POLICY_TEMPLATES_PATH is set by CMakeLists.txt (with the file's hash, so that ccache,
// which does not see `.incbin` inputs, recompiles this file when the table changes).
#ifndef POLC_SAM_POLICY_TEMPLATES_PATH
#error "POLC_SAM_POLICY_TEMPLATES_PATH must name data/sam/policy-templates.json"
#endif

__asm__(
    ".section .rodata\n"
    ".global polc_sam_policy_templates_begin\n"
    ".hidden polc_sam_policy_templates_begin\n"
    ".global polc_sam_policy_templates_end\n"
    ".hidden polc_sam_policy_templates_end\n"
    ".balign 16\n"
    "polc_sam_policy_templates_begin:\n"
    ".incbin \"" POLC_SAM_POLICY_TEMPLATES_PATH
    "\"\n"
    "polc_sam_policy_templates_end:\n"
    ".byte 0\n"
    ".previous\n");

#ifndef POLC_SAM_MANAGED_POLICIES_PATH
#error "POLC_SAM_MANAGED_POLICIES_PATH must name data/sam/managed-policies.txt"
#endif

__asm__(
    ".section .rodata\n"
    ".global polc_sam_managed_policies_begin\n"
    ".hidden polc_sam_managed_policies_begin\n"
    ".global polc_sam_managed_policies_end\n"
    ".hidden polc_sam_managed_policies_end\n"
    ".balign 16\n"
    "polc_sam_managed_policies_begin:\n"
    ".incbin \"" POLC_SAM_MANAGED_POLICIES_PATH
    "\"\n"
    "polc_sam_managed_policies_end:\n"
    ".byte 0\n"
    ".previous\n");

extern "C" const char polc_sam_managed_policies_begin[];
extern "C" const char polc_sam_managed_policies_end[];
extern "C" const char polc_sam_policy_templates_begin[];
extern "C" const char polc_sam_policy_templates_end[];

namespace polc::internal {
namespace {

struct Table {
  std::vector<PolicyTemplate> templates;  // sorted by name
  std::string source;
};

PolicyTemplateNode convert(simdjson::dom::element e) {
  PolicyTemplateNode n;
  switch (e.type()) {
    case simdjson::dom::element_type::STRING:
      n.kind = PolicyTemplateNode::Kind::kString;
      n.text = std::string(std::string_view(e));
      break;
    case simdjson::dom::element_type::ARRAY:
      n.kind = PolicyTemplateNode::Kind::kList;
      for (simdjson::dom::element item : simdjson::dom::array(e)) n.items.push_back(convert(item));
      break;
    case simdjson::dom::element_type::OBJECT:
      n.kind = PolicyTemplateNode::Kind::kMap;
      for (simdjson::dom::key_value_pair kv : simdjson::dom::object(e))
        n.entries.push_back(PolicyTemplateEntry{std::string(kv.key), convert(kv.value)});
      break;
    default:
      n.kind = PolicyTemplateNode::Kind::kScalar;
      n.text = simdjson::minify(e);
      break;
  }
  return n;
}

Table load() {
  Table t;
  const std::string_view text(
      polc_sam_policy_templates_begin,
      static_cast<std::size_t>(polc_sam_policy_templates_end - polc_sam_policy_templates_begin));
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) {
    t.source = "embedded SAM policy template table cannot be parsed";
    return t;
  }
  std::string_view source;
  if (root["source"].get(source) == simdjson::SUCCESS) t.source = std::string(source);
  simdjson::dom::object templates;
  if (root["templates"].get(templates) != simdjson::SUCCESS) return t;
  for (simdjson::dom::key_value_pair kv : templates) {
    PolicyTemplate p;
    p.name = std::string(kv.key);
    simdjson::dom::array params;
    if (kv.value["parameters"].get(params) == simdjson::SUCCESS)
      for (simdjson::dom::element e : params) {
        std::string_view s;
        if (e.get(s) == simdjson::SUCCESS) p.parameters.emplace_back(s);
      }
    simdjson::dom::element def;
    if (kv.value["definition"].get(def) != simdjson::SUCCESS) continue;
    p.definition = convert(def);
    t.templates.push_back(std::move(p));
  }
  std::sort(t.templates.begin(), t.templates.end(),
            [](const PolicyTemplate& a, const PolicyTemplate& b) { return a.name < b.name; });
  return t;
}

const Table& table() {
  static const Table kTable = load();
  return kTable;
}

/// name -> path, sorted by name, viewing the embedded text.
using ManagedTable = std::vector<std::pair<std::string_view, std::string_view>>;

ManagedTable load_managed() {
  ManagedTable t;
  std::string_view text(
      polc_sam_managed_policies_begin,
      static_cast<std::size_t>(polc_sam_managed_policies_end - polc_sam_managed_policies_begin));
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty() || line[0] == '#') continue;
    const std::size_t tab = line.find('\t');
    if (tab == std::string_view::npos)
      t.emplace_back(line, std::string_view());
    else
      t.emplace_back(line.substr(0, tab), line.substr(tab + 1));
  }
  std::sort(t.begin(), t.end());
  return t;
}

}  // namespace

std::optional<std::string_view> managed_policy_path(std::string_view name) {
  static const ManagedTable kTable = load_managed();
  auto it = std::lower_bound(kTable.begin(), kTable.end(), name,
                             [](const auto& e, std::string_view n) { return e.first < n; });
  if (it == kTable.end() || it->first != name) return std::nullopt;
  return it->second;
}

const PolicyTemplate* find_policy_template(std::string_view name) {
  const auto& v = table().templates;
  auto it =
      std::lower_bound(v.begin(), v.end(), name,
                       [](const PolicyTemplate& a, std::string_view n) { return a.name < n; });
  return it != v.end() && it->name == name ? &*it : nullptr;
}

std::size_t policy_template_count() { return table().templates.size(); }
std::string_view policy_templates_source() { return table().source; }

std::string_view embedded_policy_templates() {
  return std::string_view(
      polc_sam_policy_templates_begin,
      static_cast<std::size_t>(polc_sam_policy_templates_end - polc_sam_policy_templates_begin));
}

std::string_view embedded_managed_policies() {
  return std::string_view(
      polc_sam_managed_policies_begin,
      static_cast<std::size_t>(polc_sam_managed_policies_end - polc_sam_managed_policies_begin));
}

}  // namespace polc::internal
