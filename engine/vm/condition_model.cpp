// The condition solver: named conditions as BuDDy diagrams over parameter domains. See
// engine/condition_model.h.
#include "engine/vm/condition_model.h"

#include <bdd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "engine/base/limits.h"

namespace polc {

namespace {

// BuDDy has one global node table: every call holds this mutex.
std::mutex& solver_mutex() {
  static std::mutex m;
  return m;
}
bool g_solver_error = false;  // set by BuDDy's error hook, read and cleared under the mutex

void on_solver_error(int) { g_solver_error = true; }

// BuDDy's first node table (entries of 20 bytes; it grows up to kMaxConditionBddNodes) and the
// first size of its six operation caches (entries of 24 bytes: 1.4 MB in all). BuDDy writes every
// entry when it sets them up, so their size is paid at the first template with conditions, under
// the mutex: 100,000-entry caches (14 MB) cost every run about 10 ms of page faults while the
// corpus's largest model makes 3,200 nodes.
constexpr int kSolverInitialNodes = 100'000;
constexpr int kSolverInitialCacheEntries = 10'000;
// Nodes one model may make before the caches grow to the node table's size (100,000 entries, and
// with the table after that). Caches of 10,000 entries made the evaluation of case 22's shape grow
// faster than G x P: at 50x10 (26,000 nodes), 28% of the run was BuDDy recomputing results its
// cache had lost (bench/RESULTS.md, `BM_ConditionsGxP`).
constexpr int kSolverBusyNodes = 8'000;
bool g_caches_grown = false;  // under the mutex

void ensure_solver() {
  static bool started = false;
  if (started) return;
  started = true;
  bdd_init(kSolverInitialNodes, kSolverInitialCacheEntries);
  bdd_setmaxnodenum(kMaxConditionBddNodes);
  bdd_setmaxincrease(1'000'000);
  bdd_error_hook(on_solver_error);
  bdd_gbc_hook(nullptr);  // silent garbage collections
  bdd_resize_hook(nullptr);
}

std::string_view single_key(const Value* v) {
  return v && v->kind == ValueKind::kMap && v->size == 1 ? v->entries[0].key : std::string_view();
}

// A canonical text of a template expression (free atoms are keyed by it).
void canon(const Value* v, std::string& out, int depth = 0) {
  if (!v || depth > 64) {
    out += "null";
    return;
  }
  std::string t;
  switch (v->kind) {
    case ValueKind::kList:
      out += '[';
      for (const Value* x : v->list()) {
        canon(x, out, depth + 1);
        out += ',';
      }
      out += ']';
      return;
    case ValueKind::kMap:
      out += '{';
      for (const MapEntry& e : v->map()) {
        out.append(e.key).append(":");
        canon(e.value, out, depth + 1);
        out += ',';
      }
      out += '}';
      return;
    default:
      if (scalar_text(v, t)) {
        out += '"';
        out += t;
        out += '"';
      } else {
        out += "null";
      }
  }
}

}  // namespace

bool scalar_text(const Value* v, std::string& out) {
  if (!v) return false;
  switch (v->kind) {
    case ValueKind::kString:
      out.assign(v->str());
      return true;
    case ValueKind::kBool:
      out = v->boolean ? "true" : "false";
      return true;
    case ValueKind::kInt:
      out = std::to_string(v->integer);
      return true;
    case ValueKind::kFloat: {
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, v->number);
      out.assign(buf, r.ptr);
      return true;
    }
    default:
      return false;
  }
}

struct ConditionModel::Impl {
  explicit Impl(const Template& tm) : t(tm) {}

  struct Domain {
    std::vector<std::string> values;  // index = value number
    bool other = true;                // one more value: "anything else"
    int first_var = 0;
    int bits = 0;
    std::size_t size() const { return values.size() + (other ? 1 : 0); }
    // `values` is sorted (init): a binary search, so that a parameter compared with thousands
    // of constants (account allow-lists) costs a logarithm per comparison, not their number.
    int index_of(std::string_view v) const {
      auto it = std::lower_bound(values.begin(), values.end(), v,
                                 [](const std::string& a, std::string_view b) { return a < b; });
      if (it != values.end() && *it == v) return static_cast<int>(it - values.begin());
      return other ? static_cast<int>(values.size()) : -1;
    }
  };

  const Template& t;
  std::map<std::string, Domain, std::less<>> params;
  std::map<std::string, int, std::less<>> atoms;  // free atom text -> variable
  std::unordered_map<std::string_view, bdd> conds;
  // Conditions of the model's own (`any_of`): name -> the disjuncts it stands for.
  std::deque<std::string> synth_names;
  std::map<std::string_view, std::vector<CondClause>> synth;
  std::set<std::string_view> visiting;
  std::set<std::string_view> collected;  // pass 1: conditions already walked
  int nvars = 0;
  bool collecting = false;
  bdd constraint = bddtrue;
  // `simplify`'s one-name forms when every feasible combination was explored: the root of
  // (C and constraint), and of (not C and constraint), of each condition C, template
  // conditions first in declaration order, then the model's own as `any_of` makes them; the
  // first of a root wins. Built on first use; the diagrams are kept so the roots stay theirs.
  std::unordered_map<int, std::pair<std::string_view, bool>> one_name;
  std::vector<bdd> one_name_keep;
  bool one_name_built = false;
  void index_one_name(std::string_view name) {
    const bdd b = cond(name);
    for (bool v : {true, false}) {
      bdd k = (v ? b : !b) & constraint;
      one_name.emplace(k.id(), std::make_pair(name, v));
      one_name_keep.push_back(std::move(k));
    }
  }
  // The union of the last `explored` given to `simplify` (one per search, many findings).
  std::vector<CondClause> last_explored;
  bdd last_u = bddfalse;
  CondClause cur;
  bdd cur_bdd = bddtrue;
  // `parameter`'s answers under `cur_bdd`, by domain: how many values are possible (-1: not
  // asked yet) and the last one, and whether each asked value is.
  struct ParamAnswers {
    int possible = -1, last = -1;
    std::unordered_map<int, bool> allowed;
  };
  std::unordered_map<const Domain*, ParamAnswers> param_answers;
  bool cur_set = false;
  bool failed = false;
  int nodes_at_start = 0;  // BuDDy's count of nodes in use when the model was made

  // Under the mutex, after each use: a model that has made kSolverBusyNodes nodes is a large
  // problem, and the caches grow for it and every later one.
  void note_load() {
    if (!g_caches_grown && bdd_getnodenum() - nodes_at_start > kSolverBusyNodes) {
      g_caches_grown = true;
      bdd_setcacheratio(1);
    }
  }

  // ---- terms of Fn::Equals
  enum class TermKind { kConst, kParam, kOpaque };
  TermKind term(const Value* x, std::string& text) {
    if (scalar_text(x, text)) return TermKind::kConst;
    if (single_key(x) == "Ref" && x->entries[0].value &&
        x->entries[0].value->kind == ValueKind::kString) {
      std::string_view target = x->entries[0].value->str();
      if (const DeploymentValues* d = t.deployment()) {
        auto it = d->values.find(target);
        if (it != d->values.end()) {
          text = it->second;
          return TermKind::kConst;
        }
      }
      if (target != "AWS::NoValue" &&
          (t.find_parameter(target) != kNoIndex || is_pseudo_parameter(target))) {
        text.assign(target);
        return TermKind::kParam;
      }
    }
    return TermKind::kOpaque;
  }

  bdd var(int i) {
    if (bdd_varnum() <= i) bdd_setvarnum(std::max(i + 1, bdd_varnum() * 2));
    return bdd_ithvar(i);
  }
  bdd value_is(const Domain& d, int k) {
    bdd r = bddtrue;
    for (int b = 0; b < d.bits; ++b) r &= ((k >> b) & 1) ? var(d.first_var + b) : !var(d.first_var + b);
    return r;
  }
  bdd atom(const std::string& key) {
    if (collecting) return bddtrue;
    auto [it, inserted] = atoms.try_emplace(key, nvars);
    if (inserted) ++nvars;
    return var(it->second);
  }

  bdd equals(const Value* args) {
    if (!args || args->kind != ValueKind::kList || args->size != 2) {
      std::string k = "Fn::Equals";
      canon(args, k);
      return atom(k);
    }
    std::string ta, tb;
    TermKind ka = term(args->items[0], ta), kb = term(args->items[1], tb);
    if (ka == TermKind::kConst && kb == TermKind::kConst) return ta == tb ? bddtrue : bddfalse;
    if (ka == TermKind::kParam && kb == TermKind::kParam && ta == tb) return bddtrue;
    if (ka == TermKind::kConst && kb == TermKind::kParam) {
      std::swap(ka, kb);
      std::swap(ta, tb);
    }
    if (ka == TermKind::kParam && kb == TermKind::kConst) {
      if (collecting) {
        params[ta].values.push_back(tb);
        return bddtrue;
      }
      const Domain& d = params.find(ta)->second;
      int k = d.index_of(tb);
      if (k < 0 || k >= static_cast<int>(d.values.size())) return bddfalse;  // outside the domain
      return value_is(d, k);
    }
    // Undecidable: a free atom per distinct expression (sides in a canonical order).
    std::string a, b;
    canon(args->items[0], a);
    canon(args->items[1], b);
    if (b < a) std::swap(a, b);
    return atom("Fn::Equals:" + a + "=" + b);
  }

  bdd build(const Value* e, int depth) {
    if (depth > 64) {
      std::string k = "deep:";
      canon(e, k);
      return atom(k);
    }
    std::string_view k = single_key(e);
    const Value* args = k.empty() ? nullptr : e->entries[0].value;
    if (k == "Condition" && args && args->kind == ValueKind::kString) return cond(args->str(), depth + 1);
    if ((k == "Fn::Not" || k == "Fn::And" || k == "Fn::Or") && args &&
        args->kind == ValueKind::kList && args->size >= 1 && !(k == "Fn::Not" && args->size != 1)) {
      if (k == "Fn::Not") return !build(args->items[0], depth + 1);
      bool is_and = k == "Fn::And";
      bdd r = is_and ? bddtrue : bddfalse;
      for (const Value* a : args->list()) {
        bdd x = build(a, depth + 1);
        r = is_and ? (r & x) : (r | x);
      }
      return r;
    }
    if (k == "Fn::Equals") return equals(args);
    std::string key = "expr:";
    canon(e, key);
    return atom(key);
  }

  bdd cond(std::string_view name, int depth = 0) {
    if (!collecting) {
      auto it = conds.find(name);
      if (it != conds.end()) return it->second;
    }
    const ConditionDecl* decl = t.find_condition(name);
    if (collecting && decl) {
      if (collected.count(decl->name)) return bddtrue;
      collected.insert(decl->name);
    }
    bdd r;
    if (!decl || !decl->expr || depth > 64 || visiting.count(name)) {
      r = atom("Condition:" + std::string(name));
    } else {
      visiting.insert(decl->name);
      r = build(decl->expr, depth);
      visiting.erase(decl->name);
      name = decl->name;
    }
    if (!collecting && !visiting.count(name)) conds.emplace(name, r);
    return r;
  }

  bool check() {
    if (g_solver_error) {
      g_solver_error = false;
      failed = true;
      // BuDDy keeps the error and answers every later operation with false (every condition
      // "never holds": a silent pass for the next template) until it is cleared.
      bdd_clear_error();
    }
    return !failed;
  }

  void init() {
    ensure_solver();
    nodes_at_start = bdd_getnodenum();
    // Pass 1: the constants each parameter is compared with.
    collecting = true;
    for (const ConditionDecl& c : t.conditions()) cond(c.name);
    collecting = false;
    // Domains and variables, in order of first use.
    for (auto& [name, d] : params) {
      std::uint32_t pi = t.find_parameter(name);
      const Value* allowed = nullptr;
      if (pi != kNoIndex && t.parameters()[pi].node && t.parameters()[pi].node->kind == ValueKind::kMap)
        for (const MapEntry& e : t.parameters()[pi].node->map())
          if (e.key == "AllowedValues" && e.value && e.value->kind == ValueKind::kList) allowed = e.value;
      std::vector<std::string> vals;
      if (allowed) {
        for (const Value* a : allowed->list()) {
          std::string s;
          if (scalar_text(a, s)) vals.push_back(s);
        }
      }
      if (allowed && !vals.empty()) {
        d.other = false;
      } else {
        vals = std::move(d.values);
      }
      std::sort(vals.begin(), vals.end());
      vals.erase(std::unique(vals.begin(), vals.end()), vals.end());
      d.values = std::move(vals);
      d.first_var = nvars;
      while ((std::size_t{1} << d.bits) < d.size()) ++d.bits;
      nvars += d.bits;
      // value < d.size(), bit by bit from the lowest (one operation per bit, not per value).
      bdd in_domain = bddfalse;
      for (int b = 0; b < d.bits; ++b) {
        bdd x = var(d.first_var + b);
        in_domain = ((d.size() >> b) & 1) ? ((!x) | in_domain) : ((!x) & in_domain);
      }
      if ((std::size_t{1} << d.bits) == d.size()) in_domain = bddtrue;
      constraint &= in_domain;
    }
    for (const ConditionDecl& c : t.conditions()) cond(c.name);
    check();
  }

  // `dnf` with the model's own conditions (`any_of`) stated in the template's names: "X and
  // (A or B)" becomes "X and A, or X and B"; "not (A or B)" becomes "not A and not B" when each
  // disjunct is one name. Clauses that no feasible combination (`u`) satisfies are dropped.
  std::vector<CondClause> expand(std::vector<CondClause> dnf, const bdd& u) {
    std::vector<CondClause> out;
    std::vector<CondClause> work = std::move(dnf);
    std::size_t rounds = 0;
    while (!work.empty()) {
      CondClause c = std::move(work.back());
      work.pop_back();
      std::size_t at = c.size();
      for (std::size_t i = 0; i < c.size() && at == c.size(); ++i)
        if (synth.count(c[i].first)) at = i;
      if (at == c.size() || ++rounds > kMaxSimplifiedClauses) {
        out.push_back(std::move(c));
        continue;
      }
      const auto lit = c[at];
      c.erase(c.begin() + static_cast<long>(at));
      const std::vector<CondClause>& ds = synth[lit.first];
      if (lit.second) {
        for (const CondClause& d : ds) {
          CondClause e = c;
          e.insert(e.end(), d.begin(), d.end());
          work.push_back(std::move(e));
        }
        continue;
      }
      bool single = std::all_of(ds.begin(), ds.end(), [](const CondClause& d) { return d.size() == 1; });
      if (!single) {
        c.push_back(lit);
        out.push_back(std::move(c));
        continue;
      }
      for (const CondClause& d : ds) c.emplace_back(d[0].first, !d[0].second);
      work.push_back(std::move(c));
    }
    for (CondClause& c : out) {
      std::sort(c.begin(), c.end());
      c.erase(std::unique(c.begin(), c.end()), c.end());
    }
    std::erase_if(out, [&](const CondClause& c) { return (conj(c) & u) == bddfalse; });
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    // Drop clauses another one includes.
    std::vector<CondClause> kept;
    for (const CondClause& c : out) {
      bool covered = std::any_of(out.begin(), out.end(), [&](const CondClause& o) {
        return &o != &c && o != c && std::includes(c.begin(), c.end(), o.begin(), o.end());
      });
      if (!covered) kept.push_back(c);
    }
    return kept;
  }

  bdd conj(const CondClause& c) {
    bdd r = constraint;
    for (const auto& [n, v] : c) r &= v ? cond(n) : !cond(n);
    return r;
  }

  // `conj(c)`, reusing the conjunctions of the literals `c` shares with `cur` at its start:
  // the search forks by appending one literal to an assignment, so consecutive assignments
  // share all but their last few. BDDs are canonical, so the result is `conj(c)` exactly.
  // prefix[k] is `constraint` and the first k literals of `cur`.
  std::vector<bdd> prefix;
  bdd conj_incremental(const CondClause& c) {
    std::size_t keep = 0;
    if (cur_set && !prefix.empty())
      while (keep < c.size() && keep < cur.size() && keep + 1 < prefix.size() &&
             c[keep] == cur[keep])
        ++keep;
    if (prefix.empty()) prefix.push_back(constraint);
    prefix.resize(keep + 1);
    for (std::size_t i = keep; i < c.size(); ++i)
      prefix.push_back(prefix.back() & (c[i].second ? cond(c[i].first) : !cond(c[i].first)));
    return prefix.back();
  }
};

namespace {

// The mutex held for one use of a model; the model's load is noted before it is released.
struct SolverUse {
  explicit SolverUse(ConditionModel::Impl& model) : lock(solver_mutex()), m(model) {}
  ~SolverUse() { m.note_load(); }
  SolverUse(const SolverUse&) = delete;
  SolverUse& operator=(const SolverUse&) = delete;
  std::lock_guard<std::mutex> lock;
  ConditionModel::Impl& m;
};

}  // namespace

ConditionModel::ConditionModel(const Template& tmpl) : impl_(std::make_unique<Impl>(tmpl)) {
  SolverUse use(*impl_);
  impl_->init();
}

bool ConditionModel::solver_caches_grown() {
  std::lock_guard lock(solver_mutex());
  return g_caches_grown;
}

ConditionModel::~ConditionModel() {
  std::lock_guard lock(solver_mutex());
  impl_.reset();  // the diagrams give their nodes back to BuDDy under the lock
}

bool ConditionModel::ok() const { return !impl_->failed; }

void ConditionModel::set_assignment(const CondClause& assignment) {
  Impl& m = *impl_;
  if (m.cur_set && m.cur == assignment) return;
  SolverUse use(*impl_);
  m.cur_bdd = m.conj_incremental(assignment);
  m.param_answers.clear();  // they held under the previous assignment
  m.cur = assignment;
  m.cur_set = true;
  m.check();
}

bool ConditionModel::feasible() {
  SolverUse use(*impl_);
  return impl_->cur_bdd != bddfalse;
}

int ConditionModel::decide(std::string_view name) {
  Impl& m = *impl_;
  SolverUse use(*impl_);
  if (m.failed) return -2;
  bdd c = m.cond(name);
  bool can_true = (m.cur_bdd & c) != bddfalse;
  bool can_false = (m.cur_bdd & !c) != bddfalse;
  if (!m.check()) return -2;
  if (can_true && can_false) return -1;
  return can_true ? 1 : 0;
}

std::string_view ConditionModel::any_of(const std::vector<CondClause>& disjuncts) {
  Impl& m = *impl_;
  std::string name;
  for (const CondClause& c : disjuncts) {
    if (!name.empty()) name += " or ";
    for (std::size_t i = 0; i < c.size(); ++i) {
      if (i > 0) name += " and ";
      if (!c[i].second) name += "not ";
      name += c[i].first;
    }
  }
  SolverUse use(*impl_);
  if (auto it = m.synth.find(std::string_view(name)); it != m.synth.end()) return it->first;
  bdd r = bddfalse;
  for (const CondClause& c : disjuncts) {
    bdd k = bddtrue;
    for (const auto& [n, v] : c) k &= v ? m.cond(n) : !m.cond(n);
    r |= k;
  }
  m.check();
  std::string_view key = m.synth_names.emplace_back(std::move(name));
  m.conds[key] = r;
  m.synth[key] = disjuncts;
  if (m.one_name_built) m.index_one_name(key);
  return key;
}

ConditionModel::ParamFact ConditionModel::parameter(std::string_view name,
                                                    std::string_view candidate,
                                                    std::string& value) {
  Impl& m = *impl_;
  SolverUse use(*impl_);
  auto it = m.params.find(name);
  if (m.failed || it == m.params.end()) return ParamFact::kFree;
  const Impl::Domain& d = it->second;
  // The answers under the current assignment (every policy of the template asks again).
  Impl::ParamAnswers& known = m.param_answers[&d];
  if (known.possible < 0) {
    int possible = 0, last = -1;
    for (std::size_t k = 0; k < d.size() && possible < 2; ++k) {
      if ((m.cur_bdd & m.value_is(d, static_cast<int>(k))) != bddfalse) {
        ++possible;
        last = static_cast<int>(k);
      }
    }
    if (!m.check()) return ParamFact::kFree;
    known.possible = possible;
    known.last = last;
  }
  if (known.possible == 1 && known.last < static_cast<int>(d.values.size())) {
    value = d.values[known.last];
    return ParamFact::kFixed;
  }
  int ci = d.index_of(candidate);
  if (ci < 0) return ParamFact::kExcluded;
  auto [at, fresh] = known.allowed.try_emplace(ci, false);
  if (fresh) {
    const bool ok = (m.cur_bdd & m.value_is(d, ci)) != bddfalse;
    if (!m.check()) {
      known.allowed.erase(at);
      return ParamFact::kFree;
    }
    at->second = ok;
  }
  return at->second ? ParamFact::kFree : ParamFact::kExcluded;
}

std::vector<CondClause> ConditionModel::simplify(const std::vector<CondClause>& explored,
                                                 const std::vector<const CondClause*>& holds,
                                                 bool& always) {
  Impl& m = *impl_;
  SolverUse use(*impl_);
  always = false;
  std::vector<CondClause> out;
  for (const CondClause* c : holds) out.push_back(*c);
  for (auto& c : out) std::sort(c.begin(), c.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (m.failed) return out;
  if (explored != m.last_explored) {
    m.last_u = bddfalse;
    for (const CondClause& c : explored) m.last_u |= m.conj(c);
    m.last_explored = explored;
  }
  const bdd u = m.last_u;
  bdd f = bddfalse;
  for (const CondClause& c : out) f |= m.conj(c);
  if (!m.check()) return out;
  if (f == u) {
    always = true;
    return {};
  }
  // One condition name, or its negation: when every feasible combination was explored (the
  // search's leaves cover them all), looked up by the diagram's root, so that a search with
  // many findings does not compare each with every condition of the template.
  if (u == m.constraint) {
    if (!m.one_name_built) {
      m.one_name_built = true;
      for (const ConditionDecl& d : m.t.conditions()) m.index_one_name(d.name);
      for (const auto& [name, ds] : m.synth) m.index_one_name(name);
      if (!m.check()) return out;
    }
    auto it = m.one_name.find(f.id());
    if (it != m.one_name.end()) {
      const auto [name, v] = it->second;
      if (m.synth.count(name)) return m.expand({{{name, v}}}, u);
      return {{{name, v}}};
    }
  }
  for (const ConditionDecl& d : m.t.conditions()) {
    if (u == m.constraint) break;  // looked up above
    bdd b = m.cond(d.name);
    if ((b & u) == f) return {{{d.name, true}}};
    if (((!b) & u) == f) return {{{d.name, false}}};
  }
  for (const auto& [name, ds] : m.synth) {
    if (u == m.constraint) break;  // looked up above
    bdd b = m.cond(name);
    if ((b & u) == f) return m.expand({{{name, true}}}, u);
    if (((!b) & u) == f) return m.expand({{{name, false}}}, u);
  }
  // Drop literals that the other clauses and infeasible combinations make redundant.
  bdd outside = u & !f;
  for (CondClause& c : out) {
    for (std::size_t i = 0; i < c.size();) {
      CondClause shorter = c;
      shorter.erase(shorter.begin() + static_cast<long>(i));
      if ((m.conj(shorter) & outside) == bddfalse)
        c = std::move(shorter);
      else
        ++i;
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  // Drop clauses the others cover.
  for (std::size_t i = 0; i < out.size() && out.size() > 1;) {
    bdd others = bddfalse;
    for (std::size_t j = 0; j < out.size(); ++j)
      if (j != i) others |= m.conj(out[j]);
    if ((m.conj(out[i]) & u & !others) == bddfalse)
      out.erase(out.begin() + static_cast<long>(i));
    else
      ++i;
  }
  m.check();
  return m.expand(std::move(out), u);
}

}  // namespace polc
