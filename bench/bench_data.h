// Shared inputs of the micro-benchmarks: the corpus in memory, synthetic templates, and the
// libyaml floor.
//
// The corpus is the list `../shared/checks/guard_loadable.txt` (the 5,160 templates cfn-guard
// can load, the same list bench/compare.sh times), read once into memory so the benchmarks
// measure parsing and evaluation, not the disk. When `../shared` is absent, `corpus()` returns
// an empty set and the benchmarks skip with `SkipWithError`.
//
// The floor is a bare libyaml event pass (no tree, no model) over the same bytes, like
// `../shared/checks/parse_floor.c`. Benchmarks report their time as a ratio to the floor
// measured in the same process (`vs_floor`), since absolute times on a shared machine are noise.
// Everything here is for one thread; the data is built on first use and never freed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace polc {
class PolicySet;
}

namespace polc::bench {

/// One input file held in memory.
struct InputFile {
  std::string path;   // for messages only
  std::string bytes;  // the whole file
};

/// The standard pack (every built-in policy), compiled and frozen once; null when it does not
/// compile. Shared by the evaluation benchmarks.
const PolicySet* standard_pack();

/// A set of files and their total size.
struct InputSet {
  std::vector<InputFile> files;
  std::size_t bytes = 0;
};

/// The corpus templates of guard_loadable.txt; empty when the shared folder is absent.
const InputSet& corpus();

/// A synthetic template with `pairs` security group / interface VPC endpoint pairs (every
/// tenth group declares no egress, so the headline policy has findings), in YAML or JSON.
const InputSet& synthetic(std::size_t pairs, bool json);

/// Runs libyaml's event parser over every file of `set`; returns the number of events.
std::uint64_t libyaml_event_pass(const InputSet& set);

/// Median wall time of `fn` over `runs` runs, in seconds.
template <typename Fn>
double median_seconds(Fn&& fn, int runs);

/// Median seconds of `libyaml_event_pass(set)` over 5 runs, cached per set.
double floor_seconds(const InputSet& set);

/// Median seconds of loading every file of `set` with `load_template_bytes` over 5 runs,
/// cached per set.
double load_seconds(const InputSet& set);

}  // namespace polc::bench

#include <algorithm>
#include <chrono>

template <typename Fn>
double polc::bench::median_seconds(Fn&& fn, int runs) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    auto a = std::chrono::steady_clock::now();
    fn();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}
