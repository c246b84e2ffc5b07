/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * intakectl's commands that talk to a server: enroll (by URL and token, or from a provisioning
 * file) and sync, with sync's exit statuses for scripts.  Apart because only these reach the
 * network and handle the enrollment token.
 */
#include "intake-config.h"

#include <string.h>
#include <unistd.h>

#include "intake-ctl-private.h"
#include "intake-provisioning.h"
#include "intake-sync.h"

/* Options of single commands; a command's GOptionContext holds only its own entries beside the
 * global ones. */
static char *opt_pin_sha256;
static char *opt_ca;
static char *opt_file;
static char *opt_token_file;

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
  if (p == NULL || !_intake_ctl_unlock (ctl, ctl->user, error)
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
      line = _intake_ctl_ask_secret (ctl, "the enrollment token", FALSE, error);
      where = g_strdup_printf ("on line %d of standard input", ctl->secrets_read);
    }
  else
    {
      line = _intake_ctl_read_line_secret (STDIN_FILENO, &eof, error);
      where = g_strdup ("on standard input");
    }
  if (line == NULL)
    return NULL;
  return token_from_bytes (eof ? NULL : line->data, eof ? 0 : line->len, where, error);
}

gboolean
_intake_ctl_cmd_enroll (Ctl *ctl, const Command *cmd, char **args, GError **error)
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
  if (!_intake_ctl_unlock (ctl, ctl->user, error))
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

int _intake_ctl_sync_exit_status;

gboolean
_intake_ctl_cmd_sync (Ctl *ctl, const Command *cmd, char **args, GError **error)
{
  g_auto (IntakeSyncReport) report = { 0 };
  static const char *const outcomes[] = { "done", "later", "needs_attention", "stopped",
                                          "wiped" };

  if (!_intake_ctl_open_store (ctl, error)
      || !intake_sync_pass (ctl->store, NULL, NULL, &report, error))
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
      _intake_ctl_print_json (root);
    }
  else
    g_print ("%s\n", report.message ? report.message : "Nothing to do");
  switch (report.outcome)
    {
    case INTAKE_SYNC_DONE:
    case INTAKE_SYNC_WIPED:
      _intake_ctl_sync_exit_status = 0;
      break;
    case INTAKE_SYNC_LATER:
      _intake_ctl_sync_exit_status = SYNC_EXIT_LATER;
      break;
    case INTAKE_SYNC_NEEDS_ATTENTION:
      _intake_ctl_sync_exit_status = SYNC_EXIT_ATTENTION;
      break;
    case INTAKE_SYNC_STOPPED:
    default:
      _intake_ctl_sync_exit_status = SYNC_EXIT_STOPPED;
      break;
    }
  if (report.outcome == INTAKE_SYNC_WIPED)
    g_clear_object (&ctl->store);
  return TRUE;
}

const GOptionEntry _intake_ctl_enroll_entries[] = {
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
