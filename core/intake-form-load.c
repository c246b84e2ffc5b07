/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The form document's top level (id, version, languages, title, child_when) and the public
 * constructors, which read the document in its order: the scoring section's head, the questions,
 * its tail, then the dependency graph.  Apart because it is the top of the loader: it calls every
 * other part, and nothing calls back into it.
 */
#include "intake-form-loader-private.h"
#include "intake-json.h"

#include <string.h>

static gboolean
load_document (IntakeFormLoader *loader, JsonNode *document)
{
  static const char *const allowed[] = {
    "id", "version", "title", "default_language", "languages", "questions", "choice_lists",
    "scoring", "child_when", NULL,
  };
  IntakeForm *form = loader->form;
  JsonObject *root, *lists, *scoring;
  JsonArray *languages, *questions;
  JsonNode *version;
  const char *id, *default_language;
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);

  if (document == NULL || !JSON_NODE_HOLDS_OBJECT (document))
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                                "the document is not a JSON object");
  root = json_node_get_object (document);
  if (!_intake_loader_get_string (loader, root, "id", TRUE, NULL, &id))
    return FALSE;
  if (!_intake_loader_is_valid_name (id))
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                                "the id '%s' is not a valid name", id);
  form->id = g_strdup (id);
  if (!_intake_loader_check_members (loader, root, allowed, NULL, "the form"))
    return FALSE;

  version = json_object_get_member (root, "version");
  if (version == NULL || !JSON_NODE_HOLDS_VALUE (version)
      || json_node_get_value_type (version) != G_TYPE_INT64 || json_node_get_int (version) < 1)
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                                "'version' must be a positive whole number");
  form->version = json_node_get_int (version);

  if (!_intake_loader_get_array (loader, root, "languages", TRUE, NULL, &languages)
      || !_intake_loader_get_string (loader, root, "default_language", TRUE, NULL,
                                     &default_language))
    return FALSE;
  for (unsigned int i = 0; i < json_array_get_length (languages); i++)
    {
      JsonNode *code = json_array_get_element (languages, i);

      if (!JSON_NODE_HOLDS_VALUE (code) || json_node_get_value_type (code) != G_TYPE_STRING
          || !_intake_loader_is_valid_code (json_node_get_string (code))
          || strlen (json_node_get_string (code)) > 35)
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                                    "languages must be language codes such as \"en\"");
      for (unsigned int k = 0; k < codes->len; k++)
        if (strcmp (codes->pdata[k], json_node_get_string (code)) == 0)
          return _intake_loader_fail (loader, INTAKE_FORM_ERROR_DUPLICATE_NAME, NULL,
                                      "language '%s' is listed twice", json_node_get_string (code));
      g_ptr_array_add (codes, g_strdup (json_node_get_string (code)));
    }
  if (codes->len == 0)
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL, "'languages' is empty");
  g_ptr_array_add (codes, NULL);
  form->languages = (GStrv) g_ptr_array_free (g_steal_pointer (&codes), FALSE);
  if (!g_strv_contains ((const char *const *) form->languages, default_language))
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_UNKNOWN_LANGUAGE, NULL,
                                "default_language '%s' is not in languages", default_language);
  form->default_language = g_strdup (default_language);

  if (!_intake_loader_get_text (loader, root, "title", TRUE, NULL, &form->title)
      || !_intake_loader_get_object (loader, root, "choice_lists", FALSE, NULL, &lists)
      || !_intake_loader_get_object (loader, root, "scoring", FALSE, NULL, &scoring)
      || !_intake_loader_get_array (loader, root, "questions", TRUE, NULL, &questions))
    return FALSE;
  if (scoring != NULL && !_intake_loader_parse_scoring_head (loader, scoring))
    return FALSE;
  if (json_array_get_length (questions) == 0)
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                                "the form has no questions");
  for (unsigned int i = 0; i < json_array_get_length (questions); i++)
    if (!_intake_loader_parse_question (loader, json_array_get_element (questions, i), NULL, lists,
                                        i))
      return FALSE;
  if (scoring != NULL && !_intake_loader_parse_scoring_tail (loader, scoring))
    return FALSE;
  if (!_intake_loader_build_graph (loader) || !_intake_loader_check_default_cycles (loader))
    return FALSE;
  /* Child wording (issue #11): the form says when the respondent is a child; a question's
   * child_label and child_hint are then shown instead of its label and hint. */
  if (!_intake_loader_parse_expression (loader, root, "child_when", INTAKE_EXPR_PARSE_DEFAULT, NULL,
                                        &form->child_when)
      || !_intake_loader_check_references (loader, form->child_when, NULL, "the form",
                                           "child_when"))
    return FALSE;
  for (unsigned int i = 0; form->child_when == NULL && i < form->questions->len; i++)
    {
      IntakeQuestion *q = form->questions->pdata[i];

      if (q->child_label != NULL || q->child_hint != NULL)
        return _intake_loader_fail (
            loader, INTAKE_FORM_ERROR_MALFORMED, q->name,
            "child_label and child_hint need the form's child_when (when the "
            "respondent is a child)");
    }

  if (form->scoring != NULL)
    {
      for (unsigned int i = 0; i < form->questions->len; i++)
        {
          IntakeQuestion *q = form->questions->pdata[i];

          if (q->indicator != NULL)
            g_ptr_array_add (form->scoring->indicators, q->indicator);
          for (unsigned int k = 0; q->choices != NULL && k < q->choices->len; k++)
            {
              IntakeChoice *choice = q->choices->pdata[k];

              if (choice->indicator != NULL)
                g_ptr_array_add (form->scoring->indicators, choice->indicator);
            }
        }
    }
  return TRUE;
}

IntakeForm *
intake_form_new_from_node (JsonNode *document, IntakeFormLoadFlags flags, GError **error)
{
  g_autoptr(IntakeForm) form = g_object_new (INTAKE_TYPE_FORM, NULL);
  IntakeFormLoader loader = { form, flags, error };

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!load_document (&loader, document))
    return NULL;
  return g_steal_pointer (&form);
}

IntakeForm *
intake_form_new_from_data (const char *data, gssize length, IntakeFormLoadFlags flags,
                           GError **error)
{
  const IntakeJsonLimits limits = { INTAKE_FORM_MAX_BYTES, INTAKE_FORM_MAX_NESTING };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Forms come from files and from the server: strict JSON within the form's limits only. */
  root = intake_json_parse_untrusted (data, length, &limits, &local_error);
  if (root == NULL)
    {
      g_set_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_MALFORMED, "form: %s",
                   local_error->message);
      return NULL;
    }
  return intake_form_new_from_node (root, flags, error);
}

IntakeForm *
intake_form_new_from_file (const char *path, IntakeFormLoadFlags flags, GError **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  contents = intake_json_read_file (path, INTAKE_FORM_MAX_BYTES, &length, &local_error);
  if (contents == NULL)
    {
      if (g_error_matches (local_error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_TOO_LARGE))
        g_set_error (error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_MALFORMED,
                     "form: the document is larger than %d bytes", INTAKE_FORM_MAX_BYTES);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return intake_form_new_from_data (contents, (gssize) length, flags, error);
}
