// Error messages of the polc grammar: one "expected ..." sentence per `must<>` / `raise<>` point
// of dsl/internal/grammar.h, in the style of PEGTL's example json_errors.hpp.
//
// `error_message<Rule>` is read by the control class in dsl/parser.cpp, whose `raise` has a
// static_assert that the message exists, so a new error point without a message does not compile.
// The parser appends ", found X" (the token at the error position) when it reports the error.
// Included by dsl/parser.cpp only.
#pragma once
#include "dsl/internal/grammar.h"

namespace polc::dsl::grammar {

/// The message reported when `must<Rule>` fails or `raise<Rule>` is reached; null for rules
/// that are never an error point.
template <typename Rule>
inline constexpr const char* error_message = nullptr;

// clang-format off
// Tokens shared by several constructs.
template <> inline constexpr const char* error_message<equals> = "expected '='";
template <> inline constexpr const char* error_message<colon> = "expected ':'";
template <> inline constexpr const char* error_message<in_> = "expected 'in'";
template <> inline constexpr const char* error_message<then_> = "expected 'then' after the condition of an if expression";
template <> inline constexpr const char* error_message<else_> = "expected 'else' in the if expression (if c then a else b)";

// Strings and message templates.
template <> inline constexpr const char* error_message<escape_char> = "expected an escape sequence (\\\" \\\\ \\n \\t \\{ \\}) after '\\'";
template <> inline constexpr const char* error_message<dq_close> = "expected '\"' to close the string";
template <> inline constexpr const char* error_message<long_close> = "expected '\"\"\"' to close the long string";
template <> inline constexpr const char* error_message<raw_close> = "expected ''' to close the raw string";
template <> inline constexpr const char* error_message<interp_expr> = "expected an expression inside '{...}' (write '{{' for a literal brace)";
template <> inline constexpr const char* error_message<interp_close> = "expected '}' to close the interpolation";
template <> inline constexpr const char* error_message<lone_brace> = "expected '}}' for a literal '}' in a message";
template <> inline constexpr const char* error_message<message_string> = "expected a message string after 'message'";
template <> inline constexpr const char* error_message<related_message> = "expected a message string after ':' in the related clause";

// Expressions.
template <> inline constexpr const char* error_message<paren_inner> = "expected an expression after '('";
template <> inline constexpr const char* error_message<paren_close> = "expected ')' to close the parenthesis";
template <> inline constexpr const char* error_message<list_close> = "expected ',' or ']' in the list";
template <> inline constexpr const char* error_message<comp_name> = "expected a variable name after 'for'";
template <> inline constexpr const char* error_message<comp_coll> = "expected a collection after 'in' in the comprehension";
template <> inline constexpr const char* error_message<comp_cond> = "expected a condition after 'if' in the comprehension";
template <> inline constexpr const char* error_message<comp_close> = "expected ']' to close the comprehension";
template <> inline constexpr const char* error_message<map_value> = "expected a value after ':' in the map";
template <> inline constexpr const char* error_message<map_close> = "expected ',' or '}' in the map";
template <> inline constexpr const char* error_message<call_close> = "expected ',' or ')' in the argument list";
template <> inline constexpr const char* error_message<call_target> = "a call needs a function name or 'module.function' before '('";
template <> inline constexpr const char* error_message<if_cond> = "expected a condition after 'if'";
template <> inline constexpr const char* error_message<if_then> = "expected an expression after 'then'";
template <> inline constexpr const char* error_message<if_else> = "expected an expression after 'else'";
template <> inline constexpr const char* error_message<let_name> = "expected a name after 'let'";
template <> inline constexpr const char* error_message<let_value> = "expected a value after '=' in the let expression";
template <> inline constexpr const char* error_message<let_body> = "expected an expression after 'in' in the let expression";
template <> inline constexpr const char* error_message<quant_name> = "expected a variable name after the quantifier";
template <> inline constexpr const char* error_message<quant_coll> = "expected a collection after 'in' in the quantifier";
template <> inline constexpr const char* error_message<quant_pred> = "expected a predicate after ':' in the quantifier";
template <> inline constexpr const char* error_message<field_name> = "expected a field name or a quoted name after '.'";
template <> inline constexpr const char* error_message<index_inner> = "expected an index expression or '*' after '['";
template <> inline constexpr const char* error_message<index_close> = "expected ']' to close the index";
template <> inline constexpr const char* error_message<neg_operand> = "expected an expression after unary '-'";
template <> inline constexpr const char* error_message<mul_operand> = "expected an expression after the operator";
template <> inline constexpr const char* error_message<add_operand> = "expected an expression after the operator";
template <> inline constexpr const char* error_message<cmp_operand> = "expected an expression after the comparison";
template <> inline constexpr const char* error_message<chained_cmp> = "expected no second comparison: comparisons do not chain, combine them with 'and'";
template <> inline constexpr const char* error_message<chained_cmp_plain> = "expected no second comparison: comparisons do not chain, combine them with 'and'";
template <> inline constexpr const char* error_message<not_operand> = "expected an expression after 'not'";
template <> inline constexpr const char* error_message<not_operand_plain> = "expected an expression after 'not'";
template <> inline constexpr const char* error_message<and_operand> = "expected an expression after 'and'";
template <> inline constexpr const char* error_message<and_operand_plain> = "expected an expression after 'and'";
template <> inline constexpr const char* error_message<or_operand> = "expected an expression after 'or'";
template <> inline constexpr const char* error_message<or_operand_plain> = "expected an expression after 'or'";

// Literal values.
template <> inline constexpr const char* error_message<lit_list_close> = "expected ',' or ']' in the literal list";
template <> inline constexpr const char* error_message<lit_map_value> = "expected a literal value after ':'";
template <> inline constexpr const char* error_message<lit_map_close> = "expected ',' or '}' in the literal map";
template <> inline constexpr const char* error_message<lit_number> = "expected a number after '-'";

// Statements.
template <> inline constexpr const char* error_message<statement> = "expected a statement (for, let, when, require, report, if) or '}'";
template <> inline constexpr const char* error_message<block_close> = "expected '}' to close the block";
template <> inline constexpr const char* error_message<for_name> = "expected a variable name after 'for'";
template <> inline constexpr const char* error_message<for_coll> = "expected a collection after 'in' in the for loop";
template <> inline constexpr const char* error_message<for_body> = "expected '{' to open the loop body";
template <> inline constexpr const char* error_message<let_stmt_value> = "expected an expression after '=' in the let statement";
template <> inline constexpr const char* error_message<when_cond> = "expected an expression after 'when'";
template <> inline constexpr const char* error_message<require_cond> = "expected an expression after 'require'";
template <> inline constexpr const char* error_message<severity_level> = "expected a severity (critical, high, medium, low or info) after 'severity'";
template <> inline constexpr const char* error_message<at_target> = "expected an expression after 'at'";
template <> inline constexpr const char* error_message<related_body> = "expected 'NAME in EXPR: \"message\"' or 'EXPR: \"message\"' after 'related'";
template <> inline constexpr const char* error_message<if_stmt_cond> = "expected a condition after 'if'";
template <> inline constexpr const char* error_message<then_body> = "expected '{' after the if condition";
template <> inline constexpr const char* error_message<else_branch> = "expected '{' or 'if' after 'else'";

// Declarations.
template <> inline constexpr const char* error_message<declaration> = "expected a declaration ('import', 'const', 'fn' or 'policy')";
template <> inline constexpr const char* error_message<import_path> = "expected a path string after 'import'";
template <> inline constexpr const char* error_message<import_alias> = "expected a module name after 'as'";
template <> inline constexpr const char* error_message<const_name> = "expected a constant name after 'const'";
template <> inline constexpr const char* error_message<const_value> = "expected an expression after '=' in the constant";
template <> inline constexpr const char* error_message<fn_name> = "expected a function name after 'fn'";
template <> inline constexpr const char* error_message<fn_params> = "expected '(' and the parameter list after the function name";
template <> inline constexpr const char* error_message<fn_close> = "expected ',' or ')' in the parameter list";
template <> inline constexpr const char* error_message<fn_body> = "expected an expression after '=' in the function";
template <> inline constexpr const char* error_message<policy_name> = "expected a kebab-case policy name ([a-z][a-z0-9]*(-[a-z0-9]+)*) after 'policy'";
template <> inline constexpr const char* error_message<policy_open> = "expected '{' to open the policy body";
template <> inline constexpr const char* error_message<policy_close> = "expected '}' to close the policy body";
template <> inline constexpr const char* error_message<policy_member> = "expected a header attribute (key = value), 'param', a statement or '}'";
template <> inline constexpr const char* error_message<attr_value> = "expected a literal value (string, number, true/false/null, name, list or map) after '='";
template <> inline constexpr const char* error_message<param_name> = "expected a parameter name after 'param'";
template <> inline constexpr const char* error_message<param_value> = "expected a literal default value after '=' in the parameter";
// clang-format on

}  // namespace polc::dsl::grammar
