/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The function library: ODK's XPath functions (getodk.github.io/xforms-spec, "XPath
 * functions") with the semantics of ODK Collect's engine, JavaRosa, where the two differ from
 * plain XPath 1.0: regex() matches the whole value, round() takes a number of places, dates are
 * days, min() and max() of an empty or non-numeric value are NaN.  Each expected result is
 * pinned, with its source, in tests/core/data/odk-conformance.json.
 *
 * Functions ODK has and the tablet does not are listed in `unsupported` and refused by name
 * when the form loads.
 */
#include "intake-expr-private.h"

#include <math.h>
#include <string.h>

typedef enum
{
  FN_IF,
  FN_SELECTED,
  FN_SELECTED_AT,
  FN_COUNT_SELECTED,
  FN_CHOICE_NAME,
  FN_STRING_LENGTH,
  FN_NORMALIZE_SPACE,
  FN_SUBSTR,
  FN_SUBSTRING_BEFORE,
  FN_SUBSTRING_AFTER,
  FN_TRANSLATE,
  FN_CONTAINS,
  FN_STARTS_WITH,
  FN_ENDS_WITH,
  FN_JOIN,
  FN_CONCAT,
  FN_TODAY,
  FN_NOW,
  FN_DATE,
  FN_DATE_TIME,
  FN_DECIMAL_DATE_TIME,
  FN_DECIMAL_TIME,
  FN_FORMAT_DATE,
  FN_INT,
  FN_ROUND,
  FN_MATH1,
  FN_POW,
  FN_ATAN2,
  FN_PI,
  FN_COALESCE,
  FN_ONCE,
  FN_REGEX,
  FN_NOT,
  FN_TRUE,
  FN_FALSE,
  FN_BOOLEAN,
  FN_BOOLEAN_FROM_STRING,
  FN_NUMBER,
  FN_STRING,
  FN_COUNT,
  FN_COUNT_NON_EMPTY,
  FN_SUM,
  FN_MIN,
  FN_MAX,
  FN_POSITION,
  FN_INDEXED_REPEAT,
  FN_CHECKLIST,
  FN_WEIGHTED_CHECKLIST,
  FN_RANDOM,
  FN_UUID,
  FN_DIGEST,
  FN_BASE64_DECODE,
  FN_SCORING,
} FunctionId;

struct _FunctionInfo
{
  const char *name;
  FunctionId id;
  unsigned int min_args;
  unsigned int max_args;
  gboolean scoring_only;
  /* Bit i: argument i is read as a node-set; bit 31 stands for every argument from the 2nd. */
  guint32 reads_all;
  double (*math) (double);
};

#define ALL_FROM_SECOND (1u << 31)
#define MAX_ARGS INTAKE_EXPR_MAX_ARGS

static double
exp10_of (double x)
{
  return pow (10.0, x);
}

static const FunctionInfo functions[] = {
  { "if", FN_IF, 3, 3, FALSE, 0, NULL },
  { "selected", FN_SELECTED, 2, 2, FALSE, 0, NULL },
  { "selected-at", FN_SELECTED_AT, 2, 2, FALSE, 0, NULL },
  { "count-selected", FN_COUNT_SELECTED, 1, 1, FALSE, 0, NULL },
  { "jr:choice-name", FN_CHOICE_NAME, 2, 2, FALSE, 0, NULL },
  { "string-length", FN_STRING_LENGTH, 0, 1, FALSE, 0, NULL },
  { "normalize-space", FN_NORMALIZE_SPACE, 0, 1, FALSE, 0, NULL },
  { "substr", FN_SUBSTR, 2, 3, FALSE, 0, NULL },
  { "substring-before", FN_SUBSTRING_BEFORE, 2, 2, FALSE, 0, NULL },
  { "substring-after", FN_SUBSTRING_AFTER, 2, 2, FALSE, 0, NULL },
  { "translate", FN_TRANSLATE, 3, 3, FALSE, 0, NULL },
  { "contains", FN_CONTAINS, 2, 2, FALSE, 0, NULL },
  { "starts-with", FN_STARTS_WITH, 2, 2, FALSE, 0, NULL },
  { "ends-with", FN_ENDS_WITH, 2, 2, FALSE, 0, NULL },
  { "join", FN_JOIN, 2, MAX_ARGS, FALSE, ALL_FROM_SECOND, NULL },
  { "concat", FN_CONCAT, 1, MAX_ARGS, FALSE, 0, NULL },
  { "today", FN_TODAY, 0, 0, FALSE, 0, NULL },
  { "now", FN_NOW, 0, 0, FALSE, 0, NULL },
  { "date", FN_DATE, 1, 1, FALSE, 0, NULL },
  { "date-time", FN_DATE_TIME, 1, 1, FALSE, 0, NULL },
  { "decimal-date-time", FN_DECIMAL_DATE_TIME, 1, 1, FALSE, 0, NULL },
  { "decimal-time", FN_DECIMAL_TIME, 1, 1, FALSE, 0, NULL },
  { "format-date", FN_FORMAT_DATE, 2, 2, FALSE, 0, NULL },
  { "format-date-time", FN_FORMAT_DATE, 2, 2, FALSE, 0, NULL },
  { "int", FN_INT, 1, 1, FALSE, 0, NULL },
  { "round", FN_ROUND, 1, 2, FALSE, 0, NULL },
  { "abs", FN_MATH1, 1, 1, FALSE, 0, fabs },
  { "sqrt", FN_MATH1, 1, 1, FALSE, 0, sqrt },
  { "exp", FN_MATH1, 1, 1, FALSE, 0, exp },
  { "exp10", FN_MATH1, 1, 1, FALSE, 0, exp10_of },
  { "log", FN_MATH1, 1, 1, FALSE, 0, log },
  { "log10", FN_MATH1, 1, 1, FALSE, 0, log10 },
  { "sin", FN_MATH1, 1, 1, FALSE, 0, sin },
  { "cos", FN_MATH1, 1, 1, FALSE, 0, cos },
  { "tan", FN_MATH1, 1, 1, FALSE, 0, tan },
  { "asin", FN_MATH1, 1, 1, FALSE, 0, asin },
  { "acos", FN_MATH1, 1, 1, FALSE, 0, acos },
  { "atan", FN_MATH1, 1, 1, FALSE, 0, atan },
  { "atan2", FN_ATAN2, 2, 2, FALSE, 0, NULL },
  { "pow", FN_POW, 2, 2, FALSE, 0, NULL },
  { "pi", FN_PI, 0, 0, FALSE, 0, NULL },
  { "coalesce", FN_COALESCE, 2, MAX_ARGS, FALSE, 0, NULL },
  { "once", FN_ONCE, 1, 1, FALSE, 0, NULL },
  { "regex", FN_REGEX, 2, 2, FALSE, 0, NULL },
  { "not", FN_NOT, 1, 1, FALSE, 0, NULL },
  { "true", FN_TRUE, 0, 0, FALSE, 0, NULL },
  { "false", FN_FALSE, 0, 0, FALSE, 0, NULL },
  { "boolean", FN_BOOLEAN, 1, 1, FALSE, 0, NULL },
  { "boolean-from-string", FN_BOOLEAN_FROM_STRING, 1, 1, FALSE, 0, NULL },
  { "number", FN_NUMBER, 1, 1, FALSE, 0, NULL },
  { "string", FN_STRING, 1, 1, FALSE, 0, NULL },
  { "count", FN_COUNT, 1, 1, FALSE, 1u << 0, NULL },
  { "count-non-empty", FN_COUNT_NON_EMPTY, 1, 1, FALSE, 1u << 0, NULL },
  { "sum", FN_SUM, 1, 1, FALSE, 1u << 0, NULL },
  { "min", FN_MIN, 1, MAX_ARGS, FALSE, (1u << 0) | ALL_FROM_SECOND, NULL },
  { "max", FN_MAX, 1, MAX_ARGS, FALSE, (1u << 0) | ALL_FROM_SECOND, NULL },
  { "position", FN_POSITION, 0, 1, FALSE, 0, NULL },
  /* One repeat and one index per level, up to three levels (the ODK XForms spec's limit). */
  { "indexed-repeat", FN_INDEXED_REPEAT, 3, 7, FALSE,
    (1u << 0) | (1u << 1) | (1u << 3) | (1u << 5), NULL },
  { "checklist", FN_CHECKLIST, 2, MAX_ARGS, FALSE, 0, NULL },
  { "weighted-checklist", FN_WEIGHTED_CHECKLIST, 2, MAX_ARGS, FALSE, 0, NULL },
  { "random", FN_RANDOM, 0, 0, FALSE, 0, NULL },
  { "uuid", FN_UUID, 0, 1, FALSE, 0, NULL },
  { "digest", FN_DIGEST, 2, 3, FALSE, 0, NULL },
  { "base64-decode", FN_BASE64_DECODE, 1, 1, FALSE, 0, NULL },
  { "dimension", FN_SCORING, 1, 1, TRUE, 0, NULL },
  { "insufficient", FN_SCORING, 0, 1, TRUE, 0, NULL },
  { "indicators", FN_SCORING, 0, 1, TRUE, 0, NULL },
};

/*
 * ODK functions the tablet does not have: secondary instances and external data (instance,
 * pulldata, search), geometry (area, distance, geofence), signed and encrypted data, shuffled
 * lists, and the form's own metadata.  A form using one is refused by name.
 */
static const char *const unsupported[] = {
  "instance", "pulldata", "search", "area", "distance", "geofence", "extract-signed",
  "randomize", "version", "property", "jr:itext", "encrypt-string", "decrypt-string",
  "current-date", "last", "local-name", "name", "namespace-uri", "id", "lang", "sum-weights",
  "ceiling", "floor", "substring", "depend", "is-selected",
};

const FunctionInfo *
_intake_expr_lookup_function (const char *name, gboolean scoring)
{
  for (size_t i = 0; i < G_N_ELEMENTS (functions); i++)
    if (strcmp (functions[i].name, name) == 0)
      return functions[i].scoring_only && !scoring ? NULL : &functions[i];
  return NULL;
}

const char *
_intake_expr_function_name (const FunctionInfo *info)
{
  return info->name;
}

void
_intake_expr_function_arity (const FunctionInfo *info, unsigned int *min_args,
                             unsigned int *max_args)
{
  *min_args = info->min_args;
  *max_args = info->max_args;
}

gboolean
_intake_expr_function_reads_all (const FunctionInfo *info, unsigned int index)
{
  if (index < 31 && (info->reads_all & (1u << index)))
    return TRUE;
  return index >= 1 && (info->reads_all & ALL_FROM_SECOND);
}

gboolean
_intake_expr_function_is_unsupported (const char *name)
{
  for (size_t i = 0; i < G_N_ELEMENTS (unsupported); i++)
    if (strcmp (unsupported[i], name) == 0)
      return TRUE;
  return FALSE;
}

static GRegex *
compile_anchored (const char *pattern, GError **error)
{
  /*
   * ODK's regex() matches the whole value (JavaRosa uses Java's Pattern.matches), so the
   * pattern is wrapped in a group and anchored at both ends; \z does not accept a trailing
   * newline as $ would.
   */
  g_autofree char *anchored = g_strdup_printf ("^(?:%s)\\z", pattern);

  return g_regex_new (anchored, G_REGEX_DEFAULT, G_REGEX_MATCH_DEFAULT, error);
}

gboolean
_intake_expr_function_check (Node *call, GError **error)
{
  Node *pattern;

  if (call->function->id == FN_INDEXED_REPEAT && call->n_children > 3)
    {
      /* indexed-repeat(${x}, ${outer}, i, ${inner}, j…): each repeat named, with its index. */
      if (call->n_children % 2 == 0)
        {
          g_set_error (error, INTAKE_EXPR_ERROR, INTAKE_EXPR_ERROR_ARITY,
                       "indexed-repeat() takes a repeat and an index for each level (3, 5 or 7 "
                       "arguments), not %u", call->n_children);
          return FALSE;
        }
      for (unsigned int i = 0; i < call->n_children; i += i == 0 ? 1 : 2)
        if (call->children[i]->kind != NODE_REF)
          {
            g_set_error (error, INTAKE_EXPR_ERROR, INTAKE_EXPR_ERROR_SYNTAX,
                         "indexed-repeat() over nested repeats names the question and each "
                         "repeat as ${name}");
            return FALSE;
          }
      return TRUE;
    }
  if (call->function->id != FN_REGEX)
    return TRUE;
  pattern = call->children[1];
  if (pattern->kind != NODE_STRING)
    return TRUE;
  if (strlen (pattern->string) > INTAKE_EXPR_MAX_REGEX_PATTERN)
    {
      g_set_error (error, INTAKE_EXPR_ERROR, INTAKE_EXPR_ERROR_REGEX,
                   "regex() pattern longer than %d bytes", INTAKE_EXPR_MAX_REGEX_PATTERN);
      return FALSE;
    }
  call->regex = compile_anchored (pattern->string, error);
  if (call->regex == NULL)
    {
      g_prefix_error (error, "regex() pattern does not compile: ");
      if (error != NULL && *error != NULL)
        (*error)->code = INTAKE_EXPR_ERROR_REGEX;
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* Strings                                                                                     */

static gboolean
regex_matches (const Node *node, const IntakeExprContext *context)
{
  g_autofree char *subject = INTAKE_EXPR_EVALUATOR (context)->string (node->children[0], context);
  g_autoptr(GRegex) dynamic = NULL;
  g_autoptr(GError) local_error = NULL;
  GRegex *regex = node->regex;
  gboolean matched;

  /*
   * PCRE2 backtracks; a hostile pattern on a long subject could take very long.  Patterns are
   * bounded in length, subjects too, and PCRE2's own match limit (which GLib leaves at its
   * default) turns the remaining cases into an error, which counts as no match.
   */
  if (strlen (subject) > INTAKE_EXPR_MAX_REGEX_SUBJECT || !g_utf8_validate (subject, -1, NULL))
    return FALSE;
  if (regex == NULL)
    {
      g_autofree char *pattern = INTAKE_EXPR_EVALUATOR (context)->string (node->children[1], context);

      if (strlen (pattern) > INTAKE_EXPR_MAX_REGEX_PATTERN)
        return FALSE;
      dynamic = compile_anchored (pattern, NULL);
      if (dynamic == NULL)
        return FALSE;
      regex = dynamic;
    }
  matched = g_regex_match_full (regex, subject, -1, 0, G_REGEX_MATCH_DEFAULT, NULL, &local_error);
  return matched && local_error == NULL;
}

/* Strings from answers are UTF-8, but a stray byte must not make us read past the end. */
static char *
valid_utf8 (char *s)
{
  char *valid;

  if (g_utf8_validate (s, -1, NULL))
    return s;
  valid = g_utf8_make_valid (s, -1);
  g_free (s);
  return valid;
}

static char *
argument_string (const Node *node, unsigned int index, const IntakeExprContext *context)
{
  return valid_utf8 (INTAKE_EXPR_EVALUATOR (context)->string (node->children[index], context));
}

/* The argument, or the context node ("."), as string-length() and normalize-space() take it. */
static char *
argument_or_dot (const Node *node, const IntakeExprContext *context)
{
  g_auto(IntakeValue) dot = INTAKE_VALUE_INIT;

  if (node->n_children > 0)
    return argument_string (node, 0, context);
  if (context->lookup != NULL)
    context->lookup (NULL, &dot, context->user_data);
  return valid_utf8 (intake_value_dup_string (&dot));
}

/* ------------------------------------------------------------------------------------------ */
/* Numbers                                                                                     */

/*
 * JavaRosa's round(x, places): half-way cases go up (towards +infinity), places may be
 * negative, and a fractional number of places is truncated.
 */
static double
round_places (double x, double places)
{
  double factor;
  int p;

  if (isnan (x) || isinf (x) || isnan (places))
    return x;
  p = (int) CLAMP (trunc (places), -300, 300);
  if (p == 0)
    return floor (x + 0.5) == 0.0 ? 0.0 : floor (x + 0.5);
  factor = pow (10.0, fabs ((double) p));
  if (p > 0)
    return floor (x * factor + 0.5) / factor;
  return floor (x / factor + 0.5) * factor;
}

/* min() and max(): NaN for no values or any value that is not a number, as JavaRosa says. */
static double
extreme (GArray *values, gboolean want_max)
{
  double result = NAN;

  for (unsigned int i = 0; i < values->len; i++)
    {
      double x = intake_value_to_number (&g_array_index (values, IntakeValue, i));

      if (isnan (x))
        return NAN;
      if (i == 0 || (want_max ? x > result : x < result))
        result = x;
    }
  return result;
}

/* Every value of the arguments from @first on, node-sets expanded. */
static GArray *
collect_arguments (const Node *node, unsigned int first, const IntakeExprContext *context)
{
  GArray *all = g_array_new (FALSE, TRUE, sizeof (IntakeValue));

  g_array_set_clear_func (all, (GDestroyNotify) intake_value_clear);
  for (unsigned int i = first; i < node->n_children; i++)
    {
      g_autoptr(GArray) values = INTAKE_EXPR_EVALUATOR (context)->all (node->children[i], context);

      for (unsigned int k = 0; k < values->len; k++)
        {
          IntakeValue copy = INTAKE_VALUE_INIT;

          intake_value_copy (&g_array_index (values, IntakeValue, k), &copy);
          g_array_append_val (all, copy);
        }
    }
  return all;
}

static gboolean
within_limits (double n, double min, double max)
{
  /* -1 stands for "no limit" in checklist() and weighted-checklist(). */
  return (min < 0 || n >= min) && (max < 0 || n <= max);
}

/* ------------------------------------------------------------------------------------------ */
/* Dispatch                                                                                    */

static void
evaluate_string_function (const Node *node, const IntakeExprContext *context, IntakeValue *out)
{
  /* Only this group's functions come here (see _intake_expr_evaluate_call). */
  switch ((int) node->function->id)
    {
    case FN_STRING_LENGTH:
      {
        g_autofree char *s = argument_or_dot (node, context);

        intake_value_set_number (out, (double) g_utf8_strlen (s, -1));
        break;
      }
    case FN_NORMALIZE_SPACE:
      {
        g_autofree char *s = argument_or_dot (node, context);

        intake_value_take_string (out, _intake_expr_normalize_space (s));
        break;
      }
    case FN_SUBSTR:
      {
        g_autofree char *s = argument_string (node, 0, context);
        double start = INTAKE_EXPR_EVALUATOR (context)->number (node->children[1], context);
        double end = node->n_children > 2 ? INTAKE_EXPR_EVALUATOR (context)->number (node->children[2],
                                                                           context)
                                          : (double) g_utf8_strlen (s, -1);

        intake_value_take_string (out, _intake_expr_substr (s, start, end));
        break;
      }
    case FN_SUBSTRING_BEFORE:
    case FN_SUBSTRING_AFTER:
      {
        g_autofree char *s = argument_string (node, 0, context);
        g_autofree char *part = argument_string (node, 1, context);
        const char *found = strstr (s, part);

        if (found == NULL)
          intake_value_set_string (out, "");
        else if (node->function->id == FN_SUBSTRING_BEFORE)
          intake_value_take_string (out, g_strndup (s, found - s));
        else
          intake_value_set_string (out, found + strlen (part));
        break;
      }
    case FN_TRANSLATE:
      {
        g_autofree char *s = argument_string (node, 0, context);
        g_autofree char *from = argument_string (node, 1, context);
        g_autofree char *to = argument_string (node, 2, context);

        intake_value_take_string (out, _intake_expr_translate (s, from, to));
        break;
      }
    case FN_CONTAINS:
    case FN_STARTS_WITH:
    case FN_ENDS_WITH:
      {
        g_autofree char *s = argument_string (node, 0, context);
        g_autofree char *part = argument_string (node, 1, context);

        intake_value_set_boolean (out, node->function->id == FN_CONTAINS ? strstr (s, part) != NULL
                                       : node->function->id == FN_STARTS_WITH
                                         ? g_str_has_prefix (s, part)
                                         : g_str_has_suffix (s, part));
        break;
      }
    case FN_JOIN:
    case FN_CONCAT:
      {
        g_autofree char *separator = node->function->id == FN_JOIN
                                       ? argument_string (node, 0, context)
                                       : g_strdup ("");
        g_autoptr(GArray) values = collect_arguments (
          node, node->function->id == FN_JOIN ? 1 : 0, context);
        GString *s = g_string_new (NULL);

        for (unsigned int i = 0; i < values->len; i++)
          {
            g_autofree char *part = intake_value_dup_string (&g_array_index (values, IntakeValue,
                                                                             i));

            if (i > 0)
              g_string_append (s, separator);
            g_string_append (s, part);
          }
        intake_value_take_string (out, g_string_free (s, FALSE));
        break;
      }
    case FN_DIGEST:
      {
        g_autofree char *data = argument_string (node, 0, context);
        g_autofree char *algorithm = argument_string (node, 1, context);
        g_autofree char *encoding = node->n_children > 2 ? argument_string (node, 2, context)
                                                         : g_strdup ("base64");

        intake_value_take_string (out, _intake_expr_digest (data, algorithm, encoding));
        break;
      }
    case FN_BASE64_DECODE:
      {
        g_autofree char *text = argument_string (node, 0, context);

        intake_value_take_string (out, _intake_expr_base64_decode (text));
        break;
      }
    default:
      intake_value_clear (out);
      break;
    }
}

static void
evaluate_date_function (const Node *node, const IntakeExprContext *context, IntakeValue *out)
{
  g_auto(IntakeValue) arg = INTAKE_VALUE_INIT;

  if (node->n_children > 0)
    INTAKE_EXPR_EVALUATOR (context)->node (node->children[0], context, &arg);
  /* Only this group's functions come here (see _intake_expr_evaluate_call). */
  switch ((int) node->function->id)
    {
    case FN_TODAY:
      _intake_date_today (context, out);
      break;
    case FN_NOW:
      _intake_date_now (context, out);
      break;
    case FN_DATE:
      /* An empty value stays empty, as in JavaRosa; so does anything that is not a date. */
      intake_value_take_string (out, _intake_date_format_date (
                                       floor (_intake_date_value_to_days (&arg))));
      break;
    case FN_DATE_TIME:
      intake_value_take_string (out, _intake_date_format_date_time (
                                       _intake_date_value_to_days (&arg)));
      break;
    case FN_DECIMAL_DATE_TIME:
      intake_value_set_number (out, _intake_date_value_to_days (&arg));
      break;
    case FN_DECIMAL_TIME:
      intake_value_set_number (out, _intake_date_decimal_time (&arg));
      break;
    case FN_FORMAT_DATE:
      {
        g_autofree char *format = argument_string (node, 1, context);

        intake_value_take_string (out, _intake_date_format (_intake_date_value_to_days (&arg),
                                                            format));
        break;
      }
    default:
      intake_value_clear (out);
      break;
    }
}

static void
evaluate_number_function (const Node *node, const IntakeExprContext *context, IntakeValue *out)
{
  double x = node->n_children > 0 ? INTAKE_EXPR_EVALUATOR (context)->number (node->children[0], context)
                                  : NAN;

  /* Only this group's functions come here (see _intake_expr_evaluate_call). */
  switch ((int) node->function->id)
    {
    case FN_INT:
      /* trunc() keeps NaN and infinities as they are; a cast to an integer would be undefined. */
      intake_value_set_number (out, trunc (x));
      break;
    case FN_ROUND:
      intake_value_set_number (out, round_places (x, node->n_children > 1
                                                       ? INTAKE_EXPR_EVALUATOR (context)->number (
                                                           node->children[1], context)
                                                       : 0.0));
      break;
    case FN_MATH1:
      intake_value_set_number (out, node->function->math (x));
      break;
    case FN_POW:
      intake_value_set_number (out, pow (x, INTAKE_EXPR_EVALUATOR (context)->number (node->children[1],
                                                                          context)));
      break;
    case FN_ATAN2:
      intake_value_set_number (out, atan2 (x, INTAKE_EXPR_EVALUATOR (context)->number (node->children[1],
                                                                            context)));
      break;
    case FN_PI:
      intake_value_set_number (out, G_PI);
      break;
    case FN_NUMBER:
      intake_value_set_number (out, x);
      break;
    case FN_RANDOM:
      intake_value_set_number (out, _intake_expr_random_double (context));
      break;
    default:
      intake_value_clear (out);
      break;
    }
}

static void
evaluate_set_function (const Node *node, const IntakeExprContext *context, IntakeValue *out)
{
  /* Only this group's functions come here (see _intake_expr_evaluate_call). */
  switch ((int) node->function->id)
    {
    case FN_COUNT:
    case FN_COUNT_NON_EMPTY:
    case FN_SUM:
      {
        g_autoptr(GArray) values = INTAKE_EXPR_EVALUATOR (context)->all (node->children[0], context);
        double n = 0;

        for (unsigned int i = 0; i < values->len; i++)
          {
            const IntakeValue *v = &g_array_index (values, IntakeValue, i);

            if (node->function->id == FN_COUNT)
              n++;
            else if (node->function->id == FN_COUNT_NON_EMPTY)
              n += intake_value_is_empty (v) ? 0 : 1;
            else
              n += intake_value_to_number (v);
          }
        intake_value_set_number (out, n);
        break;
      }
    case FN_MIN:
    case FN_MAX:
      {
        g_autoptr(GArray) values = collect_arguments (node, 0, context);

        intake_value_set_number (out, extreme (values, node->function->id == FN_MAX));
        break;
      }
    case FN_INDEXED_REPEAT:
      {
        const Node *child = node->children[0];
        double index = INTAKE_EXPR_EVALUATOR (context)->number (node->children[2], context);
        g_autoptr(GArray) values = NULL;

        if (node->n_children > 3)
          {
            /* Nested repeats: the entry at each level, outermost first. */
            const char *repeats[3];
            unsigned int indexes[3];
            unsigned int levels = (node->n_children - 1) / 2;

            intake_value_set_string (out, "");
            for (unsigned int k = 0; k < levels; k++)
              {
                double at = INTAKE_EXPR_EVALUATOR (context)->number (node->children[2 + 2 * k],
                                                                     context);

                if (isnan (at) || at < 1 || at > G_MAXUINT)
                  return;
                repeats[k] = node->children[1 + 2 * k]->string;
                indexes[k] = (unsigned int) at;
              }
            if (context->lookup_entries != NULL)
              context->lookup_entries (child->string, repeats, indexes, levels, out,
                                       context->user_data);
            break;
          }
        /* 1-based, as position() counts; anything outside the entries is empty. */
        if (child->kind == NODE_REF && context->lookup_entry != NULL)
          {
            intake_value_set_string (out, "");
            if (!isnan (index) && index >= 1 && index <= G_MAXUINT)
              context->lookup_entry (child->string, (unsigned int) index, out,
                                     context->user_data);
            break;
          }
        values = INTAKE_EXPR_EVALUATOR (context)->all (child, context);
        if (!isnan (index) && index >= 1 && index <= values->len)
          intake_value_copy (&g_array_index (values, IntakeValue, (unsigned int) index - 1), out);
        else
          intake_value_set_string (out, "");
        break;
      }
    case FN_POSITION:
      if (context->position > 0)
        intake_value_set_number (out, context->position);
      else
        intake_value_set_number (out, NAN);
      break;
    case FN_CHECKLIST:
    case FN_WEIGHTED_CHECKLIST:
      {
        double min = INTAKE_EXPR_EVALUATOR (context)->number (node->children[0], context);
        double max = INTAKE_EXPR_EVALUATOR (context)->number (node->children[1], context);
        gboolean weighted = node->function->id == FN_WEIGHTED_CHECKLIST;
        double n = 0;

        for (unsigned int i = 2; i < node->n_children; i += weighted ? 2 : 1)
          {
            if (!INTAKE_EXPR_EVALUATOR (context)->boolean (node->children[i], context))
              continue;
            n += weighted ? (i + 1 < node->n_children
                               ? INTAKE_EXPR_EVALUATOR (context)->number (node->children[i + 1], context)
                               : 0)
                          : 1;
          }
        intake_value_set_boolean (out, within_limits (n, min, max));
        break;
      }
    default:
      intake_value_clear (out);
      break;
    }
}

void
_intake_expr_evaluate_call (const Node *node, const IntakeExprContext *context, IntakeValue *out)
{
  switch (node->function->id)
    {
    case FN_IF:
      INTAKE_EXPR_EVALUATOR (context)->node (
        node->children[INTAKE_EXPR_EVALUATOR (context)->boolean (node->children[0], context) ? 1 : 2],
        context, out);
      break;
    case FN_SELECTED:
      {
        g_autofree char *list = argument_string (node, 0, context);
        g_autofree char *item = argument_string (node, 1, context);

        g_strstrip (item);
        intake_value_set_boolean (out, _intake_expr_list_contains (list, item));
        break;
      }
    case FN_SELECTED_AT:
      {
        g_autofree char *list = argument_string (node, 0, context);
        g_autoptr(GPtrArray) items = _intake_expr_list_items (list);
        double index = INTAKE_EXPR_EVALUATOR (context)->number (node->children[1], context);

        /* 0-based, unlike position(). */
        if (!isnan (index) && index >= 0 && index < items->len)
          intake_value_set_string (out, items->pdata[(unsigned int) index]);
        else
          intake_value_set_string (out, "");
        break;
      }
    case FN_COUNT_SELECTED:
      {
        g_autofree char *list = argument_string (node, 0, context);
        g_autoptr(GPtrArray) items = _intake_expr_list_items (list);

        intake_value_set_number (out, items->len);
        break;
      }
    case FN_CHOICE_NAME:
      {
        g_autofree char *choice = argument_string (node, 0, context);
        g_autofree char *question_text = argument_string (node, 1, context);
        g_autofree char *question = _intake_expr_question_name_of (question_text);
        char *label = context->choice_label != NULL
                        ? context->choice_label (question, choice, context->user_data)
                        : NULL;

        intake_value_take_string (out, label != NULL ? label : g_strdup (choice));
        break;
      }
    case FN_COALESCE:
      for (unsigned int i = 0; i < node->n_children; i++)
        {
          INTAKE_EXPR_EVALUATOR (context)->node (node->children[i], context, out);
          if (!intake_value_is_empty (out))
            return;
        }
      intake_value_set_string (out, "");
      break;
    case FN_ONCE:
      {
        /* The question's own value so far is "."; once() keeps it when it has one. */
        g_auto(IntakeValue) current = INTAKE_VALUE_INIT;

        if (context->lookup != NULL)
          context->lookup (NULL, &current, context->user_data);
        if (!intake_value_is_empty (&current))
          intake_value_copy (&current, out);
        else
          INTAKE_EXPR_EVALUATOR (context)->node (node->children[0], context, out);
        break;
      }
    case FN_REGEX:
      intake_value_set_boolean (out, regex_matches (node, context));
      break;
    case FN_NOT:
      intake_value_set_boolean (out, !INTAKE_EXPR_EVALUATOR (context)->boolean (node->children[0], context));
      break;
    case FN_TRUE:
    case FN_FALSE:
      intake_value_set_boolean (out, node->function->id == FN_TRUE);
      break;
    case FN_BOOLEAN:
      intake_value_set_boolean (out, INTAKE_EXPR_EVALUATOR (context)->boolean (node->children[0], context));
      break;
    case FN_BOOLEAN_FROM_STRING:
      {
        g_autofree char *s = argument_string (node, 0, context);

        intake_value_set_boolean (out, g_ascii_strcasecmp (s, "true") == 0 || strcmp (s, "1") == 0);
        break;
      }
    case FN_STRING:
      intake_value_take_string (out, argument_string (node, 0, context));
      break;
    case FN_UUID:
      intake_value_take_string (out, _intake_expr_random_uuid (context, node->n_children > 0
                                                             ? INTAKE_EXPR_EVALUATOR (context)->number (
                                                                 node->children[0], context)
                                                             : NAN));
      break;
    case FN_STRING_LENGTH:
    case FN_NORMALIZE_SPACE:
    case FN_SUBSTR:
    case FN_SUBSTRING_BEFORE:
    case FN_SUBSTRING_AFTER:
    case FN_TRANSLATE:
    case FN_CONTAINS:
    case FN_STARTS_WITH:
    case FN_ENDS_WITH:
    case FN_JOIN:
    case FN_CONCAT:
    case FN_DIGEST:
    case FN_BASE64_DECODE:
      evaluate_string_function (node, context, out);
      break;
    case FN_TODAY:
    case FN_NOW:
    case FN_DATE:
    case FN_DATE_TIME:
    case FN_DECIMAL_DATE_TIME:
    case FN_DECIMAL_TIME:
    case FN_FORMAT_DATE:
      evaluate_date_function (node, context, out);
      break;
    case FN_INT:
    case FN_ROUND:
    case FN_MATH1:
    case FN_POW:
    case FN_ATAN2:
    case FN_PI:
    case FN_NUMBER:
    case FN_RANDOM:
      evaluate_number_function (node, context, out);
      break;
    case FN_COUNT:
    case FN_COUNT_NON_EMPTY:
    case FN_SUM:
    case FN_MIN:
    case FN_MAX:
    case FN_INDEXED_REPEAT:
    case FN_POSITION:
    case FN_CHECKLIST:
    case FN_WEIGHTED_CHECKLIST:
      evaluate_set_function (node, context, out);
      break;
    case FN_SCORING:
      {
        IntakeValue args[1] = { INTAKE_VALUE_INIT };

        intake_value_clear (out);
        for (unsigned int i = 0; i < node->n_children && i < G_N_ELEMENTS (args); i++)
          INTAKE_EXPR_EVALUATOR (context)->node (node->children[i], context, &args[i]);
        if (context->call != NULL)
          context->call (node->function->name, args, node->n_children, out, context->user_data);
        for (unsigned int i = 0; i < G_N_ELEMENTS (args); i++)
          intake_value_clear (&args[i]);
        break;
      }
    default:
      intake_value_clear (out);
      break;
    }
}
