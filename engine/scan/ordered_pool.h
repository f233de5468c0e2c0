// The scanner's pool of workers (internal to engine/scan): items taken in order from a source,
// worked on by `jobs` threads, their results passed on in the source's order.
//
// Each worker takes up to `scan_batch_files` (scanner.h) items at a time (under the pool's lock, so
// the source is called by one thread at a time, in order), reads the files of those the source
// marked for it in one batch (engine/load/batch_read.h), works on each item with the file's
// contents (nothing when the batch reader did not read it whole: the work reads it itself), and
// passes results on in order as soon as the items before them are done. At most
// `kMaxPendingOutcomes` items are taken and not yet passed on; workers wait at that bound, so
// memory stays flat whatever the number of items. The results are passed on one at a time
// (never concurrently), each by whichever worker finished the item it waited for.
#pragma once
#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "engine/base/limits.h"
#include "engine/load/batch_read.h"
#include "engine/scan/scanner.h"

namespace polc::internal {

/// Runs the pool on `jobs` threads (the caller's thread is one; fewer when threads cannot be
/// created) until `take` has no more items and every result is passed on.
///  - `take(Item& item, bool& batch)`: the next item, false when there are none; `batch`: read
///    `item.path` in a batch (only for files a directory listing named regular).
///  - `make_worker()`: called once per thread; returns the thread's work function,
///    `Result work(Item& item, std::optional<std::string_view> contents)`, `contents` being
///    the whole file when the batch reader read it.
///  - `emit(Item& item, Result& result)`: in the source's order, one call at a time.
/// `batch_reads` false: nothing is read in batches. `expected`: how many items the source will
/// give (0: unknown), for the batch sizes only.
template <class Item, class Take, class MakeWorker, class Emit>
void run_ordered_pool(unsigned jobs, bool batch_reads, std::uint64_t expected, Take&& take,
                      MakeWorker&& make_worker, Emit&& emit) {
  using Work = decltype(make_worker());
  using Result =
      decltype(std::declval<Work&>()(std::declval<Item&>(), std::optional<std::string_view>()));
  jobs = std::max(1u, jobs);
  std::mutex mutex;  // guards everything below
  std::condition_variable room;
  std::uint64_t taken = 0;     // items taken from the source
  std::uint64_t consumed = 0;  // results passed on
  bool exhausted = false;
  bool consuming = false;  // a worker is passing results on (outside the lock)
  std::map<std::uint64_t, std::pair<Item, Result>> ready;  // done, not passed on
  const std::uint64_t expect = expected > 0 ? expected : SIZE_MAX;
  const std::size_t most = scan_batch_files(jobs, 0, SIZE_MAX);

  auto worker = [&] {
    Work work = make_worker();
    BatchReader reader(batch_reads);
    std::vector<Item> items(most);
    std::vector<const std::string*> batch;  // the paths of `items` read in one batch
    std::vector<std::size_t> slot(most);    // items[i]'s index in `batch`, or SIZE_MAX
    while (true) {
      std::size_t n = 0;
      std::uint64_t first;
      {
        std::unique_lock lock(mutex);
        room.wait(lock, [&] { return exhausted || taken - consumed < kMaxPendingOutcomes; });
        const std::uint64_t pending = taken - consumed;
        const std::uint64_t free =
            pending < kMaxPendingOutcomes ? kMaxPendingOutcomes - pending : 0;
        batch.clear();
        const std::size_t want = scan_batch_files(jobs, taken, expect);
        while (!exhausted && n < want && n < free) {
          bool batched = false;
          if (take(items[n], batched)) {
            slot[n] = SIZE_MAX;
            if (batched && batch_reads) {
              slot[n] = batch.size();
              batch.push_back(&items[n].path);
            }
            ++n;
          } else {
            exhausted = true;
            room.notify_all();
          }
        }
        if (n == 0) return;
        first = taken;
        taken += n;
      }
      const bool batched = batch.size() > 1;  // one file alone gains nothing from a batch
      if (batched) reader.read(batch);
      for (std::size_t i = 0; i < n; ++i) {
        const std::optional<std::string_view> contents =
            batched && slot[i] != SIZE_MAX ? reader.contents(slot[i]) : std::nullopt;
        Result result = work(items[i], contents);
        std::unique_lock lock(mutex);
        ready.emplace(first + i, std::make_pair(std::move(items[i]), std::move(result)));
        if (consuming) continue;  // the worker passing results on will take this one too
        consuming = true;
        while (!ready.empty() && ready.begin()->first == consumed) {
          auto node = ready.extract(ready.begin());
          lock.unlock();
          emit(node.mapped().first, node.mapped().second);
          lock.lock();
          ++consumed;
        }
        consuming = false;
        room.notify_all();
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < jobs; ++t) {
    try {
      threads.emplace_back(worker);
    } catch (const std::system_error&) {
      break;  // no more threads (a process limit): the ones started, and this one, do the work
    }
  }
  worker();
  for (auto& t : threads) t.join();
}

}  // namespace polc::internal
