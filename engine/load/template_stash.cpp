#include "engine/load/template_stash.h"

#include <utility>

namespace polc {

TemplateStash::TemplateStash(std::size_t budget_bytes) : budget_(budget_bytes) {}

std::size_t TemplateStash::charge(const LoadResult& lr) {
  if (!lr.tmpl) return sizeof(LoadResult);
  const Document& doc = lr.tmpl->document();
  // The tree (arena), the source bytes and, for the template's own indices, as much again as
  // the tree's bookkeeping is usually worth (a conservative round figure, not a measurement).
  return sizeof(LoadResult) + doc.arena->used() + doc.file->text().size() +
         lr.tmpl->resources().size() * 256;
}

bool TemplateStash::offer(const std::string& path, LoadResult& lr) {
  const std::size_t bytes = charge(lr);
  std::lock_guard lock(mutex_);
  if (bytes > budget_ || used_ > budget_ - bytes || kept_.count(path)) return false;
  used_ += bytes;
  kept_.emplace(path, Entry{std::move(lr), bytes});
  return true;
}

bool TemplateStash::contains(const std::string& path) const {
  std::lock_guard lock(mutex_);
  return kept_.count(path) != 0;
}

bool TemplateStash::take(const std::string& path, LoadResult& out) {
  std::lock_guard lock(mutex_);
  auto it = kept_.find(path);
  if (it == kept_.end()) return false;
  out = std::move(it->second.result);
  used_ -= it->second.bytes;
  kept_.erase(it);
  return true;
}

std::size_t TemplateStash::bytes() const {
  std::lock_guard lock(mutex_);
  return used_;
}

}  // namespace polc
