// D9: the result cache is an input others may write (a cache shared between pull requests, or
// one inside the scanned tree). Every record carries an HMAC-SHA-256 tag under a key only the
// user (or the CI's secret store) has, so a forged record is ignored with a warning and its file
// is checked again; the key comes from POLC_CACHE_KEY or a 0600 key file outside the cache.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "engine/scan/cache.h"
#include "engine/base/digest.h"
#include "tests/robust_util.h"

using namespace polc;
namespace fs = std::filesystem;
using polc::test::TempDir;

namespace {

constexpr std::string_view kKeyA = "first-cache-key-0123456789abcdef";
constexpr std::string_view kKeyB = "other-cache-key-0123456789abcdef";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

FileOutcome violating() {
  FileOutcome o;
  o.status = FileOutcome::Status::kChecked;
  Finding f;
  f.policy_id = "POLC-NET-001";
  f.policy_name = "vpce-sg-no-implicit-egress";
  f.resource = "SG";
  f.message = "violation";
  o.findings.push_back(f);
  return o;
}

/// Sets (or unsets, with nullopt) an environment variable for the scope.
class EnvVar {
 public:
  EnvVar(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value->c_str(), 1);
    else ::unsetenv(name);
  }
  ~EnvVar() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("a forged cache record is ignored and the file checked again", "[cache][security]") {
  TempDir tmp("cachekey");
  const std::string dir = (tmp.path() / "c").string();
  const std::string tmpl = tmp.write("t.yaml", "Resources: {}\n");
  const std::string bytes = slurp(tmpl);
  std::string error, key;
  FileOutcome out;
  {
    auto c = DiskCache::open(dir, "ctx", 1u << 30, kKeyA, error);
    REQUIRE(c);
    CHECK_FALSE(c->lookup(tmpl, bytes, key, out));
    c->store(key, violating());
    c->flush();
  }
  std::vector<std::string> segs;
  {
    auto c = DiskCache::open(dir, "ctx", 1u << 30, kKeyA, error);
    REQUIRE(c->lookup(tmpl, bytes, key, out));  // the honest record is served
    CHECK(out.findings.size() == 1);
    segs = c->segment_paths();
  }
  REQUIRE(segs.size() == 1);
  const std::string seg = slurp(segs[0]);
  REQUIRE(seg.starts_with("polcseg3"));
  // The attacker's segment: the same record key with an empty payload ("checked, clean"), and
  // every tag an attacker can compute without the cache key (zero, the old unkeyed checksum
  // scheme, an HMAC under another key).
  const std::string record_key = seg.substr(8, 16);
  const std::string length(4, '\0');
  for (const std::string& tag :
       {std::string(16, '\0'), std::string(16, '\xff'),
        [&] {
          const Digest256 d = hmac_sha256(kKeyB, {"polc cache record tag"});
          const Digest256 t = hmac_sha256(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()),
                                          {record_key + length, ""});
          return std::string(reinterpret_cast<const char*>(t.data()), 16);
        }()}) {
    fs::remove(segs[0]);
    std::ofstream(segs[0], std::ios::binary) << "polcseg3" + record_key + length + tag;
    auto c = DiskCache::open(dir, "ctx", 1u << 30, kKeyA, error);
    CHECK_FALSE(c->lookup(tmpl, bytes, key, out));  // a miss: the scanner checks the file
    auto warnings = c->take_warnings();
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].message.find("tag mismatch") != std::string::npos);
    CHECK(warnings[0].severity == DiagSeverity::kWarning);
  }
  // A cache written under one key serves nothing under another: its lookup keys differ too.
  {
    fs::remove_all(dir);
    auto a = DiskCache::open(dir, "ctx", 1u << 30, kKeyA, error);
    std::string ka, kb;
    a->lookup(tmpl, bytes, ka, out);
    a->store(ka, violating());
    a->flush();
    auto b = DiskCache::open(dir, "ctx", 1u << 30, kKeyB, error);
    CHECK_FALSE(b->lookup(tmpl, bytes, kb, out));
    CHECK(ka != kb);
  }
  // A key shorter than kMinCacheKeyBytes is refused.
  CHECK_FALSE(DiskCache::open(dir, "ctx", 1u << 30, "short", error));
  CHECK(error.find("at least") != std::string::npos);
}

TEST_CASE("the cache key comes from POLC_CACHE_KEY or a private key file", "[cache][security]") {
  TempDir tmp("cachekey");
  const std::string cache = (tmp.path() / "cache").string();
  std::string key, source, error;
  SECTION("the environment") {
    EnvVar env("POLC_CACHE_KEY", "from-the-ci-secret-store-0123456789");
    REQUIRE(load_cache_key(cache, key, source, error));
    CHECK(key == "from-the-ci-secret-store-0123456789");
    CHECK(source == "POLC_CACHE_KEY");
    EnvVar shorter("POLC_CACHE_KEY", std::string(kMinCacheKeyBytes - 1, 'k'));
    CHECK_FALSE(load_cache_key(cache, key, source, error));
    CHECK(error.find("POLC_CACHE_KEY") != std::string::npos);
    EnvVar at_limit("POLC_CACHE_KEY", std::string(kMinCacheKeyBytes, 'k'));
    CHECK(load_cache_key(cache, key, source, error));
  }
  SECTION("the key file") {
    EnvVar env("POLC_CACHE_KEY", std::nullopt);
    EnvVar xdg("XDG_CONFIG_HOME", (tmp.path() / "config").string());
    const fs::path file = tmp.path() / "config" / "polc" / "cache-key";
    REQUIRE(load_cache_key(cache, key, source, error));
    CHECK(source == file.string());
    CHECK(key.size() == 32);
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    std::string again;
    REQUIRE(load_cache_key(cache, again, source, error));
    CHECK(again == key);  // the same key on every run
    // Readable by others: refused, not used.
    ::chmod(file.c_str(), 0644);
    CHECK_FALSE(load_cache_key(cache, again, source, error));
    CHECK(error.find("0600") != std::string::npos);
    // A symlink to another file: refused.
    ::chmod(file.c_str(), 0600);
    fs::rename(file, tmp.path() / "elsewhere");
    fs::create_symlink(tmp.path() / "elsewhere", file);
    CHECK_FALSE(load_cache_key(cache, again, source, error));
    CHECK(error.find("symlink") != std::string::npos);
    // A key file inside the cache directory (which others may write): refused.
    fs::remove(file);
    fs::rename(tmp.path() / "elsewhere", file);
    CHECK_FALSE(load_cache_key((tmp.path() / "config").string(), again, source, error));
    CHECK(error.find("inside the cache directory") != std::string::npos);
  }
}

TEST_CASE("the cache context covers the data tables built into polc", "[cache]") {
  // A rebuilt polc whose schema, SAM or IAM table changed (at the same version) must not reuse
  // an outcome the old table gave.
  const std::vector<std::string_view> tables = embedded_data_tables();
  REQUIRE(tables.size() == 4);
  for (std::string_view t : tables) CHECK(t.size() > 1000);  // each table is really built in
  const std::vector<std::string> ids = {"POLC-NET-001"};
  const SuppressionOptions supp;
  const std::string built_in = cache_context("bundle", ids, supp);
  CHECK(built_in == cache_context("bundle", ids, supp, tables));
  for (std::size_t i = 0; i < tables.size(); ++i) {
    // One byte more in table i: another context.
    std::vector<std::string> changed_text(tables.begin(), tables.end());
    changed_text[i] += ' ';
    const std::vector<std::string_view> changed(changed_text.begin(), changed_text.end());
    CHECK(cache_context("bundle", ids, supp, changed) != built_in);
  }
  CHECK(cache_context("bundle", ids, supp, {}) != built_in);
}
