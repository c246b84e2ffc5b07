/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * intakectl's commands that look after the tablet itself: init (with the bundled forms), the
 * users, the policies, status, the audit log, verify and wipe.  Apart from the forms,
 * interviews and sync commands because none of them shares code with these beyond
 * intake-ctl-common.c.
 */
#include "intake-config.h"

#include "intake-ctl-private.h"
#include "intake-ctl-resources.h"
#include "intake-json.h"
#include "intake-sync.h"

/* Options of single commands; a command's GOptionContext holds only its own entries beside the
 * global ones. */
static char *opt_admin;
static char *opt_kdf_cost;
static char *opt_role;
static gboolean opt_yes;

/* The forms built into intakectl (core/forms), installed into every new store so that a fresh
 * tablet can interview at once. */
#define BUNDLED_FORMS_PATH "/org/fieldintake/intakectl/forms"

static gboolean
install_bundled_forms (Ctl *ctl, GError **error)
{
  g_auto (GStrv) names = g_resource_enumerate_children (intake_ctl_get_resource (),
                                                        BUNDLED_FORMS_PATH,
                                                        G_RESOURCE_LOOKUP_FLAGS_NONE, error);

  if (names == NULL)
    return FALSE;
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s", BUNDLED_FORMS_PATH, names[i]);
      g_autoptr (GBytes) bytes = g_resource_lookup_data (intake_ctl_get_resource (), path,
                                                         G_RESOURCE_LOOKUP_FLAGS_NONE, error);
      g_autofree char *doc = NULL;

      if (bytes == NULL)
        return FALSE;
      doc = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      /* The bundled form is trusted as the program itself is: it comes in the same package. */
      if (!intake_store_import_verified_form (ctl->store, doc, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_kdf_cost (const char *text, IntakeKdfParams *params, GError **error)
{
  g_auto (GStrv) parts = NULL;

  if (g_strcmp0 (text, "test") == 0)
    {
      intake_kdf_params_insecure_for_tests (params);
      return TRUE;
    }
  parts = g_strsplit (text, ",", 2);
  if (g_strv_length (parts) == 2)
    {
      params->opslimit = g_ascii_strtoull (parts[0], NULL, 10);
      params->memlimit = g_ascii_strtoull (parts[1], NULL, 10) * 1024 * 1024;
      params->alg = crypto_pwhash_ALG_ARGON2ID13;
      if (intake_kdf_params_check (params, NULL) && params->memlimit > 0)
        return TRUE;
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--kdf-cost takes 'test' or PASSES,MIB (for example 3,64), not '%s'", text);
  return FALSE;
}

gboolean
_intake_ctl_cmd_init (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (IntakeSecret) secret = NULL;
  g_autofree char *what = NULL;
  IntakeKdfParams kdf;
  IntakeKdfParams *kdf_p = NULL;

  if (opt_admin == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "init needs --admin NAME: the tablet's first administrator");
      return FALSE;
    }
  if (opt_kdf_cost)
    {
      if (!parse_kdf_cost (opt_kdf_cost, &kdf, error))
        return FALSE;
      kdf_p = &kdf;
      if (kdf.memlimit < 64 * 1024 * 1024)
        g_printerr ("intakectl: warning: unlock cost below 64 MiB; for tests only, never for a "
                    "tablet in the field\n");
    }
  what = g_strdup_printf ("New PIN or passphrase for %s", opt_admin);
  secret = _intake_ctl_ask_secret (ctl, what, TRUE, error);
  if (secret == NULL)
    return FALSE;
  if (kdf_p == NULL && !ctl->json)
    g_printerr ("Measuring this tablet's unlock cost (a few seconds)…\n");
  ctl->store = intake_store_create (ctl->data_dir, opt_admin, secret, kdf_p, error);
  if (ctl->store == NULL)
    return FALSE;
  _intake_ctl_say_notices (ctl);
  if (!install_bundled_forms (ctl, error))
    {
      g_prefix_error (error, "The store was made, but the bundled forms were not installed: ");
      return FALSE;
    }
  intake_store_get_kdf_params (ctl->store, &kdf);
  if (ctl->json)
    {
      g_autoptr (JsonNode) status = intake_store_dup_status_json (ctl->store, error);
      if (status == NULL)
        return FALSE;
      _intake_ctl_print_json (status);
    }
  else
    g_print ("Initialised %s\nDevice %s; admin %s; unlock cost Argon2id %" G_GUINT64_FORMAT
             " passes, %.*f MiB\n",
             ctl->data_dir, intake_store_get_device_id (ctl->store), opt_admin, kdf.opslimit,
             kdf.memlimit < 1024 * 1024 ? 2 : 0, kdf.memlimit / (1024.0 * 1024.0));
  return TRUE;
}

gboolean
_intake_ctl_cmd_user_add (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (IntakeSecret) secret = NULL;
  g_autofree char *what = NULL;
  IntakeRole role;

  if (opt_role == NULL || !intake_role_from_string (opt_role, &role))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "user add needs --role worker, supervisor or admin");
      return FALSE;
    }
  if (!_intake_ctl_unlock (ctl, ctl->user, error))
    return FALSE;
  what = g_strdup_printf ("New PIN or passphrase for %s", args[0]);
  secret = _intake_ctl_ask_secret (ctl, what, TRUE, error);
  if (secret == NULL || !intake_session_add_user (ctl->session, args[0], role, secret, error))
    return FALSE;
  if (!ctl->json)
    g_print ("Added %s (%s)\n", args[0], opt_role);
  return TRUE;
}

gboolean
_intake_ctl_cmd_user_list (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();

  if (!_intake_ctl_open_store (ctl, error)
      || !(users = intake_store_list_users (ctl->store, error)))
    return FALSE;
  json_builder_begin_array (b);
  for (guint i = 0; i < users->len; i++)
    {
      IntakeUserInfo *u = users->pdata[i];
      if (!ctl->json)
        g_print ("%-24s %-10s%s\n", u->name, intake_role_to_string (u->role),
                 u->locked_out           ? "  locked out: keys destroyed, needs a new PIN"
                 : u->failed_unlocks > 0 ? "  (recent wrong PINs)"
                                         : "");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, u->name);
      json_builder_set_member_name (b, "role");
      json_builder_add_string_value (b, intake_role_to_string (u->role));
      json_builder_set_member_name (b, "failed_unlocks");
      json_builder_add_int_value (b, u->failed_unlocks);
      json_builder_set_member_name (b, "locked_out");
      json_builder_add_boolean_value (b, u->locked_out);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (ctl->json)
    {
      g_autoptr (JsonNode) root = json_builder_get_root (b);
      _intake_ctl_print_json (root);
    }
  return TRUE;
}

gboolean
_intake_ctl_cmd_user_passwd (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (IntakeSecret) secret = NULL;
  g_autofree char *what = NULL;

  if (!_intake_ctl_unlock (ctl, ctl->user ? ctl->user : args[0], error))
    return FALSE;
  what = g_strdup_printf ("New PIN or passphrase for %s", args[0]);
  secret = _intake_ctl_ask_secret (ctl, what, TRUE, error);
  if (secret == NULL || !intake_session_change_secret (ctl->session, args[0], secret, error))
    return FALSE;
  if (!ctl->json)
    g_print ("New PIN set for %s\n", args[0]);
  return TRUE;
}

gboolean
_intake_ctl_cmd_user_remove (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  if (!_intake_ctl_unlock (ctl, ctl->user, error)
      || !intake_session_remove_user (ctl->session, args[0], error))
    return FALSE;
  if (!ctl->json)
    g_print ("Removed %s; their interviews stay readable by the review group\n", args[0]);
  return TRUE;
}

gboolean
_intake_ctl_cmd_policy_show (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (JsonNode) policies = NULL;
  JsonObjectIter it;
  const char *name;
  JsonNode *value;

  if (!_intake_ctl_open_store (ctl, error))
    return FALSE;
  policies = intake_store_dup_policies_json (ctl->store);
  if (ctl->json)
    {
      _intake_ctl_print_json (policies);
      return TRUE;
    }
  json_object_iter_init (&it, json_node_get_object (policies));
  while (json_object_iter_next (&it, &name, &value))
    {
      g_autofree char *text = json_to_string (value, FALSE);
      g_print ("%-20s %s\n", name, text);
    }
  return TRUE;
}

gboolean
_intake_ctl_cmd_policy_set (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  if (!_intake_ctl_unlock (ctl, ctl->user, error)
      || !intake_session_set_policy (ctl->session, args[0], args[1], error))
    return FALSE;
  if (!ctl->json)
    g_print ("%s set to %s\n", args[0], args[1]);
  return TRUE;
}

static JsonNode *
sync_status_json (IntakeStore *store, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (IntakeEnrollment) e = intake_store_dup_enrollment (store, NULL);
  g_autofree char *device_status = intake_store_dup_sync_state (store, "device_status");
  g_autofree char *last_success = intake_store_dup_sync_state (store, "last_success");
  g_autofree char *last_error = intake_store_dup_sync_state (store, "last_error");
  IntakeOutboxCounts counts;
  JsonNode *attention;
  char fingerprint[INTAKE_FINGERPRINT_TEXT_SIZE] = "";

  if (e != NULL)
    intake_enrollment_get_org_fingerprint (e, fingerprint);
  if (!intake_outbox_counts (store, &counts, error)
      || !(attention = intake_outbox_attention_json (store, error)))
    return NULL;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "enrolled");
  json_builder_add_boolean_value (b, e != NULL);
  json_builder_set_member_name (b, "server");
  json_builder_add_string_value (b, e ? e->server_url : NULL);
  /* As the data file holds it; 'verify' with a user's PIN checks it is the one enrolled. */
  json_builder_set_member_name (b, "org_key_fingerprint");
  json_builder_add_string_value (b, e ? fingerprint : NULL);
  json_builder_set_member_name (b, "device_status");
  json_builder_add_string_value (b, device_status);
  json_builder_set_member_name (b, "waiting_to_send");
  json_builder_add_int_value (b, counts.pending + counts.unsealed);
  json_builder_set_member_name (b, "waiting_for_enrollment");
  json_builder_add_int_value (b, counts.unsealed);
  json_builder_set_member_name (b, "needs_attention");
  json_builder_add_int_value (b, counts.needs_attention);
  json_builder_set_member_name (b, "sent");
  json_builder_add_int_value (b, counts.sent);
  json_builder_set_member_name (b, "last_success");
  json_builder_add_string_value (b, last_success);
  json_builder_set_member_name (b, "last_error");
  json_builder_add_string_value (b, last_error);
  json_builder_set_member_name (b, "attention");
  json_builder_add_value (b, attention);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
_intake_ctl_cmd_status (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (JsonNode) status = NULL;
  JsonNode *sync;
  JsonObject *o;
  JsonObject *counts;
  JsonObject *so;
  JsonArray *attention;

  if (!_intake_ctl_open_store (ctl, error)
      || !(status = intake_store_dup_status_json (ctl->store, error))
      || !(sync = sync_status_json (ctl->store, error)))
    return FALSE;
  o = json_node_get_object (status);
  json_object_set_member (o, "sync", sync);
  if (ctl->json)
    {
      _intake_ctl_print_json (status);
      return TRUE;
    }
  counts = json_object_get_object_member (o, "interviews");
  so = json_node_get_object (sync);
  g_print ("Device %s\nData folder %s\nUsers: %" G_GINT64_FORMAT "\n",
           json_object_get_string_member (o, "device_id"),
           json_object_get_string_member (o, "data_dir"), json_object_get_int_member (o, "users"));
  /* The same counts, under the same names, as --json prints. */
  g_print ("Interviews: %" G_GINT64_FORMAT " draft, %" G_GINT64_FORMAT " awaiting review, %"
           G_GINT64_FORMAT " queued, %" G_GINT64_FORMAT " sent, %" G_GINT64_FORMAT
           " purged (sent, then removed from this tablet)\n",
           json_object_get_int_member (counts, "draft"),
           json_object_get_int_member (counts, "awaiting_review"),
           json_object_get_int_member (counts, "queued"),
           json_object_get_int_member (counts, "sent"),
           json_object_get_int_member (counts, "purged"));
  if (json_object_get_boolean_member (so, "enrolled"))
    {
      const char *device = intake_json_get_string (so, "device_status");
      const char *success = intake_json_get_string (so, "last_success");
      g_print ("Server %s (device %s); %" G_GINT64_FORMAT " waiting to send, last success %s\n",
               json_object_get_string_member (so, "server"), device ? device : "not yet checked",
               json_object_get_int_member (so, "waiting_to_send"), success ? success : "never");
      g_print ("Organisation key fingerprint %s (compare it with what 'intake-server init' "
               "printed)\n",
               json_object_get_string_member (so, "org_key_fingerprint"));
    }
  else
    g_print ("Not enrolled with a server; %" G_GINT64_FORMAT " interviews wait for enrollment\n",
             json_object_get_int_member (so, "waiting_for_enrollment"));
  if (intake_json_get_string (so, "last_error"))
    g_print ("Last sync problem: %s\n", intake_json_get_string (so, "last_error"));
  attention = json_object_get_array_member (so, "attention");
  for (guint i = 0; i < json_array_get_length (attention); i++)
    {
      JsonObject *a = json_array_get_object_element (attention, i);
      g_print ("Needs attention: interview %s: %s\n",
               json_object_get_string_member (a, "interview_id"),
               json_object_get_string_member (a, "reason"));
    }
  return TRUE;
}

gboolean
_intake_ctl_cmd_audit (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (JsonNode) entries = NULL;
  JsonArray *arr;

  if (!_intake_ctl_unlock (ctl, ctl->user, error)
      || !(entries = intake_session_list_audit_json (ctl->session, error)))
    return FALSE;
  if (ctl->json)
    {
      _intake_ctl_print_json (entries);
      return TRUE;
    }
  arr = json_node_get_array (entries);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonObject *e = json_array_get_object_element (arr, i);
      const char *who = json_object_get_string_member_with_default (e, "actor_name", NULL);
      g_print ("%6" G_GINT64_FORMAT "  %s  %-14s %-16s %s\n", json_object_get_int_member (e, "seq"),
               json_object_get_string_member (e, "at"),
               who ? who : json_object_get_string_member (e, "actor"),
               json_object_get_string_member (e, "action"),
               json_object_get_string_member (e, "subject"));
    }
  return TRUE;
}

gboolean
_intake_ctl_cmd_verify (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  guint checked = 0;
  gint64 with_content = 0;
  gint64 not_checked = 0;
  gboolean ok;

  if (ctl->user ? !_intake_ctl_unlock (ctl, ctl->user, error)
                : !_intake_ctl_open_store (ctl, error))
    return FALSE;
  if (!intake_store_verify (ctl->store, ctl->session, problems, &checked, error)
      && problems->len == 0)
    return FALSE;
  ok = problems->len == 0;
  /* Every interview that still holds its content (a purged one holds none) and was not opened
   * is named as not checked, so that an OK is never read as covering records nobody opened. */
  {
    g_autoptr (JsonNode) status = intake_store_dup_status_json (ctl->store, error);
    JsonObject *counts;
    JsonObjectIter it;
    const char *state;
    JsonNode *count;

    if (status == NULL)
      return FALSE;
    counts = intake_json_get_object (json_node_get_object (status), "interviews");
    json_object_iter_init (&it, counts);
    while (json_object_iter_next (&it, &state, &count))
      if (g_strcmp0 (state, "purged") != 0)
        with_content += json_node_get_int (count);
    not_checked = MAX (0, with_content - (gint64) checked - (gint64) problems->len);
  }
  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "ok");
      json_builder_add_boolean_value (b, ok);
      json_builder_set_member_name (b, "records_checked");
      json_builder_add_int_value (b, checked);
      json_builder_set_member_name (b, "records_not_checked");
      json_builder_add_int_value (b, not_checked);
      json_builder_set_member_name (b, "problems");
      json_builder_begin_array (b);
      for (guint i = 0; i < problems->len; i++)
        json_builder_add_string_value (b, problems->pdata[i]);
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      _intake_ctl_print_json (root);
    }
  else
    {
      for (guint i = 0; i < problems->len; i++)
        g_print ("problem: %s\n", (char *) problems->pdata[i]);
      if (ctl->session)
        g_print ("%s: data file, audit log and %u interview%s checked\n",
                 ok ? "OK" : "PROBLEMS FOUND", checked, checked == 1 ? "" : "s");
      else
        g_print ("%s: data file and audit log checked\n", ok ? "OK" : "PROBLEMS FOUND");
      if (not_checked > 0)
        g_print ("%" G_GINT64_FORMAT " interview%s not checked: %s\n", not_checked,
                 not_checked == 1 ? "" : "s",
                 ctl->session ? "this user may not open them; verify as a supervisor"
                              : "unlock as a supervisor (--user NAME)");
    }
  if (!ok)
    g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_TAMPERED,
                 "verify found %u problem%s: %s", problems->len, problems->len == 1 ? "" : "s",
                 (char *) problems->pdata[0]);
  return ok;
}

gboolean
_intake_ctl_cmd_wipe (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  if (!opt_yes)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "wipe destroys every interview and key on this tablet for good; run "
                           "it again with --yes to confirm");
      return FALSE;
    }
  if (!_intake_ctl_unlock (ctl, ctl->user, error))
    return FALSE;
  if (intake_session_get_role (ctl->session) != INTAKE_ROLE_ADMIN)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED,
                   "%s is not an admin; only an admin may wipe the tablet", ctl->user);
      return FALSE;
    }
  if (!intake_store_wipe (ctl->store, intake_session_get_user_id (ctl->session), error))
    return FALSE;
  intake_session_lock (ctl->session);
  if (!ctl->json)
    g_print ("Wiped: every key is destroyed and the data files are gone\n");
  return TRUE;
}

const GOptionEntry _intake_ctl_init_entries[] = {
  { "admin", 0, 0, G_OPTION_ARG_STRING, &opt_admin, "Name of the first admin", "NAME" },
  { "kdf-cost", 0, 0, G_OPTION_ARG_STRING, &opt_kdf_cost,
    "Unlock cost instead of calibrating: 'test' (insecure, for tests) or PASSES,MIB", "COST" },
  { NULL },
};
const GOptionEntry _intake_ctl_role_entries[] = {
  { "role", 0, 0, G_OPTION_ARG_STRING, &opt_role, "worker, supervisor or admin", "ROLE" },
  { NULL },
};
const GOptionEntry _intake_ctl_yes_entries[] = {
  { "yes", 0, 0, G_OPTION_ARG_NONE, &opt_yes, "Confirm that everything is to be destroyed",
    NULL },
  { NULL },
};
