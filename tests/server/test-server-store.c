/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "intake-server-store.h"
#include "server-harness.h"

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

/* The storage interface itself, the same cases on both backends (INTAKE_TEST_BACKEND): errors,
 * enrollment rules, idempotent submissions, and two connections storing the same submissions at
 * once, as two server processes would. */

static struct
{
  const char *backend;
  char *dir;
  IntakeTestPg *pg;
  int databases;
} suite;

/* A fresh, empty database for one test. */
static char *
new_database (void)
{
  g_autoptr (GError) error = NULL;
  char *url;

  suite.databases++;
  if (suite.pg == NULL)
    return g_strdup_printf ("sqlite:%s/store-%d.db", suite.dir, suite.databases);
  {
    g_autofree char *name = g_strdup_printf ("store_%d", suite.databases);

    url = intake_test_pg_create_database (suite.pg, name, &error);
    g_assert_no_error (error);
    return url;
  }
}

static void
exec_sql (const char *url, const char *sql)
{
  if (g_str_has_prefix (url, "sqlite:"))
    {
      sqlite3 *db = NULL;

      g_assert_cmpint (sqlite3_open (url + strlen ("sqlite:"), &db), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
      sqlite3_close (db);
    }
  else
    {
      PGconn *conn = PQconnectdb (url);
      PGresult *res = PQexec (conn, sql);

      g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
      PQclear (res);
      PQfinish (conn);
    }
}

static IntakeServerStore *
open_store (const char *url)
{
  g_autoptr (GError) error = NULL;
  IntakeServerStore *store = intake_server_store_open (url, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (intake_server_store_get_backend (store), ==, suite.backend);
  return store;
}

/* Takes a database made by this program back to an earlier schema version, undoing what the
 * later migrations added that cannot run twice, so that opening it migrates it again. */
static void
rewind_schema (const char *url, int version)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE schema_version SET version = %d", version);

  if (version < 4)
    exec_sql (url, "ALTER TABLE devices DROP COLUMN wipe_deadline;"
                   "ALTER TABLE devices DROP COLUMN wipe_confirmed;");
  exec_sql (url, sql);
}

static IntakeServerSubmission *
submission_new (const char *id, guint8 content, const char *server_time)
{
  IntakeServerSubmission *sub = g_new0 (IntakeServerSubmission, 1);
  guint8 sealed[100];

  memset (sealed, content, sizeof sealed);
  sub->submission_id = g_strdup (id);
  sub->device_id = g_strdup ("device");
  sub->sealed = g_bytes_new (sealed, sizeof sealed);
  crypto_generichash (sub->content_hash, sizeof sub->content_hash, sealed, sizeof sealed, NULL, 0);
  memset (sub->signature, 0x51, sizeof sub->signature);
  sub->server_time = g_strdup (server_time);
  randombytes_buf (sub->receipt_signature, sizeof sub->receipt_signature);
  sub->received = 1;
  return sub;
}

/* A stand-in for the server's batch receipts: every new row gets its index, the count, a path
 * of its own and one signature for the batch, so that the tests see each field stored. */
static void
test_seal (GPtrArray *fresh, gpointer user_data)
{
  guint8 sig[INTAKE_SIGNATURE_BYTES];

  randombytes_buf (sig, sizeof sig);
  for (guint i = 0; i < fresh->len; i++)
    {
      IntakeServerSubmission *sub = g_ptr_array_index (fresh, i);
      guint8 path[3 * INTAKE_HASH_BYTES];

      memset (path, (int) (i + 1), sizeof path);
      memcpy (sub->receipt_signature, sig, sizeof sig);
      sub->receipt_index = i;
      sub->receipt_count = fresh->len;
      g_clear_pointer (&sub->receipt_path, g_bytes_unref);
      sub->receipt_path = g_bytes_new (path, (i % 4) * INTAKE_HASH_BYTES);
    }
}

static void
assert_same_receipt (const IntakeServerSubmission *x, const IntakeServerSubmission *y)
{
  g_assert_cmpstr (x->server_time, ==, y->server_time);
  g_assert_cmpmem (x->receipt_signature, INTAKE_SIGNATURE_BYTES, y->receipt_signature,
                   INTAKE_SIGNATURE_BYTES);
  g_assert_cmpint (x->receipt_index, ==, y->receipt_index);
  g_assert_cmpint (x->receipt_count, ==, y->receipt_count);
  g_assert_true ((x->receipt_path == NULL) == (y->receipt_path == NULL));
  if (x->receipt_path != NULL)
    g_assert_true (g_bytes_equal (x->receipt_path, y->receipt_path));
}

static void
test_open_and_meta (void)
{
  g_autofree char *url = new_database ();
  g_autoptr (IntakeServerStore) store = open_store (url);
  g_autoptr (IntakeServerStore) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) v1 = g_bytes_new_static ("one", 3);
  g_autoptr (GBytes) v2 = g_bytes_new_static ("two", 3);
  g_autoptr (GBytes) got = NULL;
  const char *keys[] = { "a", "b" };
  GBytes *values[] = { v1, v2 };
  const char *keys2[] = { "c", "b" };

  got = intake_server_store_meta_get (store, "a", &error);
  g_assert_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (intake_server_store_meta_insert (store, keys, values, 2, &error));
  g_assert_no_error (error);
  /* All or nothing: "c" is not kept when "b" already exists. */
  g_assert_false (intake_server_store_meta_insert (store, keys2, values, 2, &error));
  g_assert_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_null (intake_server_store_meta_get (store, "c", &error));
  g_clear_error (&error);

  /* Opening again runs no migration twice and sees the same data. */
  again = open_store (url);
  got = intake_server_store_meta_get (again, "b", &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got, v2));
  g_clear_pointer (&again, intake_server_store_close);

  /* A database from a newer server is refused, not migrated backwards. */
  exec_sql (url, "UPDATE schema_version SET version = 99");
  g_assert_null (intake_server_store_open (url, &error));
  g_assert_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_TOO_NEW);
}

static void
test_devices (void)
{
  g_autofree char *url = new_database ();
  g_autoptr (IntakeServerStore) store = open_store (url);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  guint8 token[INTAKE_HASH_BYTES], expired[INTAKE_HASH_BYTES], unknown[INTAKE_HASH_BYTES];
  guint8 token2[INTAKE_HASH_BYTES];
  guint8 pk[INTAKE_SIGN_PUBLIC_BYTES], other_pk[INTAKE_SIGN_PUBLIC_BYTES];
  IntakeServerDevice *d;

  randombytes_buf (token, sizeof token);
  randombytes_buf (token2, sizeof token2);
  randombytes_buf (expired, sizeof expired);
  randombytes_buf (unknown, sizeof unknown);
  randombytes_buf (pk, sizeof pk);
  randombytes_buf (other_pk, sizeof other_pk);
  g_assert_true (intake_server_store_device_add (store, "a", token, 2000, 100, &error));
  g_assert_true (intake_server_store_device_add (store, "b", expired, 1000, 100, &error));
  g_assert_true (intake_server_store_device_add (store, "c", token2, 2000, 100, &error));
  g_assert_no_error (error);
  g_assert_false (intake_server_store_device_add (store, "a", unknown, 2000, 100, &error));
  g_assert_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_EXISTS);
  g_clear_error (&error);

  g_assert_null (intake_server_store_device_enroll (store, unknown, "id-x", pk, 1500, &error));
  g_assert_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_BAD_TOKEN);
  g_clear_error (&error);
  g_assert_null (intake_server_store_device_enroll (store, expired, "id-x", pk, 1500, &error));
  g_assert_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_BAD_TOKEN);
  g_clear_error (&error);

  d = intake_server_store_device_enroll (store, token, "id-a", pk, 1500, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (d->name, ==, "a");
  g_assert_cmpstr (d->device_id, ==, "id-a");
  intake_server_device_free (d);
  /* Same device and key again: the same enrollment; anyone else: a used token. */
  d = intake_server_store_device_enroll (store, token, "id-a", pk, 1600, &error);
  g_assert_no_error (error);
  intake_server_device_free (d);
  g_assert_null (intake_server_store_device_enroll (store, token, "id-z", other_pk, 1600, &error));
  g_assert_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_BAD_TOKEN);
  g_clear_error (&error);
  g_assert_null (intake_server_store_device_enroll (store, token, "id-a", other_pk, 1600, &error));
  g_assert_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_BAD_TOKEN);
  g_clear_error (&error);
  /* A second token cannot take an id already enrolled, and stays unused. */
  g_assert_null (intake_server_store_device_enroll (store, token2, "id-a", other_pk, 1600,
                                                    &error));
  g_assert_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_DEVICE_EXISTS);
  g_clear_error (&error);
  d = intake_server_store_device_enroll (store, token2, "id-c", other_pk, 1600, &error);
  g_assert_no_error (error);
  intake_server_device_free (d);

  d = intake_server_store_device_lookup (store, "id-a", &error);
  g_assert_no_error (error);
  g_assert_true (d->has_sign_pk);
  g_assert_cmpmem (d->sign_pk, sizeof d->sign_pk, pk, sizeof pk);
  g_assert_cmpint (d->status, ==, INTAKE_SERVER_DEVICE_ACTIVE);
  intake_server_device_free (d);
  g_assert_null (intake_server_store_device_lookup (store, "id-nope", &error));
  g_assert_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (intake_server_store_device_touch (store, "id-a", 5000, &error));
  g_assert_true (intake_server_store_device_set_status (store, "a", INTAKE_SERVER_DEVICE_WIPE,
                                                        &error));
  g_assert_true (intake_server_store_device_set_status (store, "c", INTAKE_SERVER_DEVICE_REVOKED,
                                                        &error));
  g_assert_no_error (error);
  g_assert_false (intake_server_store_device_set_status (store, "zz",
                                                         INTAKE_SERVER_DEVICE_REVOKED, &error));
  g_assert_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A wipe is confirmed only by a device ordered to wipe, and the first confirmation counts. */
  g_assert_false (intake_server_store_device_confirm_wipe (store, "id-c", 6000, &error));
  g_assert_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (intake_server_store_device_order_wipe (store, "zz", 0, &error));
  g_assert_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (intake_server_store_device_order_wipe (store, "a", 9000, &error));
  g_assert_true (intake_server_store_device_confirm_wipe (store, "id-a", 6000, &error));
  g_assert_true (intake_server_store_device_confirm_wipe (store, "id-a", 7000, &error));
  g_assert_no_error (error);
  d = intake_server_store_device_lookup (store, "id-a", &error);
  g_assert_no_error (error);
  g_assert_cmpint (d->status, ==, INTAKE_SERVER_DEVICE_WIPE);
  g_assert_cmpint (d->wipe_deadline, ==, 9000);
  g_assert_cmpint (d->wipe_confirmed, ==, 6000);
  g_assert_true (intake_server_device_is_wiped (d, 6001));
  intake_server_device_free (d);

  list = intake_server_store_device_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  d = g_ptr_array_index (list, 0);
  g_assert_cmpstr (d->name, ==, "a");
  g_assert_cmpint (d->status, ==, INTAKE_SERVER_DEVICE_WIPE);
  g_assert_cmpint (d->last_seen, ==, 5000);
  d = g_ptr_array_index (list, 1);
  g_assert_null (d->device_id);
  g_assert_false (d->token_used);
  d = g_ptr_array_index (list, 2);
  g_assert_cmpint (d->status, ==, INTAKE_SERVER_DEVICE_REVOKED);
}

static void
test_submissions (void)
{
  g_autofree char *url = new_database ();
  g_autoptr (IntakeServerStore) store = open_store (url);
  g_autoptr (GError) error = NULL;
  /* The caller's array owns its submissions; the store must only borrow them. */
  g_autoptr (GPtrArray) first = g_ptr_array_new_with_free_func (
    (GDestroyNotify) intake_server_submission_free);
  g_autoptr (GPtrArray) second = g_ptr_array_new_with_free_func (
    (GDestroyNotify) intake_server_submission_free);
  g_autoptr (GPtrArray) stored = NULL;
  g_autoptr (GPtrArray) legacy = g_ptr_array_new_with_free_func (
    (GDestroyNotify) intake_server_submission_free);
  IntakeServerSubmission *a, *b, *a_again, *a_other, *c, *c_twice, *old, *old_again;

  a = submission_new ("a", 1, "T1");
  b = submission_new ("b", 2, "T1");
  g_ptr_array_add (first, b);
  g_ptr_array_add (first, a);
  g_assert_true (intake_server_store_submissions_put (store, first, test_seal, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (a->result, ==, INTAKE_SERVER_PUT_NEW);
  g_assert_cmpint (b->result, ==, INTAKE_SERVER_PUT_NEW);
  /* The seal saw exactly the new rows. */
  g_assert_cmpint (a->receipt_count, ==, 2);
  g_assert_cmpint (b->receipt_count, ==, 2);
  g_assert_cmpint (a->receipt_index + b->receipt_index, ==, 1);

  /* A receipt without a proof (a single signature, as stored before batch receipts) is kept
   * and given back as it is. */
  old = submission_new ("old", 7, "T0");
  g_ptr_array_add (legacy, old);
  g_assert_true (intake_server_store_submissions_put (store, legacy, NULL, NULL, &error));
  g_assert_no_error (error);
  old_again = submission_new ("old", 7, "T9");
  g_ptr_array_add (second, old_again);

  a_again = submission_new ("a", 1, "T2");
  a_other = submission_new ("a", 9, "T2");
  c = submission_new ("c", 3, "T2");
  c_twice = submission_new ("c", 3, "T2");
  g_ptr_array_add (second, a_again);
  g_ptr_array_add (second, a_other);
  g_ptr_array_add (second, c);
  g_ptr_array_add (second, c_twice);
  g_assert_true (intake_server_store_submissions_put (store, second, test_seal, NULL, &error));
  g_assert_no_error (error);
  /* The same content gets the stored receipt back: time, signature, index, count and path. */
  g_assert_cmpint (a_again->result, ==, INTAKE_SERVER_PUT_SAME);
  g_assert_cmpstr (a_again->server_time, ==, "T1");
  assert_same_receipt (a_again, a);
  g_assert_cmpint (old_again->result, ==, INTAKE_SERVER_PUT_SAME);
  assert_same_receipt (old_again, old);
  g_assert_cmpint (old_again->receipt_count, ==, 0);
  g_assert_null (old_again->receipt_path);
  g_assert_cmpint (a_other->result, ==, INTAKE_SERVER_PUT_CONFLICT);
  g_assert_cmpint (c->result, ==, INTAKE_SERVER_PUT_NEW);
  g_assert_cmpint (c_twice->result, ==, INTAKE_SERVER_PUT_SAME);
  /* Only c was new in that batch: its receipt covers it alone. */
  g_assert_cmpint (c->receipt_count, ==, 1);
  assert_same_receipt (c_twice, c);

  stored = intake_server_store_submissions_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stored->len, ==, 4);
  for (guint i = 0; i < stored->len; i++)
    {
      IntakeServerSubmission *s = g_ptr_array_index (stored, i);

      if (g_str_equal (s->submission_id, "a"))
        assert_same_receipt (s, a);
      if (g_str_equal (s->submission_id, "old"))
        assert_same_receipt (s, old);

      /* The conflicting content never replaced the stored one. */
      if (g_str_equal (s->submission_id, "a"))
        g_assert_cmpmem (s->content_hash, sizeof s->content_hash, a->content_hash,
                         sizeof a->content_hash);
      g_assert_cmpuint (g_bytes_get_size (s->sealed), ==, 100);
    }
}

/* A database of schema version 1 (before batch receipts) with a stored submission: migration 2
 * adds the receipt's proof columns, and the old receipt (a single signature) is given back
 * unchanged on a resend. */
static void
test_migrate_single_signature_rows (void)
{
  g_autofree char *url = new_database ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) stored = NULL;
  g_autoptr (GPtrArray) again = g_ptr_array_new_with_free_func (
    (GDestroyNotify) intake_server_submission_free);
  g_autoptr (IntakeServerSubmission) old = submission_new ("old", 7, "T0");
  IntakeServerSubmission *resend;
  g_autofree char *hash_hex = NULL;
  g_autofree char *sig_hex = NULL;
  g_autofree char *sealed_hex = NULL;
  g_autofree char *device_sig_hex = NULL;
  g_autofree char *insert = NULL;
  gboolean pg = suite.pg != NULL;
  char hex[2 * 100 + 1];

  /* Made by this program, then taken back to version 1: the columns migration 2 adds, gone. */
  intake_server_store_close (open_store (url));
  exec_sql (url, "ALTER TABLE submissions DROP COLUMN receipt_index;"
                 "ALTER TABLE submissions DROP COLUMN receipt_count;"
                 "ALTER TABLE submissions DROP COLUMN receipt_path;");
  rewind_schema (url, 1);
  sodium_bin2hex (hex, sizeof hex, old->content_hash, INTAKE_HASH_BYTES);
  hash_hex = g_strdup (hex);
  sodium_bin2hex (hex, sizeof hex, old->receipt_signature, INTAKE_SIGNATURE_BYTES);
  sig_hex = g_strdup (hex);
  sodium_bin2hex (hex, sizeof hex, g_bytes_get_data (old->sealed, NULL), 100);
  sealed_hex = g_strdup (hex);
  sodium_bin2hex (hex, sizeof hex, old->signature, INTAKE_SIGNATURE_BYTES);
  device_sig_hex = g_strdup (hex);
  insert = g_strdup_printf (
    pg ? "INSERT INTO submissions (submission_id, device_id, content_hash, sealed, signature, "
         "server_time, receipt_signature, received) VALUES ('old', 'device', '\\x%s', "
         "'\\x%s', '\\x%s', 'T0', '\\x%s', 1)"
       : "INSERT INTO submissions (submission_id, device_id, content_hash, sealed, signature, "
         "server_time, receipt_signature, received) VALUES ('old', 'device', X'%s', X'%s', "
         "X'%s', 'T0', X'%s', 1)",
    hash_hex, sealed_hex, device_sig_hex, sig_hex);
  exec_sql (url, insert);

  {
    g_autoptr (IntakeServerStore) store = open_store (url);

    stored = intake_server_store_submissions_list (store, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (stored->len, ==, 1);
    old->receipt_count = 0;
    assert_same_receipt (stored->pdata[0], old);
    g_assert_null (((IntakeServerSubmission *) stored->pdata[0])->receipt_path);

    resend = submission_new ("old", 7, "T5");
    g_ptr_array_add (again, resend);
    g_assert_true (intake_server_store_submissions_put (store, again, test_seal, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (resend->result, ==, INTAKE_SERVER_PUT_SAME);
    assert_same_receipt (resend, old);
  }
}

/* Submissions are keyed on their device and id. A database of schema version 2 (keyed on the
 * id alone) with a stored submission is migrated: the row is kept, its device's resend gets
 * its receipt back, another device may use the same id, and another hash from the same device
 * is still a conflict. */
static void
test_submissions_keyed_per_device (void)
{
  g_autofree char *url = new_database ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) stored = NULL;
  g_autoptr (GPtrArray) first = g_ptr_array_new_with_free_func (
    (GDestroyNotify) intake_server_submission_free);
  g_autoptr (GPtrArray) again = g_ptr_array_new_with_free_func (
    (GDestroyNotify) intake_server_submission_free);
  IntakeServerSubmission *mine, *resend, *theirs, *other_hash;
  gboolean pg = suite.pg != NULL;

  /* A row stored by this program, then the table taken back to schema version 2's, the row
   * with it, as an existing server's database would be. */
  {
    g_autoptr (IntakeServerStore) store = open_store (url);

    mine = submission_new ("shared-id", 1, "T1");
    g_ptr_array_add (first, mine);
    g_assert_true (intake_server_store_submissions_put (store, first, test_seal, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (mine->result, ==, INTAKE_SERVER_PUT_NEW);
  }
  exec_sql (url, pg ? "CREATE TABLE old (submission_id TEXT PRIMARY KEY, device_id TEXT "
                      "NOT NULL, content_hash BYTEA NOT NULL, sealed BYTEA NOT NULL, signature "
                      "BYTEA NOT NULL, server_time TEXT NOT NULL, receipt_signature BYTEA NOT "
                      "NULL, received BIGINT NOT NULL, receipt_index BIGINT NOT NULL DEFAULT 0, "
                      "receipt_count BIGINT NOT NULL DEFAULT 0, receipt_path BYTEA);"
                    : "CREATE TABLE old (submission_id TEXT PRIMARY KEY, device_id TEXT "
                      "NOT NULL, content_hash BLOB NOT NULL, sealed BLOB NOT NULL, signature "
                      "BLOB NOT NULL, server_time TEXT NOT NULL, receipt_signature BLOB NOT "
                      "NULL, received INTEGER NOT NULL, receipt_index INTEGER NOT NULL DEFAULT "
                      "0, receipt_count INTEGER NOT NULL DEFAULT 0, receipt_path BLOB);");
  exec_sql (url, "INSERT INTO old (submission_id, device_id, content_hash, sealed, signature, "
                 "server_time, receipt_signature, received, receipt_index, receipt_count, "
                 "receipt_path) SELECT submission_id, device_id, content_hash, sealed, signature, "
                 "server_time, receipt_signature, received, receipt_index, receipt_count, "
                 "receipt_path FROM submissions;"
                 "DROP TABLE submissions;"
                 "ALTER TABLE old RENAME TO submissions;");
  rewind_schema (url, 2);
  {
    g_autoptr (IntakeServerStore) store = open_store (url);

    resend = submission_new ("shared-id", 1, "T2");
    theirs = submission_new ("shared-id", 2, "T2");
    g_free (theirs->device_id);
    theirs->device_id = g_strdup ("another device");
    other_hash = submission_new ("shared-id", 3, "T2");
    g_ptr_array_add (again, resend);
    g_ptr_array_add (again, theirs);
    g_ptr_array_add (again, other_hash);
    g_assert_true (intake_server_store_submissions_put (store, again, test_seal, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (resend->result, ==, INTAKE_SERVER_PUT_SAME);
    assert_same_receipt (resend, mine);
    g_assert_cmpint (theirs->result, ==, INTAKE_SERVER_PUT_NEW);
    g_assert_cmpint (other_hash->result, ==, INTAKE_SERVER_PUT_CONFLICT);

    stored = intake_server_store_submissions_list (store, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (stored->len, ==, 2);
    for (guint i = 0; i < stored->len; i++)
      g_assert_cmpstr (((IntakeServerSubmission *) stored->pdata[i])->submission_id, ==,
                       "shared-id");
  }
}

typedef struct
{
  char *url;
  GPtrArray *subs;
  gboolean ok;
} Racer;

static gpointer
racer_thread (gpointer data)
{
  Racer *r = data;
  g_autoptr (IntakeServerStore) store = intake_server_store_open (r->url, NULL);

  /* Batches of 20, as a server would take them from several devices. */
  r->ok = store != NULL;
  for (guint i = 0; r->ok && i < r->subs->len; i += 20)
    {
      g_autoptr (GPtrArray) batch = g_ptr_array_new ();

      for (guint j = i; j < MIN (i + 20, r->subs->len); j++)
        g_ptr_array_add (batch, g_ptr_array_index (r->subs, j));
      r->ok = intake_server_store_submissions_put (store, batch, test_seal, NULL, NULL);
    }
  return NULL;
}

static void
test_two_connections (void)
{
  g_autofree char *url = new_database ();
  g_autoptr (IntakeServerStore) store = open_store (url);
  g_autoptr (GPtrArray) one = g_ptr_array_new_with_free_func (
    (GDestroyNotify) intake_server_submission_free);
  g_autoptr (GPtrArray) two = g_ptr_array_new_with_free_func (
    (GDestroyNotify) intake_server_submission_free);
  g_autoptr (GPtrArray) stored = NULL;
  g_autoptr (GError) error = NULL;
  Racer r1 = { url, one, FALSE }, r2 = { url, two, FALSE };
  GThread *t1, *t2;
  const guint n = 200;

  /* The same ids, the second connection in reverse order, each with its own receipt. */
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("id-%03u", i);
      g_autofree char *id2 = g_strdup_printf ("id-%03u", n - 1 - i);

      g_ptr_array_add (one, submission_new (id, (guint8) i, "T-one"));
      g_ptr_array_add (two, submission_new (id2, (guint8) (n - 1 - i), "T-two"));
    }
  t1 = g_thread_new ("one", racer_thread, &r1);
  t2 = g_thread_new ("two", racer_thread, &r2);
  g_thread_join (t1);
  g_thread_join (t2);
  g_assert_true (r1.ok);
  g_assert_true (r2.ok);

  for (guint i = 0; i < n; i++)
    {
      IntakeServerSubmission *x = g_ptr_array_index (one, i);
      IntakeServerSubmission *y = g_ptr_array_index (two, n - 1 - i);

      g_assert_cmpstr (x->submission_id, ==, y->submission_id);
      /* Exactly one of the two stored it, and both answer with the same receipt. */
      g_assert_true ((x->result == INTAKE_SERVER_PUT_NEW) != (y->result == INTAKE_SERVER_PUT_NEW));
      g_assert_cmpint (x->result, !=, INTAKE_SERVER_PUT_CONFLICT);
      g_assert_cmpint (y->result, !=, INTAKE_SERVER_PUT_CONFLICT);
      assert_same_receipt (x, y);
    }
  stored = intake_server_store_submissions_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stored->len, ==, n);
}

static void
test_forms (void)
{
  g_autofree char *url = new_database ();
  g_autoptr (IntakeServerStore) store = open_store (url);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  IntakeServerForm f1 = { (char *) "f", 1, (char *) "{\"id\":\"f\",\"version\":1}", { 1 }, 10 };
  IntakeServerForm f2 = { (char *) "f", 2, (char *) "{\"id\":\"f\",\"version\":2}", { 2 }, 11 };
  IntakeServerForm changed = { (char *) "f", 1, (char *) "{\"id\":\"f\",\"version\":1,\"x\":1}",
                               { 3 }, 12 };

  g_assert_true (intake_server_store_form_put (store, &f1, &error));
  g_assert_true (intake_server_store_form_put (store, &f2, &error));
  g_assert_true (intake_server_store_form_put (store, &f1, &error));
  g_assert_no_error (error);
  g_assert_false (intake_server_store_form_put (store, &changed, &error));
  g_assert_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  list = intake_server_store_forms_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((IntakeServerForm *) list->pdata[0])->document, ==, f1.document);
  g_assert_cmpint (((IntakeServerForm *) list->pdata[0])->signature[0], ==, 1);
  g_assert_cmpint (((IntakeServerForm *) list->pdata[1])->version, ==, 2);
}

static void
test_bad_urls (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_null (intake_server_store_open ("mysql://x", &error));
  g_assert_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_BAD_URL);
  g_clear_error (&error);
  g_assert_null (intake_server_store_open ("sqlite:", &error));
  g_assert_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_BAD_URL);
  g_clear_error (&error);
  /* Nothing listens on port 1 of loopback. */
  g_assert_null (intake_server_store_open ("postgresql://postgres@127.0.0.1:1/x", &error));
  g_assert_error (error, INTAKE_SERVER_STORE_ERROR, INTAKE_SERVER_STORE_ERROR_FAILED);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *rm = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);
  suite.backend = g_getenv ("INTAKE_TEST_BACKEND");
  if (suite.backend == NULL)
    suite.backend = "sqlite";
  if (g_str_equal (suite.backend, "postgresql") && geteuid () != 0)
    {
      g_test_skip ("the PostgreSQL tests start a cluster as user postgres, which needs root");
      return g_test_run ();
    }

  suite.dir = g_dir_make_tmp ("intake-server-store-XXXXXX", &error);
  g_assert_no_error (error);
  intake_test_remove_on_exit (suite.dir);
  if (g_str_equal (suite.backend, "postgresql"))
    {
      suite.pg = intake_test_pg_start (FALSE, &error);
      g_assert_no_error (error);
    }

  g_test_add_func ("/intake/server/store/open-and-meta", test_open_and_meta);
  g_test_add_func ("/intake/server/store/devices", test_devices);
  g_test_add_func ("/intake/server/store/submissions", test_submissions);
  g_test_add_func ("/intake/server/store/two-connections", test_two_connections);
  g_test_add_func ("/intake/server/store/migrate-single-signature-rows",
                   test_migrate_single_signature_rows);
  g_test_add_func ("/intake/server/store/submissions-keyed-per-device",
                   test_submissions_keyed_per_device);
  g_test_add_func ("/intake/server/store/forms", test_forms);
  g_test_add_func ("/intake/server/store/bad-urls", test_bad_urls);
  ret = g_test_run ();

  intake_test_pg_stop (suite.pg);
  rm = g_strdup_printf ("rm -rf '%s'", suite.dir);
  g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL);
  g_free (suite.dir);
  return ret;
}
