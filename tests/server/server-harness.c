/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "server-harness.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG_BINDIR "/usr/lib/postgresql/15/bin"
#define SERVE_START_TIMEOUT_MS 30000

static void
new_session_cb (gpointer user_data)
{
  setsid ();
}

guint16
intake_test_free_port (void)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  guint16 port = 0;

  if (fd >= 0 && bind (fd, (struct sockaddr *) &addr, sizeof addr) == 0 &&
      getsockname (fd, (struct sockaddr *) &addr, &len) == 0)
    port = ntohs (addr.sin_port);
  if (fd >= 0)
    close (fd);
  return port;
}

static gboolean
run_argv (const char *const *argv, char **out, char **err, int *status, GError **error)
{
  int wait_status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                     &wait_status, error))
    return FALSE;
  *status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128 + WTERMSIG (wait_status);
  return TRUE;
}

static gboolean
run_as_postgres (GError **error, const char *first, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  va_list args;

  g_ptr_array_add (argv, (char *) "runuser");
  g_ptr_array_add (argv, (char *) "-u");
  g_ptr_array_add (argv, (char *) "postgres");
  g_ptr_array_add (argv, (char *) "--");
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                     &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "%s failed: %s%s", first, out, err);
      return FALSE;
    }
  return TRUE;
}

void
intake_test_remove_on_exit (const char *dir)
{
  g_autofree char *script = g_strdup_printf ("read x; rm -rf '%s'", dir);
  const char *argv[] = { "/bin/sh", "-c", script, NULL };
  int pipe_fds[2];
  GPid pid;

  /* The write end stays open, unused, until this process is gone. */
  if (pipe2 (pipe_fds, O_CLOEXEC) != 0)
    return;
  if (g_spawn_async_with_fds (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, new_session_cb, NULL,
                              &pid, pipe_fds[0], -1, -1, NULL))
    g_spawn_close_pid (pid);
  close (pipe_fds[0]);
}

IntakeTestPg *
intake_test_pg_start (gboolean fsync, GError **error)
{
  g_autofree IntakeTestPg *pg = g_new0 (IntakeTestPg, 1);
  g_autofree char *data = NULL;
  g_autofree char *log = NULL;
  g_autofree char *opts = NULL;
  g_autofree char *script = NULL;
  struct passwd *pw = getpwnam ("postgres");
  int pipe_fds[2];
  const char *sh_argv[] = { "/bin/sh", "-c", NULL, NULL };
  GPid watchdog;

  if (!g_file_test (PG_BINDIR "/initdb", G_FILE_TEST_IS_EXECUTABLE) || pw == NULL)
    {
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                           "PostgreSQL 15 is not installed (" PG_BINDIR "/initdb, user postgres)");
      return NULL;
    }
  pg->dir = g_dir_make_tmp ("intake-pg-XXXXXX", error);
  if (pg->dir == NULL)
    return NULL;
  if (chown (pg->dir, pw->pw_uid, pw->pw_gid) != 0 || chmod (pg->dir, 0700) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "chown %s: %s", pg->dir,
                   g_strerror (errno));
      return NULL;
    }

  /* The watchdog holds the read end of a pipe whose write end only this process has; when this
   * process ends, by any death, the read returns and the cluster is stopped and removed. It
   * runs in a session of its own so that a test runner killing our process group spares it. */
  data = g_build_filename (pg->dir, "data", NULL);
  log = g_build_filename (pg->dir, "log", NULL);
  if (pipe2 (pipe_fds, O_CLOEXEC) != 0)
    return NULL;
  script = g_strdup_printf ("read x; runuser -u postgres -- " PG_BINDIR "/pg_ctl -D '%s' stop "
                            "-m immediate >/dev/null 2>&1; rm -rf '%s'",
                            data, pg->dir);
  sh_argv[2] = script;
  if (!g_spawn_async_with_fds (NULL, (char **) sh_argv, NULL, G_SPAWN_DEFAULT, new_session_cb,
                               NULL, &watchdog, pipe_fds[0], -1, -1, error))
    {
      close (pipe_fds[0]);
      close (pipe_fds[1]);
      return NULL;
    }
  close (pipe_fds[0]);
  g_spawn_close_pid (watchdog);
  pg->watchdog_fd = pipe_fds[1];

  if (!run_as_postgres (error, PG_BINDIR "/initdb", "-N", "-D", data, "-A", "trust", "-U",
                        "postgres", NULL))
    {
      close (pg->watchdog_fd);
      return NULL;
    }
  /* Another program may take the free port before the cluster does: try a few. */
  for (int attempt = 0;; attempt++)
    {
      g_autoptr (GError) local_error = NULL;

      pg->port = intake_test_free_port ();
      g_free (opts);
      opts = g_strdup_printf ("-k %s -c listen_addresses=127.0.0.1 -p %u -c fsync=%s "
                              "-c max_connections=50",
                              pg->dir, (unsigned int) pg->port, fsync ? "on" : "off");
      if (run_as_postgres (&local_error, PG_BINDIR "/pg_ctl", "-D", data, "-o", opts, "-l", log,
                           "-w", "start", NULL))
        break;
      if (attempt == 2)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          close (pg->watchdog_fd);
          return NULL;
        }
    }
  pg->url = g_strdup_printf ("postgresql://postgres@127.0.0.1:%u/postgres",
                             (unsigned int) pg->port);
  return g_steal_pointer (&pg);
}

char *
intake_test_pg_create_database (IntakeTestPg *pg, const char *name, GError **error)
{
  g_autofree char *port = g_strdup_printf ("%u", (unsigned int) pg->port);

  if (!run_as_postgres (error, PG_BINDIR "/createdb", "-h", "127.0.0.1", "-p", port, name, NULL))
    return NULL;
  return g_strdup_printf ("postgresql://postgres@127.0.0.1:%u/%s", (unsigned int) pg->port, name);
}

gboolean
intake_test_pg_restart (IntakeTestPg *pg, GError **error)
{
  g_autofree char *data = g_build_filename (pg->dir, "data", NULL);
  g_autofree char *log = g_build_filename (pg->dir, "log", NULL);

  /* -l again: without it the new postmaster would hold our output pipes open for good. */
  return run_as_postgres (error, PG_BINDIR "/pg_ctl", "-D", data, "-l", log, "-m", "fast", "-w",
                          "restart", NULL);
}

void
intake_test_pg_stop (IntakeTestPg *pg)
{
  g_autofree char *data = NULL;

  if (pg == NULL)
    return;
  data = g_build_filename (pg->dir, "data", NULL);
  run_as_postgres (NULL, PG_BINDIR "/pg_ctl", "-D", data, "-m", "fast", "-w", "stop", NULL);
  /* Closing the pipe lets the watchdog remove the folder. */
  close (pg->watchdog_fd);
  g_free (pg->dir);
  g_free (pg->url);
  g_free (pg);
}

static void
serve_child_setup_cb (gpointer user_data)
{
  /* A test that fails aborts without stopping its servers: they follow it. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

IntakeTestServe *
intake_test_serve_start (const char *server_bin,
                         const char *db_url,
                         const char *listen,
                         const char *tls_cert,
                         const char *tls_key,
                         GError **error)
{
  return intake_test_serve_start_full (server_bin, db_url, listen, tls_cert, tls_key, NULL,
                                       error);
}

IntakeTestServe *
intake_test_serve_start_full (const char *server_bin,
                              const char *db_url,
                              const char *listen,
                              const char *tls_cert,
                              const char *tls_key,
                              const char *const *extra_args,
                              GError **error)
{
  g_autofree IntakeTestServe *serve = g_new0 (IntakeTestServe, 1);
  g_autoptr (GString) line = g_string_new (NULL);
  const char *argv[20];
  int n = 0;
  int out_fd = -1;
  gint64 deadline = g_get_monotonic_time () + SERVE_START_TIMEOUT_MS * 1000;
  const char *port_text;

  argv[n++] = server_bin;
  argv[n++] = "--db";
  argv[n++] = db_url;
  argv[n++] = "serve";
  argv[n++] = "--listen";
  argv[n++] = listen;
  if (tls_cert != NULL)
    {
      argv[n++] = "--tls-cert";
      argv[n++] = tls_cert;
      argv[n++] = "--tls-key";
      argv[n++] = tls_key;
    }
  for (size_t i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    {
      g_assert (n < (int) G_N_ELEMENTS (argv) - 1);
      argv[n++] = extra_args[i];
    }
  argv[n] = NULL;
  if (!g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                 serve_child_setup_cb, NULL, &serve->pid, NULL, &out_fd, NULL,
                                 error))
    return NULL;

  for (;;)
    {
      struct pollfd pfd = { .fd = out_fd, .events = POLLIN };
      int remaining = (int) ((deadline - g_get_monotonic_time ()) / 1000);
      char c;

      if (remaining <= 0 || poll (&pfd, 1, remaining) <= 0 || read (out_fd, &c, 1) != 1)
        {
          g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                       "intake-server serve did not say where it listens (got \"%s\")",
                       line->str);
          close (out_fd);
          kill (serve->pid, SIGKILL);
          waitpid (serve->pid, NULL, 0);
          return NULL;
        }
      if (c == '\n')
        break;
      g_string_append_c (line, c);
    }
  close (out_fd);
  port_text = strrchr (line->str, ':');
  serve->port = port_text != NULL ? (guint16) g_ascii_strtoull (port_text + 1, NULL, 10) : 0;
  serve->base_url = g_strdup (line->str + strlen ("listening on "));
  return g_steal_pointer (&serve);
}

int
intake_test_serve_stop (IntakeTestServe *serve)
{
  int status = 0;

  kill (serve->pid, SIGTERM);
  while (waitpid (serve->pid, &status, 0) < 0 && errno == EINTR)
    ;
  g_spawn_close_pid (serve->pid);
  g_free (serve->base_url);
  g_free (serve);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

int
intake_test_run (const char *server_bin, char **out, char **err, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *ignored_out = NULL;
  g_autofree char *ignored_err = NULL;
  int status = -1;
  va_list args;

  g_ptr_array_add (argv, (char *) server_bin);
  va_start (args, err);
  for (const char *a = va_arg (args, const char *); a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  if (!run_argv ((const char *const *) argv->pdata, out != NULL ? out : &ignored_out,
                 err != NULL ? err : &ignored_err, &status, &error))
    g_printerr ("cannot run %s: %s\n", server_bin, error->message);
  return status;
}
