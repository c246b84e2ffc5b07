/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Dates in expressions, as ODK Collect (JavaRosa) treats them: a date is a whole number of days
 * since 1970-01-01, a date-time the same with a fraction of a day, both in the device's time
 * zone, so `today() - ${dob}` is a number of days whatever the zone.  Parsing is GLib's
 * (GDate, GDateTime); nothing here reads the clock except today() and now(), which tests pin.
 * Reading a date as days is intake-expr-days.c, below the values (which read dates as numbers).
 */
#include "intake-expr-private.h"

#include <math.h>
#include <string.h>

double
_intake_date_value_to_days (const IntakeValue *value)
{
  double days;

  switch (value->kind)
    {
    case INTAKE_VALUE_NUMBER:
      return value->number;
    case INTAKE_VALUE_STRING:
      if (_intake_date_parse (value->string, &days))
        return days;
      return _intake_expr_string_to_number (value->string);
    case INTAKE_VALUE_BOOLEAN:
    default:
      return NAN;
    }
}

/* The calendar date of @days, or FALSE when it is out of GDate's range. */
static gboolean
days_to_date (double days, GDate *date)
{
  double julian = floor (days) + EPOCH_JULIAN;

  if (isnan (days) || julian < 1 || julian > 3000000)
    return FALSE;
  g_date_clear (date, 1);
  g_date_set_julian (date, (guint32) julian);
  return TRUE;
}

char *
_intake_date_format_date (double days)
{
  GDate date;

  /* JavaRosa's date() truncates a number of days towards zero before counting them. */
  if (!days_to_date (trunc (days), &date))
    return g_strdup ("");
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&date), g_date_get_month (&date),
                          g_date_get_day (&date));
}

static GDateTime *
days_to_local_date_time (double days)
{
  GDate date;
  double seconds;

  if (!days_to_date (days, &date))
    return NULL;
  seconds = (days - floor (days)) * SECONDS_PER_DAY;
  /* Milliseconds are what ODK keeps; rounding to them hides binary fractions of a second. */
  seconds = round (seconds * 1000.0) / 1000.0;
  if (seconds >= SECONDS_PER_DAY)
    seconds = SECONDS_PER_DAY - 0.001;
  return g_date_time_new_local (g_date_get_year (&date), g_date_get_month (&date),
                                g_date_get_day (&date), (int) (seconds / 3600),
                                (int) fmod (seconds / 60, 60), fmod (seconds, 60));
}

static int
milliseconds (GDateTime *dt)
{
  return (int) MIN (999, lround (g_date_time_get_microsecond (dt) / 1000.0));
}

char *
_intake_date_format_date_time (double days)
{
  g_autoptr(GDateTime) dt = days_to_local_date_time (days);
  g_autofree char *main_part = NULL;
  g_autofree char *offset = NULL;

  if (dt == NULL)
    return g_strdup ("");
  main_part = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  offset = g_date_time_format (dt, "%:z");
  return g_strdup_printf ("%s.%03d%s", main_part, milliseconds (dt), offset);
}

static const char *const month_names[] = {
  "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};
static const char *const day_names[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

char *
_intake_date_format (double days, const char *format)
{
  g_autoptr(GDateTime) dt = days_to_local_date_time (days);
  GString *out;

  if (dt == NULL || format == NULL)
    return g_strdup ("");
  out = g_string_new (NULL);
  /* ODK's format-date() directives (the spec's list); names of months and days are English. */
  for (const char *p = format; *p != '\0'; p++)
    {
      if (*p != '%' || p[1] == '\0')
        {
          g_string_append_c (out, *p);
          continue;
        }
      p++;
      switch (*p)
        {
        case 'Y': g_string_append_printf (out, "%04d", g_date_time_get_year (dt)); break;
        case 'y': g_string_append_printf (out, "%02d", g_date_time_get_year (dt) % 100); break;
        case 'm': g_string_append_printf (out, "%02d", g_date_time_get_month (dt)); break;
        case 'n': g_string_append_printf (out, "%d", g_date_time_get_month (dt)); break;
        case 'b': g_string_append (out, month_names[g_date_time_get_month (dt) - 1]); break;
        case 'd': g_string_append_printf (out, "%02d", g_date_time_get_day_of_month (dt)); break;
        case 'e': g_string_append_printf (out, "%d", g_date_time_get_day_of_month (dt)); break;
        case 'H': g_string_append_printf (out, "%02d", g_date_time_get_hour (dt)); break;
        case 'h': g_string_append_printf (out, "%d", g_date_time_get_hour (dt)); break;
        case 'M': g_string_append_printf (out, "%02d", g_date_time_get_minute (dt)); break;
        case 'S': g_string_append_printf (out, "%02d", g_date_time_get_second (dt)); break;
        case '3':
          g_string_append_printf (out, "%03d", milliseconds (dt));
          break;
        case 'a': g_string_append (out, day_names[g_date_time_get_day_of_week (dt) - 1]); break;
        case '%': g_string_append_c (out, '%'); break;
        default:
          g_string_append_c (out, '%');
          g_string_append_c (out, *p);
          break;
        }
    }
  return g_string_free (out, FALSE);
}

double
_intake_date_decimal_time (const IntakeValue *value)
{
  double days = NAN;

  if (value->kind == INTAKE_VALUE_STRING && value->string != NULL
      && g_ascii_isdigit (value->string[0]) && value->string[2] == ':'
      && strlen (value->string) < 40)
    {
      /* A time answer ("10:20:30.000+03:00") is read on the epoch's day. */
      g_autofree char *full = g_strconcat ("1970-01-01T", value->string, NULL);

      if (!_intake_date_parse (full, &days))
        return NAN;
    }
  else if (value->kind == INTAKE_VALUE_STRING && value->string != NULL
           && strchr (value->string, 'T') != NULL)
    {
      if (!_intake_date_parse (value->string, &days))
        return NAN;
    }
  else
    {
      days = _intake_date_value_to_days (value);
    }
  return days - floor (days);
}

void
_intake_date_today (const IntakeExprContext *context, IntakeValue *out)
{
  g_autoptr(GDateTime) now = NULL;
  double days;

  if (context->today != NULL)
    {
      intake_value_set_string (out, context->today);
      return;
    }
  if (context->now != NULL && _intake_date_parse (context->now, &days))
    {
      intake_value_take_string (out, _intake_date_format_date (floor (days)));
      return;
    }
  now = g_date_time_new_now_local ();
  intake_value_take_string (out, g_date_time_format (now, "%Y-%m-%d"));
}

void
_intake_date_now (const IntakeExprContext *context, IntakeValue *out)
{
  g_autoptr(GDateTime) now = NULL;
  double days;

  if (context->now != NULL && _intake_date_parse (context->now, &days))
    {
      intake_value_take_string (out, _intake_date_format_date_time (days));
      return;
    }
  now = g_date_time_new_now_local ();
  intake_value_take_string (out, _intake_date_format_date_time (_intake_date_time_to_days (now)));
}

char *
intake_value_dup_date_answer (const IntakeValue *value, const char *kind)
{
  double days;

  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (kind != NULL, NULL);

  if (strcmp (kind, "time") == 0)
    {
      days = _intake_date_decimal_time (value);
      return isfinite (days) ? _intake_date_format (days, "%H:%M:%S.%3") : g_strdup ("");
    }
  days = _intake_date_value_to_days (value);
  if (!isfinite (days))
    return g_strdup ("");
  if (strcmp (kind, "dateTime") == 0)
    return _intake_date_format_date_time (days);
  return _intake_date_format_date (floor (days));
}
