/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Kills a process that is autosaving at random moments and checks that every answer whose save
 * had returned is there afterwards, and that the store verifies, each time. */
#include "intake-config.h"

#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "intake-store.h"

#define PIN "crash-pin-1234"
/* As in crash-writer.c: save i goes to question q(i mod 64) with the value answer-i. */
#define CRASH_QUESTIONS 64

static char *
crash_form (void)
{
  GString *s = g_string_new ("{\"id\": \"crash\", \"version\": 1, \"title\": {\"en\": \"Crash\"}, "
                             "\"default_language\": \"en\", \"languages\": [\"en\"], "
                             "\"questions\": [");
  for (int i = 0; i < CRASH_QUESTIONS; i++)
    g_string_append_printf (s, "%s{\"type\": \"text\", \"name\": \"q%d\", "
                               "\"label\": {\"en\": \"Q\"}}",
                            i ? ", " : "", i);
  g_string_append (s, "]}");
  return g_string_free (s, FALSE);
}

static int
iterations (void)
{
  const char *env = g_getenv ("INTAKE_CRASH_ITERATIONS");
  return env ? atoi (env) : 200;
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_unlink (child);
    }
  g_rmdir (path);
}

static void
test_kill_while_saving (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("intake-crash-XXXXXX", &error);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *writer = g_test_build_filename (G_TEST_BUILT, "crash-writer", NULL);
  g_autoptr (IntakeSecret) pin = intake_secret_new_from_data (PIN, strlen (PIN));
  g_autofree char *interview = NULL;
  gint64 next = 0;
  gint64 acknowledged_total = 0;
  IntakeKdfParams kdf;
  int n = iterations ();

  g_assert_no_error (error);
  intake_kdf_params_insecure_for_tests (&kdf);
  {
    g_autoptr (IntakeStore) store = intake_store_create (data, "admin", pin, &kdf, &error);
    g_autoptr (IntakeSession) session = NULL;
    g_autofree char *form = crash_form ();
    g_assert_no_error (error);
    session = intake_store_unlock (store, "admin", pin, &error);
    g_assert_no_error (error);
    g_assert_true (intake_session_import_form (session, form, NULL, NULL, &error));
    interview = intake_session_create_interview (session, "crash", 1, NULL, &error);
    g_assert_no_error (error);
  }

  for (int round = 0; round < n; round++)
    {
      g_autofree char *first = g_strdup_printf ("%" G_GINT64_FORMAT, next);
      const char *argv[] = { writer, data, "admin", PIN, interview, first, NULL };
      g_autoptr (GString) out = g_string_new (NULL);
      g_auto (GStrv) lines = NULL;
      gint64 last_ack = next - 1;
      GPid pid;
      int out_fd;
      int wstatus;
      char buf[4096];
      ssize_t got;

      g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                &pid, NULL, &out_fd, NULL, &error);
      g_assert_no_error (error);
      /* Kill at a random moment: one round in five from the start (while it opens the store and
       * unlocks), the others once it is saving, whatever the speed of the build. */
      if (g_test_rand_int_range (0, 5) != 0)
        {
          struct pollfd pfd = { out_fd, POLLIN, 0 };
          if (poll (&pfd, 1, 30000) > 0 && (got = read (out_fd, buf, sizeof buf)) > 0)
            g_string_append_len (out, buf, got);
        }
      g_usleep (g_test_rand_int_range (0, 30000));
      kill (pid, SIGKILL);
      waitpid (pid, &wstatus, 0);
      g_spawn_close_pid (pid);
      while ((got = read (out_fd, buf, sizeof buf)) > 0)
        g_string_append_len (out, buf, got);
      close (out_fd);
      g_assert_true (WIFSIGNALED (wstatus) || WEXITSTATUS (wstatus) == 0);

      lines = g_strsplit (out->str, "\n", -1);
      for (guint i = 0; lines[i]; i++)
        if (*lines[i])
          last_ack = g_ascii_strtoll (lines[i], NULL, 10);
      acknowledged_total += last_ack - next + 1;

      {
        g_autoptr (IntakeStore) store = intake_store_open (data, &error);
        g_autoptr (IntakeSession) session = NULL;
        g_autoptr (IntakeInterview) iv = NULL;
        g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
        JsonObject *answers;

        g_assert_no_error (error);
        session = intake_store_unlock (store, "admin", pin, &error);
        g_assert_no_error (error);
        iv = intake_session_open_interview (session, interview, &error);
        g_assert_no_error (error);
        answers = json_object_get_object_member (iv->content, "answers");
        /* Each question holds the newest acknowledged save to it, or the one save that was in
         * flight when the process died (it may have reached the disk without its
         * acknowledgement). */
        for (int k = 0; k < CRASH_QUESTIONS; k++)
          {
            g_autofree char *name = g_strdup_printf ("q%d", k);
            gint64 newest = last_ack - ((last_ack - k) % CRASH_QUESTIONS + CRASH_QUESTIONS)
                                           % CRASH_QUESTIONS;
            g_autofree char *want = g_strdup_printf ("answer-%" G_GINT64_FORMAT, newest);
            g_autofree char *in_flight = g_strdup_printf ("answer-%" G_GINT64_FORMAT,
                                                          last_ack + 1);
            const char *have = answers
                                   ? json_object_get_string_member_with_default (answers, name,
                                                                                 NULL)
                                   : NULL;
            gboolean flight_here = (last_ack + 1) % CRASH_QUESTIONS == k;

            if (newest < 0 && have == NULL)
              continue;
            if (g_strcmp0 (have, want) != 0 && !(flight_here && g_strcmp0 (have, in_flight) == 0))
              g_error ("round %d: %s is %s after SIGKILL, but save %" G_GINT64_FORMAT
                       " was acknowledged",
                       round, name, have ? have : "missing", newest);
          }
        if (!intake_store_verify (store, session, problems, NULL, &error))
          g_error ("round %d: verify failed: %s", round,
                   problems->len ? (char *) problems->pdata[0] : error->message);
        /* Continue after whatever reached the disk, acknowledged or not. */
        next = last_ack + 1;
        {
          g_autofree char *name = g_strdup_printf ("q%" G_GINT64_FORMAT, next % CRASH_QUESTIONS);
          g_autofree char *value = g_strdup_printf ("answer-%" G_GINT64_FORMAT, next);
          if (answers != NULL
              && g_strcmp0 (json_object_get_string_member_with_default (answers, name, NULL),
                            value)
                     == 0)
            next++;
        }
      }
    }
  g_test_message ("%d kills, %" G_GINT64_FORMAT " acknowledged saves, all present", n,
                  acknowledged_total);
  g_assert_cmpint (acknowledged_total, >, 0);
  remove_tree (data);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!intake_crypto_init (NULL))
    return 1;
  g_test_add_func ("/intake/core/crash/kill-while-saving", test_kill_while_saving);
  return g_test_run ();
}
