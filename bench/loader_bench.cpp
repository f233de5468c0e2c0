// Loader throughput (MB/s) against a bare libyaml event pass over the same bytes (the floor).
//
// `BM_Floor/*` runs the floor; `BM_Load/*` runs `load_template_bytes` (parse, value tree,
// normalized model with its reference graph). Each `BM_Load` also reports `vs_floor`: its time
// per pass divided by the floor's median time over the same bytes, measured in this process.
// The goal is `vs_floor` <= 1.5 on the corpus.
#include <benchmark/benchmark.h>

#include <chrono>

#include "bench/bench_data.h"
#include "engine/load/loader.h"
#include "engine/scan/scanner.h"

namespace polc::bench {
namespace {

enum Input : int { kCorpus, kYaml2000, kJson2000 };

const InputSet* input(benchmark::State& state) {
  switch (state.range(0)) {
    case kCorpus:
      if (corpus().files.empty()) {
        state.SkipWithError("../shared/corpus not found (guard_loadable.txt): skipped");
        return nullptr;
      }
      state.SetLabel("corpus (" + std::to_string(corpus().files.size()) + " templates)");
      return &corpus();
    case kYaml2000:
      state.SetLabel("synthetic YAML, 2000 SG/VPCE pairs");
      return &synthetic(2000, false);
    default:
      state.SetLabel("synthetic JSON, 2000 SG/VPCE pairs");
      return &synthetic(2000, true);
  }
}

void BM_Floor(benchmark::State& state) {
  const InputSet* set = input(state);
  if (set == nullptr) return;
  for (auto _ : state) benchmark::DoNotOptimize(libyaml_event_pass(*set));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * set->bytes));
}

void BM_Load(benchmark::State& state) {
  const InputSet* set = input(state);
  if (set == nullptr) return;
  retain_freed_memory();  // as scan_files does: each load reuses the previous one's pages
  const double floor = floor_seconds(*set);
  std::size_t templates = 0;
  double elapsed = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    templates = 0;
    for (const InputFile& f : set->files) {
      LoadResult r = load_template_bytes(f.path, f.bytes);
      templates += r.status == LoadStatus::kTemplate;
      benchmark::DoNotOptimize(r.tmpl);
    }
    elapsed += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * set->bytes));
  state.counters["templates"] = static_cast<double>(templates);
  state.counters["vs_floor"] = elapsed / static_cast<double>(state.iterations()) / floor;
}

BENCHMARK(BM_Floor)->Arg(kCorpus)->Arg(kYaml2000)->Arg(kJson2000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Load)->Arg(kCorpus)->Arg(kYaml2000)->Arg(kJson2000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace polc::bench
