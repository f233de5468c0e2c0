// Findings: emit_report and a policy's findings with their condition clauses (evaluate_policy).
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "engine/base/limits.h"
#include "engine/base/message_text.h"
#include "engine/vm/vm.h"
#include "engine/vm/vm_impl.h"

namespace polc {

void Vm::Impl::emit_report(std::uint16_t site_index, Val message, Val at, Val related) {
  if (site_index >= policy->report_sites.size()) {
    fail("internal", "report site out of range");
    return;
  }
  reporting = false;
  RawFinding f;
  f.site = site_index;
  if (assignment.size() > run_literals)
    f.guard.assign(assignment.begin() + static_cast<long>(run_literals), assignment.end());
  f.outcome = (uncertain || check_unknown) ? Outcome::kUnknown : Outcome::kFail;
  check_unknown = false;
  // Location: a resource, a template node, or the subject.
  Val loc = at;
  // A finding is reported in the subject's template: a location in a linked one is not used.
  if ((loc.kind == VKind::kResource || loc.kind == VKind::kNode) && context_of(loc) != 0)
    loc = Val::null();
  if (loc.kind == VKind::kResource) {
    f.resource = loc.len;
  } else if (loc.kind == VKind::kNode) {
    f.resource = subject;
    f.offset = loc.node->offset;
    f.has_offset = true;
    f.path = path_of(loc.node, subject);
    // A node of another resource (a standalone AWS::EC2::SecurityGroupIngress read through
    // its group): the finding is about that resource, where it is suppressed and fingerprinted;
    // the subject becomes related information.
    if (f.path.empty() && (subject == kNoIndex || loc.node != tmpl->resources()[subject].node)) {
      const std::uint32_t owner = resource_containing(loc.node);
      if (owner != kNoIndex && owner != subject) {
        std::string path = path_of(loc.node, owner);
        if (!path.empty() || loc.node == tmpl->resources()[owner].node) {
          if (subject != kNoIndex) {
            const Resource& s = tmpl->resources()[subject];
            f.related.push_back(
                {s.offset,
                 "reported while checking " + std::string(s.type) + " " + std::string(s.logical_id),
                 tmpl});
          }
          f.resource = owner;
          f.path = std::move(path);
        }
      }
    }
  } else {
    f.resource = subject;
  }
  if (f.resource != kNoIndex && !f.has_offset) {
    f.offset = tmpl->resources()[f.resource].offset;
    f.has_offset = true;
  }
  if (!f.has_offset) {
    f.offset = 0;
    f.has_offset = true;
  }
  // A message interpolates template values, which may be megabytes long (and shared by
  // thousands of YAML aliases): each finding keeps at most kMaxMessageBytes of it.
  Val m = resolve(message);
  if (m.kind == VKind::kString)
    f.message = internal::cut_text(m.str(), kMaxMessageBytes);
  else if (!m.is_null())
    f.message = internal::cut_text(text(m), kMaxMessageBytes);
  else
    f.message = policy->info.title;
  if (!assumed.empty())
    f.message.append(" (assuming ").append(assumed).append("; see --pseudo-parameter)");
  // Related: a list of [location, message] pairs (or of lists of them).
  if (VList* rl = to_list(related, false)) {
    for (std::uint32_t i = 0; i < rl->size; ++i) {
      Val pair = rl->items[i];
      if (pair.kind != VKind::kList || pair.list->size != 2) continue;
      Val where = pair.list->items[0];
      std::uint32_t off = 0;
      const Template* in = contexts[context_of(where)];
      if (where.kind == VKind::kResource)
        off = in->resources()[where.len].offset;
      else if (where.kind == VKind::kNode)
        off = where.node->offset;
      else
        continue;
      f.related.push_back(
          {off, internal::cut_text(text(pair.list->items[1]), kMaxMessageBytes), in});
    }
  }
  // An unknown finding says "maybe" about a place: one per place and evaluation is enough. Both
  // blocks of an `if` whose condition is unknown run, and a ladder of `else if`s would otherwise
  // report the same rule once per rung; the first (the one written first) stands.
  if (f.outcome == Outcome::kUnknown)
    for (const RawFinding& r : raw)
      if (r.resource == f.resource && r.offset == f.offset && r.path == f.path &&
          r.guard == f.guard)
        return;
  if (raw.size() < kMaxFindingsPerTemplate) raw.push_back(std::move(f));
}

static void drop_sam_duplicates(const Template& tmpl, std::vector<Finding>& findings,
                                std::size_t first, const std::vector<std::uint32_t>& resource_of);

namespace {

using Clause = CondClause;

// Simplifies a DNF over condition literals: merges clauses that differ only in the polarity of
// one literal and drops clauses subsumed by others. An empty clause means "always".
std::vector<Clause> simplify(std::vector<Clause> dnf) {
  for (auto& c : dnf) std::sort(c.begin(), c.end());
  // The pairwise merging below is cubic in the clauses: past the bound they stay as explored
  // (still exact, only longer).
  bool changed = dnf.size() <= kMaxSimplifiedClauses;
  while (changed) {
    changed = false;
    for (std::size_t i = 0; i < dnf.size() && !changed; ++i) {
      for (std::size_t j = 0; j < dnf.size() && !changed; ++j) {
        if (i == j) continue;
        const Clause& a = dnf[i];
        const Clause& b = dnf[j];
        // Subsumption: a ⊆ b → drop b.
        if (std::includes(b.begin(), b.end(), a.begin(), a.end())) {
          dnf.erase(dnf.begin() + static_cast<long>(j));
          changed = true;
          break;
        }
        if (a.size() != b.size()) continue;
        std::size_t diff = 0, at = 0;
        for (std::size_t k = 0; k < a.size(); ++k) {
          if (a[k].first != b[k].first) {
            diff = 99;
            break;
          }
          if (a[k].second != b[k].second) {
            ++diff;
            at = k;
          }
        }
        if (diff == 1) {
          Clause merged = a;
          merged.erase(merged.begin() + static_cast<long>(at));
          dnf[i] = merged;
          dnf.erase(dnf.begin() + static_cast<long>(j));
          changed = true;
        }
      }
    }
  }
  std::sort(dnf.begin(), dnf.end());
  return dnf;
}

}  // namespace

void Vm::set_world(const StackWorld* world) { impl_->world = world; }

const std::vector<std::uint32_t>* Vm::Impl::subjects(const CompiledPolicy& policy,
                                                     std::size_t rule, const Template& t) {
  if (set.policies.empty() || &policy < set.policies.data() ||
      &policy >= set.policies.data() + set.policies.size())
    return nullptr;
  if (subjects_tmpl != &t || subjects_serial != t.serial()) index_subjects(t);
  const std::size_t id = rule_base[static_cast<std::size_t>(&policy - set.policies.data())] + rule;
  return id < rule_type.size() ? &subject_hits[rule_type[id]] : nullptr;
}

void Vm::Impl::index_subjects(const Template& t) {
  if (rule_base.empty()) {
    // The set is frozen: its rules are indexed once per Vm.
    for (const CompiledPolicy& p : set.policies) {
      rule_base.push_back(static_cast<std::uint32_t>(rule_type.size()));
      for (const SubjectRule& r : p.subject_rules) {
        const std::string_view type = r.resource_type;
        const auto next = static_cast<std::uint32_t>(exact_types.size() + wildcard_types.size());
        if (type.find('*') == std::string_view::npos) {
          rule_type.push_back(exact_types.try_emplace(type, next).first->second);
          continue;
        }
        auto w = std::find_if(wildcard_types.begin(), wildcard_types.end(),
                              [&](const auto& e) { return e.first == type; });
        if (w == wildcard_types.end()) w = wildcard_types.insert(w, {type, next});
        rule_type.push_back(w->second);
      }
    }
    subject_hits.resize(exact_types.size() + wildcard_types.size());
    type_policies.resize(subject_hits.size());
    for (std::uint32_t i = 0; i < set.policies.size(); ++i) {
      if (set.policies[i].template_chunk >= 0) template_policies.push_back(i);
      for (std::size_t k = 0; k < set.policies[i].subject_rules.size(); ++k) {
        std::vector<std::uint32_t>& ps = type_policies[rule_type[rule_base[i] + k]];
        if (ps.empty() || ps.back() != i) ps.push_back(i);
      }
    }
  }
  // Only the types the previous template had are emptied; `hit_types` lists this one's.
  for (std::uint32_t k : hit_types) subject_hits[k].clear();
  hit_types.clear();
  auto hit = [&](std::uint32_t k, std::uint32_t idx) {
    if (subject_hits[k].empty()) hit_types.push_back(k);
    subject_hits[k].push_back(idx);
  };
  for (std::uint32_t idx = 0; idx < t.resources().size(); ++idx) {
    const std::string_view type = t.resources()[idx].type;
    if (auto it = exact_types.find(type); it != exact_types.end()) hit(it->second, idx);
    for (const auto& [pattern, k] : wildcard_types)
      if (type_matches(pattern, type)) hit(k, idx);
  }
  // The policies to run: those with top-level statements, and those of each type that has a
  // resource here (a template has few types; most of the set's have none).
  policy_runs.assign(set.policies.size(), 0);
  for (std::uint32_t i : template_policies) policy_runs[i] = 1;
  for (std::uint32_t k : hit_types)
    for (std::uint32_t i : type_policies[k]) policy_runs[i] = 1;
  subjects_tmpl = &t;
  subjects_serial = t.serial();
}

void Vm::evaluate_policy(const CompiledPolicy& policy, const Template& tmpl, PolicyOutput& out) {
  Impl& m = *impl_;
  // Most policies have no subject in a given template: one look in the template's subject index
  // says so, before anything is set up (a policy that is not one of the set's always runs).
  const std::vector<CompiledPolicy>& ps = m.set.policies;
  if (!ps.empty() && &policy >= ps.data() && &policy < ps.data() + ps.size()) {
    if (m.subjects_tmpl != &tmpl || m.subjects_serial != tmpl.serial()) m.index_subjects(tmpl);
    if (!m.policy_runs[static_cast<std::size_t>(&policy - ps.data())]) return;
  }
  m.run_policy(policy, tmpl, out);
}

void Vm::Impl::run_policy(const CompiledPolicy& policy, const Template& tmpl, PolicyOutput& out) {
  Impl& m = *this;
  m.memo_begin(tmpl);
  m.tmpl = &tmpl;
  m.contexts.assign(1, &tmpl);
  m.ctx = 0;
  m.link_depth = 0;
  m.policy = &policy;
  const SourceFile& tfile = tmpl.file();
  // The resource of each finding this call adds to `out`: kept on SAM templates only, the only
  // ones with generated resources (drop_sam_duplicates).
  const std::size_t first_finding = out.findings.size();
  const bool sam = tmpl.is_sam();
  std::vector<std::uint32_t> finding_resource;

  // The finding of `rf`, without conditions. Moves the strings out of `rf` when it may.
  auto make_finding = [&](RawFinding& rf, bool any_fail) {
    Finding f;
    f.policy_id = policy.info.id;
    f.policy_name = policy.info.name;
    const ReportSite& site = policy.report_sites[rf.site];
    f.severity = site.has_severity ? site.severity : policy.info.severity;
    f.outcome = any_fail ? Outcome::kFail : Outcome::kUnknown;
    if (rf.resource != kNoIndex) {
      const Resource& r = tmpl.resources()[rf.resource];
      f.resource = std::string(r.logical_id);
      f.construct_path = std::string(r.cdk_path);
    }
    f.property_path = std::move(rf.path);
    f.location = Location::at(tfile, rf.offset);
    f.message = std::move(rf.message);
    f.remediation = policy.info.remediation;
    for (auto& r : rf.related)
      f.related.push_back({Location::at(r.tmpl->file(), r.offset), std::move(r.message)});
    return f;
  };

  struct Leaf {
    Clause assignment;
    std::vector<RawFinding> findings;
  };
  // Kept across subjects so that their storage is reused (most subjects run one leaf).
  std::vector<Leaf> leaves;
  std::vector<Clause> todo;
  auto explore = [&](std::uint32_t chunk_index, std::uint32_t subject) {
    const Chunk& chunk = m.set.chunks[chunk_index];
    leaves.clear();
    todo.clear();
    todo.push_back({});
    bool stopped = false;
    m.condition_work = 0;
    m.condition_steps = 0;
    while (!todo.empty()) {
      Clause a = std::move(todo.back());
      todo.pop_back();
      m.assignment = a;
      m.raw.clear();
      m.stack.clear();
      m.frames.clear();
      m.condition_steps += m.steps;
      m.steps = 0;
      m.work = 0;
      m.memory_base = m.arena.used();
      m.status = VmStatus::kOk;
      m.uncertain = false;
      m.check_unknown = false;
      m.assumed = {};
      m.subject = subject;
      m.decided.clear();
      m.pending.clear();
      m.guard_loops.clear();
      m.memo_calls.clear();
      m.run_literals = a.size();
      m.reporting = false;
      m.error_source = UINT32_MAX;
      bool exists = true;
      if (m.assignment.size() > 0) m.spend_condition_work();  // each forked run counts
      if (subject != kNoIndex && !tmpl.resources()[subject].condition.empty()) {
        int c = m.cond_value(tmpl.resources()[subject].condition);
        if (c == 0) exists = false;
      }
      if (m.status == VmStatus::kOk && exists) {
        m.stack.push_back(subject != kNoIndex ? Val::of_resource(subject) : Val::null());
        m.set_context(0);
        m.execute(chunk, 0);
      }
      if (m.status == VmStatus::kFork) {
        std::string_view c = m.fork_condition;
        Clause f = a, t = a;
        f.emplace_back(c, false);
        t.emplace_back(c, true);
        todo.push_back(std::move(f));
        todo.push_back(std::move(t));
        continue;
      }
      if (m.status == VmStatus::kError) {
        Diagnostic d;
        // A search past its bound (kMaxConditionWork, kMaxConditionSearchSteps) is a fact about
        // the template's conditions, not a broken template or policy: a warning that still makes
        // the run incomplete (exit 4), as the leaf limit was.
        d.severity =
            m.error_code == "condition-work" ? DiagSeverity::kWarning : DiagSeverity::kError;
        d.code = m.error_code;
        d.policy_id = policy.info.id;
        std::string where;
        if (m.error_source < m.set.sources.size()) {
          const SourceFile& ps = *m.set.sources[m.error_source];
          LineCol lc = ps.locate(m.error_offset);
          where = ps.path() + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
        }
        d.message = "policy " + policy.info.name + " could not finish" +
                    (subject != kNoIndex
                         ? " on resource " + std::string(tmpl.resources()[subject].logical_id)
                         : "") +
                    ": " + m.error + (where.empty() ? "" : " (at " + where + ")");
        d.location =
            Location::at(tfile, subject != kNoIndex ? tmpl.resources()[subject].offset : 0);
        out.diagnostics.push_back(std::move(d));
        out.incomplete = true;
        stopped = true;
        break;
      }
      leaves.push_back({std::move(a), std::move(m.raw)});
      m.raw.clear();
    }
    if (stopped && leaves.empty()) return;
    const bool guarded = std::any_of(leaves.begin(), leaves.end(), [](const Leaf& l) {
      return std::any_of(l.findings.begin(), l.findings.end(),
                         [](const RawFinding& rf) { return !rf.guard.empty(); });
    });
    if (leaves.size() == 1 && !stopped && !guarded) {
      // One leaf (no condition forked): every finding stands alone, in the order reported,
      // holds unconditionally and is failed or unknown as the leaf said. The general merge
      // below gives the same; this skips its maps (and their copies of every path).
      for (RawFinding& rf : leaves[0].findings) {
        if (sam) finding_resource.push_back(rf.resource);
        out.findings.push_back(make_finding(rf, rf.outcome == Outcome::kFail));
      }
      return;
    }
    std::vector<Clause> explored;
    if (!stopped && m.model && m.model_tmpl == &tmpl && m.model_serial == tmpl.serial())
      for (const Leaf& l : leaves) explored.push_back(l.assignment);
    // Merge: one finding per (resource, location, path); conditions from the leaves it holds in
    // (with the literals of the guarded loop items it was reported in, if any).
    struct Merged {
      RawFinding* first = nullptr;  // used once, by the finding it gives
      std::vector<Clause> holds;
      std::size_t whole_leaves = 0;  // leaves where it holds without a guard
      std::size_t last_whole = SIZE_MAX;
      bool guarded = false;
      bool any_fail = false;
    };
    // Key: location, report site and the occurrence of that pair within the leaf, so a loop that
    // reports twice at one place gives two findings while leaves still line up. Findings of
    // guarded items count occurrences per guard: one place under several items is one finding
    // holding under any of them, as when the items were forked on.
    using Key = std::tuple<std::uint32_t, std::uint32_t, std::string, std::uint16_t, std::uint32_t>;
    std::map<Key, Merged> merged;
    std::vector<Key> order;
    for (std::size_t li = 0; li < leaves.size(); ++li) {
      std::map<std::tuple<std::uint32_t, std::uint32_t, std::string, std::uint16_t, Clause>,
               std::uint32_t>
          seen;
      for (RawFinding& rf : leaves[li].findings) {
        std::uint32_t occurrence =
            seen[std::make_tuple(rf.resource, rf.offset, rf.path, rf.site, rf.guard)]++;
        auto key = std::make_tuple(rf.resource, rf.offset, rf.path, rf.site, occurrence);
        auto [it, inserted] = merged.try_emplace(key);
        Merged& mg = it->second;
        if (inserted) {
          mg.first = &rf;
          order.push_back(key);
        }
        if (!rf.guard.empty()) {
          mg.guarded = true;
          Clause c = leaves[li].assignment;
          c.insert(c.end(), rf.guard.begin(), rf.guard.end());
          mg.holds.push_back(std::move(c));
        } else if (mg.last_whole != li) {
          mg.last_whole = li;
          ++mg.whole_leaves;
          mg.holds.push_back(leaves[li].assignment);
        }
        if (rf.outcome == Outcome::kFail) mg.any_fail = true;
      }
    }
    for (const auto& key : order) {
      const Merged& mg = merged[key];
      Finding f = make_finding(*mg.first, mg.any_fail);
      if (mg.whole_leaves != leaves.size() || mg.guarded || stopped) {
        std::vector<Clause> dnf;
        bool always = false;
        if (!stopped && m.model && m.model_tmpl == &tmpl && m.model_serial == tmpl.serial()) {
          std::vector<const Clause*> holds;
          for (const Clause& c : mg.holds) holds.push_back(&c);
          dnf = m.model->simplify(explored, holds, always);
        } else {
          dnf = mg.holds;
          dnf = simplify(std::move(dnf));
          always = !stopped &&
                   std::any_of(dnf.begin(), dnf.end(), [](const Clause& c) { return c.empty(); });
        }
        if (!always) {
          for (const Clause& c : dnf) {
            ConditionClause cc;
            for (const auto& [n, v] : c) cc.push_back({std::string(n), v});
            f.conditions.push_back(std::move(cc));
          }
        }
      }
      if (sam) finding_resource.push_back(mg.first->resource);
      out.findings.push_back(std::move(f));
    }
  };

  // Nothing of one subject's evaluation outlives it (findings own their text), so the arena
  // is emptied after each: a template's memory stays that of its largest subject, not the sum.
  auto explore_and_forget = [&](std::uint32_t chunk_index, std::uint32_t subject) {
    explore(chunk_index, subject);
    m.arena.reset();
  };
  for (std::size_t k = 0; k < policy.subject_rules.size(); ++k) {
    const SubjectRule& rule = policy.subject_rules[k];
    if (const std::vector<std::uint32_t>* hits = m.subjects(policy, k, tmpl)) {
      for (std::uint32_t idx : *hits) explore_and_forget(rule.chunk, idx);
      continue;
    }
    bool wildcard = rule.resource_type.find('*') != std::string::npos;
    if (!wildcard) {
      for (std::uint32_t idx : tmpl.resources_of_type(rule.resource_type))
        explore_and_forget(rule.chunk, idx);
    } else {
      for (std::uint32_t idx = 0; idx < tmpl.resources().size(); ++idx)
        if (type_matches(rule.resource_type, tmpl.resources()[idx].type))
          explore_and_forget(rule.chunk, idx);
    }
  }
  if (policy.template_chunk >= 0)
    explore_and_forget(static_cast<std::uint32_t>(policy.template_chunk), kNoIndex);
  m.tmpl = nullptr;
  if (sam) drop_sam_duplicates(tmpl, out.findings, first_finding, finding_resource);
}

/// One problem, one finding: a policy that checks both a SAM resource (`AWS::Serverless::Api`)
/// and what the transform generates from it (its `AWS::ApiGateway::Stage`, a function's role)
/// finds the same problem twice, at the same place (a generated resource is located at its SAM
/// resource, and shares its values). The finding on the generated resource is dropped when the
/// policy reports the SAM resource at the same location; a generated resource's finding the SAM
/// resource's check does not give (a setting from `Globals.Api` on the implicit API, a
/// statement of a policy template) stays.
static void drop_sam_duplicates(const Template& tmpl, std::vector<Finding>& findings,
                                std::size_t first, const std::vector<std::uint32_t>& resource_of) {
  const auto& rs = tmpl.resources();
  auto generated = [&](std::uint32_t i) {
    return i < rs.size() && rs[i].generated_by.starts_with("AWS::Serverless::");
  };
  std::set<std::pair<std::uint32_t, std::uint32_t>> sam;  // (resource offset, finding offset)
  bool any_generated = false;
  for (std::size_t k = 0; k < resource_of.size(); ++k) {
    const std::uint32_t i = resource_of[k];
    if (i >= rs.size()) continue;
    if (generated(i))
      any_generated = true;
    else if (rs[i].type.starts_with("AWS::Serverless::"))
      sam.emplace(rs[i].offset, findings[first + k].location.offset);
  }
  if (sam.empty() || !any_generated) return;
  std::size_t out = first;
  for (std::size_t k = 0; k < resource_of.size(); ++k) {
    const std::uint32_t i = resource_of[k];
    if (generated(i) && sam.count({rs[i].offset, findings[first + k].location.offset})) continue;
    if (out != first + k) findings[out] = std::move(findings[first + k]);
    ++out;
  }
  findings.resize(out);
}

}  // namespace polc
