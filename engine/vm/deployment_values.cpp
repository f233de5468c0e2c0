// The values given for a deployment (`polc check --parameter`, parameter files): read from the
// AWS CLI, CodePipeline and Git sync formats and checked against the template's parameter
// declarations. See engine/vm/condition_model.h, which declares them beside the conditions they
// decide.
#include <re2/re2.h>

#include <charconv>
#include <string>
#include <vector>

#include "engine/base/limits.h"
#include "engine/load/data_file.h"
#include "engine/vm/condition_model.h"

namespace polc {

bool validate_deployment(const Template& tmpl, const DeploymentValues& values,
                         std::vector<Diagnostic>& out) {
  bool ok = true;
  for (const auto& entry : values.values) {
    const auto& key = entry.first;
    const auto& value = entry.second;
    auto oi = values.origin.find(key);
    std::string origin = oi != values.origin.end() ? oi->second : std::string("the command line");
    auto error = [&](std::uint32_t offset, const std::string& why) {
      Diagnostic d;
      d.severity = DiagSeverity::kError;
      d.code = "parameter-value";
      d.location = Location::at(tmpl.file(), offset);
      d.message = "parameter " + key + " = \"" + value + "\" from " + origin +
                  (values.name.empty() ? "" : " (deployment " + values.name + ")") + ": " + why +
                  "; the template is not checked with it";
      out.push_back(std::move(d));
      ok = false;
    };
    std::uint32_t pi = tmpl.find_parameter(key);
    if (pi == kNoIndex) {
      if (!is_pseudo_parameter(key)) error(0, "the template declares no such parameter");
      continue;
    }
    const Parameter& p = tmpl.parameters()[pi];
    const bool list = p.type == "CommaDelimitedList" || p.type.starts_with("List<");
    std::vector<std::string> items;
    if (list) {
      std::size_t start = 0;
      while (true) {
        std::size_t comma = value.find(',', start);
        std::string part =
            value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        while (!part.empty() && part.front() == ' ') part.erase(part.begin());
        while (!part.empty() && part.back() == ' ') part.pop_back();
        items.push_back(part);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else {
      items.push_back(value);
    }
    if (!p.node || p.node->kind != ValueKind::kMap) continue;
    for (const MapEntry& e : p.node->map()) {
      std::string t;
      for (const std::string& item : items) {
        if (e.key == "AllowedValues" && e.value && e.value->kind == ValueKind::kList) {
          bool found = false;
          std::string list_text;
          for (const Value* a : e.value->list()) {
            std::string s2;
            if (!scalar_text(a, s2)) continue;
            found |= s2 == item;
            list_text += (list_text.empty() ? "" : ", ") + s2;
          }
          if (!found)
            error(p.offset, "\"" + item + "\" is not one of its AllowedValues [" + list_text + "]");
        } else if (e.key == "AllowedPattern" && scalar_text(e.value, t)) {
          RE2 re(t, RE2::Quiet);
          if (re.ok() && !RE2::FullMatch(item, re))
            error(p.offset, "\"" + item + "\" does not match its AllowedPattern " + t);
        } else if ((e.key == "MinLength" || e.key == "MaxLength") && scalar_text(e.value, t)) {
          char* end = nullptr;
          long long n = std::strtoll(t.c_str(), &end, 10);
          if (end && *end == 0 &&
              (e.key == "MinLength" ? static_cast<long long>(item.size()) < n
                                    : static_cast<long long>(item.size()) > n))
            error(p.offset, "its length " + std::to_string(item.size()) + " is outside its " +
                                std::string(e.key) + " " + t);
        } else if ((e.key == "MinValue" || e.key == "MaxValue") && scalar_text(e.value, t)) {
          char* end = nullptr;
          double bound = std::strtod(t.c_str(), &end);
          if (!end || *end != 0) continue;
          char* vend = nullptr;
          double v = std::strtod(item.c_str(), &vend);
          if (item.empty() || !vend || *vend != 0)
            error(p.offset,
                  "\"" + item + "\" is not a number (its " + std::string(e.key) + " is " + t + ")");
          else if (e.key == "MinValue" ? v < bound : v > bound)
            error(p.offset, "\"" + item + "\" is outside its " + std::string(e.key) + " " + t);
        }
      }
    }
  }
  return ok;
}

bool read_parameter_file(const std::string& path, DeploymentValues& out, Diagnostics& diags,
                         std::string* template_file) {
  auto doc = internal::read_data_file(path, kMaxParameterFileBytes, diags);
  if (!doc) return false;
  const Value* root = doc->root;
  auto bad = [&](const Value* at, const std::string& why) {
    diags.error("parameter-file", Location::at(*doc->file, at ? at->offset : 0),
                path + ": " + why +
                    " (expected [{\"ParameterKey\": ..., \"ParameterValue\": ...}], "
                    "{\"Parameters\": {...}} or a Git sync deployment file with parameters:)");
    return false;
  };
  auto put = [&](std::string_view key, const Value* v) {
    std::string text;
    if (v && v->kind == ValueKind::kList) {
      for (const Value* x : v->list()) {
        std::string item;
        if (!scalar_text(x, item)) return false;
        text += (text.empty() ? "" : ",") + item;
      }
    } else if (!scalar_text(v, text)) {
      return false;
    }
    out.values[std::string(key)] = text;
    out.origin[std::string(key)] = path;
    return true;
  };
  if (root && root->kind == ValueKind::kList) {
    for (const Value* item : root->list()) {
      const Value *k = nullptr, *v = nullptr;
      for (const MapEntry& e : item->map()) {
        if (e.key == "ParameterKey") k = e.value;
        if (e.key == "ParameterValue") v = e.value;
      }
      if (!k || k->kind != ValueKind::kString || !v)
        return bad(item, "an item without ParameterKey and ParameterValue");
      if (!put(k->str(), v)) return bad(v, "ParameterValue is not a scalar");
    }
    return true;
  }
  if (root && root->kind == ValueKind::kMap) {
    if (template_file)
      for (const MapEntry& e : root->map())
        if (e.key == "template-file-path" && e.value && e.value->kind == ValueKind::kString)
          *template_file = std::string(e.value->str());
    for (const MapEntry& e : root->map()) {
      if ((e.key == "Parameters" || e.key == "parameters") && e.value &&
          e.value->kind == ValueKind::kMap) {
        for (const MapEntry& pe : e.value->map())
          if (!put(pe.key, pe.value))
            return bad(pe.value, "the value of " + std::string(pe.key) + " is not a scalar");
        return true;
      }
    }
    // A Git sync deployment file may name its template and no parameters.
    if (template_file && !template_file->empty()) return true;
  }
  return bad(root, "no parameter values found");
}

}  // namespace polc
