/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tablet's sync engine against the real server over loopback: delivery with verified
 * receipts, exactly once; a second pass sends nothing; revocation, wipe orders, signed forms,
 * enrollment checks, TLS verification and pinning, and the long-lived engine. */
#include "intake-config.h"

#include <curl/curl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "intake-provisioning.h"
#include "intake-sync-engine.h"
#include "sync-fixture.h"

static int
run_server (SyncFixture *f, const char *a, const char *b, const char *c)
{
  return intake_test_run (f->server_bin, NULL, NULL, "--db", f->db_url, a, b, c, NULL);
}

static void
pass (SyncFixture *f, IntakeSyncReport *report)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (intake_sync_pass (f->store, NULL, NULL, report, &error));
  g_assert_no_error (error);
}

static void
test_deliver_500 (void)
{
  SyncFixture f;
  g_autoptr (GHashTable) expected = NULL;
  g_autoptr (GError) error = NULL;

  sync_fixture_setup (&f, TRUE, NULL, NULL);
  expected = sync_fixture_queue (&f, 500);
  {
    g_auto (IntakeSyncReport) r = { 0 };
    pass (&f, &r);
    g_assert_cmpint (r.outcome, ==, INTAKE_SYNC_DONE);
    g_assert_cmpint (r.sent, ==, 500);
    g_assert_cmpint (r.pending, ==, 0);
  }
  sync_fixture_assert_delivered (&f, expected);

  /* A second pass sends nothing and the server still holds each interview once. */
  {
    g_auto (IntakeSyncReport) r = { 0 };
    pass (&f, &r);
    g_assert_cmpint (r.outcome, ==, INTAKE_SYNC_DONE);
    g_assert_cmpint (r.sent, ==, 0);
  }
  sync_fixture_assert_delivered (&f, expected);

  /* Retention: the tablet's copy was destroyed once the receipt was stored. */
  {
    GHashTableIter it;
    gpointer id;
    g_autoptr (IntakeInterview) iv = NULL;

    g_hash_table_iter_init (&it, expected);
    g_assert_true (g_hash_table_iter_next (&it, &id, NULL));
    iv = intake_session_open_interview (f.admin, id, &error);
    g_assert_null (iv);
    g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_STATE);
  }
  sync_fixture_teardown (&f);
}

/* A serial pass (the plain loop the drain benchmark compares against): one envelope per request
 * on a new connection, each stored before the next is read, delivers the same, once each. */
static void
test_serial (void)
{
  SyncFixture f;
  g_autoptr (GHashTable) expected = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (IntakeSyncReport) r = { 0 };
  IntakeSyncOptions o;

  sync_fixture_setup (&f, TRUE, NULL, NULL);
  expected = sync_fixture_queue (&f, 12);
  intake_sync_options_init (&o);
  o.serial = TRUE;
  o.batch_count = 1;
  o.reuse_connection = FALSE;
  g_assert_true (intake_sync_pass (f.store, &o, NULL, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r.outcome, ==, INTAKE_SYNC_DONE);
  g_assert_cmpint (r.sent, ==, 12);
  g_assert_cmpint (r.pending, ==, 0);
  sync_fixture_assert_delivered (&f, expected);
  sync_fixture_teardown (&f);
}

/* keep_sent_days > 0: sent interviews stay readable on the tablet until their receipt is older
 * than the policy says; then a pass destroys them (content and keys), and only them. */
static void
test_retention_window (void)
{
  SyncFixture f;
  g_autoptr (GHashTable) expected = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();
  g_autofree char *db_path = NULL;
  GHashTableIter it;
  gpointer id;
  sqlite3 *raw = NULL;
  sqlite3_stmt *backdate = NULL;

  sync_fixture_setup (&f, TRUE, NULL, NULL);
  g_assert_true (intake_session_set_policy (f.admin, INTAKE_POLICY_KEEP_SENT_DAYS, "2", &error));
  g_assert_no_error (error);
  expected = sync_fixture_queue (&f, 4);
  {
    g_auto (IntakeSyncReport) r = { 0 };
    pass (&f, &r);
    g_assert_cmpint (r.sent, ==, 4);
  }
  sync_fixture_assert_delivered (&f, expected);
  g_hash_table_iter_init (&it, expected);
  while (g_hash_table_iter_next (&it, &id, NULL))
    {
      g_autoptr (IntakeInterview) iv = intake_session_open_interview (f.admin, id, &error);

      g_assert_no_error (error);
      g_assert_nonnull (iv);
      g_ptr_array_add (ids, id);
    }

  /* Two receipts three days old, as if stored then (another connection to the same file). */
  db_path = g_build_filename (f.tablet_dir, "intake.db", NULL);
  g_assert_cmpint (sqlite3_open (db_path, &raw), ==, SQLITE_OK);
  sqlite3_busy_timeout (raw, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (raw, "UPDATE outbox SET sent = sent - 3 * 86400 "
                                           "WHERE interview_id = ?", -1, &backdate, NULL),
                   ==, SQLITE_OK);
  for (guint i = 0; i < 2; i++)
    {
      sqlite3_bind_text (backdate, 1, ids->pdata[i], -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (backdate), ==, SQLITE_DONE);
      g_assert_cmpint (sqlite3_changes (raw), ==, 1);
      sqlite3_reset (backdate);
    }
  sqlite3_finalize (backdate);
  sqlite3_close (raw);

  {
    g_auto (IntakeSyncReport) r = { 0 };
    pass (&f, &r);
    g_assert_cmpint (r.sent, ==, 0);
  }
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr (IntakeInterview) iv = intake_session_open_interview (f.admin, ids->pdata[i],
                                                                      &error);
      if (i < 2)
        {
          g_assert_null (iv);
          g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_STATE);
          g_clear_error (&error);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_nonnull (iv);
        }
    }
  sync_fixture_assert_delivered (&f, expected);
  sync_fixture_teardown (&f);
}

static void
test_not_enrolled_then_enrolled (void)
{
  SyncFixture f;
  g_autoptr (GHashTable) expected = NULL;
  g_autoptr (GError) error = NULL;
  IntakeOutboxCounts counts;

  sync_fixture_setup (&f, FALSE, NULL, NULL);
  expected = sync_fixture_queue (&f, 3);
  g_assert_true (intake_outbox_counts (f.store, &counts, &error));
  g_assert_cmpint (counts.unsealed, ==, 3);
  {
    g_auto (IntakeSyncReport) r = { 0 };
    pass (&f, &r);
    g_assert_cmpint (r.outcome, ==, INTAKE_SYNC_STOPPED);
    g_assert_nonnull (strstr (r.message, "not enrolled"));
  }
  /* Enrolling seals what waited, with the submission ids fixed when it was queued. */
  sync_fixture_enroll (&f, NULL, NULL);
  g_assert_true (intake_outbox_counts (f.store, &counts, &error));
  g_assert_cmpint (counts.unsealed, ==, 0);
  g_assert_cmpint (counts.pending, ==, 3);
  {
    g_auto (IntakeSyncReport) r = { 0 };
    pass (&f, &r);
    g_assert_cmpint (r.outcome, ==, INTAKE_SYNC_DONE);
    g_assert_cmpint (r.sent, ==, 3);
  }
  sync_fixture_assert_delivered (&f, expected);
  sync_fixture_teardown (&f);
}

static void
test_revoked (void)
{
  SyncFixture f;
  g_autoptr (GHashTable) expected = NULL;

  sync_fixture_setup (&f, TRUE, NULL, NULL);
  expected = sync_fixture_queue (&f, 2);
  g_assert_cmpint (run_server (&f, "device", "revoke", "tablet-1"), ==, 0);
  {
    g_auto (IntakeSyncReport) r = { 0 };
    pass (&f, &r);
    g_assert_cmpint (r.outcome, ==, INTAKE_SYNC_STOPPED);
    g_assert_cmpint (r.pending, ==, 2);
    g_assert_nonnull (strstr (r.message, "revoked"));
  }
  /* Nothing reached the server, and nothing was dropped on the tablet. */
  {
    g_autoptr (GHashTable) got = sync_fixture_export (&f);
    g_assert_cmpuint (g_hash_table_size (got), ==, 0);
  }
  sync_fixture_teardown (&f);
}

static void
test_wipe_order (void)
{
  SyncFixture f;
  g_autoptr (GHashTable) expected = NULL;
  g_autofree char *db = NULL;

  sync_fixture_setup (&f, TRUE, NULL, NULL);
  expected = sync_fixture_queue (&f, 3);
  g_assert_cmpint (run_server (&f, "device", "wipe", "tablet-1"), ==, 0);
  {
    g_auto (IntakeSyncReport) r = { 0 };
    pass (&f, &r);
    g_assert_cmpint (r.outcome, ==, INTAKE_SYNC_WIPED);
    g_assert_cmpint (r.sent, ==, 3);
  }
  /* What could be sent was sent first; then the tablet's data went. */
  {
    g_autoptr (GHashTable) got = sync_fixture_export (&f);
    g_assert_cmpuint (g_hash_table_size (got), ==, 3);
  }
  db = g_build_filename (f.tablet_dir, INTAKE_DB_FILE_NAME, NULL);
  g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
  /* The tablet told the server it wiped: its key, should someone have copied it, is refused. */
  {
    g_autofree char *out = NULL;

    g_assert_cmpint (intake_test_run (f.server_bin, &out, NULL, "--db", f.db_url, "device",
                                      "list", "--json", NULL), ==, 0);
    g_assert_nonnull (strstr (out, "\"status\" : \"wiped\""));
  }
  g_clear_object (&f.admin);
  g_clear_object (&f.store);
  sync_fixture_teardown (&f);
}

/* A tablet whose key the server already refuses as wiped (the admin's deadline passed, or a wipe
 * was cut short after its confirmation) wipes itself at that answer instead of waiting, stopped,
 * with the data of a tablet that can send nothing any more. */
static void
test_wipe_refused_key (void)
{
  SyncFixture f;
  g_autoptr (GHashTable) expected = NULL;
  g_autofree char *db = NULL;
  g_auto (IntakeSyncReport) r = { 0 };

  sync_fixture_setup (&f, TRUE, NULL, NULL);
  expected = sync_fixture_queue (&f, 2);
  g_assert_cmpint (intake_test_run (f.server_bin, NULL, NULL, "--db", f.db_url, "device", "wipe",
                                    "tablet-1", "--deadline", "0", NULL),
                   ==, 0);
  pass (&f, &r);
  g_assert_cmpint (r.outcome, ==, INTAKE_SYNC_WIPED);
  g_test_message ("%s", r.message);
  db = g_build_filename (f.tablet_dir, INTAKE_DB_FILE_NAME, NULL);
  g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
  g_clear_object (&f.admin);
  g_clear_object (&f.store);
  sync_fixture_teardown (&f);
}

static void
test_signed_forms (void)
{
  SyncFixture f;
  g_autoptr (GError) error = NULL;
  g_autofree char *form = NULL;
  g_autofree char *v2 = g_build_filename (g_get_tmp_dir (), "intake-sync-form-v2.json", NULL);

  sync_fixture_setup (&f, TRUE, NULL, NULL);
  form = intake_store_dup_form_document (f.store, "sync-test", 1, &error);
  g_assert_no_error (error);
  {
    /* The same form, version 2. */
    GString *s = g_string_new (form);
    char *at = strstr (s->str, "\"version\": 1");
    g_assert_nonnull (at);
    at[strlen ("\"version\": ")] = '2';
    g_assert_true (g_file_set_contents (v2, s->str, -1, &error));
    g_string_free (s, TRUE);
  }
  g_assert_cmpint (run_server (&f, "form", "publish", v2), ==, 0);
  g_unlink (v2);
  {
    g_auto (IntakeSyncReport) r = { 0 };
    pass (&f, &r);
    g_assert_cmpint (r.outcome, ==, INTAKE_SYNC_DONE);
    g_assert_cmpint (r.forms_added, ==, 1);
  }
  g_assert_cmpint (intake_store_get_latest_form_version (f.store, "sync-test"), ==, 2);
  sync_fixture_teardown (&f);
}

static void
enroll_async_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GError **error = user_data;

  if (!intake_sync_enroll_finish (INTAKE_SESSION (source), result, error))
    g_assert_nonnull (*error);
  else
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "done");
}

/* Enrollment on the session's queue (issue #14): the same refusal as the synchronous call for a
 * bad token, then a real enrollment whose result the store shows. */
static void
test_enroll_async (void)
{
  SyncFixture f;
  g_autoptr (GError) sync_error = NULL;
  g_autofree char *token = NULL;
  g_autoptr (IntakeEnrollment) enrollment = NULL;
  GError *error = NULL;

  sync_fixture_setup (&f, FALSE, NULL, NULL);
  g_assert_false (intake_sync_enroll (f.admin, f.serve->base_url, "garbage", NULL, NULL,
                                      &sync_error));
  intake_sync_enroll_async (f.admin, f.serve->base_url, "garbage", NULL, NULL, NULL,
                            enroll_async_done_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, sync_error->domain, sync_error->code);
  g_assert_cmpstr (error->message, ==, sync_error->message);
  g_clear_error (&error);
  g_assert_null (intake_store_dup_enrollment (f.store, NULL));

  token = sync_fixture_new_token (&f, "tablet-1");
  intake_sync_enroll_async (f.admin, f.serve->base_url, token, NULL, NULL, NULL,
                            enroll_async_done_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  enrollment = intake_store_dup_enrollment (f.store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (enrollment);
  g_assert_cmpstr (enrollment->server_url, ==, f.serve->base_url);
  sync_fixture_teardown (&f);
}

static void
test_enroll_checks (void)
{
  SyncFixture f;
  g_autoptr (GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *forged = NULL;

  sync_fixture_setup (&f, FALSE, NULL, NULL);
  token = sync_fixture_new_token (&f, "tablet-1");

  /* A token whose fingerprint is not this server's key: refused, nothing stored. */
  forged = g_strdup (token);
  forged[strlen (forged) - 2] = forged[strlen (forged) - 2] == 'A' ? 'B' : 'A';
  g_assert_false (intake_sync_enroll (f.admin, f.serve->base_url, forged, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("forged fingerprint: %s", error->message);
  g_clear_error (&error);

  /* Plain http anywhere but loopback is refused before any connection is made. */
  g_assert_false (intake_sync_enroll (f.admin, "http://192.0.2.1:8080", token, NULL, NULL,
                                      &error));
  g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_INSECURE);
  g_clear_error (&error);

  /* Not a token at all. */
  g_assert_false (intake_sync_enroll (f.admin, f.serve->base_url, "garbage", NULL, NULL, &error));
  g_assert_nonnull (strstr (error->message, "token"));
  g_clear_error (&error);

  /* Only an admin enrolls. */
  {
    g_autoptr (IntakeSecret) pin = intake_secret_new_from_data ("worker-pin-1", 12);
    g_autoptr (IntakeSession) worker = NULL;
    g_assert_true (intake_session_add_user (f.admin, "w", INTAKE_ROLE_WORKER, pin, &error));
    worker = intake_store_unlock (f.store, "w", pin, &error);
    g_assert_no_error (error);
    g_assert_false (intake_sync_enroll (worker, f.serve->base_url, token, NULL, NULL, &error));
    g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED);
    g_clear_error (&error);
  }

  /* A token from an older server (SECRET.SERVER) does not pin the organisation's key. */
  {
    g_autofree char *two_parts = g_strndup (token, strrchr (token, '.') - token);
    g_assert_false (intake_sync_enroll (f.admin, f.serve->base_url, two_parts, NULL, NULL,
                                        &error));
    g_assert_nonnull (strstr (error->message, "organisation's key"));
    g_clear_error (&error);
  }

  /* The real token still works after all that. */
  g_assert_true (intake_sync_enroll (f.admin, f.serve->base_url, token, NULL, NULL, &error));
  g_assert_no_error (error);
  sync_fixture_teardown (&f);
}

/* A server that hands out an organisation key other than the one the token pins (taken over, or
 * an impostor with the same receipt key): the tablet stores nothing, and nothing is ever sealed
 * to that key. */
static void
test_enroll_org_key_pinned (void)
{
  SyncFixture f;
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeEnrollment) e = NULL;
  g_autofree char *token = NULL;
  g_autofree char *db_path = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint8 evil_pk[crypto_box_PUBLICKEYBYTES];
  guint8 evil_sk[crypto_box_SECRETKEYBYTES];

  sync_fixture_setup (&f, FALSE, NULL, NULL);
  token = sync_fixture_new_token (&f, "tablet-1");

  crypto_box_keypair (evil_pk, evil_sk);
  db_path = g_strdup (f.db_url + strlen ("sqlite:"));
  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE meta SET value = ? WHERE key = 'org_data_pk'",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_blob (stmt, 1, evil_pk, sizeof evil_pk, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  sync_fixture_restart_server (&f, NULL, NULL);

  g_assert_false (intake_sync_enroll (f.admin, f.serve->base_url, token, NULL, NULL, &error));
  g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_INSECURE);
  g_test_message ("refused: %s", error->message);
  g_clear_error (&error);
  e = intake_store_dup_enrollment (f.store, &error);
  g_assert_null (e);
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_INITIALISED);
  sync_fixture_teardown (&f);
}

static void
test_tls_verification (void)
{
  SyncFixture f;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("intake-tls-XXXXXX", &error);
  g_autofree char *cert_a = NULL, *key_a = NULL, *cert_b = NULL, *key_b = NULL;
  g_autoptr (GHashTable) expected = NULL;

  g_assert_true (sync_fixture_make_cert (dir, "right", &cert_a, &key_a));
  g_assert_true (sync_fixture_make_cert (dir, "wrong", &cert_b, &key_b));
  sync_fixture_setup (&f, FALSE, cert_a, key_a);
  g_assert_true (g_str_has_prefix (f.serve->base_url, "https://"));

  /* Without the server's CA, TLS verification stops enrollment. */
  {
    g_autofree char *token = sync_fixture_new_token (&f, "tablet-x");
    g_assert_false (intake_sync_enroll (f.admin, f.serve->base_url, token, NULL, NULL, &error));
    g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_INSECURE);
    g_clear_error (&error);
    /* A pin that is not the server's key: refused too. */
    g_assert_false (intake_sync_enroll (f.admin, f.serve->base_url, token,
                                        "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                                        cert_a, &error));
    g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_INSECURE);
    g_clear_error (&error);
  }
  sync_fixture_enroll (&f, NULL, cert_a);
  expected = sync_fixture_queue (&f, 4);

  /* The server comes back with another certificate: nothing is sent, nothing is lost. */
  sync_fixture_restart_server (&f, cert_b, key_b);
  {
    g_auto (IntakeSyncReport) r = { 0 };
    IntakeSyncOptions options;
    intake_sync_options_init (&options);
    g_assert_true (intake_sync_pass (f.store, &options, NULL, &r, &error));
    g_assert_cmpint (r.outcome, ==, INTAKE_SYNC_LATER);
    g_assert_cmpint (r.pending, ==, 4);
    g_assert_nonnull (strstr (r.message, "identity"));
  }
  sync_fixture_restart_server (&f, cert_a, key_a);
  {
    g_auto (IntakeSyncReport) r = { 0 };
    g_assert_true (intake_sync_pass (f.store, NULL, NULL, &r, &error));
    g_assert_cmpint (r.outcome, ==, INTAKE_SYNC_DONE);
    g_assert_cmpint (r.sent, ==, 4);
  }
  sync_fixture_assert_delivered (&f, expected);
  sync_fixture_teardown (&f);
  g_unlink (cert_a);
  g_unlink (key_a);
  g_unlink (cert_b);
  g_unlink (key_b);
  g_rmdir (dir);
}

/* A provisioning file from `intake-server device add --url --out --ca`: the tablet enrolls from
 * it over TLS with the CA the file carries (no other trust), saves the CA beside its data, and
 * every later pass uses it. The file's token is one-time like any other. */
static void
test_provisioning_file (void)
{
  SyncFixture f;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("intake-prov-XXXXXX", &error);
  g_autofree char *cert = NULL, *key = NULL;
  g_autofree char *file = NULL;
  g_autoptr (IntakeProvisioning) p = NULL;
  g_autoptr (IntakeEnrollment) e = NULL;
  g_autoptr (GHashTable) expected = NULL;
  g_autofree char *ca_text = NULL;
  g_autofree char *saved_text = NULL;
  GStatBuf st;

  g_assert_true (sync_fixture_make_cert (dir, "prov", &cert, &key));
  sync_fixture_setup (&f, FALSE, cert, key);
  file = g_build_filename (f.tmp, "tablet-1.json", NULL);
  g_assert_cmpint (intake_test_run (f.server_bin, NULL, NULL, "--db", f.db_url, "device", "add",
                                    "tablet-1", "--url", f.serve->base_url, "--out", file,
                                    "--ca", cert, NULL),
                   ==, 0);
  p = intake_provisioning_load (file, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (p->url, ==, f.serve->base_url);
  g_assert_nonnull (p->ca_pem);
  g_assert_null (p->pinned_key);

  expected = sync_fixture_queue (&f, 3);
  g_assert_true (intake_sync_enroll_provisioning (f.admin, p, &error));
  g_assert_no_error (error);
  e = intake_store_dup_enrollment (f.store, &error);
  g_assert_nonnull (e);
  g_assert_cmpstr (e->server_url, ==, f.serve->base_url);
  g_assert_cmpstr (e->device_name, ==, "tablet-1");
  /* The CA is kept in the data folder, private, with the same certificate. */
  g_assert_nonnull (e->ca_file);
  g_assert_true (g_str_has_prefix (e->ca_file, f.tablet_dir));
  g_assert_cmpint (g_stat (e->ca_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (cert, &ca_text, NULL, NULL));
  g_assert_true (g_file_get_contents (e->ca_file, &saved_text, NULL, NULL));
  g_assert_cmpstr (saved_text, ==, ca_text);
  {
    g_auto (IntakeSyncReport) r = { 0 };
    pass (&f, &r);
    g_assert_cmpint (r.outcome, ==, INTAKE_SYNC_DONE);
    g_assert_cmpint (r.sent, ==, 3);
  }
  sync_fixture_assert_delivered (&f, expected);

  /* The same file again, on another tablet: its token was used. */
  {
    g_autoptr (IntakeSecret) pin = intake_secret_new_from_data ("other-pin-1", 11);
    g_autofree char *other_dir = g_build_filename (f.tmp, "tablet-2", NULL);
    g_autoptr (IntakeStore) other = NULL;
    g_autoptr (IntakeSession) admin = NULL;
    IntakeKdfParams kdf;

    intake_kdf_params_insecure_for_tests (&kdf);
    other = intake_store_create (other_dir, "admin", pin, &kdf, &error);
    g_assert_no_error (error);
    admin = intake_store_unlock (other, "admin", pin, &error);
    g_assert_no_error (error);
    g_assert_false (intake_sync_enroll_provisioning (admin, p, &error));
    g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_UNAUTHORIZED);
    g_clear_error (&error);
    g_assert_null (intake_store_dup_enrollment (other, NULL));

    /* A file of its own, through `intakectl enroll --file`: the same enroll path. */
    {
      g_autofree char *own = g_build_filename (f.tmp, "tablet-2.json", NULL);
      const char *argv[] = { g_getenv ("INTAKECTL"), "--data-dir", other_dir, "--user", "admin",
                             "--pin-stdin", "enroll", "--file", own, NULL };
      g_autoptr (GSubprocess) proc = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autoptr (IntakeEnrollment) e2 = NULL;

      g_assert_nonnull (argv[0]);
      g_assert_cmpint (intake_test_run (f.server_bin, NULL, NULL, "--db", f.db_url, "device",
                                        "add", "tablet-2", "--url", f.serve->base_url, "--out",
                                        own, "--ca", cert, NULL),
                       ==, 0);
      proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE
                                          | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                          | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_communicate_utf8 (proc, "other-pin-1\n", NULL, &out, &err,
                                                    &error));
      g_assert_no_error (error);
      if (g_subprocess_get_exit_status (proc) != 0)
        g_error ("intakectl enroll --file: %s", err);
      g_assert_nonnull (strstr (out, "Enrolled with"));
      e2 = intake_store_dup_enrollment (other, &error);
      g_assert_nonnull (e2);
      g_assert_cmpstr (e2->device_name, ==, "tablet-2");
      g_assert_nonnull (e2->ca_file);
    }
  }

  /* Typed enrollment through intakectl: the token on standard input, the line after the PIN,
   * never on the command line. */
  {
    g_autoptr (IntakeSecret) pin = intake_secret_new_from_data ("other-pin-4", 11);
    g_autofree char *dir4 = g_build_filename (f.tmp, "tablet-4", NULL);
    g_autofree char *token = sync_fixture_new_token (&f, "tablet-4");
    g_autofree char *input = g_strdup_printf ("other-pin-4\n%s\n", token);
    const char *argv[] = { g_getenv ("INTAKECTL"), "--data-dir", dir4, "--user", "admin",
                           "--pin-stdin", "enroll", f.serve->base_url, "--ca", cert, NULL };
    g_autoptr (IntakeStore) other = NULL;
    g_autoptr (GSubprocess) proc = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr (IntakeEnrollment) e4 = NULL;
    IntakeKdfParams kdf;

    g_assert_nonnull (argv[0]);
    intake_kdf_params_insecure_for_tests (&kdf);
    other = intake_store_create (dir4, "admin", pin, &kdf, &error);
    g_assert_no_error (error);
    proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &error);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_communicate_utf8 (proc, input, NULL, &out, &err, &error));
    g_assert_no_error (error);
    if (g_subprocess_get_exit_status (proc) != 0)
      g_error ("intakectl enroll URL (token on standard input): %s", err);
    g_assert_nonnull (strstr (out, "Enrolled with"));
    e4 = intake_store_dup_enrollment (other, &error);
    g_assert_nonnull (e4);
    g_assert_cmpstr (e4->device_name, ==, "tablet-4");
  }

  /* A file for a server whose TLS key is not the pinned one: refused, nothing stored. */
  {
    g_autofree char *pinned = g_build_filename (f.tmp, "pinned.json", NULL);
    g_autofree char *doc = NULL;
    g_autofree char *token = sync_fixture_new_token (&f, "tablet-3");
    g_autoptr (IntakeProvisioning) bad = NULL;
    g_autoptr (JsonNode) url = json_node_init_string (json_node_alloc (), f.serve->base_url);
    g_autoptr (JsonNode) ca = json_node_init_string (json_node_alloc (), ca_text);
    g_autofree char *url_json = json_to_string (url, FALSE);
    g_autofree char *ca_json = json_to_string (ca, FALSE);

    doc = g_strdup_printf ("{\"format\": \"intake-provisioning-v1\", \"url\": %s, "
                           "\"token\": \"%s\", \"ca\": %s, \"pin_sha256\": "
                           "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}",
                           url_json, token, ca_json);
    g_assert_true (g_file_set_contents (pinned, doc, -1, &error));
    bad = intake_provisioning_load (pinned, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (bad->pinned_key, ==, "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    g_assert_false (intake_sync_enroll_provisioning (f.admin, bad, &error));
    g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_INSECURE);
    g_clear_error (&error);
  }
  /* A wipe takes the saved CA with the data: it names the organisation's server. */
  g_assert_true (intake_store_wipe (f.store, intake_session_get_user_id (f.admin), &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (e->ca_file, G_FILE_TEST_EXISTS));
  sync_fixture_teardown (&f);
  g_unlink (cert);
  g_unlink (key);
  g_rmdir (dir);
}

/* The tablet's state that a refused provisioning file must leave as it was: not enrolled, the
 * policies as the fixture left them (review off, the rest default), and only its form. */
static void
assert_untouched (SyncFixture *f)
{
  g_assert_null (intake_store_dup_enrollment (f->store, NULL));
  g_assert_cmpint (intake_store_get_policy_int (f->store, INTAKE_POLICY_AUTO_LOCK_MINUTES), ==, 5);
  g_assert_cmpint (intake_store_get_policy_int (f->store, INTAKE_POLICY_REVIEW_REQUIRED), ==, 0);
  g_assert_cmpint (intake_store_get_policy_int (f->store, INTAKE_POLICY_KEEP_SENT_DAYS), ==, 0);
  g_assert_cmpint (intake_store_get_latest_form_version (f->store, "sync-test"), ==, 1);
}

/* `device add --url --out --policies --forms` for a new device, read back as a JSON tree. */
static JsonNode *
signed_file (SyncFixture *f, const char *device, const char *policies, char **path_out)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.json", f->tmp, device);
  g_autofree char *err = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  if (intake_test_run (f->server_bin, NULL, &err, "--db", f->db_url, "device", "add", device,
                       "--url", f->serve->base_url, "--out", path, "--policies", policies,
                       "--forms", NULL)
      != 0)
    g_error ("device add --policies --forms: %s", err);
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  *path_out = g_steal_pointer (&path);
  return json_node_copy (json_parser_get_root (parser));
}

static void
write_tree (const char *path, JsonNode *root)
{
  g_autofree char *text = json_to_string (root, TRUE);
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
}

/* The file is refused when read, with a message naming @member and @problem, and the tablet is
 * left untouched. */
static void
assert_refused (SyncFixture *f, const char *path, const char *member, const char *problem)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeProvisioning) p = intake_provisioning_load (path, &error);

  g_assert_null (p);
  g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_FAILED);
  if (strstr (error->message, member) == NULL || strstr (error->message, problem) == NULL)
    g_error ("expected \"%s\" and \"%s\" in: %s", member, problem, error->message);
  assert_untouched (f);
}

static char *
sign_b64 (const char *prefix, const char *document, const guint8 *sk)
{
  guint8 hash[INTAKE_HASH_BYTES];
  char hex[INTAKE_HASH_BYTES * 2 + 1];
  guint8 sig[INTAKE_SIGNATURE_BYTES];
  g_autofree char *message = NULL;

  crypto_generichash (hash, sizeof hash, (const guint8 *) document, strlen (document), NULL, 0);
  sodium_bin2hex (hex, sizeof hex, hash, sizeof hash);
  message = g_strconcat (prefix, hex, NULL);
  crypto_sign_detached (sig, NULL, (const guint8 *) message, strlen (message), sk);
  return g_base64_encode (sig, sizeof sig);
}

/* A provisioning file carrying the organisation's policies and forms, signed by the server's key:
 * the tablet checks the key against the token and every signature before anything happens, then
 * enrolls, sets the policies and imports the forms. A file changed anywhere in what is signed,
 * or signed by another key, is refused whole, naming the member, and leaves the tablet as it was. */
static void
test_provisioning_signed (void)
{
  SyncFixture f;
  g_autoptr (GError) error = NULL;
  g_autofree char *form = NULL;
  g_autofree char *v1 = NULL, *v2 = NULL, *policies = NULL, *bad_policies = NULL;

  sync_fixture_setup (&f, FALSE, NULL, NULL);
  v1 = g_build_filename (f.tmp, "form-v1.json", NULL);
  v2 = g_build_filename (f.tmp, "form-v2.json", NULL);
  policies = g_build_filename (f.tmp, "policies.json", NULL);
  bad_policies = g_build_filename (f.tmp, "bad-policies.json", NULL);
  /* The server publishes the tablet's own sync-test v1 (already installed there: no error) and
   * a version 2 (new to it). */
  form = intake_store_dup_form_document (f.store, "sync-test", 1, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (v1, form, -1, &error));
  {
    GString *text = g_string_new (form);
    char *at = strstr (text->str, "\"version\": 1");
    g_assert_nonnull (at);
    at[strlen ("\"version\": ")] = '2';
    g_assert_true (g_file_set_contents (v2, text->str, -1, &error));
    g_string_free (text, TRUE);
  }
  g_assert_cmpint (run_server (&f, "form", "publish", v1), ==, 0);
  g_assert_cmpint (run_server (&f, "form", "publish", v2), ==, 0);
  g_assert_true (g_file_set_contents (policies,
                                      "{\"review_required\": true, \"auto_lock_minutes\": 15, "
                                      "\"keep_sent_days\": \"30\"}\n",
                                      -1, &error));

  /* The server checks the policies as a tablet would: an unknown key or a value out of range
   * makes no file and adds no device. */
  {
    g_autofree char *out = g_build_filename (f.tmp, "never.json", NULL);
    g_autofree char *err = NULL;
    g_autofree char *list = NULL;

    g_assert_true (g_file_set_contents (bad_policies, "{\"auto_lock_minutes\": 9999}", -1, NULL));
    g_assert_cmpint (intake_test_run (f.server_bin, NULL, &err, "--db", f.db_url, "device", "add",
                                      "never", "--url", f.serve->base_url, "--out", out,
                                      "--policies", bad_policies, NULL),
                     ==, 1);
    g_assert_nonnull (strstr (err, "auto_lock_minutes"));
    g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    g_assert_cmpint (intake_test_run (f.server_bin, &list, NULL, "--db", f.db_url, "device",
                                      "list", NULL),
                     ==, 0);
    g_assert_null (strstr (list, "never"));
  }

  /* The policies' text changed by one byte (15 minutes to 16, a value the tablet would take). */
  {
    g_autofree char *path = NULL;
    g_autoptr (JsonNode) root = signed_file (&f, "tamper-policies", policies, &path);
    JsonObject *pol = json_object_get_object_member (json_node_get_object (root), "policies");
    g_autofree char *doc = g_strdup (json_object_get_string_member (pol, "document"));
    char *at = strstr (doc, "15");

    g_assert_nonnull (at);
    at[1] = '6';
    json_object_set_string_member (pol, "document", doc);
    write_tree (path, root);
    assert_refused (&f, path, "policies", "its signature does not verify with the server's key");
  }

  /* The two forms' signatures swapped: each is a real signature by the right key, over the
   * other form. Through `intakectl enroll --file` too: it exits non-zero, naming the form. */
  {
    g_autofree char *path = NULL;
    g_autoptr (JsonNode) root = signed_file (&f, "tamper-forms", policies, &path);
    JsonArray *forms = json_object_get_array_member (json_node_get_object (root), "forms");
    JsonObject *a, *b;
    g_autofree char *sig_a = NULL;
    g_autofree char *name = NULL;

    g_assert_cmpuint (json_array_get_length (forms), ==, 2);
    a = json_array_get_object_element (forms, 0);
    b = json_array_get_object_element (forms, 1);
    sig_a = g_strdup (json_object_get_string_member (a, "signature"));
    json_object_set_string_member (a, "signature", json_object_get_string_member (b, "signature"));
    json_object_set_string_member (b, "signature", sig_a);
    write_tree (path, root);
    name = g_strdup_printf ("forms[0] (sync-test v%" G_GINT64_FORMAT ")",
                            json_object_get_int_member (a, "version"));
    assert_refused (&f, path, name, "its signature does not verify with the server's key");
    {
      const char *argv[] = { g_getenv ("INTAKECTL"), "--data-dir", f.tablet_dir, "--user", "admin",
                             "--pin-stdin", "enroll", "--file", path, NULL };
      g_autoptr (GSubprocess) proc = NULL;
      g_autofree char *err = NULL;

      g_assert_nonnull (argv[0]);
      proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE
                                          | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                          | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_communicate_utf8 (proc, SYNC_ADMIN_PIN "\n", NULL, NULL, &err,
                                                    &error));
      g_assert_no_error (error);
      g_assert_cmpint (g_subprocess_get_exit_status (proc), !=, 0);
      g_assert_nonnull (strstr (err, name));
      assert_untouched (&f);
    }
  }

  /* Another key in "server_sign_pk", with everything re-signed by it: each signature verifies
   * with the key the file names, but that key is not the one the token pins. */
  {
    g_autofree char *path = NULL;
    g_autoptr (JsonNode) root = signed_file (&f, "tamper-key", policies, &path);
    JsonObject *o = json_node_get_object (root);
    JsonObject *pol = json_object_get_object_member (o, "policies");
    JsonArray *forms = json_object_get_array_member (o, "forms");
    guint8 pk[INTAKE_SIGN_PUBLIC_BYTES];
    guint8 sk[INTAKE_SIGN_SECRET_BYTES];
    g_autofree char *pk_b64 = NULL;
    g_autofree char *sig = NULL;

    crypto_sign_keypair (pk, sk);
    pk_b64 = g_base64_encode (pk, sizeof pk);
    json_object_set_string_member (o, "server_sign_pk", pk_b64);
    sig = sign_b64 ("intake-policies-v1\n", json_object_get_string_member (pol, "document"), sk);
    json_object_set_string_member (pol, "signature", sig);
    for (guint i = 0; i < json_array_get_length (forms); i++)
      {
        JsonObject *fo = json_array_get_object_element (forms, i);
        g_autofree char *prefix = g_strdup_printf (
          "intake-form-v1\n%s\n%" G_GINT64_FORMAT "\n", json_object_get_string_member (fo, "id"),
          json_object_get_int_member (fo, "version"));
        g_autofree char *form_sig = sign_b64 (
          prefix, json_object_get_string_member (fo, "document"), sk);

        json_object_set_string_member (fo, "signature", form_sig);
      }
    sodium_memzero (sk, sizeof sk);
    write_tree (path, root);
    assert_refused (&f, path, "server_sign_pk", "not the key of the server that issued the token");
  }

  /* The file as the server made it: enrolled, the policies set, v2 imported, v1 no error. */
  {
    g_autofree char *path = NULL;
    g_autoptr (JsonNode) root = signed_file (&f, "tablet-1", policies, &path);
    g_autoptr (IntakeProvisioning) p = intake_provisioning_load (path, &error);
    g_autoptr (IntakeEnrollment) e = NULL;
    g_autoptr (JsonNode) audit = NULL;
    g_autofree char *audit_text = NULL;

    g_assert_no_error (error);
    /* The file names the key that signed it, and its policies are the file's text as written. */
    g_assert_true (json_object_has_member (json_node_get_object (root), "server_sign_pk"));
    g_assert_nonnull (strstr (json_object_get_string_member (
                                json_object_get_object_member (json_node_get_object (root),
                                                               "policies"),
                                "document"),
                              "\"keep_sent_days\": \"30\""));
    g_assert_nonnull (p->policies);
    g_assert_cmpuint (p->policies->len, ==, 3);
    g_assert_nonnull (p->forms);
    g_assert_cmpuint (p->forms->len, ==, 2);
    g_assert_true (intake_sync_enroll_provisioning (f.admin, p, &error));
    g_assert_no_error (error);
    e = intake_store_dup_enrollment (f.store, &error);
    g_assert_nonnull (e);
    g_assert_cmpstr (e->device_name, ==, "tablet-1");
    g_assert_cmpint (intake_store_get_policy_int (f.store, INTAKE_POLICY_REVIEW_REQUIRED), ==, 1);
    g_assert_cmpint (intake_store_get_policy_int (f.store, INTAKE_POLICY_AUTO_LOCK_MINUTES), ==,
                     15);
    g_assert_cmpint (intake_store_get_policy_int (f.store, INTAKE_POLICY_KEEP_SENT_DAYS), ==, 30);
    g_assert_cmpint (intake_store_get_latest_form_version (f.store, "sync-test"), ==, 2);
    {
      g_autoptr (JsonNode) listed = intake_store_list_forms_json (f.store, &error);
      g_autofree char *listed_text = json_to_string (listed, FALSE);

      g_assert_no_error (error);
      g_assert_nonnull (strstr (listed_text, "\"sync-test\""));
    }
    /* Each change audited as the admin's own. */
    audit = intake_session_list_audit_json (f.admin, &error);
    g_assert_no_error (error);
    audit_text = json_to_string (audit, FALSE);
    g_assert_nonnull (strstr (audit_text, "auto_lock_minutes=15"));
    g_assert_nonnull (strstr (audit_text, "keep_sent_days=30"));
    g_assert_nonnull (strstr (audit_text, "sync-test@2"));
  }
  g_unlink (v1);
  g_unlink (v2);
  g_unlink (policies);
  g_unlink (bad_policies);
  sync_fixture_teardown (&f);
}

static void
pass_finished_cb (IntakeSyncEngine *engine, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
test_engine (void)
{
  SyncFixture f;
  g_autoptr (GHashTable) expected = NULL;
  g_autoptr (IntakeSyncEngine) engine = NULL;
  gboolean finished = FALSE;

  sync_fixture_setup (&f, TRUE, NULL, NULL);
  expected = sync_fixture_queue (&f, 25);
  engine = intake_sync_engine_new (f.tablet_dir, NULL);
  g_signal_connect (engine, "pass-finished", G_CALLBACK (pass_finished_cb), &finished);
  intake_sync_engine_start (engine);
  while (!finished)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (intake_sync_engine_get_last_report (engine)->outcome, ==, INTAKE_SYNC_DONE);
  g_assert_cmpint (intake_sync_engine_get_last_report (engine)->sent, ==, 25);
  g_assert_cmpint (intake_sync_engine_get_state (engine), ==, INTAKE_SYNC_STATE_IDLE);
  /* "Sync now" runs a pass at once. */
  finished = FALSE;
  intake_sync_engine_sync_now (engine);
  while (!finished)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (intake_sync_engine_get_last_report (engine)->sent, ==, 0);
  intake_sync_engine_stop (engine);
  sync_fixture_assert_delivered (&f, expected);
  sync_fixture_teardown (&f);
}

static void
test_backoff (void)
{
  /* Full jitter below an exponential ceiling, capped; Retry-After wins, clamped. */
  for (int attempt = 1; attempt < 40; attempt++)
    for (int k = 0; k < 50; k++)
      {
        double d = intake_sync_backoff_delay (attempt, -1, 5.0, 900.0);
        g_assert_cmpfloat (d, >=, 0.5);
        g_assert_cmpfloat (d, <=, MIN (900.0, 5.0 * (1 << MIN (attempt, 20))));
      }
  g_assert_cmpfloat (intake_sync_backoff_delay (3, 7, 5.0, 900.0), ==, 7.0);
  g_assert_cmpfloat (intake_sync_backoff_delay (3, 0, 5.0, 900.0), ==, 1.0);
  g_assert_cmpfloat (intake_sync_backoff_delay (3, 86400, 5.0, 900.0), ==, 3600.0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!intake_crypto_init (NULL))
    return 1;
  curl_global_init (CURL_GLOBAL_DEFAULT);
  g_test_add_func ("/intake/sync/deliver-500", test_deliver_500);
  g_test_add_func ("/intake/sync/serial", test_serial);
  g_test_add_func ("/intake/sync/enroll-async", test_enroll_async);
  g_test_add_func ("/intake/sync/retention-window", test_retention_window);
  g_test_add_func ("/intake/sync/not-enrolled-then-enrolled", test_not_enrolled_then_enrolled);
  g_test_add_func ("/intake/sync/revoked", test_revoked);
  g_test_add_func ("/intake/sync/wipe-order", test_wipe_order);
  g_test_add_func ("/intake/sync/wipe-refused-key", test_wipe_refused_key);
  g_test_add_func ("/intake/sync/signed-forms", test_signed_forms);
  g_test_add_func ("/intake/sync/enroll-checks", test_enroll_checks);
  g_test_add_func ("/intake/sync/enroll-org-key-pinned", test_enroll_org_key_pinned);
  g_test_add_func ("/intake/sync/tls-verification", test_tls_verification);
  g_test_add_func ("/intake/sync/provisioning-file", test_provisioning_file);
  g_test_add_func ("/intake/sync/provisioning-signed", test_provisioning_signed);
  g_test_add_func ("/intake/sync/engine", test_engine);
  g_test_add_func ("/intake/sync/backoff", test_backoff);
  return g_test_run ();
}
