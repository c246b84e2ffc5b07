/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The expression engine's values (XPath's conversions with ODK Collect's additions), trees
 * and evaluation of operators; the parser is intake-expr-parse.c, the functions
 * intake-expr-functions.c.
 */
#include "intake-expr-private.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (intake-expr-error-quark, intake_expr_error)

/* ------------------------------------------------------------------------------------------ */
/* Values                                                                                      */

void
intake_value_clear (IntakeValue *value)
{
  g_clear_pointer (&value->string, g_free);
  value->kind = INTAKE_VALUE_STRING;
  value->number = 0.0;
  value->boolean = FALSE;
}

void
intake_value_set_string (IntakeValue *value, const char *string)
{
  intake_value_take_string (value, g_strdup (string));
}

void
intake_value_take_string (IntakeValue *value, char *string)
{
  intake_value_clear (value);
  value->kind = INTAKE_VALUE_STRING;
  value->string = string;
}

void
intake_value_set_number (IntakeValue *value, double number)
{
  intake_value_clear (value);
  value->kind = INTAKE_VALUE_NUMBER;
  value->number = number;
}

void
intake_value_set_boolean (IntakeValue *value, gboolean boolean)
{
  intake_value_clear (value);
  value->kind = INTAKE_VALUE_BOOLEAN;
  value->boolean = !!boolean;
}

void
intake_value_copy (const IntakeValue *src, IntakeValue *dest)
{
  intake_value_clear (dest);
  dest->kind = src->kind;
  dest->number = src->number;
  dest->boolean = src->boolean;
  dest->string = g_strdup (src->string);
}

gboolean
intake_value_equal (const IntakeValue *a, const IntakeValue *b)
{
  if (a->kind != b->kind)
    return FALSE;
  switch (a->kind)
    {
    case INTAKE_VALUE_STRING:
      return g_strcmp0 (a->string != NULL ? a->string : "", b->string != NULL ? b->string : "")
             == 0;
    case INTAKE_VALUE_NUMBER:
      /* Two NaNs are the same value here: nothing downstream would change. */
      return a->number == b->number || (isnan (a->number) && isnan (b->number));
    case INTAKE_VALUE_BOOLEAN:
      return a->boolean == b->boolean;
    default:
      return FALSE;
    }
}

gboolean
intake_value_is_empty (const IntakeValue *value)
{
  return value->kind == INTAKE_VALUE_STRING && (value->string == NULL || *value->string == '\0');
}

gboolean
intake_value_to_boolean (const IntakeValue *value)
{
  switch (value->kind)
    {
    case INTAKE_VALUE_STRING:
      return value->string != NULL && *value->string != '\0';
    case INTAKE_VALUE_NUMBER:
      return value->number != 0.0 && !isnan (value->number);
    case INTAKE_VALUE_BOOLEAN:
      return value->boolean;
    default:
      return FALSE;
    }
}

/*
 * XPath's number(): optional whitespace, an optional minus, digits with at most one point.
 * Anything else, including "inf", hex and exponents that strtod would take, is NaN.  As in ODK
 * Collect, a comma is read as a decimal point (some keyboards offer no other), and a date or
 * date-time is its number of days since 1970-01-01.
 */
double
_intake_expr_string_to_number (const char *s)
{
  const char *p = s;
  const char *start;
  gboolean digits = FALSE;
  gboolean point = FALSE;
  char copy[64];
  size_t length;
  double days;

  if (s == NULL)
    return NAN;
  while (g_ascii_isspace (*p))
    p++;
  start = p;
  if (*p == '-')
    p++;
  for (; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digits = TRUE;
      else if ((*p == '.' || *p == ',') && !point)
        point = TRUE;
      else
        break;
    }
  if (!digits)
    return NAN;
  length = p - start;
  while (g_ascii_isspace (*p))
    p++;
  if (*p != '\0')
    {
      /* Only a date's shape gets this far: digits, then '-' at the fifth character. */
      if (start[0] != '-' && p - start == 4 && *p == '-' && _intake_date_parse (start, &days))
        return days;
      return NAN;
    }
  if (length >= sizeof copy)
    {
      g_autofree char *long_copy = g_strndup (start, length);

      g_strdelimit (long_copy, ",", '.');
      return g_ascii_strtod (long_copy, NULL);
    }
  memcpy (copy, start, length);
  copy[length] = '\0';
  g_strdelimit (copy, ",", '.');
  return g_ascii_strtod (copy, NULL);
}

double
intake_value_to_number (const IntakeValue *value)
{
  switch (value->kind)
    {
    case INTAKE_VALUE_STRING:
      return _intake_expr_string_to_number (value->string);
    case INTAKE_VALUE_NUMBER:
      return value->number;
    case INTAKE_VALUE_BOOLEAN:
      return value->boolean ? 1.0 : 0.0;
    default:
      return NAN;
    }
}

char *
_intake_expr_number_to_string (double n)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (n))
    return g_strdup ("NaN");
  if (isinf (n))
    return g_strdup (n > 0 ? "Infinity" : "-Infinity");
  /* Whole numbers print without a point, as XPath prints them; 1e15 keeps them exact. */
  if (n == trunc (n) && fabs (n) < 1e15)
    return g_strdup_printf ("%.0f", n == 0.0 ? 0.0 : n);
  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.15g", n));
}

char *
intake_value_dup_string (const IntakeValue *value)
{
  switch (value->kind)
    {
    case INTAKE_VALUE_STRING:
      return g_strdup (value->string != NULL ? value->string : "");
    case INTAKE_VALUE_NUMBER:
      return _intake_expr_number_to_string (value->number);
    case INTAKE_VALUE_BOOLEAN:
      return g_strdup (value->boolean ? "true" : "false");
    default:
      return g_strdup ("");
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Trees                                                                                       */

void
_intake_expr_node_free (Node *node)
{
  if (node == NULL)
    return;
  for (unsigned int i = 0; i < node->n_children; i++)
    _intake_expr_node_free (node->children[i]);
  g_free (node->children);
  g_free (node->string);
  g_clear_pointer (&node->regex, g_regex_unref);
  g_free (node);
}

void
intake_expr_free (IntakeExpr *expr)
{
  if (expr == NULL)
    return;
  _intake_expr_node_free (expr->root);
  g_free (expr->source);
  g_free (expr);
}

const char *
intake_expr_get_source (const IntakeExpr *expr)
{
  g_return_val_if_fail (expr != NULL, NULL);
  return expr->source;
}

static void
collect_references (const Node *node, GHashTable *names)
{
  if (node->kind == NODE_REF)
    g_hash_table_add (names, node->string);
  for (unsigned int i = 0; i < node->n_children; i++)
    collect_references (node->children[i], names);
}

void
intake_expr_collect_references (const IntakeExpr *expr, GHashTable *names)
{
  g_return_if_fail (expr != NULL);
  g_return_if_fail (names != NULL);
  collect_references (expr->root, names);
}

static gboolean
reads_all (const Node *node, const char *name)
{
  for (unsigned int i = 0; i < node->n_children; i++)
    {
      const Node *child = node->children[i];

      if (child->kind == NODE_REF && strcmp (child->string, name) == 0)
        {
          if (node->kind != NODE_CALL || !_intake_expr_function_reads_all (node->function, i))
            return FALSE;
        }
      else if (!reads_all (child, name))
        {
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
intake_expr_reads_all (const IntakeExpr *expr, const char *name)
{
  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (expr->root->kind == NODE_REF)
    return strcmp (expr->root->string, name) != 0;
  return reads_all (expr->root, name);
}

static gboolean
uses_function (const Node *node, const char *name)
{
  if (node->kind == NODE_CALL && strcmp (node->string, name) == 0)
    return TRUE;
  for (unsigned int i = 0; i < node->n_children; i++)
    if (uses_function (node->children[i], name))
      return TRUE;
  return FALSE;
}

gboolean
intake_expr_uses_function (const IntakeExpr *expr, const char *name)
{
  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return uses_function (expr->root, name);
}

gboolean
intake_expr_uses_dot (const IntakeExpr *expr)
{
  g_return_val_if_fail (expr != NULL, FALSE);
  return expr->uses_dot;
}

/* ------------------------------------------------------------------------------------------ */
/* Evaluation                                                                                  */

/* ODK Collect's tolerance: numbers this close are equal (JavaRosa's XPathEqExpr). */
#define EQUAL_TOLERANCE 1e-12

static gboolean
compare_values (Operator op, const IntakeValue *a, const IntakeValue *b)
{
  if (op == OP_EQ || op == OP_NE)
    {
      gboolean equal;

      if (a->kind == INTAKE_VALUE_BOOLEAN || b->kind == INTAKE_VALUE_BOOLEAN)
        {
          equal = intake_value_to_boolean (a) == intake_value_to_boolean (b);
        }
      else if (a->kind == INTAKE_VALUE_NUMBER || b->kind == INTAKE_VALUE_NUMBER)
        {
          double x = intake_value_to_number (a);
          double y = intake_value_to_number (b);

          equal = x == y || fabs (x - y) < EQUAL_TOLERANCE;
        }
      else
        {
          equal = g_strcmp0 (a->string != NULL ? a->string : "",
                             b->string != NULL ? b->string : "") == 0;
        }
      return op == OP_EQ ? equal : !equal;
    }
  else
    {
      /* Dates are numbers of days here, so they compare as dates; everything else as numbers. */
      double x = intake_value_to_number (a);
      double y = intake_value_to_number (b);

      if (isnan (x) || isnan (y))
        return FALSE;
      switch (op)
        {
        case OP_LT: return x < y;
        case OP_LE: return x <= y;
        case OP_GT: return x > y;
        case OP_GE: return x >= y;
        case OP_OR:
        case OP_AND:
        case OP_EQ:
        case OP_NE:
        case OP_ADD:
        case OP_SUB:
        case OP_MUL:
        case OP_DIV:
        case OP_MOD:
        default:
          return FALSE;
        }
    }
}

gboolean
_intake_expr_evaluate_boolean (const Node *node, const IntakeExprContext *context)
{
  g_auto(IntakeValue) value = INTAKE_VALUE_INIT;

  _intake_expr_evaluate_node (node, context, &value);
  return intake_value_to_boolean (&value);
}

double
_intake_expr_evaluate_number (const Node *node, const IntakeExprContext *context)
{
  g_auto(IntakeValue) value = INTAKE_VALUE_INIT;

  _intake_expr_evaluate_node (node, context, &value);
  return intake_value_to_number (&value);
}

char *
_intake_expr_evaluate_string (const Node *node, const IntakeExprContext *context)
{
  g_auto(IntakeValue) value = INTAKE_VALUE_INIT;

  _intake_expr_evaluate_node (node, context, &value);
  return intake_value_dup_string (&value);
}

GArray *
_intake_expr_evaluate_all (const Node *node, const IntakeExprContext *context)
{
  GArray *values = g_array_new (FALSE, TRUE, sizeof (IntakeValue));

  g_array_set_clear_func (values, (GDestroyNotify) intake_value_clear);
  if (node->kind == NODE_REF && context->lookup_all != NULL)
    {
      context->lookup_all (node->string, values, context->user_data);
    }
  else
    {
      IntakeValue value = INTAKE_VALUE_INIT;

      _intake_expr_evaluate_node (node, context, &value);
      g_array_append_val (values, value);
    }
  return values;
}

/* XPath's x div 0 is an infinity or NaN; spelled out so no sanitizer sees a division by zero. */
static double
divide (double x, double y)
{
  if (y == 0.0)
    {
      if (isnan (x) || x == 0.0)
        return NAN;
      return (x > 0) == !signbit (y) ? INFINITY : -INFINITY;
    }
  return x / y;
}

void
_intake_expr_evaluate_node (const Node *node, const IntakeExprContext *context, IntakeValue *out)
{
  switch (node->kind)
    {
    case NODE_NUMBER:
      intake_value_set_number (out, node->number);
      break;
    case NODE_STRING:
      intake_value_set_string (out, node->string);
      break;
    case NODE_REF:
    case NODE_DOT:
      intake_value_clear (out);
      if (context->lookup != NULL)
        context->lookup (node->kind == NODE_REF ? node->string : NULL, out, context->user_data);
      break;
    case NODE_PARENT:
      intake_value_clear (out);
      break;
    case NODE_CHOICE_COLUMN:
      intake_value_clear (out);
      if (context->choice_column != NULL)
        context->choice_column (node->string, out, context->user_data);
      break;
    case NODE_NEGATE:
      intake_value_set_number (out, -_intake_expr_evaluate_number (node->children[0],
                                                                    context));
      break;
    case NODE_CALL:
      _intake_expr_evaluate_call (node, context, out);
      break;
    case NODE_BINARY:
      switch (node->op)
        {
        case OP_OR:
          intake_value_set_boolean (
            out, _intake_expr_evaluate_boolean (node->children[0], context)
                   || _intake_expr_evaluate_boolean (node->children[1], context));
          break;
        case OP_AND:
          intake_value_set_boolean (
            out, _intake_expr_evaluate_boolean (node->children[0], context)
                   && _intake_expr_evaluate_boolean (node->children[1], context));
          break;
        case OP_EQ:
        case OP_NE:
        case OP_LT:
        case OP_LE:
        case OP_GT:
        case OP_GE:
          {
            g_auto(IntakeValue) a = INTAKE_VALUE_INIT;
            g_auto(IntakeValue) b = INTAKE_VALUE_INIT;

            _intake_expr_evaluate_node (node->children[0], context, &a);
            _intake_expr_evaluate_node (node->children[1], context, &b);
            intake_value_set_boolean (out, compare_values (node->op, &a, &b));
            break;
          }
        case OP_ADD:
        case OP_SUB:
        case OP_MUL:
        case OP_DIV:
        case OP_MOD:
          {
            double x = _intake_expr_evaluate_number (node->children[0], context);
            double y = _intake_expr_evaluate_number (node->children[1], context);
            double r;

            switch (node->op)
              {
              case OP_ADD: r = x + y; break;
              case OP_SUB: r = x - y; break;
              case OP_MUL: r = x * y; break;
              case OP_DIV: r = divide (x, y); break;
              case OP_MOD: r = fmod (x, y); break;
              case OP_OR:
              case OP_AND:
              case OP_EQ:
              case OP_NE:
              case OP_LT:
              case OP_LE:
              case OP_GT:
              case OP_GE:
              default: r = NAN; break;
              }
            intake_value_set_number (out, r);
            break;
          }
        default:
          intake_value_clear (out);
          break;
        }
      break;
    default:
      intake_value_clear (out);
      break;
    }
}

void
intake_expr_evaluate (const IntakeExpr *expr, const IntakeExprContext *context, IntakeValue *out)
{
  g_return_if_fail (expr != NULL);
  g_return_if_fail (context != NULL);
  g_return_if_fail (out != NULL);

  _intake_expr_evaluate_node (expr->root, context, out);
}

gboolean
intake_expr_evaluate_boolean (const IntakeExpr *expr, const IntakeExprContext *context)
{
  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (context != NULL, FALSE);

  return _intake_expr_evaluate_boolean (expr->root, context);
}
