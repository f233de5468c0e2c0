#include "engine/base/arena.h"

#include <sys/mman.h>

namespace polc {
namespace {

class HugeChunkResource final : public std::pmr::memory_resource {
  static std::size_t mapped_size(std::size_t bytes) {
    return (bytes + kArenaHugeChunkBytes - 1) / kArenaHugeChunkBytes * kArenaHugeChunkBytes;
  }
  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    if (bytes < kArenaHugeChunkBytes || alignment > 4096)
      return std::pmr::new_delete_resource()->allocate(bytes, alignment);
    void* p = ::mmap(nullptr, mapped_size(bytes), PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    ::madvise(p, mapped_size(bytes), MADV_HUGEPAGE);  // advice only: ignored where unsupported
#endif
    return p;
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
    if (bytes < kArenaHugeChunkBytes || alignment > 4096) {
      std::pmr::new_delete_resource()->deallocate(p, bytes, alignment);
      return;
    }
    ::munmap(p, mapped_size(bytes));
  }
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
    return this == &other;
  }
};

}  // namespace

std::pmr::memory_resource* arena_upstream() {
  static HugeChunkResource resource;
  return &resource;
}

}  // namespace polc
