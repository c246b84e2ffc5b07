/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * XLSForm import: the choices sheet turned into the document's lists, with the further
 * columns a choice_filter reads, and the lists shipped beside the form (select_one_from_file,
 * CSV or XML) embedded in the document.  Apart because it reads its own sheet and files; the
 * survey's questions call it, it calls only intake-xlsform-table.c.
 */

#include "intake-xlsform-private.h"
#include "intake-json.h"

#include <libxml/parser.h>
#include <string.h>

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

gboolean
_intake_xlsform_convert_choices (Converter *c)
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
                g_autofree char *where = _intake_xlsform_where_cell (c, table, row, column);

                return _intake_xlsform_refuse (
                    c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where,
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
      list = _intake_xlsform_cell_of (table, row, "list_name", &list_column);
      name = _intake_xlsform_cell_of (table, row, "name", &name_column);
      if (list_column == NULL)
        return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_MISSING_SHEET, "choices",
                                       "the sheet has no list_name column");
      if (name_column == NULL)
        return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_MISSING_SHEET, "choices",
                                       "the sheet has no name column");
      if (list == NULL)
        {
          g_autofree char *where = _intake_xlsform_where_cell (c, table, row, list_column);

          return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                                         "the choice names no list");
        }
      if (name == NULL)
        {
          g_autofree char *where = _intake_xlsform_where_cell (c, table, row, name_column);

          return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                                         "the choice has no name");
        }
      choice = json_object_new ();
      json_object_set_string_member (choice, "name", name);
      label = _intake_xlsform_texts_of (table, row, "label");
      if (label != NULL)
        json_object_set_object_member (choice, "label", label);
      if (!add_choice_filters (table, row, choice))
        {
          json_object_unref (choice);
          return FALSE;
        }
      {
        const Column *column = NULL;
        const char *indicator = _intake_xlsform_cell_of (table, row, "indicator", &column);

        if (indicator != NULL)
          {
            JsonNode *node = _intake_xlsform_json_cell (c, table, row, column, indicator, TRUE);

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
gboolean
_intake_xlsform_embed_file_list (Converter *c, const char *where, const char *file, char **key_out)
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
    return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                                   "'%s' is not the name of a .csv or .xml list beside the form",
                                   file);
  if (c->base_dir == NULL)
    return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_MISSING_SHEET, where,
                                   "the list '%s' must be given with the form", file);
  path = g_build_filename (c->base_dir, file, NULL);
  contents = intake_json_read_file (path, INTAKE_XLSFORM_MAX_FILE_BYTES, &length, &local_error);
  if (contents == NULL)
    return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_MISSING_SHEET, where,
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
        return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, file,
                                       "the list is not UTF-8 text");
      records = _intake_xlsform_split_csv (contents, length, lines);
      if (records->len == 0)
        return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, file, "the list is empty");
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
        return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, file,
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
              return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, file,
                                             "line %u: a short row",
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
          return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, file,
                                         "the list is not well-formed XML");
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
              return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, file,
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
