/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The expression engine's values: XPath's conversions between strings, numbers and booleans,
 * with ODK Collect's additions. The lowest layer of the engine: the dates, the functions and
 * the evaluator all build on it.
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
