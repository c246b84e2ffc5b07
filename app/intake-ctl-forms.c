/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * intakectl's form commands: list the installed forms, show one, and import one (JSON, or an
 * XLSForm converted first).  Apart from the interviews, which read forms through the store
 * and never call these commands.
 */
#include "intake-config.h"

#include <string.h>

#include "intake-ctl-private.h"
#include "intake-form.h"
#include "intake-json.h"
#include "intake-xlsform.h"

/* Options of single commands; a command's GOptionContext holds only its own entries beside the
 * global ones. */
static int opt_version;
static gboolean opt_document;
static char *opt_language;

gboolean
_intake_ctl_cmd_form_list (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (JsonNode) forms = NULL;
  JsonArray *arr;

  if (!_intake_ctl_open_store (ctl, error)
      || !(forms = intake_store_list_forms_json (ctl->store, error)))
    return FALSE;
  if (ctl->json)
    {
      _intake_ctl_print_json (forms);
      return TRUE;
    }
  arr = json_node_get_array (forms);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonObject *f = json_array_get_object_element (arr, i);
      g_print ("%-32s v%-4" G_GINT64_FORMAT " imported %s\n",
               json_object_get_string_member (f, "id"),
               json_object_get_int_member (f, "version"),
               json_object_get_string_member (f, "imported"));
    }
  return TRUE;
}

gboolean
_intake_ctl_cmd_form_show (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autofree char *doc = NULL;
  g_autoptr (IntakeForm) form = NULL;
  g_autoptr (JsonNode) summary = NULL;
  g_autofree char *languages = NULL;
  JsonObject *o;
  JsonArray *questions;

  if (!_intake_ctl_open_store (ctl, error)
      || !(doc = intake_store_dup_form_document (ctl->store, args[0], opt_version, error)))
    return FALSE;
  if (opt_document)
    {
      g_print ("%s\n", doc);
      return TRUE;
    }
  form = intake_form_new_from_data (doc, -1, INTAKE_FORM_LOAD_ALLOW_INCOMPLETE_TRANSLATIONS, error);
  if (form == NULL)
    return FALSE;
  summary = intake_form_dup_summary_json (form, opt_language);
  if (ctl->json)
    {
      _intake_ctl_print_json (summary);
      return TRUE;
    }
  o = json_node_get_object (summary);
  languages = g_strjoinv (", ", (char **) intake_form_get_languages (form));
  g_print ("%s — %s version %" G_GINT64_FORMAT "\nLanguages: %s\n",
           intake_json_get_string (o, "title"), intake_json_get_string (o, "id"),
           intake_json_get_int (o, "version", 0), languages);
  questions = intake_json_get_array (o, "questions");
  for (guint i = 0; questions && i < json_array_get_length (questions); i++)
    {
      JsonObject *q = json_array_get_object_element (questions, i);
      g_print ("  %-28s %-16s %s\n", intake_json_get_string (q, "name"),
               intake_json_get_string (q, "type"),
               intake_json_get_string (q, "label") ? intake_json_get_string (q, "label") : "");
    }
  return TRUE;
}

gboolean
_intake_ctl_cmd_form_import (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autofree char *doc = NULL;
  g_autofree char *id = NULL;
  g_autofree char *installed = NULL;
  g_autoptr (IntakeForm) form = NULL;
  gsize len = 0;
  int version = 0;

  /* The store checks the form (strict JSON within the form's limits); a file too large to be
   * one is not read whole first.  An XLSForm (.xlsx, .csv, .md) is converted first; a binary
   * file is named as such. */
  doc = intake_form_document_read_file (args[0], error);
  if (doc == NULL)
    return FALSE;
  len = strlen (doc);
  if (!_intake_ctl_unlock (ctl, ctl->user, error))
    return FALSE;
  /* The same version again is not an error, but the person must not think something changed. */
  form = intake_form_new_from_data (doc, (gssize) len, INTAKE_FORM_LOAD_DEFAULT, NULL);
  if (form != NULL && intake_form_get_version (form) <= G_MAXINT)
    installed = intake_store_dup_form_document (ctl->store, intake_form_get_id (form),
                                                (int) intake_form_get_version (form), NULL);
  if (installed != NULL && g_strcmp0 (installed, doc) == 0)
    {
      if (!ctl->json)
        g_print ("Form %s version %d is already installed; nothing changed\n",
                 intake_form_get_id (form), (int) intake_form_get_version (form));
      return TRUE;
    }
  if (!intake_session_import_form (ctl->session, doc, &id, &version, error))
    return FALSE;
  if (!ctl->json)
    g_print ("Imported form %s version %d\n", id, version);
  return TRUE;
}

const GOptionEntry _intake_ctl_version_entries[] = {
  { "version", 0, 0, G_OPTION_ARG_INT, &opt_version, "Form version (default: newest)", "N" },
  { "document", 0, 0, G_OPTION_ARG_NONE, &opt_document, "Print the form's JSON document itself",
    NULL },
  { "language", 0, 0, G_OPTION_ARG_STRING, &opt_language, "Labels in this language (en, id…)",
    "CODE" },
  { NULL },
};
