// `scan_linked`: one pass over every file of the run that checks the selected ones and indexes
// the links of all of them, then the outcomes in order, linked templates checked again and
// every outcome prepared on the workers (engine/scan/scanner.h).
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "engine/load/stack_links.h"
#include "engine/scan/check_file.h"
#include "engine/scan/held_outcomes.h"
#include "engine/scan/ordered_pool.h"
#include "engine/scan/scanner.h"

namespace polc {

void scan_linked(const PolicySet& set, const std::vector<std::uint32_t>& active,
                 const std::vector<PolicyInfo>& known, const RunSource& source,
                 const RunLookup& lookup, const OutcomePreparer& prepare,
                 const OutcomeConsumer& consume, const ScanOptions& options,
                 const std::function<void()>& checked) {
  retain_freed_memory();
  const unsigned jobs = worker_count(options.jobs, SIZE_MAX);
  // Each file is checked as if it linked to nothing (what it is for most): the plan does not
  // exist yet.
  ScanOptions first = options;
  first.links = nullptr;
  LinkPlan plan;
  internal::HeldOutcomes held;

  // The pass: every file of the run, in source order.
  struct Item {
    std::string path;
    bool selected = false;
  };
  struct Found {
    internal::FileCheck check;  // selected files only
    LinkFacts facts;
  };
  internal::run_ordered_pool<Item>(
      jobs, options.batch_reads, options.expected_files,
      [&](Item& item, bool& batch) { return source(item.path, batch, item.selected); },
      [&] {
        return [&, vm = std::make_unique<Vm>(set), buffer = std::string()](
                   Item& item, std::optional<std::string_view> contents) mutable {
          if (contents && options.batch_read_files && item.selected) ++*options.batch_read_files;
          Found found;
          if (item.selected)
            found.check = internal::check_file(*vm, set, active, known, item.path, contents, buffer,
                                               first, &found.facts);
          else
            found.facts = internal::index_file(item.path, contents, buffer);
          return found;
        };
      },
      [&](Item& item, Found& found) {
        plan.add(item.path, std::move(found.facts));  // in source order: a deterministic plan
        if (!item.selected) return;
        internal::FileCheck& c = found.check;
        held.push({std::move(item.path), std::move(c.outcome), std::move(c.cache_key), c.cache_hit,
                   c.read});
        if (checked) checked();
      });
  plan.finish(lookup, options.cache != nullptr);

  ScanOptions linked = options;
  linked.links = plan.empty() ? nullptr : &plan;
  // The final outcome of a held one: the same unless the plan links the file (then it is
  // checked again with its neighbourhood), with the link diagnostics.
  auto finish = [&](internal::HeldOutcome& h, std::unique_ptr<Vm>& vm, std::string& buffer) {
    internal::FileCheck c;
    if (linked.links && h.read && linked.links->neighbourhood(h.path).size() > 1) {
      if (options.cache && !h.cache_key.empty()) options.cache->retract(h.cache_hit);
      if (!vm) vm = std::make_unique<Vm>(set);  // only on workers that check a file again
      c = internal::check_file(*vm, set, active, known, h.path, std::nullopt, buffer, linked);
    } else {
      c.outcome = std::move(h.outcome);
      c.cache_key = std::move(h.cache_key);
      c.cache_hit = h.cache_hit;
    }
    internal::store_in_cache(c, options);
    // Never cached: the links depend on the other files of the run.
    if (linked.links && c.outcome.status != FileOutcome::Status::kSkipped)
      for (Diagnostic& d : linked.links->diagnostics(h.path))
        c.outcome.diagnostics.push_back(std::move(d));
    return std::move(c.outcome);
  };
  // On the workers (most outcomes only need preparing), passed on in order.
  const std::uint64_t count = held.size();
  internal::run_ordered_pool<internal::HeldOutcome>(
      worker_count(options.jobs, count), false, count,
      [&](internal::HeldOutcome& h, bool& batch) {
        batch = false;
        return held.pop(h);
      },
      [&] {
        return [&, vm = std::unique_ptr<Vm>(), buffer = std::string()](
                   internal::HeldOutcome& h, std::optional<std::string_view>) mutable {
          FileOutcome o = finish(h, vm, buffer);
          if (prepare) prepare(h.path, o);
          return o;
        };
      },
      [&](internal::HeldOutcome& h, FileOutcome& o) { consume(h.path, o); });
}

}  // namespace polc
