// A compact binary encoding of `PolicySet` for the verifier fuzz target, and its seed writer.
//
// This is not the bundle format (engine/program/bundle.h): it is a fuzzing-friendly encoding in which
// every byte string decodes to *some* PolicySet (missing bytes read as zero, counts are
// clamped), so libFuzzer explores chunks, operands and cross-references rather than framing.
// `encode` turns a compiled set into bytes that decode back to it, for seed corpora.
// Header-only; used by fuzz_verifier.cpp and verifier_seeds.cpp.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/program/bytecode.h"

namespace polc::fuzz {

inline constexpr std::size_t kMaxChunks = 16;
inline constexpr std::size_t kMaxCode = 4096;
inline constexpr std::size_t kMaxConst = 64;
inline constexpr std::size_t kMaxConstDepth = 4;
inline constexpr const char* kTypes[] = {"*", "AWS::S3::Bucket", "AWS::EC2::SecurityGroup",
                                         "AWS::EC2::VPCEndpoint", "AWS::*"};

class Reader {
 public:
  Reader(const std::uint8_t* d, std::size_t n) : d_(d), n_(n) {}
  std::uint8_t u8() { return at_ < n_ ? d_[at_++] : 0; }
  std::uint16_t u16() { return static_cast<std::uint16_t>(u8() | (u8() << 8)); }
  std::uint32_t u32() {
    return static_cast<std::uint32_t>(u16()) | (static_cast<std::uint32_t>(u16()) << 16);
  }
  std::uint64_t u64() {
    return static_cast<std::uint64_t>(u32()) | (static_cast<std::uint64_t>(u32()) << 32);
  }
  std::string str(std::size_t max) {
    std::size_t len = std::min<std::size_t>(u16(), max);
    std::string s;
    for (std::size_t i = 0; i < len && at_ < n_; ++i) s.push_back(static_cast<char>(u8()));
    return s;
  }

 private:
  const std::uint8_t* d_;
  std::size_t n_;
  std::size_t at_ = 0;
};

class Writer {
 public:
  void u8(std::uint64_t v) { out.push_back(static_cast<std::uint8_t>(v)); }
  void u16(std::uint64_t v) { u8(v), u8(v >> 8); }
  void u32(std::uint64_t v) { u16(v), u16(v >> 16); }
  void u64(std::uint64_t v) { u32(v), u32(v >> 32); }
  void str(const std::string& s) {
    u16(s.size());
    out.insert(out.end(), s.begin(), s.end());
  }
  std::vector<std::uint8_t> out;
};

inline Constant read_constant(Reader& r, std::size_t depth) {
  Constant c;
  c.kind = static_cast<VKind>(r.u8() % 7);
  switch (c.kind) {
    case VKind::kBool:
      c.boolean = r.u8() & 1;
      break;
    case VKind::kInt:
      c.integer = static_cast<std::int64_t>(r.u64());
      break;
    case VKind::kFloat: {
      std::uint64_t bits = r.u64();
      std::memcpy(&c.number, &bits, sizeof bits);
      break;
    }
    case VKind::kString:
      c.text = r.str(256);
      break;
    case VKind::kList:
    case VKind::kMap: {
      std::size_t n = depth < kMaxConstDepth ? r.u8() % 8 : 0;
      for (std::size_t i = 0; i < n; ++i) {
        if (c.kind == VKind::kMap) c.keys.push_back(r.str(64));
        c.items.push_back(read_constant(r, depth + 1));
      }
      break;
    }
    default:
      break;
  }
  return c;
}

inline void write_constant(Writer& w, const Constant& c) {
  w.u8(static_cast<std::uint8_t>(c.kind));
  switch (c.kind) {
    case VKind::kBool:
      w.u8(c.boolean);
      break;
    case VKind::kInt:
      w.u64(static_cast<std::uint64_t>(c.integer));
      break;
    case VKind::kFloat: {
      std::uint64_t bits;
      std::memcpy(&bits, &c.number, sizeof bits);
      w.u64(bits);
      break;
    }
    case VKind::kString:
      w.str(c.text);
      break;
    case VKind::kList:
    case VKind::kMap:
      w.u8(c.items.size());
      for (std::size_t i = 0; i < c.items.size(); ++i) {
        if (c.kind == VKind::kMap) w.str(i < c.keys.size() ? c.keys[i] : std::string());
        write_constant(w, c.items[i]);
      }
      break;
    default:
      break;
  }
}

/// Decodes `data` into a set whose one policy source is `source_text`. Never fails.
inline std::unique_ptr<PolicySet> decode(const std::uint8_t* data, std::size_t size,
                                         const std::string& source_text) {
  Reader r(data, size);
  auto set = std::make_unique<PolicySet>();
  set->sources.push_back(std::make_unique<SourceFile>("fuzz.polc", source_text));
  std::size_t nchunks = r.u8() % (kMaxChunks + 1);
  std::size_t nglobals = r.u8() % 5;
  std::size_t npolicies = r.u8() % 3;
  for (std::size_t i = 0; i < nglobals; ++i)
    set->globals.push_back({"g" + std::to_string(i), read_constant(r, 0)});
  for (std::size_t i = 0; i < nchunks; ++i) {
    Chunk c;
    c.name = "chunk" + std::to_string(i);
    c.arity = r.u8();
    c.num_locals = r.u8();
    std::size_t len = std::min<std::size_t>(r.u16(), kMaxCode);
    for (std::size_t k = 0; k < len; ++k) c.code.push_back(r.u8());
    std::uint32_t base = r.u32();
    for (std::size_t k = 0; k < len; ++k)
      c.offsets.push_back(base == 0 ? 0 : base + static_cast<std::uint32_t>(k));
    std::size_t nconst = std::min<std::size_t>(r.u8(), kMaxConst);
    for (std::size_t k = 0; k < nconst; ++k) c.constants.push_back(read_constant(r, 0));
    set->chunks.push_back(std::move(c));
  }
  for (std::size_t i = 0; i < npolicies; ++i) {
    CompiledPolicy p;
    p.info.id = "F-" + std::to_string(i);
    p.info.name = "fuzz-" + std::to_string(i);
    p.info.severity = static_cast<Severity>(r.u8() % 5);
    std::size_t nrules = r.u8() % 5;
    for (std::size_t k = 0; k < nrules; ++k) {
      SubjectRule rule;
      rule.resource_type = kTypes[r.u8() % (sizeof kTypes / sizeof kTypes[0])];
      rule.chunk = r.u16();
      p.subject_rules.push_back(rule);
    }
    p.template_chunk = static_cast<std::int16_t>(r.u16());
    std::size_t nsites = r.u8() % 9;
    for (std::size_t k = 0; k < nsites; ++k) {
      ReportSite s;
      std::uint8_t flags = r.u8();
      s.has_at = flags & 1;
      s.has_message = flags & 2;
      s.has_severity = flags & 4;
      s.severity = static_cast<Severity>((flags >> 3) % 5);
      std::size_t nrel = r.u8() % 5;
      for (std::size_t j = 0; j < nrel; ++j) s.related.push_back({(r.u8() & 1) != 0});
      s.offset = r.u16();
      p.report_sites.push_back(s);
    }
    set->policies.push_back(std::move(p));
  }
  return set;
}

/// Encodes `set` so that `decode` gives back its chunks, globals and (up to two) policies.
/// Offsets are not kept (every chunk's map becomes all zeros).
inline std::vector<std::uint8_t> encode(const PolicySet& set) {
  Writer w;
  w.u8(std::min(set.chunks.size(), kMaxChunks));
  w.u8(std::min<std::size_t>(set.globals.size(), 4));
  w.u8(std::min<std::size_t>(set.policies.size(), 2));
  for (std::size_t i = 0; i < set.globals.size() && i < 4; ++i)
    write_constant(w, set.globals[i].value);
  for (std::size_t i = 0; i < set.chunks.size() && i < kMaxChunks; ++i) {
    const Chunk& c = set.chunks[i];
    w.u8(c.arity);
    w.u8(c.num_locals);
    w.u16(c.code.size());
    for (auto b : c.code) w.u8(b);
    w.u32(0);
    std::size_t nconst = std::min(c.constants.size(), kMaxConst);
    w.u8(nconst);
    for (std::size_t k = 0; k < nconst; ++k) write_constant(w, c.constants[k]);
  }
  for (std::size_t i = 0; i < set.policies.size() && i < 2; ++i) {
    const CompiledPolicy& p = set.policies[i];
    w.u8(static_cast<std::uint8_t>(p.info.severity));
    w.u8(std::min<std::size_t>(p.subject_rules.size(), 4));
    for (std::size_t k = 0; k < p.subject_rules.size() && k < 4; ++k) {
      std::size_t t = 0;
      for (std::size_t j = 0; j < sizeof kTypes / sizeof kTypes[0]; ++j)
        if (p.subject_rules[k].resource_type == kTypes[j]) t = j;
      w.u8(t);
      w.u16(p.subject_rules[k].chunk);
    }
    w.u16(static_cast<std::uint16_t>(p.template_chunk));
    w.u8(std::min<std::size_t>(p.report_sites.size(), 8));
    for (std::size_t k = 0; k < p.report_sites.size() && k < 8; ++k) {
      const ReportSite& s = p.report_sites[k];
      w.u8((s.has_at ? 1 : 0) | (s.has_message ? 2 : 0) | (s.has_severity ? 4 : 0) |
           (static_cast<int>(s.severity) << 3));
      w.u8(std::min<std::size_t>(s.related.size(), 4));
      for (std::size_t j = 0; j < s.related.size() && j < 4; ++j) w.u8(s.related[j].is_collection);
      w.u16(s.offset);
    }
  }
  return w.out;
}

}  // namespace polc::fuzz
