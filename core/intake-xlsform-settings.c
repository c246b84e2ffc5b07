/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * XLSForm import: the settings sheet (form_id, title, version, default language, this
 * project's child_when; what a tablet cannot honour is refused) and the form's languages, named
 * by code from the language columns of every sheet.  Apart because it is one concern, read once
 * before any question; it calls only intake-xlsform-table.c.
 */

#include "intake-xlsform-private.h"

#include <string.h>

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
gboolean
_intake_xlsform_resolve_languages (Converter *c,
                                   const char *setting,
                                   const Row *settings_row,
                                   const Column *settings_column)
{
  Table *tables[] = { &c->survey, &c->choices, &c->settings };
  gboolean plain = FALSE;

  if (setting != NULL)
    {
      c->default_language = language_code (setting);
      if (c->default_language == NULL)
        {
          g_autofree char *where = _intake_xlsform_where_cell (c, &c->settings, settings_row,
                                                               settings_column);

          return _intake_xlsform_refuse (
              c, INTAKE_XLSFORM_ERROR_INVALID, where,
              "name the language with its code, for example 'English (en)'");
        }
    }
  for (unsigned int t = 0; t < G_N_ELEMENTS (tables); t++)
    for (unsigned int i = 0; tables[t]->columns != NULL && i < tables[t]->columns->len; i++)
      {
        Column *column = tables[t]->columns->pdata[i];

        if (!g_strv_contains (_intake_xlsform_translatable, column->base))
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
            g_autofree char *where = _intake_xlsform_where_cell (c, tables[t], tables[t]->header,
                                                                 column);

            return _intake_xlsform_refuse (
                c, INTAKE_XLSFORM_ERROR_INVALID, where,
                "name the language with its code, for example '%s::%s (xx)'", column->base,
                column->language);
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

        if (!g_strv_contains (_intake_xlsform_translatable, column->base))
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
                g_autofree char *where = _intake_xlsform_where_cell (c, tables[t],
                                                                     tables[t]->header, column);

                return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
                                               "'%s' gives the same text in the same language",
                                               other->raw);
              }
          }
      }
  return TRUE;
}

gboolean
_intake_xlsform_read_settings (Converter *c, Settings *s)
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
              g_autofree char *where = _intake_xlsform_where_cell (c, table, row, NULL);

              return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_INVALID, where,
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
          where = _intake_xlsform_where_cell (c, table, s->row, column);
          if (strcmp (column->base, "public_key") == 0
              || strcmp (column->base, "submission_url") == 0
              || strcmp (column->base, "auto_send") == 0
              || strcmp (column->base, "auto_delete") == 0)
            return _intake_xlsform_refuse (
                c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where,
                "encryption and sending are this system's own (sealed to the "
                "organisation's key, sent by the tablet's sync); remove the column");
          return _intake_xlsform_refuse (c, INTAKE_XLSFORM_ERROR_UNSUPPORTED, where,
                                         "this setting is not supported here");
        }
    }
  return TRUE;
}
