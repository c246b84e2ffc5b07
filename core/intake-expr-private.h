/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The expression engine's insides, shared by the values and evaluator (intake-expr.c), the
 * parser (intake-expr-parse.c), the function library (intake-expr-functions.c) and the dates
 * (intake-expr-date.c).  Nothing outside these files includes this.
 */
#pragma once

#include "intake-expr.h"

G_BEGIN_DECLS

typedef enum
{
  NODE_NUMBER,
  NODE_STRING,
  NODE_REF,
  NODE_DOT,
  NODE_PARENT, /* "..": only position(..) gives it a meaning. */
  NODE_CHOICE_COLUMN, /* A bare name in a choice filter: that column of the choice. */
  NODE_NEGATE,
  NODE_BINARY,
  NODE_CALL,
} NodeKind;

typedef enum
{
  OP_OR,
  OP_AND,
  OP_EQ,
  OP_NE,
  OP_LT,
  OP_LE,
  OP_GT,
  OP_GE,
  OP_ADD,
  OP_SUB,
  OP_MUL,
  OP_DIV,
  OP_MOD,
} Operator;

typedef struct _FunctionInfo FunctionInfo;
typedef struct _Node Node;

struct _Node
{
  NodeKind kind;
  Operator op;
  const FunctionInfo *function;
  double number;
  char *string;  /* A literal, a referenced name. */
  GRegex *regex; /* regex() with a literal pattern, compiled once at parse time. */
  Node **children;
  unsigned int n_children;
  unsigned int depth;
};

struct _IntakeExpr
{
  char *source;
  Node *root;
  gboolean uses_dot;
};

void _intake_expr_node_free (Node *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Node, _intake_expr_node_free)

/* Variadic functions stop here, which no real form needs. */
#define INTAKE_EXPR_MAX_ARGS 16

/* The function called @name, or NULL; scoring functions are only found with @scoring. */
const FunctionInfo *_intake_expr_lookup_function (const char *name, gboolean scoring);
const char *_intake_expr_function_name (const FunctionInfo *info);
void _intake_expr_function_arity (const FunctionInfo *info, unsigned int *min_args,
                                  unsigned int *max_args);
/* Whether argument @index of the function is read as a node-set. */
gboolean _intake_expr_function_reads_all (const FunctionInfo *info, unsigned int index);
/* Whether @name is an ODK function this engine refuses (pulldata, instance…). */
gboolean _intake_expr_function_is_unsupported (const char *name);
/* Checks a call once parsed (a literal regex() pattern compiles…); FALSE with @error set. */
gboolean _intake_expr_function_check (Node *call, GError **error);
/*
 * The evaluator, as the function library sees it: intake-expr.c fills one table and hands it
 * down in the context (IntakeExprContext.evaluator), so that the library evaluates its
 * arguments without naming the evaluator's functions (the two would otherwise call each other,
 * a circle between object files; tests/layering).
 */
typedef struct
{
  void (*node) (const Node *node, const IntakeExprContext *context, IntakeValue *out);
  gboolean (*boolean) (const Node *node, const IntakeExprContext *context);
  double (*number) (const Node *node, const IntakeExprContext *context);
  char *(*string) (const Node *node, const IntakeExprContext *context);
  GArray *(*all) (const Node *node, const IntakeExprContext *context);
} IntakeExprEvaluator;

#define INTAKE_EXPR_EVALUATOR(context) ((const IntakeExprEvaluator *) (context)->evaluator)

void _intake_expr_evaluate_call (const Node *node, const IntakeExprContext *context,
                                 IntakeValue *out);

void _intake_expr_evaluate_node (const Node *node, const IntakeExprContext *context,
                                 IntakeValue *out);
gboolean _intake_expr_evaluate_boolean (const Node *node, const IntakeExprContext *context);
double _intake_expr_evaluate_number (const Node *node, const IntakeExprContext *context);
char *_intake_expr_evaluate_string (const Node *node, const IntakeExprContext *context);
/* Every value of a node-set argument: see IntakeExprLookupAllFunc.  Returns (transfer full). */
GArray *_intake_expr_evaluate_all (const Node *node, const IntakeExprContext *context);

/* XPath's number() on a string, with ODK's dates and decimal commas; NaN when not a number. */
double _intake_expr_string_to_number (const char *s);
char *_intake_expr_number_to_string (double n);

/* Text (intake-expr-text.c); strings are UTF-8 and counted in characters. */
char *_intake_expr_normalize_space (const char *s);
char *_intake_expr_substr (const char *s, double start, double end);
char *_intake_expr_translate (const char *s, const char *from, const char *to);
gboolean _intake_expr_list_contains (const char *list, const char *item);
GPtrArray *_intake_expr_list_items (const char *list);
char *_intake_expr_question_name_of (const char *text);
char *_intake_expr_digest (const char *data, const char *algorithm, const char *encoding);
char *_intake_expr_base64_decode (const char *text);
double _intake_expr_random_double (const IntakeExprContext *context);
char *_intake_expr_random_uuid (const IntakeExprContext *context, double length);

/*
 * Dates (intake-expr-date.c).  Days count from 1970-01-01 in the device's time zone, as ODK
 * Collect counts them; a date-time has a fraction of a day.
 */
/* g_date_get_julian () of 1970-01-01: day 1 is 0001-01-01. */
#define EPOCH_JULIAN 719163
#define SECONDS_PER_DAY 86400.0

gboolean _intake_date_parse (const char *s, double *days);
/* Local wall-clock days of @dt: the date's days plus the time of day as a fraction. */
double _intake_date_time_to_days (GDateTime *dt);
gboolean _intake_date_is_date (const char *s);
/* The value as a number of days: a number, or a date or date-time string.  NaN otherwise. */
double _intake_date_value_to_days (const IntakeValue *value);
char *_intake_date_format_date (double days);      /* "YYYY-MM-DD", or "" for NaN. */
char *_intake_date_format_date_time (double days); /* ISO 8601 with milliseconds and offset. */
char *_intake_date_format (double days, const char *format);
/* The time of day of a date-time or a time ("10:20:30.000+03:00"), as a fraction of a day. */
double _intake_date_decimal_time (const IntakeValue *value);
void _intake_date_today (const IntakeExprContext *context, IntakeValue *out);
void _intake_date_now (const IntakeExprContext *context, IntakeValue *out);

G_END_DECLS
