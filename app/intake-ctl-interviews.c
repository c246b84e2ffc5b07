/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * intakectl's interview commands: import one from a JSON file, set an answer, complete, list,
 * show (with the values the form computes), export, and the supervisor's review queue.  Apart
 * because these are the commands that run a form session over an interview's answers; nothing
 * else in intakectl does.
 */
#include "intake-config.h"

#include <string.h>

#include "intake-ctl-private.h"
#include "intake-form-session.h"
#include "intake-form.h"
#include "intake-json.h"

/* Options of single commands; a command's GOptionContext holds only its own entries beside the
 * global ones. */
static char *opt_note;
static char *opt_reason;

/* Files given to intakectl are read whole into memory: none of ours comes near this. */
#define CTL_MAX_FILE_BYTES (16 * 1024 * 1024)

/* A file that holds a NUL byte or is not UTF-8 is not JSON text at all: saying so is clearer
 * than the parser's complaint about its first odd byte. */
static gboolean
check_text (const char *path, const char *data, gsize len, GError **error)
{
  if (memchr (data, '\0', len) != NULL || !g_utf8_validate (data, (gssize) len, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s is a binary file, not JSON text", path);
      return FALSE;
    }
  return TRUE;
}

static JsonObject *
load_json_file (const char *path, const char *what, GError **error)
{
  const IntakeJsonLimits limits = { CTL_MAX_FILE_BYTES, INTAKE_JSON_MAX_DEPTH };
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  data = intake_json_read_file (path, CTL_MAX_FILE_BYTES, &len, &local_error);
  if (data != NULL && !check_text (path, data, len, &local_error))
    g_clear_pointer (&data, g_free);
  if (data != NULL)
    {
      root = intake_json_parse_untrusted (data, (gssize) len, &limits, &local_error);
      if (root == NULL)
        g_prefix_error (&local_error, "%s: ", path);
    }
  if (root == NULL)
    {
      /* The message names the file and, for its text, what is wrong and where. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s cannot be read: %s", what,
                   local_error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s %s must hold a JSON object", what, path);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

/* The form an interview is (or will be) answered on; version 0 is the newest installed. */
static IntakeForm *
load_form (Ctl *ctl, const char *form_id, int version, GError **error)
{
  g_autofree char *doc = NULL;

  if (version <= 0)
    version = intake_store_get_latest_form_version (ctl->store, form_id);
  if (version <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "Form %s is not installed", form_id);
      return NULL;
    }
  doc = intake_store_dup_form_document (ctl->store, form_id, version, error);
  if (doc == NULL)
    return NULL;
  return intake_form_new_from_data (doc, -1, INTAKE_FORM_LOAD_DEFAULT, error);
}

/* An answer of the wrong type (a word for a number question) is refused at saving, draft or
 * not: a draft may be incomplete, but what it holds must be a possible answer. Only the type
 * is checked here; `required` and constraints wait for completion. */
static gboolean
check_answer_type (IntakeFormSession *fs, const char *name, JsonNode *value, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (value == NULL || JSON_NODE_HOLDS_NULL (value)
      || intake_form_session_validate_answer (fs, name, value, &local_error))
    return TRUE;
  if (g_error_matches (local_error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_INVALID_ANSWER)
      || g_error_matches (local_error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_UNKNOWN_QUESTION)
      || g_error_matches (local_error, INTAKE_FORM_ERROR, INTAKE_FORM_ERROR_NOT_ANSWERABLE))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", name,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
_intake_ctl_cmd_interview_import (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (JsonObject) doc = NULL;
  g_autofree char *id = NULL;
  const char *form_id;
  const char *state;
  JsonNode *answers_node;
  gint64 version;

  doc = load_json_file (args[0], "Interview file", error);
  if (doc == NULL)
    return FALSE;
  form_id = intake_json_get_string (doc, "form_id");
  version = intake_json_get_int (doc, "form_version", 0);
  answers_node = json_object_get_member (doc, "answers");
  state = json_object_has_member (doc, "state") ? intake_json_get_string (doc, "state") : "draft";
  if (form_id == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Interview file %s has no \"form_id\" string", args[0]);
      return FALSE;
    }
  if (answers_node != NULL && !JSON_NODE_HOLDS_OBJECT (answers_node))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Interview file %s: \"answers\" must be an object of question name to answer",
                   args[0]);
      return FALSE;
    }
  if (g_strcmp0 (state, "draft") != 0 && g_strcmp0 (state, "completed") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Interview file %s: \"state\" may be \"draft\" or \"completed\", not \"%s\"",
                   args[0], state ? state : "(not text)");
      return FALSE;
    }
  if (!_intake_ctl_unlock (ctl, ctl->user, error))
    return FALSE;

  /* Everything is checked before anything is made: a refused import leaves no draft behind for
   * a retrying script to pile up. */
  {
    g_autoptr (IntakeForm) form = load_form (ctl, form_id, (int) version, error);
    g_autoptr (JsonObject) answers = json_object_new ();
    g_autoptr (IntakeFormSession) fs = NULL;
    JsonObjectIter it;
    const char *name;
    JsonNode *value;

    if (form == NULL)
      return FALSE;
    if (answers_node != NULL)
      {
        json_object_iter_init (&it, json_node_get_object (answers_node));
        while (json_object_iter_next (&it, &name, &value))
          json_object_set_member (answers, name, json_node_copy (value));
      }
    /* The store names the interview when the file does not (intake_session_create_interview):
     * a stand-in here lets the completeness check below see what the store will hold. */
    if (intake_form_lookup_question (form, "pseudonym") != NULL
        && !json_object_has_member (answers, "pseudonym"))
      json_object_set_string_member (answers, "pseudonym", "Stand In 00");
    fs = intake_form_session_new (form, answers, NULL);
    if (answers_node != NULL)
      {
        json_object_iter_init (&it, json_node_get_object (answers_node));
        while (json_object_iter_next (&it, &name, &value))
          if (!check_answer_type (fs, name, value, error))
            {
              g_prefix_error (error, "Interview file %s was not imported: ", args[0]);
              return FALSE;
            }
      }
    if (g_strcmp0 (state, "completed") == 0 && !intake_form_session_check_complete (fs, error))
      {
        g_prefix_error (error, "Interview file %s was not imported (nothing was saved): ",
                        args[0]);
        return FALSE;
      }
  }

  id = intake_session_create_interview (ctl->session, form_id, (int) version,
                                        answers_node ? json_node_get_object (answers_node) : NULL,
                                        error);
  if (id == NULL)
    return FALSE;
  if (g_strcmp0 (state, "completed") == 0
      && !intake_session_complete_interview (ctl->session, id, error))
    {
      /* Kept on purpose (the checks above passed, so this is rare): its id is the last word. */
      g_prefix_error (error, "Not completed: ");
      g_printerr ("intakectl: the interview was saved as a draft: %s\n", id);
      return FALSE;
    }
  g_print ("Imported interview %s\n", id);
  return TRUE;
}

static void
print_interview_rows (GPtrArray *list)
{
  for (guint i = 0; i < list->len; i++)
    {
      IntakeInterview *iv = list->pdata[i];
      g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local (iv->updated);
      g_autofree char *when = g_date_time_format (dt, "%Y-%m-%d %H:%M");
      const char *pseudonym = iv->content
                                  ? json_object_get_string_member_with_default (iv->content,
                                                                                "pseudonym", "")
                                  : "";
      g_print ("%s  %-16s%s %-14s %s  %s\n", iv->id, intake_state_to_string (iv->state),
               iv->is_void ? " (void)" : "", pseudonym, when,
               iv->author_name ? iv->author_name : "");
    }
}

static gboolean
list_interviews (Ctl *ctl, IntakeListFilter filter, GError **error)
{
  g_autoptr (GPtrArray) list = NULL;

  if (!_intake_ctl_unlock (ctl, ctl->user, error))
    return FALSE;
  if (filter == INTAKE_LIST_REVIEW_QUEUE
      && intake_session_get_role (ctl->session) != INTAKE_ROLE_SUPERVISOR)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED,
                   "%s is not a supervisor; only supervisors review interviews", ctl->user);
      return FALSE;
    }
  list = intake_session_list_interviews (ctl->session, filter, 0, TRUE, error);
  if (list == NULL)
    return FALSE;
  if (ctl->json)
    {
      g_autoptr (JsonArray) arr = json_array_new ();
      g_autoptr (JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      for (guint i = 0; i < list->len; i++)
        json_array_add_element (arr, intake_interview_to_json (list->pdata[i], FALSE));
      json_node_set_array (root, arr);
      _intake_ctl_print_json (root);
    }
  else if (list->len == 0)
    g_print (filter == INTAKE_LIST_REVIEW_QUEUE ? "Nothing awaits review\n" : "No interviews\n");
  else
    print_interview_rows (list);
  return TRUE;
}

gboolean
_intake_ctl_cmd_interview_list (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  return list_interviews (ctl, INTAKE_LIST_ALL, error);
}

gboolean
_intake_ctl_cmd_review_list (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  return list_interviews (ctl, INTAKE_LIST_REVIEW_QUEUE, error);
}

/* A calculation inside repeat entries, named by its path: "household[2]/member[1]/age_group". */
static void
add_entry_value (const IntakeEntryLevel *levels, unsigned int n_levels,
                 const IntakeQuestion *question, const char *value, gpointer user_data)
{
  g_autoptr (GString) key = g_string_new (NULL);

  for (unsigned int i = 0; i < n_levels; i++)
    g_string_append_printf (key, "%s[%u]/", intake_question_get_name (levels[i].repeat),
                            levels[i].entry + 1);
  g_string_append (key, intake_question_get_name (question));
  json_object_set_string_member (user_data, key->str, value);
}

/* The values the form computes from the answers (calculations and metadata), in form order, as
 * they hold now; only those that are relevant, those inside repeat entries named by their
 * path.  NULL when the form cannot be read. */
static JsonObject *
computed_values (Ctl *ctl, IntakeInterview *iv)
{
  g_autofree char *doc = NULL;
  g_autoptr (IntakeForm) form = NULL;
  g_autoptr (IntakeFormSession) fs = NULL;
  JsonObject *answers = iv->content ? intake_json_get_object (iv->content, "answers") : NULL;
  JsonObject *computed;

  doc = intake_store_dup_form_document (ctl->store, iv->form_id, iv->form_version, NULL);
  if (doc != NULL)
    form = intake_form_new_from_data (doc, -1, INTAKE_FORM_LOAD_ALLOW_INCOMPLETE_TRANSLATIONS,
                                      NULL);
  if (form == NULL || iv->content == NULL)
    return NULL;
  fs = intake_form_session_new (form, answers, NULL);
  computed = json_object_new ();
  for (unsigned int i = 0; i < intake_form_get_n_questions (form); i++)
    {
      const IntakeQuestion *q = intake_form_get_question (form, i);
      const char *name = intake_question_get_name (q);
      g_autofree char *value = NULL;

      if (intake_question_get_question_type (q) != INTAKE_QUESTION_CALCULATE
          || intake_question_get_parent (q) != NULL
          || !intake_form_session_is_relevant (fs, name))
        continue;
      value = intake_form_session_dup_value (fs, name);
      json_object_set_string_member (computed, name, value);
    }
  {
    g_autoptr (JsonObject) exported = intake_form_session_dup_export_answers (fs);

    intake_form_foreach_entry_computed (form, exported, add_entry_value, computed);
  }
  return computed;
}

gboolean
_intake_ctl_cmd_interview_show (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (IntakeInterview) iv = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (JsonObject) computed = NULL;

  if (!_intake_ctl_unlock (ctl, ctl->user, error)
      || !(iv = intake_session_open_interview (ctl->session, args[0], error)))
    return FALSE;
  node = intake_interview_to_json (iv, TRUE);
  computed = computed_values (ctl, iv);
  if (ctl->json)
    {
      if (computed != NULL && JSON_NODE_HOLDS_OBJECT (node))
        json_object_set_object_member (json_node_get_object (node), "computed",
                                       json_object_ref (computed));
      _intake_ctl_print_json (node);
    }
  else
    {
      JsonObject *o = json_node_get_object (node);
      JsonObject *answers = json_object_get_object_member (o, "answers");
      JsonObjectIter it;
      const char *name;
      JsonNode *value;

      g_print ("Interview %s (%s%s), form %s v%d, by %s\n", iv->id,
               intake_state_to_string (iv->state), iv->is_void ? ", void" : "", iv->form_id,
               iv->form_version, json_object_get_string_member (o, "author"));
      g_print ("Pseudonym: %s\n", json_object_get_string_member_with_default (o, "pseudonym", ""));
      if (json_object_has_member (o, "review_note"))
        g_print ("Review note: %s\n",
                 json_object_get_string_member (json_object_get_object_member (o, "review_note"),
                                                "text"));
      if (iv->result && JSON_NODE_HOLDS_OBJECT (iv->result))
        {
          JsonObject *r = json_node_get_object (iv->result);
          JsonArray *refs = intake_json_get_array (r, "referrals");

          g_print ("Screening result: %s%s\n", intake_json_get_string (r, "level_label"),
                   json_object_get_boolean_member_with_default (r, "urgent", FALSE)
                       ? " — URGENT"
                       : "");
          for (guint i = 0; refs && i < json_array_get_length (refs); i++)
            {
              JsonNode *ref = json_array_get_element (refs, i);
              if (JSON_NODE_HOLDS_OBJECT (ref))
                g_print ("  Refer: %s\n",
                         intake_json_get_string (json_node_get_object (ref), "label"));
            }
          g_print ("  (%s)\n", intake_json_get_string (r, "disclaimer"));
        }
      if (answers)
        {
          json_object_iter_init (&it, answers);
          while (json_object_iter_next (&it, &name, &value))
            {
              g_autofree char *text = json_to_string (value, FALSE);
              g_print ("  %s: %s\n", name, text);
            }
        }
      if (computed != NULL && json_object_get_size (computed) > 0)
        {
          g_print ("Computed:\n");
          json_object_iter_init (&it, computed);
          while (json_object_iter_next (&it, &name, &value))
            g_print ("  %s = %s\n", name, json_node_get_string (value));
        }
    }
  return TRUE;
}

gboolean
_intake_ctl_cmd_interview_set (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (JsonNode) value = NULL;

  /* The value is JSON ("text" in quotes, 42, ["a","b"], null to clear); anything that is not
   * standard JSON (bare words, 'single quotes') is taken as text, which is what a person at a
   * terminal means by it. */
  if (!g_utf8_validate (args[2], -1, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The value is not UTF-8 text");
      return FALSE;
    }
  value = intake_json_parse_untrusted (args[2], -1, NULL, NULL);
  if (value == NULL)
    value = json_node_init_string (json_node_alloc (), args[2]);
  if (!_intake_ctl_unlock (ctl, ctl->user, error))
    return FALSE;
  {
    g_autoptr (IntakeInterview) iv = intake_session_open_interview (ctl->session, args[0], error);
    g_autoptr (IntakeForm) form = NULL;
    g_autoptr (IntakeFormSession) fs = NULL;

    if (iv == NULL)
      return FALSE;
    form = load_form (ctl, iv->form_id, iv->form_version, error);
    if (form == NULL)
      return FALSE;
    {
      g_autoptr (JsonObject) none = json_object_new ();
      JsonObject *answers = iv->content != NULL
                              ? intake_json_get_object (iv->content, "answers")
                              : NULL;

      fs = intake_form_session_new (form, answers != NULL ? answers : none, NULL);
    }
    if (!check_answer_type (fs, args[1], value, error))
      {
        g_prefix_error (error, "Not saved: ");
        return FALSE;
      }
  }
  if (!intake_session_set_answer (ctl->session, args[0], args[1], value, error))
    return FALSE;
  if (!ctl->json)
    g_print ("Saved %s\n", args[1]);
  return TRUE;
}

gboolean
_intake_ctl_cmd_interview_complete (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  if (!_intake_ctl_unlock (ctl, ctl->user, error)
      || !intake_session_complete_interview (ctl->session, args[0], error))
    return FALSE;
  if (!ctl->json)
    g_print ("Completed %s\n", args[0]);
  return TRUE;
}

gboolean
_intake_ctl_cmd_interview_export (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (JsonArray) arr = json_array_new ();
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_ARRAY);

  if (!_intake_ctl_unlock (ctl, ctl->user, error))
    return FALSE;
  list = intake_session_list_interviews (ctl->session, INTAKE_LIST_ALL, 0, TRUE, error);
  if (list == NULL)
    return FALSE;
  for (guint i = 0; i < list->len; i++)
    {
      IntakeInterview *iv = list->pdata[i];
      if (iv->content == NULL)
        {
          g_printerr ("intakectl: interview %s cannot be opened and is left out; run "
                      "'intakectl verify'\n",
                      iv->id);
          continue;
        }
      json_array_add_element (arr, intake_interview_to_json (iv, TRUE));
    }
  if (!intake_session_record_export (ctl->session, json_array_get_length (arr), error))
    return FALSE;
  json_node_set_array (root, arr);
  _intake_ctl_print_json (root);
  return TRUE;
}

static gboolean
review_action (Ctl *ctl, char **args, int action, GError **error)
{
  gboolean ok;

  if (!_intake_ctl_unlock (ctl, ctl->user, error))
    return FALSE;
  switch (action)
    {
    case 0:
      ok = intake_session_approve_interview (ctl->session, args[0], error);
      break;
    case 1:
      ok = intake_session_return_interview (ctl->session, args[0], opt_note, error);
      break;
    default:
      ok = intake_session_void_interview (ctl->session, args[0], opt_reason, error);
      break;
    }
  if (ok && !ctl->json)
    g_print ("%s %s\n", action == 0 ? "Approved" : action == 1 ? "Returned" : "Voided", args[0]);
  return ok;
}

gboolean
_intake_ctl_cmd_review_approve (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  return review_action (ctl, args, 0, error);
}

gboolean
_intake_ctl_cmd_review_return (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  if (opt_note == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "review return needs --note TEXT for the interview's author");
      return FALSE;
    }
  return review_action (ctl, args, 1, error);
}

gboolean
_intake_ctl_cmd_review_void (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  if (opt_reason == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "review void needs --reason TEXT");
      return FALSE;
    }
  return review_action (ctl, args, 2, error);
}

const GOptionEntry _intake_ctl_note_entries[] = {
  { "note", 0, 0, G_OPTION_ARG_STRING, &opt_note, "Note for the interview's author", "TEXT" },
  { NULL },
};
const GOptionEntry _intake_ctl_reason_entries[] = {
  { "reason", 0, 0, G_OPTION_ARG_STRING, &opt_reason, "Why the interview is void", "TEXT" },
  { NULL },
};
