// Arena: a bump allocator that owns every node and string of one loaded template.
//
// The template tree is built once and never mutated after normalization, so nodes are
// allocated from a monotonic buffer and freed all at once with the arena. An arena is used by
// one thread at a time; it is not thread-safe.
#pragma once
#include <cstring>
#include <memory_resource>
#include <new>
#include <span>
#include <string_view>
#include <type_traits>

namespace polc {

/// Arena chunks of at least this many bytes are mapped directly and marked for transparent huge
/// pages (where the kernel offers them on request): one fault per 2 MiB instead of one per
/// 4 KiB page. Page faults are most of the cost of a multi-megabyte template on a virtual
/// machine. Smaller chunks come from the heap.
inline constexpr std::size_t kArenaHugeChunkBytes = 2u << 20;

/// The upstream of every arena: `operator new` below kArenaHugeChunkBytes, mmap + madvise
/// (MADV_HUGEPAGE) at or above it. Stateless, so shared by all threads.
std::pmr::memory_resource* arena_upstream();

class Arena {
 public:
  Arena() : resource_(initial_, sizeof(initial_), arena_upstream()) {}
  /// An arena whose first chunk holds `first_chunk_bytes` (the loader sizes it from the file, so
  /// a large template's tree lands in one chunk, of huge pages when large enough).
  /// The inline buffer is then unused.
  explicit Arena(std::size_t first_chunk_bytes)
      : resource_(first_chunk_bytes < sizeof(initial_) ? sizeof(initial_) : first_chunk_bytes,
                  arena_upstream()) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  /// Allocates and constructs one `T`. `T` must be trivially destructible: destructors never run.
  template <typename T, typename... Args>
  T* make(Args&&... args) {
    static_assert(std::is_trivially_destructible_v<T>);
    void* p = resource_.allocate(sizeof(T), alignof(T));
    used_ += sizeof(T);
    return new (p) T(std::forward<Args>(args)...);
  }

  /// Allocates an array of `n` value-initialized `T`.
  template <typename T>
  std::span<T> array(std::size_t n) {
    static_assert(std::is_trivially_destructible_v<T>);
    if (n == 0) return {};
    T* p = static_cast<T*>(resource_.allocate(sizeof(T) * n, alignof(T)));
    used_ += sizeof(T) * n;
    for (std::size_t i = 0; i < n; ++i) new (p + i) T();
    return {p, n};
  }

  /// Copies `s` into the arena; the view lives as long as the arena.
  /// Frees everything allocated so far; earlier pointers become invalid.
  void reset() {
    resource_.release();
    used_ = 0;
  }

  /// Bytes handed out since construction or the last `reset` (payload only, without padding).
  std::size_t used() const { return used_; }

  std::string_view copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = static_cast<char*>(resource_.allocate(s.size(), 1));
    used_ += s.size();
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

 private:
  alignas(std::max_align_t) char initial_[4096];
  std::pmr::monotonic_buffer_resource resource_;
  std::size_t used_ = 0;
};

}  // namespace polc
