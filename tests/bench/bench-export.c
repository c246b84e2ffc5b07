/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `intake-server export` memory (issue #13): the export streams, one envelope in memory at a
 * time, so its peak resident memory must stay about the same whether the database holds 100 or
 * 100,000 envelopes. This builds both databases (real envelopes: sealed to the organisation
 * key, signed by an enrolled device, stored through the store interface), runs the real
 * intake-server export on each, JSON and CSV, and prints each run's peak RSS as the kernel
 * counted it (wait4's ru_maxrss). Prints "bench: export-memory ..." last; asserts nothing about
 * time. INTAKE_SERVER names the intake-server to run. */
#include "intake-config.h"

#include "intake-server-request.h"
#include "intake-server-store.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define BATCH 1000

static const char *server_bin;

/* Runs intake-server with stdout to /dev/null; returns its peak RSS in KiB, or -1. */
static long
run_peak_kib (char **argv, gboolean *ok)
{
  struct rusage usage;
  int status = 0;
  pid_t pid = fork ();

  if (pid == 0)
    {
      int null_fd = open ("/dev/null", O_WRONLY);

      dup2 (null_fd, STDOUT_FILENO);
      execv (argv[0], argv);
      _exit (127);
    }
  if (pid < 0 || wait4 (pid, &status, 0, &usage) != pid)
    return -1;
  *ok = WIFEXITED (status) && WEXITSTATUS (status) == 0;
  return usage.ru_maxrss;
}

static char *
make_database (const char *dir, guint count, char **key_out)
{
  g_autofree char *db = g_strdup_printf ("sqlite:%s/export-%u.db", dir, count);
  g_autofree char *key = g_strdup_printf ("%s/org-%u.key", dir, count);
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeServerStore) store = NULL;
  g_autoptr (GBytes) org_pk = NULL;
  g_autoptr (IntakeServerDevice) enrolled = NULL;
  g_autofree char *device_id = intake_uuid_new ();
  guint8 token_hash[INTAKE_HASH_BYTES];
  guint8 pk[crypto_sign_PUBLICKEYBYTES];
  guint8 sk[crypto_sign_SECRETKEYBYTES];
  char *init_argv[] = { (char *) server_bin, "--db", db, "init", "--secret-key-out", key, NULL };
  gboolean ok = FALSE;

  if (run_peak_kib (init_argv, &ok) < 0 || !ok)
    g_error ("intake-server init failed");
  store = intake_server_store_open (db, &error);
  g_assert_no_error (error);
  org_pk = intake_server_store_meta_get (store, "org_data_pk", &error);
  g_assert_no_error (error);
  randombytes_buf (token_hash, sizeof token_hash);
  crypto_sign_keypair (pk, sk);
  g_assert_true (intake_server_store_device_add (store, "tablet", token_hash, G_MAXINT64 / 2, 0,
                                                 &error));
  enrolled = intake_server_store_device_enroll (store, token_hash, device_id, pk, 1, &error);
  g_assert_no_error (error);

  for (guint done = 0; done < count;)
    {
      g_autoptr (GPtrArray) subs = g_ptr_array_new_with_free_func (
        (GDestroyNotify) intake_server_submission_free);

      for (guint i = 0; i < BATCH && done < count; i++, done++)
        {
          IntakeServerSubmission *sub = g_new0 (IntakeServerSubmission, 1);
          g_autofree char *plain = NULL;
          g_autofree char *hash_b64 = NULL;
          g_autofree char *msg = NULL;

          sub->submission_id = intake_uuid_new ();
          sub->device_id = g_strdup (device_id);
          /* About the size of a real screening: some 40 answers. */
          plain = g_strdup_printf (
            "{\"format\": \"intake-submission-v1\", \"submission_id\": \"%s\", "
            "\"device_id\": \"%s\", \"sealed_at\": \"2026-01-01T00:00:00Z\", "
            "\"interview\": {\"id\": \"iv-%u\", \"form_id\": \"trafficking-screening\", "
            "\"form_version\": 2, \"author\": \"worker\", \"void\": false, "
            "\"created\": \"2026-01-01T00:00:00Z\", \"pseudonym\": \"Frost Shore %u\", "
            "\"answers\": {\"age\": %u, \"sector\": \"fishing\", \"consent\": \"full\", "
            "\"private_setting\": \"yes\", \"location_type\": \"port_vessel\", "
            "\"interview_language\": \"id\", \"interpreter\": \"none\", "
            "\"danger_now\": \"no\", \"needs_care\": \"no\", \"recruiter\": \"broker\", "
            "\"job_not_as_promised\": \"yes\", \"pay_not_as_promised\": \"yes\", "
            "\"conditions_not_as_promised\": \"yes\", \"contract_kept\": \"no\", "
            "\"recruitment_fee\": \"yes\", \"first_months_deducted\": \"yes\", "
            "\"costs_disclosed\": \"no\", \"collateral_held\": \"no\", "
            "\"family_need\": \"yes\", \"notes\": \"%0200u\"}, "
            "\"review_note\": null, \"void_reason\": null, "
            "\"screening_result\": {\"level\": \"high\", \"urgent\": false, "
            "\"reasons\": [\"r1\", \"r2\"]}}}",
            sub->submission_id, device_id, done, done, 18 + done % 50, done);
          sub->sealed = intake_seal (g_bytes_get_data (org_pk, NULL), (const guint8 *) plain,
                                     strlen (plain));
          crypto_generichash (sub->content_hash, sizeof sub->content_hash,
                              g_bytes_get_data (sub->sealed, NULL),
                              g_bytes_get_size (sub->sealed), NULL, 0);
          hash_b64 = intake_server_b64_encode (sub->content_hash, sizeof sub->content_hash);
          msg = intake_server_envelope_message (sub->submission_id, hash_b64);
          crypto_sign_detached (sub->signature, NULL, (const guint8 *) msg, strlen (msg), sk);
          sub->server_time = g_strdup ("2026-01-01T00:00:00Z");
          sub->received = 1 + done;
          g_ptr_array_add (subs, sub);
        }
      g_assert_true (intake_server_store_submissions_put (store, subs, NULL, NULL, &error));
      g_assert_no_error (error);
    }
  *key_out = g_steal_pointer (&key);
  return g_steal_pointer (&db);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  const guint counts[] = { 100, argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 100000 };
  long peak[2][2];

  server_bin = g_getenv ("INTAKE_SERVER");
  if (server_bin == NULL)
    g_error ("INTAKE_SERVER names the intake-server to measure");
  if (!intake_crypto_init (&error))
    g_error ("%s", error->message);
  dir = g_dir_make_tmp ("bench-export-XXXXXX", &error);
  g_assert_no_error (error);

  for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
    {
      g_autofree char *key = NULL;
      g_autofree char *db = make_database (dir, counts[c], &key);
      const char *formats[] = { "json", "csv" };

      for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
        {
          char *export_argv[] = { (char *) server_bin, "--db", db, "export", "--secret-key",
                                  key, "--format", (char *) formats[f], NULL };
          gboolean ok = FALSE;

          peak[c][f] = run_peak_kib (export_argv, &ok);
          if (!ok)
            g_error ("export of %u envelopes as %s failed", counts[c], formats[f]);
          g_print ("export of %u envelopes as %s: peak RSS %ld KiB\n", counts[c], formats[f],
                   peak[c][f]);
        }
    }
  g_print ("bench: export-memory json %u=%ld KiB %u=%ld KiB ratio=%.2f; csv %u=%ld KiB %u=%ld "
           "KiB ratio=%.2f\n",
           counts[0], peak[0][0], counts[1], peak[1][0], (double) peak[1][0] / peak[0][0],
           counts[0], peak[0][1], counts[1], peak[1][1], (double) peak[1][1] / peak[0][1]);
  {
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        g_unlink (path);
      }
    g_rmdir (dir);
  }
  return 0;
}
