#include "engine/triage/fingerprint.h"

#include <algorithm>
#include <initializer_list>
#include <unordered_map>

#include "engine/base/finding.h"

namespace polc {

namespace {

/// Version tag hashed first; bump it (and document it) if the scheme ever changes.
constexpr std::string_view kFingerprintTag = "polc-fingerprint-v1";
constexpr char kFieldEnd = static_cast<char>(0xFF);

std::uint64_t feed_field(std::uint64_t h, std::string_view field) {
  h = fnv1a64(h, field);
  return fnv1a64(h, std::string_view(&kFieldEnd, 1));
}

}  // namespace

std::uint64_t fnv1a64(std::uint64_t h, std::string_view bytes) {
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnv64Prime;
  }
  return h;
}

std::string normalize_report_path(std::string_view path) {
  // Most paths are normal already (no backslash, no "//", no leading "./"): one copy.
  if (path.find('\\') == std::string_view::npos && path.find("//") == std::string_view::npos &&
      !(path.size() > 2 && path[0] == '.' && path[1] == '/'))
    return std::string(path);
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    const char d = c == '\\' ? '/' : c;
    if (d == '/' && !out.empty() && out.back() == '/') continue;  // collapse "//"
    out += d;
  }
  // Drop leading "./" segments ("./a" -> "a", "././a" -> "a"); keep a lone ".".
  std::size_t start = 0;
  while (out.size() - start > 2 && out[start] == '.' && out[start + 1] == '/') start += 2;
  out.erase(0, start);
  return out;
}

namespace {

std::string to_hex16(std::uint64_t h) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kHex[h & 0xF];
    h >>= 4;
  }
  return out;
}

// The discriminated fingerprint: the base, then `parts`, each a field.
std::string extend_fingerprint(std::string_view base,
                               std::initializer_list<std::string_view> parts) {
  std::uint64_t h = feed_field(kFnv64Offset, kFingerprintTag);
  h = feed_field(h, "discriminated");
  h = feed_field(h, base);
  for (std::string_view p : parts) h = feed_field(h, p);
  return to_hex16(h);
}

std::string conditions_text(const Finding& f) {
  std::string out;
  for (const ConditionClause& c : f.conditions) {
    out += '|';
    for (const ConditionTerm& t : c) {
      out += t.name;
      out += t.value ? "=1;" : "=0;";
    }
  }
  return out;
}

}  // namespace

namespace {

/// The state after the version tag, the same for every fingerprint.
std::uint64_t tagged_state() {
  static const std::uint64_t state = feed_field(kFnv64Offset, kFingerprintTag);
  return state;
}

/// `compute_fingerprint`'s hash, for a file already normalized.
std::uint64_t fingerprint_hash(std::string_view policy_id, std::string_view normalized_file,
                               std::string_view logical_id, std::string_view property_path) {
  std::uint64_t h = feed_field(tagged_state(), policy_id);
  h = feed_field(h, normalized_file);
  h = feed_field(h, logical_id);
  return feed_field(h, property_path);
}

}  // namespace

void assign_fingerprints(std::vector<Finding>& findings, std::string_view template_file,
                         std::string_view report_file) {
  // The base hashes, then how many findings share each (sorted copies: a template has few).
  std::vector<std::uint64_t> base(findings.size());
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    base[i] = f.location.file == template_file
                  ? fingerprint_hash(f.policy_id, report_file, f.resource, f.property_path)
                  : fingerprint_hash(f.policy_id, normalize_report_path(f.location.file),
                                     f.resource, f.property_path);
    findings[i].fingerprint = to_hex16(base[i]);
  }
  std::vector<std::uint64_t> sorted = base;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end()) return;  // all alone
  std::unordered_map<std::string, std::size_t> used;  // discriminated fingerprint -> uses so far
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const auto [lo, hi] = std::equal_range(sorted.begin(), sorted.end(), base[i]);
    if (hi - lo == 1) continue;
    Finding& f = findings[i];
    std::string fp = extend_fingerprint(f.fingerprint, {f.message, conditions_text(f)});
    std::size_t& n = used[fp];
    ++n;
    // Identical in every field: the ordinal among them (1-based) tells them apart.
    if (n > 1) fp = extend_fingerprint(fp, {std::to_string(n)});
    f.fingerprint = std::move(fp);
  }
}

std::string compute_fingerprint(std::string_view policy_id, std::string_view relative_file,
                                std::string_view logical_id, std::string_view property_path) {
  return to_hex16(
      fingerprint_hash(policy_id, normalize_report_path(relative_file), logical_id, property_path));
}

}  // namespace polc
