// libFuzzer target: the result cache (engine/cache.h), an input others may write (D9). Two
// halves: the payload decoder behind a valid tag (what an authentic but damaged entry reaches),
// which must refuse with a reason or give an outcome that re-encodes and decodes again; and whole
// segment files, which `DiskCache` must read without crashing and never serve as a hit (no input
// carries a valid HMAC tag without the cache key).
#include "fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  polc::fuzz::run_cache(data, size);
  return 0;
}
