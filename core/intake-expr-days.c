/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A date or date-time as a number of days since 1970-01-01 in the device's time zone, as ODK
 * Collect (JavaRosa) counts them. The lowest layer of the expression engine, with no values:
 * the values read a date-shaped string as days through it.
 */
#include "intake-expr-private.h"

#include <math.h>
#include <string.h>

/* "YYYY-MM-DD", the shape of a date answer and of today(); checked cheaply before GDate. */
static gboolean
has_date_shape (const char *s)
{
  for (int i = 0; i < 10; i++)
    {
      if (i == 4 || i == 7)
        {
          if (s[i] != '-')
            return FALSE;
        }
      else if (!g_ascii_isdigit (s[i]))
        {
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
parse_ymd (const char *s, GDate *date)
{
  int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int month = (s[5] - '0') * 10 + (s[6] - '0');
  int day = (s[8] - '0') * 10 + (s[9] - '0');

  if (!g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    return FALSE;
  g_date_clear (date, 1);
  g_date_set_dmy (date, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  return TRUE;
}

gboolean
_intake_date_is_date (const char *s)
{
  GDate date;

  return s != NULL && strlen (s) == 10 && has_date_shape (s) && parse_ymd (s, &date);
}

/* Local wall-clock days of @dt: the date's days plus the time of day as a fraction. */
double
_intake_date_time_to_days (GDateTime *dt)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (dt);
  GDate date;
  double seconds;

  if (local == NULL)
    return NAN;
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay) g_date_time_get_day_of_month (local),
                  (GDateMonth) g_date_time_get_month (local),
                  (GDateYear) g_date_time_get_year (local));
  seconds = g_date_time_get_hour (local) * 3600.0 + g_date_time_get_minute (local) * 60.0
            + g_date_time_get_seconds (local);
  return (double) ((long) g_date_get_julian (&date) - EPOCH_JULIAN) + seconds / SECONDS_PER_DAY;
}

gboolean
_intake_date_parse (const char *s, double *days)
{
  size_t length;
  GDate date;

  if (s == NULL)
    return FALSE;
  length = strlen (s);
  if (length < 10 || !has_date_shape (s))
    return FALSE;
  if (length == 10)
    {
      if (!parse_ymd (s, &date))
        return FALSE;
      *days = (double) ((long) g_date_get_julian (&date) - EPOCH_JULIAN);
      return TRUE;
    }
  if (s[10] == 'T' && length <= 64)
    {
      g_autoptr(GTimeZone) local = g_time_zone_new_local ();
      g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (s, local);

      if (dt == NULL)
        return FALSE;
      *days = _intake_date_time_to_days (dt);
      return !isnan (*days);
    }
  return FALSE;
}
