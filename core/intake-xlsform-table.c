/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * XLSForm import, the converter's lowest layer: a sheet read as a table of named columns
 * ("label::English (en)" parsed into its base and language, pyxform's aliases resolved), the
 * cells of a row read by column, and refusals that name the sheet, the row and the column.
 * Apart from intake-xlsform.c because every other part of the converter reads sheets through
 * it; it calls none of them (see intake-xlsform-private.h).
 */

#include "intake-xlsform-private.h"
#include "intake-json.h"

#include <string.h>

static void
column_free (Column *column)
{
  g_free (column->raw);
  g_free (column->base);
  g_free (column->language);
  g_free (column->code);
  g_free (column);
}

void
_intake_xlsform_table_clear (Table *table)
{
  g_clear_pointer (&table->columns, g_ptr_array_unref);
}

G_GNUC_PRINTF (4, 5)
gboolean
_intake_xlsform_refuse (Converter *c,
                        IntakeXlsformError code,
                        const char *where,
                        const char *format,
                        ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (c->error, INTAKE_XLSFORM_ERROR, code, "%s: %s", where, message);
  return FALSE;
}

/* "survey row 14, column relevant" */
char *
_intake_xlsform_where_cell (Converter *c, const Table *table, const Row *row, const Column *column)
{
  if (column == NULL)
    return g_strdup_printf ("%s %s %u", table->sheet->name, c->book->row_word, row->number);
  return g_strdup_printf ("%s %s %u, column %s", table->sheet->name, c->book->row_word,
                          row->number, column->raw);
}

const char *const _intake_xlsform_translatable[] = {
  "label",
  "hint",
  "child_label",
  "child_hint",
  "form_title",
  "constraint_message",
  "required_message",
  "guidance_hint",
  "image",
  "audio",
  "video",
  "big-image",
  "media",
  NULL,
};

static const struct
{
  const char *alias;
  const char *base;
} column_aliases[] = {
  { "list_name", "list_name" },   { "value", "name" },
  { "caption", "label" },         { "relevance", "relevant" },
  { "readonly", "read_only" },    { "calculate", "calculation" },
  { "jr:constraintmsg", "constraint_message" },
  { "constraining_message", "constraint_message" },
  { "jr:requiredmsg", "required_message" },
  { "requiredmsg", "required_message" },
  { "count", "repeat_count" },    { "jr:count", "repeat_count" },
};

static Column *
parse_header (unsigned int col, const char *raw)
{
  Column *column = g_new0 (Column, 1);
  g_autofree char *lower = g_utf8_strdown (raw, -1);
  const char *split = strstr (raw, "::");
  g_autofree char *base = NULL;

  column->col = col;
  column->raw = g_strdup (raw);
  if (split != NULL)
    {
      base = g_utf8_strdown (raw, split - raw);
      column->language = g_strstrip (g_strdup (split + 2));
    }
  else
    {
      const char *colon = strchr (raw, ':');
      g_autofree char *head = colon != NULL ? g_utf8_strdown (raw, colon - raw) : NULL;

      /* pyxform's older spellings: "label:English", "bind:relevant", "control:appearance". */
      if (head != NULL && (strcmp (head, "bind") == 0 || strcmp (head, "control") == 0))
        base = g_utf8_strdown (colon + 1, -1);
      else if (head != NULL && g_strv_contains (_intake_xlsform_translatable, g_strstrip (head)))
        {
          base = g_strdup (head);
          column->language = g_strstrip (g_strdup (colon + 1));
        }
      else
        base = g_strdup (lower);
    }
  g_strstrip (base);
  for (char *p = base; *p != '\0'; p++)
    if (*p == ' ')
      *p = '_';
  for (size_t i = 0; i < G_N_ELEMENTS (column_aliases); i++)
    if (strcmp (base, column_aliases[i].alias) == 0)
      {
        g_free (base);
        base = g_strdup (column_aliases[i].base);
        break;
      }
  if (column->language != NULL && *column->language == '\0')
    g_clear_pointer (&column->language, g_free);
  column->base = g_steal_pointer (&base);
  return column;
}

gboolean
_intake_xlsform_load_table (Converter *c, const char *name, gboolean required, Table *table)
{
  for (unsigned int i = 0; i < c->book->sheets->len; i++)
    {
      Sheet *sheet = c->book->sheets->pdata[i];

      if (strcmp (sheet->name, name) != 0)
        continue;
      if (table->sheet != NULL)
        return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, name,
                                       "the sheet appears twice");
      table->sheet = sheet;
    }
  if (table->sheet == NULL)
    {
      if (required)
        return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_MISSING_SHEET, name,
                                       "the workbook has no '%s' sheet (an XLSForm needs one)",
                                       name);
      return TRUE;
    }
  table->columns = g_ptr_array_new_with_free_func ((GDestroyNotify) column_free);
  for (unsigned int i = 0; i < table->sheet->rows->len; i++)
    {
      const Row *row = table->sheet->rows->pdata[i];

      if (row->cells->len == 0)
        continue;
      table->header = row;
      break;
    }
  if (table->sheet->formula != NULL)
    {
      g_autofree char *letters = _intake_xlsform_column_letters (table->sheet->formula_col);
      const char *header = NULL;
      g_autofree char *where = NULL;

      if (table->header != NULL)
        header = _intake_xlsform_row_get (table->header, table->sheet->formula_col);
      where = g_strdup_printf ("%s %s %u, column %s (cell %s%u)", name, c->book->row_word,
                               table->sheet->formula_row, header != NULL ? header : letters,
                               letters, table->sheet->formula_row);
      return _intake_xlsform_refuse (
          c, INTAKE_XLSFORM_ERROR_FORMULA, where,
          "the cell holds a formula (=%s); a form is read from values, so type the "
          "value itself (formulas may also refer in a circle, which no value can "
          "satisfy)",
          table->sheet->formula);
    }
  if (table->header == NULL)
    {
      if (required)
        return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_MISSING_SHEET, name,
                                       "the sheet is empty");
      return TRUE;
    }
  for (unsigned int i = 0; i < table->header->cells->len; i++)
    {
      const Cell *cell = &g_array_index (table->header->cells, Cell, i);
      Column *column = parse_header (cell->col, cell->text);

      for (unsigned int k = 0; k < table->columns->len; k++)
        {
          Column *other = table->columns->pdata[k];

          if (strcmp (other->base, column->base) == 0
              && g_strcmp0 (other->language, column->language) == 0)
            {
              g_autofree char *where = _intake_xlsform_where_cell (c, table, table->header, column);

              column_free (column);
              return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                                             "the column appears twice (also as '%s')", other->raw);
            }
        }
      g_ptr_array_add (table->columns, column);
    }
  return TRUE;
}

/* The value of the (untranslated) column @base in @row, and the column it is in. */
const char *
_intake_xlsform_cell_of (const Table *table, const Row *row, const char *base, const Column **out)
{
  for (unsigned int i = 0; table->columns != NULL && i < table->columns->len; i++)
    {
      const Column *column = table->columns->pdata[i];

      if (column->language == NULL && strcmp (column->base, base) == 0)
        {
          if (out != NULL)
            *out = column;
          return _intake_xlsform_row_get (row, column->col);
        }
    }
  if (out != NULL)
    *out = NULL;
  return NULL;
}


/* The texts of the translatable column @base in @row: {code: text}, or NULL when none. */
JsonObject *
_intake_xlsform_texts_of (const Table *table, const Row *row, const char *base)
{
  JsonObject *texts = NULL;

  for (unsigned int i = 0; table->columns != NULL && i < table->columns->len; i++)
    {
      const Column *column = table->columns->pdata[i];
      const char *value;

      if (strcmp (column->base, base) != 0 || column->code == NULL)
        continue;
      value = _intake_xlsform_row_get (row, column->col);
      if (value == NULL)
        continue;
      if (texts == NULL)
        texts = json_object_new ();
      json_object_set_string_member (texts, column->code, value);
    }
  return texts;
}

gboolean
_intake_xlsform_yes_no (const char *value, gboolean *out)
{
  static const char *const yes[] = { "yes", "true", "true()", "1", NULL };
  static const char *const no[] = { "no", "false", "false()", "0", NULL };
  g_autofree char *folded = g_ascii_strdown (value, -1);

  if (g_strv_contains (yes, folded))
    *out = TRUE;
  else if (g_strv_contains (no, folded))
    *out = FALSE;
  else
    return FALSE;
  return TRUE;
}

/* Checks an expression where it is written, so a refusal names the cell. */
gboolean
_intake_xlsform_check_expression (Converter *c,
                                  const Table *table,
                                  const Row *row,
                                  const Column *column,
                                  const char *source,
                                  IntakeExprParseFlags flags)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(IntakeExpr) expr = intake_expr_parse (source, flags, &local_error);

  if (expr == NULL)
    {
      g_autofree char *where = _intake_xlsform_where_cell (c, table, row, column);

      return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where, "%s",
                                     local_error->message);
    }
  return TRUE;
}

/* A cell holding JSON (this project's own columns: indicator, and the scoring sheet's values). */
JsonNode *
_intake_xlsform_json_cell (Converter *c,
                           const Table *table,
                           const Row *row,
                           const Column *column,
                           const char *value,
                           gboolean want_object)
{
  const IntakeJsonLimits limits = { INTAKE_XLSFORM_MAX_CELL_BYTES, 16 };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) node = intake_json_parse_untrusted (value, -1, &limits, &local_error);
  g_autofree char *where = NULL;

  if (node != NULL && (!want_object || JSON_NODE_HOLDS_OBJECT (node)))
    return g_steal_pointer (&node);
  where = _intake_xlsform_where_cell (c, table, row, column);
  _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where, "%s",
                          node == NULL ? local_error->message : "write a JSON object here");
  return NULL;
}
