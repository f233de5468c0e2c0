// polc explain ID|NAME [PATH...]: a policy's documentation, parameters and source, found among
// the paths, `.polc.yaml`'s policies and the built-in pack.
// polc explain TYPE: a resource type's properties, attributes and nested property types
// (engine/schema/schema.h).
#include "cli/commands.h"

#include <algorithm>
#include <iostream>
#include <sstream>

#include "dsl/compiler.h"
#include "dsl/module.h"
#include "engine/base/printable.h"
#include "engine/config/config.h"
#include "engine/scan/discovery.h"
#include "engine/schema/schema.h"
#include "engine/triage/exit_codes.h"

namespace polc::cli {

namespace {

// `polc explain AWS::S3::Bucket`: the type's properties, attributes and nested types.
int explain_type(const std::string& type, const std::string& config_path, bool no_config) {
  Diagnostics diags;
  schema::SchemaSet overlays;
  std::string cfg_path = config_path;
  if (cfg_path.empty() && !no_config) cfg_path = find_config_file(".");
  Config cfg;
  if (!cfg_path.empty() && load_config(cfg_path, cfg, diags))
    for (const std::string& dir : cfg.schemas) overlays.add_overlay_dir(dir, diags);
  print_diagnostics(diags.items(), use_color(false, 2));
  if (diags.has_errors()) return kExitUsageOrPolicyError;
  const schema::ResourceSchema* s = overlays.find(type);
  if (!s) {
    if (overlays.is_open(type)) {
      std::cout << type << " is an open type (custom resource, third-party or module type): polc knows no schema "
                   "for it and checks nothing about it. Add one with `schemas:` in .polc.yaml.\n";
      return 0;
    }
    auto names = overlays.type_names();
    std::string_view near = schema::did_you_mean(type, names);
    std::cerr << "polc: unknown resource type '" << type << "'";
    if (!near.empty()) std::cerr << "; did you mean '" << near << "'?";
    std::cerr << "\n";
    return kExitUsageOrPolicyError;
  }
  auto print_fields = [](const std::vector<schema::Field>& fields, const char* indent) {
    std::size_t w = 0;
    for (const auto& f : fields) w = std::max(w, f.name.size());
    for (const auto& f : fields) {
      std::cout << indent << f.name << std::string(w + 2 - f.name.size(), ' ') << schema::describe_type(f.type);
      if (f.required) std::cout << "  (required)";
      if (f.deprecated) std::cout << "  (deprecated)";
      if (f.read_only) std::cout << "  (read-only)";
      std::cout << "\n";
    }
  };
  std::cout << s->name() << "\n";
  if (std::string url = schema::reference_url(type); !url.empty()) std::cout << "Reference: " << url << "\n";
  std::cout << "Schema: " << overlays.source() << "\n\nProperties:\n";
  print_fields(s->properties(), "  ");
  auto attrs = s->attributes();
  if (!attrs.empty()) {
    std::cout << "\nAttributes (Fn::GetAtt):\n";
    print_fields(attrs, "  ");
  }
  // Nested property types, in the order the properties first use them.
  std::vector<std::string> pending, seen;
  auto collect = [&](std::string_view t) {
    for (std::size_t p = t.find('@'); p != std::string_view::npos; p = t.find('@', p + 1)) {
      std::size_t e = t.find_first_of("]}|", p);
      std::string name(t.substr(p + 1, e == std::string_view::npos ? std::string_view::npos : e - p - 1));
      if (!name.empty() && std::find(seen.begin(), seen.end(), name) == seen.end()) {
        seen.push_back(name);
        pending.push_back(name);
      }
    }
  };
  for (const auto& f : s->properties()) collect(f.type);
  for (std::size_t i = 0; i < pending.size(); ++i) {
    auto fields = s->definition(pending[i]);
    if (i == 0) std::cout << "\nProperty types:\n";
    std::cout << "  " << pending[i] << "\n";
    print_fields(fields, "    ");
    for (const auto& f : fields) collect(f.type);
  }
  return 0;
}

}  // namespace

int run_explain(const std::string& name, const std::vector<std::string>& policy_paths,
                const std::string& config_path, bool no_config) {
  if (name.find("::") != std::string::npos) return explain_type(name, config_path, no_config);
  // Where a user's policies are: the paths given, and `policies` of .polc.yaml (or --config).
  std::vector<std::string> paths = policy_paths;
  Config cfg;
  std::string cfg_file = config_path;
  if (cfg_file.empty() && !no_config) cfg_file = find_config_file(".");
  if (!cfg_file.empty()) {
    Diagnostics cd;
    if (!load_config(cfg_file, cfg, cd)) {
      print_diagnostics(cd.items(), use_color(false, 2));
      std::cerr << "polc: the configuration " << cfg_file
                << " has errors; run with --no-config to ignore it\n";
      return kExitUsageOrPolicyError;
    }
    paths.insert(paths.end(), cfg.policies.begin(), cfg.policies.end());
  }
  // The user's policies are compiled apart from the built-in pack, so a checkout of the pack's
  // own sources (same ids) is no conflict; they are searched first.
  Diagnostics diags;
  DiscoveredFiles found = discover_files(paths, {});
  for (const auto& e : found.errors) diags.add(e);
  std::vector<std::unique_ptr<PolicySet>> sets;
  if (!found.policies.empty()) {
    CompileOptions options;
    options.import_roots = found.roots;  // imports stay inside the paths given
    auto user = compile_policy_files(found.policies, false, diags, options);
    if (!user) {
      print_diagnostics(diags.items(), use_color(false, 2));
      return kExitUsageOrPolicyError;
    }
    sets.push_back(std::move(user));
  }
  {
    ModuleSet modules;
    modules.load_builtin_pack(diags);
    auto builtin = compile_modules(modules, diags);
    if (builtin) sets.push_back(std::move(builtin));
  }
  print_diagnostics(diags.items(), use_color(false, 2));
  for (const auto& set : sets) {
    for (const auto& p : set->policies) {
      if (p.info.id != name && p.info.name != name) continue;
      const PolicyInfo& i = p.info;
      // Policy text may come from a scanned repository: control characters are escaped
      // (engine/base/printable.h).
      std::ostringstream o;
      o << i.id << "  " << i.name << "  (" << severity_name(i.severity) << ")\n\n"
                << i.title << "\n\n";
      if (!i.description.empty()) o << i.description << "\n\n";
      if (!i.remediation.empty()) o << "Remediation:\n" << i.remediation << "\n\n";
      if (!i.docs_url.empty()) o << "Docs: " << i.docs_url << "\n";
      if (!i.applies_to.empty()) {
        o << "Applies to:";
        for (const auto& t : i.applies_to) o << " " << t;
        o << "\n";
      }
      if (!i.aliases.empty()) {
        o << "Aliases:";
        for (const auto& t : i.aliases) o << " " << t;
        o << "\n";
      }
      auto params = policy_parameters(*set, i);
      if (!params.empty()) {
        o << "Parameters (set in .polc.yaml as parameters: {" << i.name
                  << ".NAME: VALUE}):\n";
        for (const auto& [pname, value] : params) {
          o << "  " << pname << " = " << value;
          for (const ConfigParameter& cp : cfg.parameters)
            if (cp.name == i.name + "." + pname)
              o << "  (" << cfg_file << " sets " << constant_text(cp.value) << ")";
          o << "\n";
        }
      }
      if (p.source < set->sources.size())
        o << "\nSource (" << set->sources[p.source]->path() << "):\n\n"
                  << set->sources[p.source]->text();
      std::cout << printable_lines(o.str());
      return 0;
    }
  }
  std::cerr << "polc: no policy with id or name '" << name << "' in the built-in pack"
            << (found.policies.empty() ? "" : " or the policies given")
            << (cfg_file.empty() ? "" : " or " + cfg_file + "'s policies") << "\n";
  return kExitUsageOrPolicyError;
}

}  // namespace polc::cli
