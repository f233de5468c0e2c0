// `polc test`: runs policies' test files (docs/testing.md).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "cli/commands.h"
#include "dsl/compiler.h"
#include "engine/base/output_file.h"
#include "engine/base/printable.h"
#include "engine/load/loader.h"
#include "engine/load/yaml_parser.h"
#include "engine/model/document.h"
#include "engine/model/dump.h"
#include "engine/scan/discovery.h"
#include "engine/scan/scanner.h"
#include "engine/triage/exit_codes.h"
#include "engine/vm/coverage.h"

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

// The keys a test file, a case and an expectation may have; any other key is an error (a
// misspelt `expects:` must not turn a case into one that checks nothing).
constexpr std::string_view kFileKeys[] = {"policy", "cases", "foreign_suppressions"};
constexpr std::string_view kCaseKeys[] = {"name",          "policy", "template",
                                          "template_file", "input",  "expect",
                                          "expect_none",   "status", "foreign_suppressions"};
constexpr std::string_view kExpectKeys[] = {"resource", "conditions", "outcome", "severity",
                                            "message"};
// `status:` values: what the policy says about the whole input.
constexpr std::string_view kStatuses[] = {"pass", "fail", "unknown", "not_applicable", "skip"};

template <std::size_t N>
bool one_of(std::string_view s, const std::string_view (&list)[N]) {
  for (auto k : list)
    if (k == s) return true;
  return false;
}
template <std::size_t N>
std::string list_text(const std::string_view (&list)[N]) {
  std::string out;
  for (auto k : list) out.append(out.empty() ? "" : ", ").append(k);
  return out;
}

struct Runner {
  const PolicySet& set;
  std::vector<PolicyInfo> known;
  CoverageCounts* coverage = nullptr;  // --coverage
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

  // Names and values from test files and templates: control characters escaped.
  void fail(const std::string& line) { std::cout << printable(line) << "\n"; }

  // Reports every key of map `m` not in `allowed`; false when there was one.
  template <std::size_t N>
  bool known_keys(const SourceFile& tf, const Value* m, const std::string_view (&allowed)[N],
                  std::string_view what) {
    bool ok = true;
    for (const MapEntry& e : m->map()) {
      if (one_of(e.key, allowed)) continue;
      fail(where(tf, e.key_offset) + ": error: unknown key '" + std::string(e.key) + "' in " +
           std::string(what) + " (known keys: " + list_text(allowed) + ")");
      ok = false;
    }
    return ok;
  }

  // Checks the shape of a case before it runs; false (with errors printed) when it is malformed.
  bool validate_case(const SourceFile& tf, const Value* c, const std::string& label) {
    if (c->kind != ValueKind::kMap) {
      fail(where(tf, c->offset) + ": error: a test case must be a map");
      return false;
    }
    bool ok = known_keys(tf, c, kCaseKeys, "a test case");
    const Value* expect = c->get("expect");
    const Value* none = c->get("expect_none");
    const Value* status = c->get("status");
    if (!expect && !none && !status) {
      fail(where(tf, c->offset) + ": error: " + label +
           " says nothing about what it expects: give 'expect' (the findings), 'expect_none' "
           "(resources "
           "not reported) or 'status' (pass, fail, unknown or not_applicable)");
      ok = false;
    }
    if (expect && expect->kind != ValueKind::kList) {
      fail(where(tf, expect->offset) +
           ": error: 'expect' must be a list of findings ([] for none)");
      ok = false;
    }
    for (const Value* e : expect ? expect->list() : std::span<Value* const>()) {
      if (e->kind != ValueKind::kMap) {
        fail(where(tf, e->offset) +
             ": error: an expectation must be a map with 'resource' and optional fields");
        ok = false;
        continue;
      }
      ok &= known_keys(tf, e, kExpectKeys, "an expectation");
      if (const Value* ov = e->get("outcome");
          ov && scalar(ov) != "fail" && scalar(ov) != "unknown") {
        fail(where(tf, ov->offset) + ": error: 'outcome' is fail or unknown");
        ok = false;
      }
      Severity sev;
      if (const Value* sv = e->get("severity"); sv && !parse_severity(scalar(sv), sev)) {
        fail(where(tf, sv->offset) + ": error: 'severity' is critical, high, medium, low or info");
        ok = false;
      }
      if (const Value* cv = e->get("conditions"); cv && cv->kind != ValueKind::kList) {
        fail(where(tf, cv->offset) +
             ": error: 'conditions' is a list of maps {Condition: true|false}");
        ok = false;
      }
    }
    if (none && none->kind != ValueKind::kList) {
      fail(where(tf, none->offset) + ": error: 'expect_none' must be a list of logical IDs");
      ok = false;
    }
    if (status && !one_of(scalar(status), kStatuses)) {
      fail(where(tf, status->offset) +
           ": error: 'status' is pass, fail, unknown or not_applicable (skip)");
      ok = false;
    }
    int sources = (c->get("template") ? 1 : 0) + (c->get("template_file") ? 1 : 0) +
                  (c->get("input") ? 1 : 0);
    if (sources != 1) {
      fail(where(tf, c->offset) + ": error: " + label +
           " needs exactly one of 'template', 'input' or 'template_file'");
      ok = false;
    }
    return ok;
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
    if (!known_keys(tf, doc.root, kFileKeys, "a test file")) broken = true;
    std::string default_policy = scalar(doc.root->get("policy"));
    bool foreign = scalar(doc.root->get("foreign_suppressions")) == "true";
    const Value* cases = doc.root->get("cases");
    if (!cases || cases->kind != ValueKind::kList || cases->size == 0) {
      std::cout << where(tf, cases ? cases->offset : 0)
                << ": error: no 'cases' list (a test file needs at least one case)\n";
      broken = true;
      return;
    }
    for (const Value* c : cases->list()) run_case(path, tf, c, default_policy, foreign);
  }

  // The text of the case's input: `template` (text, or YAML data), `input` (YAML data) or
  // `template_file`. False (with an error printed) when it cannot be read.
  bool case_input(const std::string& path, const Value* c, const std::string& name,
                  std::string& text, std::string& text_name, std::string& error) {
    const Value* t = c->get("template");
    if (!t) t = c->get("input");
    if (t) {
      text = t->kind == ValueKind::kString ? std::string(t->str()) : value_to_json(t);
      text_name = path + "#" + name;
      return true;
    }
    std::string rel = scalar(c->get("template_file"));
    std::string dir = path.substr(0, path.find_last_of('/') + 1);
    text_name = dir + rel;
    if (read_file(text_name, text)) return true;
    error = "cannot read template file " + text_name;
    return false;
  }

  // True when the template has a resource of one of the policy's types (a policy without
  // `applies_to` types runs on every template).
  static bool applies(const CompiledPolicy& p, const Template& t) {
    if (p.info.applies_to.empty()) return true;
    for (const Resource& r : t.resources())
      for (const auto& type : p.info.applies_to)
        if (type_matches(type, r.type)) return true;
    return false;
  }

  void run_case(const std::string& path, const SourceFile& tf, const Value* c,
                const std::string& default_policy, bool foreign) {
    std::string name = c->kind == ValueKind::kMap ? scalar(c->get("name")) : "";
    std::string case_where = where(tf, c->offset);
    std::string label = "case '" + name + "' (" + case_where + ")";
    if (!validate_case(tf, c, label)) {
      ++failed;
      broken = true;
      return;
    }
    std::string policy_sel = c->get("policy") ? scalar(c->get("policy")) : default_policy;
    std::uint32_t index = 0;
    const CompiledPolicy* policy = find_policy(policy_sel, index);
    if (!policy) {
      fail(case_where + ": error: " + label + ": no policy '" + policy_sel + "' among the compiled policies");
      ++failed;
      return;
    }
    if (const Value* fv = c->get("foreign_suppressions")) foreign = scalar(fv) == "true";
    std::string ploc = policy_location(*policy);
    std::string template_text, template_name, error;
    if (!case_input(path, c, name, template_text, template_name, error)) {
      fail(case_where + ": error: " + label + ": " + error);
      ++failed;
      return;
    }
    std::string status = scalar(c->get("status"));
    if (status == "skip") status = "not_applicable";
    const Value* expect = c->get("expect");
    LoadResult lr = load_template_bytes(template_name, template_text);
    if (lr.status == LoadStatus::kError) {
      std::string why = lr.diagnostics.empty() ? "not a template" : lr.diagnostics.items().front().message;
      fail(case_where + ": error: " + label + ": the template does not load: " + why);
      ++failed;
      return;
    }
    // Not applicable: the input is not a template, or has no resource of the policy's types.
    bool applicable = lr.status == LoadStatus::kTemplate && applies(*policy, *lr.tmpl);
    std::vector<Finding> got;
    std::vector<Diagnostic> diagnostics;
    if (lr.status == LoadStatus::kTemplate) {
      Vm vm(set);
      vm.set_coverage(coverage);
      ScanOptions so;
      so.suppressions.foreign = foreign;
      FileOutcome fo = check_template(vm, set, {index}, known, *lr.tmpl, so);
      for (auto& f : fo.findings)
        if (!f.suppressed) got.push_back(std::move(f));
      diagnostics = std::move(fo.diagnostics);
    }
    bool ok = true;
    if (!applicable && (expect || (!status.empty() && status != "not_applicable"))) {
      fail(case_where + ": error: " + label + ": " + policy->info.name + " (" + ploc +
           ") does not apply to " +
           (lr.status == LoadStatus::kTemplate ? "this template (no resource of its types)"
                                               : "this input (not a template)") +
           (status.empty() ? ", but 'expect' says it applies (write 'status: not_applicable' for a "
                             "case where it does not)"
                           : ", but the case expects status " + status));
      ok = false;
    }
    if (!status.empty() && applicable) {
      std::size_t fails = 0, unknowns = 0;
      for (const auto& f : got) (f.outcome == Outcome::kUnknown ? unknowns : fails)++;
      std::string actual = fails ? "fail" : unknowns ? "unknown" : "pass";
      if (actual != status) {
        std::string have;
        for (const auto& f : got) have += (have.empty() ? "" : "; ") + describe(f);
        fail(where(tf, c->get("status")->offset) + ": error: " + label + ": expected status " +
             status + " from " + policy->info.name + " (" + ploc + "), got " + actual +
             (have.empty() ? "" : ": " + have));
        ok = false;
      }
    }
    std::vector<bool> used(got.size(), false);
    if (expect && applicable) {
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
    for (const auto& d : diagnostics)
      if (d.severity == DiagSeverity::kError) {
        fail(case_where + ": error: " + label + ": policy diagnostic: " + d.message);
        ok = false;
      }
    if (ok) ++passed;
    else ++failed;
  }
};

}  // namespace

namespace {

bool is_file(const std::string& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec);
}

// Partners: `X.polc` is tested by `X.tests.yaml` beside it. A test file named on the command line
// brings its policy (the partner, else every policy file in its folder, where the case's policy
// id or name is looked up); a policy file named on the command line brings its test file.
void add_partners(const std::vector<std::string>& args, DiscoveredFiles& files) {
  constexpr std::string_view kTests = ".tests.yaml", kPolicy = ".polc";
  auto add = [](std::vector<std::string>& list, const std::string& p) {
    if (std::find(list.begin(), list.end(), p) == list.end()) list.push_back(p);
  };
  for (const auto& a : args) {
    if (!is_file(a)) continue;
    std::string arg = std::filesystem::path(a).lexically_normal().string();
    if (arg.ends_with(kTests)) {
      std::string partner = arg.substr(0, arg.size() - kTests.size()) + std::string(kPolicy);
      if (is_file(partner)) {
        add(files.policies, partner);
        continue;
      }
      std::filesystem::path dir = std::filesystem::path(arg).parent_path();
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(dir.empty() ? "." : dir, ec))
        if (e.is_regular_file(ec) && e.path().extension() == kPolicy)
          add(files.policies, (dir.empty() ? e.path().filename() : e.path()).string());
    } else if (arg.ends_with(kPolicy)) {
      std::string partner = arg.substr(0, arg.size() - kPolicy.size()) + std::string(kTests);
      if (is_file(partner)) add(files.tests, partner);
    }
  }
  std::sort(files.policies.begin(), files.policies.end());
  std::sort(files.tests.begin(), files.tests.end());
}

}  // namespace

// Prints the coverage table, writes the lcov file; false when the run must fail (a file that
// cannot be written, a figure below the threshold), with the reason printed.
bool report_coverage(const PolicySet& set, const CoverageCounts& counts, const TestArgs& a) {
  // The files the tests target: not the embedded stdlib and pack, which are polc's own.
  auto files = summarize_coverage(
      set, counts, [](std::string_view path) { return !path.starts_with("<builtin>/"); });
  std::cout << "\ncoverage:\n";
  std::istringstream table(coverage_table(files));
  for (std::string line; std::getline(table, line);) std::cout << printable(line) << "\n";
  bool ok = true;
  if (!a.lcov.empty()) {
    std::string error;
    if (write_file_atomically(a.lcov, coverage_lcov(files, "polc"), error)) {
      std::cerr << "polc test: wrote lcov coverage to " << a.lcov << "\n";
    } else {
      std::cerr << "polc test: cannot write " << a.lcov << " (" << error << ")\n";
      ok = false;
    }
  }
  if (a.threshold >= 0) {
    std::size_t lh = 0, lf = 0, bh = 0, bf = 0;
    for (const auto& f : files) {
      lh += f.lines_hit(), lf += f.lines.size(), bh += f.branches_hit(), bf += f.branches.size();
    }
    for (auto [what, pct] :
         {std::pair{"line", coverage_percent(lh, lf)}, {"branch", coverage_percent(bh, bf)}}) {
      if (pct + 1e-9 >= a.threshold) continue;
      char buf[160];
      std::snprintf(
          buf, sizeof buf,
          "polc test: %s coverage %.1f%% is below the threshold of %g%% (--coverage-threshold)\n",
          what, pct, a.threshold);
      std::cerr << buf;
      ok = false;
    }
  }
  return ok;
}

int run_test(const TestArgs& a) {
  const std::vector<std::string>& paths = a.paths;
  std::vector<std::string> args = paths.empty() ? std::vector<std::string>{"."} : paths;
  DiscoveredFiles files = discover_files(args, {});
  for (const auto& e : files.errors) std::cerr << render_diagnostic(e);
  add_partners(args, files);
  if (files.tests.empty()) {
    std::cout << "0 passed, 0 failed\n";
    std::cerr << "polc test: no *.tests.yaml file found under the given paths (a policy X.polc is "
                 "tested by "
                 "X.tests.yaml beside it); no test was run\n";
    return kExitUsageOrPolicyError;
  }
  Diagnostics diags;
  CompileOptions options;
  options.import_roots = files.roots;  // imports stay inside the paths given
  options.lint = true;
  options.strict = a.strict;
  auto set = compile_policy_files(files.policies, false, diags, options);
  for (const auto& d : diags.items()) std::cerr << render_diagnostic(d);
  if (!set) {
    std::cout << "0 passed, 0 failed\n";
    std::cerr << "polc test: the policies have errors; no test was run\n";
    return kExitUsageOrPolicyError;
  }
  set->freeze();
  Runner r{*set, {}};
  const bool coverage = a.coverage || !a.lcov.empty() || a.threshold >= 0;
  std::unique_ptr<CoverageCounts> counts;
  if (coverage) counts = std::make_unique<CoverageCounts>(*set);
  r.coverage = counts.get();
  for (const auto& p : set->policies) r.known.push_back(p.info);
  for (const auto& f : files.tests) r.run_file(f);
  std::cout << r.passed << " passed, " << r.failed << " failed\n";
  const bool coverage_ok = !coverage || report_coverage(*set, *counts, a);
  if (r.passed + r.failed == 0) {
    std::cerr << "polc test: the test files hold no case; no test was run\n";
    return kExitUsageOrPolicyError;
  }
  if (r.broken) return kExitUsageOrPolicyError;
  return r.failed == 0 && coverage_ok ? 0 : 1;
}

}  // namespace polc::cli
