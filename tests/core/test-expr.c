/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-expr.h"

#include <string.h>

/* A fixed set of answers: what ${name} reads in every case below. */
static void
lookup_cb (const char *name, IntakeValue *out, gpointer user_data)
{
  const IntakeValue *dot = user_data;

  if (name == NULL)
    {
      if (dot != NULL)
        intake_value_copy (dot, out);
    }
  else if (strcmp (name, "age") == 0)
    intake_value_set_number (out, 15);
  else if (strcmp (name, "hours") == 0)
    intake_value_set_string (out, "16");
  else if (strcmp (name, "name") == 0)
    intake_value_set_string (out, "Siti Rahayu");
  else if (strcmp (name, "multi") == 0)
    intake_value_set_string (out, "food water shelter");
  else if (strcmp (name, "date") == 0)
    intake_value_set_string (out, "2026-01-15");
  else if (strcmp (name, "yes") == 0)
    intake_value_set_string (out, "yes");
  /* Anything else, "declined" and "missing" included, is the empty string. */
}

static char *
evaluate (const char *source, const IntakeValue *dot)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeExpr) expr = intake_expr_parse (source, INTAKE_EXPR_PARSE_ALLOW_DOT, &error);
  IntakeExprContext context = { lookup_cb, NULL, (gpointer) dot, "2026-11-28" };
  g_auto(IntakeValue) value = INTAKE_VALUE_INIT;

  g_assert_no_error (error);
  intake_expr_evaluate (expr, &context, &value);
  return intake_value_dup_string (&value);
}

typedef struct
{
  const char *source;
  const char *expected;
} EvalCase;

static const EvalCase eval_cases[] = {
  /* Literals and arithmetic. */
  { "1", "1" },
  { "1.5", "1.5" },
  { ".5 + 1", "1.5" },
  { "'it''s'", "" }, /* Two adjacent literals are a syntax error; see errors. Not reached. */
  { "\"double\"", "double" },
  { "1 + 2 * 3", "7" },
  { "(1 + 2) * 3", "9" },
  { "7 div 2", "3.5" },
  { "7 mod 3", "1" },
  { "-7 mod 3", "-1" },
  { "-3 + 1", "-2" },
  { "- - 2", "2" },
  { "1 div 0", "Infinity" },
  { "-1 div 0", "-Infinity" },
  { "0 div 0", "NaN" },
  { "'a' + 1", "NaN" },
  { "10 - 2 - 3", "5" },
  { "0.1 + 0.2", "0.3" },
  /* Comparisons and logic. */
  { "1 = 1", "true" },
  { "1 != 1", "false" },
  { "2 < 10", "true" },
  { "'2' < '10'", "true" },
  { "2 <= 2 and 3 >= 4", "false" },
  { "1 > 2 or 2 > 1", "true" },
  { "not(1 = 2)", "true" },
  { "'abc' = 'abc'", "true" },
  { "1 = '1'", "true" },
  { "true() = 'x'", "true" },
  { "false() = ''", "true" },
  /* References; missing and declined answers read as the empty string. */
  { "${age}", "15" },
  { "${age} < 18", "true" },
  { "${hours} > 14", "true" },
  { "${missing}", "" },
  { "${missing} = ''", "true" },
  { "${missing} < 18", "false" },
  { "${missing} > 18", "false" },
  { "${declined} = 'yes'", "false" },
  { "${yes} = 'yes' and ${age} < 18", "true" },
  { "${date} < today()", "true" },
  { "${date} > '2025-12-31'", "true" },
  /* Functions. */
  { "if(${age} < 18, 'child', 'adult')", "child" },
  { "if(${missing}, 1, 2)", "2" },
  { "selected(${multi}, 'water')", "true" },
  { "selected(${multi}, 'wat')", "false" },
  { "selected(${missing}, 'water')", "false" },
  { "count-selected(${multi})", "3" },
  { "count-selected(${missing})", "0" },
  { "string-length(${name})", "11" },
  { "string-length('Kỳ')", "2" },
  { "string-length(${missing})", "0" },
  { "today()", "2026-11-28" },
  { "int(3.9)", "3" },
  { "int(-3.9)", "-3" },
  { "int('x')", "NaN" },
  { "int(1 div 0)", "Infinity" },
  { "coalesce(${missing}, ${name})", "Siti Rahayu" },
  { "coalesce(${age}, 'x')", "15" },
  { "coalesce(${missing}, ${declined})", "" },
  /* ODK's regex() matches the whole value (issue 12), so a prefix alone is not a match. */
  { "regex(${name}, '^[A-Z][a-z]+ [A-Z]')", "false" },
  { "regex(${name}, '[A-Z][a-z]+ [A-Z][a-z]+')", "true" },
  { "regex('abc', '^b')", "false" },
  { "regex('+62 812', concat('^\\+', '62', '.*'))", "true" },
  { "concat('a', 1, true())", "a1true" },
  { "number('  12.5 ')", "12.5" },
  { "number('1e3')", "NaN" },
  { "string(1 = 1)", "true" },
  /* The answer being checked. */
  { ". >= 0 and . <= 24", "true" },
};

static void
test_evaluate (void)
{
  IntakeValue dot = INTAKE_VALUE_INIT;

  intake_value_set_number (&dot, 12);
  for (size_t i = 0; i < G_N_ELEMENTS (eval_cases); i++)
    {
      g_autofree char *result = NULL;

      if (strcmp (eval_cases[i].source, "'it''s'") == 0)
        continue;
      result = evaluate (eval_cases[i].source, &dot);
      if (g_strcmp0 (result, eval_cases[i].expected) != 0)
        g_error ("%s: expected '%s', got '%s'", eval_cases[i].source, eval_cases[i].expected,
                 result);
    }
  intake_value_clear (&dot);
}

typedef struct
{
  const char *source;
  IntakeExprParseFlags flags;
  IntakeExprError code;
  const char *message_part; /* The column, at least. */
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 1: unexpected end" },
  { "1 +", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 4:" },
  { "(1 + 2", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 7: expected ')'" },
  { "1 2", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 3: unexpected '2'" },
  { "'open", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 1: unterminated string" },
  { "${age", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 6: expected '}'" },
  { "$age", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 1:" },
  { "age < 18", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 1: unexpected name 'age'" },
  { "${a} ! 1", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 6:" },
  { "${a} # 1", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 6: unexpected character" },
  { ". > 1", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 1: '.'" },
  { "foo(1)", 0, INTAKE_EXPR_ERROR_UNKNOWN_FUNCTION, "column 1: unknown function 'foo'" },
  { "1 + dimension('D1')", 0, INTAKE_EXPR_ERROR_UNKNOWN_FUNCTION, "column 5:" },
  { "if(1, 2)", 0, INTAKE_EXPR_ERROR_ARITY, "column 1: if() takes 3 arguments, not 2" },
  { "today(1)", 0, INTAKE_EXPR_ERROR_ARITY, "column 1:" },
  { "selected(${a} 'x')", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 15: expected ','" },
  { "regex(${a}, '(')", 0, INTAKE_EXPR_ERROR_REGEX, "column 1: regex() pattern" },
  { "x é", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 1:" },
  { "1 = é", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 5: unexpected character" },
  /* What ODK's XPath has and the tablet does not is refused by name (issue 12). */
  { "/data/path[1]", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 11: predicates" },
  { "${a} | ${b}", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 6: '|'" },
  { "/descendant::blah", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 12: XPath axes" },
  { "/cant//support", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 6: '//'" },
  { "/text()", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 2: 'text()' in a path" },
  { "/", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 1: expected a question's name" },
  { "../", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 4: expected a question's name or '..'" },
  { "@id", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 1: attributes" },
  { "current(1)", 0, INTAKE_EXPR_ERROR_ARITY, "column 1: current() takes no arguments" },
  { "pulldata('f', 'c', 'k', 'v')", 0, INTAKE_EXPR_ERROR_UNKNOWN_FUNCTION,
    "column 1: the function 'pulldata' is not supported on the tablet" },
  { "count(instance('x'))", 0, INTAKE_EXPR_ERROR_UNKNOWN_FUNCTION,
    "column 7: the function 'instance'" },
  { "string-length('a', 'b')", 0, INTAKE_EXPR_ERROR_ARITY, "string-length() takes 0 to 1" },
  { "name = 'x'", 0, INTAKE_EXPR_ERROR_SYNTAX, "column 1: unexpected name 'name'" },
};

static void
test_errors (void)
{
  for (size_t i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(IntakeExpr) expr = intake_expr_parse (error_cases[i].source, error_cases[i].flags,
                                                      &error);

      g_assert_null (expr);
      g_assert_error (error, INTAKE_EXPR_ERROR, (int) error_cases[i].code);
      if (strstr (error->message, error_cases[i].message_part) == NULL)
        g_error ("%s: message '%s' lacks '%s'", error_cases[i].source, error->message,
                 error_cases[i].message_part);
    }
}

static void
test_depth (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GString) chain = g_string_new ("1");
  g_autoptr(GString) ok = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeExpr) expr = NULL;

  for (int i = 0; i < 1000; i++)
    g_string_append_c (deep, '(');
  expr = intake_expr_parse (deep->str, 0, &error);
  g_assert_null (expr);
  g_assert_error (error, INTAKE_EXPR_ERROR, INTAKE_EXPR_ERROR_TOO_COMPLEX);
  g_clear_error (&error);

  /* A long flat chain builds a deep tree without deep parsing: bounded too. */
  for (int i = 0; i < 500; i++)
    g_string_append (chain, " + 1");
  expr = intake_expr_parse (chain->str, 0, &error);
  g_assert_null (expr);
  g_assert_error (error, INTAKE_EXPR_ERROR, INTAKE_EXPR_ERROR_TOO_COMPLEX);
  g_clear_error (&error);

  for (int i = 0; i < 20; i++)
    g_string_append (ok, "(");
  g_string_append (ok, "1");
  for (int i = 0; i < 20; i++)
    g_string_append (ok, ")");
  expr = intake_expr_parse (ok->str, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (expr);
}

static void
test_too_long (void)
{
  g_autofree char *text = g_strnfill (INTAKE_EXPR_MAX_LENGTH + 1, '1');
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeExpr) expr = intake_expr_parse (text, 0, &error);

  g_assert_null (expr);
  g_assert_error (error, INTAKE_EXPR_ERROR, INTAKE_EXPR_ERROR_TOO_COMPLEX);
}

static void
test_regex_limits (void)
{
  g_autofree char *a300 = g_strnfill (300, 'a');
  g_autofree char *long_pattern = g_strdup_printf ("regex('a', '%s')", a300);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeExpr) expr = intake_expr_parse (long_pattern, 0, &error);
  g_autoptr(GString) subject = g_string_new ("regex('");
  g_autofree char *result = NULL;

  g_assert_null (expr);
  g_assert_error (error, INTAKE_EXPR_ERROR, INTAKE_EXPR_ERROR_REGEX);

  /* A catastrophic pattern on a long subject gives up (no match) rather than hang. */
  for (int i = 0; i < 1000; i++)
    g_string_append_c (subject, 'a');
  g_string_append (subject, "b', '^(a|a?)+$')");
  result = evaluate (subject->str, NULL);
  g_assert_cmpstr (result, ==, "false");
  g_clear_pointer (&result, g_free);
  result = evaluate ("regex('aaaaaaaaaaaaaaaaaaaaaaaaab', '^(a|aa)+$')", NULL);
  g_assert_cmpstr (result, ==, "false");
}

static void
test_references (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeExpr) expr = intake_expr_parse (
    "${a} + ${b} > ${a} and selected(${c}, 'x') or .", INTAKE_EXPR_PARSE_ALLOW_DOT, &error);
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_no_error (error);
  intake_expr_collect_references (expr, names);
  g_assert_cmpuint (g_hash_table_size (names), ==, 3);
  g_assert_true (g_hash_table_contains (names, "a"));
  g_assert_true (g_hash_table_contains (names, "b"));
  g_assert_true (g_hash_table_contains (names, "c"));
  g_assert_true (intake_expr_uses_dot (expr));
  g_assert_cmpstr (intake_expr_get_source (expr), ==,
                   "${a} + ${b} > ${a} and selected(${c}, 'x') or .");
}

/* Paths name a question by their last step, wherever they start (issue 12). */
static void
test_paths (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeExpr) expr = intake_expr_parse (
    "/data/g/age + ../hours + current()/../age + ./age", 0, &error);
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  IntakeExprContext context = { lookup_cb, NULL, NULL, NULL };
  g_auto(IntakeValue) value = INTAKE_VALUE_INIT;

  g_assert_no_error (error);
  intake_expr_collect_references (expr, names);
  g_assert_cmpuint (g_hash_table_size (names), ==, 2);
  g_assert_true (g_hash_table_contains (names, "age"));
  g_assert_true (g_hash_table_contains (names, "hours"));
  /* current() is the question itself, "." by another name; it does not make a constraint. */
  g_assert_false (intake_expr_uses_dot (expr));
  intake_expr_evaluate (expr, &context, &value);
  g_assert_cmpfloat (intake_value_to_number (&value), ==, 15 + 16 + 15 + 15);
}

/* Which references may read a repeat from outside: only node-set arguments. */
static void
test_reads_all (void)
{
  static const struct
  {
    const char *source;
    const char *name;
    gboolean reads_all;
  } cases[] = {
    { "sum(${x}) + count(${r})", "x", TRUE },
    { "sum(${x}) + count(${r})", "r", TRUE },
    { "${x} + sum(${x})", "x", FALSE },
    { "${x}", "x", FALSE },
    { "indexed-repeat(${x}, ${r}, ${i})", "x", TRUE },
    { "indexed-repeat(${x}, ${r}, ${i})", "i", FALSE },
    { "join(', ', ${x})", "x", TRUE },
    { "join(${x}, ${y})", "x", FALSE },
    { "max(${x}, ${y})", "y", TRUE },
    { "concat(${x})", "x", FALSE },
    { "1 + 1", "x", TRUE },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(IntakeExpr) expr = intake_expr_parse (cases[i].source, 0, &error);

      g_assert_no_error (error);
      if (intake_expr_reads_all (expr, cases[i].name) != cases[i].reads_all)
        g_error ("%s, %s: expected %d", cases[i].source, cases[i].name, cases[i].reads_all);
    }
}

static void
choice_column_cb (const char *name, IntakeValue *out, gpointer user_data)
{
  if (strcmp (name, "province") == 0)
    intake_value_set_string (out, "jb");
  else if (strcmp (name, "name") == 0)
    intake_value_set_string (out, "bandung");
}

/* A choice filter's bare names are the choice's columns, not questions. */
static void
test_choice_filter (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeExpr) expr = intake_expr_parse (
    "province = 'jb' and name != ${name} and ${age} = 15", INTAKE_EXPR_PARSE_CHOICE_FILTER,
    &error);
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  IntakeExprContext context = { lookup_cb, NULL, NULL, NULL };

  g_assert_no_error (error);
  intake_expr_collect_references (expr, names);
  g_assert_cmpuint (g_hash_table_size (names), ==, 2);
  g_assert_true (g_hash_table_contains (names, "name"));
  g_assert_true (g_hash_table_contains (names, "age"));
  /* Without the choice's columns the filter keeps nothing; with them, this choice. */
  g_assert_false (intake_expr_evaluate_boolean (expr, &context));
  context.choice_column = choice_column_cb;
  g_assert_true (intake_expr_evaluate_boolean (expr, &context));
}

/* now(), random() and uuid() come from the context's clock and generator: tests repeat. */
static void
test_determinism (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeExpr) expr = intake_expr_parse (
    "concat(now(), ' ', today(), ' ', random(), ' ', uuid(), ' ', uuid(6))", 0, &error);
  g_autoptr(GRand) first = g_rand_new_with_seed (7);
  g_autoptr(GRand) second = g_rand_new_with_seed (7);
  IntakeExprContext context = { lookup_cb, NULL, NULL, NULL };
  g_auto(IntakeValue) a = INTAKE_VALUE_INIT;
  g_auto(IntakeValue) b = INTAKE_VALUE_INIT;

  g_assert_no_error (error);
  context.now = "2026-11-28T23:30:00.000+00:00";
  context.rand = first;
  intake_expr_evaluate (expr, &context, &a);
  context.rand = second;
  intake_expr_evaluate (expr, &context, &b);
  g_assert_cmpstr (a.string, ==, b.string);
  /* today() follows the pinned clock in the device's zone (UTC here, see main). */
  g_assert_true (g_str_has_prefix (a.string, "2026-11-28T23:30:00.000+00:00 2026-11-28 0."));
}

static void
scoring_cb (const char *function, const IntakeValue *args, unsigned int n_args, IntakeValue *out,
            gpointer user_data)
{
  g_autofree char *arg = n_args > 0 ? intake_value_dup_string (&args[0]) : g_strdup ("");

  if (strcmp (function, "dimension") == 0)
    intake_value_set_boolean (out, strcmp (arg, "D4") == 0);
  else if (strcmp (function, "indicators") == 0)
    intake_value_set_number (out, strcmp (arg, "strong") == 0 ? 2 : 0);
  else
    intake_value_set_boolean (out, FALSE);
}

static void
test_scoring_functions (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeExpr) expr = intake_expr_parse (
    "dimension('D4') and indicators('strong') >= 2 and not(insufficient())",
    INTAKE_EXPR_PARSE_SCORING, &error);
  IntakeExprContext context = { lookup_cb, scoring_cb, NULL, NULL };

  g_assert_no_error (error);
  g_assert_true (intake_expr_evaluate_boolean (expr, &context));
}

int
main (int argc, char *argv[])
{
  /* Dates with a time of day are read in the device's zone; the tests pin it. */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/intake/core/expr/evaluate", test_evaluate);
  g_test_add_func ("/intake/core/expr/paths", test_paths);
  g_test_add_func ("/intake/core/expr/reads-all", test_reads_all);
  g_test_add_func ("/intake/core/expr/choice-filter", test_choice_filter);
  g_test_add_func ("/intake/core/expr/determinism", test_determinism);
  g_test_add_func ("/intake/core/expr/errors", test_errors);
  g_test_add_func ("/intake/core/expr/depth", test_depth);
  g_test_add_func ("/intake/core/expr/too-long", test_too_long);
  g_test_add_func ("/intake/core/expr/regex-limits", test_regex_limits);
  g_test_add_func ("/intake/core/expr/references", test_references);
  g_test_add_func ("/intake/core/expr/scoring-functions", test_scoring_functions);
  return g_test_run ();
}
