#include "engine/load/yaml_scalar.h"

#include <charconv>
#include <cstring>
#include <limits>
#include <string>

namespace polc::internal {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Accumulates `digit` into `acc` in base `base`; false on overflow of uint64.
bool accumulate(std::uint64_t& acc, unsigned base, unsigned digit) {
  if (acc > (std::numeric_limits<std::uint64_t>::max() - digit) / base) return false;
  acc = acc * base + digit;
  return true;
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

}  // namespace

bool parse_yaml_bool(std::string_view t, bool& value) {
  // PyYAML: yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF
  static constexpr std::string_view kTrue[] = {"yes",  "Yes", "YES", "true", "True",
                                               "TRUE", "on",  "On",  "ON"};
  static constexpr std::string_view kFalse[] = {"no",    "No",  "NO",  "false", "False",
                                                "FALSE", "off", "Off", "OFF"};
  if (t.size() < 2 || t.size() > 5) return false;
  for (std::string_view s : kTrue)
    if (t == s) return value = true, true;
  for (std::string_view s : kFalse)
    if (t == s) return value = false, true;
  return false;
}

bool is_yaml_null(std::string_view t) {
  return t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL";
}

bool parse_yaml_int(std::string_view t, std::int64_t& value) {
  // PyYAML: [-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+
  // (sexagesimal [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+ is left as a string).
  if (t.empty()) return false;
  bool negative = false;
  if (t[0] == '-' || t[0] == '+') {
    negative = t[0] == '-';
    t.remove_prefix(1);
  }
  if (t.empty() || !is_digit(t[0])) return false;
  unsigned base = 10;
  std::size_t i = 0;
  if (t[0] == '0' && t.size() > 1) {
    if (t[1] == 'b') {
      base = 2;
      i = 2;
    } else if (t[1] == 'x') {
      base = 16;
      i = 2;
    } else {
      base = 8;
      i = 1;
    }
    if (i == t.size()) return false;
  }
  std::uint64_t acc = 0;
  bool any_digit = base == 8;  // `0_` is octal zero for PyYAML
  for (; i < t.size(); ++i) {
    char c = t[i];
    if (c == '_') continue;
    int d = digit_value(c);
    if (d >= static_cast<int>(base)) return false;
    any_digit = true;
    if (!accumulate(acc, base, static_cast<unsigned>(d))) return false;
  }
  if (!any_digit) return false;  // `0x_`: PyYAML's int() would fail too
  if (negative) {
    if (acc > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1)
      return false;
    value = acc == 0 ? 0 : static_cast<std::int64_t>(0 - acc);  // two's complement, no UB
  } else {
    if (acc > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return false;
    value = static_cast<std::int64_t>(acc);
  }
  return true;
}

bool parse_yaml_float(std::string_view t, double& value) {
  // PyYAML:  [-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?
  //        | \.[0-9][0-9_]*([eE][-+][0-9]+)?
  //        | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)
  // (sexagesimal floats are left as strings).
  if (t.empty() || t.size() > 400) return false;
  if (t == ".nan" || t == ".NaN" || t == ".NAN") {
    value = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  bool negative = false;
  bool has_sign = false;
  std::string_view body = t;
  if (body[0] == '-' || body[0] == '+') {
    negative = body[0] == '-';
    has_sign = true;
    body.remove_prefix(1);
  }
  if (body == ".inf" || body == ".Inf" || body == ".INF") {
    value = negative ? -std::numeric_limits<double>::infinity()
                     : std::numeric_limits<double>::infinity();
    return true;
  }
  std::size_t i = 0;
  if (body.empty()) return false;
  if (body[0] == '.') {
    if (has_sign) return false;  // `-.5` does not match PyYAML's regex
    if (body.size() < 2 || !is_digit(body[1])) return false;
  } else {
    if (!is_digit(body[0])) return false;
    while (i < body.size() && (is_digit(body[i]) || body[i] == '_')) ++i;
    if (i == body.size() || body[i] != '.') return false;
  }
  ++i;  // the dot
  while (i < body.size() && (is_digit(body[i]) || body[i] == '_')) ++i;
  if (i < body.size()) {
    if (body[i] != 'e' && body[i] != 'E') return false;
    ++i;
    if (i == body.size() || (body[i] != '-' && body[i] != '+')) return false;
    ++i;
    if (i == body.size()) return false;
    while (i < body.size() && is_digit(body[i])) ++i;
    if (i != body.size()) return false;
  }
  // Matched: drop underscores and the sign, then convert.
  char buf[402];
  std::size_t n = 0;
  if (body[0] == '.') buf[n++] = '0';
  for (char c : body)
    if (c != '_') buf[n++] = c;
  double d = 0;
  auto [ptr, ec] = std::from_chars(buf, buf + n, d);
  if (ec == std::errc::result_out_of_range) {
    // Python's float() gives inf for huge exponents and 0.0 for tiny ones.
    bool tiny = std::memchr(buf, '-', n) != nullptr;
    d = tiny ? 0.0 : std::numeric_limits<double>::infinity();
  } else if (ec != std::errc() || ptr != buf + n) {
    return false;
  }
  value = negative ? -d : d;
  return true;
}

ScalarType resolve_plain_scalar(std::string_view t) {
  ScalarType r;
  if (is_yaml_null(t)) {
    r.kind = ScalarType::kNull;
    return r;
  }
  char c = t[0];
  switch (c) {
    case 'y':
    case 'Y':
    case 'n':
    case 'N':
    case 't':
    case 'T':
    case 'f':
    case 'F':
    case 'o':
    case 'O':
      if (parse_yaml_bool(t, r.boolean)) r.kind = ScalarType::kBool;
      return r;
    case '-':
    case '+':
    case '.':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
      if (parse_yaml_int(t, r.integer)) {
        r.kind = ScalarType::kInt;
      } else if (parse_yaml_float(t, r.number)) {
        r.kind = ScalarType::kFloat;
      }
      return r;
    default:
      return r;
  }
}

}  // namespace polc::internal
