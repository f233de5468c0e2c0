// VM evaluation: the headline policy alone and the whole standard pack, on loaded templates.
//
// Reports `ns_per_policy_resource` (evaluation time divided by policies × resources) and
// `vs_load`: the evaluation time as a fraction of the time to load the same templates
// (`load_template_bytes`, median of 5, measured in this process). The issue asks for "the
// per-policy, per-resource cost as a fraction of the template's load time".
#include <benchmark/benchmark.h>

#include <chrono>
#include <map>
#include <memory>

#include "bench/bench_data.h"
#include "dsl/compiler.h"
#include "engine/load/loader.h"
#include "engine/scan/scanner.h"
#include "engine/vm/coverage.h"
#include "engine/vm/vm.h"

namespace polc::bench {
namespace {

constexpr const char* kHeadline = "vpce-sg-no-implicit-egress";

enum Input : int { kCorpus, kYaml2000 };
enum Policies : int { kHeadlineOnly, kWholePack };

/// The templates of an input set, loaded once and kept for the whole run.
struct Loaded {
  std::vector<std::unique_ptr<Template>> templates;
  std::size_t resources = 0;
};

const Loaded& loaded(const InputSet& set) {
  static std::map<const InputSet*, Loaded> cache;
  auto [it, inserted] = cache.try_emplace(&set);
  if (inserted) {
    for (const InputFile& f : set.files) {
      LoadResult r = load_template_bytes(f.path, f.bytes);
      if (r.status != LoadStatus::kTemplate || !r.tmpl) continue;
      it->second.resources += r.tmpl->resources().size();
      it->second.templates.push_back(std::move(r.tmpl));
    }
  }
  return it->second;
}

/// The input of `state.range(0)` (kCorpus or the synthetic 2,000 pairs) and the standard pack;
/// false, with the benchmark marked skipped, when either is missing.
bool inputs_or_skip(benchmark::State& state, const InputSet*& set, const PolicySet*& ps) {
  set = &synthetic(2000, false);
  if (state.range(0) == kCorpus) {
    if (corpus().files.empty()) {
      state.SkipWithError("../shared/corpus not found (guard_loadable.txt): skipped");
      return false;
    }
    set = &corpus();
  }
  ps = standard_pack();
  if (ps == nullptr) {
    state.SkipWithError("the standard pack does not compile");
    return false;
  }
  return true;
}

void BM_Evaluate(benchmark::State& state) {
  const InputSet* set = nullptr;
  const PolicySet* ps = nullptr;
  if (!inputs_or_skip(state, set, ps)) return;
  std::vector<std::uint32_t> active;
  for (std::uint32_t i = 0; i < ps->policies.size(); ++i)
    if (state.range(1) == kWholePack || ps->policies[i].info.name == kHeadline) active.push_back(i);
  retain_freed_memory();  // as scan_files does (and BM_Load), for a comparable load time
  const Loaded& in = loaded(*set);
  const double load = load_seconds(*set);
  state.SetLabel(std::string(state.range(0) == kCorpus ? "corpus" : "synthetic YAML 2000 pairs") +
                 ", " + std::to_string(active.size()) + " polic" +
                 (active.size() == 1 ? "y" : "ies"));
  Vm vm(*ps);
  std::size_t findings = 0;
  double elapsed = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    findings = 0;
    for (const auto& t : in.templates) {
      PolicyOutput out;
      for (std::uint32_t idx : active) vm.evaluate_policy(ps->policies[idx], *t, out);
      vm.reset();
      findings += out.findings.size();
    }
    elapsed += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  const double per_pass = elapsed / static_cast<double>(state.iterations());
  state.counters["findings"] = static_cast<double>(findings);
  state.counters["resources"] = static_cast<double>(in.resources);
  state.counters["ns_per_policy_resource"] =
      per_pass * 1e9 / static_cast<double>(in.resources * active.size());
  state.counters["vs_load"] = per_pass / load;
  state.counters["per_policy_vs_load"] = per_pass / load / static_cast<double>(active.size());
}

BENCHMARK(BM_Evaluate)
    ->Args({kCorpus, kHeadlineOnly})
    ->Args({kCorpus, kWholePack})
    ->Args({kYaml2000, kHeadlineOnly})
    ->Args({kYaml2000, kWholePack})
    ->Unit(benchmark::kMillisecond);

// The whole pack with coverage counting (`polc test --coverage`, engine/vm/coverage.h) against
// the same pass without it, alternated in one loop: `coverage_vs_off` is the time with counting
// divided by the time without (the cost of --coverage; a run without it takes the loop that has
// no counting code at all).
void BM_EvaluateCoverage(benchmark::State& state) {
  const InputSet* set = nullptr;
  const PolicySet* ps = nullptr;
  if (!inputs_or_skip(state, set, ps)) return;
  retain_freed_memory();
  const Loaded& in = loaded(*set);
  state.SetLabel(state.range(0) == kCorpus ? "corpus, whole pack"
                                           : "synthetic YAML 2000 pairs, whole pack");
  CoverageCounts counts(*ps);
  Vm off(*ps), on(*ps);
  on.set_coverage(&counts);
  auto pass = [&](Vm& vm) {
    auto t0 = std::chrono::steady_clock::now();
    for (const auto& t : in.templates) {
      PolicyOutput out;
      for (const CompiledPolicy& p : ps->policies) vm.evaluate_policy(p, *t, out);
      vm.reset();
      benchmark::DoNotOptimize(out.findings.size());
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  double t_off = 0, t_on = 0;
  for (auto _ : state) {
    t_off += pass(off);
    t_on += pass(on);
  }
  state.counters["coverage_vs_off"] = t_on / t_off;
}

BENCHMARK(BM_EvaluateCoverage)->Arg(kCorpus)->Arg(kYaml2000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace polc::bench
