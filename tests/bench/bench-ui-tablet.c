/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The UI benchmarks' tablet and baseline (tests/bench/bench-ui.py).
 *
 *   bench-ui-tablet make DIR N   a tablet in DIR (unlock cost for tests) with one worker, "ana",
 *                                whose N interviews are all on it: 10 drafts, the rest completed
 *                                and waiting for a supervisor; made through the store's own
 *                                calls, in one transaction
 *   bench-ui-tablet read DIR     the baseline: every interview row of DIR's intake.db read in a
 *                                bare SQLite loop, no decryption; prints "read_us=MEDIAN rows=N"
 */
#include "intake-config.h"

#include <stdlib.h>
#include <string.h>

#include "intake-db.h"
#include "intake-store.h"

#define ADMIN_PIN "bench-admin-1234"
#define WORKER "ana"
#define WORKER_PIN "246622"
#define DRAFTS 10

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static int
make (const char *dir, int total)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSecret) admin_pin = intake_secret_new_from_data (ADMIN_PIN,
                                                                    strlen (ADMIN_PIN));
  g_autoptr (IntakeSecret) worker_pin = intake_secret_new_from_data (WORKER_PIN,
                                                                     strlen (WORKER_PIN));
  g_autoptr (IntakeStore) store = NULL;
  g_autoptr (IntakeSession) admin = NULL;
  g_autoptr (IntakeSession) worker = NULL;
  g_autoptr (GString) form = g_string_new (NULL);
  IntakeKdfParams kdf;

  intake_kdf_params_insecure_for_tests (&kdf);
  store = intake_store_create (dir, "admin", admin_pin, &kdf, &error);
  if (store == NULL || (admin = intake_store_unlock (store, "admin", admin_pin, &error)) == NULL
      || !intake_session_add_user (admin, WORKER, INTAKE_ROLE_WORKER, worker_pin, &error))
    g_error ("%s", error->message);

  /* A form of the size of the screening interview: a pseudonym and 36 short questions. */
  g_string_append (form, "{\"id\": \"bench\", \"version\": 1, \"title\": {\"en\": \"Bench\"}, "
                         "\"default_language\": \"en\", \"languages\": [\"en\"], \"questions\": "
                         "[{\"type\": \"text\", \"name\": \"pseudonym\", \"label\": {\"en\": "
                         "\"Pseudonym\"}}");
  for (int i = 0; i < 36; i++)
    g_string_append_printf (form, ", {\"type\": \"text\", \"name\": \"item_%02d\", \"label\": "
                                  "{\"en\": \"Item\"}}",
                            i);
  g_string_append (form, "]}");
  if (!intake_session_import_form (admin, form->str, NULL, NULL, &error))
    g_error ("%s", error->message);

  worker = intake_store_unlock (store, WORKER, worker_pin, &error);
  if (worker == NULL)
    g_error ("%s", error->message);
  if (!intake_store_batch_begin (store, &error))
    g_error ("%s", error->message);
  for (int n = 0; n < total; n++)
    {
      g_autoptr (JsonObject) answers = json_object_new ();
      g_autofree char *pseudonym = g_strdup_printf ("Respondent %05d", n);
      g_autofree char *id = NULL;

      json_object_set_string_member (answers, "pseudonym", pseudonym);
      for (int i = 0; i < 36; i++)
        {
          g_autofree char *name = g_strdup_printf ("item_%02d", i);
          json_object_set_string_member (answers, name, i % 3 ? "yes" : "no");
        }
      id = intake_session_create_interview (worker, "bench", 1, answers, &error);
      /* The newest are the drafts, as on a tablet in use. */
      if (id == NULL
          || (n < total - DRAFTS && !intake_session_complete_interview (worker, id, &error)))
        g_error ("%s", error->message);
    }
  if (!intake_store_batch_commit (store, &error))
    g_error ("%s", error->message);
  return 0;
}

static int
read_rows (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "intake.db", NULL);
  double samples[7];
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int rows = 0;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (db,
                             "SELECT id, form_id, form_version, author, state, is_void, "
                             "revision, nonce, content, created, updated FROM interviews "
                             "ORDER BY updated DESC",
                             -1, &stmt, NULL)
             != SQLITE_OK)
    g_error ("%s: %s", path, sqlite3_errmsg (db));
  for (guint r = 0; r < G_N_ELEMENTS (samples); r++)
    {
      gint64 t0 = g_get_monotonic_time ();
      gsize bytes = 0;

      rows = 0;
      sqlite3_reset (stmt);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          /* Touch every column, as a listing would. */
          for (int c = 0; c < 11; c++)
            bytes += (gsize) sqlite3_column_bytes (stmt, c);
          rows++;
        }
      samples[r] = (double) (g_get_monotonic_time () - t0);
      if (rows > 0 && bytes == 0)
        g_error ("empty rows in %s", path);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  qsort (samples, G_N_ELEMENTS (samples), sizeof samples[0], cmp_double);
  g_print ("read_us=%.0f rows=%d\n", samples[G_N_ELEMENTS (samples) / 2], rows);
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  if (!intake_crypto_init (&error))
    g_error ("%s", error->message);
  if (argc == 4 && g_str_equal (argv[1], "make"))
    return make (argv[2], atoi (argv[3]));
  if (argc == 3 && g_str_equal (argv[1], "read"))
    return read_rows (argv[2]);
  g_printerr ("usage: bench-ui-tablet make DIR N | read DIR\n");
  return 2;
}
