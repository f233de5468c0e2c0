// The floor of a warm `--cache` run: walk a tree and read and hash every template in it, and
// nothing else (no policies, no cache index, no report). Usage: polc_read_floor DIRECTORY...
//
// It uses polc's own pieces for the two things a warm run cannot skip, the directory walk
// (`FileWalker`) and the reads (`BatchReader`, io_uring, with `read_template_file` for the files
// a batch leaves), and hashes each file with XXH3-128 as the cache does. The walk runs on the
// main thread while a second thread reads and hashes, so the two cores of the benchmark
// machine overlap them; a real warm run cannot do better than this. bench/cache_bench.sh times
// it in the same rounds as polc's cold and warm runs and prints cold / floor: the largest
// cold / warm ratio any warm run could reach on that machine.
#include <xxhash.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/load/batch_read.h"
#include "engine/load/loader.h"
#include "engine/scan/discovery.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: polc_read_floor DIRECTORY...\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  std::mutex mutex;
  std::condition_variable more;
  std::deque<std::pair<std::string, bool>> queue;  // path, listed as a regular file
  bool walked = false;
  std::size_t files = 0, bytes = 0, unreadable = 0;
  XXH128_hash_t digest{0, 0};

  std::thread reader([&] {
    polc::internal::BatchReader batch;
    std::vector<std::pair<std::string, bool>> taken;
    std::vector<const std::string*>
        paths;  // the regular ones, read in one batch as the scanner does
    std::string buffer;
    polc::LoadResult failure;
    while (true) {
      taken.clear();
      paths.clear();
      {
        std::unique_lock lock(mutex);
        more.wait(lock, [&] { return walked || !queue.empty(); });
        if (queue.empty()) return;
        while (!queue.empty() && taken.size() < polc::internal::kBatchReadFiles) {
          taken.push_back(std::move(queue.front()));
          queue.pop_front();
        }
      }
      for (const auto& [p, regular] : taken)
        if (regular) paths.push_back(&p);
      const bool batched = paths.size() > 1;
      if (batched) batch.read(paths);
      std::size_t slot = 0;
      for (const auto& [p, regular] : taken) {
        std::string_view contents;
        std::optional<std::string_view> c;
        if (batched && regular) c = batch.contents(slot++);
        if (c) {
          contents = *c;
        } else if (polc::read_template_file(p, buffer, failure)) {
          contents = buffer;
        } else {
          ++unreadable;
          continue;
        }
        const XXH128_hash_t h = XXH3_128bits(contents.data(), contents.size());
        digest.low64 ^= h.low64;
        digest.high64 ^= h.high64;
        ++files;
        bytes += contents.size();
      }
    }
  });

  polc::FileWalker walker(std::vector<std::string>(argv + 1, argv + argc), {});
  std::string path;
  polc::FileKind kind;
  std::vector<std::pair<std::string, bool>> found;
  while (walker.next(path, kind)) {
    if (kind != polc::FileKind::kTemplate) continue;
    found.emplace_back(path, walker.listed_regular());
    if (found.size() == polc::internal::kBatchReadFiles) {
      std::lock_guard lock(mutex);
      for (auto& p : found) queue.push_back(std::move(p));
      found.clear();
      more.notify_one();
    }
  }
  {
    std::lock_guard lock(mutex);
    for (auto& p : found) queue.push_back(std::move(p));
    walked = true;
    more.notify_one();
  }
  reader.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("files %zu bytes %zu unreadable %zu digest %016llx seconds %.4f\n", files, bytes,
              unreadable, static_cast<unsigned long long>(digest.low64 ^ digest.high64), seconds);
  return 0;
}
