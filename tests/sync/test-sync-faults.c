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

#include "sync-fixture.h"

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

static char *
other_content_response (SyncFixture *f)
{
  /* A well-formed 200 whose receipts are for other content (another hash, signed by a key that
   * is not the server's): the engine must not mark anything sent. */
  g_autoptr (GPtrArray) batch = NULL;
  g_autoptr (GError) error = NULL;
  GString *body = g_string_new ("{\"results\": [");
  g_autofree char *path = g_build_filename (f->tmp, "other-content.http", NULL);
  g_autofree char *response = NULL;
  guint8 pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];

  crypto_sign_keypair (pk, sk);
  batch = intake_store_outbox_pending (f->store, 10, 1 << 30, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < batch->len; i++)
    {
      IntakeEnvelope *env = batch->pdata[i];
      const char *hash = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
      g_autofree char *message = g_strdup_printf ("intake-receipt-v1\n%s\n%s\n2026-01-01T00:00:00Z",
                                                  env->submission_id, hash);
      guint8 sig[crypto_sign_BYTES];
      g_autofree char *sig_b64 = NULL;

      crypto_sign_detached (sig, NULL, (const guint8 *) message, strlen (message), sk);
      sig_b64 = g_base64_encode (sig, sizeof sig);
      g_string_append_printf (body,
                              "%s{\"submission_id\": \"%s\", \"status\": 200, \"receipt\": "
                              "{\"submission_id\": \"%s\", \"content_hash\": \"%s\", "
                              "\"server_time\": \"2026-01-01T00:00:00Z\", \"signature\": \"%s\"}}",
                              i ? ", " : "", env->submission_id, env->submission_id, hash,
                              sig_b64);
    }
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

  if (g_str_equal (fc->command, "replace-response OTHER"))
    {
      g_autofree char *file = other_content_response (&f);
      command = g_strdup_printf ("replace-response %s", file);
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
  { "receipt-for-other-content", "replace-response OTHER", INTAKE_SYNC_LATER, -1 },
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
  g_test_add_func ("/intake/sync/fault/slow-lossy-link", test_slow_lossy_link);
  g_test_add_func ("/intake/sync/fault/killed-mid-batch", test_killed_mid_batch);
  return g_test_run ();
}
