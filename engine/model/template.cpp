// build_template: sections, ForEach expansion, canonical intrinsics, reference graph.
#include "engine/model/template.h"

#include <algorithm>
#include <array>
#include <atomic>

#include "engine/base/limits.h"
#include "engine/base/message_text.h"
#include "engine/model/foreach.h"
#include "engine/model/intrinsics.h"
#include "engine/model/template_builder.h"

namespace polc {

std::uint64_t Template::next_serial() {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}
namespace {

/// The reference walk recurses per nesting level; trees are bounded by `kMaxNestingDepth`
/// (loader bound) and ForEach copies do not deepen them. Deeper values are not walked.
constexpr std::size_t kMaxWalkDepth = kMaxNestingDepth + 16;

const std::vector<std::uint32_t>& empty_indices() {
  static const std::vector<std::uint32_t> kEmpty;
  return kEmpty;
}

/// Appends `.key` (or `["key"]` when the key has characters that would be ambiguous).
void append_key(std::string& path, std::string_view key) {
  // A plain loop: `find_first_of` with a set calls memchr once per character of the key.
  bool plain = !key.empty();
  for (char c : key) {
    if (c == '.' || c == '[' || c == ']' || c == '"' || c == ' ') {
      plain = false;
      break;
    }
  }
  if (plain) {
    if (!path.empty()) path += '.';
    path += key;
    return;
  }
  path += "[\"";
  for (char c : key) {
    if (c == '"' || c == '\\') path += '\\';
    path += c;
  }
  path += "\"]";
}

}  // namespace

bool is_pseudo_parameter(std::string_view name) {
  static constexpr std::array<std::string_view, 8> kPseudo = {
      "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue",   "AWS::Partition",
      "AWS::Region",    "AWS::StackId",          "AWS::StackName", "AWS::URLSuffix"};
  for (std::string_view p : kPseudo)
    if (p == name) return true;
  return false;
}

std::uint32_t Template::find_resource(std::string_view logical_id) const {
  auto it = resource_by_id_.find(logical_id);
  return it == resource_by_id_.end() ? kNoIndex : it->second;
}

std::uint32_t Template::find_parameter(std::string_view name) const {
  auto it = parameter_by_name_.find(name);
  return it == parameter_by_name_.end() ? kNoIndex : it->second;
}

const ConditionDecl* Template::find_condition(std::string_view name) const {
  auto it = condition_by_name_.find(name);
  return it == condition_by_name_.end() ? nullptr : &conditions_[it->second];
}

const std::vector<std::uint32_t>& Template::resources_of_type(std::string_view type) const {
  auto it = by_type_.find(type);
  return it == by_type_.end() ? empty_indices() : it->second;
}

const std::vector<std::uint32_t>& Template::references_from(std::uint32_t index) const {
  return index < refs_from_.size() ? refs_from_[index] : empty_indices();
}

const std::vector<std::uint32_t>& Template::references_to(std::uint32_t index) const {
  return index < refs_to_.size() ? refs_to_[index] : empty_indices();
}

void TemplateBuilder::read_transform(const Value* v) {
  if (v == nullptr) return;
  if (v->is_string()) {
    t_->sam_ = v->str() == kSamTransform;
  } else if (v->is_list()) {
    for (const Value* item : v->list())
      if (item && item->is_string() && item->str() == kSamTransform) t_->sam_ = true;
  }
}

void TemplateBuilder::read_parameters(const Value* v) {
  if (v == nullptr || !v->is_map()) return;
  for (const MapEntry& e : v->map()) {
    Parameter p;
    p.name = e.key;
    p.offset = e.key_offset;
    p.node = e.value;
    if (e.value && e.value->is_map()) {
      const Value* type = e.value->get("Type");
      if (type && type->is_string()) p.type = type->str();
      p.default_value = e.value->get("Default");
    }
    t_->parameter_by_name_.emplace(p.name, static_cast<std::uint32_t>(t_->parameters_.size()));
    t_->parameters_.push_back(p);
  }
}

void TemplateBuilder::read_conditions(const Value* v) {
  if (v == nullptr || !v->is_map()) return;
  for (const MapEntry& e : v->map()) {
    t_->condition_by_name_.emplace(e.key, static_cast<std::uint32_t>(t_->conditions_.size()));
    t_->conditions_.push_back({e.key, e.key_offset, e.value});
  }
}

void TemplateBuilder::read_resources(const MapEntry& section,
                                     const std::vector<std::string_view>& generated) {
  const Value* v = section.value;
  if (v == nullptr || v->is_null()) return;
  if (!v->is_map()) {
    diags_.error("resources-not-map", at(v->offset),
                 "'Resources' must be a map of logical IDs to resources, not a " +
                     std::string(kind_name(v->kind)));
    return;
  }
  // One allocation each, not a doubling series (a Resource is over 100 bytes).
  const std::size_t expected = std::min<std::size_t>(v->size, kMaxResources);
  t_->resources_.reserve(expected);
  t_->resource_by_id_.reserve(expected);
  for (std::uint32_t i = 0; i < v->size; ++i) {
    const MapEntry& e = v->entries[i];
    if (internal::is_foreach_key(e.key)) continue;  // reported by the expander
    if (t_->resources_.size() >= kMaxResources) {
      diags_.error("too-many-resources", at(e.key_offset),
                   "template declares more than " + std::to_string(kMaxResources) +
                       " resources; the rest are not loaded");
      return;
    }
    Resource r;
    r.logical_id = e.key;
    r.offset = e.key_offset;
    r.node = e.value;
    if (i < generated.size()) r.generated_by = generated[i];
    const Value* body = e.value;
    if (body == nullptr || !body->is_map()) {
      diags_.warning("resource-not-map", at(e.key_offset),
                     "resource " + internal::quote_name(e.key) + " is not a map");
      body = nullptr;
    }
    const Value* type = body ? body->get("Type") : nullptr;
    if (type && type->is_string()) {
      r.type = type->str();
    } else if (body) {
      diags_.warning("missing-type", at(e.key_offset),
                     "resource " + internal::quote_name(e.key) + " has no 'Type'");
    }
    if (body) {
      r.properties = body->get("Properties");
      r.metadata = body->get("Metadata");
      const Value* cond = body->get("Condition");
      if (cond && cond->is_string()) r.condition = cond->str();
      const Value* deps = body->get("DependsOn");
      if (deps && deps->is_string()) r.depends_on.push_back(deps->str());
      for (const Value* d : deps ? deps->list() : std::span<Value* const>())
        if (d && d->is_string()) r.depends_on.push_back(d->str());
      const Value* cdk = r.metadata ? r.metadata->get("aws:cdk:path") : nullptr;
      if (cdk && cdk->is_string()) r.cdk_path = cdk->str();
    }
    auto index = static_cast<std::uint32_t>(t_->resources_.size());
    t_->resource_by_id_.emplace(r.logical_id, index);
    t_->by_type_[r.type].push_back(index);
    t_->resources_.push_back(std::move(r));
  }
}

void TemplateBuilder::read_outputs(const Value* v) {
  if (v == nullptr || !v->is_map()) return;
  for (const MapEntry& e : v->map())
    if (!internal::is_foreach_key(e.key)) t_->outputs_.push_back({e.key, e.key_offset, e.value});
}

void TemplateBuilder::add_ref(RefKind kind, const Value* node, std::uint32_t offset,
                              std::string_view target, std::string_view attribute,
                              const std::string& path) {
  Reference r;
  r.from = from_;
  r.path = path;
  r.node = node;
  r.offset = offset;
  r.kind = kind;
  r.target = target;
  r.attribute = attribute;
  r.guards = guards_;
  if (std::uint32_t i = t_->find_resource(target); i != kNoIndex) {
    r.target_kind = TargetKind::kResource;
    r.target_index = i;
  } else if (std::uint32_t p = t_->find_parameter(target); p != kNoIndex) {
    r.target_kind = TargetKind::kParameter;
    r.target_index = p;
  } else if (is_pseudo_parameter(target)) {
    r.target_kind = TargetKind::kPseudoParameter;
  } else {
    r.target_kind = TargetKind::kUnknown;
    // SAM generates resources (`MyFunctionRole`, `ServerlessRestApi`) the template refers to.
    if ((!t_->sam_ || !sam_generated_name(target)) &&
        unknown_reported_.emplace(offset, target).second) {
      std::string what = kind == RefKind::kRef      ? "Ref to"
                         : kind == RefKind::kGetAtt ? "Fn::GetAtt of"
                         : kind == RefKind::kSub    ? "Fn::Sub variable naming"
                                                    : "DependsOn on";
      diags_.warning("unknown-reference", at(offset),
                     what + " unknown logical ID " + internal::quote_name(target));
    }
  }
  auto index = static_cast<std::uint32_t>(t_->references_.size());
  if (r.from != kNoIndex) t_->refs_from_[r.from].push_back(index);
  if (r.target_kind == TargetKind::kResource) t_->refs_to_[r.target_index].push_back(index);
  t_->references_.push_back(std::move(r));
}

void TemplateBuilder::sub_refs(const Value* node, const Value* arg, const std::string& path) {
  const Value* text = arg;
  const Value* vars = nullptr;
  if (arg && arg->is_list() && arg->size >= 1) {
    text = arg->items[0];
    vars = arg->size >= 2 ? arg->items[1] : nullptr;
  }
  if (text == nullptr || !text->is_string()) return;
  internal::for_each_sub_variable(text->str(), [&](std::string_view name, std::size_t) {
    if (vars && vars->is_map() && vars->find(name)) return;
    std::string_view target = name;
    std::string_view attribute;
    // `${AWS::Region}` has no attribute; `${Res.Attr.Name}` splits at the first dot.
    if (!is_pseudo_parameter(name)) {
      std::size_t dot = name.find('.');
      if (dot != std::string_view::npos) {
        target = name.substr(0, dot);
        attribute = name.substr(dot + 1);
      }
    }
    add_ref(RefKind::kSub, node, text->offset, target, attribute, path);
  });
}

std::string TemplateBuilder::path_text() const {
  std::string path = walk_base_;
  for (const PathSegment& seg : walk_path_) {
    if (seg.key.data() == nullptr)
      path.append("[").append(std::to_string(seg.index)).append("]");
    else
      append_key(path, seg.key);
  }
  return path;
}

void TemplateBuilder::walk(const Value* v, bool frozen, std::size_t depth) {
  if (v == nullptr || depth > kMaxWalkDepth) return;
  if (v->is_list()) {
    for (std::uint32_t i = 0; i < v->size; ++i) {
      if (!frozen) walk_path_.push_back({std::string_view(), i});
      walk(v->items[i], frozen, depth + 1);
      if (!frozen) walk_path_.pop_back();
    }
    return;
  }
  if (!v->is_map()) return;
  if (v->is_intrinsic()) {
    const Value* arg = v->arg();
    switch (v->intrinsic) {
      case Intrinsic::kRef:
        if (arg && arg->is_string())
          add_ref(RefKind::kRef, v, v->offset, arg->str(), {}, path_text());
        return;
      case Intrinsic::kGetAtt:
        if (arg && arg->is_list() && arg->size >= 1 && arg->items[0] &&
            arg->items[0]->is_string()) {
          const Value* attr = arg->size >= 2 ? arg->items[1] : nullptr;
          add_ref(RefKind::kGetAtt, v, v->offset, arg->items[0]->str(),
                  attr && attr->is_string() ? attr->str() : std::string_view(), path_text());
        }
        walk(arg, true, depth + 1);
        return;
      case Intrinsic::kSub:
        sub_refs(v, arg, path_text());
        if (arg && arg->is_list() && arg->size >= 2) walk(arg->items[1], true, depth + 1);
        return;
      case Intrinsic::kImportValue:
        t_->imports_.push_back({from_, path_text(), v});
        walk(arg, true, depth + 1);
        return;
      case Intrinsic::kIf:
        if (arg && arg->is_list() && arg->size == 3 && arg->items[0] &&
            arg->items[0]->is_string()) {
          std::string_view cond = arg->items[0]->str();
          for (int b = 1; b <= 2; ++b) {
            guards_.push_back({cond, b == 1});
            walk(arg->items[b], frozen, depth + 1);
            guards_.pop_back();
          }
          return;
        }
        walk(arg, true, depth + 1);
        return;
      default:
        walk(arg, true, depth + 1);
        return;
    }
  }
  for (const MapEntry& e : v->map()) {
    // A key is never a null view (an empty key is an empty view of the document's text).
    if (!frozen) walk_path_.push_back({e.key.data() ? e.key : std::string_view("", 0), 0});
    walk(e.value, frozen, depth + 1);
    if (!frozen) walk_path_.pop_back();
  }
}

void TemplateBuilder::link() {
  t_->refs_from_.assign(t_->resources_.size(), {});
  t_->refs_to_.assign(t_->resources_.size(), {});
  for (std::uint32_t i = 0; i < t_->resources_.size(); ++i) {
    const Resource& r = t_->resources_[i];
    // A resource the SAM transform generates shares its values with the SAM resource, whose
    // references are already in the graph.
    if (r.generated_by.starts_with("AWS::Serverless::")) continue;
    from_ = i;
    if (r.properties) {
      walk_base_ = "Properties";
      walk(r.properties, false, 0);
    }
    const Value* deps = r.node && r.node->is_map() ? r.node->get("DependsOn") : nullptr;
    if (deps && deps->is_string()) {
      add_ref(RefKind::kDependsOn, deps, deps->offset, deps->str(), {}, "DependsOn");
    } else if (deps && deps->is_list()) {
      for (std::uint32_t k = 0; k < deps->size; ++k) {
        const Value* d = deps->items[k];
        if (d && d->is_string())
          add_ref(RefKind::kDependsOn, d, d->offset, d->str(), {},
                  "DependsOn[" + std::to_string(k) + "]");
      }
    }
  }
  from_ = kNoIndex;
  for (const Output& o : t_->outputs_) {
    walk_base_ = "Outputs";
    append_key(walk_base_, o.name);
    walk(o.node, false, 0);
  }
}

std::unique_ptr<Template> TemplateBuilder::build() {
  Document& doc = *t_->doc_;
  Value* root = doc.root;
  const Value* params = root->get("Parameters");
  std::vector<std::string_view> generated;
  for (std::uint32_t i = 0; i < root->size; ++i) {
    MapEntry& e = root->entries[i];
    if (e.key == "Resources") {
      internal::expand_foreach(doc, e.value, params, "resource", &generated, diags_);
    } else if (e.key == "Outputs") {
      internal::expand_foreach(doc, e.value, params, "output", nullptr, diags_);
    } else if (e.key == "Conditions") {
      internal::expand_foreach(doc, e.value, params, "condition", nullptr, diags_);
    }
  }
  internal::canonicalize_intrinsics(*doc.arena, root);

  read_transform(root->get("Transform"));
  read_parameters(params);
  read_conditions(root->get("Conditions"));
  t_->mappings_ = root->get("Mappings");
  if (const MapEntry* res = root->find("Resources")) read_resources(*res, generated);
  read_outputs(root->get("Outputs"));
  if (t_->sam_) {
    merge_sam_globals();
    expand_sam();
  }
  link();
  return std::move(t_);
}

std::unique_ptr<Template> build_template(std::unique_ptr<Document> doc, Diagnostics& diags) {
  if (!doc || doc->root == nullptr || !doc->root->is_map()) return nullptr;
  TemplateBuilder b(std::move(doc), diags);
  return b.build();
}

}  // namespace polc
