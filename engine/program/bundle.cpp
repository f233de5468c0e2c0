#include "engine/program/bundle.h"

#include <cstring>

#include "engine/base/digest.h"
#include "engine/base/limits.h"
#include "engine/program/builtins.h"

namespace polc {
namespace {

constexpr char kMagic[8] = {'P', 'O', 'L', 'C', 'B', 'N', 'D', 'L'};
// Bounds on counts read from a bundle, so a crafted header cannot make us allocate wildly.
constexpr std::uint32_t kMaxBundleItems = 1u << 20;
constexpr int kMaxConstantDepth = 64;

class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }
  void strs(const std::vector<std::string>& v) {
    u32(static_cast<std::uint32_t>(v.size()));
    for (const auto& s : v) str(s);
  }
  void constant(const Constant& c) {
    u8(static_cast<std::uint8_t>(c.kind));
    switch (c.kind) {
      case VKind::kBool: u8(c.boolean ? 1 : 0); break;
      case VKind::kInt: u64(static_cast<std::uint64_t>(c.integer)); break;
      case VKind::kFloat: {
        std::uint64_t bits;
        std::memcpy(&bits, &c.number, 8);
        u64(bits);
        break;
      }
      case VKind::kString: str(c.text); break;
      case VKind::kList:
        u32(static_cast<std::uint32_t>(c.items.size()));
        for (const auto& i : c.items) constant(i);
        break;
      case VKind::kMap:
        u32(static_cast<std::uint32_t>(c.items.size()));
        for (std::size_t i = 0; i < c.items.size(); ++i) {
          str(i < c.keys.size() ? c.keys[i] : std::string());
          constant(c.items[i]);
        }
        break;
      default: break;
    }
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == b_.size(); }
  std::uint8_t u8() {
    if (pos_ + 1 > b_.size()) return fail(), 0;
    return static_cast<std::uint8_t>(b_[pos_++]);
  }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(u8()) << (8 * i);
    return v;
  }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(u8()) << (8 * i);
    return v;
  }
  std::uint32_t count() {
    std::uint32_t n = u32();
    if (n > kMaxBundleItems || n > b_.size() - pos_ + 1) return fail(), 0;
    return n;
  }
  std::string str() {
    std::uint32_t n = u32();
    if (!ok_ || n > b_.size() - pos_) return fail(), std::string();
    std::string s(b_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::vector<std::string> strs() {
    std::vector<std::string> v(count());
    for (auto& s : v) s = str();
    return v;
  }
  Constant constant(int depth = 0) {
    Constant c;
    if (depth > kMaxConstantDepth) return fail(), c;
    std::uint8_t k = u8();
    if (k > static_cast<std::uint8_t>(VKind::kMap)) return fail(), c;
    c.kind = static_cast<VKind>(k);
    switch (c.kind) {
      case VKind::kNull: break;
      case VKind::kBool: c.boolean = u8() != 0; break;
      case VKind::kInt: c.integer = static_cast<std::int64_t>(u64()); break;
      case VKind::kFloat: {
        std::uint64_t bits = u64();
        std::memcpy(&c.number, &bits, 8);
        break;
      }
      case VKind::kString: c.text = str(); break;
      case VKind::kList: {
        std::uint32_t n = count();
        for (std::uint32_t i = 0; i < n && ok_; ++i) c.items.push_back(constant(depth + 1));
        break;
      }
      case VKind::kMap: {
        std::uint32_t n = count();
        for (std::uint32_t i = 0; i < n && ok_; ++i) {
          c.keys.push_back(str());
          c.items.push_back(constant(depth + 1));
        }
        break;
      }
      default: fail(); break;
    }
    return c;
  }
  void fail() { ok_ = false; }

 private:
  std::string_view b_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

std::string save_bundle(const PolicySet& set) {
  Writer w;
  for (char c : kMagic) w.u8(static_cast<std::uint8_t>(c));
  w.u32(kBundleFormatVersion);
  w.str(POLC_VERSION);
  w.u32(static_cast<std::uint32_t>(builtin_count()));
  w.u32(static_cast<std::uint32_t>(set.sources.size()));
  for (const auto& s : set.sources) {
    w.str(s->path());
    w.str(s->text());
  }
  w.u32(static_cast<std::uint32_t>(set.globals.size()));
  for (const auto& g : set.globals) {
    w.str(g.name);
    w.constant(g.value);
  }
  w.u32(static_cast<std::uint32_t>(set.chunks.size()));
  for (const auto& c : set.chunks) {
    w.str(c.name);
    w.u32(c.source);
    w.u8(c.arity);
    w.u8(c.num_locals);
    w.str(std::string_view(reinterpret_cast<const char*>(c.code.data()), c.code.size()));
    w.u32(static_cast<std::uint32_t>(c.offsets.size()));
    for (std::uint32_t o : c.offsets) w.u32(o);
    w.u32(static_cast<std::uint32_t>(c.constants.size()));
    for (const auto& k : c.constants) w.constant(k);
  }
  w.u32(static_cast<std::uint32_t>(set.policies.size()));
  for (const auto& p : set.policies) {
    const PolicyInfo& i = p.info;
    w.str(i.id);
    w.str(i.name);
    w.str(i.title);
    w.u8(static_cast<std::uint8_t>(i.severity));
    w.str(i.description);
    w.str(i.remediation);
    w.str(i.docs_url);
    w.strs(i.tags);
    w.strs(i.aliases);
    w.strs(i.applies_to);
    w.str(i.source_file);
    w.u32(static_cast<std::uint32_t>(p.subject_rules.size()));
    for (const auto& r : p.subject_rules) {
      w.str(r.resource_type);
      w.u32(r.chunk);
    }
    w.u32(static_cast<std::uint32_t>(p.template_chunk));
    w.u32(static_cast<std::uint32_t>(p.report_sites.size()));
    for (const auto& s : p.report_sites) {
      w.u32(s.offset);
      w.u8(s.has_at);
      w.u8(s.has_message);
      w.u32(static_cast<std::uint32_t>(s.related.size()));
      for (const auto& r : s.related) w.u8(r.is_collection);
      w.u8(s.has_severity);
      w.u8(static_cast<std::uint8_t>(s.severity));
    }
    w.u32(p.source);
    w.u8(p.builtin);
  }
  std::string out = w.take();
  const Digest256 d = sha256(out);
  out.append(reinterpret_cast<const char*>(d.data()), d.size());
  return out;
}

std::unique_ptr<PolicySet> load_bundle(std::string_view bytes, std::string& error) {
  return load_bundle(bytes, error, BundleOrigin::kFile);
}

std::unique_ptr<PolicySet> load_bundle(std::string_view bytes, std::string& error,
                                       BundleOrigin origin) {
  if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    error = "not a polc bundle (bad magic); create one with 'polc compile POLICIES -o FILE'";
    return nullptr;
  }
  // The contents' SHA-256 comes last and is checked before anything else is read: any change
  // to the bytes (a flipped bit, a truncation, an edit) is a load error, never a different but
  // valid-looking policy set. Checked before the version, so a damaged header says so too.
  if (bytes.size() < sizeof(kMagic) + kBundleDigestBytes) {
    error = "corrupted bundle (truncated); recompile it with 'polc compile'";
    return nullptr;
  }
  const std::string_view body = bytes.substr(0, bytes.size() - kBundleDigestBytes);
  const Digest256 want = origin == BundleOrigin::kFile ? sha256(body) : Digest256{};
  if (origin == BundleOrigin::kFile && !equal_constant_time(bytes.substr(body.size()),
                           std::string_view(reinterpret_cast<const char*>(want.data()), want.size()))) {
    error = "corrupted bundle (its SHA-256 does not match its contents); recompile it with 'polc compile'";
    return nullptr;
  }
  Reader r(body.substr(sizeof(kMagic)));
  std::uint32_t format = r.u32();
  std::string version = r.str();
  std::uint32_t builtins = r.u32();
  if (!r.ok()) {
    error = "truncated bundle header";
    return nullptr;
  }
  if (format != kBundleFormatVersion || version != POLC_VERSION || builtins != builtin_count()) {
    error = "bundle was compiled by polc " + version + " (bundle format " + std::to_string(format) + "); this is polc " +
            POLC_VERSION + " (bundle format " + std::to_string(kBundleFormatVersion) +
            "): recompile it with 'polc compile'";
    return nullptr;
  }
  auto set = std::make_unique<PolicySet>();
  std::uint32_t n = r.count();
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    std::string path = r.str();
    std::string text = r.str();
    set->sources.push_back(std::make_unique<SourceFile>(std::move(path), std::move(text)));
  }
  n = r.count();
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    GlobalSlot g;
    g.name = r.str();
    g.value = r.constant();
    set->globals.push_back(std::move(g));
  }
  n = r.count();
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    Chunk c;
    c.name = r.str();
    c.source = r.u32();
    c.arity = r.u8();
    c.num_locals = r.u8();
    std::string code = r.str();
    c.code.assign(code.begin(), code.end());
    std::uint32_t no = r.count();
    for (std::uint32_t k = 0; k < no && r.ok(); ++k) c.offsets.push_back(r.u32());
    std::uint32_t nc = r.count();
    if (nc > kMaxConstants) r.fail();
    for (std::uint32_t k = 0; k < nc && r.ok(); ++k) c.constants.push_back(r.constant());
    if (c.source >= set->sources.size() || c.arity > c.num_locals) r.fail();
    set->chunks.push_back(std::move(c));
  }
  n = r.count();
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    CompiledPolicy p;
    PolicyInfo& info = p.info;
    info.id = r.str();
    info.name = r.str();
    info.title = r.str();
    std::uint8_t sev = r.u8();
    if (sev > static_cast<std::uint8_t>(Severity::kInfo)) r.fail();
    info.severity = static_cast<Severity>(sev);
    info.description = r.str();
    info.remediation = r.str();
    info.docs_url = r.str();
    info.tags = r.strs();
    info.aliases = r.strs();
    info.applies_to = r.strs();
    info.source_file = r.str();
    std::uint32_t nr = r.count();
    for (std::uint32_t k = 0; k < nr && r.ok(); ++k) {
      SubjectRule rule;
      rule.resource_type = r.str();
      rule.chunk = r.u32();
      p.subject_rules.push_back(std::move(rule));
    }
    p.template_chunk = static_cast<std::int32_t>(r.u32());
    std::uint32_t ns = r.count();
    for (std::uint32_t k = 0; k < ns && r.ok(); ++k) {
      ReportSite s;
      s.offset = r.u32();
      s.has_at = r.u8() != 0;
      s.has_message = r.u8() != 0;
      std::uint32_t nrel = r.count();
      for (std::uint32_t j = 0; j < nrel && r.ok(); ++j) s.related.push_back({r.u8() != 0});
      s.has_severity = r.u8() != 0;
      std::uint8_t ss = r.u8();
      if (ss > static_cast<std::uint8_t>(Severity::kInfo)) r.fail();
      s.severity = static_cast<Severity>(ss);
      p.report_sites.push_back(std::move(s));
    }
    p.source = r.u32();
    p.builtin = r.u8() != 0;
    if (p.source >= set->sources.size()) r.fail();
    set->policies.push_back(std::move(p));
  }
  if (!r.ok() || !r.at_end()) {
    error = "corrupted bundle (truncated or inconsistent data); recompile it with 'polc compile'";
    return nullptr;
  }
  std::string verr = verify_policy_set(*set, builtin_count());
  if (!verr.empty()) {
    error = "bundle rejected by the bytecode verifier: " + verr;
    return nullptr;
  }
  return set;
}

}  // namespace polc
