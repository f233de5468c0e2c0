// Compiling the standard pack (embedded stdlib and policies): parse, check, compile, verify.
// `polc check` pays this once per run, before any template is loaded.
#include <benchmark/benchmark.h>

#include "dsl/compiler.h"

namespace polc::bench {
namespace {

void BM_CompilePack(benchmark::State& state) {
  std::size_t policies = 0;
  for (auto _ : state) {
    Diagnostics diags;
    auto set = compile_policy_files({}, true, diags);
    if (!set || diags.has_errors()) {
      state.SkipWithError("the standard pack does not compile");
      return;
    }
    set->freeze();
    policies = set->policies.size();
    benchmark::DoNotOptimize(set);
  }
  state.counters["policies"] = static_cast<double>(policies);
}

BENCHMARK(BM_CompilePack)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace polc::bench
