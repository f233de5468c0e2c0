// PEGTL grammar of the polc policy language (docs/language.md, "Formal grammar").
//
// Rules only: one `struct rule : ... {};` per line, in the style of PEGTL's contrib/json.hpp.
// Keywords carry a trailing underscore (`false_`). Error messages for every `must<>` point live
// in dsl/internal/grammar_errors.h; the AST is built by the actions in dsl/parser.cpp, which also
// owns error recovery (at `decl_item`, `policy_item` and `stmt_item`) and the nesting-depth bound.
// Many rules exist under several names (`struct for_name : identifier {};`) so that each use has
// its own action and its own "expected ..." message. Included by dsl/parser.cpp only.
#pragma once
#include <tao/pegtl.hpp>

namespace polc::dsl::grammar {

using namespace tao::pegtl;  // NOLINT: rule vocabulary, this header is private to parser.cpp

// One rule per line, as in contrib/json.hpp, however long.
// clang-format off

// ---- Lexical structure

struct comment : seq<one<'#'>, star<not_one<'\n'>>> {};              // '#' to end of line
struct ws : sor<one<' ', '\t', '\r', '\n'>, comment> {};               // insignificant
struct sep : star<ws> {};                                              // optional whitespace
struct ident_first : ranges<'a', 'z', 'A', 'Z', '_'> {};               // [A-Za-z_]
struct ident_rest : ranges<'a', 'z', 'A', 'Z', '0', '9', '_'> {};      // [A-Za-z0-9_]
struct ident_word : seq<ident_first, star<ident_rest>> {};             // any word, keywords too

struct import_ : TAO_PEGTL_KEYWORD("import") {};
struct as_ : TAO_PEGTL_KEYWORD("as") {};
struct const_ : TAO_PEGTL_KEYWORD("const") {};
struct param_ : TAO_PEGTL_KEYWORD("param") {};
struct fn_ : TAO_PEGTL_KEYWORD("fn") {};
struct policy_ : TAO_PEGTL_KEYWORD("policy") {};
struct for_ : TAO_PEGTL_KEYWORD("for") {};
struct in_ : TAO_PEGTL_KEYWORD("in") {};
struct let_ : TAO_PEGTL_KEYWORD("let") {};
struct when_ : TAO_PEGTL_KEYWORD("when") {};
struct require_ : TAO_PEGTL_KEYWORD("require") {};
struct report_ : TAO_PEGTL_KEYWORD("report") {};
struct if_ : TAO_PEGTL_KEYWORD("if") {};
struct then_ : TAO_PEGTL_KEYWORD("then") {};
struct else_ : TAO_PEGTL_KEYWORD("else") {};
struct at_ : TAO_PEGTL_KEYWORD("at") {};
struct related_ : TAO_PEGTL_KEYWORD("related") {};
struct message_ : TAO_PEGTL_KEYWORD("message") {};
struct and_ : TAO_PEGTL_KEYWORD("and") {};
struct or_ : TAO_PEGTL_KEYWORD("or") {};
struct not_ : TAO_PEGTL_KEYWORD("not") {};
struct all_ : TAO_PEGTL_KEYWORD("all") {};
struct any_ : TAO_PEGTL_KEYWORD("any") {};
struct none_ : TAO_PEGTL_KEYWORD("none") {};
struct true_ : TAO_PEGTL_KEYWORD("true") {};
struct false_ : TAO_PEGTL_KEYWORD("false") {};
struct null_ : TAO_PEGTL_KEYWORD("null") {};

struct reserved : sor<import_, as_, const_, param_, fn_, policy_, for_, in_, let_, when_, require_, report_, if_, then_, else_, at_, related_, message_, and_, or_, not_, all_, any_, none_, true_, false_, null_> {};  // every keyword
struct identifier : seq<not_at<reserved>, ident_word> {};             // a name that is not a keyword
struct decl_keyword : sor<import_, const_, fn_, policy_> {};           // starts a declaration
struct decl_start : seq<bol, decl_keyword> {};                         // a declaration at column 1

struct equals : seq<one<'='>, not_at<one<'='>>> {};                    // '=' but not '=='
struct colon : one<':'> {};                                            // ':'
struct comma : one<','> {};                                            // ','

// ---- Numbers

struct digits : plus<digit> {};                                        // [0-9]+
struct exponent : seq<one<'e', 'E'>, opt<one<'+', '-'>>, digits> {};   // e.g. e-3
struct fraction : seq<one<'.'>, digits> {};                            // .5
struct float_lit : seq<digits, sor<seq<fraction, opt<exponent>>, exponent>, not_at<ident_rest>> {};  // 1.5, 1e3
struct int_lit : seq<digits, not_at<ident_rest>> {};                   // 42

// ---- Strings

struct escape_char : one<'"', '\\', 'n', 't', '{', '}'> {};            // after a backslash
struct escape : seq<one<'\\'>, must<escape_char>> {};                  // \" \\ \n \t \{ \}
struct dq_close : one<'"'> {};                                         // closing quote
struct long_quote : string<'"', '"', '"'> {};                          // """
struct long_close : long_quote {};                                     // closing """
struct raw_close : one<'\''> {};                                       // closing '
struct str_char : sor<escape, not_one<'"', '\\', '\n', '\r'>> {};      // one char of "..."
struct long_char : sor<escape, seq<not_at<long_quote>, not_one<'\\'>>> {};  // one char of """..."""
struct plain_string : seq<one<'"'>, star<str_char>, must<dq_close>> {};  // "text"
struct long_string : seq<long_quote, star<long_char>, must<long_close>> {};  // """text"""
struct raw_string : seq<one<'\''>, star<not_one<'\'', '\n', '\r'>>, must<raw_close>> {};  // 'raw'
struct string_lit : sor<long_string, plain_string, raw_string> {};     // any non-template string

// ---- Message templates: "text {expr} text", {{ and }} are literal braces

struct expression;
struct brace_pair : sor<string<'{', '{'>, string<'}', '}'>> {};        // {{ or }}
struct interp_expr;                                                    // the expression in {...}
struct interp_close : one<'}'> {};                                     // closes {...}
struct interpolation : seq<one<'{'>, sep, must<interp_expr>, sep, must<interp_close>> {};  // {expr}
struct lone_brace : one<'}'> {};                                       // a '}' not written '}}'
struct bad_brace : seq<at<one<'}'>>, raise<lone_brace>> {};            // error: lone '}'
struct tmpl_text : plus<sor<escape, brace_pair, not_one<'"', '\\', '{', '}', '\n', '\r'>>> {};  // literal run
struct long_tmpl_text : plus<sor<escape, brace_pair, seq<not_at<long_quote>, not_one<'\\', '{', '}'>>>> {};  // literal run
struct tmpl_part : sor<tmpl_text, interpolation, bad_brace> {};        // a piece of "..."
struct long_tmpl_part : sor<long_tmpl_text, interpolation, bad_brace> {};  // a piece of """..."""
struct tmpl_quote : one<'"'> {};                                       // opens "..."
struct long_tmpl_quote : long_quote {};                                // opens """..."""
struct template_string : seq<tmpl_quote, star<tmpl_part>, must<dq_close>> {};  // "a {x} b"
struct long_template : seq<long_tmpl_quote, star<long_tmpl_part>, must<long_close>> {};  // """a {x}"""
struct message_string : sor<long_template, template_string, raw_string> {};  // a message text

// ---- Expressions, primaries

struct paren_inner;                                                    // expression in ( )
struct paren_close : one<')'> {};                                      // closes ( )
struct paren_expr : seq<one<'('>, sep, must<paren_inner>, sep, must<paren_close>> {};  // ( e )

struct list_open : one<'['> {};                                        // opens a list
struct empty_list_close : one<']'> {};                                 // [] closed at once
struct list_close : one<']'> {};                                       // closes a list
struct list_items : seq<star<comma, sep, expression, sep>, opt<comma, sep>, must<list_close>> {};  // , e ... ]
struct comp_name;                                                      // the comprehension variable
struct comp_coll;                                                      // the comprehension collection
struct comp_cond;                                                      // the comprehension filter
struct comp_close : one<']'> {};                                       // closes a comprehension
struct comp_filter : seq<if_, sep, must<comp_cond>> {};                // if cond
struct comp_tail : seq<for_, sep, must<comp_name>, sep, must<in_>, sep, must<comp_coll>, sep, opt<comp_filter, sep>, must<comp_close>> {};  // for x in xs if c ]
struct list_expr : seq<list_open, sep, sor<empty_list_close, seq<expression, sep, sor<comp_tail, list_items>>>> {};  // [a, b] or [e for x in xs]

struct map_open : one<'{'> {};                                        // opens a map
struct empty_map_close : one<'}'> {};                                  // {} closed at once
struct map_close : one<'}'> {};                                        // closes a map
struct map_key_word : ident_word {};                                   // key: (any word)
struct map_key : sor<map_key_word, plain_string, raw_string> {};       // key or "key"
struct map_value;                                                      // the value after ':'
struct map_entry : seq<map_key, sep, must<colon>, sep, must<map_value>> {};  // key: value
struct map_items : seq<star<comma, sep, map_entry, sep>, opt<comma, sep>, must<map_close>> {};  // , k: v ... }
struct map_expr : seq<map_open, sep, sor<empty_map_close, seq<map_entry, sep, map_items>>> {};  // {k: v}

struct callee : seq<identifier, opt<sep, one<'.'>, sep, identifier>> {};  // f or mod.f
struct call_head : seq<callee, sep, one<'('>> {};                      // f( or mod.f(
struct call_close : one<')'> {};                                       // closes the arguments
struct call_args : opt<expression, sep, star<comma, sep, expression, sep>, opt<comma, sep>> {};  // a, b,
struct call : seq<call_head, sep, call_args, must<call_close>> {};     // f(a, b)

struct true_lit : true_ {};                                            // true
struct false_lit : false_ {};                                          // false
struct null_lit : null_ {};                                            // null
struct name_ref : identifier {};                                       // a variable or constant

struct if_cond;                                                        // after 'if'
struct if_then;                                                        // after 'then'
struct if_else;                                                        // after 'else'
struct if_expr : seq<if_, sep, must<if_cond>, sep, must<then_>, sep, must<if_then>, sep, must<else_>, sep, must<if_else>> {};  // if c then a else b

struct let_name : identifier {};                                       // the bound name
struct let_value;                                                      // value: no top-level 'in'
struct let_body;                                                       // after 'in'
struct let_expr : seq<let_, sep, must<let_name>, sep, must<equals>, sep, must<let_value>, sep, must<in_>, sep, must<let_body>> {};  // let x = v in body

struct quant_kw : sor<all_, any_, none_> {};                           // all | any | none
struct quant_name : identifier {};                                     // the bound name
struct quant_coll;                                                     // the collection
struct quant_pred;                                                     // the predicate
struct quant_expr : seq<quant_kw, sep, must<quant_name>, sep, must<in_>, sep, must<quant_coll>, sep, must<colon>, sep, must<quant_pred>> {};  // all x in xs: p

struct primary : sor<paren_expr, list_expr, map_expr, string_lit, float_lit, int_lit, true_lit, false_lit, null_lit, if_expr, let_expr, quant_expr, call, name_ref> {};  // level 10 (and level 1 forms, which extend to the right)

// ---- Expressions, operators from tightest to loosest

struct field_word : identifier {};                                     // .name (not a keyword)
struct field_name : sor<field_word, plain_string> {};                  // name or "quoted name"
struct field_suffix : seq<one<'.'>, sep, must<field_name>> {};         // .name
struct index_inner;                                                    // expression in [ ]
struct index_close : one<']'> {};                                      // closes [ ]
struct wildcard_suffix : seq<one<'['>, sep, one<'*'>, sep, must<index_close>> {};  // [*]
struct index_suffix : seq<one<'['>, sep, must<index_inner>, sep, must<index_close>> {};  // [e]
struct call_target : one<'('> {};                                      // '(' after a non-name
struct bad_call : seq<at<one<'('>>, raise<call_target>> {};            // error: call on an expression
struct postfix_op : sor<field_suffix, wildcard_suffix, index_suffix, bad_call> {};  // level 9
struct postfix_expr : seq<primary, star<sep, postfix_op>> {};          // e.x[0]

struct neg_operand;                                                    // after unary '-'
struct neg_prefix : seq<one<'-'>, sep, must<neg_operand>> {};          // -e
struct neg_expr : sor<neg_prefix, postfix_expr> {};                    // level 8

struct mul_operand;                                                    // right of * / %
struct mul_op : one<'*', '/', '%'> {};                                 // * / %
struct mul_tail : seq<mul_op, sep, must<mul_operand>> {};              // * e
struct mul_expr : seq<neg_expr, star<sep, mul_tail>> {};               // level 7

struct add_operand;                                                    // right of + -
struct add_op : one<'+', '-'> {};                                      // + -
struct add_tail : seq<add_op, sep, must<add_operand>> {};              // + e
struct add_expr : seq<mul_expr, star<sep, add_tail>> {};               // level 6

struct cmp_operand;                                                    // right of a comparison
struct cmp_op_plain : sor<string<'=', '='>, string<'!', '='>, string<'<', '='>, string<'>', '='>, one<'<'>, one<'>'>> {};  // == != <= >= < >
struct not_in : seq<not_, sep, in_> {};                                // not in
struct cmp_op : sor<cmp_op_plain, in_, not_in> {};                     // any comparison
struct chained_cmp : cmp_op {};                                        // a second comparison
struct chained_cmp_plain : cmp_op_plain {};                            // a second comparison (let value)
struct cmp_tail : seq<cmp_op, sep, must<cmp_operand>> {};              // == e
struct cmp_tail_plain : seq<cmp_op_plain, sep, must<cmp_operand>> {};  // == e, no 'in'
struct cmp_expr : seq<add_expr, opt<sep, cmp_tail, opt<sep, at<cmp_op>, raise<chained_cmp>>>> {};  // level 5
struct cmp_expr_plain : seq<add_expr, opt<sep, cmp_tail_plain, opt<sep, at<cmp_op_plain>, raise<chained_cmp_plain>>>> {};  // level 5 without 'in'

struct not_operand;                                                    // after 'not'
struct not_prefix : seq<not_, sep, must<not_operand>> {};              // not e
struct not_expr : sor<not_prefix, cmp_expr> {};                        // level 4
struct not_operand_plain;                                              // after 'not' (let value)
struct not_prefix_plain : seq<not_, sep, must<not_operand_plain>> {};  // not e, no 'in'
struct not_expr_plain : sor<not_prefix_plain, cmp_expr_plain> {};      // level 4 without 'in'

struct and_operand;                                                    // right of 'and'
struct and_tail : seq<and_, sep, must<and_operand>> {};                // and e
struct and_expr : seq<not_expr, star<sep, and_tail>> {};               // level 3
struct and_operand_plain;                                              // right of 'and' (let value)
struct and_tail_plain : seq<and_, sep, must<and_operand_plain>> {};    // and e, no 'in'
struct and_expr_plain : seq<not_expr_plain, star<sep, and_tail_plain>> {};  // level 3 without 'in'

struct or_operand;                                                     // right of 'or'
struct or_tail : seq<or_, sep, must<or_operand>> {};                   // or e
struct or_expr : seq<and_expr, star<sep, or_tail>> {};                 // level 2
struct or_operand_plain;                                               // right of 'or' (let value)
struct or_tail_plain : seq<or_, sep, must<or_operand_plain>> {};       // or e, no 'in'
struct or_expr_plain : seq<and_expr_plain, star<sep, or_tail_plain>> {};  // level 2 without 'in'

struct expression : or_expr {};                                        // a full expression

// Each context gets its own rule so that its error message names it.
struct interp_expr : expression {};                                    // "{...}" in a message
struct paren_inner : expression {};                                    // ( ... )
struct index_inner : expression {};                                    // [ ... ]
struct comp_name : identifier {};                                      // [e for NAME in ...]
struct comp_coll : expression {};                                      // [e for x in COLL]
struct comp_cond : expression {};                                      // [e for x in xs if COND]
struct map_value : expression {};                                      // {k: VALUE}
struct if_cond : expression {};                                        // if COND then
struct if_then : expression {};                                        // then A else
struct if_else : expression {};                                        // else B
struct let_value : or_expr_plain {};                                   // let x = VALUE in
struct let_body : expression {};                                       // in BODY
struct quant_coll : expression {};                                     // all x in COLL:
struct quant_pred : expression {};                                     // all x in xs: PRED
struct neg_operand : neg_expr {};                                      // -E
struct mul_operand : neg_expr {};                                      // a * E
struct add_operand : mul_expr {};                                      // a + E
struct cmp_operand : add_expr {};                                      // a == E
struct not_operand : not_expr {};                                      // not E
struct not_operand_plain : not_expr_plain {};                          // not E (let value)
struct and_operand : not_expr {};                                      // a and E
struct and_operand_plain : not_expr_plain {};                          // a and E (let value)
struct or_operand : and_expr {};                                       // a or E
struct or_operand_plain : and_expr_plain {};                           // a or E (let value)

// ---- Literal values (policy attributes and parameters)

struct literal_value;                                                  // a literal
struct lit_list_close : one<']'> {};                                   // closes a literal list
struct lit_list_items : seq<star<comma, sep, literal_value, sep>, opt<comma, sep>, must<lit_list_close>> {};  // , v ... ]
struct lit_list : seq<list_open, sep, sor<empty_list_close, seq<literal_value, sep, lit_list_items>>> {};  // [v, ...]
struct lit_map_value;                                                  // {k: VALUE}
struct lit_map_entry : seq<map_key, sep, must<colon>, sep, must<lit_map_value>> {};  // k: v
struct lit_map_close : one<'}'> {};                                    // closes a literal map
struct lit_map_items : seq<star<comma, sep, lit_map_entry, sep>, opt<comma, sep>, must<lit_map_close>> {};  // , k: v ... }
struct lit_map : seq<map_open, sep, sor<empty_map_close, seq<lit_map_entry, sep, lit_map_items>>> {};  // {k: v}
struct lit_number : sor<float_lit, int_lit> {};                        // a number
struct lit_negative : seq<one<'-'>, sep, must<lit_number>> {};         // -1
struct lit_name : identifier {};                                       // high, critical, ...
struct literal_value : sor<string_lit, float_lit, int_lit, lit_negative, true_lit, false_lit, null_lit, lit_list, lit_map, lit_name> {};  // a literal
struct lit_map_value : literal_value {};                               // {k: VALUE}

// ---- Statements

struct statement;
struct stmt_item : must<statement> {};                                 // one statement (recovers)
struct block_end : sor<one<'}'>, eof, decl_start> {};                  // where a statement list stops
struct block_close : one<'}'> {};                                      // closes a block
struct block : seq<one<'{'>, sep, star<not_at<block_end>, stmt_item, sep>, must<block_close>> {};  // { statements }
struct for_body : block {};                                            // for ... { BODY }
struct then_body : block {};                                           // if c { BODY }
struct else_body : block {};                                           // else { BODY }

struct for_name : identifier {};                                       // for NAME in
struct for_coll : expression {};                                       // for x in COLL
struct for_head : seq<for_, sep, must<for_name>, sep, must<in_>, sep, must<for_coll>> {};  // for x in xs
struct for_stmt : seq<for_head, sep, must<for_body>> {};               // for x in xs { ... }

struct let_stmt_value : expression {};                                 // let x = VALUE
struct let_stmt : seq<let_, sep, must<let_name>, sep, must<equals>, sep, must<let_stmt_value>> {};  // let x = e

struct when_cond : expression {};                                      // when COND
struct when_stmt : seq<when_, sep, must<when_cond>> {};                // when e

struct message_clause : seq<message_, sep, must<message_string>> {};   // message "..."
struct at_target : expression {};                                      // at EXPR
struct at_clause : seq<at_, sep, must<at_target>> {};                  // at e
struct related_name : identifier {};                                   // related NAME in
struct related_coll : expression {};                                   // related x in COLL:
struct related_message : message_string {};                           // related ...: "MESSAGE"
struct related_each : seq<related_name, sep, in_, sep, related_coll, sep, colon, sep, must<related_message>> {};  // x in xs: "..."
struct related_target : expression {};                                 // related TARGET:
struct related_single : seq<related_target, sep, must<colon>, sep, must<related_message>> {};  // e: "..."
struct related_body : sor<related_each, related_single> {};            // after 'related'
struct related_clause : seq<related_, sep, must<related_body>> {};     // related ...
struct severity_word : TAO_PEGTL_KEYWORD("severity") {};              // contextual: not reserved
struct severity_level : sor<TAO_PEGTL_KEYWORD("critical"), TAO_PEGTL_KEYWORD("high"), TAO_PEGTL_KEYWORD("medium"), TAO_PEGTL_KEYWORD("low"), TAO_PEGTL_KEYWORD("info")> {};  // a severity
struct severity_clause : seq<severity_word, sep, must<severity_level>> {};  // severity LEVEL
struct report_clause : sor<message_clause, at_clause, related_clause, severity_clause> {};  // one REPORT clause
struct report_clauses : star<sep, report_clause> {};                   // REPORT, any order

struct require_cond : expression {};                                   // require COND
struct require_head : seq<require_, sep, must<require_cond>> {};       // require e
struct require_stmt : seq<require_head, report_clauses> {};            // require e REPORT
struct report_head : report_ {};                                       // report
struct report_stmt : seq<report_head, report_clauses> {};              // report REPORT

struct if_stmt_cond : expression {};                                   // if COND {
struct if_head : seq<if_, sep, must<if_stmt_cond>> {};                 // if e
struct if_stmt;
struct else_kw : else_ {};                                             // else
struct else_branch : sor<if_stmt, else_body> {};                       // else if ... / else { }
struct else_part : seq<else_kw, sep, must<else_branch>> {};            // else ...
struct if_stmt : seq<if_head, sep, must<then_body>, opt<sep, else_part>> {};  // if e { } else { }

struct statement : sor<for_stmt, let_stmt, when_stmt, require_stmt, report_stmt, if_stmt> {};  // a statement

// ---- Declarations

struct import_path : string_lit {};                                    // import "PATH"
struct import_alias : identifier {};                                   // as NAME
struct import_decl : seq<import_, sep, must<import_path>, opt<sep, as_, sep, must<import_alias>>> {};  // import "p" as a

struct const_name : identifier {};                                     // const NAME
struct const_value : expression {};                                    // const X = VALUE
struct const_decl : seq<const_, sep, must<const_name>, sep, must<equals>, sep, must<const_value>> {};  // const X = e

struct fn_name : identifier {};                                        // fn NAME(
struct fn_open : one<'('> {};                                          // opens the parameters
struct fn_param : identifier {};                                       // a parameter name
struct fn_close : one<')'> {};                                         // closes the parameters
struct fn_params : seq<fn_open, sep, opt<fn_param, sep, star<comma, sep, fn_param, sep>, opt<comma, sep>>, must<fn_close>> {};  // (a, b)
struct fn_body : expression {};                                        // fn f(x) = BODY
struct fn_decl : seq<fn_, sep, must<fn_name>, sep, must<fn_params>, sep, must<equals>, sep, must<fn_body>> {};  // fn f(a) = e

struct policy_name : seq<range<'a', 'z'>, star<ranges<'a', 'z', '0', '9'>>, star<one<'-'>, plus<ranges<'a', 'z', '0', '9'>>>, not_at<sor<ident_rest, one<'-'>>>> {};  // kebab-case
struct policy_open : one<'{'> {};                                      // opens the policy body
struct policy_close : one<'}'> {};                                     // closes the policy body
struct attr_key : identifier {};                                       // KEY = literal
struct attr_value : literal_value {};                                  // key = VALUE
struct attribute : seq<attr_key, sep, must<equals>, sep, must<attr_value>> {};  // key = literal
struct param_name : identifier {};                                     // param NAME
struct param_value : literal_value {};                                 // param x = VALUE
struct param_decl : seq<param_, sep, must<param_name>, sep, must<equals>, sep, must<param_value>> {};  // param x = literal
struct policy_member : sor<param_decl, attribute, statement> {};       // a header line or a statement
struct policy_item : must<policy_member> {};                           // one member (recovers)
struct policy_decl : seq<policy_, sep, must<policy_name>, sep, must<policy_open>, sep, star<not_at<block_end>, policy_item, sep>, must<policy_close>> {};  // policy n { ... }

struct declaration : sor<import_decl, const_decl, fn_decl, policy_decl> {};  // a top-level declaration
struct decl_item : must<declaration> {};                               // one declaration (recovers)
struct file : seq<sep, star<not_at<eof>, decl_item, sep>, eof> {};     // a whole policy file
// clang-format on

}  // namespace polc::dsl::grammar
