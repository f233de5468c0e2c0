// SAM policy templates in a function's or state machine's `Policies`: `- S3ReadPolicy:
// {BucketName: b}` becomes the template's policy document with each `Ref` to a template parameter
// replaced by the value given, as the SAM translator's policy template processor does
// (samtranslator 1.110, `policy_template_processor/template.py`, `to_statement`). The values are
// the template's own nodes: a `!Ref Table` or `!ImportValue` value stays what it is, so that what
// polc cannot resolve stays unknown to policies.
#include <string>

#include "engine/base/message_text.h"
#include "engine/model/template_builder.h"

namespace polc {

using internal::PolicyTemplateNode;

/// A copy of `node` in the template's arena, located at `offset` (the `Policies` item), with
/// `{"Ref": P}` for a parameter P of the template replaced by `values[P]`.
Value* TemplateBuilder::instantiate(const PolicyTemplateNode& node, const Value* values,
                                    std::uint32_t offset) {
  switch (node.kind) {
    case PolicyTemplateNode::Kind::kString:
    case PolicyTemplateNode::Kind::kScalar:  // the table has none; kept as text
      return new_string(node.text, offset);
    case PolicyTemplateNode::Kind::kList: {
      Value* l = new_list(static_cast<std::uint32_t>(node.items.size()), offset);
      for (std::size_t k = 0; k < node.items.size(); ++k)
        l->items[k] = instantiate(node.items[k], values, offset);
      return l;
    }
    case PolicyTemplateNode::Kind::kMap:
      break;
  }
  if (node.entries.size() == 1 && node.entries[0].first == "Ref" &&
      node.entries[0].second.kind == PolicyTemplateNode::Kind::kString) {
    if (const Value* v = values->get(node.entries[0].second.text)) return const_cast<Value*>(v);
  }
  Value* m = new_map(static_cast<std::uint32_t>(node.entries.size()), offset);
  for (std::size_t k = 0; k < node.entries.size(); ++k)
    m->entries[k] = {node.entries[k].first, offset,
                     instantiate(node.entries[k].second, values, offset)};
  if (m->size == 1) m->intrinsic = intrinsic_from_key(m->entries[0].key);
  return m;
}

/// The policy document of the policy template `item` names (a map with one key, the template's
/// name, whose value maps its parameters to values), or nullptr when `item` names no template
/// or lacks a parameter value: then a `sam-policy-not-expanded` warning says so (the translator
/// rejects such a template), and the run is incomplete rather than passing.
Value* TemplateBuilder::expand_policy_template(std::string_view owner, const Value* item) {
  const MapEntry& e = item->entries[0];
  const internal::PolicyTemplate* pt = internal::find_policy_template(e.key);
  if (pt == nullptr) {
    diags_.warning("sam-policy-not-expanded", at(e.key_offset),
                   "'Policies' of " + internal::quote_name(owner) + " names " +
                       internal::quote_name(e.key) +
                       ", which is neither a policy document, a managed policy nor one of the " +
                       std::to_string(internal::policy_template_count()) +
                       " SAM policy templates; its permissions are not checked");
    return nullptr;
  }
  const Value* values = e.value;
  if (values == nullptr || !values->is_map() || values->is_intrinsic()) {
    diags_.warning("sam-policy-not-expanded", at(values ? values->offset : e.key_offset),
                   "SAM policy template " + internal::quote_name(e.key) +
                       " needs a map of parameter values; its permissions are not checked");
    return nullptr;
  }
  std::string missing;
  for (const std::string& p : pt->parameters)
    if (!values->find(p)) missing += (missing.empty() ? "" : ", ") + p;
  if (!missing.empty()) {
    diags_.warning("sam-policy-not-expanded", at(e.key_offset),
                   "SAM policy template " + internal::quote_name(e.key) +
                       " has no value for its parameter(s) " + missing +
                       "; its permissions are not checked");
    return nullptr;
  }
  return instantiate(pt->definition, values, e.key_offset);
}

/// True when `v` is a SAM policy template item: a map with one key that is not an intrinsic
/// function (the translator then looks the key up among the templates).
static bool template_shaped(const Value* v) {
  return v && v->is_map() && !v->is_intrinsic() && v->size == 1 && !v->get("Statement");
}

/// The execution role SAM creates for a function or state machine without `Role`:
/// `<Id>Role`, trusted by `service`, with the managed policies named in `Policies` (and, for
/// functions, AWSLambdaBasicExecutionRole), and `<Id>RolePolicy<N>` for each item N that is a
/// policy document or a SAM policy template (expanded), also under `Fn::If`
/// (samtranslator `model/role_utils/role_constructor.py`), then the managed and inline policies
/// a function's event sources add (`event_managed`, `event_inline`: expand_function).
void TemplateBuilder::expand_role(std::uint32_t sam_index, const Value* policies,
                                  const Value* boundary, const Value* path,
                                  std::string_view service,
                                  const std::vector<Value*>& event_managed,
                                  const std::vector<Value*>& event_inline) {
  const Resource r = t_->resources_[sam_index];
  const std::uint32_t at = r.offset;
  std::vector<Value*> managed, inline_docs;
  if (service == "lambda.amazonaws.com")
    managed.push_back(
        new_string("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", at));
  std::vector<const Value*> items;
  if (policies && policies->is_list())
    for (const Value* v : policies->list()) items.push_back(v);
  else if (policies)
    items.push_back(policies);
  // A policy document for one item, or nullptr: a document as is, a template expanded.
  auto document = [&](const Value* v) -> Value* {
    if (v && v->is_map() && v->get("Statement")) return const_cast<Value*>(v);
    if (template_shaped(v)) return expand_policy_template(r.logical_id, v);
    return nullptr;
  };
  for (std::size_t index = 0; index < items.size(); ++index) {
    const Value* v = items[index];
    if (!v) continue;
    const std::string_view name =
        t_->doc_->arena->copy(std::string(r.logical_id) + "RolePolicy" + std::to_string(index));
    auto named = [&](Value* doc) {
      return map_of({{"PolicyName", doc->offset, new_string(name, doc->offset)},
                     {"PolicyDocument", doc->offset, doc}},
                    doc->offset);
    };
    if (v->is_map() && v->intrinsic == Intrinsic::kIf) {
      // `Fn::If: [Cond, A, B]`: a document (or template) in either branch makes the item an
      // inline policy whose branches are named documents; otherwise it is a managed policy.
      const Value* arg = v->arg();
      if (arg && arg->is_list() && arg->size == 3) {
        const Value* a = arg->items[1];
        const Value* b = arg->items[2];
        const bool inline_if =
            (a && a->is_map() && !a->is_intrinsic()) || (b && b->is_map() && !b->is_intrinsic());
        if (inline_if) {
          auto branch = [&](const Value* x) -> Value* {
            if (x && x->is_map() && x->is_intrinsic()) return const_cast<Value*>(x);  // NoValue
            Value* doc = document(x);
            return doc ? named(doc) : nullptr;
          };
          Value* ta = branch(a);
          Value* tb = branch(b);
          if (!ta || !tb) {
            diags_.warning("sam-policy-not-expanded", this->at(v->offset),
                           "'Policies' item " + std::to_string(index) + " of " +
                               internal::quote_name(r.logical_id) +
                               " is an Fn::If whose branches are not both policy documents or "
                               "SAM policy templates; its permissions are not checked");
          } else {
            Value* l = list_of({arg->items[0], ta, tb}, arg->offset);
            Value* m = map_of({{"Fn::If", v->offset, l}}, v->offset);
            m->intrinsic = Intrinsic::kIf;
            inline_docs.push_back(m);
          }
          continue;
        }
      }
      managed.push_back(const_cast<Value*>(v));
    } else if (v->is_string()) {
      // An AWS managed policy name becomes its ARN, as SAM's bundled map gives it.
      const auto path = internal::managed_policy_path(v->str());
      Value* arn =
          path ? new_string(t_->doc_->arena->copy("arn:aws:iam::aws:policy/" + std::string(*path) +
                                                  std::string(v->str())),
                            v->offset)
               : const_cast<Value*>(v);
      // Listed once, as SAM de-duplicates them (AWSLambdaBasicExecutionRole is there already).
      bool seen = false;
      for (const Value* m : managed) seen = seen || (m->is_string() && m->str() == arn->str());
      if (!seen) managed.push_back(arn);
    } else if (v->is_map() && v->is_intrinsic()) {
      managed.push_back(const_cast<Value*>(v));
    } else if (Value* doc = document(v)) {
      inline_docs.push_back(named(doc));
    } else if (v->is_map() && !template_shaped(v)) {
      diags_.warning("sam-policy-not-expanded", this->at(v->offset),
                     "'Policies' item " + std::to_string(index) + " of " +
                         internal::quote_name(r.logical_id) +
                         " is not a policy document, a managed policy or a SAM policy template; "
                         "its permissions are not checked");
    }
  }
  // The event sources' policies, after the function's own (`_link_policy`: an ARN once).
  for (Value* arn : event_managed) {
    bool seen = false;
    for (const Value* m : managed) seen = seen || (m->is_string() && m->str() == arn->str());
    if (!seen) managed.push_back(arn);
  }
  inline_docs.insert(inline_docs.end(), event_inline.begin(), event_inline.end());
  Value* principal = map_of({{"Service", at, new_string(service, at)}}, at);
  Value* trust =
      map_of({{"Version", at, new_string("2012-10-17", at)},
              {"Statement", at,
               list_of({map_of({{"Effect", at, new_string("Allow", at)},
                                {"Action", at, list_of({new_string("sts:AssumeRole", at)}, at)},
                                {"Principal", at, principal}},
                               at)},
                       at)}},
             at);
  std::vector<MapEntry> props{{"AssumeRolePolicyDocument", at, trust},
                              {"ManagedPolicyArns", at, list_of(managed, at)}};
  if (!inline_docs.empty()) props.push_back({"Policies", at, list_of(inline_docs, at)});
  if (boundary)
    props.push_back({"PermissionsBoundary", boundary->offset, const_cast<Value*>(boundary)});
  if (path) props.push_back({"Path", path->offset, const_cast<Value*>(path)});
  add_generated(sam_index, t_->doc_->arena->copy(std::string(r.logical_id) + "Role"),
                "AWS::IAM::Role", map_of(props, at));
}

}  // namespace polc
