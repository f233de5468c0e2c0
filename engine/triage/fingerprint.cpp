#include "engine/triage/fingerprint.h"

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

std::string compute_fingerprint(std::string_view policy_id, std::string_view relative_file,
                                std::string_view logical_id, std::string_view property_path) {
  std::uint64_t h = feed_field(kFnv64Offset, kFingerprintTag);
  h = feed_field(h, policy_id);
  h = feed_field(h, normalize_report_path(relative_file));
  h = feed_field(h, logical_id);
  h = feed_field(h, property_path);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kHex[h & 0xF];
    h >>= 4;
  }
  return out;
}

}  // namespace polc
