#pragma once
// The policy parser's PEGTL control class (used by dsl/parser.cpp only): the error message of
// every must<> point (dsl/internal/grammar_errors.h), recovery at declarations, policy members
// and statements (the stacks of the `ParseState` roll back and the input skips to the next line
// that starts one), the nesting bound `kMaxExpressionDepth`, and the roll-back of alternatives
// that can fail after their actions pushed operands.

#include <cstdint>
#include <string>
#include <tao/pegtl.hpp>
#include <type_traits>

#include "dsl/internal/grammar.h"
#include "dsl/internal/grammar_errors.h"
#include "dsl/internal/parse_state.h"
#include "engine/base/limits.h"

namespace polc::dsl {

// ---- Control: error messages, recovery, nesting bound, backtracking roll-back

template <typename Rule>
constexpr Sync kRecovery = std::is_same_v<Rule, grammar::decl_item>     ? Sync::kDeclaration
                           : std::is_same_v<Rule, grammar::policy_item> ? Sync::kPolicyMember
                           : std::is_same_v<Rule, grammar::stmt_item>   ? Sync::kStatement
                                                                  : Sync::kNone;

template <typename Rule>
constexpr bool kNesting =
    std::is_base_of_v<grammar::expression, Rule> || std::is_base_of_v<grammar::or_expr_plain, Rule> ||
    std::is_base_of_v<grammar::block, Rule> || std::is_same_v<Rule, grammar::neg_prefix> ||
    std::is_same_v<Rule, grammar::not_prefix> || std::is_same_v<Rule, grammar::not_prefix_plain> ||
    std::is_same_v<Rule, grammar::else_part> || std::is_same_v<Rule, grammar::lit_list> ||
    std::is_same_v<Rule, grammar::lit_map>;

// Alternatives that can fail after their actions pushed operands.
template <typename Rule>
constexpr bool kRollback = std::is_same_v<Rule, grammar::related_each>;

template <typename Rule>
struct control : tao::pegtl::normal<Rule> {
  template <typename ParseInput, typename... States>
  [[noreturn]] static void raise(const ParseInput& in, States&&...) {
    static_assert(grammar::error_message<Rule> != nullptr,
                  "every must<>/raise<> point needs a message in grammar_errors.h");
    throw tao::pegtl::parse_error(grammar::error_message<Rule>, in);
  }

  template <tao::pegtl::apply_mode A, tao::pegtl::rewind_mode M, template <typename...> class Action,
            template <typename...> class Control, typename ParseInput>
  [[nodiscard]] static bool match(ParseInput& in, ParseState& st) {
    using base = tao::pegtl::normal<Rule>;
    if constexpr (kRecovery<Rule> != Sync::kNone) {
      const char* start = in.current();
      const Checkpoint cp = st.checkpoint();
      const std::size_t nesting = st.nesting;
      std::uint32_t error_at = 0;
      try {
        return base::template match<A, M, Action, Control>(in, st);
      } catch (const DepthExceeded& e) {
        // Too deep: resuming at the next statement would be as deep again, so only the
        // declaration level recovers from this.
        if constexpr (kRecovery<Rule> != Sync::kDeclaration) throw;
        error_at = e.offset;
        st.error("expression-depth", error_at, kDepthMessage);
      } catch (const tao::pegtl::parse_error& e) {
        error_at = static_cast<std::uint32_t>(e.positions().front().byte);
        st.error("syntax", error_at,
                 std::string(e.message()) + ", found " + describe_found(st.text(), error_at));
      }
      st.restore(cp);
      st.nesting = nesting;
      if constexpr (kRecovery<Rule> == Sync::kDeclaration) {
        if (st.policy() != nullptr) st.finish_policy({st.offset(start), error_at});
      }
      const char* end = st.base() + st.text().size();
      const char* resume =
          find_resume(st.base(), end, start, st.base() + error_at, kRecovery<Rule>);
      if (resume > in.current()) in.bump(static_cast<std::size_t>(resume - in.current()));
      return true;
    } else if constexpr (kNesting<Rule>) {
      if (st.nesting >= kMaxExpressionDepth) throw DepthExceeded{st.offset(in.current())};
      ++st.nesting;
      struct Guard {
        ParseState& st;
        ~Guard() { --st.nesting; }
      } guard{st};
      return base::template match<A, M, Action, Control>(in, st);
    } else if constexpr (kRollback<Rule>) {
      const Checkpoint cp = st.checkpoint();
      bool ok = base::template match<A, M, Action, Control>(in, st);
      if (!ok) st.restore(cp);
      return ok;
    } else {
      return base::template match<A, M, Action, Control>(in, st);
    }
  }
};

}  // namespace polc::dsl
