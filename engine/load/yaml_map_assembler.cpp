#include "engine/load/yaml_map_assembler.h"

#include <functional>

namespace polc::internal {

void MapAssembler::reset_index(std::size_t expected) {
  out_.clear();
  first_explicit_.clear();
  linear_ = expected <= kLinearLimit;
  if (linear_) return;
  std::size_t size = 16;
  while (size < expected * 2) size <<= 1;
  slots_.assign(size, 0);
}

std::int64_t MapAssembler::find(std::string_view key) const {
  if (linear_) {
    for (std::size_t i = 0; i < out_.size(); ++i)
      if (out_[i].key == key) return static_cast<std::int64_t>(i);
    return -1;
  }
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t h = std::hash<std::string_view>{}(key)&mask;; h = (h + 1) & mask) {
    std::uint32_t s = slots_[h];
    if (s == 0) return -1;
    if (out_[s - 1].key == key) return s - 1;
  }
}

void MapAssembler::add(const MapEntry& e, std::uint32_t first_explicit) {
  out_.push_back(e);
  first_explicit_.push_back(first_explicit);
  if (linear_) return;
  const std::size_t mask = slots_.size() - 1;
  std::size_t h = std::hash<std::string_view>{}(e.key) & mask;
  while (slots_[h] != 0) h = (h + 1) & mask;
  slots_[h] = static_cast<std::uint32_t>(out_.size());
}

std::span<const MapEntry> MapAssembler::assemble(std::span<const MapEntry> explicit_entries,
                                                 std::span<Value* const> merge_sources,
                                                 std::vector<DuplicateKey>& dups) {
  std::size_t expected = explicit_entries.size();
  for (const Value* src : merge_sources) expected += src->size;
  reset_index(expected);  // the table holds at most `expected` keys: load factor <= 1/2

  for (const Value* src : merge_sources) {
    for (const MapEntry& e : src->map()) {
      std::int64_t i = find(e.key);
      if (i < 0) {
        add(e, kNoOffset);
      } else {
        out_[i].value = e.value;
        out_[i].key_offset = e.key_offset;
      }
    }
  }
  for (const MapEntry& e : explicit_entries) {
    if (e.value == nullptr) continue;  // defensive: a key whose value never arrived
    std::int64_t i = find(e.key);
    if (i < 0) {
      add(e, e.key_offset);
      continue;
    }
    if (first_explicit_[i] == kNoOffset) {
      first_explicit_[i] = e.key_offset;  // overrides a merged key: not a duplicate
    } else {
      dups.push_back({e.key, first_explicit_[i], e.key_offset});
    }
    out_[i].value = e.value;
    out_[i].key_offset = e.key_offset;
  }
  return out_;
}

}  // namespace polc::internal
