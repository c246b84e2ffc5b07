/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sync engine through network faults, made by the suite's own proxy between the engine and
 * the real server: every case ends with each interview on the server exactly once and nothing
 * lost on the tablet. Then the sync process killed (SIGKILL) mid-batch, 100 times. */
#include "intake-config.h"

#include <curl/curl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "intake-receipt.h"
#include "sync-fixture.h"

#include <sqlite3.h>

static void
quick_options (IntakeSyncOptions *o)
{
  intake_sync_options_init (o);
  /* Small batches, so that a fault on one request leaves others to go through, and short
   * timeouts, so that a stalled server is given up on quickly. */
  o->batch_count = 10;
  o->connect_timeout_ms = 2000;
  o->low_speed_time_s = 2;
  o->total_timeout_s = 4;
}

/* Passes until the outbox is empty (at most a few, as a person pressing "sync now"). */
static void
drain (SyncFixture *f)
{
  IntakeSyncOptions o;

  quick_options (&o);
  for (int i = 0; i < 6; i++)
    {
      g_auto (IntakeSyncReport) r = { 0 };
      g_autoptr (GError) error = NULL;
      g_assert_true (intake_sync_pass (f->store, &o, NULL, &r, &error));
      if (r.outcome == INTAKE_SYNC_DONE)
        return;
      g_assert_cmpint (r.outcome, ==, INTAKE_SYNC_LATER);
    }
  g_error ("the outbox did not drain after the fault was gone");
}

typedef struct
{
  const char *name;
  const char *command;
  /* What the faulted pass must report. */
  IntakeSyncOutcome outcome;
  int retry_after_s;
} FaultCase;

/* The server's receipt-signing key, read from its database (the test's own), so that forged
 * answers can be signed exactly as the server would sign them. */
static void
server_sign_sk (SyncFixture *f, guint8 sk[crypto_sign_SECRETKEYBYTES])
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_true (g_str_has_prefix (f->db_url, "sqlite:"));
  g_assert_cmpint (sqlite3_open_v2 (f->db_url + strlen ("sqlite:"), &db, SQLITE_OPEN_READONLY,
                                    NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT value FROM meta WHERE key = 'server_sign_sk'",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_bytes (stmt, 0), ==, crypto_sign_SECRETKEYBYTES);
  memcpy (sk, sqlite3_column_blob (stmt, 0), crypto_sign_SECRETKEYBYTES);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* Batch receipts for the given ids and hashes, as the server makes them, signed by sk: one
 * receipt object per leaf, as JSON text. */
static GPtrArray *
batch_receipts (GPtrArray *ids, GPtrArray *hashes, const guint8 *sk)
{
  g_autofree guint8 *leaves = g_malloc (ids->len * INTAKE_HASH_BYTES);
  g_autoptr (IntakeReceiptTree) tree = NULL;
  g_autofree char *message = NULL;
  g_autofree char *sig_b64 = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  guint8 sig[crypto_sign_BYTES];

  for (guint i = 0; i < ids->len; i++)
    intake_receipt_leaf_hash (ids->pdata[i], hashes->pdata[i], "2026-01-01T00:00:00Z",
                              leaves + i * INTAKE_HASH_BYTES);
  tree = intake_receipt_tree_new (leaves, ids->len);
  message = intake_receipt_batch_message (ids->len, intake_receipt_tree_root (tree));
  crypto_sign_detached (sig, NULL, (const guint8 *) message, strlen (message), sk);
  sig_b64 = g_base64_encode (sig, sizeof sig);
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr (GBytes) path = intake_receipt_tree_path (tree, i);
      gsize len;
      const guint8 *p = g_bytes_get_data (path, &len);
      g_autofree char *path_b64 = g_base64_encode (p, len);

      g_ptr_array_add (out, g_strdup_printf ("{\"submission_id\": \"%s\", \"content_hash\": "
                                             "\"%s\", \"server_time\": \"2026-01-01T00:00:00Z\", "
                                             "\"index\": %u, \"count\": %u, \"path\": \"%s\", "
                                             "\"root_signature\": \"%s\"}",
                                             (const char *) ids->pdata[i],
                                             (const char *) hashes->pdata[i], i, ids->len,
                                             path_b64, sig_b64));
    }
  return out;
}

/* A well-formed 200 with a receipt for each envelope of the next batch that is not the server's
 * receipt for it; the engine must not mark anything sent:
 *   OTHER       a tree signed by the server's own key, over leaves for other content (the same
 *               ids, another hash)
 *   FOREIGN     a tree over exactly these envelopes, its root signed by another key
 *   OTHER-ROOT  each receipt for exactly its envelope, with the path and root signature of
 *               another batch that the server's key signed */
static char *
forged_response (SyncFixture *f, const char *kind)
{
  g_autoptr (GPtrArray) batch = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();
  g_autoptr (GPtrArray) hashes = g_ptr_array_new ();
  g_autoptr (GPtrArray) other_hashes = g_ptr_array_new ();
  g_autoptr (GPtrArray) receipts = NULL;
  GString *body = g_string_new ("{\"results\": [");
  g_autofree char *path = g_build_filename (f->tmp, "forged.http", NULL);
  g_autofree char *response = NULL;
  guint8 sk[crypto_sign_SECRETKEYBYTES], stranger_pk[crypto_sign_PUBLICKEYBYTES];
  guint8 stranger_sk[crypto_sign_SECRETKEYBYTES];
  const char *other = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

  server_sign_sk (f, sk);
  crypto_sign_keypair (stranger_pk, stranger_sk);
  batch = intake_outbox_pending (f->store, 10, 1 << 30, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < batch->len; i++)
    {
      IntakeEnvelope *env = batch->pdata[i];
      g_ptr_array_add (ids, env->submission_id);
      g_ptr_array_add (hashes, env->content_hash);
      g_ptr_array_add (other_hashes, (gpointer) other);
    }
  if (g_str_equal (kind, "OTHER"))
    receipts = batch_receipts (ids, other_hashes, sk);
  else if (g_str_equal (kind, "FOREIGN"))
    receipts = batch_receipts (ids, hashes, stranger_sk);
  else
    {
      /* The same envelopes in another order, one more leaf: another root, validly signed. */
      g_autoptr (GPtrArray) shuffled_ids = g_ptr_array_new ();
      g_autoptr (GPtrArray) shuffled_hashes = g_ptr_array_new ();
      g_autoptr (GPtrArray) real = NULL;
      g_autoptr (GPtrArray) elsewhere = NULL;

      g_assert_cmpstr (kind, ==, "OTHER-ROOT");
      for (guint i = batch->len; i-- > 0;)
        {
          g_ptr_array_add (shuffled_ids, ids->pdata[i]);
          g_ptr_array_add (shuffled_hashes, other_hashes->pdata[i]);
        }
      real = batch_receipts (ids, hashes, sk);
      elsewhere = batch_receipts (shuffled_ids, shuffled_hashes, sk);
      receipts = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < batch->len; i++)
        {
          /* This envelope's fields and index, the other batch's path, count and signature. */
          const char *mine = real->pdata[i];
          const char *theirs = elsewhere->pdata[batch->len - 1 - i];
          const char *cut_mine = strstr (mine, "\"path\"");
          const char *cut_theirs = strstr (theirs, "\"path\"");
          g_autofree char *head = NULL;

          g_assert_nonnull (cut_mine);
          g_assert_nonnull (cut_theirs);
          head = g_strndup (mine, cut_mine - mine);
          g_ptr_array_add (receipts, g_strconcat (head, cut_theirs, NULL));
        }
    }
  for (guint i = 0; i < batch->len; i++)
    g_string_append_printf (body, "%s{\"submission_id\": \"%s\", \"status\": 200, "
                                  "\"receipt\": %s}",
                            i ? ", " : "", (const char *) ids->pdata[i],
                            (const char *) receipts->pdata[i]);
  g_string_append (body, "]}");
  response = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                              "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                              body->len, body->str);
  g_string_free (body, TRUE);
  g_assert_true (g_file_set_contents (path, response, -1, NULL));
  return g_steal_pointer (&path);
}

static void
test_fault (gconstpointer data)
{
  const FaultCase *fc = data;
  SyncFixture f;
  g_autoptr (GHashTable) expected = NULL;
  g_autofree char *command = NULL;
  Proxy *proxy;
  IntakeSyncOptions o;

  sync_fixture_setup (&f, FALSE, NULL, NULL);
  proxy = proxy_start (f.serve->port);
  sync_fixture_enroll (&f, proxy->url, NULL);
  /* A first pass with nothing queued checks the device and the forms, so that the faulted pass
   * begins with a submission. */
  drain (&f);
  expected = sync_fixture_queue (&f, 30);

  if (g_str_has_prefix (fc->command, "forge "))
    {
      /* Every answer of the pass replaced, so that no real receipt comes through. */
      g_autofree char *file = forged_response (&f, fc->command + strlen ("forge "));
      command = g_strdup_printf ("replace-response %s count=0", file);
    }
  else
    command = g_strdup (fc->command);
  proxy_cmd (proxy, command);
  quick_options (&o);
  {
    g_auto (IntakeSyncReport) r = { 0 };
    g_autoptr (GError) error = NULL;
    g_assert_true (intake_sync_pass (f.store, &o, NULL, &r, &error));
    g_test_message ("%s: %s", fc->name, r.message ? r.message : "");
    g_assert_cmpint (r.outcome, ==, fc->outcome);
    if (fc->retry_after_s >= 0)
      g_assert_cmpint (r.retry_after_s, ==, fc->retry_after_s);
    /* Nothing was lost: what was not acknowledged is still pending. */
    g_assert_cmpint (r.pending + r.sent, >=, 1);
    /* A receipt that is not the server's for exactly that envelope marks nothing sent. */
    if (g_str_has_prefix (fc->command, "forge "))
      g_assert_cmpint (r.sent, ==, 0);
  }
  proxy_cmd (proxy, "pass");
  drain (&f);
  sync_fixture_assert_delivered (&f, expected);
  proxy_stop (proxy);
  sync_fixture_teardown (&f);
}

static void
test_slow_lossy_link (void)
{
  SyncFixture f;
  g_autoptr (GHashTable) expected = NULL;
  IntakeSyncOptions o;
  Proxy *proxy;
  int passes = 0;

  sync_fixture_setup (&f, FALSE, NULL, NULL);
  proxy = proxy_start (f.serve->port);
  sync_fixture_enroll (&f, proxy->url, NULL);
  expected = sync_fixture_queue (&f, 60);
  proxy_cmd (proxy, "latency 30");
  proxy_cmd (proxy, "bandwidth 200000");
  proxy_cmd (proxy, "loss 30 seed=7");
  quick_options (&o);
  for (;;)
    {
      g_auto (IntakeSyncReport) r = { 0 };
      g_autoptr (GError) error = NULL;
      g_assert_true (intake_sync_pass (f.store, &o, NULL, &r, &error));
      passes++;
      if (r.outcome == INTAKE_SYNC_DONE)
        break;
      g_assert_cmpint (r.outcome, ==, INTAKE_SYNC_LATER);
      g_assert_cmpint (passes, <, 100);
    }
  g_test_message ("60 interviews over a lossy, slow link in %d passes", passes);
  sync_fixture_assert_delivered (&f, expected);
  proxy_stop (proxy);
  sync_fixture_teardown (&f);
}

static int
kill_iterations (void)
{
  const char *env = g_getenv ("INTAKE_SYNC_KILL_ITERATIONS");
  return env ? atoi (env) : 100;
}

static void
test_killed_mid_batch (void)
{
  SyncFixture f;
  g_autoptr (GHashTable) expected = NULL;
  const char *intakectl = g_getenv ("INTAKECTL");
  Proxy *proxy;
  int n = kill_iterations ();
  int killed_running = 0;

  g_assert_nonnull (intakectl);
  sync_fixture_setup (&f, FALSE, NULL, NULL);
  proxy = proxy_start (f.serve->port);
  sync_fixture_enroll (&f, proxy->url, NULL);
  /* Slow enough that a pass spans many kill points. */
  proxy_cmd (proxy, "latency 25");
  expected = sync_fixture_queue (&f, 40);
  for (int round = 0; round < n; round++)
    {
      const char *argv[] = { intakectl, "--data-dir", f.tablet_dir, "sync", NULL };
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
      GPid pid;
      int status;

        {
          /* Work in the outbox for every round: each run is killed while it sends. */
          g_autoptr (GHashTable) more = sync_fixture_queue (&f, 20);
          GHashTableIter it;
          gpointer k, v;
          g_hash_table_iter_init (&it, more);
          while (g_hash_table_iter_next (&it, &k, &v))
            {
              g_hash_table_iter_steal (&it);
              g_hash_table_insert (expected, k, v);
            }
        }
      g_spawn_async (NULL, (char **) argv, NULL,
                     G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL
                         | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &pid, &error);
      g_assert_no_error (error);
      g_usleep (g_test_rand_int_range (5000, 100000));
      kill (pid, SIGKILL);
      waitpid (pid, &status, 0);
      g_spawn_close_pid (pid);
      if (WIFSIGNALED (status))
        killed_running++;
      /* The tablet's store is whole after every kill. */
      g_assert_true (intake_store_verify (f.store, f.admin, problems, NULL, &error));
    }
  g_test_message ("%d runs of 'intakectl sync', %d killed while running", n, killed_running);
  g_assert_cmpint (killed_running, >, n / 2);
  proxy_cmd (proxy, "latency 0");
  drain (&f);
  sync_fixture_assert_delivered (&f, expected);
  proxy_stop (proxy);
  sync_fixture_teardown (&f);
}

/* A batch the server finds too large (413) is sent again in smaller batches in the same pass:
 * its envelopes, already read once, are read again, and nothing is left behind. */
static void
test_too_large (void)
{
  SyncFixture f;
  g_autoptr (GHashTable) expected = NULL;
  g_auto (IntakeSyncReport) r = { 0 };
  g_autoptr (GError) error = NULL;
  IntakeSyncOptions o;
  Proxy *proxy;

  sync_fixture_setup (&f, FALSE, NULL, NULL);
  proxy = proxy_start (f.serve->port);
  sync_fixture_enroll (&f, proxy->url, NULL);
  drain (&f);
  expected = sync_fixture_queue (&f, 30);
  proxy_cmd (proxy, "respond 413 count=1");
  quick_options (&o);
  g_assert_true (intake_sync_pass (f.store, &o, NULL, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r.outcome, ==, INTAKE_SYNC_DONE);
  g_assert_cmpint (r.sent, ==, 30);
  g_assert_cmpint (r.pending, ==, 0);
  sync_fixture_assert_delivered (&f, expected);
  proxy_stop (proxy);
  sync_fixture_teardown (&f);
}

/* An HTTP answer with this body, in a file for the proxy's replace-response. */
static char *
response_file (SyncFixture *f, const char *name, const GString *body)
{
  g_autofree char *path = g_build_filename (f->tmp, name, NULL);
  g_autoptr (GString) response = g_string_new (NULL);

  g_string_printf (response, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             "Content-Length: %" G_GSIZE_FORMAT "\r\nConnection: close\r\n\r\n",
                   body->len);
  g_string_append_len (response, body->str, (gssize) body->len);
  g_assert_true (g_file_set_contents (path, response->str, (gssize) response->len, NULL));
  return g_steal_pointer (&path);
}

/* Two megabytes of brackets behind a decoy that json-glib reads and JSON does not have: json-glib
 * alone recursed once per bracket on the tablet's stack. */
static GString *
hostile_body (const char *decoy)
{
  GString *body = g_string_new (decoy);

  for (int i = 0; i < 2 * 1024 * 1024; i++)
    g_string_append_c (body, '[');
  return body;
}

/* The server's answers are untrusted text: a compromised server, or anyone who answers in its
 * place, gets the enrollment refused with a reason, never a crashed tablet. */
static void
test_hostile_enroll_answer (void)
{
  static const struct
  {
    const char *decoy;
    const char *says;
  } cases[] = {
    { "['\"', ", "single-quoted" },
    { "[/\"/ ", "comment" },
    { "", "deeper than" },
    { "{\"org_data_pk\": \"AAAA\", // the rest\n \"server_sign_pk\": \"AAAA\"}", "comment" },
  };
  SyncFixture f;
  Proxy *proxy;

  sync_fixture_setup (&f, FALSE, NULL, NULL);
  proxy = proxy_start (f.serve->port);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GString) body = i < 3 ? hostile_body (cases[i].decoy)
                                       : g_string_new (cases[i].decoy);
      g_autofree char *name = g_strdup_printf ("enroll-%u.http", i);
      g_autofree char *file = response_file (&f, name, body);
      g_autofree char *command = g_strdup_printf ("replace-response %s count=1", file);
      g_autofree char *device = g_strdup_printf ("tablet-%u", i);
      g_autofree char *token = sync_fixture_new_token (&f, device);
      g_autoptr (GError) error = NULL;

      proxy_cmd (proxy, command);
      g_assert_false (intake_sync_enroll (f.admin, proxy->url, token, NULL, NULL, &error));
      g_test_message ("%s", error->message);
      g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_BAD_RESPONSE);
      g_assert_nonnull (strstr (error->message, cases[i].says));
      {
        g_autoptr (IntakeEnrollment) e = intake_store_dup_enrollment (f.store, NULL);
        g_assert_null (e);
      }
    }
  proxy_stop (proxy);
  sync_fixture_teardown (&f);
}

/* The same for every answer of a sync pass: the pass ends "later" with nothing marked sent, and
 * once the answers are the server's again everything arrives. */
static void
test_hostile_sync_answers (void)
{
  static const char *const decoys[] = { "{\"results\": ['\"', ", "{\"status\": /\"/ [" };
  SyncFixture f;
  g_autoptr (GHashTable) expected = NULL;
  IntakeSyncOptions o;
  Proxy *proxy;

  sync_fixture_setup (&f, FALSE, NULL, NULL);
  proxy = proxy_start (f.serve->port);
  sync_fixture_enroll (&f, proxy->url, NULL);
  drain (&f);
  expected = sync_fixture_queue (&f, 12);
  quick_options (&o);
  for (guint i = 0; i < G_N_ELEMENTS (decoys); i++)
    {
      g_autoptr (GString) body = hostile_body (decoys[i]);
      g_autofree char *name = g_strdup_printf ("sync-%u.http", i);
      g_autofree char *file = response_file (&f, name, body);
      g_autofree char *command = g_strdup_printf ("replace-response %s count=0", file);
      g_auto (IntakeSyncReport) r = { 0 };
      g_autoptr (GError) error = NULL;

      proxy_cmd (proxy, command);
      g_assert_true (intake_sync_pass (f.store, &o, NULL, &r, &error));
      g_assert_no_error (error);
      g_test_message ("%s", r.message ? r.message : "");
      g_assert_cmpint (r.outcome, ==, INTAKE_SYNC_LATER);
      g_assert_cmpint (r.sent, ==, 0);
      g_assert_cmpint (r.pending, ==, 12);
    }
  proxy_cmd (proxy, "pass");
  drain (&f);
  sync_fixture_assert_delivered (&f, expected);
  proxy_stop (proxy);
  sync_fixture_teardown (&f);
}

static const FaultCase cases[] = {
  { "refused", "refuse", INTAKE_SYNC_LATER, -1 },
  { "reset-mid-request", "reset-request", INTAKE_SYNC_LATER, -1 },
  { "reset-after-commit", "reset-response", INTAKE_SYNC_LATER, -1 },
  { "timeout", "stall", INTAKE_SYNC_LATER, -1 },
  { "500", "respond 500", INTAKE_SYNC_LATER, -1 },
  { "503-retry-after", "respond 503 retry-after=7", INTAKE_SYNC_LATER, 7 },
  { "429-after-commit", "respond 429 forward=1", INTAKE_SYNC_LATER, -1 },
  { "truncated-response", "truncate-response", INTAKE_SYNC_LATER, -1 },
  { "garbled-response", "garble-response", INTAKE_SYNC_LATER, -1 },
  { "receipt-for-other-content", "forge OTHER", INTAKE_SYNC_LATER, -1 },
  { "receipt-signed-by-another-key", "forge FOREIGN", INTAKE_SYNC_LATER, -1 },
  { "receipt-path-to-another-root", "forge OTHER-ROOT", INTAKE_SYNC_LATER, -1 },
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!intake_crypto_init (NULL))
    return 1;
  curl_global_init (CURL_GLOBAL_DEFAULT);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/intake/sync/fault/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], test_fault);
    }
  g_test_add_func ("/intake/sync/fault/413-smaller-batches", test_too_large);
  g_test_add_func ("/intake/sync/fault/hostile-enroll-answer", test_hostile_enroll_answer);
  g_test_add_func ("/intake/sync/fault/hostile-sync-answers", test_hostile_sync_answers);
  g_test_add_func ("/intake/sync/fault/slow-lossy-link", test_slow_lossy_link);
  g_test_add_func ("/intake/sync/fault/killed-mid-batch", test_killed_mid_batch);
  return g_test_run ();
}
