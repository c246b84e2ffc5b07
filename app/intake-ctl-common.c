/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What every intakectl command shares: printing JSON and the store's notices, asking for a PIN
 * or passphrase (from standard input with --pin-stdin, or a no-echo prompt), and opening or
 * unlocking the store.  Apart from the commands so that each command group calls down into it
 * and it calls none of them back.
 */
#include "intake-config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "intake-ctl-private.h"
#include "intake-outbox.h"

void
_intake_ctl_print_json (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, TRUE);
  g_print ("%s\n", text);
}

void
_intake_ctl_say_notices (Ctl *ctl)
{
  const char *const *notices = intake_store_get_notices (ctl->store);
  for (guint i = 0; notices[i]; i++)
    g_printerr ("intakectl: note: %s\n", notices[i]);
}

/* ---- Secrets ---- */

IntakeSecret *
_intake_ctl_read_line_secret (int fd, gboolean *eof, GError **error)
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
  secret = _intake_ctl_read_line_secret (fd, &eof, error);
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
IntakeSecret *
_intake_ctl_ask_secret (Ctl *ctl, const char *what, gboolean is_new, GError **error)
{
  g_autoptr (IntakeSecret) secret = NULL;

  ctl->secrets_read++;
  if (ctl->pin_stdin)
    {
      gboolean eof = FALSE;
      secret = _intake_ctl_read_line_secret (STDIN_FILENO, &eof, error);
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

gboolean
_intake_ctl_open_store (Ctl *ctl, GError **error)
{
  ctl->store = intake_store_open (ctl->data_dir, error);
  if (ctl->store == NULL)
    return FALSE;
  _intake_ctl_say_notices (ctl);
  return TRUE;
}

gboolean
_intake_ctl_unlock (Ctl *ctl, const char *acting, GError **error)
{
  g_autoptr (IntakeSecret) secret = NULL;
  g_autofree char *what = NULL;

  if (!_intake_ctl_open_store (ctl, error))
    return FALSE;
  if (acting == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "This command needs --user NAME: the person acting");
      return FALSE;
    }
  what = g_strdup_printf ("PIN or passphrase of %s", acting);
  secret = _intake_ctl_ask_secret (ctl, what, FALSE, error);
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
