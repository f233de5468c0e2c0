#include "engine/report/record_json.h"

#include <limits>

namespace polc {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

void write_strings(JsonWriter& w, std::string_view name, const std::vector<std::string>& v) {
  w.key(name);
  w.begin_array();
  for (const std::string& s : v) w.value(s);
  w.end_array();
}

bool fail(std::string& error, std::string_view what) {
  error = std::string(what);
  return false;
}

/// Reads string member `key`; when absent, `required` decides between failure and "".
bool get_string(object o, const char* key, std::string& out, std::string& error,
                bool required = true) {
  element e;
  if (o[key].get(e) != simdjson::SUCCESS) {
    out.clear();
    return !required || fail(error, std::string("missing member '") + key + "'");
  }
  if (e.is_null() && !required) {
    out.clear();
    return true;
  }
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS)
    return fail(error, std::string("member '") + key + "' is not a string");
  out.assign(s);
  return true;
}

bool get_u32(object o, const char* key, std::uint32_t& out, std::string& error,
             bool required = true) {
  element e;
  if (o[key].get(e) != simdjson::SUCCESS) {
    out = 0;
    return !required || fail(error, std::string("missing member '") + key + "'");
  }
  std::uint64_t v = 0;
  if (e.get_uint64().get(v) != simdjson::SUCCESS || v > std::numeric_limits<std::uint32_t>::max())
    return fail(error, std::string("member '") + key + "' is not a 32-bit unsigned integer");
  out = static_cast<std::uint32_t>(v);
  return true;
}

bool get_bool(object o, const char* key, bool& out, std::string& error) {
  if (o[key].get_bool().get(out) != simdjson::SUCCESS)
    return fail(error, std::string("member '") + key + "' is missing or not a boolean");
  return true;
}

bool get_strings(object o, const char* key, std::vector<std::string>& out, std::string& error) {
  out.clear();
  element e;
  if (o[key].get(e) != simdjson::SUCCESS) return true;  // optional
  simdjson::dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS)
    return fail(error, std::string("member '") + key + "' is not an array");
  for (element item : a) {
    std::string_view s;
    if (item.get_string().get(s) != simdjson::SUCCESS)
      return fail(error, std::string("member '") + key + "' holds a non-string");
    out.emplace_back(s);
  }
  return true;
}

bool get_object(element e, object& o, std::string& error, std::string_view what) {
  if (e.get_object().get(o) != simdjson::SUCCESS)
    return fail(error, std::string(what) + " is not a JSON object");
  return true;
}

bool read_location(object o, Location& loc, std::string& error) {
  return get_string(o, "file", loc.file, error) && get_u32(o, "line", loc.line, error) &&
         get_u32(o, "column", loc.column, error) &&
         get_u32(o, "offset", loc.offset, error, false) &&
         get_string(o, "source_line", loc.source_line, error, false);
}

bool read_severity(object o, Severity& s, std::string& error) {
  std::string text;
  if (!get_string(o, "severity", text, error)) return false;
  if (!parse_severity(text, s)) return fail(error, "unknown severity '" + text + "'");
  return true;
}

}  // namespace

void write_policy_record(JsonWriter& w, const PolicyInfo& p) {
  w.begin_object();
  w.member("id", p.id);
  w.member("name", p.name);
  w.member("title", p.title);
  w.member("severity", severity_name(p.severity));
  w.member("description", p.description);
  w.member("remediation", p.remediation);
  w.member("docs_url", p.docs_url);
  write_strings(w, "tags", p.tags);
  write_strings(w, "aliases", p.aliases);
  write_strings(w, "applies_to", p.applies_to);
  w.member("source_file", p.source_file);
  w.end_object();
}

bool read_finding_record(element e, Finding& f, std::string& error) {
  object o;
  if (!get_object(e, o, error, "a finding")) return false;
  std::string outcome;
  if (!get_string(o, "policy_id", f.policy_id, error) ||
      !get_string(o, "policy_name", f.policy_name, error) || !read_severity(o, f.severity, error) ||
      !get_string(o, "outcome", outcome, error) || !get_string(o, "resource", f.resource, error) ||
      !get_string(o, "property_path", f.property_path, error) ||
      !read_location(o, f.location, error) || !get_string(o, "message", f.message, error) ||
      !get_string(o, "remediation", f.remediation, error) ||
      !get_bool(o, "suppressed", f.suppressed, error) ||
      !get_bool(o, "baselined", f.baselined, error) ||
      !get_string(o, "fingerprint", f.fingerprint, error, false) ||
      !get_string(o, "construct_path", f.construct_path, error, false))
    return false;
  if (outcome == "fail") {
    f.outcome = Outcome::kFail;
  } else if (outcome == "unknown") {
    f.outcome = Outcome::kUnknown;
  } else {
    return fail(error, "unknown outcome '" + outcome + "'");
  }
  f.conditions.clear();
  simdjson::dom::array clauses;
  if (o["conditions"].get_array().get(clauses) != simdjson::SUCCESS)
    return fail(error, "member 'conditions' is missing or not an array");
  for (element c : clauses) {
    object terms;
    if (!get_object(c, terms, error, "a condition clause")) return false;
    ConditionClause clause;
    for (auto [name, value] : terms) {
      bool b = false;
      if (value.get_bool().get(b) != simdjson::SUCCESS)
        return fail(error, "a condition value is not a boolean");
      clause.push_back({std::string(name), b});
    }
    f.conditions.push_back(std::move(clause));
  }
  f.deployments.clear();
  simdjson::dom::array deployments;
  if (o["deployments"].get_array().get(deployments) == simdjson::SUCCESS) {
    for (element d : deployments) {
      std::string_view name;
      if (d.get_string().get(name) != simdjson::SUCCESS)
        return fail(error, "a deployment is not a string");
      f.deployments.emplace_back(name);
    }
  }
  f.related.clear();
  simdjson::dom::array related;
  if (o["related"].get_array().get(related) != simdjson::SUCCESS)
    return fail(error, "member 'related' is missing or not an array");
  for (element r : related) {
    object ro;
    RelatedLocation rl;
    if (!get_object(r, ro, error, "a related location") || !read_location(ro, rl.location, error) ||
        !get_string(ro, "message", rl.message, error))
      return false;
    f.related.push_back(std::move(rl));
  }
  f.suppression_reason.clear();
  f.suppression_source.clear();
  if (f.suppressed) {
    object s;
    element se;
    if (o["suppression"].get(se) != simdjson::SUCCESS ||
        !get_object(se, s, error, "member 'suppression'") ||
        !get_string(s, "reason", f.suppression_reason, error) ||
        !get_string(s, "source", f.suppression_source, error))
      return false;
  }
  return true;
}

bool read_diagnostic_record(element e, Diagnostic& d, std::string& error) {
  object o;
  std::string severity;
  if (!get_object(e, o, error, "an error entry") || !read_location(o, d.location, error) ||
      !get_string(o, "severity", severity, error) || !get_string(o, "code", d.code, error) ||
      !get_string(o, "message", d.message, error) ||
      !get_string(o, "policy_id", d.policy_id, error, false))
    return false;
  if (severity == "error") {
    d.severity = DiagSeverity::kError;
  } else if (severity == "warning") {
    d.severity = DiagSeverity::kWarning;
  } else if (severity == "note") {
    d.severity = DiagSeverity::kNote;
  } else {
    return fail(error, "unknown diagnostic severity '" + severity + "'");
  }
  d.notes.clear();
  simdjson::dom::array notes;
  if (o["notes"].get_array().get(notes) != simdjson::SUCCESS)
    return fail(error, "member 'notes' is missing or not an array");
  for (element n : notes) {
    object no;
    DiagNote note;
    if (!get_object(n, no, error, "a note") || !read_location(no, note.location, error) ||
        !get_string(no, "message", note.message, error))
      return false;
    d.notes.push_back(std::move(note));
  }
  return true;
}

bool read_policy_record(element e, PolicyInfo& p, std::string& error) {
  object o;
  return get_object(e, o, error, "a policy") && get_string(o, "id", p.id, error) &&
         get_string(o, "name", p.name, error, false) &&
         get_string(o, "title", p.title, error, false) && read_severity(o, p.severity, error) &&
         get_string(o, "description", p.description, error, false) &&
         get_string(o, "remediation", p.remediation, error, false) &&
         get_string(o, "docs_url", p.docs_url, error, false) &&
         get_strings(o, "tags", p.tags, error) && get_strings(o, "aliases", p.aliases, error) &&
         get_strings(o, "applies_to", p.applies_to, error) &&
         get_string(o, "source_file", p.source_file, error, false);
}

}  // namespace polc
