// `polc test`: runs policies' test files (docs/testing.md).
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "cli/commands.h"
#include "dsl/compiler.h"
#include "engine/load/loader.h"
#include "engine/load/yaml_parser.h"
#include "engine/model/document.h"
#include "engine/scan/discovery.h"
#include "engine/scan/scanner.h"
#include "engine/triage/exit_codes.h"

namespace polc::cli {
namespace {

std::string scalar(const Value* v) {
  if (!v) return {};
  switch (v->kind) {
    case ValueKind::kString: return std::string(v->str());
    case ValueKind::kInt: return std::to_string(v->integer);
    case ValueKind::kBool: return v->boolean ? "true" : "false";
    default: return {};
  }
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

std::string where(const SourceFile& f, std::uint32_t offset) {
  LineCol lc = f.locate(offset);
  return f.path() + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

// Condition clauses of an expectation, as sorted "name=value" lists.
std::set<std::set<std::string>> expected_conditions(const Value* v) {
  std::set<std::set<std::string>> out;
  for (const Value* clause : v->list()) {
    std::set<std::string> c;
    for (const MapEntry& e : clause->map()) c.insert(std::string(e.key) + "=" + scalar(e.value));
    out.insert(c);
  }
  return out;
}

std::set<std::set<std::string>> finding_conditions(const Finding& f) {
  std::set<std::set<std::string>> out;
  for (const auto& clause : f.conditions) {
    std::set<std::string> c;
    for (const auto& t : clause) c.insert(t.name + "=" + (t.value ? "true" : "false"));
    out.insert(c);
  }
  return out;
}

std::string describe(const Finding& f) {
  std::string s = f.resource.empty() ? "(template)" : f.resource;
  s.append(" [").append(severity_name(f.severity));
  if (f.outcome == Outcome::kUnknown) s.append(", unknown");
  s.append("]");
  if (!f.conditions.empty()) s.append(" ").append(describe_conditions(f.conditions));
  return s;
}

struct Runner {
  const PolicySet& set;
  std::vector<PolicyInfo> known;
  std::size_t passed = 0, failed = 0;
  bool broken = false;

  const CompiledPolicy* find_policy(const std::string& sel, std::uint32_t& index) {
    for (std::uint32_t i = 0; i < set.policies.size(); ++i)
      if (set.policies[i].info.id == sel || set.policies[i].info.name == sel) {
        index = i;
        return &set.policies[i];
      }
    return nullptr;
  }

  std::string policy_location(const CompiledPolicy& p) {
    return p.source < set.sources.size() ? set.sources[p.source]->path() : p.info.source_file;
  }

  void run_file(const std::string& path) {
    std::string text;
    if (!read_file(path, text)) {
      std::cout << path << ": error: cannot read the test file\n";
      broken = true;
      return;
    }
    Document doc(std::make_unique<SourceFile>(path, std::move(text)));
    Diagnostics diags;
    if (!parse_yaml(doc, diags) || !doc.root || doc.root->kind != ValueKind::kMap) {
      for (const auto& d : diags.items()) std::cout << render_diagnostic(d);
      std::cout << path << ": error: not a polc test file (expected a map with 'cases')\n";
      broken = true;
      return;
    }
    const SourceFile& tf = *doc.file;
    std::string default_policy = scalar(doc.root->get("policy"));
    const Value* cases = doc.root->get("cases");
    if (!cases || cases->kind != ValueKind::kList) {
      std::cout << path << ": error: no 'cases' list\n";
      broken = true;
      return;
    }
    for (const Value* c : cases->list()) run_case(path, tf, c, default_policy);
  }

  void fail(const std::string& line) {
    std::cout << line << "\n";
  }

  void run_case(const std::string& path, const SourceFile& tf, const Value* c, const std::string& default_policy) {
    std::string name = scalar(c->get("name"));
    std::string case_where = where(tf, c->offset);
    std::string label = "case '" + name + "' (" + case_where + ")";
    std::string policy_sel = c->get("policy") ? scalar(c->get("policy")) : default_policy;
    std::uint32_t index = 0;
    const CompiledPolicy* policy = find_policy(policy_sel, index);
    if (!policy) {
      fail(case_where + ": error: " + label + ": no policy '" + policy_sel + "' among the compiled policies");
      ++failed;
      return;
    }
    std::string ploc = policy_location(*policy);
    std::string template_text, template_name;
    if (const Value* t = c->get("template")) {
      template_text = scalar(t);
      template_name = path + "#" + name;
    } else if (const Value* tfile = c->get("template_file")) {
      std::string rel = scalar(tfile);
      std::string dir = path.substr(0, path.find_last_of('/') + 1);
      template_name = dir + rel;
      if (!read_file(template_name, template_text)) {
        fail(case_where + ": error: " + label + ": cannot read template file " + template_name);
        ++failed;
        return;
      }
    } else {
      fail(case_where + ": error: " + label + ": needs 'template' or 'template_file'");
      ++failed;
      return;
    }
    LoadResult lr = load_template_bytes(template_name, template_text);
    if (lr.status != LoadStatus::kTemplate) {
      std::string why = lr.diagnostics.empty() ? "not a template" : lr.diagnostics.items().front().message;
      fail(case_where + ": error: " + label + ": the template does not load: " + why);
      ++failed;
      return;
    }
    Vm vm(set);
    ScanOptions so;
    FileOutcome fo = check_template(vm, set, {index}, known, *lr.tmpl, so);
    std::vector<Finding> got;
    for (auto& f : fo.findings)
      if (!f.suppressed) got.push_back(std::move(f));
    std::vector<bool> used(got.size(), false);
    bool ok = true;
    const Value* expect = c->get("expect");
    if (expect) {
      for (const Value* e : expect->list()) {
        std::string res = scalar(e->get("resource"));
        bool matched = false;
        for (std::size_t i = 0; i < got.size() && !matched; ++i) {
          if (used[i] || got[i].resource != res) continue;
          const Finding& f = got[i];
          if (const Value* cv = e->get("conditions"); cv && expected_conditions(cv) != finding_conditions(f)) continue;
          if (const Value* ov = e->get("outcome");
              ov && scalar(ov) != (f.outcome == Outcome::kUnknown ? "unknown" : "fail"))
            continue;
          if (const Value* sv = e->get("severity"); sv && scalar(sv) != severity_name(f.severity)) continue;
          if (const Value* mv = e->get("message"); mv && f.message.find(scalar(mv)) == std::string::npos) continue;
          used[i] = true;
          matched = true;
        }
        if (!matched) {
          std::string have;
          for (std::size_t i = 0; i < got.size(); ++i)
            if (got[i].resource == res) have += (have.empty() ? "" : "; ") + describe(got[i]);
          fail(where(tf, e->offset) + ": error: " + label + ": expected a finding of " + policy->info.name + " (" + ploc +
               ") on " + res + (have.empty() ? ", got none" : ", got: " + have));
          ok = false;
        }
      }
      for (std::size_t i = 0; i < got.size(); ++i) {
        if (used[i]) continue;
        fail(where(tf, expect->offset) + ": error: " + label + ": unexpected finding of " + policy->info.name + " (" + ploc +
             ") on " + describe(got[i]) + ": " + got[i].message);
        ok = false;
      }
    }
    if (const Value* none = c->get("expect_none")) {
      for (const Value* r : none->list()) {
        std::string res = scalar(r);
        for (const auto& f : got)
          if (f.resource == res) {
            fail(where(tf, r->offset) + ": error: " + label + ": " + policy->info.name + " (" + ploc +
                 ") must not report " + res + ", but did: " + f.message);
            ok = false;
          }
      }
    }
    for (const auto& d : fo.diagnostics)
      if (d.severity == DiagSeverity::kError) {
        fail(case_where + ": error: " + label + ": policy diagnostic: " + d.message);
        ok = false;
      }
    if (ok) ++passed;
    else ++failed;
  }
};

}  // namespace

int run_test(const std::vector<std::string>& paths) {
  DiscoveredFiles files = discover_files(paths.empty() ? std::vector<std::string>{"."} : paths, {});
  for (const auto& e : files.errors) std::cerr << render_diagnostic(e);
  Diagnostics diags;
  auto set = compile_policy_files(files.policies, false, diags);
  for (const auto& d : diags.items()) std::cerr << render_diagnostic(d);
  if (!set) {
    std::cout << "0 passed, 0 failed\n";
    std::cerr << "polc test: the policies have errors; no test was run\n";
    return kExitUsageOrPolicyError;
  }
  set->freeze();
  Runner r{*set, {}};
  for (const auto& p : set->policies) r.known.push_back(p.info);
  for (const auto& f : files.tests) r.run_file(f);
  if (files.tests.empty()) std::cerr << "polc test: no *.tests.yaml files found\n";
  std::cout << r.passed << " passed, " << r.failed << " failed\n";
  if (r.broken) return kExitUsageOrPolicyError;
  return r.failed == 0 ? 0 : 1;
}

}  // namespace polc::cli
