/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The form expression language: a small subset of XLSForm/XPath, parsed once into a tree and
 * evaluated against the answers of one interview.  Never eval'd, never compiled to anything.
 *
 * Grammar, lowest precedence first:
 *   or      := and ('or' and)*
 *   and     := eq ('and' eq)*
 *   eq      := rel (('=' | '!=') rel)*
 *   rel     := add (('<' | '<=' | '>' | '>=') add)*
 *   add     := mul (('+' | '-') mul)*
 *   mul     := unary (('*' | 'div' | 'mod') unary)*
 *   unary   := '-' unary | primary
 *   primary := NUMBER | STRING | '${' NAME '}' | '.' | '..' | path | NAME '(' args ')'
 *              | '(' or ')'
 *   path    := ('/' NAME)+ | ('..' | '.' | 'current()') ('/' ('..' | NAME))*
 *
 * A path names a question by its last step (XLSForm names are unique in a form), so
 * `/data/household/age`, `../age` and `current()/../age` all read ${age}.  What ODK's XPath has
 * and this engine does not (predicates, unions, axes, `//`, instance(), pulldata() and the
 * other functions listed in intake-expr-functions.c) is refused by name when the form loads,
 * never evaluated differently.
 *
 * Values are strings, numbers or booleans, converted as XPath 1.0 converts them, with ODK
 * Collect's additions: a date ("2026-11-28") or date-time string is a number of days since
 * 1970-01-01 in arithmetic, ',' reads as a decimal point, and numbers are equal within 1e-12.
 * A missing, empty or declined answer is the empty string.  A select_multiple answer is its
 * choice names joined by single spaces, as XLSForm stores it.  The function library is ODK's
 * (getodk.github.io/xforms-spec), with JavaRosa's semantics; see intake-expr-functions.c.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define INTAKE_EXPR_ERROR (intake_expr_error_quark ())

typedef enum
{
  INTAKE_EXPR_ERROR_SYNTAX,           /* Malformed text; the message names the column. */
  INTAKE_EXPR_ERROR_TOO_COMPLEX,      /* Too long or nested too deeply. */
  INTAKE_EXPR_ERROR_UNKNOWN_FUNCTION, /* A function we do not have, or not allowed here. */
  INTAKE_EXPR_ERROR_ARITY,            /* A function called with the wrong number of arguments. */
  INTAKE_EXPR_ERROR_REGEX,            /* A regex() pattern that does not compile or is too long. */
} IntakeExprError;

GQuark intake_expr_error_quark (void);

/* The longest expression text we accept, in bytes, and the deepest tree. */
#define INTAKE_EXPR_MAX_LENGTH 4096
#define INTAKE_EXPR_MAX_DEPTH 64
/* regex() refuses longer patterns and does not match longer subjects: see intake-expr.c. */
#define INTAKE_EXPR_MAX_REGEX_PATTERN 256
#define INTAKE_EXPR_MAX_REGEX_SUBJECT 1024

typedef enum
{
  INTAKE_EXPR_PARSE_DEFAULT = 0,
  /* Allow "." (the answer being checked): constraints and indicator conditions only. */
  INTAKE_EXPR_PARSE_ALLOW_DOT = 1 << 0,
  /* Allow the scoring functions dimension(), insufficient() and indicators(). */
  INTAKE_EXPR_PARSE_SCORING = 1 << 1,
  /*
   * A choice_filter: a bare name ("province", "name") is that column of the choice being
   * filtered, read through IntakeExprContext.choice_column, as XLSForm's choice filters
   * write it (`province = ${province}`).
   */
  INTAKE_EXPR_PARSE_CHOICE_FILTER = 1 << 2,
} IntakeExprParseFlags;

typedef enum
{
  INTAKE_VALUE_STRING,
  INTAKE_VALUE_NUMBER,
  INTAKE_VALUE_BOOLEAN,
} IntakeValueKind;

/*
 * A value during evaluation.  Strings are owned by the value; clear with
 * intake_value_clear().  A zero-filled IntakeValue is the empty string.
 */
typedef struct
{
  IntakeValueKind kind;
  double number;
  gboolean boolean;
  char *string;
} IntakeValue;

#define INTAKE_VALUE_INIT { INTAKE_VALUE_STRING, 0.0, FALSE, NULL }

void intake_value_clear (IntakeValue *value);
void intake_value_set_string (IntakeValue *value, const char *string);
void intake_value_take_string (IntakeValue *value, char *string);
void intake_value_set_number (IntakeValue *value, double number);
void intake_value_set_boolean (IntakeValue *value, gboolean boolean);
void intake_value_copy (const IntakeValue *src, IntakeValue *dest);
gboolean intake_value_equal (const IntakeValue *a, const IntakeValue *b);

/* XPath conversions.  intake_value_dup_string() returns a newly allocated string. */
gboolean intake_value_to_boolean (const IntakeValue *value);
double intake_value_to_number (const IntakeValue *value);
char *intake_value_dup_string (const IntakeValue *value);
gboolean intake_value_is_empty (const IntakeValue *value);
/*
 * @value as the answer of a question of @kind "date" ("YYYY-MM-DD"), "dateTime" (ISO 8601 with
 * milliseconds and the offset, as now() gives it) or "time" ("HH:MM:SS.sss"), as ODK stores a
 * value set into such a question: a number counts days from 1970-01-01 (dates are numbers in
 * arithmetic), a date-time gives its date or its time of day, in the device's time zone.  A
 * newly allocated string, "" when @value is none of these.
 */
char *intake_value_dup_date_answer (const IntakeValue *value, const char *kind);

/*
 * Looks up the value of ${name}, or of "." when @name is NULL.  Leave @out untouched (the
 * empty string) for a missing answer.
 */
typedef void (*IntakeExprLookupFunc) (const char *name, IntakeValue *out, gpointer user_data);

/*
 * Evaluates one of the scoring functions (only reachable from expressions parsed with
 * INTAKE_EXPR_PARSE_SCORING).  @args are already evaluated.
 */
typedef void (*IntakeExprCallFunc) (const char *function,
                                    const IntakeValue *args,
                                    unsigned int n_args,
                                    IntakeValue *out,
                                    gpointer user_data);

/*
 * Appends to @values (a GArray of IntakeValue whose clear function is set) every value of
 * ${name} as a node-set: one per entry for a question inside a repeat, one empty value per
 * entry for the repeat itself, and the single value of any other question.
 */
typedef void (*IntakeExprLookupAllFunc) (const char *name, GArray *values, gpointer user_data);

/*
 * The value of ${name} in entry @index (1-based) of the repeat it is in, for indexed-repeat();
 * leave @out untouched (empty) when there is no such entry.
 */
typedef void (*IntakeExprLookupEntryFunc) (const char *name, unsigned int index,
                                           IntakeValue *out, gpointer user_data);

/*
 * indexed-repeat() over nested repeats (5 or 7 arguments): ${name} in entry @indexes[k]
 * (1-based) of @repeats[k] at each of @n_levels levels, outermost first; leave @out untouched
 * (empty) when there is no such entry.
 */
typedef void (*IntakeExprLookupEntriesFunc) (const char *name, const char *const *repeats,
                                             const unsigned int *indexes, unsigned int n_levels,
                                             IntakeValue *out, gpointer user_data);

/* The label of @choice of the question @question (jr:choice-name), or NULL. */
typedef char *(*IntakeExprChoiceLabelFunc) (const char *question, const char *choice,
                                             gpointer user_data);

typedef struct
{
  IntakeExprLookupFunc lookup;
  IntakeExprCallFunc call;
  gpointer user_data;
  /* "YYYY-MM-DD" for today(); NULL for the local date.  Tests pin it. */
  const char *today;
  /* Optional: node-sets (count, sum, join, indexed-repeat…); without it a name is one value. */
  IntakeExprLookupAllFunc lookup_all;
  /* Optional: jr:choice-name(); without it the choice's name is returned. */
  IntakeExprChoiceLabelFunc choice_label;
  /* An ISO 8601 date-time for now(); NULL for the clock.  Tests pin it. */
  const char *now;
  /* The generator for random() and uuid(); NULL for GLib's global one.  Tests seed it. */
  GRand *rand;
  /* position(..): the 1-based entry of the repeat being evaluated, 0 outside repeats. */
  unsigned int position;
  /* Choice filters: a column of the choice being filtered (see INTAKE_EXPR_PARSE_CHOICE_FILTER). */
  IntakeExprLookupFunc choice_column;
  /* Optional: indexed-repeat(); without it, entry @index of lookup_all's values. */
  IntakeExprLookupEntryFunc lookup_entry;
  /* Optional: indexed-repeat() with a repeat and an index per level; without it, empty. */
  IntakeExprLookupEntriesFunc lookup_entries;
  /* Private: set by intake_expr_evaluate () on its own copy of the context. */
  gconstpointer evaluator;
} IntakeExprContext;

typedef struct _IntakeExpr IntakeExpr;

/*
 * Parses @source.  On failure the message says where, as "column N" (1-based, in characters).
 * Returns (transfer full): the tree, or NULL with @error set.
 */
IntakeExpr *intake_expr_parse (const char *source, IntakeExprParseFlags flags, GError **error);
void intake_expr_free (IntakeExpr *expr);

/* The text the tree was parsed from. */
const char *intake_expr_get_source (const IntakeExpr *expr);

/*
 * Adds each distinct name referenced as ${name} to @names (a set of borrowed strings that stay
 * valid as long as @expr lives).
 */
void intake_expr_collect_references (const IntakeExpr *expr, GHashTable *names);
/*
 * Adds each distinct bare name of a choice filter (a column of the choice being filtered, see
 * INTAKE_EXPR_PARSE_CHOICE_FILTER) to @names, borrowed as for the references above.
 */
void intake_expr_collect_choice_columns (const IntakeExpr *expr, GHashTable *names);
/*
 * Whether every reference to ${name} in @expr is read as a node-set (an argument of count(),
 * sum(), join(), indexed-repeat()…), which is how a question outside a repeat may read the
 * questions inside it.
 */
gboolean intake_expr_reads_all (const IntakeExpr *expr, const char *name);
/* Whether the expression calls the function @name anywhere ("jr:choice-name"…). */
gboolean intake_expr_uses_function (const IntakeExpr *expr, const char *name);
/* Whether the expression uses "." anywhere. */
gboolean intake_expr_uses_dot (const IntakeExpr *expr);

/*
 * Evaluates @expr.  Evaluation itself cannot fail: a regex() that exceeds its limits is a
 * non-match, arithmetic on non-numbers is NaN, as XPath says.  @out must be cleared by the
 * caller.
 */
void intake_expr_evaluate (const IntakeExpr *expr, const IntakeExprContext *context,
                           IntakeValue *out);
gboolean intake_expr_evaluate_boolean (const IntakeExpr *expr, const IntakeExprContext *context);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeExpr, intake_expr_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (IntakeValue, intake_value_clear)

G_END_DECLS
