/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The store tests' shared fixture and helpers (store-fixture.h). */
#include "store-fixture.h"


/* ---- Helpers ---- */

/* The test form: a few named text questions, a number, and q000…q999 for the full-disk case. */
const char *
form_document (void)
{
  static char *doc;

  if (doc == NULL)
    {
      static const char *const named[] = { "name", "age", "village", "story", "after", "more",
                                           "note" };
      GString *s = g_string_new ("{\"id\": \"household\", \"version\": 1, "
                                 "\"title\": {\"en\": \"Household visit\"}, "
                                 "\"default_language\": \"en\", \"languages\": [\"en\"], "
                                 "\"questions\": [{\"type\": \"integer\", \"name\": \"n\", "
                                 "\"label\": {\"en\": \"N\"}}");
      for (guint i = 0; i < G_N_ELEMENTS (named); i++)
        g_string_append_printf (s, ", {\"type\": \"text\", \"name\": \"%s\", "
                                   "\"label\": {\"en\": \"%s\"}}",
                                named[i], named[i]);
      for (guint i = 0; i < 1000; i++)
        g_string_append_printf (s, ", {\"type\": \"text\", \"name\": \"q%03u\", "
                                   "\"label\": {\"en\": \"Q\"}}",
                                i);
      g_string_append (s, "]}");
      doc = g_string_free (s, FALSE);
    }
  return doc;
}

IntakeSecret *
pin (const char *text)
{
  return intake_secret_new_from_data (text, strlen (text));
}

const char *
pin_of (const char *user)
{
  if (g_str_equal (user, "admin"))
    return ADMIN_PIN;
  if (g_str_equal (user, "sup"))
    return SUP_PIN;
  if (g_str_equal (user, "w1"))
    return W1_PIN;
  if (g_str_equal (user, "w2"))
    return W2_PIN;
  g_assert_not_reached ();
}

void
rm_rf (const char *path)
{
  struct stat st;

  if (lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          rm_rf (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

IntakeSession *
unlock_as (IntakeStore *store, const char *user)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSecret) secret = pin (pin_of (user));
  IntakeSession *session = intake_store_unlock (store, user, secret, &error);

  g_assert_no_error (error);
  g_assert_nonnull (session);
  return session;
}

void
add_user (IntakeSession *admin, const char *name, IntakeRole role)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSecret) secret = pin (pin_of (name));

  ASSERT_OK (intake_session_add_user (admin, name, role, secret, &error));
}

void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSecret) secret = pin (ADMIN_PIN);
  g_autoptr (IntakeStore) created = NULL;
  IntakeKdfParams kdf;

  f->tmp = g_dir_make_tmp ("intake-test-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->tmp, "data", NULL);
  f->db_path = g_build_filename (f->data_dir, INTAKE_DB_FILE_NAME, NULL);
  intake_kdf_params_insecure_for_tests (&kdf);
  created = intake_store_create (f->data_dir, "admin", secret, &kdf, &error);
  g_assert_no_error (error);
  g_assert_nonnull (created);
  f->store = g_steal_pointer (&created);
  f->admin = unlock_as (f->store, "admin");
  ASSERT_OK (intake_session_import_form (f->admin, FORM_DOC, NULL, NULL, &error));
  add_user (f->admin, "sup", INTAKE_ROLE_SUPERVISOR);
  add_user (f->admin, "w1", INTAKE_ROLE_WORKER);
  add_user (f->admin, "w2", INTAKE_ROLE_WORKER);
}

void
fixture_close (Fixture *f)
{
  g_clear_object (&f->admin);
  g_clear_object (&f->store);
}

void
fixture_reopen (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  fixture_close (f);
  f->store = intake_store_open (f->data_dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
  f->admin = unlock_as (f->store, "admin");
}

void
fixture_teardown (Fixture *f, gconstpointer data)
{
  fixture_close (f);
  rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->data_dir);
  g_free (f->db_path);
}

char *
new_interview (IntakeSession *session, const char *name_answer)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) answers = json_object_new ();
  char *id;

  json_object_set_string_member (answers, "name", name_answer);
  id = intake_session_create_interview (session, FORM_ID, 1, answers, &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);
  return id;
}

void
set_string_answer (IntakeSession *session, const char *id, const char *question, const char *v)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, v);
  ASSERT_OK (intake_session_set_answer (session, id, question, node, &error));
}

IntakeInterview *
open_ok (IntakeSession *session, const char *id)
{
  g_autoptr (GError) error = NULL;
  IntakeInterview *iv = intake_session_open_interview (session, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (iv);
  g_assert_nonnull (iv->content);
  return iv;
}

const char *
answer_of (IntakeInterview *iv, const char *question)
{
  JsonObject *answers = json_object_get_object_member (iv->content, "answers");

  g_assert_nonnull (answers);
  return json_object_get_string_member_with_default (answers, question, NULL);
}

IntakeState
state_of (IntakeSession *session, const char *id)
{
  g_autoptr (IntakeInterview) iv = open_ok (session, id);
  return iv->state;
}

sqlite3 *
raw_open (Fixture *f)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (f->db_path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  return db;
}

/* Flips one byte in the middle of a blob column, in every row where key_column = key. */
void
raw_flip_byte (Fixture *f, const char *table, const char *column, const char *key_column,
               const char *key)
{
  sqlite3 *db = raw_open (f);
  g_autofree char *select = g_strdup_printf ("SELECT rowid, %s FROM %s WHERE %s = ?", column,
                                             table, key_column);
  g_autofree char *update = g_strdup_printf ("UPDATE %s SET %s = ? WHERE rowid = ?", table,
                                             column);
  sqlite3_stmt *sel = NULL;
  sqlite3_stmt *upd = NULL;
  int rows = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db, select, -1, &sel, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, update, -1, &upd, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (sel, 1, key, -1, SQLITE_STATIC);
  while (sqlite3_step (sel) == SQLITE_ROW)
    {
      int len = sqlite3_column_bytes (sel, 1);
      g_autofree guint8 *copy = g_memdup2 (sqlite3_column_blob (sel, 1), len);

      g_assert_cmpint (len, >, 0);
      copy[len / 2] ^= 0x01;
      sqlite3_reset (upd);
      sqlite3_bind_blob (upd, 1, copy, len, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (upd, 2, sqlite3_column_int64 (sel, 0));
      g_assert_cmpint (sqlite3_step (upd), ==, SQLITE_DONE);
      rows++;
    }
  g_assert_cmpint (rows, >, 0);
  sqlite3_finalize (sel);
  sqlite3_finalize (upd);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

void
raw_exec (Fixture *f, const char *sql, const char *arg1, const char *arg2)
{
  sqlite3 *db = raw_open (f);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (arg1)
    sqlite3_bind_text (stmt, 1, arg1, -1, SQLITE_STATIC);
  if (arg2)
    sqlite3_bind_text (stmt, 2, arg2, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_assert_cmpint (sqlite3_changes (db), >, 0);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

gboolean
strv_has_substring (GPtrArray *problems, const char *needle)
{
  for (guint i = 0; i < problems->len; i++)
    if (strstr (problems->pdata[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

/* ---- Lifecycle ---- */

GPtrArray *
audit_actions_for (IntakeSession *session, const char *subject)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) log = intake_session_list_audit_json (session, &error);
  GPtrArray *actions = g_ptr_array_new_with_free_func (g_free);
  JsonArray *arr;

  g_assert_no_error (error);
  g_assert_nonnull (log);
  arr = json_node_get_array (log);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonObject *e = json_array_get_object_element (arr, i);
      const char *actor = json_object_get_string_member (e, "actor");

      /* Entries hold ids: the actor is a user id (or empty for the device itself). */
      g_assert_true (*actor == '\0' || intake_uuid_is_valid (actor));
      if (g_strcmp0 (json_object_get_string_member (e, "subject"), subject) == 0
          && g_strcmp0 (json_object_get_string_member (e, "action"), "view") != 0)
        g_ptr_array_add (actions, g_strdup (json_object_get_string_member (e, "action")));
    }
  g_ptr_array_add (actions, NULL);
  return actions;
}

void
assert_audit_has_no (IntakeSession *session, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) log = intake_session_list_audit_json (session, &error);
  g_autofree char *dump = NULL;

  g_assert_no_error (error);
  dump = json_to_string (log, FALSE);
  g_assert_null (strstr (dump, text));
}

/* One blob column of every row a query returns, for the bytes a destruction must remove. */
void
raw_collect_blobs (Fixture *f, const char *sql, const char *arg, GPtrArray *out)
{
  sqlite3 *db = raw_open (f);
  sqlite3_stmt *stmt = NULL;
  guint before = out->len;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      /* Short values (a nonce) could match by chance elsewhere; keys and ciphertext cannot. */
      g_assert_cmpint (sqlite3_column_bytes (stmt, 0), >=, 32);
      g_ptr_array_add (out, g_bytes_new (sqlite3_column_blob (stmt, 0),
                                         sqlite3_column_bytes (stmt, 0)));
    }
  g_assert_cmpuint (out->len, >, before);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

/* The name of a file in the data folder that still holds one of @secrets, or NULL. Every file
 * counts: the data file, its WAL and its shared-memory index. */
char *
data_file_holding (Fixture *f, GPtrArray *secrets)
{
  g_autoptr (GDir) dir = g_dir_open (f->data_dir, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->data_dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (!g_file_get_contents (path, &contents, &len, NULL))
        continue;
      for (guint i = 0; i < secrets->len; i++)
        {
          gsize slen = 0;
          const void *s = g_bytes_get_data (secrets->pdata[i], &slen);

          if (memmem (contents, len, s, slen) != NULL)
            return g_strdup_printf ("%s (secret %u)", name, i);
        }
    }
  return NULL;
}

/* The window and its sync engine each hold a connection: a second store, used once, stays open
 * while the destruction runs, so that SQLite cannot drop the WAL on its own when the first
 * connection closes. */
IntakeStore *
second_connection (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeStore) other = intake_store_open (f->data_dir, &error);
  g_autoptr (IntakeUserInfo) info = NULL;

  g_assert_no_error (error);
  info = intake_store_find_user (other, "admin", &error);
  g_assert_no_error (error);
  return g_steal_pointer (&other);
}

void
assert_forgotten (Fixture *f, GPtrArray *secrets)
{
  g_autofree char *holder = data_file_holding (f, secrets);

  if (holder != NULL)
    g_test_message ("destroyed bytes still in %s", holder);
  g_assert_null (holder);
}
