/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The expression engine's trees and the evaluation of operators; values and their conversions
 * are intake-expr-value.c, the parser intake-expr-parse.c, the functions
 * intake-expr-functions.c (which evaluates its arguments through the IntakeExprEvaluator this
 * file hands it, so that the two never call each other by name).
 */
#include "intake-expr-private.h"

#include <math.h>
#include <string.h>

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

static void
collect_choice_columns (const Node *node, GHashTable *names)
{
  if (node->kind == NODE_CHOICE_COLUMN)
    g_hash_table_add (names, node->string);
  for (unsigned int i = 0; i < node->n_children; i++)
    collect_choice_columns (node->children[i], names);
}

void
intake_expr_collect_choice_columns (const IntakeExpr *expr, GHashTable *names)
{
  g_return_if_fail (expr != NULL);
  g_return_if_fail (names != NULL);
  collect_choice_columns (expr->root, names);
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

static const IntakeExprEvaluator evaluator = {
  _intake_expr_evaluate_node,   _intake_expr_evaluate_boolean, _intake_expr_evaluate_number,
  _intake_expr_evaluate_string, _intake_expr_evaluate_all,
};

void
intake_expr_evaluate (const IntakeExpr *expr, const IntakeExprContext *context, IntakeValue *out)
{
  IntakeExprContext with_evaluator;

  g_return_if_fail (expr != NULL);
  g_return_if_fail (context != NULL);
  g_return_if_fail (out != NULL);

  with_evaluator = *context;
  with_evaluator.evaluator = &evaluator;
  _intake_expr_evaluate_node (expr->root, &with_evaluator, out);
}

gboolean
intake_expr_evaluate_boolean (const IntakeExpr *expr, const IntakeExprContext *context)
{
  IntakeExprContext with_evaluator;

  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (context != NULL, FALSE);

  with_evaluator = *context;
  with_evaluator.evaluator = &evaluator;
  return _intake_expr_evaluate_boolean (expr->root, &with_evaluator);
}
