// In a `*.tests.yaml` file: the policy a `policy:` key names (docs/testing.md), for hover (its
// header) and go to definition (its declaration). The policy is looked up as `polc test` does:
// in the partner `X.polc`, else among the `.polc` files of the same folder, by name or id.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/lsp/features_internal.h"
#include "engine/base/limits.h"

namespace polc::lsp::detail {
namespace {

/// Files of a folder looked at for a test file's policy (a folder of policies, not a tree).
constexpr std::size_t kMaxPolicyFilesSearched = 256;

bool read_policy(const std::string& path, std::string& out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec) ||
      std::filesystem::file_size(path, ec) > kMaxPolicyBytes || ec)
    return false;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return static_cast<bool>(in) || in.eof();
}

std::string unquote(std::string_view v) {
  while (!v.empty() && (v.back() == ' ' || v.back() == '\r' || v.back() == '\t'))
    v.remove_suffix(1);
  if (std::size_t hash = v.find(" #"); hash != std::string_view::npos) v = v.substr(0, hash);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
    v = v.substr(1, v.size() - 2);
  return std::string(v);
}

}  // namespace

std::optional<TestsPolicyRef> tests_policy_at(const Workspace& ws, const OpenDocument& doc,
                                              std::uint32_t offset) {
  const std::string& t = doc.text;
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(t.size()));
  std::size_t b = t.rfind('\n', offset == 0 ? 0 : offset - 1);
  b = (b == std::string::npos || offset == 0) ? 0 : b + 1;
  std::size_t e = t.find('\n', offset);
  if (e == std::string::npos) e = t.size();
  std::string_view line = std::string_view(t).substr(b, e - b);
  std::size_t k = line.find_first_not_of(" \t-");
  if (k == std::string_view::npos || line.substr(k).rfind("policy:", 0) != 0) return std::nullopt;
  const std::size_t value_begin = b + k + 7;
  if (offset < value_begin) return std::nullopt;
  const std::string_view value = std::string_view(t).substr(value_begin, e - value_begin);
  const std::size_t first = value.find_first_not_of(' ');
  if (first == std::string_view::npos) return std::nullopt;
  const std::string name = unquote(value.substr(first));
  if (name.empty()) return std::nullopt;
  TestsPolicyRef ref;
  ref.value_begin = static_cast<std::uint32_t>(value_begin);
  ref.value_end = static_cast<std::uint32_t>(e);
  // The partner first, then the folder's other policy files, in name order.
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  std::string stem = doc.path;
  for (std::string_view suffix : {".tests.yaml", ".tests.yml"})
    if (stem.ends_with(suffix)) stem.resize(stem.size() - suffix.size());
  files.push_back(stem + ".polc");
  std::error_code ec;
  const fs::path dir = fs::path(doc.path).parent_path();
  std::vector<std::string> others;
  for (const auto& entry : fs::directory_iterator(dir.empty() ? fs::path(".") : dir, ec)) {
    if (others.size() >= kMaxPolicyFilesSearched) break;
    if (entry.path().extension() == ".polc" && entry.path().string() != files[0])
      others.push_back(entry.path().string());
  }
  std::sort(others.begin(), others.end());
  files.insert(files.end(), others.begin(), others.end());
  for (const std::string& f : files) {
    std::string text;
    const OpenDocument* open = ws.find(path_to_uri(f));
    if (open)
      text = open->text;
    else if (!read_policy(f, text))
      continue;
    auto idx = std::make_shared<TextIndex>(text);
    for (const Decl& d : idx->decls()) {
      if (d.kind != DeclKind::kPolicy) continue;
      bool match = d.name == name;
      for (const auto& [key, value] : idx->policy_header(d))
        if (key == "id" && unquote(value) == name) match = true;
      if (!match) continue;
      ref.path = f;
      ref.index = idx;
      ref.decl = d;
      return ref;
    }
  }
  return std::nullopt;
}

}  // namespace polc::lsp::detail
