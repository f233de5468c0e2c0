#include "engine/schema/iam_actions.h"

#include <algorithm>
#include <string>

#include "engine/base/limits.h"

// POLC_IAM_ACCESS_LEVELS_PATH is set by CMakeLists.txt (with the file's hash, so that ccache,
// which does not see `.incbin` inputs, recompiles this file when the table changes).
#ifndef POLC_IAM_ACCESS_LEVELS_PATH
#error "POLC_IAM_ACCESS_LEVELS_PATH must name data/iam/access-levels.txt"
#endif

__asm__(
    ".section .rodata\n"
    ".global polc_iam_access_levels_begin\n"
    ".hidden polc_iam_access_levels_begin\n"
    ".global polc_iam_access_levels_end\n"
    ".hidden polc_iam_access_levels_end\n"
    ".balign 16\n"
    "polc_iam_access_levels_begin:\n"
    ".incbin \"" POLC_IAM_ACCESS_LEVELS_PATH
    "\"\n"
    "polc_iam_access_levels_end:\n"
    ".byte 0\n"
    ".previous\n");

extern "C" const char polc_iam_access_levels_begin[];
extern "C" const char polc_iam_access_levels_end[];

namespace polc::schema {
namespace {

constexpr std::size_t kLevels = 3;

char lower_ascii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// `pattern` (`*`, `?`) against `action`, backtracking to the last `*`; with `kAnyCase`, letters
// compare in any case.
template <bool kAnyCase>
bool glob_match(std::string_view pattern, std::string_view action) {
  auto same = [](char a, char b) { return kAnyCase ? lower_ascii(a) == lower_ascii(b) : a == b; };
  std::size_t p = 0, a = 0;
  std::size_t star = std::string_view::npos, resume = 0;
  while (a < action.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || same(pattern[p], action[a]))) {
      ++p;
      ++a;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = a;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      a = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string lower_copy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower_ascii(c);
  return out;
}

// One action: its name's place in Table::display and, at the same offsets, Table::lower.
struct Entry {
  std::uint32_t offset;
  std::uint32_t length;
};

struct Table {
  std::string display;                   // "s3:PutObject" of every action, concatenated
  std::string lower;                     // the same, in lower case
  std::vector<Entry> by_level[kLevels];  // sorted by lower-case name
  std::string source;

  std::string_view name(const Entry& e) const { return {display.data() + e.offset, e.length}; }
  std::string_view key(const Entry& e) const { return {lower.data() + e.offset, e.length}; }
};

int level_index(char letter) {
  switch (letter) {
    case 'W':
      return static_cast<int>(IamAccessLevel::kWrite);
    case 'P':
      return static_cast<int>(IamAccessLevel::kPermissionsManagement);
    case 'T':
      return static_cast<int>(IamAccessLevel::kTagging);
    default:
      return -1;
  }
}

Table load() {
  Table t;
  std::string_view text(
      polc_iam_access_levels_begin,
      static_cast<std::size_t>(polc_iam_access_levels_end - polc_iam_access_levels_begin));
  t.display.reserve(text.size());
  constexpr std::string_view kSource = "# source: ";
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.starts_with(kSource)) {
      line.remove_prefix(kSource.size());
      t.source = std::string(line.substr(0, line.find(',')));
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    // <prefix>\t<W|P|T>\t<Action> <Action> ...
    const std::size_t tab1 = line.find('\t');
    if (tab1 == std::string_view::npos || tab1 + 3 > line.size() || line[tab1 + 2] != '\t')
      continue;
    const int level = level_index(line[tab1 + 1]);
    if (level < 0) continue;
    const std::string_view prefix = line.substr(0, tab1);
    std::string_view names = line.substr(tab1 + 3);
    while (!names.empty()) {
      const std::size_t sp = names.find(' ');
      const std::string_view action = names.substr(0, sp);
      names.remove_prefix(sp == std::string_view::npos ? names.size() : sp + 1);
      if (action.empty()) continue;
      Entry e{static_cast<std::uint32_t>(t.display.size()),
              static_cast<std::uint32_t>(prefix.size() + 1 + action.size())};
      t.display.append(prefix).append(1, ':').append(action);
      t.by_level[level].push_back(e);
    }
  }
  t.lower = lower_copy(t.display);
  // The generator writes each level's names in ascending lower-case order; sort only a table
  // that is not (one edited by hand), since matching relies on the order.
  auto less = [&](const Entry& a, const Entry& b) { return t.key(a) < t.key(b); };
  for (auto& v : t.by_level)
    if (!std::is_sorted(v.begin(), v.end(), less)) std::sort(v.begin(), v.end(), less);
  return t;
}

const Table& table() {
  static const Table kTable = load();
  return kTable;
}

// A pattern, lower-cased, runs of `*` collapsed to one (the same matches), with the literal
// text before its first wildcard and the fewest characters a name it matches has.
struct Pattern {
  std::string text;
  std::size_t literal = 0;   // length of the prefix without `*` or `?`; text.size() when none
  std::size_t min_size = 0;  // characters other than `*`
};

Pattern make_pattern(std::string_view s) {
  Pattern p;
  p.text.reserve(s.size());
  for (char c : s) {
    if (c == '*' && !p.text.empty() && p.text.back() == '*') continue;
    p.text.push_back(lower_ascii(c));
    if (c != '*') ++p.min_size;
  }
  p.literal = std::min(p.text.find_first_of("*?"), p.text.size());
  return p;
}

// Whether `p` matches `key`; `work` grows by the bytes compared, at most.
bool pattern_matches(const Pattern& p, std::string_view key, std::uint64_t& work) {
  if (p.min_size > key.size()) return false;  // also keeps a huge pattern from costing more
  work += key.size();
  if (p.literal == p.text.size()) return key == p.text;
  return key.starts_with(std::string_view(p.text).substr(0, p.literal)) &&
         iam_glob_match(p.text, key);
}

}  // namespace

bool iam_glob_match(std::string_view pattern, std::string_view action) {
  return glob_match<false>(pattern, action);
}

std::optional<IamAccessLevel> iam_access_level_from_name(std::string_view name) {
  const std::string n = lower_copy(name);
  if (n == "write") return IamAccessLevel::kWrite;
  if (n == "permissions management") return IamAccessLevel::kPermissionsManagement;
  if (n == "tagging") return IamAccessLevel::kTagging;
  return std::nullopt;
}

void match_iam_actions(std::span<const std::string_view> patterns, IamAccessLevel level,
                       bool except, std::vector<std::string_view>& out, std::uint64_t& work) {
  const Table& t = table();
  const std::vector<Entry>& entries = t.by_level[static_cast<std::size_t>(level)];
  std::vector<Pattern> pats;
  pats.reserve(patterns.size());
  for (std::string_view s : patterns) {
    work += s.size();
    pats.push_back(make_pattern(s));
  }
  auto key_less = [&](const Entry& e, std::string_view k) { return t.key(e) < k; };
  if (except) {
    for (const Entry& e : entries) {
      const std::string_view key = t.key(e);
      ++work;
      if (std::none_of(pats.begin(), pats.end(),
                       [&](const Pattern& p) { return pattern_matches(p, key, work); }))
        out.push_back(t.name(e));
    }
    return;
  }
  std::vector<std::size_t> hits;
  for (const Pattern& p : pats) {
    const std::string_view literal = std::string_view(p.text).substr(0, p.literal);
    // "s3:Put*", "*": every name of the range that starts with the literal text matches.
    const bool prefix = p.literal + 1 == p.text.size() && p.text.back() == '*';
    auto it = std::lower_bound(entries.begin(), entries.end(), literal, key_less);
    work += literal.size();
    for (; it != entries.end() && t.key(*it).starts_with(literal); ++it) {
      ++work;
      if (prefix) {
        work += it->length;  // counted as pattern_matches counts it
        hits.push_back(static_cast<std::size_t>(it - entries.begin()));
        continue;
      }
      if (pattern_matches(p, t.key(*it), work))
        hits.push_back(static_cast<std::size_t>(it - entries.begin()));
      if (p.literal == p.text.size()) break;  // a literal name matches one entry at most
    }
  }
  // One pattern's hits come in table order; only several patterns' need sorting.
  if (!std::is_sorted(hits.begin(), hits.end())) std::sort(hits.begin(), hits.end());
  hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
  out.reserve(out.size() + hits.size());
  for (std::size_t i : hits) out.push_back(t.name(entries[i]));
}

void IamPatternSet::assign(std::span<const std::string_view> patterns, std::uint64_t& work) {
  text_.clear();
  items_.clear();
  for (std::string_view s : patterns) {
    work += s.size();
    Item it{s.data(), 0, static_cast<std::uint32_t>(s.size()), static_cast<std::uint32_t>(s.size()),
            0};
    bool run = false;  // a `*` right after a `*`
    for (std::size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      if (c == '*') {
        run = run || (i > 0 && s[i - 1] == '*');
      } else {
        ++it.min_size;
      }
      if ((c == '*' || c == '?') && it.literal == s.size())
        it.literal = static_cast<std::uint32_t>(i);
    }
    if (run) {  // runs of `*` collapsed (the same matches): a long run costs its length once
      it.data = nullptr;
      it.offset = static_cast<std::uint32_t>(text_.size());
      for (char c : s)
        if (c != '*' || text_.size() == it.offset || text_.back() != '*') text_.push_back(c);
      it.size = static_cast<std::uint32_t>(text_.size() - it.offset);
    }
    items_.push_back(it);
  }
}

namespace {
// Whether the first `n` characters of `a` and `b` are the same in any case.
bool equal_any_case(const char* a, const char* b, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (a[i] != b[i] && lower_ascii(a[i]) != lower_ascii(b[i])) return false;
  return true;
}
}  // namespace

bool IamPatternSet::matches(std::string_view name, std::uint64_t& work) const {
  ++work;
  for (const Item& it : items_) {
    if (it.min_size > name.size()) continue;
    work += name.size();
    const char* data = it.data ? it.data : text_.data() + it.offset;
    if (it.literal == it.size) {
      if (name.size() == it.size && equal_any_case(data, name.data(), it.size)) return true;
      continue;
    }
    if (equal_any_case(data, name.data(), it.literal) &&
        glob_match<true>(std::string_view(data, it.size), name))
      return true;
  }
  return false;
}

std::size_t iam_action_count(IamAccessLevel level) {
  return table().by_level[static_cast<std::size_t>(level)].size();
}

std::string_view iam_actions_source() { return table().source; }

std::string_view embedded_iam_access_levels() {
  return std::string_view(
      polc_iam_access_levels_begin,
      static_cast<std::size_t>(polc_iam_access_levels_end - polc_iam_access_levels_begin));
}

void IamActionsCache::match(std::span<const std::string_view> patterns, IamAccessLevel level,
                            bool except, std::vector<std::string_view>& out, std::uint64_t& work) {
  // The key: level, except, then each pattern and a NUL (no pattern holds one that matters: a
  // NUL in a pattern only makes the key longer, never equal to another list's).
  key_.clear();
  key_ += static_cast<char>('0' + static_cast<int>(level));
  key_ += except ? '1' : '0';
  for (std::string_view p : patterns) {
    key_ += std::to_string(p.size());
    key_ += ':';
    key_ += p;
  }
  if (auto it = answers_.find(key_); it != answers_.end()) {
    out.insert(out.end(), it->second.names.begin(), it->second.names.end());
    work += it->second.work;
    return;
  }
  const std::size_t first = out.size();
  std::uint64_t spent = 0;
  match_iam_actions(patterns, level, except, out, spent);
  work += spent;
  const std::size_t size =
      key_.size() + sizeof(std::string_view) * (out.size() - first) + sizeof(Answer);
  if (bytes_ + size > kMaxIamActionsCacheBytes) return;
  bytes_ += size;
  answers_.emplace(key_, Answer{{out.begin() + static_cast<long>(first), out.end()}, spent});
}

}  // namespace polc::schema
