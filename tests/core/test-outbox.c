/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The outbox without a server (issue #14): an enrollment made from keys this test holds, so that
 * what the tablet seals can be opened here. Completing an interview seals it in the same
 * transaction; a queue built before enrollment is sealed afterwards; an envelope opens only with
 * the organisation's key and carries the answers; the envelope queue counts, reads past a cursor
 * and marks attention and failures. */
#include "store-fixture.h"

#include <sodium.h>

typedef struct
{
  guint8 org_pk[INTAKE_BOX_PUBLIC_BYTES];
  guint8 org_sk[crypto_box_SECRETKEYBYTES];
} OrgKeys;

static void
enroll (Fixture *f, OrgKeys *org)
{
  g_autoptr (GError) error = NULL;
  guint8 server_sk[crypto_sign_SECRETKEYBYTES];
  IntakeEnrollment e = { 0 };

  crypto_box_keypair (org->org_pk, org->org_sk);
  crypto_sign_keypair (e.server_sign_pk, server_sk);
  memcpy (e.org_data_pk, org->org_pk, sizeof e.org_data_pk);
  e.server_url = (char *) "https://intake.example.org";
  e.device_name = (char *) "tablet-1";
  ASSERT_OK (intake_session_set_enrollment (f->admin, &e, &error));
}

static void
review_off (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  ASSERT_OK (intake_session_set_policy (f->admin, INTAKE_POLICY_REVIEW_REQUIRED, "false",
                                        &error));
}

static IntakeOutboxCounts
counts (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  IntakeOutboxCounts c = { 0 };

  ASSERT_OK (intake_outbox_counts (f->store, &c, &error));
  return c;
}

/* The envelope's plaintext, opened with the organisation's secret key. */
static JsonObject *
open_envelope (const OrgKeys *org, IntakeEnvelope *env)
{
  gsize len = g_bytes_get_size (env->sealed);
  g_autofree guint8 *plain = g_malloc0 (len);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (len, >, crypto_box_SEALBYTES);
  g_assert_cmpint (crypto_box_seal_open (plain, g_bytes_get_data (env->sealed, NULL), len,
                                         org->org_pk, org->org_sk),
                   ==, 0);
  g_assert_true (json_parser_load_from_data (parser, (const char *) plain,
                                             len - crypto_box_SEALBYTES, &error));
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Completing an interview on an enrolled tablet seals it at once; the envelope opens with the
 * organisation's key only and carries the answers and ids. */
static void
test_seal_on_complete (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
  g_autofree char *id = NULL;
  g_autoptr (GPtrArray) pending = NULL;
  g_autoptr (JsonObject) plain = NULL;
  OrgKeys org;
  OrgKeys stranger;
  IntakeEnvelope *env;
  JsonObject *iv;
  guint8 scratch[4096];

  enroll (f, &org);
  review_off (f);
  id = new_interview (w1, "Lestari");
  set_string_answer (w1, id, "village", "Kampung Baru");
  g_assert_cmpint (counts (f).pending, ==, 0);
  ASSERT_OK (intake_session_complete_interview (w1, id, &error));
  g_assert_cmpint (state_of (w1, id), ==, INTAKE_STATE_QUEUED);
  g_assert_cmpint (counts (f).pending, ==, 1);
  g_assert_cmpint (counts (f).unsealed, ==, 0);

  pending = intake_outbox_pending (f->store, 10, 1 << 20, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 1);
  env = g_ptr_array_index (pending, 0);
  g_assert_cmpstr (env->interview_id, ==, id);
  g_assert_nonnull (env->submission_id);
  g_assert_nonnull (env->signature);

  plain = open_envelope (&org, env);
  g_assert_cmpstr (json_object_get_string_member (plain, "format"), ==, "intake-submission-v1");
  g_assert_cmpstr (json_object_get_string_member (plain, "submission_id"), ==,
                   env->submission_id);
  g_assert_cmpstr (json_object_get_string_member (plain, "device_id"), ==,
                   intake_store_get_device_id (f->store));
  iv = json_object_get_object_member (plain, "interview");
  g_assert_nonnull (iv);
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (iv, "answers"), "village"),
      ==, "Kampung Baru");

  /* Another key pair opens nothing. */
  crypto_box_keypair (stranger.org_pk, stranger.org_sk);
  g_assert_cmpuint (g_bytes_get_size (env->sealed), <=, sizeof scratch + crypto_box_SEALBYTES);
  g_assert_cmpint (crypto_box_seal_open (scratch, g_bytes_get_data (env->sealed, NULL),
                                         g_bytes_get_size (env->sealed), stranger.org_pk,
                                         stranger.org_sk),
                   !=, 0);
}

/* A queue built before enrollment waits unsealed; after enrolling, sealing the queue seals each
 * interview once. */
static void
test_seal_queued_after_enrollment (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
  OrgKeys org;

  review_off (f);
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *id = new_interview (w1, "Ayu");
      ASSERT_OK (intake_session_complete_interview (w1, id, &error));
    }
  g_assert_cmpint (counts (f).pending, ==, 0);
  g_assert_cmpint (counts (f).unsealed, ==, 3);

  enroll (f, &org);
  g_assert_cmpint (intake_outbox_seal_queued (f->admin, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpint (counts (f).pending, ==, 3);
  g_assert_cmpint (counts (f).unsealed, ==, 0);
  /* Nothing is sealed twice. */
  g_assert_cmpint (intake_outbox_seal_queued (f->admin, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (counts (f).pending, ==, 3);
}

/* Reading the queue in batches past a cursor, leaving out what is on its way; an envelope marked
 * for attention leaves the pending count and is listed with its reason. */
static void
test_queue_reading_and_attention (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
  g_autoptr (GHashTable) except = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (JsonNode) attention = NULL;
  IntakeOutboxCursor cursor = INTAKE_OUTBOX_CURSOR_START;
  g_autofree char *flagged = NULL;
  OrgKeys org;

  enroll (f, &org);
  review_off (f);
  for (int i = 0; i < 5; i++)
    {
      g_autofree char *id = new_interview (w1, "Sari");
      ASSERT_OK (intake_session_complete_interview (w1, id, &error));
    }
  for (;;)
    {
      g_autoptr (GPtrArray) batch = intake_outbox_pending_except (f->store, except, &cursor, 2,
                                                                  1 << 20, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (batch->len, <=, 2);
      if (batch->len == 0)
        break;
      for (guint i = 0; i < batch->len; i++)
        {
          IntakeEnvelope *env = g_ptr_array_index (batch, i);
          g_assert_false (g_hash_table_contains (seen, env->submission_id));
          g_hash_table_add (seen, g_strdup (env->submission_id));
          if (flagged == NULL)
            flagged = g_strdup (env->submission_id);
        }
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 5);

  ASSERT_OK (intake_outbox_mark_attention (f->store, flagged, "the server refused the form",
                                           &error));
  g_assert_cmpint (counts (f).pending, ==, 4);
  g_assert_cmpint (counts (f).needs_attention, ==, 1);
  attention = intake_outbox_attention_json (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (attention)), ==, 1);

  /* What is on its way is left out of the next reading. */
  {
    g_autoptr (GPtrArray) all = intake_outbox_pending (f->store, 10, 1 << 20, &error);
    g_autoptr (GPtrArray) rest = NULL;

    g_assert_cmpuint (all->len, ==, 4);
    g_hash_table_add (except, ((IntakeEnvelope *) g_ptr_array_index (all, 0))->submission_id);
    rest = intake_outbox_pending_except (f->store, except, NULL, 10, 1 << 20, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (rest->len, ==, 3);
    ASSERT_OK (intake_outbox_note_failure (f->store, all, "connection refused", &error));
    g_assert_cmpint (counts (f).pending, ==, 4);
  }
}

/* An organisation key changed in the file (not through an admin's session) seals nothing: the
 * interview still reaches the queue, unsealed, and the caller is told why. */
static void
test_untrusted_key_seals_nothing (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
  g_autofree char *id = NULL;
  guint8 other_pk[INTAKE_BOX_PUBLIC_BYTES];
  guint8 other_sk[crypto_box_SECRETKEYBYTES];
  sqlite3 *db;
  sqlite3_stmt *stmt;
  OrgKeys org;

  enroll (f, &org);
  review_off (f);
  crypto_box_keypair (other_pk, other_sk);
  db = raw_open (f);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE enrollment SET org_data_pk = ?", -1, &stmt,
                                       NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_blob (stmt, 1, other_pk, sizeof other_pk, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  id = new_interview (w1, "Dewi");
  g_assert_false (intake_session_complete_interview (w1, id, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNTRUSTED);
  g_assert_cmpint (state_of (w1, id), ==, INTAKE_STATE_QUEUED);
  g_assert_cmpint (counts (f).pending, ==, 0);
  g_assert_cmpint (counts (f).unsealed, ==, 1);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  if (!intake_crypto_init (&error))
    g_error ("%s", error->message);

#define ADD(path, func)                                                                          \
  g_test_add ("/intake/core/outbox/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("seal-on-complete", test_seal_on_complete);
  ADD ("seal-queued-after-enrollment", test_seal_queued_after_enrollment);
  ADD ("queue-reading-and-attention", test_queue_reading_and_attention);
  ADD ("untrusted-key-seals-nothing", test_untrusted_key_seals_nothing);
#undef ADD

  return g_test_run ();
}
