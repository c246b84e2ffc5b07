/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* Helpers shared by the server tests and the server benchmark: a throwaway PostgreSQL cluster,
 * a real `intake-server serve` on a loopback port, and running the admin commands. */

typedef struct
{
  char *dir;
  char *url;
  guint16 port;
  int watchdog_fd;
} IntakeTestPg;

/* Starts a cluster as the postgres user in a new temporary folder, on 127.0.0.1 and a free port.
 * A watchdog process stops it and removes the folder when this process ends, however it ends.
 * fsync=off is for tests, where durability is not what is measured. */
IntakeTestPg *intake_test_pg_start (gboolean fsync, GError **error);
void intake_test_pg_stop (IntakeTestPg *pg);
/* Restarts the cluster (fast shutdown, so that open connections are cut). */
gboolean intake_test_pg_restart (IntakeTestPg *pg, GError **error);
/* Makes an empty database in the cluster and returns its URL. */
char *intake_test_pg_create_database (IntakeTestPg *pg, const char *name, GError **error);

typedef struct
{
  GPid pid;
  guint16 port;
  char *base_url;
} IntakeTestServe;

IntakeTestServe *intake_test_serve_start (const char *server_bin,
                                          const char *db_url,
                                          const char *listen,
                                          const char *tls_cert,
                                          const char *tls_key,
                                          GError **error);
/* The same, with more arguments for serve (NULL-terminated, or NULL). */
IntakeTestServe *intake_test_serve_start_full (const char *server_bin,
                                               const char *db_url,
                                               const char *listen,
                                               const char *tls_cert,
                                               const char *tls_key,
                                               const char *const *extra_args,
                                               GError **error);
/* Sends SIGTERM, waits, and returns the exit status (0 on a clean stop). */
int intake_test_serve_stop (IntakeTestServe *serve);

/* Runs intake-server with the given arguments (NULL-terminated) and returns its exit status,
 * with standard output and error when asked for. */
int intake_test_run (const char *server_bin, char **out, char **err, ...) G_GNUC_NULL_TERMINATED;

guint16 intake_test_free_port (void);

/* Removes dir when this process ends, however it ends (a failed assertion aborts). */
void intake_test_remove_on_exit (const char *dir);

G_END_DECLS
