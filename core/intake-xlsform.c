/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * XLSForm import.  Three steps:
 *
 *  1. Read the spreadsheet into sheets of rows of cells (intake-xlsform-read.c).
 *  2. Turn the survey, choices and settings sheets into the JSON form document, refusing what
 *     cannot be converted with the sheet, the row and the column.
 *  3. Check the result with the form loader, as every other form is checked; a refusal from the
 *     loader that names a question is given that question's row.
 */

#include "intake-xlsform-private.h"
#include "intake-expr.h"
#include "intake-form.h"
#include "intake-json.h"

#include <libxml/parser.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>


/* ------------------------------------------------------------------------------------------ */
/* From sheets to the form document                                                            */

typedef struct
{
  unsigned int col;
  char *raw;      /* The header as written, for messages. */
  char *base;     /* "label", "type", …: lower case, aliases resolved. */
  char *language; /* The language part of "label::English (en)", or NULL. */
  char *code;     /* Its code, filled once languages are known. */
} Column;

typedef struct
{
  Sheet *sheet;
  const Row *header;
  GPtrArray *columns; /* Column */
} Table;

typedef struct
{
  Workbook *book;
  const char *base_dir;
  GError **error;
  Table survey, choices, settings, scoring;
  GPtrArray *languages; /* codes, in order */
  char *default_language;
  JsonObject *lists;     /* list_name → array of choices */
  GHashTable *file_lists; /* file name → list key already embedded */
  GHashTable *rows;      /* question name → row number, for the loader's refusals */
} Converter;

static void
column_free (Column *column)
{
  g_free (column->raw);
  g_free (column->base);
  g_free (column->language);
  g_free (column->code);
  g_free (column);
}

static void
table_clear (Table *table)
{
  g_clear_pointer (&table->columns, g_ptr_array_unref);
}

G_GNUC_PRINTF (4, 5)
static gboolean
refuse (Converter *c, IntakeXlsformError code, const char *where, const char *format, ...)
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
static char *
where_cell (Converter *c, const Table *table, const Row *row, const Column *column)
{
  if (column == NULL)
    return g_strdup_printf ("%s %s %u", table->sheet->name, c->book->row_word, row->number);
  return g_strdup_printf ("%s %s %u, column %s", table->sheet->name, c->book->row_word,
                          row->number, column->raw);
}

static const char *const translatable[] = {
  "label", "hint", "child_label", "child_hint", "form_title", "constraint_message",
  "required_message", "guidance_hint",
  "image", "audio", "video", "big-image", "media", NULL,
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
      else if (head != NULL && g_strv_contains (translatable, g_strstrip (head)))
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

static gboolean
load_table (Converter *c, const char *name, gboolean required, Table *table)
{
  for (unsigned int i = 0; i < c->book->sheets->len; i++)
    {
      Sheet *sheet = c->book->sheets->pdata[i];

      if (strcmp (sheet->name, name) != 0)
        continue;
      if (table->sheet != NULL)
        return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, name, "the sheet appears twice");
      table->sheet = sheet;
    }
  if (table->sheet == NULL)
    {
      if (required)
        return refuse (c, INTAKE_XLSFORM_ERROR_MISSING_SHEET, name,
                       "the workbook has no '%s' sheet (an XLSForm needs one)", name);
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
      return refuse (c, INTAKE_XLSFORM_ERROR_FORMULA, where,
                     "the cell holds a formula (=%s); a form is read from values, so type the "
                     "value itself (formulas may also refer in a circle, which no value can "
                     "satisfy)",
                     table->sheet->formula);
    }
  if (table->header == NULL)
    {
      if (required)
        return refuse (c, INTAKE_XLSFORM_ERROR_MISSING_SHEET, name, "the sheet is empty");
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
              g_autofree char *where = where_cell (c, table, table->header, column);

              column_free (column);
              return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                             "the column appears twice (also as '%s')", other->raw);
            }
        }
      g_ptr_array_add (table->columns, column);
    }
  return TRUE;
}

/* The value of the (untranslated) column @base in @row, and the column it is in. */
static const char *
cell_of (const Table *table, const Row *row, const char *base, const Column **out)
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

/* Language names people write without a code, as pyxform's own examples do. */
static const struct
{
  const char *name;
  const char *code;
} language_names[] = {
  { "english", "en" },    { "french", "fr" },     { "français", "fr" },  { "spanish", "es" },
  { "español", "es" },    { "portuguese", "pt" }, { "indonesian", "id" },
  { "bahasa indonesia", "id" }, { "malay", "ms" }, { "swahili", "sw" }, { "arabic", "ar" },
  { "hindi", "hi" },      { "bengali", "bn" },    { "nepali", "ne" },    { "thai", "th" },
  { "khmer", "km" },      { "burmese", "my" },    { "vietnamese", "vi" }, { "tagalog", "tl" },
  { "chinese", "zh" },    { "russian", "ru" },    { "german", "de" },    { "italian", "it" },
  { "amharic", "am" },    { "somali", "so" },     { "hausa", "ha" },     { "urdu", "ur" },
};

/* "English (en)" → "en"; "english" → "en"; "fr" → "fr"; NULL when no code can be named. */
static char *
language_code (const char *language)
{
  const char *open = strrchr (language, '(');
  g_autofree char *folded = NULL;

  if (open != NULL && g_str_has_suffix (language, ")"))
    {
      g_autofree char *code = g_strndup (open + 1, strlen (open + 1) - 1);

      g_strstrip (code);
      for (const char *p = code; *p != '\0'; p++)
        if (!(g_ascii_isalnum (*p) || *p == '-' || *p == '_'))
          return NULL;
      return *code != '\0' && strlen (code) <= 35 ? g_steal_pointer (&code) : NULL;
    }
  folded = g_utf8_strdown (language, -1);
  for (size_t i = 0; i < G_N_ELEMENTS (language_names); i++)
    if (strcmp (folded, language_names[i].name) == 0)
      return g_strdup (language_names[i].code);
  if (strlen (folded) >= 2 && strlen (folded) <= 3)
    {
      for (const char *p = folded; *p != '\0'; p++)
        if (!g_ascii_isalpha (*p))
          return NULL;
      return g_steal_pointer (&folded);
    }
  return NULL;
}

static void
add_language (Converter *c, const char *code)
{
  for (unsigned int i = 0; i < c->languages->len; i++)
    if (strcmp (c->languages->pdata[i], code) == 0)
      return;
  g_ptr_array_add (c->languages, g_strdup (code));
}

/* Names the code of every language column, and the form's default language. */
static gboolean
resolve_languages (Converter *c, const char *setting, const Row *settings_row,
                   const Column *settings_column)
{
  Table *tables[] = { &c->survey, &c->choices, &c->settings };
  gboolean plain = FALSE;

  if (setting != NULL)
    {
      c->default_language = language_code (setting);
      if (c->default_language == NULL)
        {
          g_autofree char *where = where_cell (c, &c->settings, settings_row, settings_column);

          return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                         "name the language with its code, for example 'English (en)'");
        }
    }
  for (unsigned int t = 0; t < G_N_ELEMENTS (tables); t++)
    for (unsigned int i = 0; tables[t]->columns != NULL && i < tables[t]->columns->len; i++)
      {
        Column *column = tables[t]->columns->pdata[i];

        if (!g_strv_contains (translatable, column->base))
          continue;
        if (column->language == NULL)
          {
            /* A plain form_title names no language of its own. */
            if (tables[t] != &c->settings)
              plain = TRUE;
            continue;
          }
        column->code = language_code (column->language);
        if (column->code == NULL)
          {
            g_autofree char *where = where_cell (c, tables[t], tables[t]->header, column);

            return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                           "name the language with its code, for example '%s::%s (xx)'",
                           column->base, column->language);
          }
      }
  /* A plain "label" is in the default language, as pyxform reads it. */
  if (c->default_language == NULL)
    {
      if (plain)
        c->default_language = g_strdup ("en");
      else
        for (unsigned int t = 0; t < G_N_ELEMENTS (tables) && c->default_language == NULL; t++)
          for (unsigned int i = 0; tables[t]->columns != NULL && i < tables[t]->columns->len; i++)
            {
              Column *column = tables[t]->columns->pdata[i];

              if (column->code != NULL && strcmp (column->base, "label") == 0)
                {
                  c->default_language = g_strdup (column->code);
                  break;
                }
            }
      if (c->default_language == NULL)
        c->default_language = g_strdup ("en");
    }
  add_language (c, c->default_language);
  for (unsigned int t = 0; t < G_N_ELEMENTS (tables); t++)
    for (unsigned int i = 0; tables[t]->columns != NULL && i < tables[t]->columns->len; i++)
      {
        Column *column = tables[t]->columns->pdata[i];

        if (!g_strv_contains (translatable, column->base))
          continue;
        if (column->code == NULL)
          column->code = g_strdup (c->default_language);
        add_language (c, column->code);
        /* "label" beside "label::English (en)" when English is the default: two columns for
         * one text. */
        for (unsigned int k = 0; k < i; k++)
          {
            Column *other = tables[t]->columns->pdata[k];

            if (other->code != NULL && strcmp (other->base, column->base) == 0
                && strcmp (other->code, column->code) == 0)
              {
                g_autofree char *where = where_cell (c, tables[t], tables[t]->header, column);

                return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                               "'%s' gives the same text in the same language", other->raw);
              }
          }
      }
  return TRUE;
}

/* The texts of the translatable column @base in @row: {code: text}, or NULL when none. */
static JsonObject *
texts_of (const Table *table, const Row *row, const char *base)
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

static gboolean
yes_no (const char *value, gboolean *out)
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
static gboolean
check_expression (Converter *c, const Table *table, const Row *row, const Column *column,
                  const char *source, IntakeExprParseFlags flags)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(IntakeExpr) expr = intake_expr_parse (source, flags, &local_error);

  if (expr == NULL)
    {
      g_autofree char *where = where_cell (c, table, row, column);

      return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where, "%s", local_error->message);
    }
  return TRUE;
}

/* A cell holding JSON (this project's own columns: indicator, and the scoring sheet's values). */
static JsonNode *
json_cell (Converter *c, const Table *table, const Row *row, const Column *column,
           const char *value, gboolean want_object)
{
  const IntakeJsonLimits limits = { INTAKE_XLSFORM_MAX_CELL_BYTES, 16 };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) node = intake_json_parse_untrusted (value, -1, &limits, &local_error);
  g_autofree char *where = NULL;

  if (node != NULL && (!want_object || JSON_NODE_HOLDS_OBJECT (node)))
    return g_steal_pointer (&node);
  where = where_cell (c, table, row, column);
  refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where, "%s",
          node == NULL ? local_error->message : "write a JSON object here");
  return NULL;
}

/* ---- Choices ---- */

/*
 * The choices sheet's further columns ("country" beside list_name, name and label), which a
 * choice_filter reads by bare name, as pyxform keeps them in the itemset's instance.  Columns
 * a filter could not name (spaces, "::", a leading digit) are left out, as before.
 */
/* Whether a choice filter can name @column by a bare name, as XPath writes a child element. */
static gboolean
is_filter_column (const char *column)
{
  static const char *const reserved[] = { "name", "label", NULL };

  if (!g_ascii_isalpha (column[0]) && column[0] != '_')
    return FALSE;
  for (const char *p = column; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '.')
      return FALSE;
  return !g_strv_contains (reserved, column);
}

/* Adds @column = @value to @choice's "filters" (made on first use); an empty value is none. */
static void
add_filter (JsonObject *choice, const char *column, const char *value)
{
  JsonObject *filters;

  if (value == NULL || *value == '\0' || !is_filter_column (column))
    return;
  filters = json_object_has_member (choice, "filters")
              ? json_object_get_object_member (choice, "filters")
              : NULL;
  if (filters == NULL)
    {
      filters = json_object_new ();
      json_object_set_object_member (choice, "filters", filters);
    }
  json_object_set_string_member (filters, column, value);
}

static gboolean
add_choice_filters (const Table *table, const Row *row, JsonObject *choice)
{
  static const char *const known[] = { "list_name", "name", "label", "indicator", "image",
                                       "audio", "video", "big-image", "media", NULL };
  for (unsigned int i = 0; i < table->columns->len; i++)
    {
      const Column *column = table->columns->pdata[i];

      /* Filters name the column as written: XPath names keep their case. */
      if (column->language == NULL && !g_strv_contains (known, column->base))
        add_filter (choice, column->raw, _intake_xlsform_row_get (row, column->col));
    }
  return TRUE;
}

static gboolean
convert_choices (Converter *c)
{
  Table *table = &c->choices;

  if (table->header == NULL)
    return TRUE;
  for (unsigned int i = 0; i < table->columns->len; i++)
    {
      const Column *column = table->columns->pdata[i];
      static const char *const media[] = { "image", "audio", "video", "big-image", "media",
                                           NULL };

      if (g_strv_contains (media, column->base))
        for (unsigned int r = 0; r < table->sheet->rows->len; r++)
          {
            const Row *row = table->sheet->rows->pdata[r];

            if (row != table->header && row->number > table->header->number
                && _intake_xlsform_row_get (row, column->col) != NULL)
              {
                g_autofree char *where = where_cell (c, table, row, column);

                return refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where,
                               "pictures, sound and video on choices are not supported on the "
                               "tablet yet; remove the column");
              }
          }
    }
  for (unsigned int r = 0; r < table->sheet->rows->len; r++)
    {
      const Row *row = table->sheet->rows->pdata[r];
      const Column *list_column = NULL, *name_column = NULL;
      const char *list = NULL, *name = NULL;
      JsonObject *choice;
      JsonObject *label;
      JsonNode *array;

      if (row->number <= table->header->number || row->cells->len == 0)
        continue;
      list = cell_of (table, row, "list_name", &list_column);
      name = cell_of (table, row, "name", &name_column);
      if (list_column == NULL)
        return refuse (c, INTAKE_XLSFORM_ERROR_MISSING_SHEET, "choices",
                       "the sheet has no list_name column");
      if (name_column == NULL)
        return refuse (c, INTAKE_XLSFORM_ERROR_MISSING_SHEET, "choices",
                       "the sheet has no name column");
      if (list == NULL)
        {
          g_autofree char *where = where_cell (c, table, row, list_column);

          return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where, "the choice names no list");
        }
      if (name == NULL)
        {
          g_autofree char *where = where_cell (c, table, row, name_column);

          return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where, "the choice has no name");
        }
      choice = json_object_new ();
      json_object_set_string_member (choice, "name", name);
      label = texts_of (table, row, "label");
      if (label != NULL)
        json_object_set_object_member (choice, "label", label);
      if (!add_choice_filters (table, row, choice))
        {
          json_object_unref (choice);
          return FALSE;
        }
      {
        const Column *column = NULL;
        const char *indicator = cell_of (table, row, "indicator", &column);

        if (indicator != NULL)
          {
            JsonNode *node = json_cell (c, table, row, column, indicator, TRUE);

            if (node == NULL)
              {
                json_object_unref (choice);
                return FALSE;
              }
            json_object_set_member (choice, "indicator", node);
          }
      }
      array = json_object_get_member (c->lists, list);
      if (array == NULL)
        {
          json_object_set_array_member (c->lists, list, json_array_new ());
          array = json_object_get_member (c->lists, list);
        }
      json_array_add_object_element (json_node_get_array (array), choice);
    }
  return TRUE;
}

/* A list shipped beside the form (select_one_from_file): CSV with name and label columns, or
 * ODK's XML (<root><item><name/><label/></item>…</root>).  Embedded in the document, so that the
 * form and its list are one signed, versioned unit. */
static gboolean
embed_file_list (Converter *c, const char *where, const char *file, char **key_out)
{
  g_autofree char *path = NULL, *contents = NULL, *key = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonArray *choices;
  gsize length = 0;

  key = g_strconcat ("file:", file, NULL);
  if (g_hash_table_contains (c->file_lists, file))
    {
      *key_out = g_steal_pointer (&key);
      return TRUE;
    }
  if (strchr (file, '/') != NULL || strchr (file, '\\') != NULL || file[0] == '.'
      || !(g_str_has_suffix (file, ".csv") || g_str_has_suffix (file, ".xml")))
    return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                   "'%s' is not the name of a .csv or .xml list beside the form", file);
  if (c->base_dir == NULL)
    return refuse (c, INTAKE_XLSFORM_ERROR_MISSING_SHEET, where,
                   "the list '%s' must be given with the form", file);
  path = g_build_filename (c->base_dir, file, NULL);
  contents = intake_json_read_file (path, INTAKE_XLSFORM_MAX_FILE_BYTES, &length, &local_error);
  if (contents == NULL)
    return refuse (c, INTAKE_XLSFORM_ERROR_MISSING_SHEET, where,
                   "the list '%s' cannot be read beside the form: %s", file,
                   local_error->message);
  choices = json_array_new ();
  json_object_set_array_member (c->lists, key, choices);
  g_hash_table_add (c->file_lists, g_strdup (file));
  if (g_str_has_suffix (file, ".csv"))
    {
      g_autoptr(GArray) lines = g_array_new (FALSE, FALSE, sizeof (unsigned int));
      g_autoptr(GPtrArray) records = NULL;
      int name_col = -1, label_col = -1;

      if (!g_utf8_validate (contents, (gssize) length, NULL))
        return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, file, "the list is not UTF-8 text");
      records = _intake_xlsform_split_csv (contents, length, lines);
      if (records->len == 0)
        return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, file, "the list is empty");
      for (unsigned int k = 0; k < ((GPtrArray *) records->pdata[0])->len; k++)
        {
          g_autofree char *head = g_ascii_strdown (((GPtrArray *) records->pdata[0])->pdata[k],
                                                   -1);

          g_strstrip (head);
          if (strcmp (head, "name") == 0)
            name_col = (int) k;
          else if (strcmp (head, "label") == 0)
            label_col = (int) k;
        }
      if (name_col < 0 || label_col < 0)
        return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, file,
                       "line 1: the list needs a 'name' and a 'label' column");
      for (unsigned int r = 1; r < records->len; r++)
        {
          GPtrArray *record = records->pdata[r];
          JsonObject *choice, *label;
          const char *name, *text;

          if ((unsigned int) MAX (name_col, label_col) >= record->len)
            {
              if (record->len <= 1 && (record->len == 0 || *(char *) record->pdata[0] == '\0'))
                continue;
              return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, file, "line %u: a short row",
                             g_array_index (lines, unsigned int, r));
            }
          name = g_strstrip ((char *) record->pdata[name_col]);
          text = g_strstrip ((char *) record->pdata[label_col]);
          choice = json_object_new ();
          json_object_set_string_member (choice, "name", name);
          label = json_object_new ();
          /* One label column: the same text in every language, as Collect shows it. */
          for (unsigned int l = 0; l < c->languages->len; l++)
            json_object_set_string_member (label, c->languages->pdata[l], text);
          json_object_set_object_member (choice, "label", label);
          /* Further columns, for a choice_filter, as on the choices sheet. */
          for (unsigned int k = 0; k < record->len; k++)
            if ((int) k != name_col && (int) k != label_col
                && k < ((GPtrArray *) records->pdata[0])->len)
              {
                g_autofree char *head = g_strstrip (
                  g_strdup (((GPtrArray *) records->pdata[0])->pdata[k]));

                add_filter (choice, head, g_strstrip ((char *) record->pdata[k]));
              }
          json_array_add_object_element (choices, choice);
        }
    }
  else
    {
      xmlDoc *doc = xmlReadMemory (contents, (int) length, file, NULL,
                                   XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

      if (doc == NULL || doc->intSubset != NULL || xmlDocGetRootElement (doc) == NULL)
        {
          if (doc != NULL)
            xmlFreeDoc (doc);
          return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, file, "the list is not well-formed XML");
        }
      for (xmlNode *item = xmlDocGetRootElement (doc)->children; item != NULL; item = item->next)
        {
          g_autofree char *name = NULL, *text = NULL;
          JsonObject *choice, *label;

          if (!_intake_xlsform_is_element (item, "item"))
            continue;
          choice = json_object_new ();
          for (xmlNode *field = item->children; field != NULL; field = field->next)
            {
              xmlChar *content;

              if (field->type != XML_ELEMENT_NODE)
                continue;
              content = xmlNodeGetContent (field);
              if (_intake_xlsform_is_element (field, "name") && name == NULL)
                name = g_strstrip (g_strdup ((const char *) content));
              else if (_intake_xlsform_is_element (field, "label") && text == NULL)
                text = g_strstrip (g_strdup ((const char *) content));
              else if (field->ns == NULL)
                {
                  /* Further elements, for a choice_filter, as the choices sheet's columns. */
                  g_autofree char *trimmed = g_strstrip (g_strdup ((const char *) content));

                  add_filter (choice, (const char *) field->name, trimmed);
                }
              xmlFree (content);
            }
          if (name == NULL || text == NULL)
            {
              json_object_unref (choice);
              xmlFreeDoc (doc);
              return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, file,
                             "an <item> without <name> or <label>");
            }
          json_object_set_string_member (choice, "name", name);
          label = json_object_new ();
          for (unsigned int l = 0; l < c->languages->len; l++)
            json_object_set_string_member (label, c->languages->pdata[l], text);
          json_object_set_object_member (choice, "label", label);
          json_array_add_object_element (choices, choice);
        }
      xmlFreeDoc (doc);
    }
  *key_out = g_steal_pointer (&key);
  return TRUE;
}

/* ---- Survey ---- */

typedef enum
{
  ROW_QUESTION,
  ROW_BEGIN_GROUP,
  ROW_END_GROUP,
  ROW_BEGIN_REPEAT,
  ROW_END_REPEAT,
} RowKind;

typedef struct
{
  RowKind kind;
  char *type;      /* The document's type. */
  char *list;      /* select_one / select_multiple / rank: the list name. */
  char *file;      /* …_from_file: the file. */
  gboolean or_other;
  gboolean phone;  /* pyxform's "phone number": text of digits. */
} ParsedType;

static void
parsed_type_clear (ParsedType *t)
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

static gboolean
parse_row_type (Converter *c, const char *where, const char *written, ParsedType *out)
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
    return refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where,
                   "loops ('%s') are not supported on the tablet; use a repeat", written);
  if (g_strv_contains (media_types, joined))
    return refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where,
                   "'%s' questions (photos, sound, video, files, barcodes) are not supported on "
                   "the tablet yet", written);
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
          return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where, "'%s' names one file", written);
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
              return refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where,
                             "rank has no 'or_other'");
            out->or_other = TRUE;
            return TRUE;
          }
        return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                       "'%s': only 'or_other' may follow the list name", written);
      }
  }
  return refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where,
                 "the type '%s' is not supported on the tablet", written);
}

/* Columns of the survey sheet this converter reads, and what it does with each. */
static const char *const survey_columns[] = {
  "type", "name", "label", "hint", "required", "required_message", "relevant", "constraint",
  "constraint_message", "calculation", "default", "read_only", "appearance", "parameters",
  "repeat_count", "choice_filter", "sensitive", "audience", "htcds", "indicator", "child_label",
  "child_hint", NULL,
};

static gboolean
set_flag_or_expression (Converter *c, const Table *table, const Row *row, JsonObject *q,
                        const char *base, const char *member)
{
  const Column *column = NULL;
  const char *value = cell_of (table, row, base, &column);
  gboolean flag;

  if (value == NULL)
    return TRUE;
  if (yes_no (value, &flag))
    {
      if (flag)
        json_object_set_boolean_member (q, member, TRUE);
      return TRUE;
    }
  if (!check_expression (c, table, row, column, value, INTAKE_EXPR_PARSE_DEFAULT))
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
          return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where, "'%s' is not name=value",
                         pairs[i]);
        }
      g_strstrip (kv[0]);
      number = g_ascii_strtod (kv[1], &stop);
      if (stop == kv[1] || *stop != '\0' || !isfinite (number)
          || (strcmp (kv[0], "start") != 0 && strcmp (kv[0], "end") != 0
              && strcmp (kv[0], "step") != 0))
        {
          json_object_unref (parameters);
          return refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where,
                         "a range takes start, end and step as numbers, not '%s'", pairs[i]);
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
  const char *value = cell_of (table, row, "default", &column);
  g_autofree char *where = NULL;

  if (value == NULL)
    return TRUE;
  where = where_cell (c, table, row, column);
  /* A default that reads other answers or calls a function is a dynamic default in ODK,
   * evaluated once and stored as the answer (see intake-form-session.h). */
  if (default_is_dynamic (value, type))
    {
      if (strcmp (type, "calculate") == 0 || strcmp (type, "note") == 0)
        return refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where,
                       "a default on a %s (set once when the interview starts, in ODK) is not "
                       "supported here; give it to a question (read_only if it must not change) "
                       "or write it as a calculation", type);
      if (!check_expression (c, table, row, column, value, INTAKE_EXPR_PARSE_DEFAULT))
        return FALSE;
      json_object_set_string_member (q, "dynamic_default", value);
      return TRUE;
    }
  if (strcmp (type, "integer") == 0)
    {
      gint64 number;

      if (!g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &number, NULL))
        return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where, "'%s' is not a whole number",
                       value);
      json_object_set_int_member (q, "default", number);
    }
  else if (strcmp (type, "decimal") == 0 || strcmp (type, "range") == 0)
    {
      char *stop = NULL;
      double number = g_ascii_strtod (value, &stop);

      if (stop == value || *stop != '\0' || !isfinite (number))
        return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where, "'%s' is not a number", value);
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
      return refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where, "a %s has no default", type);
    }
  else
    {
      json_object_set_string_member (q, "default", value);
    }
  return TRUE;
}

typedef struct
{
  RowKind kind;
  JsonArray *children;
  const Row *row;
  char *name;
} Open;

static void
open_clear (Open *open)
{
  g_free (open->name);
}

static gboolean
convert_question (Converter *c, const Row *row, const ParsedType *type, JsonObject *q,
                  JsonArray *siblings)
{
  Table *table = &c->survey;
  const char *name = json_object_get_string_member (q, "name");
  const Column *column = NULL;
  const char *value;
  JsonObject *texts;
  const Column *type_column = NULL;
  g_autofree char *where = NULL;

  cell_of (table, row, "type", &type_column);
  where = where_cell (c, table, row, type_column);
  json_object_set_string_member (q, "type", type->type);
  /* pyxform's "hidden": no question on screen, its value given by its default.  Here that is a
   * calculate of the default (a calculation beside it wins, as in ODK). */
  if (strcmp (type->type, "hidden") == 0)
    {
      const char *fixed = cell_of (table, row, "default", &column);
      const char *calculation = cell_of (table, row, "calculation", NULL);

      json_object_set_string_member (q, "type", "calculate");
      if (calculation == NULL)
        {
          g_autofree char *quoted = NULL;

          /* Quoted, an expression would become its own text: refused by name instead. */
          if (fixed != NULL && default_is_dynamic (fixed, type->type))
            {
              g_autofree char *at = where_cell (c, table, row, column);

              return refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, at,
                             "a default that is an expression on a hidden question is not "
                             "supported here; use a calculate");
            }
          if (fixed != NULL && strchr (fixed, '\'') != NULL && strchr (fixed, '"') != NULL)
            {
              g_autofree char *at = where_cell (c, table, row, column);

              return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, at,
                             "a hidden value holding both kinds of quote");
            }
          quoted = fixed == NULL ? g_strdup ("''")
                   : strchr (fixed, '\'') != NULL ? g_strdup_printf ("\"%s\"", fixed)
                                                  : g_strdup_printf ("'%s'", fixed);
          json_object_set_string_member (q, "calculation", quoted);
        }
      fixed = NULL;
    }
  if ((texts = texts_of (table, row, "label")) != NULL)
    json_object_set_object_member (q, "label", texts);
  if ((texts = texts_of (table, row, "hint")) != NULL)
    json_object_set_object_member (q, "hint", texts);
  /* This project's own: the same words for a child, while the settings' child_when holds. */
  if ((texts = texts_of (table, row, "child_label")) != NULL)
    json_object_set_object_member (q, "child_label", texts);
  if ((texts = texts_of (table, row, "child_hint")) != NULL)
    json_object_set_object_member (q, "child_hint", texts);
  if ((texts = texts_of (table, row, "constraint_message")) != NULL)
    json_object_set_object_member (q, "constraint_message", texts);
  if ((texts = texts_of (table, row, "required_message")) != NULL)
    json_object_set_object_member (q, "required_message", texts);
  if (!set_flag_or_expression (c, table, row, q, "required", "required")
      || !set_flag_or_expression (c, table, row, q, "read_only", "read_only"))
    return FALSE;
  if ((value = cell_of (table, row, "relevant", &column)) != NULL)
    {
      if (!check_expression (c, table, row, column, value, INTAKE_EXPR_PARSE_DEFAULT))
        return FALSE;
      json_object_set_string_member (q, "relevant", value);
    }
  if ((value = cell_of (table, row, "constraint", &column)) != NULL)
    {
      if (!check_expression (c, table, row, column, value, INTAKE_EXPR_PARSE_ALLOW_DOT))
        return FALSE;
      json_object_set_string_member (q, "constraint", value);
    }
  else if (type->phone)
    {
      json_object_set_string_member (q, "constraint", "regex(., '^[0-9]*$')");
    }
  if ((value = cell_of (table, row, "calculation", &column)) != NULL)
    {
      if (!check_expression (c, table, row, column, value, INTAKE_EXPR_PARSE_DEFAULT))
        return FALSE;
      if (strcmp (json_object_get_string_member (q, "type"), "calculate") != 0)
        {
          g_autofree char *at = where_cell (c, table, row, column);

          return refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, at,
                         "a calculation on a %s question (a calculated default in ODK) is not "
                         "supported here; use a calculate question", type->type);
        }
      json_object_set_string_member (q, "calculation", value);
    }
  if ((value = cell_of (table, row, "appearance", NULL)) != NULL)
    json_object_set_string_member (q, "appearance", value);
  if ((value = cell_of (table, row, "sensitive", &column)) != NULL)
    {
      gboolean flag;

      if (!yes_no (value, &flag))
        {
          g_autofree char *at = where_cell (c, table, row, column);

          return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, at, "write yes or no");
        }
      if (flag)
        json_object_set_boolean_member (q, "sensitive", TRUE);
    }
  if ((value = cell_of (table, row, "audience", NULL)) != NULL)
    json_object_set_string_member (q, "audience", value);
  if ((value = cell_of (table, row, "htcds", NULL)) != NULL)
    json_object_set_string_member (q, "htcds", value);
  if ((value = cell_of (table, row, "indicator", &column)) != NULL)
    {
      JsonNode *node = json_cell (c, table, row, column, value, TRUE);

      if (node == NULL)
        return FALSE;
      json_object_set_member (q, "indicator", node);
    }
  if (strcmp (type->type, "hidden") != 0 && !set_default (c, table, row, q, type->type))
    return FALSE;

  value = cell_of (table, row, "parameters", &column);
  if (strcmp (type->type, "range") == 0)
    {
      g_autofree char *at = column != NULL ? where_cell (c, table, row, column)
                                           : g_strdup (where);

      if (!parse_range_parameters (c, at, value, q))
        return FALSE;
    }
  else if (value != NULL)
    {
      g_autofree char *at = where_cell (c, table, row, column);

      return refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, at,
                     "parameters ('%s') are not supported on a %s question", value, type->type);
    }

  if ((value = cell_of (table, row, "repeat_count", &column)) != NULL)
    {
      g_autofree char *at = where_cell (c, table, row, column);

      return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, at, "only a repeat has a repeat_count");
    }
  if ((value = cell_of (table, row, "choice_filter", &column)) != NULL)
    {
      /* Bare names are the choices sheet's further columns (kept as each choice's "filters"). */
      if (!check_expression (c, table, row, column, value, INTAKE_EXPR_PARSE_CHOICE_FILTER))
        return FALSE;
      if (type->list == NULL && type->file == NULL)
        {
          g_autofree char *at = where_cell (c, table, row, column);

          return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, at,
                         "only a select_one or select_multiple has a choice_filter");
        }
      json_object_set_string_member (q, "choice_filter", value);
    }

  if (type->list != NULL || type->file != NULL)
    {
      g_autofree char *key = NULL;

      if (type->file != NULL)
        {
          if (!embed_file_list (c, where, type->file, &key))
            return FALSE;
        }
      else
        {
          key = g_strdup (type->list);
          if (!json_object_has_member (c->lists, key))
            return refuse (c, INTAKE_XLSFORM_ERROR_MISSING_SHEET, where,
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
                      return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                                     "or_other adds a choice 'other', which the list '%s' "
                                     "already has", key);
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

static gboolean
convert_survey (Converter *c, JsonArray *questions)
{
  Table *table = &c->survey;
  g_autoptr(GArray) stack = g_array_new (FALSE, TRUE, sizeof (Open));
  Open top = { ROW_BEGIN_GROUP, questions, NULL, NULL };

  g_array_set_clear_func (stack, (GDestroyNotify) open_clear);
  g_array_append_val (stack, top);

  /* Every column must be one we read; a column we do not know is refused where it has a value,
   * not skipped, so that nothing in the form is silently lost. */
  for (unsigned int i = 0; i < table->columns->len; i++)
    {
      const Column *column = table->columns->pdata[i];
      const char *problem = NULL;

      if (strcmp (column->base, "guidance_hint") == 0)
        problem = "guidance hints are not shown on the tablet yet; move the text into the hint";
      else if (g_strv_contains ((const char *const []) { "image", "audio", "video", "big-image",
                                                         "media", NULL }, column->base)
               || g_str_has_prefix (column->base, "media"))
        problem = "pictures, sound and video in questions are not supported on the tablet yet";
      else if (strcmp (column->base, "trigger") == 0)
        problem = "the trigger column (recalculate on change) is not supported";
      else if (!g_strv_contains (survey_columns, column->base))
        problem = "this column is not one the tablet reads; remove it or leave it empty";
      if (problem == NULL)
        continue;
      for (unsigned int r = 0; r < table->sheet->rows->len; r++)
        {
          const Row *row = table->sheet->rows->pdata[r];

          if (row->number > table->header->number
              && _intake_xlsform_row_get (row, column->col) != NULL)
            {
              g_autofree char *where = where_cell (c, table, row, column);

              return refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where, "%s", problem);
            }
        }
    }

  for (unsigned int r = 0; r < table->sheet->rows->len; r++)
    {
      const Row *row = table->sheet->rows->pdata[r];
      const Column *type_column = NULL, *name_column = NULL;
      const char *written, *name;
      g_autofree char *where = NULL;
      ParsedType type;
      Open *open = &g_array_index (stack, Open, stack->len - 1);
      gboolean ok;

      if (row->number <= table->header->number || row->cells->len == 0)
        continue;
      written = cell_of (table, row, "type", &type_column);
      name = cell_of (table, row, "name", &name_column);
      if (type_column == NULL)
        return refuse (c, INTAKE_XLSFORM_ERROR_MISSING_SHEET, "survey",
                       "the sheet has no type column");
      if (name_column == NULL)
        return refuse (c, INTAKE_XLSFORM_ERROR_MISSING_SHEET, "survey",
                       "the sheet has no name column");
      where = where_cell (c, table, row, type_column);
      if (written == NULL)
        return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                       "a row with content but no type");
      if (!parse_row_type (c, where, written, &type))
        {
          /* A refusal may come after the type was partly read. */
          parsed_type_clear (&type);
          return FALSE;
        }

      switch (type.kind)
        {
        case ROW_END_GROUP:
        case ROW_END_REPEAT:
          {
            RowKind begins = type.kind == ROW_END_GROUP ? ROW_BEGIN_GROUP : ROW_BEGIN_REPEAT;

            parsed_type_clear (&type);
            if (stack->len == 1)
              return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where, "'%s' with nothing begun",
                             written);
            if (open->kind != begins)
              return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                             "'%s' but the %s '%s' begun on %s %u is still open", written,
                             open->kind == ROW_BEGIN_GROUP ? "group" : "repeat", open->name,
                             c->book->row_word, open->row->number);
            g_array_set_size (stack, stack->len - 1);
            continue;
          }
        case ROW_BEGIN_GROUP:
        case ROW_BEGIN_REPEAT:
        case ROW_QUESTION:
        default:
          break;
        }

      if (name == NULL)
        {
          g_autofree char *at = where_cell (c, table, row, name_column);

          parsed_type_clear (&type);
          return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, at, "the question has no name");
        }
      if (g_hash_table_contains (c->rows, name))
        {
          g_autofree char *at = where_cell (c, table, row, name_column);
          unsigned int first = GPOINTER_TO_UINT (g_hash_table_lookup (c->rows, name));

          parsed_type_clear (&type);
          return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, at,
                         "the name '%s' is already used on %s %u", name, c->book->row_word,
                         first);
        }
      g_hash_table_insert (c->rows, g_strdup (name), GUINT_TO_POINTER (row->number));

      if (type.kind == ROW_BEGIN_GROUP || type.kind == ROW_BEGIN_REPEAT)
        {
          static const char *const group_columns[] = {
            "type", "name", "label", "hint", "relevant", "appearance", "repeat_count", NULL,
          };
          JsonObject *q;
          JsonObject *texts;
          const Column *column = NULL;
          const char *value;
          JsonArray *children;
          Open next;

          /* What a group or repeat cannot hold is refused, not skipped. */
          for (unsigned int i = 0; i < table->columns->len; i++)
            {
              const Column *other = table->columns->pdata[i];

              if (!g_strv_contains (group_columns, other->base)
                  && _intake_xlsform_row_get (row, other->col) != NULL)
                {
                  g_autofree char *at = where_cell (c, table, row, other);

                  parsed_type_clear (&type);
                  return refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, at,
                                 "a %s takes no %s here", type.kind == ROW_BEGIN_GROUP ? "group"
                                                                                        : "repeat",
                                 other->base);
                }
            }
          q = json_object_new ();
          children = json_array_new ();
          next = (Open) { type.kind, children, row, g_strdup (name) };

          json_object_set_string_member (q, "type", type.kind == ROW_BEGIN_GROUP ? "group"
                                                                                  : "repeat");
          json_object_set_string_member (q, "name", name);
          if ((texts = texts_of (table, row, "label")) != NULL)
            json_object_set_object_member (q, "label", texts);
          if ((texts = texts_of (table, row, "hint")) != NULL)
            json_object_set_object_member (q, "hint", texts);
          if ((value = cell_of (table, row, "relevant", &column)) != NULL)
            {
              if (!check_expression (c, table, row, column, value, INTAKE_EXPR_PARSE_DEFAULT))
                {
                  json_object_unref (q);
                  json_array_unref (children);
                  open_clear (&next);
                  return FALSE;
                }
              json_object_set_string_member (q, "relevant", value);
            }
          if ((value = cell_of (table, row, "appearance", NULL)) != NULL)
            json_object_set_string_member (q, "appearance", value);
          if ((value = cell_of (table, row, "repeat_count", &column)) != NULL)
            {
              g_autofree char *at = where_cell (c, table, row, column);

              if (type.kind != ROW_BEGIN_REPEAT
                  || !check_expression (c, table, row, column, value, INTAKE_EXPR_PARSE_DEFAULT))
                {
                  json_object_unref (q);
                  json_array_unref (children);
                  open_clear (&next);
                  if (type.kind != ROW_BEGIN_REPEAT)
                    return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, at,
                                   "only a repeat has a repeat_count");
                  return FALSE;
                }
              json_object_set_string_member (q, "repeat_count", value);
            }
          json_object_set_array_member (q, "children", children);
          json_array_add_object_element (open->children, q);
          g_array_append_val (stack, next);
          parsed_type_clear (&type);
          continue;
        }

      {
        JsonObject *q = json_object_new ();

        json_object_set_string_member (q, "name", name);
        ok = convert_question (c, row, &type, q, open->children);
        json_object_unref (q);
        parsed_type_clear (&type);
        if (!ok)
          return FALSE;
      }
    }
  if (stack->len > 1)
    {
      Open *open = &g_array_index (stack, Open, stack->len - 1);
      g_autofree char *where = where_cell (c, table, open->row, NULL);

      return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where, "the %s '%s' is never ended",
                     open->kind == ROW_BEGIN_GROUP ? "group" : "repeat", open->name);
    }
  return TRUE;
}

/* ---- Settings ---- */

typedef struct
{
  const char *id;
  const char *title;
  const char *version;
  const char *default_language;
  const char *child_when; /* This project's own: when a question's child_label applies. */
  const Row *row;
  const Column *version_column, *language_column;
} Settings;

static gboolean
read_settings (Converter *c, Settings *s)
{
  Table *table = &c->settings;
  static const char *const ignored[] = {
    /* Presentation and naming in Collect's own lists, no effect on the answers. */
    "style", "instance_name", "namespaces", "clean_text_values", NULL,
  };

  memset (s, 0, sizeof *s);
  if (table->header == NULL)
    return TRUE;
  for (unsigned int r = 0; r < table->sheet->rows->len; r++)
    {
      const Row *row = table->sheet->rows->pdata[r];

      if (row->number > table->header->number && row->cells->len > 0)
        {
          if (s->row != NULL)
            {
              g_autofree char *where = where_cell (c, table, row, NULL);

              return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                             "the settings sheet has one row of values");
            }
          s->row = row;
        }
    }
  if (s->row == NULL)
    return TRUE;
  for (unsigned int i = 0; i < table->columns->len; i++)
    {
      const Column *column = table->columns->pdata[i];
      const char *value = _intake_xlsform_row_get (s->row, column->col);
      g_autofree char *where = NULL;

      if (value == NULL)
        continue;
      if (strcmp (column->base, "form_id") == 0 || strcmp (column->base, "set_form_id") == 0)
        s->id = value;
      else if (strcmp (column->base, "form_title") == 0
               || strcmp (column->base, "set_form_title") == 0)
        s->title = value; /* One of them; the texts per language are read with the languages. */
      else if (strcmp (column->base, "version") == 0)
        s->version = value, s->version_column = column;
      else if (strcmp (column->base, "default_language") == 0)
        s->default_language = value, s->language_column = column;
      else if (strcmp (column->base, "child_when") == 0)
        s->child_when = value;
      else if (g_strv_contains (ignored, column->base))
        continue;
      else
        {
          where = where_cell (c, table, s->row, column);
          if (strcmp (column->base, "public_key") == 0
              || strcmp (column->base, "submission_url") == 0
              || strcmp (column->base, "auto_send") == 0
              || strcmp (column->base, "auto_delete") == 0)
            return refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where,
                           "encryption and sending are this system's own (sealed to the "
                           "organisation's key, sent by the tablet's sync); remove the column");
          return refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where,
                         "this setting is not supported here");
        }
    }
  return TRUE;
}

/* The project's scoring section (core/forms/README.md) as a sheet: one row per member (column
 * member), its value as JSON (column json); the members that are lists take one row per item.
 * Not XLSForm: ODK has no scoring, so a form adapted from the bundled one keeps its screening
 * result. */
static gboolean
convert_scoring (Converter *c, JsonObject *root)
{
  static const char *const lists[] = { "dimensions", "thresholds", "rules", "urgent",
                                       "referrals", NULL };
  Table *table = &c->scoring;
  JsonObject *scoring;

  if (table->header == NULL)
    return TRUE;
  scoring = json_object_new ();
  json_object_set_object_member (root, "scoring", scoring);
  for (unsigned int r = 0; r < table->sheet->rows->len; r++)
    {
      const Row *row = table->sheet->rows->pdata[r];
      const Column *member_column = NULL, *value_column = NULL;
      const char *member, *value;
      JsonNode *node;

      if (row->number <= table->header->number || row->cells->len == 0)
        continue;
      member = cell_of (table, row, "member", &member_column);
      value = cell_of (table, row, "json", &value_column);
      if (member_column == NULL || value_column == NULL)
        return refuse (c, INTAKE_XLSFORM_ERROR_MISSING_SHEET, "scoring",
                       "the sheet needs the columns member and json");
      if (member == NULL || value == NULL)
        {
          g_autofree char *where = where_cell (c, table, row, member == NULL ? member_column
                                                                             : value_column);

          return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where, "the cell is empty");
        }
      node = json_cell (c, table, row, value_column, value, FALSE);
      if (node == NULL)
        return FALSE;
      if (g_strv_contains (lists, member))
        {
          if (!json_object_has_member (scoring, member))
            json_object_set_array_member (scoring, member, json_array_new ());
          json_array_add_element (json_object_get_array_member (scoring, member), node);
        }
      else if (json_object_has_member (scoring, member))
        {
          g_autofree char *where = where_cell (c, table, row, member_column);

          json_node_unref (node);
          return refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where, "'%s' is given twice", member);
        }
      else
        {
          json_object_set_member (scoring, member, node);
        }
    }
  return TRUE;
}

static gboolean
list_has_indicator (JsonArray *list)
{
  for (unsigned int i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *element = json_array_get_element (list, i);

      if (JSON_NODE_HOLDS_OBJECT (element)
          && json_object_has_member (json_node_get_object (element), "indicator"))
        return TRUE;
    }
  return FALSE;
}

static void
inline_walk (Converter *c, JsonArray *questions)
{
  for (unsigned int i = 0; i < json_array_get_length (questions); i++)
    {
      JsonObject *q = json_array_get_object_element (questions, i);
      const char *key = json_object_get_string_member_with_default (q, "choices", NULL);

      if (json_object_has_member (q, "children"))
        inline_walk (c, json_object_get_array_member (q, "children"));
      if (key == NULL || !json_object_has_member (c->lists, key)
          || !list_has_indicator (json_object_get_array_member (c->lists, key)))
        continue;
      json_object_set_member (q, "choices",
                              json_node_copy (json_object_get_member (c->lists, key)));
    }
}

/* The engine scores indicators on a question's own choices, not on a shared list: a list that
 * carries indicators is written into each question that uses it. */
static void
inline_indicator_lists (Converter *c, JsonArray *questions)
{
  g_autoptr(GList) names = NULL;

  inline_walk (c, questions);
  names = json_object_get_members (c->lists);
  for (GList *l = names; l != NULL; l = l->next)
    if (list_has_indicator (json_object_get_array_member (c->lists, l->data)))
      json_object_remove_member (c->lists, l->data);
}

/* A refusal from the loader that names a question is given the question's row. */
static void
locate_loader_error (Converter *c, GError *loader_error)
{
  const char *at = strstr (loader_error->message, "question '");
  unsigned int number = 0;

  if (at != NULL)
    {
      const char *start = at + strlen ("question '");
      const char *end = strchr (start, '\'');

      if (end != NULL)
        {
          g_autofree char *name = g_strndup (start, end - start);

          number = GPOINTER_TO_UINT (g_hash_table_lookup (c->rows, name));
        }
    }
  if (number > 0)
    g_set_error (c->error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_INVALID, "survey %s %u: %s",
                 c->book->row_word, number, loader_error->message);
  else
    g_set_error (c->error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_INVALID, "%s",
                 loader_error->message);
}

static JsonNode *
convert (Converter *c, const char *fallback_id)
{
  g_autoptr(JsonObject) root = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(IntakeForm) form = NULL;
  JsonArray *questions, *languages;
  JsonObject *title;
  Settings settings;
  gint64 version = 1;

  if (!load_table (c, "survey", TRUE, &c->survey) || !load_table (c, "choices", FALSE, &c->choices)
      || !load_table (c, "settings", FALSE, &c->settings)
      || !load_table (c, "scoring", FALSE, &c->scoring) || !read_settings (c, &settings)
      || !resolve_languages (c, settings.default_language, settings.row,
                             settings.language_column)
      || !convert_choices (c))
    return NULL;
  questions = json_array_new ();
  json_object_set_array_member (root, "questions", questions);
  if (!convert_survey (c, questions))
    return NULL;

  if (settings.version != NULL
      && !g_ascii_string_to_signed (settings.version, 10, 1, G_MAXINT32, &version, NULL))
    {
      g_autofree char *where = where_cell (c, &c->settings, settings.row,
                                           settings.version_column);

      refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
              "'%s' is not a whole number from 1; versions here are numbered 1, 2, 3… "
              "(a date such as 2026120301 works)", settings.version);
      return NULL;
    }
  json_object_set_string_member (root, "id", settings.id != NULL ? settings.id : fallback_id);
  json_object_set_int_member (root, "version", version);
  /* form_title may be given per language (form_title::English (en)); a language without its
   * own title shows the default language's, or the form's id. */
  title = settings.row != NULL ? texts_of (&c->settings, settings.row, "form_title") : NULL;
  if (title == NULL)
    title = json_object_new ();
  {
    g_autofree char *fallback = g_strdup (json_object_get_string_member_with_default (
      title, c->default_language, settings.title != NULL ? settings.title
                                  : settings.id != NULL ? settings.id
                                                        : fallback_id));

    for (unsigned int i = 0; i < c->languages->len; i++)
      if (!json_object_has_member (title, c->languages->pdata[i]))
        json_object_set_string_member (title, c->languages->pdata[i], fallback);
  }
  json_object_set_object_member (root, "title", title);
  if (settings.child_when != NULL)
    json_object_set_string_member (root, "child_when", settings.child_when);
  if (!convert_scoring (c, root))
    return NULL;
  inline_indicator_lists (c, questions);
  json_object_set_string_member (root, "default_language", c->default_language);
  languages = json_array_new ();
  for (unsigned int i = 0; i < c->languages->len; i++)
    json_array_add_string_element (languages, c->languages->pdata[i]);
  json_object_set_array_member (root, "languages", languages);
  if (json_object_get_size (c->lists) > 0)
    json_object_set_object_member (root, "choice_lists", json_object_ref (c->lists));

  node = json_node_init_object (json_node_alloc (), root);
  form = intake_form_new_from_node (node, INTAKE_FORM_LOAD_DEFAULT, &local_error);
  if (form == NULL)
    {
      locate_loader_error (c, local_error);
      return NULL;
    }
  return g_steal_pointer (&node);
}

JsonNode *
intake_xlsform_convert (const char *data, gsize length, IntakeXlsformFormat format,
                        const char *base_dir, const char *fallback_id, GError **error)
{
  Workbook book = { NULL, "row", 0, 0 };
  Converter c = { 0 };
  JsonNode *result = NULL;
  gboolean read;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  book.sheets = g_ptr_array_new_with_free_func ((GDestroyNotify) _intake_xlsform_sheet_free);
  if (format == INTAKE_XLSFORM_FORMAT_XLSX)
    read = _intake_xlsform_read_xlsx (data, length, &book, error);
  else
    read = _intake_xlsform_read_text (data, length, format, &book, error);
  if (read)
    {
      c.book = &book;
      c.base_dir = base_dir;
      c.error = error;
      c.languages = g_ptr_array_new_with_free_func (g_free);
      c.lists = json_object_new ();
      c.file_lists = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      c.rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      result = convert (&c, fallback_id != NULL ? fallback_id : "form");
      table_clear (&c.survey);
      table_clear (&c.choices);
      table_clear (&c.settings);
      table_clear (&c.scoring);
      g_ptr_array_unref (c.languages);
      g_free (c.default_language);
      json_object_unref (c.lists);
      g_hash_table_unref (c.file_lists);
      g_hash_table_unref (c.rows);
    }
  g_clear_pointer (&book.sheets, g_ptr_array_unref);
  return result;
}

gboolean
intake_xlsform_sniff_file (const char *path, IntakeXlsformFormat *format)
{
  g_autofree char *lower = NULL;
  char head[4] = { 0 };
  FILE *file;
  size_t n = 0;

  g_return_val_if_fail (path != NULL, FALSE);

  file = fopen (path, "rb");
  if (file != NULL)
    {
      n = fread (head, 1, sizeof head, file);
      fclose (file);
    }
  lower = g_ascii_strdown (path, -1);
  if ((n == 4 && memcmp (head, "PK\003\004", 4) == 0) || g_str_has_suffix (lower, ".xlsx"))
    *format = INTAKE_XLSFORM_FORMAT_XLSX;
  else if (g_str_has_suffix (lower, ".csv"))
    *format = INTAKE_XLSFORM_FORMAT_CSV;
  else if (g_str_has_suffix (lower, ".md"))
    *format = INTAKE_XLSFORM_FORMAT_MARKDOWN;
  else
    return FALSE;
  return TRUE;
}

JsonNode *
intake_xlsform_convert_file (const char *path, GError **error)
{
  g_autofree char *contents = NULL, *base = NULL, *dir = NULL, *lower = NULL;
  g_autoptr(GError) local_error = NULL;
  IntakeXlsformFormat format;
  gsize length = 0;
  char *dot;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".xls"))
    {
      g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET,
                   "%s: the old .xls format is not read; save the workbook as .xlsx", path);
      return NULL;
    }
  if (!intake_xlsform_sniff_file (path, &format))
    {
      g_set_error (error, INTAKE_XLSFORM_ERROR, INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET,
                   "%s: not an XLSForm (.xlsx, .csv or .md)", path);
      return NULL;
    }
  contents = intake_json_read_file (path, INTAKE_XLSFORM_MAX_FILE_BYTES, &length, &local_error);
  if (contents == NULL)
    {
      g_set_error (error, INTAKE_XLSFORM_ERROR,
                   g_error_matches (local_error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_TOO_LARGE)
                     ? INTAKE_XLSFORM_ERROR_TOO_LARGE
                     : INTAKE_XLSFORM_ERROR_NOT_A_SPREADSHEET,
                   "%s: %s", path, local_error->message);
      return NULL;
    }
  /* pyxform names a form without a form_id after its file. */
  base = g_path_get_basename (path);
  dot = strrchr (base, '.');
  if (dot != NULL)
    *dot = '\0';
  dir = g_path_get_dirname (path);
  return intake_xlsform_convert (contents, length, format, dir, base, error);
}

char *
intake_form_document_read_file (const char *path, GError **error)
{
  IntakeXlsformFormat format;
  g_autoptr(JsonNode) document = NULL;
  g_autofree char *lower = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  lower = g_ascii_strdown (path, -1);
  if (!intake_xlsform_sniff_file (path, &format) && !g_str_has_suffix (lower, ".xls"))
    {
      gsize length = 0;
      g_autofree char *text = intake_json_read_file (path, INTAKE_FORM_MAX_BYTES, &length, error);

      if (text == NULL)
        return NULL;
      /* Named in words: the JSON parser's own message about a NUL byte says nothing useful. */
      if (memchr (text, '\0', length) != NULL || !g_utf8_validate (text, (gssize) length, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s is a binary file, not JSON text", path);
          return NULL;
        }
      return g_steal_pointer (&text);
    }
  document = intake_xlsform_convert_file (path, error);
  if (document == NULL)
    return NULL;
  return json_to_string (document, TRUE);
}
