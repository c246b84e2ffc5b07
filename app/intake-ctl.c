/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-ctl.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "intake-form-session.h"
#include "intake-form.h"
#include "intake-json.h"
#include "intake-provisioning.h"
#include "intake-store.h"
#include "intake-sync.h"
#include "intake-xlsform.h"
#include "intake-ctl-resources.h"
#include "intake-form-session.h"

#define EXIT_USAGE 2

typedef struct
{
  char *data_dir;
  char *user;
  gboolean json;
  gboolean pin_stdin;
  int secrets_read;
  IntakeStore *store;
  IntakeSession *session;
} Ctl;

typedef struct Command Command;
struct Command
{
  const char *name;
  const char *params;
  const char *summary;
  gboolean (*run) (Ctl *ctl, const Command *cmd, char **args, GError **error);
  const GOptionEntry *entries;
  int min_args;
  int max_args;
};

/* Options of single commands; a command's GOptionContext holds only its own entries beside the
 * global ones. */
static char *opt_admin;
static char *opt_kdf_cost;
static char *opt_role;
static char *opt_note;
static char *opt_reason;
static char *opt_pin_sha256;
static char *opt_ca;
static char *opt_file;
static char *opt_token_file;
static int opt_version;
static gboolean opt_document;
static char *opt_language;
static gboolean opt_yes;

static void
print_json (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, TRUE);
  g_print ("%s\n", text);
}

static void
say_notices (Ctl *ctl)
{
  const char *const *notices = intake_store_get_notices (ctl->store);
  for (guint i = 0; notices[i]; i++)
    g_printerr ("intakectl: note: %s\n", notices[i]);
}

/* ---- Secrets ---- */

static IntakeSecret *
read_line_secret (int fd, gboolean *eof, GError **error)
{
  g_autoptr (IntakeSecret) buf = intake_secret_new (1024);
  size_t len = 0;

  *eof = FALSE;
  for (;;)
    {
      char c;
      ssize_t n = read (fd, &c, 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          *eof = len == 0;
          break;
        }
      if (c == '\n')
        break;
      if (len + 1 >= buf->len)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "The PIN or passphrase is too long (1023 bytes at most)");
          return NULL;
        }
      buf->data[len++] = (guint8) c;
    }
  if (len > 0 && buf->data[len - 1] == '\r')
    len--;
  {
    IntakeSecret *out = intake_secret_new_from_data (buf->data, len);
    return out;
  }
}

static IntakeSecret *
prompt_secret (const char *prompt, GError **error)
{
  struct termios old, quiet;
  gboolean eof = FALSE;
  IntakeSecret *secret;
  int fd = open ("/dev/tty", O_RDWR | O_CLOEXEC);

  if (fd < 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "There is no terminal to ask for a PIN; pass secrets with --pin-stdin");
      return NULL;
    }
  if (write (fd, prompt, strlen (prompt)) < 0)
    {
      /* The prompt is a courtesy; reading still works. */
    }
  tcgetattr (fd, &old);
  quiet = old;
  quiet.c_lflag &= ~(tcflag_t) ECHO;
  tcsetattr (fd, TCSAFLUSH, &quiet);
  secret = read_line_secret (fd, &eof, error);
  tcsetattr (fd, TCSAFLUSH, &old);
  if (write (fd, "\n", 1) < 0)
    {
      /* As above. */
    }
  close (fd);
  return secret;
}

/* One secret, in the order the command asks: from standard input with --pin-stdin (one line
 * each), otherwise from a no-echo prompt. New secrets are confirmed only at a prompt. */
static IntakeSecret *
ask_secret (Ctl *ctl, const char *what, gboolean is_new, GError **error)
{
  g_autoptr (IntakeSecret) secret = NULL;

  ctl->secrets_read++;
  if (ctl->pin_stdin)
    {
      gboolean eof = FALSE;
      secret = read_line_secret (STDIN_FILENO, &eof, error);
      if (secret == NULL)
        return NULL;
      if (eof)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "Expected %s on line %d of standard input (--pin-stdin), found nothing",
                       what, ctl->secrets_read);
          return NULL;
        }
      return g_steal_pointer (&secret);
    }
  {
    g_autofree char *prompt = g_strdup_printf ("%s: ", what);
    secret = prompt_secret (prompt, error);
  }
  if (secret == NULL)
    return NULL;
  if (is_new)
    {
      g_autofree char *prompt = g_strdup_printf ("Repeat %s: ", what);
      g_autoptr (IntakeSecret) again = prompt_secret (prompt, error);
      if (again == NULL)
        return NULL;
      if (again->len != secret->len || sodium_memcmp (again->data, secret->data, secret->len) != 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "The two entries differ; nothing was changed");
          return NULL;
        }
    }
  return g_steal_pointer (&secret);
}

/* ---- Store and session ---- */

static gboolean
open_store (Ctl *ctl, GError **error)
{
  ctl->store = intake_store_open (ctl->data_dir, error);
  if (ctl->store == NULL)
    return FALSE;
  say_notices (ctl);
  return TRUE;
}

static gboolean
unlock (Ctl *ctl, const char *acting, GError **error)
{
  g_autoptr (IntakeSecret) secret = NULL;
  g_autofree char *what = NULL;

  if (!open_store (ctl, error))
    return FALSE;
  if (acting == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "This command needs --user NAME: the person acting");
      return FALSE;
    }
  what = g_strdup_printf ("PIN or passphrase of %s", acting);
  secret = ask_secret (ctl, what, FALSE, error);
  if (secret == NULL)
    return FALSE;
  ctl->session = intake_store_unlock (ctl->store, acting, secret, error);
  if (ctl->session == NULL)
    return FALSE;
  /* Whoever can read the review queue also seals what waited for enrollment. */
  if (intake_session_get_role (ctl->session) != INTAKE_ROLE_WORKER)
    intake_outbox_seal_queued (ctl->session, NULL);
  return TRUE;
}

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

/* ---- Commands ---- */

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

static gboolean
cmd_init (Ctl *ctl, const Command *cmd, char **args, GError **error)
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
  secret = ask_secret (ctl, what, TRUE, error);
  if (secret == NULL)
    return FALSE;
  if (kdf_p == NULL && !ctl->json)
    g_printerr ("Measuring this tablet's unlock cost (a few seconds)…\n");
  ctl->store = intake_store_create (ctl->data_dir, opt_admin, secret, kdf_p, error);
  if (ctl->store == NULL)
    return FALSE;
  say_notices (ctl);
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
      print_json (status);
    }
  else
    g_print ("Initialised %s\nDevice %s; admin %s; unlock cost Argon2id %" G_GUINT64_FORMAT
             " passes, %.*f MiB\n",
             ctl->data_dir, intake_store_get_device_id (ctl->store), opt_admin, kdf.opslimit,
             kdf.memlimit < 1024 * 1024 ? 2 : 0, kdf.memlimit / (1024.0 * 1024.0));
  return TRUE;
}

static gboolean
cmd_user_add (Ctl *ctl, const Command *cmd, char **args, GError **error)
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
  if (!unlock (ctl, ctl->user, error))
    return FALSE;
  what = g_strdup_printf ("New PIN or passphrase for %s", args[0]);
  secret = ask_secret (ctl, what, TRUE, error);
  if (secret == NULL || !intake_session_add_user (ctl->session, args[0], role, secret, error))
    return FALSE;
  if (!ctl->json)
    g_print ("Added %s (%s)\n", args[0], opt_role);
  return TRUE;
}

static gboolean
cmd_user_list (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();

  if (!open_store (ctl, error) || !(users = intake_store_list_users (ctl->store, error)))
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
      print_json (root);
    }
  return TRUE;
}

static gboolean
cmd_user_passwd (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (IntakeSecret) secret = NULL;
  g_autofree char *what = NULL;

  if (!unlock (ctl, ctl->user ? ctl->user : args[0], error))
    return FALSE;
  what = g_strdup_printf ("New PIN or passphrase for %s", args[0]);
  secret = ask_secret (ctl, what, TRUE, error);
  if (secret == NULL || !intake_session_change_secret (ctl->session, args[0], secret, error))
    return FALSE;
  if (!ctl->json)
    g_print ("New PIN set for %s\n", args[0]);
  return TRUE;
}

static gboolean
cmd_user_remove (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  if (!unlock (ctl, ctl->user, error) || !intake_session_remove_user (ctl->session, args[0], error))
    return FALSE;
  if (!ctl->json)
    g_print ("Removed %s; their interviews stay readable by the review group\n", args[0]);
  return TRUE;
}

static gboolean
cmd_policy_show (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (JsonNode) policies = NULL;
  JsonObjectIter it;
  const char *name;
  JsonNode *value;

  if (!open_store (ctl, error))
    return FALSE;
  policies = intake_store_dup_policies_json (ctl->store);
  if (ctl->json)
    {
      print_json (policies);
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

static gboolean
cmd_policy_set (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  if (!unlock (ctl, ctl->user, error)
      || !intake_session_set_policy (ctl->session, args[0], args[1], error))
    return FALSE;
  if (!ctl->json)
    g_print ("%s set to %s\n", args[0], args[1]);
  return TRUE;
}

static gboolean
cmd_form_list (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (JsonNode) forms = NULL;
  JsonArray *arr;

  if (!open_store (ctl, error) || !(forms = intake_store_list_forms_json (ctl->store, error)))
    return FALSE;
  if (ctl->json)
    {
      print_json (forms);
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

static gboolean
cmd_form_show (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autofree char *doc = NULL;
  g_autoptr (IntakeForm) form = NULL;
  g_autoptr (JsonNode) summary = NULL;
  g_autofree char *languages = NULL;
  JsonObject *o;
  JsonArray *questions;

  if (!open_store (ctl, error)
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
      print_json (summary);
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

static gboolean
cmd_form_import (Ctl *ctl, const Command *cmd, char **args, GError **error)
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
  if (!unlock (ctl, ctl->user, error))
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

static gboolean
cmd_interview_import (Ctl *ctl, const Command *cmd, char **args, GError **error)
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
  if (!unlock (ctl, ctl->user, error))
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

  if (!unlock (ctl, ctl->user, error))
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
      print_json (root);
    }
  else if (list->len == 0)
    g_print (filter == INTAKE_LIST_REVIEW_QUEUE ? "Nothing awaits review\n" : "No interviews\n");
  else
    print_interview_rows (list);
  return TRUE;
}

static gboolean
cmd_interview_list (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  return list_interviews (ctl, INTAKE_LIST_ALL, error);
}

static gboolean
cmd_review_list (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  return list_interviews (ctl, INTAKE_LIST_REVIEW_QUEUE, error);
}

/* The calculations inside repeat entries, from the session's export (which holds only relevant
 * children), named by their path: "household[2]/member[1]/age_group".  Inner entries too. */
static void
add_entry_values (IntakeForm *form, JsonObject *entries_of, const char *prefix,
                  JsonObject *computed)
{
  JsonObjectIter it;
  const char *name;
  JsonNode *value;

  json_object_iter_init (&it, entries_of);
  while (json_object_iter_next (&it, &name, &value))
    {
      const IntakeQuestion *q = intake_form_lookup_question (form, name);
      JsonArray *entries;

      if (q == NULL || intake_question_get_question_type (q) != INTAKE_QUESTION_REPEAT
          || !JSON_NODE_HOLDS_ARRAY (value))
        continue;
      entries = json_node_get_array (value);
      for (guint e = 0; e < json_array_get_length (entries); e++)
        {
          JsonNode *entry = json_array_get_element (entries, e);
          g_autofree char *path = g_strdup_printf ("%s%s[%u]/", prefix, name, e + 1);
          JsonObjectIter child_it;
          const char *child;
          JsonNode *child_value;

          if (!JSON_NODE_HOLDS_OBJECT (entry))
            continue;
          json_object_iter_init (&child_it, json_node_get_object (entry));
          while (json_object_iter_next (&child_it, &child, &child_value))
            {
              const IntakeQuestion *c = intake_form_lookup_question (form, child);
              g_autofree char *key = NULL;

              if (c == NULL || intake_question_get_question_type (c) != INTAKE_QUESTION_CALCULATE
                  || !JSON_NODE_HOLDS_VALUE (child_value)
                  || json_node_get_value_type (child_value) != G_TYPE_STRING)
                continue;
              key = g_strconcat (path, child, NULL);
              json_object_set_string_member (computed, key, json_node_get_string (child_value));
            }
          add_entry_values (form, json_node_get_object (entry), path, computed);
        }
    }
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

    add_entry_values (form, exported, "", computed);
  }
  return computed;
}

static gboolean
cmd_interview_show (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (IntakeInterview) iv = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (JsonObject) computed = NULL;

  if (!unlock (ctl, ctl->user, error)
      || !(iv = intake_session_open_interview (ctl->session, args[0], error)))
    return FALSE;
  node = intake_interview_to_json (iv, TRUE);
  computed = computed_values (ctl, iv);
  if (ctl->json)
    {
      if (computed != NULL && JSON_NODE_HOLDS_OBJECT (node))
        json_object_set_object_member (json_node_get_object (node), "computed",
                                       json_object_ref (computed));
      print_json (node);
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

static gboolean
cmd_interview_set (Ctl *ctl, const Command *cmd, char **args, GError **error)
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
  if (!unlock (ctl, ctl->user, error))
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

static gboolean
cmd_interview_complete (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  if (!unlock (ctl, ctl->user, error)
      || !intake_session_complete_interview (ctl->session, args[0], error))
    return FALSE;
  if (!ctl->json)
    g_print ("Completed %s\n", args[0]);
  return TRUE;
}

static gboolean
cmd_interview_export (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (JsonArray) arr = json_array_new ();
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_ARRAY);

  if (!unlock (ctl, ctl->user, error))
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
  print_json (root);
  return TRUE;
}

static gboolean
review_action (Ctl *ctl, char **args, int action, GError **error)
{
  gboolean ok;

  if (!unlock (ctl, ctl->user, error))
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

static gboolean
cmd_review_approve (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  return review_action (ctl, args, 0, error);
}

static gboolean
cmd_review_return (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  if (opt_note == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "review return needs --note TEXT for the interview's author");
      return FALSE;
    }
  return review_action (ctl, args, 1, error);
}

static gboolean
cmd_review_void (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  if (opt_reason == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "review void needs --reason TEXT");
      return FALSE;
    }
  return review_action (ctl, args, 2, error);
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

static gboolean
cmd_status (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (JsonNode) status = NULL;
  JsonNode *sync;
  JsonObject *o;
  JsonObject *counts;
  JsonObject *so;
  JsonArray *attention;

  if (!open_store (ctl, error) || !(status = intake_store_dup_status_json (ctl->store, error))
      || !(sync = sync_status_json (ctl->store, error)))
    return FALSE;
  o = json_node_get_object (status);
  json_object_set_member (o, "sync", sync);
  if (ctl->json)
    {
      print_json (status);
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

static gboolean
cmd_audit (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (JsonNode) entries = NULL;
  JsonArray *arr;

  if (!unlock (ctl, ctl->user, error)
      || !(entries = intake_session_list_audit_json (ctl->session, error)))
    return FALSE;
  if (ctl->json)
    {
      print_json (entries);
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

static gboolean
cmd_verify (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  guint checked = 0;
  gint64 with_content = 0;
  gint64 not_checked = 0;
  gboolean ok;

  if (ctl->user ? !unlock (ctl, ctl->user, error) : !open_store (ctl, error))
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
      print_json (root);
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

/* A provisioning file carries the address, the token and any pin or CA: nothing else is given. */
static gboolean
enroll_from_file (Ctl *ctl, char **args, GError **error)
{
  g_autoptr (IntakeProvisioning) p = NULL;

  if (args[0] != NULL || opt_pin_sha256 != NULL || opt_ca != NULL || opt_token_file != NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "--file carries the server's address, the token and any pin or CA; "
                           "give either --file FILE or URL [--token-file FILE] [--pin-sha256] "
                           "[--ca]");
      return FALSE;
    }
  /* The file is checked before the PIN is asked: a wrong file costs no unlock. */
  p = intake_provisioning_load (opt_file, error);
  if (p == NULL || !unlock (ctl, ctl->user, error)
      || !intake_sync_enroll_provisioning (ctl->session, p, error))
    return FALSE;
  if (!ctl->json)
    {
      g_print ("Enrolled with %s as device %s\n", p->url, intake_store_get_device_id (ctl->store));
      /* What the file also carried, verified with the server's key before any of it was used. */
      if (p->policies != NULL)
        g_print ("Set %u polic%s from the file\n", p->policies->len,
                 p->policies->len == 1 ? "y" : "ies");
      for (guint i = 0; p->forms != NULL && i < p->forms->len; i++)
        {
          IntakeProvisionedForm *form = g_ptr_array_index (p->forms, i);

          g_print ("Form %s version %" G_GINT64_FORMAT " installed\n", form->id, form->version);
        }
    }
  return TRUE;
}

/* The token as a C string in guarded memory, without the spaces a copy and paste or an editor
 * adds around it; refused if empty or if it holds a NUL. */
static IntakeSecret *
token_from_bytes (const guint8 *data, size_t len, const char *where, GError **error)
{
  IntakeSecret *token;

  while (len > 0 && g_ascii_isspace (data[0]))
    {
      data++;
      len--;
    }
  while (len > 0 && g_ascii_isspace (data[len - 1]))
    len--;
  if (len == 0 || memchr (data, '\0', len) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Expected the enrollment token %s, found %s", where,
                   len == 0 ? "nothing" : "a NUL byte");
      return NULL;
    }
  token = intake_secret_new (len + 1);
  memcpy (token->data, data, len);
  token->data[len] = '\0';
  return token;
}

/* The enrollment token is a secret: on the command line every user of the computer sees it
 * (ps, /proc) and the shell keeps it in its history, and one that starts with '-' reads as an
 * option. So it comes from --token-file FILE (its first line), or from standard input: with
 * --pin-stdin the line after the PIN (one line per secret, in the order asked), otherwise a
 * no-echo prompt at a terminal, or the first line of standard input when that is a pipe. */
static IntakeSecret *
read_token_file (GError **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *where = NULL;
  gsize len = 0;
  const char *end;
  IntakeSecret *token;

  if (!g_file_get_contents (opt_token_file, &contents, &len, error))
    return NULL;
  end = memchr (contents, '\n', len);
  where = g_strdup_printf ("on the first line of %s", opt_token_file);
  token = token_from_bytes ((const guint8 *) contents, end ? (size_t) (end - contents) : len,
                            where, error);
  sodium_memzero (contents, len);
  return token;
}

static IntakeSecret *
read_token_stdin (Ctl *ctl, GError **error)
{
  g_autoptr (IntakeSecret) line = NULL;
  g_autofree char *where = NULL;
  gboolean eof = FALSE;

  if (ctl->pin_stdin || isatty (STDIN_FILENO))
    {
      line = ask_secret (ctl, "the enrollment token", FALSE, error);
      where = g_strdup_printf ("on line %d of standard input", ctl->secrets_read);
    }
  else
    {
      line = read_line_secret (STDIN_FILENO, &eof, error);
      where = g_strdup ("on standard input");
    }
  if (line == NULL)
    return NULL;
  return token_from_bytes (eof ? NULL : line->data, eof ? 0 : line->len, where, error);
}

static gboolean
cmd_enroll (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_autofree char *pin = NULL;
  g_autofree char *ca = NULL;
  g_autoptr (IntakeSecret) token = NULL;

  if (opt_file != NULL)
    return enroll_from_file (ctl, args, error);
  if (args[0] == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "enroll needs the server's URL (the token then comes from standard "
                           "input or --token-file FILE), or --file FILE (a provisioning file "
                           "from 'intake-server device add --out')");
      return FALSE;
    }
  if (args[1] != NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "The enrollment token is not taken on the command line, where other "
                           "users of this computer can see it and the shell keeps it: give it "
                           "on standard input (with --pin-stdin, the line after the PIN) or with "
                           "--token-file FILE");
      return FALSE;
    }
  if (opt_pin_sha256)
    pin = g_str_has_prefix (opt_pin_sha256, "sha256//") ? g_strdup (opt_pin_sha256)
                                                         : g_strconcat ("sha256//", opt_pin_sha256,
                                                                        NULL);
  if (opt_ca)
    {
      g_autoptr (GFile) f = g_file_new_for_commandline_arg (opt_ca);
      ca = g_file_get_path (f);
      if (ca == NULL || !g_file_test (ca, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No CA file at %s", opt_ca);
          return FALSE;
        }
    }
  /* A token file is read before the PIN is asked: a wrong file costs no unlock. */
  if (opt_token_file != NULL && (token = read_token_file (error)) == NULL)
    return FALSE;
  if (!unlock (ctl, ctl->user, error))
    return FALSE;
  if (token == NULL && (token = read_token_stdin (ctl, error)) == NULL)
    return FALSE;
  if (!intake_sync_enroll (ctl->session, args[0], (const char *) token->data, pin, ca, error))
    return FALSE;
  if (!ctl->json)
    g_print ("Enrolled with %s as device %s\n", args[0],
             intake_store_get_device_id (ctl->store));
  return TRUE;
}

/* Exit statuses of 'sync', for scripts: 0 the outbox is empty, 75 (EX_TEMPFAIL) work is left
 * for later, 65 (EX_DATAERR) envelopes wait for a person, 77 (EX_NOPERM) revoked or not enrolled,
 * 0 also after a wipe the server ordered. */
#define SYNC_EXIT_LATER 75
#define SYNC_EXIT_ATTENTION 65
#define SYNC_EXIT_STOPPED 77

static int sync_exit_status;

static gboolean
cmd_sync (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_auto (IntakeSyncReport) report = { 0 };
  static const char *const outcomes[] = { "done", "later", "needs_attention", "stopped",
                                          "wiped" };

  if (!open_store (ctl, error) || !intake_sync_pass (ctl->store, NULL, NULL, &report, error))
    return FALSE;
  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "outcome");
      json_builder_add_string_value (b, outcomes[report.outcome]);
      json_builder_set_member_name (b, "sent");
      json_builder_add_int_value (b, report.sent);
      json_builder_set_member_name (b, "pending");
      json_builder_add_int_value (b, report.pending);
      json_builder_set_member_name (b, "needs_attention");
      json_builder_add_int_value (b, report.needs_attention);
      json_builder_set_member_name (b, "forms_added");
      json_builder_add_int_value (b, report.forms_added);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, report.message ? report.message : "");
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      print_json (root);
    }
  else
    g_print ("%s\n", report.message ? report.message : "Nothing to do");
  switch (report.outcome)
    {
    case INTAKE_SYNC_DONE:
    case INTAKE_SYNC_WIPED:
      sync_exit_status = 0;
      break;
    case INTAKE_SYNC_LATER:
      sync_exit_status = SYNC_EXIT_LATER;
      break;
    case INTAKE_SYNC_NEEDS_ATTENTION:
      sync_exit_status = SYNC_EXIT_ATTENTION;
      break;
    case INTAKE_SYNC_STOPPED:
    default:
      sync_exit_status = SYNC_EXIT_STOPPED;
      break;
    }
  if (report.outcome == INTAKE_SYNC_WIPED)
    g_clear_object (&ctl->store);
  return TRUE;
}

static gboolean
cmd_wipe (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  if (!opt_yes)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "wipe destroys every interview and key on this tablet for good; run "
                           "it again with --yes to confirm");
      return FALSE;
    }
  if (!unlock (ctl, ctl->user, error))
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

static const GOptionEntry init_entries[] = {
  { "admin", 0, 0, G_OPTION_ARG_STRING, &opt_admin, "Name of the first admin", "NAME" },
  { "kdf-cost", 0, 0, G_OPTION_ARG_STRING, &opt_kdf_cost,
    "Unlock cost instead of calibrating: 'test' (insecure, for tests) or PASSES,MIB", "COST" },
  { NULL },
};
static const GOptionEntry role_entries[] = {
  { "role", 0, 0, G_OPTION_ARG_STRING, &opt_role, "worker, supervisor or admin", "ROLE" },
  { NULL },
};
static const GOptionEntry note_entries[] = {
  { "note", 0, 0, G_OPTION_ARG_STRING, &opt_note, "Note for the interview's author", "TEXT" },
  { NULL },
};
static const GOptionEntry reason_entries[] = {
  { "reason", 0, 0, G_OPTION_ARG_STRING, &opt_reason, "Why the interview is void", "TEXT" },
  { NULL },
};
static const GOptionEntry version_entries[] = {
  { "version", 0, 0, G_OPTION_ARG_INT, &opt_version, "Form version (default: newest)", "N" },
  { "document", 0, 0, G_OPTION_ARG_NONE, &opt_document, "Print the form's JSON document itself",
    NULL },
  { "language", 0, 0, G_OPTION_ARG_STRING, &opt_language, "Labels in this language (en, id…)",
    "CODE" },
  { NULL },
};
static const GOptionEntry enroll_entries[] = {
  { "pin-sha256", 0, 0, G_OPTION_ARG_STRING, &opt_pin_sha256,
    "Accept only a server whose public key has this SHA-256 (base64, as curl's pinning)", "B64" },
  { "ca", 0, 0, G_OPTION_ARG_FILENAME, &opt_ca, "Trust this CA bundle for the server", "FILE" },
  { "file", 0, 0, G_OPTION_ARG_FILENAME, &opt_file,
    "Enroll from a provisioning file ('intake-server device add NAME --url URL --out FILE')",
    "FILE" },
  { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_token_file,
    "Read the enrollment token from this file's first line (default: standard input, after "
    "the PIN with --pin-stdin)",
    "FILE" },
  { NULL },
};
static const GOptionEntry yes_entries[] = {
  { "yes", 0, 0, G_OPTION_ARG_NONE, &opt_yes, "Confirm that everything is to be destroyed",
    NULL },
  { NULL },
};

static const Command commands[] = {
  { "init", "--admin NAME", "Set up this tablet's encrypted store and its first admin", cmd_init,
    init_entries, 0, 0 },
  { "user add", "NAME --role ROLE", "Add a user (admin)", cmd_user_add, role_entries, 1, 1 },
  { "user list", "", "List the tablet's users", cmd_user_list, NULL, 0, 0 },
  { "user passwd", "NAME", "Change your PIN, or (admin) give a user a new PIN", cmd_user_passwd,
    NULL, 1, 1 },
  { "user remove", "NAME", "Remove a user and destroy their keys (admin)", cmd_user_remove, NULL,
    1, 1 },
  { "policy show", "", "Show the policies", cmd_policy_show, NULL, 0, 0 },
  { "policy set", "KEY VALUE", "Change a policy (admin)", cmd_policy_set, NULL, 2, 2 },
  { "form list", "", "List installed forms", cmd_form_list, NULL, 0, 0 },
  { "form show", "ID", "Show a form's questions (--document: its JSON)", cmd_form_show,
    version_entries, 1, 1 },
  { "form import", "FILE", "Install a form version, JSON or XLSForm (admin)", cmd_form_import,
    NULL, 1, 1 },
  { "interview import", "FILE",
    "Create an interview from {\"form_id\", \"form_version\", \"answers\", \"state\"}; "
    "prints its id",
    cmd_interview_import, NULL, 1, 1 },
  { "interview set", "ID QUESTION VALUE",
    "Save one answer (VALUE is JSON, or plain text); a draft only", cmd_interview_set, NULL, 3, 3 },
  { "interview complete", "ID", "Complete a draft: to review, or to the queue",
    cmd_interview_complete, NULL, 1, 1 },
  { "interview list", "", "List the interviews you may read", cmd_interview_list, NULL, 0, 0 },
  { "interview show", "ID", "Show one interview with its answers", cmd_interview_show, NULL, 1,
    1 },
  { "interview export", "", "Print every interview you may read, decrypted, as JSON",
    cmd_interview_export, NULL, 0, 0 },
  { "review list", "", "Interviews awaiting review (supervisor)", cmd_review_list, NULL, 0,
    0 },
  { "review approve", "ID", "Approve an interview for sending (supervisor)", cmd_review_approve,
    NULL, 1, 1 },
  { "review return", "ID --note TEXT", "Send an interview back to its author (supervisor)",
    cmd_review_return, note_entries, 1, 1 },
  { "review void", "ID --reason TEXT", "Void an interview (supervisor)", cmd_review_void,
    reason_entries, 1, 1 },
  { "enroll", "URL [--token-file FILE] | --file FILE",
    "Enroll this tablet with a server (admin); the token comes from standard input", cmd_enroll,
    enroll_entries, 0, 2 },
  { "sync", "", "Send what is queued now; exit 0 done, 75 later, 65 attention, 77 stopped",
    cmd_sync, NULL, 0, 0 },
  { "status", "", "Show the tablet's state", cmd_status, NULL, 0, 0 },
  { "audit", "", "Show the audit log (supervisor, admin)", cmd_audit, NULL, 0, 0 },
  { "verify", "", "Check the data file, the audit chain and every record you may open",
    cmd_verify, NULL, 0, 0 },
  { "wipe", "--yes", "Destroy every key and all data on this tablet (admin)", cmd_wipe,
    yes_entries, 0, 0 },
};

static const GOptionEntry *
global_entries (Ctl *ctl)
{
  static GOptionEntry entries[5];
  GOptionEntry e[] = {
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &ctl->data_dir,
      "Data folder (default: $XDG_DATA_HOME/intake)", "DIR" },
    { "user", 0, 0, G_OPTION_ARG_STRING, &ctl->user, "The user acting", "NAME" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &ctl->json, "Print one JSON document", NULL },
    { "pin-stdin", 0, 0, G_OPTION_ARG_NONE, &ctl->pin_stdin,
      "Read secrets from standard input, one line each", NULL },
    { NULL },
  };
  memcpy (entries, e, sizeof e);
  return entries;
}

static gboolean
takes_value (const char *arg)
{
  return g_str_equal (arg, "--data-dir") || g_str_equal (arg, "--user");
}

/* `intakectl user --help`: the commands of one group, on standard output. */
static gboolean
print_group_usage (const char *group, gboolean to_stdout)
{
  gboolean found = FALSE;
  void (*out) (const gchar *, ...) = to_stdout ? g_print : g_printerr;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_has_prefix (commands[i].name, group) && commands[i].name[strlen (group)] == ' ')
      {
        if (!found)
          out ("Usage: intakectl [--data-dir DIR] [--user NAME] [--json] [--pin-stdin] %s "
               "COMMAND …\n\nCommands:\n",
               group);
        found = TRUE;
        out ("  %-18s %-18s %s\n", commands[i].name, commands[i].params, commands[i].summary);
      }
  if (found)
    out ("\n'intakectl %s COMMAND --help' documents each.\n", group);
  return found;
}

static void
print_usage (void)
{
  g_printerr ("Usage: intakectl [--data-dir DIR] [--user NAME] [--json] [--pin-stdin] COMMAND …\n"
              "\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_printerr ("  %-18s %-18s %s\n", commands[i].name, commands[i].params, commands[i].summary);
  g_printerr ("\n'intakectl COMMAND --help' documents each.\n");
}

int
intake_ctl_run (int argc, char **argv)
{
  Ctl ctl = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rest = g_ptr_array_new ();
  g_autoptr (GOptionContext) context = NULL;
  g_autofree char *param_string = NULL;
  const Command *cmd = NULL;
  char **args;
  int nargs;
  int word_idx[2] = { -1, -1 };
  int nwords = 0;
  int status = EXIT_SUCCESS;

  if (!intake_crypto_init (&error))
    {
      g_printerr ("intakectl: %s\n", error->message);
      return EXIT_FAILURE;
    }
  curl_global_init (CURL_GLOBAL_DEFAULT);

  /* Find the command words among the arguments: the first one or two words that are not
   * options or values of the global options. */
  for (int i = 1; i < argc && nwords < 2; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;
      if (argv[i][0] == '-')
        {
          if (takes_value (argv[i]))
            i++;
          continue;
        }
      if (nwords == 1)
        {
          g_autofree char *two = g_strdup_printf ("%s %s", argv[word_idx[0]], argv[i]);
          gboolean is_group = FALSE;
          for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
            if (g_str_has_prefix (commands[c].name, argv[word_idx[0]])
                && commands[c].name[strlen (argv[word_idx[0]])] == ' ')
              is_group = TRUE;
          if (!is_group)
            break;
          for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
            if (g_str_equal (commands[c].name, two))
              cmd = &commands[c];
          word_idx[nwords++] = i;
          break;
        }
      word_idx[nwords++] = i;
      for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
        if (g_str_equal (commands[c].name, argv[i]))
          cmd = &commands[c];
    }
  if (cmd == NULL)
    {
      gboolean help = FALSE;
      for (int i = 1; i < argc; i++)
        help |= g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h");
      if (nwords == 1 && print_group_usage (argv[word_idx[0]], help))
        return help ? EXIT_SUCCESS : EXIT_USAGE;
      if (nwords > 0 && !help)
        g_printerr ("intakectl: unknown command '%s%s%s'\n", argv[word_idx[0]],
                    nwords > 1 ? " " : "", nwords > 1 ? argv[word_idx[1]] : "");
      print_usage ();
      return help && nwords == 0 ? EXIT_SUCCESS : EXIT_USAGE;
    }

  g_ptr_array_add (rest, argv[0]);
  for (int i = 1; i < argc; i++)
    if (i != word_idx[0] && i != word_idx[1])
      g_ptr_array_add (rest, argv[i]);
  g_ptr_array_add (rest, NULL);

  param_string = g_strdup_printf ("%s %s", cmd->name, cmd->params);
  context = g_option_context_new (param_string);
  g_option_context_set_summary (context, cmd->summary);
  g_option_context_add_main_entries (context, global_entries (&ctl), NULL);
  if (cmd->entries)
    g_option_context_add_main_entries (context, cmd->entries, NULL);
  {
    int rargc = (int) rest->len - 1;
    char **rargv = (char **) rest->pdata;
    if (!g_option_context_parse (context, &rargc, &rargv, &error))
      {
        g_printerr ("intakectl %s: %s\n", cmd->name, error->message);
        return EXIT_USAGE;
      }
    args = rargv + 1;
    nargs = rargc - 1;
  }
  if (nargs > 0 && g_str_equal (args[0], "--"))
    {
      args++;
      nargs--;
    }
  if (nargs < cmd->min_args || nargs > cmd->max_args)
    {
      g_printerr ("intakectl %s: expected %s%s\n", cmd->name, cmd->params,
                  nargs > cmd->max_args ? " (too many arguments)" : "");
      return EXIT_USAGE;
    }
  if (ctl.data_dir == NULL)
    ctl.data_dir = intake_store_default_data_dir ();

  sync_exit_status = 0;
  if (!cmd->run (&ctl, cmd, args, &error))
    {
      status = EXIT_FAILURE;
      if (error)
        g_printerr ("intakectl: %s\n", error->message);
      if (error && error->domain == G_OPTION_ERROR)
        status = EXIT_USAGE;
    }
  else if (sync_exit_status != 0)
    status = sync_exit_status;
  g_clear_object (&ctl.session);
  g_clear_object (&ctl.store);
  g_free (ctl.data_dir);
  g_free (ctl.user);
  return status;
}
