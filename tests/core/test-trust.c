/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The keys that decide who reads, attacked by someone who can write the data file but knows no
 * PIN: each test changes a column the way such an attacker would (a public key of their own, a
 * raised role, a lowered unlock cost, a record's state) and checks that the tablet refuses to
 * encrypt anything to it and that verify names it. Each of these attacks succeeded before the
 * trust key existed (issue #10, item 1, item 3 and the record's associated data of item 7). */
#include "intake-config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "intake-outbox.h"
#include "intake-store.h"

#define ADMIN_PIN "admin-pin-0001"
#define SUP_PIN "sup-pin-0002"
#define W1_PIN "w1-pin-0003"
#define W2_PIN "w2-pin-0004"

#define FORM_DOC                                                                                 \
  "{\"id\": \"visit\", \"version\": 1, \"title\": {\"en\": \"Visit\"}, "                         \
  "\"default_language\": \"en\", \"languages\": [\"en\"], \"questions\": ["                     \
  "{\"type\": \"text\", \"name\": \"story\", \"label\": {\"en\": \"Story\"}}]}"

typedef struct
{
  char *tmp;
  char *data_dir;
  char *db_path;
  IntakeStore *store;
  IntakeSession *admin;
  /* The attacker's own X25519 key pair. */
  guint8 evil_pk[crypto_box_PUBLICKEYBYTES];
  guint8 evil_sk[crypto_box_SECRETKEYBYTES];
} Fixture;

#define ASSERT_OK(expr)                                                                          \
  G_STMT_START                                                                                   \
  {                                                                                              \
    gboolean ok_ = (expr);                                                                       \
    g_assert_no_error (error);                                                                   \
    g_assert_true (ok_);                                                                         \
  }                                                                                              \
  G_STMT_END

static IntakeSecret *
pin (const char *text)
{
  return intake_secret_new_from_data (text, strlen (text));
}

static const char *
pin_of (const char *user)
{
  if (g_str_equal (user, "admin"))
    return ADMIN_PIN;
  if (g_str_equal (user, "sup"))
    return SUP_PIN;
  if (g_str_equal (user, "w1"))
    return W1_PIN;
  return W2_PIN;
}

static IntakeSession *
try_unlock (IntakeStore *store, const char *user, GError **error)
{
  g_autoptr (IntakeSecret) secret = pin (pin_of (user));

  return intake_store_unlock (store, user, secret, error);
}

static IntakeSession *
unlock_as (IntakeStore *store, const char *user)
{
  g_autoptr (GError) error = NULL;
  IntakeSession *session = try_unlock (store, user, &error);

  g_assert_no_error (error);
  g_assert_nonnull (session);
  return session;
}

/* A store with an admin, a supervisor and two workers. @kdf NULL: the insecure test cost. */
static void
fixture_setup_with_cost (Fixture *f, const IntakeKdfParams *cost)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSecret) secret = pin (ADMIN_PIN);
  const char *const users[] = { "sup", "w1", "w2" };
  const IntakeRole roles[] = { INTAKE_ROLE_SUPERVISOR, INTAKE_ROLE_WORKER, INTAKE_ROLE_WORKER };
  IntakeKdfParams kdf;

  f->tmp = g_dir_make_tmp ("intake-test-trust-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->tmp, "data", NULL);
  f->db_path = g_build_filename (f->data_dir, INTAKE_DB_FILE_NAME, NULL);
  intake_kdf_params_insecure_for_tests (&kdf);
  if (cost != NULL)
    kdf = *cost;
  f->store = intake_store_create (f->data_dir, "admin", secret, &kdf, &error);
  g_assert_no_error (error);
  f->admin = unlock_as (f->store, "admin");
  ASSERT_OK (intake_session_import_form (f->admin, FORM_DOC, NULL, NULL, &error));
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      g_autoptr (IntakeSecret) user_secret = pin (pin_of (users[i]));
      ASSERT_OK (intake_session_add_user (f->admin, users[i], roles[i], user_secret, &error));
    }
  crypto_box_keypair (f->evil_pk, f->evil_sk);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  fixture_setup_with_cost (f, NULL);
}

static void
rm_rf (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        rm_rf (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->admin);
  g_clear_object (&f->store);
  rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->data_dir);
  g_free (f->db_path);
}

/* The store is opened again, as a program started after the file was changed would. */
static void
fixture_reopen (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_clear_object (&f->admin);
  g_clear_object (&f->store);
  f->store = intake_store_open (f->data_dir, &error);
  g_assert_no_error (error);
  f->admin = unlock_as (f->store, "admin");
}

/* What the attacker does: one statement on the data file, with an optional blob as ?1 and text
 * as ?2. */
static void
raw_exec (Fixture *f, const char *sql, const void *blob, gsize blob_len, const char *text)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (f->db_path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (blob != NULL)
    sqlite3_bind_blob (stmt, 1, blob, (int) blob_len, SQLITE_TRANSIENT);
  if (text != NULL)
    sqlite3_bind_text (stmt, 2, text, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_assert_cmpint (sqlite3_changes (db), >, 0);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

/* How many blobs of @sql's first column open with the attacker's secret key. */
static guint
opened_by_attacker (Fixture *f, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint opened = 0;

  g_assert_cmpint (sqlite3_open_v2 (f->db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      int len = sqlite3_column_bytes (stmt, 0);
      g_autofree guint8 *plain = NULL;

      if (len <= (int) crypto_box_SEALBYTES)
        continue;
      plain = g_malloc (len - crypto_box_SEALBYTES);
      if (crypto_box_seal_open (plain, sqlite3_column_blob (stmt, 0), len, f->evil_pk,
                                f->evil_sk)
          == 0)
        opened++;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return opened;
}

static gboolean
problems_mention (GPtrArray *problems, const char *needle)
{
  for (guint i = 0; i < problems->len; i++)
    if (strstr (problems->pdata[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

static GPtrArray *
verify_problems (Fixture *f, IntakeSession *session)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *problems = g_ptr_array_new_with_free_func (g_free);

  g_assert_false (intake_store_verify (f->store, session, problems, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < problems->len; i++)
    g_test_message ("verify: %s", (const char *) problems->pdata[i]);
  return problems;
}

static char *
new_interview (IntakeSession *session, const char *story, GError **error)
{
  g_autoptr (JsonObject) answers = json_object_new ();

  json_object_set_string_member (answers, "story", story);
  return intake_session_create_interview (session, "visit", 1, answers, error);
}

/* The review group's public key replaced by the attacker's: a worker's new interview would have
 * its record key sealed to it. */
static void
test_group_key_swapped (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = NULL;
  g_autofree char *id = NULL;
  g_autoptr (GPtrArray) problems = NULL;

  raw_exec (f, "UPDATE device SET group_pk = ?1", f->evil_pk, sizeof f->evil_pk, NULL);
  fixture_reopen (f);
  w1 = unlock_as (f->store, "w1");
  id = new_interview (w1, "what happened at sea", &error);
  g_assert_cmpuint (opened_by_attacker (f, "SELECT sealed FROM record_keys"), ==, 0);
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNTRUSTED);
  g_assert_null (id);
  g_test_message ("refused: %s", error->message);

  problems = verify_problems (f, f->admin);
  g_assert_true (problems_mention (problems, "device: The review group's key"));
}

/* A supervisor's copy of the group key replaced by a key pair of the attacker's, with the group's
 * public key to match: the supervisor's unlock is refused before any record key is sealed. */
static void
test_group_copy_swapped (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) sup = NULL;
  g_autoptr (IntakeSession) w1 = NULL;
  g_autofree char *id = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint8 sup_pk[crypto_box_PUBLICKEYBYTES];
  guint8 sealed[crypto_box_SEALBYTES + crypto_box_SECRETKEYBYTES];

  g_assert_cmpint (sqlite3_open_v2 (f->db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT box_pk FROM users WHERE name = 'sup'", -1,
                                       &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  memcpy (sup_pk, sqlite3_column_blob (stmt, 0), sizeof sup_pk);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  crypto_box_seal (sealed, f->evil_sk, sizeof f->evil_sk, sup_pk);
  raw_exec (f,
            "UPDATE group_keys SET sealed = ?1 WHERE user_id = "
            "(SELECT id FROM users WHERE name = 'sup')",
            sealed, sizeof sealed, NULL);

  /* With only the copy changed, the copy does not match the group's public key. */
  fixture_reopen (f);
  sup = try_unlock (f->store, "sup", &error);
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_TAMPERED);
  g_assert_null (sup);
  g_clear_error (&error);

  /* With the public key changed as well, nobody seals a record key to it. */
  raw_exec (f, "UPDATE device SET group_pk = ?1", f->evil_pk, sizeof f->evil_pk, NULL);
  fixture_reopen (f);
  sup = try_unlock (f->store, "sup", &error);
  g_assert_no_error (error);
  id = new_interview (sup, "a story", &error);
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNTRUSTED);
  g_clear_error (&error);
  w1 = unlock_as (f->store, "w1");
  g_free (new_interview (w1, "another story", &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNTRUSTED);
  g_assert_cmpuint (opened_by_attacker (f, "SELECT sealed FROM record_keys"), ==, 0);
}

/* A user's public key replaced: their own interviews' keys would be sealed to the attacker. */
static void
test_user_key_swapped (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = NULL;
  g_autoptr (GPtrArray) problems = NULL;

  raw_exec (f, "UPDATE users SET box_pk = ?1 WHERE name = 'w1'", f->evil_pk,
            sizeof f->evil_pk, NULL);
  fixture_reopen (f);
  w1 = try_unlock (f->store, "w1", &error);
  if (w1 != NULL)
    g_free (new_interview (w1, "what happened at sea", NULL));
  g_assert_cmpuint (opened_by_attacker (f, "SELECT sealed FROM record_keys"), ==, 0);
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNTRUSTED);
  g_assert_null (w1);
  g_assert_nonnull (strstr (error->message, "w1"));

  problems = verify_problems (f, f->admin);
  g_assert_true (problems_mention (problems, "user w1:"));
}

/* A worker made a supervisor in the file: they would approve their own interviews. */
static void
test_role_raised (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = NULL;

  raw_exec (f, "UPDATE users SET role = 'supervisor' WHERE name = 'w1'", NULL, 0, NULL);
  fixture_reopen (f);
  w1 = try_unlock (f->store, "w1", &error);
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNTRUSTED);
  g_assert_null (w1);
}

/* The organisation's key replaced after enrollment: approved interviews would be sealed to the
 * attacker, sent, receipted and purged, and the data manager could not open them. */
static void
test_org_key_swapped (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = NULL;
  g_autoptr (IntakeSession) sup = NULL;
  g_autoptr (IntakeInterview) iv = NULL;
  g_autoptr (GPtrArray) problems = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  IntakeEnrollment e = { .server_url = (char *) "http://127.0.0.1:9", .device_name = (char *) "t" };
  guint8 org_sk[crypto_box_SECRETKEYBYTES];
  guint8 server_sk[crypto_sign_SECRETKEYBYTES];
  char fingerprint[INTAKE_FINGERPRINT_TEXT_SIZE];

  crypto_box_keypair (e.org_data_pk, org_sk);
  crypto_sign_keypair (e.server_sign_pk, server_sk);
  ASSERT_OK (intake_session_set_enrollment (f->admin, &e, &error));
  intake_enrollment_get_org_fingerprint (&e, fingerprint);
  g_assert_cmpuint (strlen (fingerprint), ==, 39);

  w1 = unlock_as (f->store, "w1");
  sup = unlock_as (f->store, "sup");
  first = new_interview (w1, "first", &error);
  g_assert_no_error (error);
  ASSERT_OK (intake_session_complete_interview (w1, first, &error));
  ASSERT_OK (intake_session_approve_interview (sup, first, &error));

  raw_exec (f, "UPDATE enrollment SET org_data_pk = ?1", f->evil_pk, sizeof f->evil_pk, NULL);
  second = new_interview (w1, "second", &error);
  g_assert_no_error (error);
  ASSERT_OK (intake_session_complete_interview (w1, second, &error));
  g_assert_false (intake_session_approve_interview (sup, second, &error));
  g_assert_cmpuint (opened_by_attacker (f, "SELECT sealed FROM outbox"), ==, 0);
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNTRUSTED);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, "stays queued"));
  g_clear_error (&error);

  /* Approved all the same: queued, not sealed, nothing lost. */
  iv = intake_session_open_interview (sup, second, &error);
  g_assert_no_error (error);
  g_assert_cmpint (iv->state, ==, INTAKE_STATE_QUEUED);
  g_assert_cmpint (intake_outbox_seal_queued (sup, &error), ==, -1);
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNTRUSTED);
  g_clear_error (&error);

  problems = verify_problems (f, f->admin);
  g_assert_true (problems_mention (problems, "enrollment: The organisation's data key"));

  /* Enrolled again by an admin (with the real key), the waiting interview is sealed to it. */
  ASSERT_OK (intake_session_set_enrollment (f->admin, &e, &error));
  g_assert_cmpint (intake_outbox_seal_queued (sup, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (opened_by_attacker (f, "SELECT sealed FROM outbox"), ==, 0);
}

/* The calibrated unlock cost lowered in the file: every PIN wrap made afterwards (a new user, a
 * changed PIN) would fall to a quick offline guess. */
static void
test_unlock_cost_lowered (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSecret) secret = pin ("new-user-pin-9");
  g_autoptr (IntakeSession) w1 = NULL;
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (IntakeUserInfo) info = NULL;

  raw_exec (f, "UPDATE device SET kdf_ops = 1, kdf_mem = 8192", NULL, 0, NULL);
  fixture_reopen (f);
  g_assert_false (intake_session_add_user (f->admin, "w3", INTAKE_ROLE_WORKER, secret, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNTRUSTED);
  g_clear_error (&error);
  info = intake_store_find_user (f->store, "w3", NULL);
  g_assert_null (info);

  w1 = unlock_as (f->store, "w1");
  g_assert_false (intake_session_change_secret (w1, "w1", secret, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNTRUSTED);
  g_clear_error (&error);

  problems = verify_problems (f, f->admin);
  g_assert_true (problems_mention (problems, "the unlock cost"));
}

/* A wrap made below the tablet's cost is named by verify. */
static void
test_wrap_below_cost (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) problems = NULL;

  raw_exec (f, "UPDATE users SET kdf_ops = 1 WHERE name = 'w2'", NULL, 0, NULL);
  problems = verify_problems (f, f->admin);
  g_assert_true (problems_mention (problems, "user w2: their PIN wrap uses a lower unlock cost"));
}

/* A record's state and void flag flipped in the file: an interview awaiting review would skip it
 * (and be sealed as a void record). */
static void
test_record_state_flipped (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
  g_autoptr (IntakeSession) sup = unlock_as (f->store, "sup");
  g_autoptr (IntakeInterview) iv = NULL;
  g_autoptr (GPtrArray) problems = NULL;
  g_autofree char *id = new_interview (w1, "the story", &error);
  g_autofree char *needle = NULL;

  g_assert_no_error (error);
  ASSERT_OK (intake_session_complete_interview (w1, id, &error));
  raw_exec (f, "UPDATE interviews SET state = 'queued', is_void = 1 WHERE id = ?2", NULL, 0, id);
  iv = intake_session_open_interview (sup, id, &error);
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_TAMPERED);
  g_assert_null (iv);
  g_clear_error (&error);
  problems = verify_problems (f, sup);
  needle = g_strdup_printf ("interview %s", id);
  g_assert_true (problems_mention (problems, needle));
}

/* A real cost, so that lowering it is something: 2 passes, 1 MiB. */
static void
fixture_setup_costly (Fixture *f, gconstpointer data)
{
  IntakeKdfParams cost = { .opslimit = 2, .memlimit = 1024 * 1024,
                           .alg = crypto_pwhash_ALG_ARGON2ID13 };

  fixture_setup_with_cost (f, &cost);
}

/* Rewrites one user's wrap in the format of the version before trust keys (the two secret keys
 * only), as an upgraded store holds it. */
static void
make_legacy_wrap (Fixture *f, const char *user)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSecret) secret = pin (pin_of (user));
  g_autoptr (IntakeSecret) kek = NULL;
  g_autoptr (IntakeSecret) plain = NULL;
  g_autoptr (GBytes) wrapped = NULL;
  g_autoptr (GString) ad = g_string_new ("intake-user-v1");
  g_autofree char *id = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  IntakeKdfParams kdf = { 0 };
  guint8 salt[crypto_pwhash_SALTBYTES];
  guint8 nonce[INTAKE_AEAD_NONCE_BYTES];

  g_assert_cmpint (sqlite3_open_v2 (f->db_path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT id, salt, kdf_ops, kdf_mem, kdf_alg, wrap_nonce, "
                                       "wrapped FROM users WHERE name = ?",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, user, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  memcpy (salt, sqlite3_column_blob (stmt, 1), sizeof salt);
  kdf.opslimit = sqlite3_column_int64 (stmt, 2);
  kdf.memlimit = sqlite3_column_int64 (stmt, 3);
  kdf.alg = sqlite3_column_int (stmt, 4);
  g_string_append_c (ad, '\0');
  g_string_append (ad, id);
  kek = intake_kdf_derive (secret, salt, &kdf, &error);
  g_assert_no_error (error);
  plain = intake_aead_decrypt (kek, sqlite3_column_blob (stmt, 6), sqlite3_column_bytes (stmt, 6),
                               sqlite3_column_blob (stmt, 5), sqlite3_column_bytes (stmt, 5),
                               (const guint8 *) ad->str, ad->len, &error);
  g_assert_no_error (error);
  sqlite3_finalize (stmt);
  g_assert_cmpuint (plain->len, ==, crypto_box_SECRETKEYBYTES + crypto_sign_SECRETKEYBYTES + 32);
  wrapped = intake_aead_encrypt (kek, plain->data,
                                 crypto_box_SECRETKEYBYTES + crypto_sign_SECRETKEYBYTES,
                                 (const guint8 *) ad->str, ad->len, nonce);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "UPDATE users SET wrap_nonce = ?, wrapped = ? WHERE id = ?",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_blob (stmt, 1, nonce, sizeof nonce, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 2, g_bytes_get_data (wrapped, NULL), g_bytes_get_size (wrapped),
                     SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static int
count_rows (Fixture *f, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int n;

  g_assert_cmpint (sqlite3_open_v2 (f->db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* A store written by the version before trust keys: the first unlock makes the trust key and
 * binds what is there; every other user takes their copy at their own next unlock. */
static void
test_legacy_store (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = NULL;
  g_autoptr (IntakeSession) sup = NULL;
  g_autofree char *id = NULL;
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);

  g_clear_object (&f->admin);
  g_clear_object (&f->store);
  make_legacy_wrap (f, "admin");
  make_legacy_wrap (f, "sup");
  make_legacy_wrap (f, "w1");
  make_legacy_wrap (f, "w2");
  raw_exec (f, "DELETE FROM trust", NULL, 0, NULL);

  fixture_reopen (f);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM trust_grants"), ==, 3);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM audit WHERE action = 'trust-establish'"),
                   ==, 1);
  w1 = unlock_as (f->store, "w1");
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM trust_grants"), ==, 2);
  id = new_interview (w1, "after the upgrade", &error);
  g_assert_no_error (error);
  sup = unlock_as (f->store, "sup");
  ASSERT_OK (intake_session_complete_interview (w1, id, &error));
  ASSERT_OK (intake_session_approve_interview (sup, id, &error));

  /* Everything verifies; w2, who has not unlocked since, still has a grant waiting. */
  ASSERT_OK (intake_store_verify (f->store, f->admin, problems, NULL, &error));
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM trust_grants"), ==, 1);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  if (!intake_crypto_init (&error))
    g_error ("%s", error->message);

#define ADD(path, setup, func)                                                                   \
  g_test_add ("/intake/core/trust/" path, Fixture, NULL, setup, func, fixture_teardown)
  ADD ("group-key-swapped", fixture_setup, test_group_key_swapped);
  ADD ("group-copy-swapped", fixture_setup, test_group_copy_swapped);
  ADD ("user-key-swapped", fixture_setup, test_user_key_swapped);
  ADD ("role-raised", fixture_setup, test_role_raised);
  ADD ("org-key-swapped", fixture_setup, test_org_key_swapped);
  ADD ("unlock-cost-lowered", fixture_setup_costly, test_unlock_cost_lowered);
  ADD ("wrap-below-cost", fixture_setup_costly, test_wrap_below_cost);
  ADD ("record-state-flipped", fixture_setup, test_record_state_flipped);
  ADD ("legacy-store", fixture_setup, test_legacy_store);
#undef ADD

  return g_test_run ();
}
