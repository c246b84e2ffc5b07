/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * XLSForm import.  Three steps:
 *
 *  1. Read the spreadsheet into sheets of rows of cells (intake-xlsform-read.c).
 *  2. Turn the survey, choices and settings sheets into the JSON form document, refusing what
 *     cannot be converted with the sheet, the row and the column.
 *  3. Check the result with the form loader, as every other form is checked; a refusal from the
 *     loader that names a question is given that question's row.
 *
 * This file holds the top of step 2 and step 3: the survey's rows walked with their groups and
 * repeats, the scoring sheet, the document assembled and checked, and the public functions.  The
 * layers below it (tables, settings and languages, choices, one question) are in
 * intake-xlsform-{table,settings,choices,question}.c; see intake-xlsform-private.h.
 */

#include "intake-xlsform-private.h"
#include "intake-expr.h"
#include "intake-form.h"
#include "intake-json.h"

#include <stdlib.h>
#include <string.h>

/* ---- Survey ---- */

/* Columns of the survey sheet this converter reads, and what it does with each. */
static const char *const survey_columns[] = {
  "type", "name", "label", "hint", "required", "required_message", "relevant", "constraint",
  "constraint_message", "calculation", "default", "read_only", "appearance", "parameters",
  "repeat_count", "choice_filter", "sensitive", "audience", "htcds", "indicator", "child_label",
  "child_hint", NULL,
};

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
              g_autofree char *where = _intake_xlsform_where_cell (c, table, row, column);

              return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where, "%s",
                                             problem);
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
      written = _intake_xlsform_cell_of (table, row, "type", &type_column);
      name = _intake_xlsform_cell_of (table, row, "name", &name_column);
      if (type_column == NULL)
        return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_MISSING_SHEET, "survey",
                                       "the sheet has no type column");
      if (name_column == NULL)
        return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_MISSING_SHEET, "survey",
                                       "the sheet has no name column");
      where = _intake_xlsform_where_cell (c, table, row, type_column);
      if (written == NULL)
        return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                                       "a row with content but no type");
      if (!_intake_xlsform_parse_row_type (c, where, written, &type))
        {
          /* A refusal may come after the type was partly read. */
          _intake_xlsform_parsed_type_clear (&type);
          return FALSE;
        }

      switch (type.kind)
        {
        case ROW_END_GROUP:
        case ROW_END_REPEAT:
          {
            RowKind begins = type.kind == ROW_END_GROUP ? ROW_BEGIN_GROUP : ROW_BEGIN_REPEAT;

            _intake_xlsform_parsed_type_clear (&type);
            if (stack->len == 1)
              return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                                             "'%s' with nothing begun", written);
            if (open->kind != begins)
              return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                                             "'%s' but the %s '%s' begun on %s %u is still open",
                                             written,
                                             open->kind == ROW_BEGIN_GROUP ? "group" : "repeat",
                                             open->name, c->book->row_word, open->row->number);
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
          g_autofree char *at = _intake_xlsform_where_cell (c, table, row, name_column);

          _intake_xlsform_parsed_type_clear (&type);
          return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, at,
                                         "the question has no name");
        }
      if (g_hash_table_contains (c->rows, name))
        {
          g_autofree char *at = _intake_xlsform_where_cell (c, table, row, name_column);
          unsigned int first = GPOINTER_TO_UINT (g_hash_table_lookup (c->rows, name));

          _intake_xlsform_parsed_type_clear (&type);
          return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, at,
                                         "the name '%s' is already used on %s %u", name,
                                         c->book->row_word, first);
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
                  g_autofree char *at = _intake_xlsform_where_cell (c, table, row, other);

                  _intake_xlsform_parsed_type_clear (&type);
                  return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, at,
                                                 "a %s takes no %s here",
                                                 type.kind == ROW_BEGIN_GROUP ? "group" : "repeat",
                                                 other->base);
                }
            }
          q = json_object_new ();
          children = json_array_new ();
          next = (Open) { type.kind, children, row, g_strdup (name) };

          json_object_set_string_member (q, "type", type.kind == ROW_BEGIN_GROUP ? "group"
                                                                                  : "repeat");
          json_object_set_string_member (q, "name", name);
          if ((texts = _intake_xlsform_texts_of (table, row, "label")) != NULL)
            json_object_set_object_member (q, "label", texts);
          if ((texts = _intake_xlsform_texts_of (table, row, "hint")) != NULL)
            json_object_set_object_member (q, "hint", texts);
          if ((value = _intake_xlsform_cell_of (table, row, "relevant", &column)) != NULL)
            {
              if (!_intake_xlsform_check_expression (c, table, row, column, value,
                                                     INTAKE_EXPR_PARSE_DEFAULT))
                {
                  json_object_unref (q);
                  json_array_unref (children);
                  open_clear (&next);
                  return FALSE;
                }
              json_object_set_string_member (q, "relevant", value);
            }
          if ((value = _intake_xlsform_cell_of (table, row, "appearance", NULL)) != NULL)
            json_object_set_string_member (q, "appearance", value);
          if ((value = _intake_xlsform_cell_of (table, row, "repeat_count", &column)) != NULL)
            {
              g_autofree char *at = _intake_xlsform_where_cell (c, table, row, column);

              if (type.kind != ROW_BEGIN_REPEAT
                  || !_intake_xlsform_check_expression (c, table, row, column, value,
                                                        INTAKE_EXPR_PARSE_DEFAULT))
                {
                  json_object_unref (q);
                  json_array_unref (children);
                  open_clear (&next);
                  if (type.kind != ROW_BEGIN_REPEAT)
                    return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, at,
                                                   "only a repeat has a repeat_count");
                  return FALSE;
                }
              json_object_set_string_member (q, "repeat_count", value);
            }
          json_object_set_array_member (q, "children", children);
          json_array_add_object_element (open->children, q);
          g_array_append_val (stack, next);
          _intake_xlsform_parsed_type_clear (&type);
          continue;
        }

      {
        JsonObject *q = json_object_new ();

        json_object_set_string_member (q, "name", name);
        ok = _intake_xlsform_convert_question (c, row, &type, q, open->children);
        json_object_unref (q);
        _intake_xlsform_parsed_type_clear (&type);
        if (!ok)
          return FALSE;
      }
    }
  if (stack->len > 1)
    {
      Open *open = &g_array_index (stack, Open, stack->len - 1);
      g_autofree char *where = _intake_xlsform_where_cell (c, table, open->row, NULL);

      return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                                     "the %s '%s' is never ended",
                                     open->kind == ROW_BEGIN_GROUP ? "group" : "repeat",
                                     open->name);
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
      member = _intake_xlsform_cell_of (table, row, "member", &member_column);
      value = _intake_xlsform_cell_of (table, row, "json", &value_column);
      if (member_column == NULL || value_column == NULL)
        return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_MISSING_SHEET, "scoring",
                                       "the sheet needs the columns member and json");
      if (member == NULL || value == NULL)
        {
          g_autofree char *where = _intake_xlsform_where_cell (c, table, row,
                                                               member == NULL ? member_column
                                                                              : value_column);

          return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                                         "the cell is empty");
        }
      node = _intake_xlsform_json_cell (c, table, row, value_column, value, FALSE);
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
          g_autofree char *where = _intake_xlsform_where_cell (c, table, row, member_column);

          json_node_unref (node);
          return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                                         "'%s' is given twice", member);
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

  if (!_intake_xlsform_load_table (c, "survey", TRUE, &c->survey)
      || !_intake_xlsform_load_table (c, "choices", FALSE, &c->choices)
      || !_intake_xlsform_load_table (c, "settings", FALSE, &c->settings)
      || !_intake_xlsform_load_table (c, "scoring", FALSE, &c->scoring)
      || !_intake_xlsform_read_settings (c, &settings)
      || !_intake_xlsform_resolve_languages (c, settings.default_language, settings.row,
                                             settings.language_column)
      || !_intake_xlsform_convert_choices (c))
    return NULL;
  questions = json_array_new ();
  json_object_set_array_member (root, "questions", questions);
  if (!convert_survey (c, questions))
    return NULL;

  if (settings.version != NULL
      && !g_ascii_string_to_signed (settings.version, 10, 1, G_MAXINT32, &version, NULL))
    {
      g_autofree char *where = _intake_xlsform_where_cell (c, &c->settings, settings.row,
                                                           settings.version_column);

      _intake_xlsform_refuse (
          c, INTAKE_XLSFORM_ERROR_INVALID, where,
          "'%s' is not a whole number from 1; versions here are numbered 1, 2, 3… "
          "(a date such as 2026120301 works)",
          settings.version);
      return NULL;
    }
  json_object_set_string_member (root, "id", settings.id != NULL ? settings.id : fallback_id);
  json_object_set_int_member (root, "version", version);
  /* form_title may be given per language (form_title::English (en)); a language without its
   * own title shows the default language's, or the form's id. */
  title = settings.row != NULL ? _intake_xlsform_texts_of (&c->settings, settings.row, "form_title")
                               : NULL;
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
      _intake_xlsform_table_clear (&c.survey);
      _intake_xlsform_table_clear (&c.choices);
      _intake_xlsform_table_clear (&c.settings);
      _intake_xlsform_table_clear (&c.scoring);
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

