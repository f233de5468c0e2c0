#include "engine/config/config.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <system_error>

#include "engine/base/json_writer.h"
#include "engine/base/limits.h"
#include "engine/load/data_file.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

using internal::scalar_string;

constexpr const char* kKnownKeys =
    "policies, schemas, exclude, exclude_constructs, enable, disable, severity_overrides, "
    "parameters, waivers, "
    "fail_threshold, severity, formats (or outputs), baseline, honor_foreign_suppressions, "
    "inline_suppressions, fail_on_unknown, deployments";

class ConfigParser {
 public:
  ConfigParser(const SourceFile& file, Config& out, Diagnostics& diags)
      : file_(file), out_(out), diags_(diags) {
    base_ = fs::path(file.path()).parent_path();
  }

  bool run(const Value* root);

 private:
  void error(std::uint32_t offset, std::string message) {
    diags_.error("config", Location::at(file_, offset), std::move(message));
    ok_ = false;
  }
  std::string resolve(const std::string& p) const {
    if (base_.empty() || fs::path(p).is_absolute()) return p;
    return (base_ / p).lexically_normal().generic_string();
  }
  bool is_scalar(const Value* v) const {
    return v && v->kind != ValueKind::kList && v->kind != ValueKind::kMap &&
           v->kind != ValueKind::kNull;
  }
  /// A string or a list of strings (a single string counts as a one-element list).
  bool string_list(const MapEntry& e, std::vector<std::string>& out);
  bool severity_value(const MapEntry& e, std::optional<Severity>& out);
  bool bool_value(const MapEntry& e, std::optional<bool>& out);
  void severity_overrides(const MapEntry& e);
  void parameters(const MapEntry& e);
  void waivers(const MapEntry& e);
  void outputs(const MapEntry& e);
  void deployments(const MapEntry& e);
  bool to_constant(const Value* v, Constant& out, std::size_t depth);

  const SourceFile& file_;
  Config& out_;
  Diagnostics& diags_;
  fs::path base_;
  bool ok_ = true;
};

bool ConfigParser::string_list(const MapEntry& e, std::vector<std::string>& out) {
  const Value* v = e.value;
  if (is_scalar(v)) {
    out.push_back(scalar_string(v));
    return true;
  }
  if (!v || v->kind != ValueKind::kList) {
    error(v ? v->offset : e.key_offset, "'" + std::string(e.key) +
                                            "' must be a list of strings, e.g. " +
                                            std::string(e.key) + ": [a, b]");
    return false;
  }
  for (const Value* item : v->list()) {
    if (!is_scalar(item)) {
      error(item ? item->offset : v->offset,
            "'" + std::string(e.key) + "' entries must be strings, not " +
                std::string(kind_name(item ? item->kind : ValueKind::kNull)));
      return false;
    }
    out.push_back(scalar_string(item));
  }
  return true;
}

bool ConfigParser::severity_value(const MapEntry& e, std::optional<Severity>& out) {
  Severity s;
  if (!e.value || e.value->kind != ValueKind::kString || !parse_severity(e.value->str(), s)) {
    error(e.value ? e.value->offset : e.key_offset,
          "'" + std::string(e.key) + "' must be one of critical, high, medium, low, info");
    return false;
  }
  out = s;
  return true;
}

bool ConfigParser::bool_value(const MapEntry& e, std::optional<bool>& out) {
  if (!e.value || e.value->kind != ValueKind::kBool) {
    error(e.value ? e.value->offset : e.key_offset,
          "'" + std::string(e.key) + "' must be true or false");
    return false;
  }
  out = e.value->boolean;
  return true;
}

void ConfigParser::severity_overrides(const MapEntry& e) {
  if (!e.value || e.value->kind != ValueKind::kMap) {
    error(e.value ? e.value->offset : e.key_offset,
          "'severity_overrides' must be a map from policy id or name to severity, e.g. "
          "{POLC-NET-001: critical}");
    return;
  }
  for (const MapEntry& o : e.value->map()) {
    Severity s;
    if (!o.value || o.value->kind != ValueKind::kString || !parse_severity(o.value->str(), s)) {
      error(o.value ? o.value->offset : o.key_offset,
            "severity override for '" + std::string(o.key) +
                "' must be one of critical, high, medium, low, info");
      continue;
    }
    out_.severity_overrides.push_back({std::string(o.key), s, Location::at(file_, o.key_offset)});
  }
}

bool ConfigParser::to_constant(const Value* v, Constant& out, std::size_t depth) {
  if (depth > kMaxNestingDepth) {
    error(v->offset, "parameter value nested deeper than kMaxNestingDepth");
    return false;
  }
  out = Constant{};
  switch (v->kind) {
    case ValueKind::kNull:
      out.kind = VKind::kNull;
      return true;
    case ValueKind::kBool:
      out.kind = VKind::kBool;
      out.boolean = v->boolean;
      return true;
    case ValueKind::kInt:
      out.kind = VKind::kInt;
      out.integer = v->integer;
      return true;
    case ValueKind::kFloat:
      out.kind = VKind::kFloat;
      out.number = v->number;
      return true;
    case ValueKind::kString:
      out.kind = VKind::kString;
      out.text = std::string(v->str());
      return true;
    case ValueKind::kList:
      out.kind = VKind::kList;
      for (const Value* item : v->list()) {
        if (!item) continue;
        out.items.emplace_back();
        if (!to_constant(item, out.items.back(), depth + 1)) return false;
      }
      return true;
    case ValueKind::kMap:
      out.kind = VKind::kMap;
      for (const MapEntry& m : v->map()) {
        if (!m.value) continue;
        out.keys.emplace_back(m.key);
        out.items.emplace_back();
        if (!to_constant(m.value, out.items.back(), depth + 1)) return false;
      }
      return true;
  }
  return false;
}

void ConfigParser::parameters(const MapEntry& e) {
  if (!e.value || e.value->kind != ValueKind::kMap) {
    error(e.value ? e.value->offset : e.key_offset,
          "'parameters' must be a map from policy-name.param to a value, e.g. "
          "{some-policy.max_ports: 3}");
    return;
  }
  for (const MapEntry& p : e.value->map()) {
    if (p.key.find('.') == std::string_view::npos) {
      error(p.key_offset, "parameter '" + std::string(p.key) +
                              "' must be written policy-name.param (see `polc explain POLICY`)");
      continue;
    }
    ConfigParameter cp;
    cp.name = std::string(p.key);
    cp.location = Location::at(file_, p.key_offset);
    if (!p.value || !to_constant(p.value, cp.value, 0)) continue;
    out_.parameters.push_back(std::move(cp));
  }
}

void ConfigParser::waivers(const MapEntry& e) {
  if (is_scalar(e.value)) {
    out_.waiver_files.push_back(resolve(scalar_string(e.value)));
    return;
  }
  if (!e.value || e.value->kind != ValueKind::kList) {
    error(e.value ? e.value->offset : e.key_offset,
          "'waivers' must be the path of a waiver file or a list of waivers");
    return;
  }
  if (!parse_waivers(file_, e.value, out_.waivers, diags_)) ok_ = false;
}

void ConfigParser::outputs(const MapEntry& e) {
  std::vector<std::string> specs;
  if (!string_list(e, specs)) return;
  for (const std::string& s : specs) {
    std::size_t eq = s.find('=');
    if (eq == std::string::npos) {
      out_.outputs.push_back({s, {}});
    } else if (eq == 0 || eq + 1 >= s.size()) {
      error(e.value->offset, "'" + std::string(e.key) +
                                 "' entries are FORMAT or FORMAT=PATH (e.g. sarif=polc.sarif), "
                                 "got '" +
                                 s + "'");
    } else {
      out_.outputs.push_back({s.substr(0, eq), resolve(s.substr(eq + 1))});
    }
  }
}

void ConfigParser::deployments(const MapEntry& e) {
  if (!e.value || e.value->kind != ValueKind::kList) {
    error(e.value ? e.value->offset : e.key_offset,
          "'deployments' must be a list of deployments, e.g. - {name: prod, template: app.yaml, "
          "parameter_files: [prod.json]}");
    return;
  }
  for (const Value* item : e.value->list()) {
    if (!item || item->kind != ValueKind::kMap) {
      error(item ? item->offset : e.value->offset,
            "a deployment must be a map with name and template (or deployment_file)");
      continue;
    }
    DeploymentSpec d;
    d.location = Location::at(file_, item->offset);
    for (const MapEntry& f : item->map()) {
      const std::string_view k = f.key;
      auto scalar = [&](std::string& out) {
        if (!is_scalar(f.value)) {
          error(f.value ? f.value->offset : f.key_offset,
                "'" + std::string(k) + "' of a deployment must be a string");
          return false;
        }
        out = scalar_string(f.value);
        return true;
      };
      std::string text;
      if (k == "name") {
        scalar(d.name);
      } else if (k == "template" || k == "stack") {
        if (scalar(text)) d.template_path = resolve(text);
      } else if (k == "deployment_file") {
        if (scalar(text)) d.deployment_file = resolve(text);
      } else if (k == "parameter_files") {
        std::vector<std::string> list;
        if (string_list(f, list))
          for (auto& p : list) d.parameter_files.push_back(resolve(p));
      } else if (k == "parameters") {
        if (!f.value || f.value->kind != ValueKind::kMap) {
          error(f.value ? f.value->offset : f.key_offset,
                "'parameters' of a deployment must be a map, e.g. {Env: prod}");
          continue;
        }
        for (const MapEntry& pe : f.value->map()) {
          if (!is_scalar(pe.value)) {
            error(pe.value ? pe.value->offset : pe.key_offset,
                  "the value of parameter " + std::string(pe.key) + " must be a scalar");
            continue;
          }
          d.parameters.emplace_back(std::string(pe.key), scalar_string(pe.value));
        }
      } else if (k == "region") {
        scalar(d.region);
      } else if (k == "account") {
        scalar(d.account);
      } else {
        error(f.key_offset, "unknown deployment key '" + std::string(k) +
                                "'; known keys: name, template (or stack), deployment_file, "
                                "parameter_files, parameters, region, account");
      }
    }
    if (d.name.empty()) {
      error(item->offset, "a deployment needs a name (e.g. name: prod)");
      continue;
    }
    if (d.template_path.empty() == d.deployment_file.empty()) {
      error(item->offset, "deployment " + d.name +
                              " needs either template (the template's path) or deployment_file "
                              "(a Git sync deployment file, which names its template)");
      continue;
    }
    for (const DeploymentSpec& o : out_.deployments)
      if (o.name == d.name && o.template_path == d.template_path &&
          o.deployment_file == d.deployment_file) {
        error(item->offset, "deployment " + d.name + " is given twice for the same template");
        d.name.clear();
      }
    if (!d.name.empty()) out_.deployments.push_back(std::move(d));
  }
}

bool ConfigParser::run(const Value* root) {
  out_.path = file_.path();
  if (!root || root->kind == ValueKind::kNull) return true;  // an empty file
  if (root->kind != ValueKind::kMap) {
    error(root->offset,
          "the configuration must be a map of settings (" + std::string(kKnownKeys) + ")");
    return false;
  }
  bool seen_outputs = false;
  for (const MapEntry& e : root->map()) {
    const std::string_view k = e.key;
    if (k == "policies") {
      std::vector<std::string> list;
      if (string_list(e, list))
        for (auto& p : list) out_.policies.push_back(resolve(p));
    } else if (k == "schemas") {
      std::vector<std::string> list;
      if (string_list(e, list))
        for (auto& p : list) out_.schemas.push_back(resolve(p));
    } else if (k == "exclude") {
      string_list(e, out_.exclude);
    } else if (k == "exclude_constructs") {
      string_list(e, out_.exclude_constructs);
    } else if (k == "enable") {
      string_list(e, out_.enable);
    } else if (k == "disable") {
      string_list(e, out_.disable);
    } else if (k == "severity_overrides") {
      severity_overrides(e);
    } else if (k == "parameters") {
      parameters(e);
    } else if (k == "waivers") {
      waivers(e);
    } else if (k == "fail_threshold") {
      severity_value(e, out_.fail_threshold);
    } else if (k == "severity") {
      severity_value(e, out_.severity);
    } else if (k == "formats" || k == "outputs") {
      if (seen_outputs) {
        error(e.key_offset, "'formats' and 'outputs' are the same setting; give only one");
        continue;
      }
      seen_outputs = true;
      outputs(e);
    } else if (k == "baseline") {
      if (!is_scalar(e.value))
        error(e.key_offset, "'baseline' must be the path of a file");
      else
        out_.baseline = resolve(scalar_string(e.value));
    } else if (k == "honor_foreign_suppressions") {
      bool_value(e, out_.honor_foreign_suppressions);
    } else if (k == "inline_suppressions") {
      bool_value(e, out_.inline_suppressions);
    } else if (k == "fail_on_unknown") {
      bool_value(e, out_.fail_on_unknown);
    } else if (k == "deployments") {
      deployments(e);
    } else {
      error(e.key_offset, "unknown configuration key '" + std::string(k) +
                              "'; known keys: " + kKnownKeys + " (see docs/configuration.md)");
    }
  }
  return ok_;
}

std::string yaml_quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);  // a JSON string is a valid YAML double-quoted scalar
  return out;
}

void render_scalar(std::string& out, const Constant& v) {
  switch (v.kind) {
    case VKind::kBool:
      out += v.boolean ? "true" : "false";
      break;
    case VKind::kInt:
      out += std::to_string(v.integer);
      break;
    case VKind::kFloat: {
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, v.number);  // shortest round-trip form
      std::string_view text(buf, static_cast<std::size_t>(r.ptr - buf));
      out += text;
      if (text.find_first_of(".eEn") == std::string_view::npos) out += ".0";
      break;
    }
    case VKind::kString:
      append_json_string(out, v.text);
      break;
    default:
      out += "null";
      break;
  }
}

/// Renders `c` in JSON flow syntax (valid YAML), iteratively.
void render_constant(std::string& out, const Constant& c) {
  struct Frame {
    const Constant* c;
    std::size_t next;
  };
  std::vector<Frame> stack;
  auto open = [&](const Constant& v) {
    if (v.kind != VKind::kList && v.kind != VKind::kMap) {
      render_scalar(out, v);
      return;
    }
    out += v.kind == VKind::kList ? '[' : '{';
    stack.push_back({&v, 0});
  };
  open(c);
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.next >= f.c->items.size()) {
      out += f.c->kind == VKind::kList ? ']' : '}';
      stack.pop_back();
      continue;
    }
    std::size_t i = f.next++;
    if (i > 0) out += ", ";
    if (f.c->kind == VKind::kMap) {
      append_json_string(out, i < f.c->keys.size() ? f.c->keys[i] : std::string());
      out += ": ";
    }
    open(f.c->items[i]);  // may invalidate `f`; not used afterwards
  }
}

void render_list(std::string& out, const char* key, const std::vector<std::string>& items) {
  out += key;
  out += ':';
  if (items.empty()) {
    out += " []\n";
    return;
  }
  out += '\n';
  for (const auto& s : items) out += "  - " + yaml_quoted(s) + "\n";
}

}  // namespace

std::string find_config_file(const std::string& start_dir) {
  fs::path dir = start_dir.empty() ? fs::path(".") : fs::path(start_dir);
  std::error_code ec;
  for (std::size_t depth = 0; depth <= kMaxConfigSearchDepth; ++depth) {
    fs::path candidate = dir / kConfigFileName;
    if (fs::is_regular_file(candidate, ec)) return candidate.lexically_normal().generic_string();
    fs::path here = fs::weakly_canonical(dir, ec);
    if (ec || here == here.parent_path() || here.empty()) break;  // reached the root
    dir = dir / "..";
  }
  return {};
}

bool parse_config(const SourceFile& file, const Value* root, Config& out, Diagnostics& diags) {
  ConfigParser p(file, out, diags);
  return p.run(root);
}

bool load_config(const std::string& path, Config& out, Diagnostics& diags) {
  auto doc = internal::read_data_file(path, kMaxConfigBytes, diags);
  if (!doc) {
    out.path = path;
    return false;
  }
  return parse_config(*doc->file, doc->root, out, diags);
}

bool apply_config_parameters(const std::vector<ConfigParameter>& params,
                             std::vector<GlobalSlot>& globals, Diagnostics& diags) {
  bool ok = true;
  for (const ConfigParameter& p : params) {
    GlobalSlot* slot = nullptr;
    for (GlobalSlot& g : globals)
      if (g.name == p.name) slot = &g;
    if (!slot) {
      std::string known;
      for (const GlobalSlot& g : globals) known += (known.empty() ? "" : ", ") + g.name;
      diags.error("config", p.location,
                  "unknown policy parameter '" + p.name + "'; " +
                      (known.empty() ? std::string("the active policies declare no parameters")
                                     : "known parameters: " + known));
      ok = false;
      continue;
    }
    Constant v = p.value;
    VKind want = slot->value.kind;
    if (want == VKind::kFloat && v.kind == VKind::kInt) {
      v.kind = VKind::kFloat;
      v.number = static_cast<double>(v.integer);
    }
    if (want != VKind::kNull && v.kind != want) {
      std::string have;
      render_constant(have, slot->value);
      diags.error("config", p.location,
                  "parameter '" + p.name + "' expects a value like its default " + have);
      ok = false;
      continue;
    }
    slot->value = std::move(v);
  }
  return ok;
}

Config merge_config(const Config& file, const Config& flags) {
  Config c = file;
  auto list = [](std::vector<std::string>& dst, const std::vector<std::string>& src) {
    if (!src.empty()) dst = src;
  };
  list(c.policies, flags.policies);
  list(c.exclude, flags.exclude);
  list(c.exclude_constructs, flags.exclude_constructs);
  list(c.enable, flags.enable);
  list(c.disable, flags.disable);
  if (!flags.severity_overrides.empty()) c.severity_overrides = flags.severity_overrides;
  if (!flags.parameters.empty()) c.parameters = flags.parameters;
  if (!flags.waiver_files.empty() || !flags.waivers.empty()) {
    c.waiver_files = flags.waiver_files;
    c.waivers = flags.waivers;
  }
  if (flags.severity) c.severity = flags.severity;
  if (flags.fail_threshold) c.fail_threshold = flags.fail_threshold;
  auto stdout_entry = [](const OutputSpec& o) { return o.path.empty(); };
  bool flag_stdout = std::any_of(flags.outputs.begin(), flags.outputs.end(), stdout_entry);
  bool flag_files = !std::all_of(flags.outputs.begin(), flags.outputs.end(), stdout_entry);
  std::vector<OutputSpec> outs;
  for (const OutputSpec& o : (flag_stdout ? flags.outputs : file.outputs))
    if (stdout_entry(o)) outs.push_back(o);
  for (const OutputSpec& o : (flag_files ? flags.outputs : file.outputs))
    if (!stdout_entry(o)) outs.push_back(o);
  c.outputs = std::move(outs);
  if (!flags.baseline.empty()) c.baseline = flags.baseline;
  if (flags.honor_foreign_suppressions)
    c.honor_foreign_suppressions = flags.honor_foreign_suppressions;
  if (flags.inline_suppressions) c.inline_suppressions = flags.inline_suppressions;
  if (flags.fail_on_unknown) c.fail_on_unknown = flags.fail_on_unknown;
  return c;
}

std::string render_config_yaml(const Config& c) {
  std::string out = "# effective polc configuration";
  out += c.path.empty() ? std::string(" (no configuration file)\n") : " (from " + c.path + ")\n";
  render_list(out, "policies", c.policies);
  render_list(out, "schemas", c.schemas);
  render_list(out, "exclude", c.exclude);
  render_list(out, "exclude_constructs", c.exclude_constructs);
  render_list(out, "enable", c.enable);
  render_list(out, "disable", c.disable);
  out += "severity_overrides:";
  out += c.severity_overrides.empty() ? " {}\n" : "\n";
  for (const auto& o : c.severity_overrides)
    out += "  " + yaml_quoted(o.policy) + ": " + std::string(severity_name(o.severity)) + "\n";
  out += "parameters:";
  out += c.parameters.empty() ? " {}\n" : "\n";
  for (const auto& p : c.parameters) {
    out += "  " + yaml_quoted(p.name) + ": ";
    render_constant(out, p.value);
    out += '\n';
  }
  out += "waivers:";
  out += c.waivers.empty() ? " []\n" : "\n";
  for (const Waiver& w : c.waivers) {
    out += "  - rule: " + yaml_quoted(w.rule) + "\n";
    if (!w.path.empty()) out += "    path: " + yaml_quoted(w.path) + "\n";
    if (!w.resource.empty()) out += "    resource: " + yaml_quoted(w.resource) + "\n";
    if (!w.construct.empty()) out += "    construct: " + yaml_quoted(w.construct) + "\n";
    out += "    reason: " + yaml_quoted(w.reason) + "\n";
    if (w.expires) out += "    expires: " + yaml_quoted(format_civil_date(*w.expires)) + "\n";
  }
  auto sev = [](const std::optional<Severity>& s, const char* dflt) {
    return s ? std::string(severity_name(*s)) : std::string(dflt);
  };
  out += "severity: " + sev(c.severity, "low") + "\n";
  out += "fail_threshold: " + sev(c.fail_threshold, sev(c.severity, "low").c_str()) + "\n";
  std::vector<std::string> outs;
  for (const auto& o : c.outputs)
    outs.push_back(o.path.empty() ? o.format : o.format + "=" + o.path);
  if (outs.empty()) outs.push_back("text");
  render_list(out, "formats", outs);
  out += "baseline: " + (c.baseline.empty() ? std::string("null") : yaml_quoted(c.baseline)) + "\n";
  out += "honor_foreign_suppressions: ";
  out += c.honor_foreign_suppressions.value_or(false) ? "true\n" : "false\n";
  out += "inline_suppressions: ";
  out += c.inline_suppressions.value_or(true) ? "true\n" : "false\n";
  out += "fail_on_unknown: ";
  out += c.fail_on_unknown.value_or(true) ? "true\n" : "false\n";
  out += "deployments:";
  out += c.deployments.empty() ? " []\n" : "\n";
  for (const DeploymentSpec& d : c.deployments) {
    out += "  - name: " + yaml_quoted(d.name) + "\n";
    if (!d.deployment_file.empty())
      out += "    deployment_file: " + yaml_quoted(d.deployment_file) + "\n";
    if (!d.template_path.empty()) out += "    template: " + yaml_quoted(d.template_path) + "\n";
    if (!d.parameter_files.empty()) {
      out += "    parameter_files:\n";
      for (const std::string& f : d.parameter_files) out += "      - " + yaml_quoted(f) + "\n";
    }
    if (!d.parameters.empty()) {
      out += "    parameters:\n";
      for (const auto& [k, v] : d.parameters)
        out += "      " + yaml_quoted(k) + ": " + yaml_quoted(v) + "\n";
    }
    if (!d.region.empty()) out += "    region: " + yaml_quoted(d.region) + "\n";
    if (!d.account.empty()) out += "    account: " + yaml_quoted(d.account) + "\n";
  }
  return out;
}

}  // namespace polc
