// Assembles the entries of one YAML mapping: `<<` merge sources, explicit keys, duplicates.
//
// Semantics follow PyYAML's `flatten_mapping` followed by dict construction: merged keys come
// first (a later merge source wins over an earlier one), then explicit keys; an explicit key
// always wins over a merged one regardless of order, and keeps the merged key's position; a
// repeated explicit key is a duplicate (reported by the caller), the last occurrence wins and
// keeps the first occurrence's position. Keys that come from merges are never duplicates.
// Lookups use a reusable open-addressing index, so assembling is linear in the entry count.
// One assembler per parse; not thread-safe; scratch memory is reused between maps.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "engine/model/value.h"

namespace polc::internal {

/// One repeated explicit key: where it was first written and where it is repeated.
struct DuplicateKey {
  std::string_view key;
  std::uint32_t first_offset = 0;
  std::uint32_t offset = 0;
};

class MapAssembler {
 public:
  /// Builds the final entries of a map from `merge_sources` (map values, in increasing priority)
  /// and `explicit_entries` (in source order). Appends each repeated explicit key to `dups`.
  /// Returns a view into internal scratch storage, valid until the next call.
  std::span<const MapEntry> assemble(std::span<const MapEntry> explicit_entries,
                                     std::span<Value* const> merge_sources,
                                     std::vector<DuplicateKey>& dups);

 private:
  static constexpr std::uint32_t kNoOffset = 0xFFFFFFFFu;
  static constexpr std::size_t kLinearLimit = 8;

  void reset_index(std::size_t expected);
  // Returns the index in `out_` of `key`, or -1.
  std::int64_t find(std::string_view key) const;
  void add(const MapEntry& e, std::uint32_t first_explicit);

  std::vector<MapEntry> out_;
  std::vector<std::uint32_t> first_explicit_;  // parallel to out_: kNoOffset for merged keys
  std::vector<std::uint32_t> slots_;           // index+1 into out_, 0 = empty
  bool linear_ = true;
};

}  // namespace polc::internal
