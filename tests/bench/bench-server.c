/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Server ingest benchmark (issue #4). Our path is the server's request handler, everything the
 * HTTP layer hands it a body for: device lookup and request signature, JSON parsing, every
 * envelope's hash and device signature, receipt signing, and one transaction through the store
 * interface, then the JSON answer. Only the libmicrohttpd transport is left out, so that the
 * figure is about the server's own work and not loopback TCP. The baseline is a raw prepared
 * INSERT of the same rows, with the same transaction per batch, into a table of the same shape
 * in the same engine. Run for SQLite and for a throwaway PostgreSQL (fsync on, as in
 * production). Prints "bench: server-ingest-BACKEND ratio=R (…)"; asserts nothing about time. */
#include "intake-config.h"

#include "intake-server-request.h"
#include "intake-server.h"
#include "server-harness.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <string.h>

#define BATCH 100
#define BATCHES_PER_ROUND 5
#define ROUNDS 5
#define PLAINTEXT_BYTES 2000

typedef struct
{
  char *body;
  char *signature;
  /* The same rows, decoded, for the baseline. */
  GPtrArray *ids;
  GPtrArray *sealed;
  GPtrArray *hashes;
  GPtrArray *sigs;
} Batch;

static void
batch_free (Batch *b)
{
  g_free (b->body);
  g_free (b->signature);
  g_ptr_array_unref (b->ids);
  g_ptr_array_unref (b->sealed);
  g_ptr_array_unref (b->hashes);
  g_ptr_array_unref (b->sigs);
  g_free (b);
}

static char *device_id;
static guint8 device_pk[crypto_sign_PUBLICKEYBYTES];
static guint8 device_sk[crypto_sign_SECRETKEYBYTES];
static guint8 org_pk[crypto_box_PUBLICKEYBYTES];

static Batch *
make_batch (void)
{
  Batch *b = g_new0 (Batch, 1);
  g_autoptr (GString) body = g_string_new ("{\"envelopes\": [");
  guint8 sig[crypto_sign_BYTES];
  g_autofree char *message = NULL;

  b->ids = g_ptr_array_new_with_free_func (g_free);
  b->sealed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  b->hashes = g_ptr_array_new_with_free_func (g_free);
  b->sigs = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; i < BATCH; i++)
    {
      char *id = intake_uuid_new ();
      g_autofree char *filler = g_strnfill (PLAINTEXT_BYTES, 'a');
      g_autofree char *plain = g_strdup_printf ("{\"format\": \"intake-submission-v1\", "
                                                "\"submission_id\": \"%s\", \"interview\": "
                                                "{\"answers\": {\"x\": \"%s\"}}}",
                                                id, filler);
      GBytes *sealed = intake_seal (org_pk, (const guint8 *) plain, strlen (plain));
      guint8 *hash = g_malloc (crypto_generichash_BYTES);
      guint8 *esig = g_malloc (crypto_sign_BYTES);
      g_autofree char *hash_b64 = NULL;
      g_autofree char *sealed_b64 = NULL;
      g_autofree char *sig_b64 = NULL;
      g_autofree char *msg = NULL;

      crypto_generichash (hash, crypto_generichash_BYTES, g_bytes_get_data (sealed, NULL),
                          g_bytes_get_size (sealed), NULL, 0);
      hash_b64 = intake_server_b64_encode (hash, crypto_generichash_BYTES);
      msg = intake_server_envelope_message (id, hash_b64);
      crypto_sign_detached (esig, NULL, (const guint8 *) msg, strlen (msg), device_sk);
      sealed_b64 = intake_server_b64_encode (g_bytes_get_data (sealed, NULL),
                                             g_bytes_get_size (sealed));
      sig_b64 = intake_server_b64_encode (esig, crypto_sign_BYTES);
      g_string_append_printf (body, "%s{\"submission_id\": \"%s\", \"sealed\": \"%s\", "
                              "\"content_hash\": \"%s\", \"signature\": \"%s\"}",
                              i > 0 ? ", " : "", id, sealed_b64, hash_b64, sig_b64);
      g_ptr_array_add (b->ids, id);
      g_ptr_array_add (b->sealed, sealed);
      g_ptr_array_add (b->hashes, hash);
      g_ptr_array_add (b->sigs, esig);
    }
  g_string_append (body, "]}");
  b->body = g_string_free (g_steal_pointer (&body), FALSE);
  message = intake_server_request_message ("POST", "/v1/submissions", (const guint8 *) b->body,
                                           strlen (b->body));
  crypto_sign_detached (sig, NULL, (const guint8 *) message, strlen (message), device_sk);
  b->signature = intake_server_b64_encode (sig, sizeof sig);
  return b;
}

/* The baseline, one backend each. */
typedef struct
{
  sqlite3 *db;
  sqlite3_stmt *insert;
  PGconn *pg;
} Raw;

static const char raw_table[] =
  "CREATE TABLE submissions (submission_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, "
  "content_hash %1$s NOT NULL, sealed %1$s NOT NULL, signature %1$s NOT NULL, "
  "server_time TEXT NOT NULL, receipt_signature %1$s NOT NULL, received BIGINT NOT NULL)";

static gboolean
raw_open (Raw *raw, const char *url)
{
  if (g_str_has_prefix (url, "sqlite:"))
    {
      g_autofree char *ddl = g_strdup_printf (raw_table, "BLOB");

      if (sqlite3_open (url + strlen ("sqlite:"), &raw->db) != SQLITE_OK ||
          sqlite3_exec (raw->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL", NULL, NULL,
                        NULL) != SQLITE_OK ||
          sqlite3_exec (raw->db, ddl, NULL, NULL, NULL) != SQLITE_OK ||
          sqlite3_prepare_v2 (raw->db, "INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                              -1, &raw->insert, NULL) != SQLITE_OK)
        return FALSE;
      return TRUE;
    }
  else
    {
      g_autofree char *ddl = g_strdup_printf (raw_table, "BYTEA");
      PGresult *res;
      gboolean ok;

      raw->pg = PQconnectdb (url);
      if (PQstatus (raw->pg) != CONNECTION_OK)
        return FALSE;
      res = PQexec (raw->pg, ddl);
      ok = PQresultStatus (res) == PGRES_COMMAND_OK;
      PQclear (res);
      return ok;
    }
}

static void
raw_close (Raw *raw)
{
  if (raw->insert != NULL)
    sqlite3_finalize (raw->insert);
  if (raw->db != NULL)
    sqlite3_close (raw->db);
  if (raw->pg != NULL)
    PQfinish (raw->pg);
}

static gboolean
raw_insert (Raw *raw, Batch *b)
{
  static const guint8 receipt_sig[crypto_sign_BYTES];
  const char *server_time = "2026-01-01T00:00:00Z";

  if (raw->db != NULL)
    {
      if (sqlite3_exec (raw->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return FALSE;
      for (guint i = 0; i < b->ids->len; i++)
        {
          GBytes *sealed = b->sealed->pdata[i];

          sqlite3_reset (raw->insert);
          sqlite3_bind_text (raw->insert, 1, b->ids->pdata[i], -1, SQLITE_STATIC);
          sqlite3_bind_text (raw->insert, 2, device_id, -1, SQLITE_STATIC);
          sqlite3_bind_blob (raw->insert, 3, b->hashes->pdata[i], crypto_generichash_BYTES,
                             SQLITE_STATIC);
          sqlite3_bind_blob (raw->insert, 4, g_bytes_get_data (sealed, NULL),
                             (int) g_bytes_get_size (sealed), SQLITE_STATIC);
          sqlite3_bind_blob (raw->insert, 5, b->sigs->pdata[i], crypto_sign_BYTES, SQLITE_STATIC);
          sqlite3_bind_text (raw->insert, 6, server_time, -1, SQLITE_STATIC);
          sqlite3_bind_blob (raw->insert, 7, receipt_sig, sizeof receipt_sig, SQLITE_STATIC);
          sqlite3_bind_int64 (raw->insert, 8, 1);
          if (sqlite3_step (raw->insert) != SQLITE_DONE)
            return FALSE;
        }
      return sqlite3_exec (raw->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
    }

  PQclear (PQexec (raw->pg, "BEGIN"));
  for (guint i = 0; i < b->ids->len; i++)
    {
      GBytes *sealed = b->sealed->pdata[i];
      const char *values[8] = { b->ids->pdata[i], device_id, b->hashes->pdata[i],
                                g_bytes_get_data (sealed, NULL), b->sigs->pdata[i], server_time,
                                (const char *) receipt_sig, "1" };
      int lengths[8] = { 0, 0, crypto_generichash_BYTES, (int) g_bytes_get_size (sealed),
                         crypto_sign_BYTES, 0, crypto_sign_BYTES, 0 };
      int formats[8] = { 0, 0, 1, 1, 1, 0, 1, 0 };
      PGresult *res = PQexecParams (raw->pg,
                                    "INSERT INTO submissions VALUES ($1, $2, $3, $4, $5, $6, $7, "
                                    "$8)",
                                    8, NULL, values, lengths, formats, 0);
      gboolean ok = PQresultStatus (res) == PGRES_COMMAND_OK;

      PQclear (res);
      if (!ok)
        return FALSE;
    }
  PQclear (PQexec (raw->pg, "COMMIT"));
  return TRUE;
}

/* The batch as the handler hands it to the store: checked, with its receipts signed. */
static GPtrArray *
submissions_for (Batch *b, IntakeSecret *sign_sk)
{
  GPtrArray *subs = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                      intake_server_submission_free);

  for (guint i = 0; i < b->ids->len; i++)
    {
      IntakeServerSubmission *sub = g_new0 (IntakeServerSubmission, 1);
      g_autofree char *hash_b64 = intake_server_b64_encode (b->hashes->pdata[i],
                                                            crypto_generichash_BYTES);
      g_autofree char *msg = NULL;

      sub->submission_id = g_strdup (b->ids->pdata[i]);
      sub->device_id = g_strdup (device_id);
      sub->sealed = g_bytes_ref (b->sealed->pdata[i]);
      memcpy (sub->content_hash, b->hashes->pdata[i], crypto_generichash_BYTES);
      memcpy (sub->signature, b->sigs->pdata[i], crypto_sign_BYTES);
      sub->server_time = intake_server_now_iso8601 ();
      sub->received = g_get_real_time () / G_USEC_PER_SEC;
      msg = intake_server_receipt_message (sub->submission_id, hash_b64, sub->server_time);
      crypto_sign_detached (sub->receipt_signature, NULL, (const guint8 *) msg, strlen (msg),
                            sign_sk->data);
      g_ptr_array_add (subs, sub);
    }
  return subs;
}

static gboolean
ours_ingest (IntakeServer *server, Batch *b)
{
  IntakeServerRequest request = {
    .method = "POST",
    .path = "/v1/submissions",
    .device_id = device_id,
    .signature = b->signature,
    .body = (const guint8 *) b->body,
    .body_len = strlen (b->body),
  };
  g_autoptr (IntakeServerResponse) response = intake_server_handle (server, &request);
  g_autofree char *expected = g_strdup_printf ("stored=%d ", BATCH);

  if (response->status != 200 || response->log_detail == NULL ||
      strstr (response->log_detail, expected) == NULL)
    {
      g_printerr ("bench: unexpected answer %d: %s\n", response->status,
                  response->log_detail != NULL ? response->log_detail : response->body);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  IntakeServer *server;
  GPtrArray *batches;
  guint first;
  guint step;
  gboolean ok;
} Worker;

static gpointer
worker_thread (gpointer data)
{
  Worker *w = data;

  w->ok = TRUE;
  for (guint i = w->first; i < w->batches->len; i += w->step)
    w->ok = w->ok && ours_ingest (w->server, w->batches->pdata[i]);
  return NULL;
}

/* Several devices at once, as libmicrohttpd's thread pool serves them: the signature work runs
 * in parallel and only the store transaction is serialised. */
static gboolean
ours_ingest_concurrently (IntakeServer *server, GPtrArray *batches, guint threads)
{
  Worker workers[8];
  GThread *handles[8];
  gboolean ok = TRUE;

  g_assert (threads <= G_N_ELEMENTS (workers));
  for (guint t = 0; t < threads; t++)
    {
      workers[t] = (Worker) { server, batches, t, threads, FALSE };
      handles[t] = g_thread_new ("ingest", worker_thread, &workers[t]);
    }
  for (guint t = 0; t < threads; t++)
    {
      g_thread_join (handles[t]);
      ok = ok && workers[t].ok;
    }
  return ok;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static gboolean
run_backend (const char *name, const char *ours_url, const char *raw_url)
{
  g_autoptr (GError) error = NULL;
  IntakeServerStore *store = intake_server_store_open (ours_url, &error);
  g_autoptr (IntakeServer) server = NULL;
  g_autoptr (IntakeSecret) sign_sk = intake_secret_new (crypto_sign_SECRETKEYBYTES);
  guint8 sign_pk[crypto_sign_PUBLICKEYBYTES];
  guint8 org_sk[crypto_box_SECRETKEYBYTES];
  guint8 token_hash[crypto_generichash_BYTES];
  g_autoptr (GBytes) v0 = NULL, v1 = NULL, v2 = NULL;
  const char *keys[] = { INTAKE_SERVER_META_SIGN_SK, INTAKE_SERVER_META_SIGN_PK,
                         INTAKE_SERVER_META_ORG_PK };
  GBytes *values[3];
  g_autoptr (IntakeServerDevice) device = NULL;
  Raw raw = { 0 };
  double store_ratios[ROUNDS];
  double ratios[ROUNDS];
  double single_ratios[ROUNDS];
  double store_total = 0, ours_total = 0, raw_total = 0;
  int rows = 0, handler_rows = 0;
  guint threads = CLAMP (g_get_num_processors (), 1, 4);

  if (store == NULL)
    {
      g_printerr ("bench: %s: %s\n", name, error->message);
      return FALSE;
    }
  crypto_sign_keypair (sign_pk, sign_sk->data);
  crypto_box_keypair (org_pk, org_sk);
  v0 = g_bytes_new (sign_sk->data, crypto_sign_SECRETKEYBYTES);
  v1 = g_bytes_new (sign_pk, sizeof sign_pk);
  v2 = g_bytes_new (org_pk, sizeof org_pk);
  values[0] = v0;
  values[1] = v1;
  values[2] = v2;
  randombytes_buf (token_hash, sizeof token_hash);
  g_free (device_id);
  device_id = intake_uuid_new ();
  crypto_sign_keypair (device_pk, device_sk);
  if (!intake_server_store_meta_insert (store, keys, values, 3, &error) ||
      !intake_server_store_device_add (store, "bench", token_hash, G_MAXINT64 / 2, 0, &error) ||
      (device = intake_server_store_device_enroll (store, token_hash, device_id, device_pk, 1,
                                                   &error)) == NULL)
    {
      g_printerr ("bench: %s: %s\n", name, error->message);
      intake_server_store_close (store);
      return FALSE;
    }
  server = intake_server_new (store, &error);
  if (server == NULL || !raw_open (&raw, raw_url))
    {
      g_printerr ("bench: %s: cannot set up\n", name);
      raw_close (&raw);
      return FALSE;
    }

  /* Rounds alternate between our paths and the baseline so that a noisy neighbour hurts all of
   * them; each round gets fresh rows, the same ones for the store path and the baseline. */
  for (int r = 0; r < ROUNDS; r++)
    {
      g_autoptr (GPtrArray) rows_batches = g_ptr_array_new_with_free_func (
        (GDestroyNotify) batch_free);
      g_autoptr (GPtrArray) puts = g_ptr_array_new_with_free_func (
        (GDestroyNotify) g_ptr_array_unref);
      g_autoptr (GPtrArray) batches = g_ptr_array_new_with_free_func ((GDestroyNotify) batch_free);
      g_autoptr (GPtrArray) single = g_ptr_array_new_with_free_func ((GDestroyNotify) batch_free);
      gint64 t2, t3, t4, t_store = 0, t_raw = 0;
      double raw_per_row;

      for (int i = 0; i < BATCHES_PER_ROUND; i++)
        {
          Batch *b = make_batch ();

          g_ptr_array_add (rows_batches, b);
          g_ptr_array_add (puts, submissions_for (b, sign_sk));
        }
      for (int i = 0; i < BATCHES_PER_ROUND * (int) threads; i++)
        g_ptr_array_add (batches, make_batch ());
      for (int i = 0; i < BATCHES_PER_ROUND; i++)
        g_ptr_array_add (single, make_batch ());

      /* Which of the two goes first alternates from round to round: the first one of a round
       * finds the database's own work from the round before (its WAL, its checkpoint). */
      for (int side = 0; side < 2; side++)
        {
          if ((side == 0) == (r % 2 == 0))
            {
              gint64 s0 = g_get_monotonic_time ();
              for (guint i = 0; i < puts->len; i++)
                if (!intake_server_store_submissions_put (intake_server_get_store (server),
                                                          puts->pdata[i], NULL, NULL, &error))
                  {
                    g_printerr ("bench: %s: %s\n", name, error->message);
                    return FALSE;
                  }
              t_store = g_get_monotonic_time () - s0;
            }
          else
            {
              gint64 s0 = g_get_monotonic_time ();
              for (guint i = 0; i < rows_batches->len; i++)
                if (!raw_insert (&raw, rows_batches->pdata[i]))
                  {
                    g_printerr ("bench: %s: raw insert failed\n", name);
                    return FALSE;
                  }
              t_raw = g_get_monotonic_time () - s0;
            }
        }
      t2 = g_get_monotonic_time ();
      if (!ours_ingest_concurrently (server, batches, threads))
        return FALSE;
      t3 = g_get_monotonic_time ();
      for (guint i = 0; i < single->len; i++)
        if (!ours_ingest (server, single->pdata[i]))
          return FALSE;
      t4 = g_get_monotonic_time ();

      /* ratio = our rate / raw rate = raw time / our time, for the same number of rows. */
      raw_per_row = (double) t_raw / (rows_batches->len * BATCH);
      store_ratios[r] = (double) t_raw / (double) MAX (t_store, 1);
      ratios[r] = raw_per_row / ((double) MAX (t3 - t2, 1) / (batches->len * BATCH));
      single_ratios[r] = raw_per_row / ((double) MAX (t4 - t3, 1) / (single->len * BATCH));
      store_total += (double) t_store;
      raw_total += (double) t_raw;
      ours_total += (double) (t3 - t2);
      rows += (int) rows_batches->len * BATCH;
      handler_rows += (int) batches->len * BATCH;
    }
  raw_close (&raw);
  qsort (store_ratios, ROUNDS, sizeof store_ratios[0], cmp_double);
  qsort (ratios, ROUNDS, sizeof ratios[0], cmp_double);
  qsort (single_ratios, ROUNDS, sizeof single_ratios[0], cmp_double);
  g_print ("bench: server-ingest-%s ratio=%.3f (store path: %d signed envelopes of %d bytes in "
           "transactions of %d through IntakeServerStore against a raw INSERT of the same rows, "
           "median of %d rounds: ours=%.0f/s raw=%.0f/s; whole request handler without HTTP "
           "(JSON, request and envelope signatures, receipt signing, store), %u devices at "
           "once: handler_ratio=%.3f ours=%.0f/s, one at a time: handler_ratio=%.3f)\n",
           name, store_ratios[ROUNDS / 2], rows, PLAINTEXT_BYTES, BATCH, ROUNDS,
           rows / (store_total / G_USEC_PER_SEC), rows / (raw_total / G_USEC_PER_SEC), threads,
           ratios[ROUNDS / 2], handler_rows / (ours_total / G_USEC_PER_SEC),
           single_ratios[ROUNDS / 2]);
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *ours = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *rm = NULL;
  const char *which = argc > 1 ? argv[1] : NULL;
  gboolean ok = TRUE;

  if (sodium_init () < 0)
    return 1;

  /* With no argument, both backends, SQLite first. */
  if (which == NULL || g_strcmp0 (which, "sqlite") == 0)
    {
      dir = g_dir_make_tmp ("intake-bench-server-XXXXXX", &error);
      if (dir == NULL)
        return 1;
      ours = g_strdup_printf ("sqlite:%s/ours.db", dir);
      raw = g_strdup_printf ("sqlite:%s/raw.db", dir);
      ok = run_backend ("sqlite", ours, raw);
      rm = g_strdup_printf ("rm -rf '%s'", dir);
      g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL);
      g_clear_pointer (&ours, g_free);
      g_clear_pointer (&raw, g_free);
    }
  if (which == NULL || g_strcmp0 (which, "postgresql") == 0)
    {
      IntakeTestPg *pg = intake_test_pg_start (TRUE, &error);

      if (pg == NULL)
        {
          g_printerr ("bench: postgresql: %s\n", error->message);
          return 1;
        }
      ours = intake_test_pg_create_database (pg, "ours", &error);
      raw = ours != NULL ? intake_test_pg_create_database (pg, "raw", &error) : NULL;
      ok = raw != NULL && run_backend ("postgresql", ours, raw) && ok;
      intake_test_pg_stop (pg);
    }
  g_free (device_id);
  return ok ? 0 : 1;
}
