// Test-only helper: renders a `Value` tree as compact JSON, for comparing loader output against
// expected strings such as `{"Fn::GetAtt":["A","B.C"]}`.
//
// Map entries keep their order; floats use the shortest round-trip form with a `.0` added to
// integral values so they differ from integers; infinities and NaN print as `Infinity`,
// `-Infinity` and `NaN` (not valid JSON, but unambiguous in tests). Iterative (an explicit
// stack), so deep trees do not overflow the C++ stack. Thread-safe (no shared state).
#pragma once
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/model/value.h"

namespace polc::test {

inline void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

inline void append_json_scalar(std::string& out, const Value& v) {
  switch (v.kind) {
    case ValueKind::kNull:
      out += "null";
      break;
    case ValueKind::kBool:
      out += v.boolean ? "true" : "false";
      break;
    case ValueKind::kInt:
      out += std::to_string(v.integer);
      break;
    case ValueKind::kFloat: {
      if (std::isnan(v.number)) {
        out += "NaN";
      } else if (std::isinf(v.number)) {
        out += v.number < 0 ? "-Infinity" : "Infinity";
      } else {
        char buf[64];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.number);
        std::string s(buf, ec == std::errc() ? end : buf);
        if (s.find_first_of(".eE") == std::string::npos) s += ".0";
        out += s;
      }
      break;
    }
    case ValueKind::kString:
      append_json_string(out, v.str());
      break;
    default:
      break;
  }
}

/// Renders `root` as compact JSON (no spaces).
inline std::string value_json(const Value& root) {
  struct Item {
    const Value* v;
    std::uint32_t next;  // next child index
  };
  std::string out;
  std::vector<Item> stack{{&root, 0}};
  while (!stack.empty()) {
    Item& top = stack.back();
    const Value& v = *top.v;
    if (v.kind != ValueKind::kList && v.kind != ValueKind::kMap) {
      append_json_scalar(out, v);
      stack.pop_back();
      continue;
    }
    if (top.next == 0) out += v.is_list() ? '[' : '{';
    if (top.next == v.size) {
      out += v.is_list() ? ']' : '}';
      stack.pop_back();
      continue;
    }
    if (top.next > 0) out += ',';
    const Value* child;
    if (v.is_list()) {
      child = v.items[top.next];
    } else {
      append_json_string(out, v.entries[top.next].key);
      out += ':';
      child = v.entries[top.next].value;
    }
    ++top.next;
    stack.push_back({child, 0});  // invalidates `top`
  }
  return out;
}

}  // namespace polc::test
