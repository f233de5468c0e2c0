#include "engine/schema/property_check.h"

namespace polc {
namespace {

class PropertyWalker {
 public:
  PropertyWalker(const Template& t, const Resource& r, std::vector<Diagnostic>& out) : tmpl_(t), res_(r), out_(out) {}

  void walk(const Value* v, const std::vector<schema::TypeRef>& types, const std::string& path, int depth) {
    if (!v || depth > 64) return;
    if (v->is_intrinsic()) {
      const Value* arg = v->arg();
      if (v->intrinsic == Intrinsic::kIf && arg && arg->is_list() && arg->size == 3) {
        walk(arg->list()[1], types, path, depth + 1);
        walk(arg->list()[2], types, path, depth + 1);
      }
      return;  // any other intrinsic computes the value
    }
    if (v->is_list()) {
      for (const Value* item : v->list()) walk(item, types, path, depth + 1);
      return;
    }
    if (!v->is_map()) return;
    for (const MapEntry& e : v->map()) {
      schema::FieldLookup r = schema::lookup_field(types, e.key);
      std::string sub = path + "." + std::string(e.key);
      if (r.result == schema::FieldLookup::kMissing) {
        if (r.on_scalar) continue;  // a map where a value is expected: not a name problem
        std::string_view near = schema::did_you_mean(e.key, r.candidates);
        Diagnostic d;
        d.severity = DiagSeverity::kWarning;
        d.code = "unknown-property";
        d.location = Location::at(tmpl_.file(), e.key_offset);
        d.message = "resource " + std::string(res_.logical_id) + " (" + std::string(res_.type) + ") has no property " +
                    sub + (near.empty() ? "" : "; did you mean '" + std::string(near) + "'?") +
                    " (CloudFormation rejects it at deploy time)";
        out_.push_back(std::move(d));
        continue;
      }
      if (r.result == schema::FieldLookup::kFound) walk(e.value, r.types, sub, depth + 1);
    }
  }

 private:
  const Template& tmpl_;
  const Resource& res_;
  std::vector<Diagnostic>& out_;
};

}  // namespace

void check_template_properties(const Template& tmpl, const schema::SchemaSet& schemas, std::vector<Diagnostic>& out) {
  for (const Resource& r : tmpl.resources()) {
    if (r.type.empty() || !r.properties || schemas.is_open(r.type)) continue;
    const schema::ResourceSchema* s = schemas.find(r.type);
    if (!s) continue;  // an unknown type: the checker of policies names those, templates may be newer
    std::vector<schema::TypeRef> props{{s, "@"}};
    PropertyWalker(tmpl, r, out).walk(r.properties, props, "Properties", 0);
  }
}

}  // namespace polc
