/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * XLSForm import: one question row of the survey sheet.  Its type as written ("select one
 * from LIST or specify other", pyxform's aliases) read into the document's type, its columns
 * (texts per language, flags, expressions checked where written, range parameters), its default
 * (a value typed for the question, or an expression, as pyxform tells them apart) and or_other.
 * Apart from intake-xlsform.c, which walks the rows, opens groups and repeats and calls this for
 * each question; this calls only the table and choices layers.
 */

#include "intake-xlsform-private.h"

#include <math.h>
#include <string.h>

void
_intake_xlsform_parsed_type_clear (ParsedType *t)
{
  g_free (t->type);
  g_free (t->list);
  g_free (t->file);
}

static const char *const media_types[] = {
  "image", "photo", "audio", "video", "file", "barcode", "background-audio",
  "add image prompt", "add photo prompt", "add audio prompt", "add video prompt",
  "add file prompt", "signature", NULL,
};

static const struct
{
  const char *written;
  const char *type;
} simple_types[] = {
  { "text", "text" },           { "string", "text" },           { "integer", "integer" },
  { "int", "integer" },         { "decimal", "decimal" },       { "date", "date" },
  { "time", "time" },           { "datetime", "dateTime" },     { "note", "note" },
  { "calculate", "calculate" }, { "hidden", "hidden" },         { "acknowledge", "acknowledge" },
  { "trigger", "acknowledge" }, { "range", "range" },           { "geopoint", "geopoint" },
  { "gps", "geopoint" },        { "location", "geopoint" },     { "start", "start" },
  { "end", "end" },             { "today", "today" },           { "deviceid", "deviceid" },
  { "imei", "deviceid" },       { "username", "username" },
};

/* The last word of @text as written (its case kept): a list's file name. */
static char *
last_word (const char *text)
{
  const char *end = text + strlen (text);
  const char *start;

  while (end > text && g_ascii_isspace (end[-1]))
    end--;
  start = end;
  while (start > text && !g_ascii_isspace (start[-1]))
    start--;
  return g_strndup (start, end - start);
}

gboolean
_intake_xlsform_parse_row_type (Converter *c,
                                const char *where,
                                const char *written,
                                ParsedType *out)
{
  g_autofree char *folded = g_ascii_strdown (written, -1);
  g_auto(GStrv) words = NULL;
  g_autofree char *joined = NULL;
  guint n;

  memset (out, 0, sizeof *out);
  /* One space between words, whatever was typed. */
  words = g_strsplit_set (g_strstrip (folded), " \t", 0);
  {
    g_autoptr(GPtrArray) kept = g_ptr_array_new ();

    for (unsigned int i = 0; words[i] != NULL; i++)
      if (*words[i] != '\0')
        g_ptr_array_add (kept, words[i]);
    g_ptr_array_add (kept, NULL);
    joined = g_strjoinv (" ", (char **) kept->pdata);
  }
  g_strfreev (g_steal_pointer (&words));
  words = g_strsplit (joined, " ", 0);
  n = g_strv_length (words);

  if (strcmp (joined, "begin group") == 0 || strcmp (joined, "begin_group") == 0)
    out->kind = ROW_BEGIN_GROUP;
  else if (strcmp (joined, "end group") == 0 || strcmp (joined, "end_group") == 0)
    out->kind = ROW_END_GROUP;
  else if (strcmp (joined, "begin repeat") == 0 || strcmp (joined, "begin_repeat") == 0)
    out->kind = ROW_BEGIN_REPEAT;
  else if (strcmp (joined, "end repeat") == 0 || strcmp (joined, "end_repeat") == 0)
    out->kind = ROW_END_REPEAT;
  else
    out->kind = ROW_QUESTION;
  if (out->kind != ROW_QUESTION)
    return TRUE;

  if (g_str_has_prefix (joined, "begin loop") || g_str_has_prefix (joined, "begin_loop")
      || g_str_has_prefix (joined, "end loop") || g_str_has_prefix (joined, "end_loop"))
    return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where,
                                   "loops ('%s') are not supported on the tablet; use a repeat",
                                   written);
  if (g_strv_contains (media_types, joined))
    return _intake_xlsform_refuse (
        c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where,
        "'%s' questions (photos, sound, video, files, barcodes) are not supported on "
        "the tablet yet",
        written);
  if (strcmp (joined, "phone number") == 0)
    {
      out->type = g_strdup ("text");
      out->phone = TRUE;
      return TRUE;
    }
  for (size_t i = 0; i < G_N_ELEMENTS (simple_types); i++)
    if (strcmp (joined, simple_types[i].written) == 0)
      {
        out->type = g_strdup (simple_types[i].type);
        return TRUE;
      }

  /* select_one LIST [or_other], select one from LIST [or specify other], and the like. */
  {
    const char *kind = NULL;
    unsigned int at = 0;

    if (n >= 2 && (strcmp (words[0], "select_one") == 0 || strcmp (words[0], "select1") == 0))
      kind = "select_one", at = 1;
    else if (n >= 2 && strcmp (words[0], "select_multiple") == 0)
      kind = "select_multiple", at = 1;
    else if (n >= 3 && strcmp (words[0], "select") == 0 && strcmp (words[1], "one") == 0)
      kind = "select_one", at = 2;
    else if (n >= 2 && strcmp (words[0], "rank") == 0)
      kind = "rank", at = 1;
    else if (n >= 5 && strcmp (words[0], "select") == 0 && strcmp (words[1], "all") == 0
             && strcmp (words[2], "that") == 0 && strcmp (words[3], "apply") == 0)
      kind = "select_multiple", at = 4;
    else if (n >= 2 && (strcmp (words[0], "select_one_from_file") == 0
                        || strcmp (words[0], "select_multiple_from_file") == 0))
      {
        out->type = g_strdup (strcmp (words[0], "select_one_from_file") == 0 ? "select_one"
                                                                             : "select_multiple");
        /* File names keep their case. */
        out->file = last_word (written);
        if (n != 2)
          return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                                         "'%s' names one file", written);
        return TRUE;
      }
    if (kind != NULL && strcmp (words[at], "from") == 0 && at + 1 < n
        && strcmp (words[at + 1], "file") == 0)
      {
        out->type = g_strdup (kind);
        out->file = last_word (written);
        return TRUE;
      }
    if (kind != NULL && strcmp (words[at], "from") == 0)
      at++;
    if (kind != NULL && at < n)
      {
        g_autofree char *copy = g_strstrip (g_strdup (written));
        g_auto(GStrv) original = g_strsplit_set (copy, " \t", 0);
        unsigned int index = 0;
        const char *list = NULL;

        /* The list name keeps its case: it must match the choices sheet. */
        for (unsigned int i = 0, w = 0; original[i] != NULL; i++)
          if (*original[i] != '\0')
            {
              if (w == at)
                {
                  list = original[i];
                  index = w;
                }
              w++;
            }
        out->type = g_strdup (kind);
        out->list = g_strdup (list);
        if (index + 1 == n)
          return TRUE;
        if ((index + 2 == n && strcmp (words[index + 1], "or_other") == 0)
            || (index + 4 == n && strcmp (words[index + 1], "or") == 0
                && strcmp (words[index + 2], "specify") == 0
                && strcmp (words[index + 3], "other") == 0))
          {
            if (strcmp (kind, "rank") == 0)
              return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where,
                                             "rank has no 'or_other'");
            out->or_other = TRUE;
            return TRUE;
          }
        return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                                       "'%s': only 'or_other' may follow the list name", written);
      }
  }
  return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where,
                                 "the type '%s' is not supported on the tablet", written);
}


static gboolean
set_flag_or_expression (Converter *c, const Table *table, const Row *row, JsonObject *q,
                        const char *base, const char *member)
{
  const Column *column = NULL;
  const char *value = _intake_xlsform_cell_of (table, row, base, &column);
  gboolean flag;

  if (value == NULL)
    return TRUE;
  if (_intake_xlsform_yes_no (value, &flag))
    {
      if (flag)
        json_object_set_boolean_member (q, member, TRUE);
      return TRUE;
    }
  if (!_intake_xlsform_check_expression (c, table, row, column, value, INTAKE_EXPR_PARSE_DEFAULT))
    return FALSE;
  json_object_set_string_member (q, member, value);
  return TRUE;
}

/* "start=1 end=10 step=1" → {"start": 1, "end": 10, "step": 1}. */
static gboolean
parse_range_parameters (Converter *c, const char *where, const char *value, JsonObject *q)
{
  g_auto(GStrv) pairs = g_strsplit_set (value != NULL ? value : "", " ;,", 0);
  JsonObject *parameters = json_object_new ();
  double start = 1, end = 10, step = 1;

  for (unsigned int i = 0; pairs[i] != NULL; i++)
    {
      g_auto(GStrv) kv = NULL;
      char *stop = NULL;
      double number;

      if (*pairs[i] == '\0')
        continue;
      kv = g_strsplit (pairs[i], "=", 2);
      if (kv[1] == NULL)
        {
          json_object_unref (parameters);
          return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                                         "'%s' is not name=value", pairs[i]);
        }
      g_strstrip (kv[0]);
      number = g_ascii_strtod (kv[1], &stop);
      if (stop == kv[1] || *stop != '\0' || !isfinite (number)
          || (strcmp (kv[0], "start") != 0 && strcmp (kv[0], "end") != 0
              && strcmp (kv[0], "step") != 0))
        {
          json_object_unref (parameters);
          return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where,
                                         "a range takes start, end and step as numbers, not '%s'",
                                         pairs[i]);
        }
      if (strcmp (kv[0], "start") == 0)
        start = number;
      else if (strcmp (kv[0], "end") == 0)
        end = number;
      else
        step = number;
    }
  json_object_set_double_member (parameters, "start", start);
  json_object_set_double_member (parameters, "end", end);
  json_object_set_double_member (parameters, "step", step);
  json_object_set_object_member (q, "parameters", parameters);
  return TRUE;
}

/* A character of an XML name (NCName) after its first; bytes of UTF-8 sequences count. */
static gboolean
is_name_char (char ch, gboolean first)
{
  return g_ascii_isalpha (ch) || ch == '_' || (guchar) ch >= 0x80
         || (!first && (g_ascii_isdigit (ch) || ch == '-' || ch == '.'));
}

/* The length of the name at @p (with one "prefix:" part, as in jr:choice-name), or 0. */
static size_t
name_length (const char *p)
{
  size_t n = 0;

  if (!is_name_char (p[0], TRUE))
    return 0;
  while (is_name_char (p[n], n == 0))
    n++;
  if (p[n] == ':' && is_name_char (p[n + 1], TRUE))
    for (n++; is_name_char (p[n], FALSE);)
      n++;
  return n;
}

/* The length of @count digits at @p, or 0. */
static size_t
digits (const char *p, size_t count)
{
  for (size_t i = 0; i < count; i++)
    if (!g_ascii_isdigit (p[i]))
      return 0;
  return count;
}

/* The length of a time written as pyxform's lexer reads one ("10:20:30", "10:20:30+07:00"). */
static size_t
time_length (const char *p)
{
  size_t n;

  if (!digits (p, 2) || p[2] != ':' || !digits (p + 3, 2) || p[5] != ':' || !digits (p + 6, 2))
    return 0;
  n = 8;
  if (p[n] == 'Z')
    return n + 1;
  if ((p[n] == '+' || p[n] == '-') && digits (p + n + 1, 2) && p[n + 3] == ':'
      && digits (p + n + 4, 2))
    return n + 6;
  return n;
}

/*
 * Whether a `default` is an expression (ODK's dynamic default) rather than a value, decided as
 * pyxform decides it (pyxform/utils.py default_is_dynamic over the lexer of
 * pyxform/parsing/expression.py), so that a sheet converts here as it does for ODK: a ${name},
 * a function call, an arithmetic operator (+ - * div mod) or a union '|' makes it an expression,
 * checked in that lexer's order (dates, times and numbers such as "-2022-03-14" and "1-1" come
 * before operators, names such as "f-4" hold their '-').  For the types whose values hold a '-'
 * (date, dateTime, geopoint…) a '-' operator makes it a value.  pyxform's own tests
 * (tests/test_dynamic_default.py) give the cases; tests/core/test-xlsform.c repeats some.
 */
static gboolean
default_is_dynamic (const char *value, const char *type)
{
  static const char *const dashed[] = { "date", "dateTime", "geopoint", "geotrace", "geoshape",
                                        NULL };
  gboolean dash_is_value = g_strv_contains (dashed, type);
  const char *p = value;

  while (*p != '\0')
    {
      const char *q = p;
      size_t n;

      if (*q == '-')
        q++;
      /* A date or date-time, a time, then a number. */
      if (digits (q, 4) && q[4] == '-' && digits (q + 5, 2) && q[7] == '-' && digits (q + 8, 2))
        {
          p = q + 10;
          if (*p == 'T' && (n = time_length (p + 1)) > 0)
            p += 1 + n;
          continue;
        }
      if (q == p && (n = time_length (p)) > 0)
        {
          p += n;
          continue;
        }
      if (g_ascii_isdigit (*q) || (*q == '.' && g_ascii_isdigit (q[1])))
        {
          while (g_ascii_isdigit (*q))
            q++;
          if (*q == '.')
            for (q++; g_ascii_isdigit (*q);)
              q++;
          p = q;
          continue;
        }
      if (*p == '*' || *p == '+' || *p == '-' || g_str_has_prefix (p, " mod ")
          || g_str_has_prefix (p, " div "))
        return !(dash_is_value && *p == '-');
      if (*p == '|')
        return TRUE;
      if (p[0] == '$' && p[1] == '{' && (n = name_length (p + 2)) > 0)
        {
          size_t m = 0;

          if (p[2 + n] == '#')
            m = 1 + name_length (p + 3 + n);
          if (p[2 + n + m] == '}' && (m != 1))
            return TRUE;
        }
      if (*p == '"' || *p == '\'')
        {
          const char *close = strchr (p + 1, *p);

          p = close != NULL ? close + 1 : p + 1;
          continue;
        }
      if ((n = name_length (p)) > 0)
        {
          /* A function call: the name right before '('. */
          if (p[n] == '(')
            return TRUE;
          p += n;
          /* A URI's scheme ("https://") is passed over with its name. */
          if (g_str_has_prefix (p, "://"))
            p += 3;
          continue;
        }
      p++;
    }
  return FALSE;
}

/* A default typed for its question, or the refusal. */
static gboolean
set_default (Converter *c, const Table *table, const Row *row, JsonObject *q, const char *type)
{
  const Column *column = NULL;
  const char *value = _intake_xlsform_cell_of (table, row, "default", &column);
  g_autofree char *where = NULL;

  if (value == NULL)
    return TRUE;
  where = _intake_xlsform_where_cell (c, table, row, column);
  /* A default that reads other answers or calls a function is a dynamic default in ODK,
   * evaluated once and stored as the answer (see intake-form-session.h). */
  if (default_is_dynamic (value, type))
    {
      if (strcmp (type, "calculate") == 0 || strcmp (type, "note") == 0)
        return _intake_xlsform_refuse (
            c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where,
            "a default on a %s (set once when the interview starts, in ODK) is not "
            "supported here; give it to a question (read_only if it must not change) "
            "or write it as a calculation",
            type);
      if (!_intake_xlsform_check_expression (c, table, row, column, value,
                                             INTAKE_EXPR_PARSE_DEFAULT))
        return FALSE;
      json_object_set_string_member (q, "dynamic_default", value);
      return TRUE;
    }
  if (strcmp (type, "integer") == 0)
    {
      gint64 number;

      if (!g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &number, NULL))
        return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                                       "'%s' is not a whole number", value);
      json_object_set_int_member (q, "default", number);
    }
  else if (strcmp (type, "decimal") == 0 || strcmp (type, "range") == 0)
    {
      char *stop = NULL;
      double number = g_ascii_strtod (value, &stop);

      if (stop == value || *stop != '\0' || !isfinite (number))
        return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                                       "'%s' is not a number", value);
      json_object_set_double_member (q, "default", number);
    }
  else if (strcmp (type, "select_multiple") == 0)
    {
      g_auto(GStrv) names = g_strsplit_set (value, " \t", 0);
      JsonArray *array = json_array_new ();

      for (unsigned int i = 0; names[i] != NULL; i++)
        if (*names[i] != '\0')
          json_array_add_string_element (array, names[i]);
      json_object_set_array_member (q, "default", array);
    }
  else if (strcmp (type, "note") == 0 || strcmp (type, "calculate") == 0
           || strcmp (type, "acknowledge") == 0)
    {
      return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where,
                                     "a %s has no default", type);
    }
  else
    {
      json_object_set_string_member (q, "default", value);
    }
  return TRUE;
}

gboolean
_intake_xlsform_convert_question (Converter *c,
                                  const Row *row,
                                  const ParsedType *type,
                                  JsonObject *q,
                                  JsonArray *siblings)
{
  Table *table = &c->survey;
  const char *name = json_object_get_string_member (q, "name");
  const Column *column = NULL;
  const char *value;
  JsonObject *texts;
  const Column *type_column = NULL;
  g_autofree char *where = NULL;

  _intake_xlsform_cell_of (table, row, "type", &type_column);
  where = _intake_xlsform_where_cell (c, table, row, type_column);
  json_object_set_string_member (q, "type", type->type);
  /* pyxform's "hidden": no question on screen, its value given by its default.  Here that is a
   * calculate of the default (a calculation beside it wins, as in ODK). */
  if (strcmp (type->type, "hidden") == 0)
    {
      const char *fixed = _intake_xlsform_cell_of (table, row, "default", &column);
      const char *calculation = _intake_xlsform_cell_of (table, row, "calculation", NULL);

      json_object_set_string_member (q, "type", "calculate");
      if (calculation == NULL)
        {
          g_autofree char *quoted = NULL;

          /* Quoted, an expression would become its own text: refused by name instead. */
          if (fixed != NULL && default_is_dynamic (fixed, type->type))
            {
              g_autofree char *at = _intake_xlsform_where_cell (c, table, row, column);

              return _intake_xlsform_refuse (
                  c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, at,
                  "a default that is an expression on a hidden question is not "
                  "supported here; use a calculate");
            }
          if (fixed != NULL && strchr (fixed, '\'') != NULL && strchr (fixed, '"') != NULL)
            {
              g_autofree char *at = _intake_xlsform_where_cell (c, table, row, column);

              return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, at,
                                             "a hidden value holding both kinds of quote");
            }
          quoted = fixed == NULL ? g_strdup ("''")
                   : strchr (fixed, '\'') != NULL ? g_strdup_printf ("\"%s\"", fixed)
                                                  : g_strdup_printf ("'%s'", fixed);
          json_object_set_string_member (q, "calculation", quoted);
        }
      fixed = NULL;
    }
  if ((texts = _intake_xlsform_texts_of (table, row, "label")) != NULL)
    json_object_set_object_member (q, "label", texts);
  if ((texts = _intake_xlsform_texts_of (table, row, "hint")) != NULL)
    json_object_set_object_member (q, "hint", texts);
  /* This project's own: the same words for a child, while the settings' child_when holds. */
  if ((texts = _intake_xlsform_texts_of (table, row, "child_label")) != NULL)
    json_object_set_object_member (q, "child_label", texts);
  if ((texts = _intake_xlsform_texts_of (table, row, "child_hint")) != NULL)
    json_object_set_object_member (q, "child_hint", texts);
  if ((texts = _intake_xlsform_texts_of (table, row, "constraint_message")) != NULL)
    json_object_set_object_member (q, "constraint_message", texts);
  if ((texts = _intake_xlsform_texts_of (table, row, "required_message")) != NULL)
    json_object_set_object_member (q, "required_message", texts);
  if (!set_flag_or_expression (c, table, row, q, "required", "required")
      || !set_flag_or_expression (c, table, row, q, "read_only", "read_only"))
    return FALSE;
  if ((value = _intake_xlsform_cell_of (table, row, "relevant", &column)) != NULL)
    {
      if (!_intake_xlsform_check_expression (c, table, row, column, value,
                                             INTAKE_EXPR_PARSE_DEFAULT))
        return FALSE;
      json_object_set_string_member (q, "relevant", value);
    }
  if ((value = _intake_xlsform_cell_of (table, row, "constraint", &column)) != NULL)
    {
      if (!_intake_xlsform_check_expression (c, table, row, column, value,
                                             INTAKE_EXPR_PARSE_ALLOW_DOT))
        return FALSE;
      json_object_set_string_member (q, "constraint", value);
    }
  else if (type->phone)
    {
      json_object_set_string_member (q, "constraint", "regex(., '^[0-9]*$')");
    }
  if ((value = _intake_xlsform_cell_of (table, row, "calculation", &column)) != NULL)
    {
      if (!_intake_xlsform_check_expression (c, table, row, column, value,
                                             INTAKE_EXPR_PARSE_DEFAULT))
        return FALSE;
      if (strcmp (json_object_get_string_member (q, "type"), "calculate") != 0)
        {
          g_autofree char *at = _intake_xlsform_where_cell (c, table, row, column);

          return _intake_xlsform_refuse (
              c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, at,
              "a calculation on a %s question (a calculated default in ODK) is not "
              "supported here; use a calculate question",
              type->type);
        }
      json_object_set_string_member (q, "calculation", value);
    }
  if ((value = _intake_xlsform_cell_of (table, row, "appearance", NULL)) != NULL)
    json_object_set_string_member (q, "appearance", value);
  if ((value = _intake_xlsform_cell_of (table, row, "sensitive", &column)) != NULL)
    {
      gboolean flag;

      if (!_intake_xlsform_yes_no (value, &flag))
        {
          g_autofree char *at = _intake_xlsform_where_cell (c, table, row, column);

          return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, at, "write yes or no");
        }
      if (flag)
        json_object_set_boolean_member (q, "sensitive", TRUE);
    }
  if ((value = _intake_xlsform_cell_of (table, row, "audience", NULL)) != NULL)
    json_object_set_string_member (q, "audience", value);
  if ((value = _intake_xlsform_cell_of (table, row, "htcds", NULL)) != NULL)
    json_object_set_string_member (q, "htcds", value);
  if ((value = _intake_xlsform_cell_of (table, row, "indicator", &column)) != NULL)
    {
      JsonNode *node = _intake_xlsform_json_cell (c, table, row, column, value, TRUE);

      if (node == NULL)
        return FALSE;
      json_object_set_member (q, "indicator", node);
    }
  if (strcmp (type->type, "hidden") != 0 && !set_default (c, table, row, q, type->type))
    return FALSE;

  value = _intake_xlsform_cell_of (table, row, "parameters", &column);
  if (strcmp (type->type, "range") == 0)
    {
      g_autofree char *at = column != NULL ? _intake_xlsform_where_cell (c, table, row, column)
                                           : g_strdup (where);

      if (!parse_range_parameters (c, at, value, q))
        return FALSE;
    }
  else if (value != NULL)
    {
      g_autofree char *at = _intake_xlsform_where_cell (c, table, row, column);

      return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, at,
                                     "parameters ('%s') are not supported on a %s question", value,
                                     type->type);
    }

  if ((value = _intake_xlsform_cell_of (table, row, "repeat_count", &column)) != NULL)
    {
      g_autofree char *at = _intake_xlsform_where_cell (c, table, row, column);

      return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, at,
                                     "only a repeat has a repeat_count");
    }
  if ((value = _intake_xlsform_cell_of (table, row, "choice_filter", &column)) != NULL)
    {
      /* Bare names are the choices sheet's further columns (kept as each choice's "filters"). */
      if (!_intake_xlsform_check_expression (c, table, row, column, value,
                                             INTAKE_EXPR_PARSE_CHOICE_FILTER))
        return FALSE;
      if (type->list == NULL && type->file == NULL)
        {
          g_autofree char *at = _intake_xlsform_where_cell (c, table, row, column);

          return _intake_xlsform_refuse (
              c, INTAKE_XLSFORM_ERROR_INVALID, at,
              "only a select_one or select_multiple has a choice_filter");
        }
      json_object_set_string_member (q, "choice_filter", value);
    }

  if (type->list != NULL || type->file != NULL)
    {
      g_autofree char *key = NULL;

      if (type->file != NULL)
        {
          if (!_intake_xlsform_embed_file_list (c, where, type->file, &key))
            return FALSE;
        }
      else
        {
          key = g_strdup (type->list);
          if (!json_object_has_member (c->lists, key))
            return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_MISSING_SHEET, where,
                                           "the list '%s' is not on the choices sheet", key);
        }
      if (type->or_other)
        {
          /* As pyxform does: an "Other" choice, and a text question asked when it is chosen. */
          g_autofree char *other_key = g_strconcat (key, ":or_other", NULL);
          g_autofree char *other_name = g_strconcat (name, "_other", NULL);
          g_autofree char *relevant = g_strdup_printf ("selected(${%s}, 'other')", name);

          if (!json_object_has_member (c->lists, other_key))
            {
              JsonArray *source = json_object_get_array_member (c->lists, key);
              JsonArray *copy = json_array_new ();
              JsonObject *other = json_object_new ();
              JsonObject *label = json_object_new ();

              for (unsigned int i = 0; i < json_array_get_length (source); i++)
                {
                  JsonObject *choice = json_array_get_object_element (source, i);

                  if (g_strcmp0 (json_object_get_string_member_with_default (choice, "name", ""),
                                 "other") == 0)
                    {
                      json_array_unref (copy);
                      json_object_unref (other);
                      json_object_unref (label);
                      return _intake_xlsform_refuse (
                          c, INTAKE_XLSFORM_ERROR_INVALID, where,
                          "or_other adds a choice 'other', which the list '%s' "
                          "already has",
                          key);
                    }
                  json_array_add_element (copy, json_node_copy (json_array_get_element (source,
                                                                                        i)));
                }
              for (unsigned int l = 0; l < c->languages->len; l++)
                json_object_set_string_member (label, c->languages->pdata[l], "Other");
              json_object_set_string_member (other, "name", "other");
              json_object_set_object_member (other, "label", label);
              json_array_add_object_element (copy, other);
              json_object_set_array_member (c->lists, other_key, copy);
            }
          json_object_set_string_member (q, "choices", other_key);
          {
            JsonObject *specify = json_object_new ();
            JsonObject *label = json_object_new ();

            for (unsigned int l = 0; l < c->languages->len; l++)
              json_object_set_string_member (label, c->languages->pdata[l], "Specify other.");
            json_object_set_string_member (specify, "type", "text");
            json_object_set_string_member (specify, "name", other_name);
            json_object_set_object_member (specify, "label", label);
            json_object_set_string_member (specify, "relevant", relevant);
            json_array_add_object_element (siblings, json_object_ref (q));
            json_array_add_object_element (siblings, specify);
            g_hash_table_insert (c->rows, g_strdup (other_name), GUINT_TO_POINTER (row->number));
            return TRUE;
          }
        }
      json_object_set_string_member (q, "choices", key);
    }
  json_array_add_object_element (siblings, json_object_ref (q));
  return TRUE;
}
