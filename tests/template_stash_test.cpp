// The link index pass's template stash (engine/load/template_stash.h): what it keeps is what
// the scan would have loaded, and it never holds more than its budget.
#include "engine/load/template_stash.h"

#include <catch2/catch.hpp>
#include <string>

#include "engine/load/loader.h"

namespace polc {
namespace {

LoadResult load(const std::string& path, int resources) {
  std::string text = "Resources:\n";
  for (int i = 0; i < resources; ++i)
    text += "  Topic" + std::to_string(i) + ":\n    Type: AWS::SNS::Topic\n";
  return load_template_bytes(path, text);
}

TEST_CASE("stash: a template is taken once, as it was offered", "[stash]") {
  TemplateStash stash(1u << 20);
  LoadResult a = load("a.yaml", 3);
  REQUIRE(a.tmpl);
  const Template* kept = a.tmpl.get();
  const std::size_t charged = TemplateStash::charge(a);
  CHECK(stash.offer("a.yaml", a));
  CHECK(stash.contains("a.yaml"));
  CHECK(stash.bytes() == charged);
  LoadResult again = load("a.yaml", 3);
  CHECK_FALSE(stash.offer("a.yaml", again));  // one entry per path
  CHECK(again.tmpl);                          // a refused offer leaves the result with its owner
  LoadResult out;
  CHECK(stash.take("a.yaml", out));
  CHECK(out.tmpl.get() == kept);
  CHECK(out.tmpl->resources().size() == 3);
  CHECK_FALSE(stash.contains("a.yaml"));
  CHECK_FALSE(stash.take("a.yaml", out));
  CHECK(stash.bytes() == 0);
}

TEST_CASE("stash: offers past the budget are refused and the budget comes back on take",
          "[stash][limits]") {
  LoadResult probe = load("p.yaml", 40);
  const std::size_t one = TemplateStash::charge(probe);
  REQUIRE(one > 1000);  // the tree and the source bytes are charged
  TemplateStash stash(2 * one + one / 2);
  LoadResult a = load("a.yaml", 40), b = load("b.yaml", 40), c = load("c.yaml", 40);
  CHECK(stash.offer("a.yaml", a));
  CHECK(stash.offer("b.yaml", b));
  CHECK_FALSE(stash.offer("c.yaml", c));  // a third does not fit
  CHECK(c.tmpl);
  CHECK(stash.bytes() <= 2 * one + one / 2);
  LoadResult out;
  CHECK(stash.take("a.yaml", out));
  CHECK(stash.offer("c.yaml", c));  // room again
  CHECK(kMaxStashedTemplateBytes >= (8u << 20));
}

}  // namespace
}  // namespace polc
