/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Store benchmarks. Each measures our path and its baseline side by side in the same run and
 * prints a last line "bench: NAME ratio=R (details)". Nothing here asserts on time. */
#include "intake-config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "intake-db.h"
#include "intake-store.h"

#define PIN "bench-pin-1234"

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (GArray *samples)
{
  g_array_sort (samples, cmp_double);
  return g_array_index (samples, double, samples->len / 2);
}

static double
now_us (void)
{
  return (double) g_get_monotonic_time ();
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static IntakeSession *
make_store (const char *data, IntakeStore **store_out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSecret) pin = intake_secret_new_from_data (PIN, strlen (PIN));
  IntakeKdfParams kdf;
  IntakeStore *store;
  IntakeSession *session;

  intake_kdf_params_insecure_for_tests (&kdf);
  store = intake_store_create (data, "admin", pin, &kdf, &error);
  g_assert_no_error (error);
  session = intake_store_unlock (store, "admin", pin, &error);
  g_assert_no_error (error);
  {
    GString *form = g_string_new ("{\"id\": \"bench\", \"version\": 1, \"title\": {\"en\": "
                                  "\"Bench\"}, \"default_language\": \"en\", \"languages\": "
                                  "[\"en\"], \"questions\": [{\"type\": \"text\", \"name\": "
                                  "\"notes\", \"label\": {\"en\": \"Notes\"}}");
    for (int i = 0; i < 36; i++)
      g_string_append_printf (form, ", {\"type\": \"text\", \"name\": \"item_%02d\", "
                                    "\"label\": {\"en\": \"Item\"}}",
                              i);
    g_string_append (form, "]}");
    g_assert_true (intake_session_import_form (session, form->str, NULL, NULL, &error));
    g_string_free (form, TRUE);
  }
  *store_out = store;
  return session;
}

/* A realistic interview: about 36 short answers and a pseudonym. */
static JsonObject *
typical_answers (void)
{
  JsonObject *answers = json_object_new ();

  for (int i = 0; i < 36; i++)
    {
      g_autofree char *name = g_strdup_printf ("item_%02d", i);
      json_object_set_string_member (answers, name, i % 3 ? "yes" : "prefer_not_to_say");
    }
  json_object_set_string_member (answers, "notes",
                                 "Respondent described recruitment through a broker in the home "
                                 "village; wages were held for the first months at sea.");
  return answers;
}

static sqlite3 *
open_plain (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  /* The same pragmas as the store, so that the comparison is of our work, not of durability. */
  sqlite3_exec (db,
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;"
                "PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = ON;",
                NULL, NULL, NULL);
  return db;
}

typedef struct
{
  double paired;  /* median of the ratios of the pairs */
  double enc_us;  /* median encrypted save */
  double raw_us;  /* median plain upsert */
  gsize bytes;
} AutosaveRun;

static int
compare_runs (gconstpointer a, gconstpointer b)
{
  double x = ((const AutosaveRun *) a)->paired, y = ((const AutosaveRun *) b)->paired;

  return x < y ? -1 : x > y;
}

/* One run: a new store and a new plain database in @dir, 600 saves of each, back to back. */
static void
autosave_run (const char *dir, AutosaveRun *out)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *data = g_build_filename (dir, "store", NULL);
  g_autofree char *plain_path = g_build_filename (dir, "plain.db", NULL);
  g_autoptr (IntakeStore) store = NULL;
  g_autoptr (IntakeSession) session = make_store (data, &store);
  g_autoptr (JsonObject) answers = typical_answers ();
  g_autoptr (GArray) enc = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) raw = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) paired = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *id = intake_session_create_interview (session, "bench", 1, answers, &error);
  g_autoptr (IntakeInterview) iv = NULL;
  g_autoptr (JsonNode) content_node = NULL;
  gsize plain_bytes = 0;
  sqlite3 *plain = open_plain (plain_path);
  sqlite3_stmt *upsert = NULL;
  const int rounds = 600;
  /* Saves before the measured ones: past SQLite's automatic checkpoint (1,000 pages), each WAL
   * file starts over and is rewritten in place, instead of growing by a page at every save
   * (a growing file makes each flush also write its size, which costs one file more than the
   * other from run to run). */
  const int warmup = 1100;
  double m_enc, m_raw;

  g_assert_no_error (error);
  iv = intake_session_open_interview (session, id, &error);
  g_assert_no_error (error);
  content_node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (content_node, iv->content);

  sqlite3_exec (plain, "CREATE TABLE answers (id TEXT PRIMARY KEY, content BLOB)", NULL, NULL,
                NULL);
  sqlite3_prepare_v2 (plain,
                      "INSERT INTO answers (id, content) VALUES (?, ?) ON CONFLICT (id) DO "
                      "UPDATE SET content = excluded.content",
                      -1, &upsert, NULL);

  /* Interleave the two, alternating which goes first, so that the machine's noise (and the
   * disk's flush of the other file) falls on both alike. */
  for (int i = -warmup; i < rounds; i++)
    {
      g_autofree char *value = g_strdup_printf ("answer %d", i);
      g_autoptr (JsonNode) node = json_node_init_string (json_node_alloc (), value);
      g_autofree char *bytes = NULL;
      double t_enc, t_raw;

      /* The baseline writes the same content in the clear: the answer changes each time, as
       * ours does. Serialising it is not counted. */
      json_object_set_string_member (json_object_get_object_member (iv->content, "answers"),
                                     "item_07", value);
      bytes = json_to_string (content_node, FALSE);
      plain_bytes = strlen (bytes);
      for (int side = 0; side < 2; side++)
        {
          double t0 = now_us ();
          if ((side == 0) == (i % 2 == 0))
            {
              if (!intake_session_set_answer (session, id, "item_07", node, &error))
                g_error ("%s", error->message);
              t_enc = now_us () - t0;
            }
          else
            {
              sqlite3_bind_text (upsert, 1, id, -1, SQLITE_STATIC);
              sqlite3_bind_blob (upsert, 2, bytes, plain_bytes, SQLITE_STATIC);
              g_assert_cmpint (sqlite3_step (upsert), ==, SQLITE_DONE);
              /* The implicit transaction commits when the statement is reset. */
              sqlite3_reset (upsert);
              t_raw = now_us () - t0;
            }
        }
      if (i < 0)
        continue;
      g_array_append_val (enc, t_enc);
      g_array_append_val (raw, t_raw);
      g_array_append_val (paired, (double) { t_enc / t_raw });
    }
  sqlite3_finalize (upsert);
  sqlite3_close (plain);
  m_enc = median (enc);
  m_raw = median (raw);
  out->paired = median (paired);
  out->enc_us = m_enc;
  out->raw_us = m_raw;
  out->bytes = plain_bytes;
}

/* The ratio is the median of the ratios of each pair of saves made back to back: the disk's
 * flush time drifts by tens of percent over a run here, and pairing cancels the drift. Where
 * two new files land on the disk still moves a whole run by as much (one run gives 0.9 to 1.3
 * with the same program), so there are five runs, each with new files, and the median run
 * counts; the range is printed beside it. */
static void
bench_autosave (const char *dir)
{
  AutosaveRun runs[5];
  const int n = G_N_ELEMENTS (runs);
  AutosaveRun mid;

  for (int r = 0; r < n; r++)
    {
      g_autofree char *sub = g_strdup_printf ("%s/run-%d", dir, r);

      g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
      autosave_run (sub, &runs[r]);
    }
  qsort (runs, n, sizeof runs[0], compare_runs);
  mid = runs[n / 2];
  g_print ("bench: autosave ratio=%.3f (median of %d runs, each the median of 600 paired "
           "ratios; runs from %.3f to %.3f; in the median run median_encrypted_us=%.0f "
           "median_plain_upsert_us=%.0f bytes=%zu target<=1.15)\n",
           mid.paired, n, runs[0].paired, runs[n - 1].paired, mid.enc_us, mid.raw_us, mid.bytes);
}

static void
bench_list (const char *dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *data = g_build_filename (dir, "store", NULL);
  g_autofree char *plain_path = g_build_filename (dir, "plain.db", NULL);
  g_autoptr (IntakeStore) store = NULL;
  g_autoptr (IntakeSession) session = make_store (data, &store);
  g_autoptr (JsonObject) answers = typical_answers ();
  g_autoptr (IntakeSecret) pin = intake_secret_new_from_data (PIN, strlen (PIN));
  g_autoptr (GArray) enc = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) raw = g_array_new (FALSE, FALSE, sizeof (double));
  sqlite3 *plain = open_plain (plain_path);
  sqlite3_stmt *ins = NULL;
  sqlite3_stmt *sel = NULL;
  const int total = 10000;
  const int rounds = 30;
  double m_enc, m_raw;
  double t_fill;

  /* Fill both stores with the same 10,000 interviews, in one transaction each. */
  t_fill = now_us ();
  g_assert_true (intake_store_batch_begin (store, &error));
  sqlite3_exec (plain,
                "CREATE TABLE interviews (id TEXT PRIMARY KEY, form_id TEXT, form_version INT, "
                "author TEXT, state TEXT, is_void INT, revision INT, content TEXT, created INT, "
                "updated INT); CREATE INDEX by_update ON interviews (updated); BEGIN",
                NULL, NULL, NULL);
  sqlite3_prepare_v2 (plain,
                      "INSERT INTO interviews VALUES (?, 'bench', 1, 'admin', 'draft', 0, 1, ?, "
                      "?, ?)",
                      -1, &ins, NULL);
  for (int i = 0; i < total; i++)
    {
      g_autofree char *id = intake_session_create_interview (session, "bench", 1, answers, &error);
      g_autofree char *content = NULL;
      g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);

      g_assert_no_error (error);
      json_node_set_object (node, answers);
      content = json_to_string (node, FALSE);
      sqlite3_reset (ins);
      sqlite3_bind_text (ins, 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_text (ins, 2, content, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (ins, 3, i);
      sqlite3_bind_int64 (ins, 4, i);
      g_assert_cmpint (sqlite3_step (ins), ==, SQLITE_DONE);
    }
  g_assert_true (intake_store_batch_commit (store, &error));
  sqlite3_exec (plain, "COMMIT", NULL, NULL, NULL);
  sqlite3_finalize (ins);
  t_fill = now_us () - t_fill;
  sqlite3_prepare_v2 (plain,
                      "SELECT id, form_id, form_version, author, state, is_void, revision, "
                      "content, created, updated FROM interviews ORDER BY updated DESC LIMIT 50",
                      -1, &sel, NULL);

  for (int r = 0; r < rounds; r++)
    {
      g_autoptr (IntakeSession) fresh = NULL;
      g_autoptr (GPtrArray) list = NULL;
      double t0, t1, t2;
      int n = 0;

      /* A fresh unlock each round, as after the lock screen: no record key is cached. The
       * Argon2id cost of the unlock itself is not part of this measurement. */
      fresh = intake_store_unlock (store, "admin", pin, &error);
      g_assert_no_error (error);
      t0 = now_us ();
      list = intake_session_list_interviews (fresh, INTAKE_LIST_ALL, 50, TRUE, &error);
      t1 = now_us ();
      g_assert_no_error (error);
      g_assert_cmpint (list->len, ==, 50);
      g_assert_nonnull (((IntakeInterview *) list->pdata[49])->content);

      sqlite3_reset (sel);
      while (sqlite3_step (sel) == SQLITE_ROW)
        {
          g_autoptr (JsonParser) parser = json_parser_new ();
          /* Parse the content as the home screen would, so that both sides produce the same. */
          json_parser_load_from_data (parser, (const char *) sqlite3_column_text (sel, 7), -1,
                                      NULL);
          n++;
        }
      t2 = now_us ();
      g_assert_cmpint (n, ==, 50);
      g_array_append_val (enc, (double) { t1 - t0 });
      g_array_append_val (raw, (double) { t2 - t1 });
    }
  sqlite3_finalize (sel);
  sqlite3_close (plain);
  m_enc = median (enc);
  m_raw = median (raw);
  g_print ("bench: list ratio=%.2f (newest 50 of %d interviews after unlock: median_ms=%.2f "
           "target<=20; unencrypted median_ms=%.2f; fill_s=%.1f)\n",
           m_enc / m_raw, total, m_enc / 1000, m_raw / 1000, t_fill / 1e6);
}

static void
bench_unlock (const char *dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *data = g_build_filename (dir, "store", NULL);
  g_autoptr (IntakeSecret) pin = intake_secret_new_from_data (PIN, strlen (PIN));
  g_autoptr (IntakeStore) store = NULL;
  g_autoptr (GArray) ours = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) bare = g_array_new (FALSE, FALSE, sizeof (double));
  IntakeKdfParams kdf;
  double calib_s = 0;

  /* The same calibration init runs on a tablet. */
  g_assert_true (intake_kdf_calibrate (0.7, 64 * 1024 * 1024, &kdf, &calib_s, &error));
  store = intake_store_create (data, "admin", pin, &kdf, &error);
  g_assert_no_error (error);
  for (int r = 0; r < 5; r++)
    {
      g_autoptr (IntakeSession) session = NULL;
      guint8 salt[INTAKE_KDF_SALT_BYTES] = { 0 };
      double t0, t1, t2;

      t0 = now_us ();
      session = intake_store_unlock (store, "admin", pin, &error);
      t1 = now_us ();
      g_assert_no_error (error);
      g_clear_pointer (&session, g_object_unref);
      intake_secret_free (intake_kdf_derive (pin, salt, &kdf, &error));
      g_assert_no_error (error);
      t2 = now_us ();
      g_array_append_val (ours, (double) { t1 - t0 });
      g_array_append_val (bare, (double) { t2 - t1 });
    }
  g_print ("bench: unlock ratio=%.3f (unlock_s=%.3f bare_argon2id_s=%.3f argon2id_passes=%"
           G_GUINT64_FORMAT " argon2id_mib=%" G_GUINT64_FORMAT " target 0.5-1 s, >=64 MiB)\n",
           median (ours) / median (bare), median (ours) / 1e6, median (bare) / 1e6, kdf.opslimit,
           kdf.memlimit / (1024 * 1024));
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;

  if (argc != 2 || !intake_crypto_init (&error))
    {
      g_printerr ("usage: bench-store autosave|list|unlock\n");
      return 2;
    }
  dir = g_dir_make_tmp ("intake-bench-XXXXXX", &error);
  g_assert_no_error (error);
  if (g_str_equal (argv[1], "autosave"))
    bench_autosave (dir);
  else if (g_str_equal (argv[1], "list"))
    bench_list (dir);
  else if (g_str_equal (argv[1], "unlock"))
    bench_unlock (dir);
  else
    return 2;
  remove_tree (dir);
  return 0;
}
