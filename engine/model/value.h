// Value: one node of a loaded template's tree (null, bool, integer, float, string, list, map).
//
// Both loaders (YAML through libyaml's event API, JSON through simdjson On-Demand) build this
// tree directly from parser events; there is no intermediate DOM. Every node records the byte
// offset (0-based, into the file's bytes) where it starts; `SourceFile::locate` turns it into a
// 1-based line and column only when a message needs one. Nodes and strings live in the
// template's `Arena`; a `Value*` is valid as long as the `Document` that owns the arena.
//
// Intrinsic functions keep CloudFormation's long form: a map with exactly one key such as
// `Ref` or `Fn::GetAtt`. The normalizer tags such maps with their `Intrinsic` kind so later
// stages test one byte instead of comparing strings.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>

namespace polc {

enum class ValueKind : std::uint8_t { kNull, kBool, kInt, kFloat, kString, kList, kMap };

/// The intrinsic function a single-key map stands for. `kNone` for every other node.
enum class Intrinsic : std::uint8_t {
  kNone,
  kRef,
  kGetAtt,
  kSub,
  kIf,
  kEquals,
  kAnd,
  kOr,
  kNot,
  kCondition,
  kSelect,
  kJoin,
  kSplit,
  kFindInMap,
  kImportValue,
  kBase64,
  kCidr,
  kGetAZs,
  kTransform,
  kLength,
  kToJsonString,
  kContains,
  kEachMemberEquals,
  kEachMemberIn,
  kValueOf,
  kValueOfAll,
  kRefAll,
};

/// Returns the long-form key of `fn` (`"Ref"`, `"Fn::GetAtt"`, ...); empty for `kNone`.
std::string_view intrinsic_name(Intrinsic fn);
/// Returns the intrinsic whose long-form key is `key`, or `kNone`.
Intrinsic intrinsic_from_key(std::string_view key);
/// Returns the intrinsic for a YAML short-form tag such as `!GetAtt`, or `kNone`.
Intrinsic intrinsic_from_tag(std::string_view tag);

struct Value;

/// One key of a map, with the byte offset of the key itself (where duplicate-key and
/// logical-ID messages point).
struct MapEntry {
  std::string_view key;
  std::uint32_t key_offset = 0;
  Value* value = nullptr;
};

struct Value {
  ValueKind kind = ValueKind::kNull;
  Intrinsic intrinsic = Intrinsic::kNone;
  /// True for a YAML scalar written with quotes or a block style: it was never typed as a
  /// bool or number. JSON strings set it too.
  bool quoted = false;
  std::uint32_t offset = 0;
  /// Element count of a list or map, byte length of a string.
  std::uint32_t size = 0;
  union {
    bool boolean;
    std::int64_t integer;
    double number;
    const char* chars;
    Value** items;
    MapEntry* entries;
  };

  Value() : integer(0) {}

  bool is_null() const { return kind == ValueKind::kNull; }
  bool is_string() const { return kind == ValueKind::kString; }
  bool is_list() const { return kind == ValueKind::kList; }
  bool is_map() const { return kind == ValueKind::kMap; }
  bool is_intrinsic() const { return intrinsic != Intrinsic::kNone; }

  std::string_view str() const { return kind == ValueKind::kString ? std::string_view(chars, size) : std::string_view(); }
  std::span<Value* const> list() const {
    return kind == ValueKind::kList ? std::span<Value* const>(items, size) : std::span<Value* const>();
  }
  std::span<const MapEntry> map() const {
    return kind == ValueKind::kMap ? std::span<const MapEntry>(entries, size) : std::span<const MapEntry>();
  }
  /// For an intrinsic map, its single argument; otherwise nullptr.
  const Value* arg() const { return is_intrinsic() && size == 1 ? entries[0].value : nullptr; }

  /// Finds `key` in a map (linear; maps are small, and `Template` indexes the large ones).
  /// Returns nullptr when absent or when this is not a map.
  const Value* get(std::string_view key) const;
  /// Like `get`, also returning the entry (for the key's offset).
  const MapEntry* find(std::string_view key) const;
};

/// A name for `kind` as used in messages ("string", "list", ...).
std::string_view kind_name(ValueKind kind);

}  // namespace polc
