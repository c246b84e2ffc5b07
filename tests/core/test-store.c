/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The store at the API level: the lifecycle, who may read what, wrong PINs and the lockout, and
 * every kind of bad input issue #2 names (altered records, damaged files, loose permissions, a
 * full disk, a second process writing at the same time), each losing nothing. */
#include "intake-config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "intake-db.h"
#include "intake-outbox.h"
#include "intake-store.h"

#define ADMIN_PIN "admin-pin-0001"
#define SUP_PIN "sup-pin-0002"
#define W1_PIN "w1-pin-0003"
#define W2_PIN "w2-pin-0004"
#define FORM_ID "household"
#define FORM_DOC form_document ()

typedef struct
{
  char *tmp;
  char *data_dir;
  char *db_path;
  IntakeStore *store;
  IntakeSession *admin;
} Fixture;

/* ---- Helpers ---- */

/* The test form: a few named text questions, a number, and q000…q999 for the full-disk case. */
static const char *
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

/* Checks the GError first, so that a failure prints its message. */
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
  if (g_str_equal (user, "w2"))
    return W2_PIN;
  g_assert_not_reached ();
}

static void
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

static IntakeSession *
unlock_as (IntakeStore *store, const char *user)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSecret) secret = pin (pin_of (user));
  IntakeSession *session = intake_store_unlock (store, user, secret, &error);

  g_assert_no_error (error);
  g_assert_nonnull (session);
  return session;
}

static void
add_user (IntakeSession *admin, const char *name, IntakeRole role)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSecret) secret = pin (pin_of (name));

  ASSERT_OK (intake_session_add_user (admin, name, role, secret, &error));
}

static void
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

static void
fixture_close (Fixture *f)
{
  g_clear_object (&f->admin);
  g_clear_object (&f->store);
}

static void
fixture_reopen (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  fixture_close (f);
  f->store = intake_store_open (f->data_dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
  f->admin = unlock_as (f->store, "admin");
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  fixture_close (f);
  rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->data_dir);
  g_free (f->db_path);
}

static char *
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

static void
set_string_answer (IntakeSession *session, const char *id, const char *question, const char *v)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, v);
  ASSERT_OK (intake_session_set_answer (session, id, question, node, &error));
}

static IntakeInterview *
open_ok (IntakeSession *session, const char *id)
{
  g_autoptr (GError) error = NULL;
  IntakeInterview *iv = intake_session_open_interview (session, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (iv);
  g_assert_nonnull (iv->content);
  return iv;
}

static const char *
answer_of (IntakeInterview *iv, const char *question)
{
  JsonObject *answers = json_object_get_object_member (iv->content, "answers");

  g_assert_nonnull (answers);
  return json_object_get_string_member_with_default (answers, question, NULL);
}

static IntakeState
state_of (IntakeSession *session, const char *id)
{
  g_autoptr (IntakeInterview) iv = open_ok (session, id);
  return iv->state;
}

static sqlite3 *
raw_open (Fixture *f)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (f->db_path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  return db;
}

/* Flips one byte in the middle of a blob column, in every row where key_column = key. */
static void
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

static void
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

static gboolean
strv_has_substring (GPtrArray *problems, const char *needle)
{
  for (guint i = 0; i < problems->len; i++)
    if (strstr (problems->pdata[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

/* ---- Lifecycle ---- */

static GPtrArray *
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

static void
assert_audit_has_no (IntakeSession *session, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) log = intake_session_list_audit_json (session, &error);
  g_autofree char *dump = NULL;

  g_assert_no_error (error);
  dump = json_to_string (log, FALSE);
  g_assert_null (strstr (dump, text));
}

static void
test_lifecycle_review (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
  g_autoptr (IntakeSession) sup = unlock_as (f->store, "sup");
  g_autoptr (IntakeInterview) returned = NULL;
  g_autoptr (GPtrArray) actions = NULL;
  g_autofree char *id = new_interview (w1, "Ayu Lestari");
  const char *const expected[] = { "create",   "edit", "complete", "return",
                                   "complete", "approve", NULL };
  const char *note = "Please ask the age again";
  JsonObject *review_note;

  g_assert_cmpint (intake_store_get_policy_int (f->store, INTAKE_POLICY_REVIEW_REQUIRED), ==, 1);
  set_string_answer (w1, id, "age", "34");
  g_assert_cmpint (state_of (w1, id), ==, INTAKE_STATE_DRAFT);

  ASSERT_OK (intake_session_complete_interview (w1, id, &error));
  g_assert_cmpint (state_of (w1, id), ==, INTAKE_STATE_AWAITING_REVIEW);

  ASSERT_OK (intake_session_return_interview (sup, id, note, &error));
  returned = open_ok (w1, id);
  g_assert_cmpint (returned->state, ==, INTAKE_STATE_DRAFT);
  review_note = json_object_get_object_member (returned->content, "review_note");
  g_assert_nonnull (review_note);
  g_assert_cmpstr (json_object_get_string_member (review_note, "text"), ==, note);
  g_assert_cmpstr (answer_of (returned, "age"), ==, "34");

  ASSERT_OK (intake_session_complete_interview (w1, id, &error));
  g_assert_cmpint (state_of (sup, id), ==, INTAKE_STATE_AWAITING_REVIEW);
  ASSERT_OK (intake_session_approve_interview (sup, id, &error));
  g_assert_cmpint (state_of (sup, id), ==, INTAKE_STATE_QUEUED);

  /* Each transition is in the audit log, in order, with ids and actions only. */
  actions = audit_actions_for (f->admin, id);
  g_assert_cmpstrv ((const char *const *) actions->pdata, expected);
  assert_audit_has_no (f->admin, "Ayu");
  assert_audit_has_no (f->admin, note);
  assert_audit_has_no (f->admin, "\"34\"");

  /* Durable: it is all there after reopening. */
  fixture_reopen (f);
  {
    g_autoptr (IntakeSession) sup2 = unlock_as (f->store, "sup");
    g_autoptr (IntakeInterview) iv = open_ok (sup2, id);
    g_assert_cmpint (iv->state, ==, INTAKE_STATE_QUEUED);
    g_assert_false (iv->is_void);
    g_assert_cmpstr (answer_of (iv, "name"), ==, "Ayu Lestari");
  }
}

static void
test_lifecycle_no_review (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
  g_autoptr (GPtrArray) actions = NULL;
  g_autofree char *id = NULL;
  const char *const expected[] = { "create", "complete", NULL };

  ASSERT_OK (intake_session_set_policy (f->admin, INTAKE_POLICY_REVIEW_REQUIRED, "false",
                                            &error));
  g_assert_cmpint (intake_store_get_policy_int (f->store, INTAKE_POLICY_REVIEW_REQUIRED), ==, 0);
  id = new_interview (w1, "Budi");
  ASSERT_OK (intake_session_complete_interview (w1, id, &error));
  g_assert_cmpint (state_of (w1, id), ==, INTAKE_STATE_QUEUED);
  actions = audit_actions_for (f->admin, id);
  g_assert_cmpstrv ((const char *const *) actions->pdata, expected);
}

static void
test_lifecycle_void (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
  g_autoptr (IntakeSession) sup = unlock_as (f->store, "sup");
  g_autoptr (IntakeInterview) iv = NULL;
  g_autoptr (GPtrArray) actions = NULL;
  g_autofree char *id = new_interview (w1, "Citra");
  const char *const expected[] = { "create", "complete", "void", NULL };
  const char *reason = "Entered twice by mistake";

  ASSERT_OK (intake_session_complete_interview (w1, id, &error));

  /* A void needs a reason. */
  g_assert_false (intake_session_void_interview (sup, id, "   ", &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID);
  g_clear_error (&error);

  ASSERT_OK (intake_session_void_interview (sup, id, reason, &error));
  iv = open_ok (sup, id);
  g_assert_cmpint (iv->state, ==, INTAKE_STATE_QUEUED);
  g_assert_true (iv->is_void);
  g_assert_cmpstr (json_object_get_string_member (
                       json_object_get_object_member (iv->content, "void_reason"), "text"),
                   ==, reason);
  actions = audit_actions_for (f->admin, id);
  g_assert_cmpstrv ((const char *const *) actions->pdata, expected);
  assert_audit_has_no (f->admin, reason);
}

static void
assert_state_error (gboolean ok, GError **error)
{
  g_assert_false (ok);
  g_assert_error (*error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_STATE);
  g_clear_error (error);
}

static void
test_invalid_transitions (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
  g_autoptr (IntakeSession) sup = unlock_as (f->store, "sup");
  g_autoptr (JsonNode) value = json_node_new (JSON_NODE_VALUE);
  g_autofree char *id = new_interview (w1, "Dewi");
  gint64 revision;

  json_node_set_string (value, "late");
  /* A draft cannot be approved or returned. */
  assert_state_error (intake_session_approve_interview (sup, id, &error), &error);
  assert_state_error (intake_session_return_interview (sup, id, "note", &error), &error);

  ASSERT_OK (intake_session_complete_interview (w1, id, &error));
  /* Awaiting review: not completed again, not edited. */
  assert_state_error (intake_session_complete_interview (w1, id, &error), &error);
  assert_state_error (intake_session_set_answer (w1, id, "age", value, &error), &error);

  ASSERT_OK (intake_session_approve_interview (sup, id, &error));
  {
    g_autoptr (IntakeInterview) iv = open_ok (sup, id);
    revision = iv->revision;
  }
  /* Queued: nothing moves it back. */
  assert_state_error (intake_session_approve_interview (sup, id, &error), &error);
  assert_state_error (intake_session_return_interview (sup, id, "note", &error), &error);
  assert_state_error (intake_session_void_interview (sup, id, "reason", &error), &error);
  assert_state_error (intake_session_complete_interview (w1, id, &error), &error);
  assert_state_error (intake_session_set_answer (sup, id, "age", value, &error), &error);

  /* The refused transitions changed nothing. */
  {
    g_autoptr (IntakeInterview) iv = open_ok (sup, id);
    g_assert_cmpint (iv->state, ==, INTAKE_STATE_QUEUED);
    g_assert_cmpint (iv->revision, ==, revision);
    g_assert_null (answer_of (iv, "age"));
  }
}

/* ---- Roles ---- */

static void
assert_denied (gboolean ok, GError **error)
{
  g_assert_false (ok);
  g_assert_error (*error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED);
  g_clear_error (error);
}

static void
test_roles (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
  g_autoptr (IntakeSession) w2 = unlock_as (f->store, "w2");
  g_autoptr (IntakeSession) sup = unlock_as (f->store, "sup");
  g_autoptr (IntakeSecret) secret = pin ("another-pin-1");
  g_autoptr (JsonNode) value = json_node_new (JSON_NODE_VALUE);
  g_autoptr (GPtrArray) w2_list = NULL;
  g_autofree char *id = new_interview (w1, "Eka Putri");
  IntakeInterview *iv;

  json_node_set_string (value, "changed");

  /* Another worker can neither read nor change it, nor see it in a list. */
  iv = intake_session_open_interview (w2, id, &error);
  g_assert_null (iv);
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED);
  g_assert_null (strstr (error->message, "Eka"));
  g_clear_error (&error);
  assert_denied (intake_session_set_answer (w2, id, "name", value, &error), &error);
  assert_denied (intake_session_complete_interview (w2, id, &error), &error);
  w2_list = intake_session_list_interviews (w2, INTAKE_LIST_ALL, 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (w2_list->len, ==, 0);

  /* The supervisor and the admin can read it. */
  {
    g_autoptr (IntakeInterview) by_sup = open_ok (sup, id);
    g_autoptr (IntakeInterview) by_admin = open_ok (f->admin, id);
    g_assert_cmpstr (answer_of (by_sup, "name"), ==, "Eka Putri");
    g_assert_cmpstr (answer_of (by_admin, "name"), ==, "Eka Putri");
  }

  /* A worker does not review, manage users, set policies or read the audit log. */
  ASSERT_OK (intake_session_complete_interview (w1, id, &error));
  assert_denied (intake_session_approve_interview (w1, id, &error), &error);
  assert_denied (intake_session_return_interview (w1, id, "note", &error), &error);
  assert_denied (intake_session_void_interview (w1, id, "reason", &error), &error);
  assert_denied (intake_session_approve_interview (w2, id, &error), &error);
  assert_denied (intake_session_add_user (w1, "w3", INTAKE_ROLE_WORKER, secret, &error), &error);
  assert_denied (intake_session_add_user (w1, "boss", INTAKE_ROLE_ADMIN, secret, &error),
                 &error);
  assert_denied (intake_session_set_policy (w1, INTAKE_POLICY_REVIEW_REQUIRED, "false", &error),
                 &error);
  assert_denied (intake_session_set_policy (w1, INTAKE_POLICY_MAX_FAILED_UNLOCKS, "0", &error),
                 &error);
  assert_denied (intake_session_change_secret (w1, "w2", secret, &error), &error);
  assert_denied (intake_session_remove_user (w1, "w2", &error), &error);
  g_assert_null (intake_session_list_audit_json (w1, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED);
  g_clear_error (&error);

  /* None of that changed anything. */
  g_assert_cmpint (intake_store_get_policy_int (f->store, INTAKE_POLICY_REVIEW_REQUIRED), ==, 1);
  g_assert_null (intake_store_find_user (f->store, "w3", &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (state_of (sup, id), ==, INTAKE_STATE_AWAITING_REVIEW);

  /* A locked session reads nothing. */
  intake_session_lock (w1);
  g_assert_null (intake_session_open_interview (w1, id, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED);
  g_clear_error (&error);
}

/* ---- Wrong PIN and lockout ---- */

static void
test_wrong_pin_lockout (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSecret) wrong = pin ("not-the-pin");
  g_autoptr (IntakeSecret) right = pin (W1_PIN);
  g_autoptr (IntakeSecret) fresh = pin ("w1-new-pin-77");
  g_autofree char *id = NULL;
  g_autofree char *id2 = NULL;
  IntakeSession *session;

  ASSERT_OK (intake_session_set_policy (f->admin, INTAKE_POLICY_MAX_FAILED_UNLOCKS, "3",
                                            &error));
  {
    g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
    id = new_interview (w1, "Fajar");
    id2 = new_interview (w1, "Gita");
    set_string_answer (w1, id, "village", "Sukamaju");
  }

  /* A wrong PIN says how many attempts are left; a right one resets the count. */
  session = intake_store_unlock (f->store, "w1", wrong, &error);
  g_assert_null (session);
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_WRONG_SECRET);
  g_assert_nonnull (strstr (error->message, "2 attempts left"));
  g_clear_error (&error);
  {
    g_autoptr (IntakeUserInfo) info = intake_store_find_user (f->store, "w1", &error);
    g_assert_no_error (error);
    g_assert_cmpint (info->failed_unlocks, ==, 1);
    g_assert_false (info->locked_out);
  }
  g_clear_object (&session);
  session = intake_store_unlock (f->store, "w1", right, &error);
  g_assert_no_error (error);
  g_clear_object (&session);
  {
    g_autoptr (IntakeUserInfo) info = intake_store_find_user (f->store, "w1", &error);
    g_assert_cmpint (info->failed_unlocks, ==, 0);
  }

  /* Three wrong PINs in a row destroy the keys. */
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *left = g_strdup_printf ("%d attempt%s left", 2 - i, i == 0 ? "s" : "");
      g_assert_null (intake_store_unlock (f->store, "w1", wrong, &error));
      g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_WRONG_SECRET);
      g_assert_nonnull (strstr (error->message, left));
      g_clear_error (&error);
    }
  g_assert_null (intake_store_unlock (f->store, "w1", wrong, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_LOCKED_OUT);
  g_clear_error (&error);

  /* The lockout is durable, and the right PIN no longer opens anything. */
  fixture_reopen (f);
  g_assert_null (intake_store_unlock (f->store, "w1", right, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_LOCKED_OUT);
  g_assert_nonnull (strstr (error->message, "w1"));
  g_clear_error (&error);
  {
    g_autoptr (IntakeUserInfo) info = intake_store_find_user (f->store, "w1", &error);
    g_assert_true (info->locked_out);
  }

  /* A supervisor can still read the locked-out worker's interviews. */
  {
    g_autoptr (IntakeSession) sup = unlock_as (f->store, "sup");
    g_autoptr (IntakeInterview) iv = open_ok (sup, id);
    g_assert_cmpstr (answer_of (iv, "village"), ==, "Sukamaju");
  }

  /* An admin gives the worker a new PIN; the worker reads their old interviews again. */
  ASSERT_OK (intake_session_change_secret (f->admin, "w1", fresh, &error));
  g_assert_null (intake_store_unlock (f->store, "w1", right, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_WRONG_SECRET);
  g_clear_error (&error);
  session = intake_store_unlock (f->store, "w1", fresh, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  {
    g_autoptr (IntakeInterview) iv = open_ok (session, id);
    g_autoptr (IntakeInterview) iv2 = open_ok (session, id2);
    g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
    g_assert_cmpstr (answer_of (iv, "name"), ==, "Fajar");
    g_assert_cmpstr (answer_of (iv, "village"), ==, "Sukamaju");
    g_assert_cmpstr (answer_of (iv2, "name"), ==, "Gita");
    set_string_answer (session, id, "village", "Sukamakmur");
    ASSERT_OK (intake_store_verify (f->store, session, problems, NULL, &error));
  }
  g_clear_object (&session);
  {
    g_autoptr (IntakeUserInfo) info = intake_store_find_user (f->store, "w1", &error);
    g_assert_false (info->locked_out);
    g_assert_cmpint (info->failed_unlocks, ==, 0);
  }
}

/* ---- Tampering ---- */

#define N_TAMPER 4

typedef enum
{
  TAMPER_BLOB,
  TAMPER_NONCE,
  TAMPER_RECORD_KEY,
  TAMPER_MOVED,
  TAMPER_REPLAY,
} Tamper;

/* The content and nonce of one interview as they are now. */
static void
raw_read_content (Fixture *f, const char *id, GBytes **content, GBytes **nonce)
{
  sqlite3 *db = raw_open (f);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT content, nonce FROM interviews WHERE id = ?",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  *content = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  *nonce = g_bytes_new (sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1));
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

static void
raw_write_content (Fixture *f, const char *id, GBytes *content, GBytes *nonce,
                   gint64 revision)
{
  sqlite3 *db = raw_open (f);
  sqlite3_stmt *stmt = NULL;
  gsize clen = 0;
  gsize nlen = 0;
  const void *cdata = g_bytes_get_data (content, &clen);
  const void *ndata = g_bytes_get_data (nonce, &nlen);

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "UPDATE interviews SET content = ?1, nonce = ?2, "
                                       "revision = coalesce (?3, revision) WHERE id = ?4",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_blob (stmt, 1, cdata, clen, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 2, ndata, nlen, SQLITE_STATIC);
  if (revision > 0)
    sqlite3_bind_int64 (stmt, 3, revision);
  sqlite3_bind_text (stmt, 4, id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

static void
test_tamper (Fixture *f, gconstpointer data)
{
  Tamper what = GPOINTER_TO_INT (data);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  char *ids[N_TAMPER];
  const guint bad = 2;
  guint checked = 0;
  g_autoptr (GBytes) old_content = NULL;
  g_autoptr (GBytes) old_nonce = NULL;

  {
    g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
    g_autoptr (IntakeSession) w2 = unlock_as (f->store, "w2");
    for (guint i = 0; i < N_TAMPER; i++)
      {
        g_autofree char *name = g_strdup_printf ("Person %u", i);
        ids[i] = new_interview (i % 2 ? w2 : w1, name);
        if (i == bad)
          raw_read_content (f, ids[i], &old_content, &old_nonce);
        set_string_answer (i % 2 ? w2 : w1, ids[i], "note", "second revision");
      }
  }
  fixture_close (f);

  switch (what)
    {
    case TAMPER_BLOB:
      raw_flip_byte (f, "interviews", "content", "id", ids[bad]);
      break;
    case TAMPER_NONCE:
      raw_flip_byte (f, "interviews", "nonce", "id", ids[bad]);
      break;
    case TAMPER_RECORD_KEY:
      raw_flip_byte (f, "record_keys", "sealed", "record_id", ids[bad]);
      break;
    case TAMPER_MOVED:
      /* Another interview's valid blob, nonce and revision, put on this row. */
      raw_exec (f,
                "UPDATE interviews SET "
                "content = (SELECT content FROM interviews WHERE id = ?1), "
                "nonce = (SELECT nonce FROM interviews WHERE id = ?1), "
                "revision = (SELECT revision FROM interviews WHERE id = ?1) "
                "WHERE id = ?2",
                ids[0], ids[bad]);
      break;
    case TAMPER_REPLAY:
      /* The blob of revision 1, put back on the row that is at revision 2. */
      raw_write_content (f, ids[bad], old_content, old_nonce, 0);
      break;
    default:
      g_assert_not_reached ();
    }

  fixture_reopen (f);
  {
    g_autoptr (IntakeSession) sup = unlock_as (f->store, "sup");

    /* verify names exactly that interview. */
    g_assert_false (intake_store_verify (f->store, sup, problems, &checked, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (problems->len, ==, 1);
    g_assert_nonnull (strstr (problems->pdata[0], ids[bad]));
    for (guint i = 0; i < N_TAMPER; i++)
      if (i != bad)
        g_assert_false (strv_has_substring (problems, ids[i]));
    g_assert_cmpuint (checked, ==, N_TAMPER - 1);

    /* Opening it gives a clear error; every other interview still opens. */
    for (guint i = 0; i < N_TAMPER; i++)
      {
        g_autoptr (IntakeInterview) iv = NULL;
        g_autofree char *name = g_strdup_printf ("Person %u", i);

        iv = intake_session_open_interview (sup, ids[i], &error);
        if (i == bad)
          {
            g_assert_null (iv);
            g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_TAMPERED);
            g_assert_nonnull (strstr (error->message, ids[bad]));
            g_clear_error (&error);
            continue;
          }
        g_assert_no_error (error);
        g_assert_cmpstr (answer_of (iv, "name"), ==, name);
        g_assert_cmpstr (answer_of (iv, "note"), ==, "second revision");
      }
  }
  /* Its author cannot open it either, nor save over it. */
  {
    g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
    g_autoptr (JsonNode) value = json_node_new (JSON_NODE_VALUE);
    json_node_set_string (value, "overwrite");
    g_assert_null (intake_session_open_interview (w1, ids[bad], &error));
    g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_TAMPERED);
    g_clear_error (&error);
    g_assert_false (intake_session_set_answer (w1, ids[bad], "note", value, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }
  for (guint i = 0; i < N_TAMPER; i++)
    g_free (ids[i]);
}

/* Only the author's copy of the record key is altered: the author's verify names the record,
 * and the review group's copy still opens it. */
static void
test_tamper_author_key (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *good = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *w1_id = NULL;

  {
    g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
    good = new_interview (w1, "Nadia");
    bad = new_interview (w1, "Oka");
    w1_id = g_strdup (intake_session_get_user_id (w1));
  }
  fixture_close (f);
  raw_exec (f,
            "UPDATE record_keys SET sealed = zeroblob (length (sealed)) "
            "WHERE record_id = ?1 AND reader = ?2",
            bad, w1_id);
  fixture_reopen (f);
  {
    g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
    g_autoptr (IntakeSession) sup = unlock_as (f->store, "sup");
    g_autoptr (IntakeInterview) by_sup = NULL;

    g_assert_false (intake_store_verify (f->store, w1, problems, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (problems->len, ==, 1);
    g_assert_nonnull (strstr (problems->pdata[0], bad));
    g_assert_null (intake_session_open_interview (w1, bad, &error));
    g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_TAMPERED);
    g_clear_error (&error);
    by_sup = open_ok (sup, bad);
    g_assert_cmpstr (answer_of (by_sup, "name"), ==, "Oka");
    {
      g_autoptr (IntakeInterview) iv = open_ok (w1, good);
      g_assert_cmpstr (answer_of (iv, "name"), ==, "Nadia");
    }
  }
}

static void
test_tamper_audit (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) anonymous = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *id = NULL;
  gint64 seq = 0;

  {
    g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
    id = new_interview (w1, "Hadi");
  }
  ASSERT_OK (intake_store_verify (f->store, f->admin, problems, NULL, &error));

  /* Point the "create" entry at another subject, as someone covering their tracks might. */
  {
    g_autoptr (JsonNode) log = intake_session_list_audit_json (f->admin, &error);
    JsonArray *arr = json_node_get_array (log);
    for (guint i = 0; i < json_array_get_length (arr); i++)
      {
        JsonObject *e = json_array_get_object_element (arr, i);
        if (g_strcmp0 (json_object_get_string_member (e, "subject"), id) == 0)
          {
            seq = json_object_get_int_member (e, "seq");
            break;
          }
      }
  }
  g_assert_cmpint (seq, >, 1);
  fixture_close (f);
  {
    g_autofree char *seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, seq);
    raw_exec (f, "UPDATE audit SET subject = 'someone-else' WHERE seq = CAST (?1 AS INTEGER)",
              seq_text, NULL);
  }
  fixture_reopen (f);
  {
    g_autofree char *named = g_strdup_printf ("entry %" G_GINT64_FORMAT " ", seq);
    g_assert_false (intake_store_verify (f->store, f->admin, problems, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (problems->len, ==, 1);
    g_assert_nonnull (strstr (problems->pdata[0], "audit"));
    g_assert_nonnull (strstr (problems->pdata[0], named));
    /* Without a session too. */
    g_assert_false (intake_store_verify (f->store, NULL, anonymous, NULL, &error));
    g_assert_true (strv_has_substring (anonymous, named));
  }

  /* A removed entry is named as well. */
  g_ptr_array_set_size (problems, 0);
  fixture_close (f);
  raw_exec (f, "DELETE FROM audit WHERE seq = 2", NULL, NULL);
  fixture_reopen (f);
  g_assert_false (intake_store_verify (f->store, NULL, problems, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (strv_has_substring (problems, "entries 2 to 2 are missing"));
}

/* ---- Unknown ids and damaged files ---- */

static void
test_unknown_id (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
  g_autoptr (IntakeSession) sup = unlock_as (f->store, "sup");
  g_autoptr (JsonNode) value = json_node_new (JSON_NODE_VALUE);
  g_autofree char *unknown = intake_uuid_new ();

  json_node_set_string (value, "x");
  g_assert_null (intake_session_open_interview (sup, unknown, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, unknown));
  g_clear_error (&error);
  g_assert_null (intake_session_open_interview (w1, "not-even-a-uuid", &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (intake_session_set_answer (w1, unknown, "q", value, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (intake_session_complete_interview (w1, unknown, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (intake_session_approve_interview (sup, unknown, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (intake_session_void_interview (sup, unknown, "why", &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* An unknown user or form is named too. */
  {
    g_autoptr (IntakeSecret) secret = pin ("whatever-1");
    g_autoptr (JsonObject) answers = json_object_new ();
    g_assert_null (intake_store_unlock (f->store, "nobody", secret, &error));
    g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "nobody"));
    g_clear_error (&error);
    g_assert_null (intake_session_create_interview (w1, "no-such-form", 1, answers, &error));
    g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "no-such-form"));
    g_clear_error (&error);
  }
}

static GBytes *
read_file_bytes (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

/* Opening a damaged file, and using it as far as it opens, fails with a message naming the
 * problem and leaves the file's bytes exactly as they were. */
static void
assert_damaged_file_refused (Fixture *f, const char *const *phrases)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) before = read_file_bytes (f->db_path);
  g_autoptr (GBytes) after = NULL;
  g_autoptr (IntakeStore) store = NULL;
  gboolean named = FALSE;

  store = intake_store_open (f->data_dir, &error);
  if (store != NULL)
    {
      /* The damage may lie beyond the pages opening reads: the first use that reaches it
       * must fail instead. */
      g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GPtrArray) users = NULL;
      gboolean ok;

      g_assert_no_error (error);
      ok = intake_store_verify (store, NULL, problems, NULL, &error);
      g_assert_false (ok);
      if (error == NULL)
        {
          g_assert_cmpuint (problems->len, >, 0);
          error = g_error_new_literal (INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_FAILED,
                                       problems->pdata[0]);
        }
      users = intake_store_list_users (store, NULL);
      g_clear_pointer (&users, g_ptr_array_unref);
      g_clear_object (&store);
    }
  g_assert_nonnull (error);
  g_test_message ("damaged file: %s", error->message);
  for (guint i = 0; phrases[i]; i++)
    named |= strstr (error->message, phrases[i]) != NULL;
  g_assert_true (named);

  after = read_file_bytes (f->db_path);
  g_assert_true (g_bytes_equal (before, after));
}

static void
test_truncated_file (Fixture *f, gconstpointer data)
{
  const char *const phrases[] = { "damaged", "malformed", "not a Field Intake data file", NULL };
  struct stat st;

  {
    g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
    for (int i = 0; i < 20; i++)
      {
        g_autofree char *id = new_interview (w1, "Indah");
        set_string_answer (w1, id, "story", "a longer answer to make the file grow a little");
      }
  }
  fixture_close (f);
  g_assert_cmpint (g_stat (f->db_path, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 8192);
  g_assert_cmpint (truncate (f->db_path, st.st_size / 2), ==, 0);
  assert_damaged_file_refused (f, phrases);
}

static void
test_not_sqlite (Fixture *f, gconstpointer data)
{
  const char *const phrases[] = { "not a Field Intake data file", NULL };
  guint8 noise[8192];
  g_autoptr (GError) error = NULL;

  fixture_close (f);
  randombytes_buf (noise, sizeof noise);
  g_assert_true (g_file_set_contents_full (f->db_path, (const char *) noise, sizeof noise,
                                           G_FILE_SET_CONTENTS_NONE, 0600, &error));
  g_assert_no_error (error);
  assert_damaged_file_refused (f, phrases);
  {
    g_autoptr (IntakeStore) store = intake_store_open (f->data_dir, &error);
    g_assert_null (store);
    g_assert_error (error, INTAKE_DB_ERROR, INTAKE_DB_ERROR_NOT_A_STORE);
    g_assert_nonnull (strstr (error->message, f->db_path));
  }
}

/* A tablet switched off while 'intakectl init' runs (during the admin's Argon2id, after the
 * schema's own transaction) leaves a data file with the schema and nothing else; one killed
 * sooner leaves an empty file. Opening says to run init; init must then be able to run. */
static void
test_interrupted_init (Fixture *f, gconstpointer data)
{
  for (int schema_only = 0; schema_only < 2; schema_only++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (IntakeStore) opened = NULL;
      g_autoptr (IntakeStore) created = NULL;
      g_autoptr (IntakeSecret) secret = pin (ADMIN_PIN);
      g_autofree char *dir = g_build_filename (f->tmp, schema_only ? "schema-only" : "empty",
                                               NULL);
      g_autofree char *path = g_build_filename (dir, INTAKE_DB_FILE_NAME, NULL);
      IntakeKdfParams kdf;

      g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
      g_assert_true (g_file_set_contents_full (path, "", 0, G_FILE_SET_CONTENTS_NONE, 0600,
                                               &error));
      g_assert_no_error (error);
      if (schema_only)
        {
          IntakeDb *db = intake_db_open (path, TRUE, &error);
          g_assert_no_error (error);
          intake_db_close (db);
        }

      opened = intake_store_open (dir, &error);
      g_assert_null (opened);
      g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_INITIALISED);
      g_assert_nonnull (strstr (error->message, "intakectl init"));
      g_clear_error (&error);

      intake_kdf_params_insecure_for_tests (&kdf);
      created = intake_store_create (dir, "admin", secret, &kdf, &error);
      g_assert_no_error (error);
      g_assert_nonnull (created);
      g_assert_nonnull (intake_store_get_notices (created)[0]);
      g_assert_nonnull (strstr (intake_store_get_notices (created)[0], "interrupted"));
    }
}

/* ---- Permissions ---- */

static mode_t
mode_of (const char *path)
{
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

static void
test_loose_permissions (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) said = g_string_new (NULL);
  g_autofree char *id = NULL;
  const char *const *notices;

  {
    g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
    id = new_interview (w1, "Joko");
  }
  fixture_close (f);
  g_assert_cmpint (mode_of (f->data_dir), ==, 0700);
  g_assert_cmpint (mode_of (f->db_path), ==, 0600);
  g_assert_cmpint (g_chmod (f->data_dir, 0755), ==, 0);
  g_assert_cmpint (g_chmod (f->db_path, 0644), ==, 0);

  f->store = intake_store_open (f->data_dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
  notices = intake_store_get_notices (f->store);
  for (guint i = 0; notices[i]; i++)
    g_string_append_printf (said, "%s\n", notices[i]);
  g_test_message ("notices: %s", said->str);
  g_assert_cmpuint (g_strv_length ((char **) notices), ==, 2);
  g_assert_nonnull (strstr (notices[0], f->data_dir));
  g_assert_nonnull (strstr (notices[0], "0755"));
  g_assert_nonnull (strstr (notices[0], "0700"));
  g_assert_nonnull (strstr (notices[1], f->db_path));
  g_assert_nonnull (strstr (notices[1], "0644"));
  g_assert_nonnull (strstr (notices[1], "0600"));
  g_assert_cmpint (mode_of (f->data_dir), ==, 0700);
  g_assert_cmpint (mode_of (f->db_path), ==, 0600);

  /* Nothing was lost, and the next open has nothing to say. */
  f->admin = unlock_as (f->store, "admin");
  {
    g_autoptr (IntakeInterview) iv = open_ok (f->admin, id);
    g_assert_cmpstr (answer_of (iv, "name"), ==, "Joko");
  }
  fixture_reopen (f);
  g_assert_cmpuint (g_strv_length ((char **) intake_store_get_notices (f->store)), ==, 0);
}

static void
assert_foreign_owner_refused (Fixture *f, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeStore) store = NULL;

  g_assert_cmpint (chown (path, 65534, 65534), ==, 0);
  store = intake_store_open (f->data_dir, &error);
  g_assert_null (store);
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_PERMISSIONS);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "another user"));
  g_assert_cmpint (chown (path, geteuid (), getegid ()), ==, 0);
}

static void
test_foreign_owner (Fixture *f, gconstpointer data)
{
  if (geteuid () != 0)
    {
      g_test_skip ("changing a folder's owner needs root");
      return;
    }
  fixture_close (f);
  assert_foreign_owner_refused (f, f->data_dir);
  assert_foreign_owner_refused (f, f->db_path);
  /* Given back, it opens as before. */
  fixture_reopen (f);
}

static void
test_symlinked_data_file (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeStore) store = NULL;
  g_autofree char *elsewhere = g_build_filename (f->tmp, "elsewhere.db", NULL);

  fixture_close (f);
  g_assert_cmpint (g_rename (f->db_path, elsewhere), ==, 0);
  g_assert_cmpint (symlink (elsewhere, f->db_path), ==, 0);
  store = intake_store_open (f->data_dir, &error);
  g_assert_null (store);
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_PERMISSIONS);
  g_assert_nonnull (strstr (error->message, "symbolic link"));
  g_assert_cmpint (mode_of (elsewhere), ==, 0600);
}

/* ---- Full disk ---- */

#define FULL_DISK_ENV "INTAKE_TEST_FULL_DISK_DIR"

static gboolean
run_quietly (const char *const *argv, char **err_out)
{
  g_autoptr (GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, err_out, &status, &error))
    return FALSE;
  return g_spawn_check_wait_status (status, NULL);
}

static void
assert_saved_answers (const char *data_dir, const char *id, GPtrArray *saved)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeStore) store = intake_store_open (data_dir, &error);
  g_autoptr (IntakeSession) w1 = NULL;
  g_autoptr (IntakeInterview) iv = NULL;
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  JsonObject *answers;

  g_assert_no_error (error);
  w1 = unlock_as (store, "w1");
  iv = open_ok (w1, id);
  answers = json_object_get_object_member (iv->content, "answers");
  g_assert_cmpstr (answer_of (iv, "name"), ==, "Kartika");
  for (guint i = 0; i < saved->len; i++)
    {
      g_autofree char *question = g_strdup_printf ("q%03u", i);
      g_assert_cmpstr (answer_of (iv, question), ==, saved->pdata[i]);
    }
  g_assert_cmpuint (json_object_get_size (answers), ==, saved->len + 1);
  ASSERT_OK (intake_store_verify (store, w1, problems, NULL, &error));
}

/* Runs in a subprocess, so that the parent unmounts the small filesystem whatever happens. */
static void
full_disk_body (const char *mount_dir)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeStore) store = NULL;
  g_autoptr (IntakeSession) admin = NULL;
  g_autoptr (IntakeSession) w1 = NULL;
  g_autoptr (GPtrArray) saved = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (IntakeSecret) secret = pin (ADMIN_PIN);
  g_autofree char *data_dir = g_build_filename (mount_dir, "data", NULL);
  g_autofree char *ballast = g_build_filename (mount_dir, "ballast", NULL);
  g_autofree char *id = NULL;
  g_autofree char *zeros = g_malloc0 (384 * 1024);
  IntakeKdfParams kdf;
  gboolean full = FALSE;

  /* Space to give back once the disk has filled. */
  g_assert_true (g_file_set_contents (ballast, zeros, 384 * 1024, &error));
  g_assert_no_error (error);

  intake_kdf_params_insecure_for_tests (&kdf);
  store = intake_store_create (data_dir, "admin", secret, &kdf, &error);
  g_assert_no_error (error);
  admin = unlock_as (store, "admin");
  ASSERT_OK (intake_session_import_form (admin, FORM_DOC, NULL, NULL, &error));
  add_user (admin, "w1", INTAKE_ROLE_WORKER);
  w1 = unlock_as (store, "w1");
  id = new_interview (w1, "Kartika");

  for (guint i = 0; i < 1000 && !full; i++)
    {
      g_autofree char *question = g_strdup_printf ("q%03u", i);
      g_autofree char *value = g_malloc (8 * 1024 + 1);
      g_autoptr (JsonNode) node = json_node_new (JSON_NODE_VALUE);

      for (guint j = 0; j < 8 * 1024; j++)
        value[j] = 'a' + (char) ((i * 7 + j * 13) % 26);
      value[8 * 1024] = '\0';
      json_node_set_string (node, value);
      if (intake_session_set_answer (w1, id, question, node, &error))
        {
          g_assert_no_error (error);
          g_ptr_array_add (saved, g_steal_pointer (&value));
          continue;
        }
      g_test_message ("save %u failed: %s", i, error->message);
      g_assert_true (g_error_matches (error, INTAKE_DB_ERROR, INTAKE_DB_ERROR_FULL)
                     || strstr (error->message, "disk is full") != NULL);
      g_assert_nonnull (strstr (error->message, "disk is full"));
      full = TRUE;
    }
  g_assert_true (full);
  g_assert_cmpuint (saved->len, >, 0);
  g_clear_error (&error);

  /* The program goes on after a full disk: reading still works in the same session. */
  {
    g_autoptr (IntakeInterview) iv = open_ok (w1, id);
    g_assert_cmpstr (answer_of (iv, "name"), ==, "Kartika");
  }
  g_clear_object (&w1);
  g_clear_object (&admin);
  g_clear_object (&store);

  /* While the disk is still full, the store opens, and an unlock either works or, when even the
   * failed-attempt counter cannot be written, says plainly that the disk is full: the counter is
   * never skipped. */
  {
    g_autoptr (IntakeStore) still_full = intake_store_open (data_dir, &error);
    g_autoptr (IntakeSecret) w1_secret = pin (W1_PIN);
    g_autoptr (IntakeSession) attempt = NULL;

    g_assert_no_error (error);
    attempt = intake_store_unlock (still_full, "w1", w1_secret, &error);
    if (attempt == NULL)
      {
        g_assert_error (error, INTAKE_DB_ERROR, INTAKE_DB_ERROR_FULL);
        g_assert_nonnull (strstr (error->message, "disk is full"));
        g_clear_error (&error);
      }
  }

  /* Every answer whose save returned is there with its value, and the failed one is not, once
   * there is room again. */
  g_assert_cmpint (g_unlink (ballast), ==, 0);
  assert_saved_answers (data_dir, id, saved);
  store = intake_store_open (data_dir, &error);
  g_assert_no_error (error);
  w1 = unlock_as (store, "w1");

  /* And it takes saves again once there is room. */
  set_string_answer (w1, id, "after", "room again");
  g_clear_object (&w1);
  g_clear_object (&store);
  rm_rf (data_dir);
}

static void
test_full_disk (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *mount_dir = NULL;
  g_autofree char *err = NULL;
  gboolean mounted;

  if (g_test_subprocess ())
    {
      full_disk_body (g_getenv (FULL_DISK_ENV));
      return;
    }
  if (geteuid () != 0)
    {
      g_test_skip ("mounting a small filesystem needs root");
      return;
    }
  mount_dir = g_dir_make_tmp ("intake-test-full-XXXXXX", &error);
  g_assert_no_error (error);
  {
    const char *const mount_argv[] = { "mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs",
                                       mount_dir, NULL };
    mounted = run_quietly (mount_argv, &err);
  }
  if (!mounted)
    {
      g_autofree char *why = g_strdup_printf ("cannot mount a tmpfs here: %s", err ? err : "");
      g_rmdir (mount_dir);
      g_test_skip (why);
      return;
    }
  g_setenv (FULL_DISK_ENV, mount_dir, TRUE);
  g_test_trap_subprocess (NULL, 300 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  {
    const char *const umount_argv[] = { "umount", mount_dir, NULL };
    g_autofree char *umount_err = NULL;
    g_assert_true (run_quietly (umount_argv, &umount_err));
  }
  g_rmdir (mount_dir);
  g_test_trap_assert_passed ();
}

/* ---- Wipe ---- */

static void
test_wipe (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = NULL;
  g_autoptr (IntakeStore) reopened = NULL;
  const char *name;

  {
    g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
    g_autofree char *id = new_interview (w1, "Lestari");
    g_assert_true (intake_uuid_is_valid (id));
  }
  ASSERT_OK (intake_store_wipe (f->store, intake_session_get_user_id (f->admin), &error));
  fixture_close (f);

  dir = g_dir_open (f->data_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_str_has_prefix (name, INTAKE_DB_FILE_NAME));

  reopened = intake_store_open (f->data_dir, &error);
  g_assert_null (reopened);
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_INITIALISED);
}

/* ---- A second process writing at the same time ---- */

#define PER_CHILD 15

/* The child opens its own connection (a connection never crosses fork) and reports through its
 * exit status only. */
static G_NORETURN void
concurrent_child (const char *data_dir, const char *user, int start_fd)
{
  g_autoptr (IntakeStore) store = NULL;
  g_autoptr (IntakeSession) session = NULL;
  g_autoptr (IntakeSecret) secret = pin (pin_of (user));
  char go;

  if (read (start_fd, &go, 1) != 1)
    _exit (10);
  store = intake_store_open (data_dir, NULL);
  if (store == NULL)
    _exit (11);
  session = intake_store_unlock (store, user, secret, NULL);
  if (session == NULL)
    _exit (12);
  for (int i = 0; i < PER_CHILD; i++)
    {
      g_autoptr (JsonObject) answers = json_object_new ();
      g_autoptr (JsonNode) node = json_node_new (JSON_NODE_VALUE);
      g_autofree char *id = NULL;
      g_autoptr (GError) error = NULL;

      json_object_set_string_member (answers, "name", user);
      json_object_set_int_member (answers, "n", i);
      id = intake_session_create_interview (session, FORM_ID, 1, answers, &error);
      if (id == NULL)
        {
          g_printerr ("child %s: %s\n", user, error->message);
          _exit (13);
        }
      json_node_set_string (node, "second answer");
      if (!intake_session_set_answer (session, id, "more", node, &error))
        {
          g_printerr ("child %s: %s\n", user, error->message);
          _exit (14);
        }
    }
  g_clear_object (&session);
  g_clear_object (&store);
  _exit (0);
}

static void
test_two_processes (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (IntakeSession) sup = NULL;
  const char *const users[] = { "w1", "w2" };
  int counts[2] = { 0, 0 };
  pid_t pids[2];
  int start[2];
  guint checked = 0;

  fixture_close (f);
  g_assert_cmpint (pipe (start), ==, 0);
  for (int c = 0; c < 2; c++)
    {
      pids[c] = fork ();
      g_assert_cmpint (pids[c], >=, 0);
      if (pids[c] == 0)
        {
          close (start[1]);
          concurrent_child (f->data_dir, users[c], start[0]);
        }
    }
  close (start[0]);
  /* Both start at once. */
  g_assert_cmpint (write (start[1], "gg", 2), ==, 2);
  close (start[1]);
  for (int c = 0; c < 2; c++)
    {
      int status = 0;
      g_assert_cmpint (waitpid (pids[c], &status, 0), ==, pids[c]);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }

  fixture_reopen (f);
  sup = unlock_as (f->store, "sup");
  list = intake_session_list_interviews (sup, INTAKE_LIST_ALL, 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2 * PER_CHILD);
  for (guint i = 0; i < list->len; i++)
    {
      IntakeInterview *iv = list->pdata[i];
      const char *who;

      g_assert_nonnull (iv->content);
      who = answer_of (iv, "name");
      g_assert_cmpstr (answer_of (iv, "more"), ==, "second answer");
      g_assert_cmpint (iv->revision, ==, 2);
      counts[g_str_equal (who, "w2")]++;
    }
  g_assert_cmpint (counts[0], ==, PER_CHILD);
  g_assert_cmpint (counts[1], ==, PER_CHILD);
  ASSERT_OK (intake_store_verify (f->store, sup, problems, &checked, &error));
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_cmpuint (checked, ==, 2 * PER_CHILD);
}

/* The listings home uses: the user's own drafts, their newest completed ones, and counts that
 * open nothing; for a supervisor too, whose store-wide listing holds everyone's. */
static void
test_list_filters (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
  g_autoptr (IntakeSession) sup = unlock_as (f->store, "sup");
  g_autofree char *a = new_interview (w1, "Ayu");
  g_autofree char *b = new_interview (w1, "Budi");
  g_autofree char *c = new_interview (w1, "Citra");
  g_autofree char *d = new_interview (sup, "Dewi");
  g_autoptr (GPtrArray) drafts = NULL;
  g_autoptr (GPtrArray) done = NULL;
  g_autoptr (GPtrArray) sup_drafts = NULL;
  g_autoptr (GPtrArray) sup_done = NULL;

  ASSERT_OK (intake_session_complete_interview (w1, a, &error));
  ASSERT_OK (intake_session_complete_interview (w1, b, &error));

  drafts = intake_session_list_interviews (w1, INTAKE_LIST_MY_DRAFTS, 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (drafts->len, ==, 1);
  g_assert_cmpstr (((IntakeInterview *) drafts->pdata[0])->id, ==, c);
  g_assert_cmpstr (answer_of (drafts->pdata[0], "name"), ==, "Citra");
  done = intake_session_list_interviews (w1, INTAKE_LIST_MY_DONE, 1, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (done->len, ==, 1);
  g_assert_cmpint (((IntakeInterview *) done->pdata[0])->state, ==, INTAKE_STATE_AWAITING_REVIEW);
  g_assert_nonnull (((IntakeInterview *) done->pdata[0])->content);
  g_assert_cmpint (intake_session_count_interviews (w1, INTAKE_LIST_MY_DONE, &error), ==, 2);
  g_assert_cmpint (intake_session_count_interviews (w1, INTAKE_LIST_MY_DRAFTS, &error), ==, 1);
  g_assert_cmpint (intake_session_count_interviews (w1, INTAKE_LIST_ALL, &error), ==, 3);
  g_assert_no_error (error);

  /* The supervisor reads everyone's, but "my" listings hold only their own. */
  sup_drafts = intake_session_list_interviews (sup, INTAKE_LIST_MY_DRAFTS, 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sup_drafts->len, ==, 1);
  g_assert_cmpstr (((IntakeInterview *) sup_drafts->pdata[0])->id, ==, d);
  sup_done = intake_session_list_interviews (sup, INTAKE_LIST_MY_DONE, 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sup_done->len, ==, 0);
  g_assert_cmpint (intake_session_count_interviews (sup, INTAKE_LIST_REVIEW_QUEUE, &error), ==, 2);
  g_assert_cmpint (intake_session_count_interviews (sup, INTAKE_LIST_ALL, &error), ==, 4);
  g_assert_no_error (error);

  /* A locked session counts nothing. */
  intake_session_lock (w1);
  g_assert_cmpint (intake_session_count_interviews (w1, INTAKE_LIST_ALL, &error), ==, -1);
  g_assert_nonnull (error);
}

/* ---- Destroyed stays destroyed, in every file of the data folder ---- */

/* One blob column of every row a query returns, for the bytes a destruction must remove. */
static void
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
static char *
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
static IntakeStore *
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

static void
assert_forgotten (Fixture *f, GPtrArray *secrets)
{
  g_autofree char *holder = data_file_holding (f, secrets);

  if (holder != NULL)
    g_test_message ("destroyed bytes still in %s", holder);
  g_assert_null (holder);
}

static void
test_forget_purge (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeStore) other = NULL;
  g_autoptr (IntakeSession) w1 = NULL;
  g_autoptr (GPtrArray) secrets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (GPtrArray) pending = NULL;
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();
  g_autoptr (GPtrArray) receipts = g_ptr_array_new ();
  g_autofree char *id = NULL;
  IntakeEnrollment enrollment = { 0 };
  guint8 org_sk[crypto_box_SECRETKEYBYTES];

  ASSERT_OK (intake_session_set_policy (f->admin, INTAKE_POLICY_REVIEW_REQUIRED, "false",
                                        &error));
  crypto_box_keypair (enrollment.org_data_pk, org_sk);
  enrollment.server_url = (char *) "https://127.0.0.1:1";
  ASSERT_OK (intake_session_set_enrollment (f->admin, &enrollment, &error));
  other = second_connection (f);

  w1 = unlock_as (f->store, "w1");
  id = new_interview (w1, "Purnama");
  ASSERT_OK (intake_session_complete_interview (w1, id, &error));
  intake_outbox_seal_queued (w1, &error);
  g_assert_no_error (error);
  raw_collect_blobs (f, "SELECT content FROM interviews WHERE id = ?", id, secrets);
  raw_collect_blobs (f, "SELECT sealed FROM record_keys WHERE record_id = ?", id, secrets);
  raw_collect_blobs (f, "SELECT sealed FROM outbox WHERE interview_id = ?", id, secrets);

  pending = intake_outbox_pending (f->store, 10, 1 << 20, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 1);
  g_ptr_array_add (ids, ((IntakeEnvelope *) pending->pdata[0])->submission_id);
  g_ptr_array_add (receipts, (char *) "a receipt");
  ASSERT_OK (intake_outbox_mark_sent (f->store, ids, receipts, &error));
  {
    sqlite3 *db = raw_open (f);
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT state FROM interviews WHERE id = ?", -1,
                                         &stmt, NULL),
                     ==, SQLITE_OK);
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "purged");
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
  assert_forgotten (f, secrets);
}

static void
test_forget_user_removal (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeStore) other = second_connection (f);
  g_autoptr (GPtrArray) secrets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char *w2_id = NULL;

  {
    g_autoptr (IntakeSession) w2 = unlock_as (f->store, "w2");
    g_autofree char *id = new_interview (w2, "Ratna");
    g_assert_true (intake_uuid_is_valid (id));
    w2_id = g_strdup (intake_session_get_user_id (w2));
  }
  raw_collect_blobs (f, "SELECT wrapped FROM users WHERE id = ?", w2_id, secrets);
  raw_collect_blobs (f, "SELECT sealed FROM record_keys WHERE reader = ?", w2_id, secrets);
  ASSERT_OK (intake_session_remove_user (f->admin, "w2", &error));
  /* The other connection is still open: SQLite could not drop the WAL on its own. */
  g_assert_nonnull (other);
  assert_forgotten (f, secrets);
}

static void
test_forget_lockout (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeStore) other = NULL;
  g_autoptr (IntakeSecret) wrong = pin ("not-the-pin");
  g_autoptr (GPtrArray) secrets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char *w1_id = NULL;

  ASSERT_OK (intake_session_set_policy (f->admin, INTAKE_POLICY_MAX_FAILED_UNLOCKS, "2",
                                        &error));
  other = second_connection (f);
  {
    g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
    g_autofree char *id = new_interview (w1, "Sekar");
    g_assert_true (intake_uuid_is_valid (id));
    w1_id = g_strdup (intake_session_get_user_id (w1));
  }
  raw_collect_blobs (f, "SELECT wrapped FROM users WHERE id = ?", w1_id, secrets);
  raw_collect_blobs (f, "SELECT sealed FROM record_keys WHERE reader = ?", w1_id, secrets);
  for (int i = 0; i < 2; i++)
    {
      g_assert_null (intake_store_unlock (f->store, "w1", wrong, &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
    }
  {
    g_autoptr (IntakeUserInfo) info = intake_store_find_user (f->store, "w1", &error);
    g_assert_no_error (error);
    g_assert_true (info->locked_out);
  }
  assert_forgotten (f, secrets);
}

/* A new PIN for a user whose PIN leaked: the old wrap, which the old PIN opens, goes. */
static void
test_forget_pin_change (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeStore) other = second_connection (f);
  g_autoptr (IntakeSecret) fresh = pin ("w1-new-pin-88");
  g_autoptr (GPtrArray) secrets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  raw_collect_blobs (f, "SELECT wrapped FROM users WHERE name = ?", "w1", secrets);
  ASSERT_OK (intake_session_change_secret (f->admin, "w1", fresh, &error));
  g_assert_nonnull (other);
  assert_forgotten (f, secrets);
}

/* A power loss between the destroying commit and the checkpoint leaves the old frames in the
 * WAL: the next open finishes the job. The cut is made by copying the files while a second
 * connection keeps the WAL, as a power loss would find them. */
static void
test_forget_after_power_loss (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) secrets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (IntakeStore) reopened = NULL;
  g_autofree char *w2_id = NULL;
  static const char *const suffixes[] = { "", "-wal" };
  sqlite3 *db = raw_open (f);

  {
    g_autoptr (IntakeSession) w2 = unlock_as (f->store, "w2");
    w2_id = g_strdup (intake_session_get_user_id (w2));
  }
  raw_collect_blobs (f, "SELECT wrapped FROM users WHERE id = ?", w2_id, secrets);
  fixture_close (f);
  /* A writer that is not ours destroys the keys and stops before any checkpoint; the copy is
   * what a power loss at that moment leaves on the disk. */
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA secure_delete = ON; PRAGMA wal_autocheckpoint = 0;"
                                     "PRAGMA journal_mode = WAL",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db,
                                         "UPDATE users SET wrapped = NULL, wrap_nonce = NULL, "
                                         "salt = NULL WHERE id = ?",
                                         -1, &stmt, NULL),
                     ==, SQLITE_OK);
    sqlite3_bind_text (stmt, 1, w2_id, -1, SQLITE_STATIC);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
    sqlite3_finalize (stmt);
  }
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (f->db_path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (f->db_path, ".cut", suffixes[i], NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      g_assert_true (g_file_get_contents (from, &contents, &len, NULL));
      g_assert_true (g_file_set_contents_full (to, contents, len, G_FILE_SET_CONTENTS_NONE, 0600,
                                               NULL));
    }
  sqlite3_close (db);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (f->db_path, ".cut", suffixes[i], NULL);
      g_autofree char *to = g_strconcat (f->db_path, suffixes[i], NULL);
      g_assert_cmpint (g_rename (from, to), ==, 0);
    }
  {
    g_autofree char *shm = g_strconcat (f->db_path, "-shm", NULL);
    g_unlink (shm);
  }
  /* The cut copy still holds the old wrap in its WAL: the case is real. */
  {
    g_autofree char *holder = data_file_holding (f, secrets);
    g_assert_nonnull (holder);
  }

  reopened = intake_store_open (f->data_dir, &error);
  g_assert_no_error (error);
  assert_forgotten (f, secrets);
}

/* The wipe overwrites the WAL where it lies before anything truncates or deletes it: a link
 * taken before the wipe still reaches the same blocks, which must hold zeros, not keys. (A
 * file truncated to nothing frees its blocks with the keys still in them.) */
static void
test_wipe_overwrites_wal (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) secrets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (IntakeStore) other = second_connection (f);
  g_autofree char *wal = g_strconcat (f->db_path, "-wal", NULL);
  g_autofree char *linked = g_build_filename (f->tmp, "wal-link", NULL);
  g_autofree char *contents = NULL;
  gsize len = 0;
  gsize before = 0;
  struct stat st;

  {
    g_autoptr (IntakeSecret) secret = pin ("w3-pin-0005");
    ASSERT_OK (intake_session_add_user (f->admin, "w3", INTAKE_ROLE_WORKER, secret, &error));
  }
  raw_collect_blobs (f, "SELECT wrapped FROM users WHERE name = ?", "w3", secrets);
  g_assert_cmpint (link (wal, linked), ==, 0);
  g_assert_true (g_file_get_contents (linked, &contents, &before, NULL));
  /* The case is real: the WAL holds a wrapped key before the wipe. */
  g_assert_nonnull (memmem (contents, before, g_bytes_get_data (secrets->pdata[0], NULL),
                            g_bytes_get_size (secrets->pdata[0])));
  g_clear_pointer (&contents, g_free);

  ASSERT_OK (intake_store_wipe (f->store, intake_session_get_user_id (f->admin), &error));
  g_clear_object (&other);
  fixture_close (f);

  g_assert_cmpint (stat (linked, &st), ==, 0);
  g_assert_true (g_file_get_contents (linked, &contents, &len, NULL));
  /* Not truncated: the blocks that held the frames are the ones overwritten. */
  g_assert_cmpuint (len, >=, before);
  for (gsize i = 0; i < len; i++)
    g_assert_cmpint (contents[i], ==, 0);
  g_unlink (linked);
}

/* ---- Wrong PINs in parallel, each from its own process and connection ---- */

/* The child reports through its exit status: 100 + attempts left after a wrong PIN, 1 for the
 * attempt that destroyed the keys, 2 for an attempt refused because they were already
 * destroyed, 3 for anything else. */
static G_NORETURN void
wrong_pin_child (const char *data_dir, int start_fd)
{
  g_autoptr (IntakeStore) store = NULL;
  g_autoptr (IntakeSecret) wrong = pin ("not-the-pin");
  g_autoptr (GError) error = NULL;
  const char *left;
  char go;

  if (read (start_fd, &go, 1) != 1)
    _exit (3);
  store = intake_store_open (data_dir, NULL);
  if (store == NULL || intake_store_unlock (store, "w1", wrong, &error) != NULL)
    _exit (3);
  if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_LOCKED_OUT))
    _exit (strstr (error->message, "last attempt") != NULL ? 1 : 2);
  if (!g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_WRONG_SECRET)
      || (left = strstr (error->message, ": ")) == NULL)
    {
      g_printerr ("child: %s\n", error->message);
      _exit (3);
    }
  _exit (100 + (int) g_ascii_strtoll (left + 2, NULL, 10));
}

#define N_GUESSERS 12

static void
test_parallel_wrong_pins (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  int max = GPOINTER_TO_INT (data);
  int seen[256] = { 0 };
  pid_t pids[N_GUESSERS];
  int start[2];
  g_autofree char *max_text = g_strdup_printf ("%d", max);

  ASSERT_OK (intake_session_set_policy (f->admin, INTAKE_POLICY_MAX_FAILED_UNLOCKS, max_text,
                                        &error));
  fixture_close (f);
  g_assert_cmpint (pipe (start), ==, 0);
  for (int c = 0; c < N_GUESSERS; c++)
    {
      pids[c] = fork ();
      g_assert_cmpint (pids[c], >=, 0);
      if (pids[c] == 0)
        {
          close (start[1]);
          wrong_pin_child (f->data_dir, start[0]);
        }
    }
  close (start[0]);
  {
    char go[N_GUESSERS];
    memset (go, 'g', sizeof go);
    g_assert_cmpint (write (start[1], go, sizeof go), ==, sizeof go);
  }
  close (start[1]);
  for (int c = 0; c < N_GUESSERS; c++)
    {
      int status = 0;
      g_assert_cmpint (waitpid (pids[c], &status, 0), ==, pids[c]);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), !=, 3);
      seen[WEXITSTATUS (status)]++;
    }

  fixture_reopen (f);
  {
    g_autoptr (IntakeUserInfo) info = intake_store_find_user (f->store, "w1", &error);
    int tried = MIN (max, N_GUESSERS);

    g_assert_no_error (error);
    /* Each attempt was counted before it was tried, and saw the count of those before it: every
     * "attempts left" figure once, no guess beyond the limit. */
    g_assert_cmpint (info->failed_unlocks, ==, tried);
    for (int k = 1; k <= tried; k++)
      g_assert_cmpint (seen[k == max ? 1 : 100 + max - k], ==, 1);
    g_assert_cmpint (seen[2], ==, N_GUESSERS - tried);
    g_assert_true (info->locked_out == (max <= N_GUESSERS));
  }
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  if (!intake_crypto_init (&error))
    g_error ("%s", error->message);

#define ADD(path, func, data)                                                                    \
  g_test_add ("/intake/core/store/" path, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("lifecycle-review", test_lifecycle_review, NULL);
  ADD ("lifecycle-no-review", test_lifecycle_no_review, NULL);
  ADD ("lifecycle-void", test_lifecycle_void, NULL);
  ADD ("invalid-transitions", test_invalid_transitions, NULL);
  ADD ("roles", test_roles, NULL);
  ADD ("list-filters", test_list_filters, NULL);
  ADD ("wrong-pin-lockout", test_wrong_pin_lockout, NULL);
  ADD ("tamper-blob", test_tamper, GINT_TO_POINTER (TAMPER_BLOB));
  ADD ("tamper-nonce", test_tamper, GINT_TO_POINTER (TAMPER_NONCE));
  ADD ("tamper-record-key", test_tamper, GINT_TO_POINTER (TAMPER_RECORD_KEY));
  ADD ("tamper-moved-blob", test_tamper, GINT_TO_POINTER (TAMPER_MOVED));
  ADD ("tamper-replayed-revision", test_tamper, GINT_TO_POINTER (TAMPER_REPLAY));
  ADD ("tamper-author-key", test_tamper_author_key, NULL);
  ADD ("tamper-audit", test_tamper_audit, NULL);
  ADD ("unknown-id", test_unknown_id, NULL);
  ADD ("truncated-file", test_truncated_file, NULL);
  ADD ("not-sqlite", test_not_sqlite, NULL);
  ADD ("interrupted-init", test_interrupted_init, NULL);
  ADD ("loose-permissions", test_loose_permissions, NULL);
  ADD ("foreign-owner", test_foreign_owner, NULL);
  ADD ("symlinked-data-file", test_symlinked_data_file, NULL);
  ADD ("wipe", test_wipe, NULL);
  ADD ("two-processes", test_two_processes, NULL);
  ADD ("forget-purge", test_forget_purge, NULL);
  ADD ("forget-user-removal", test_forget_user_removal, NULL);
  ADD ("forget-lockout", test_forget_lockout, NULL);
  ADD ("forget-pin-change", test_forget_pin_change, NULL);
  ADD ("forget-after-power-loss", test_forget_after_power_loss, NULL);
  ADD ("wipe-overwrites-wal", test_wipe_overwrites_wal, NULL);
  ADD ("parallel-wrong-pins", test_parallel_wrong_pins, GINT_TO_POINTER (100));
  ADD ("parallel-wrong-pins-lockout", test_parallel_wrong_pins, GINT_TO_POINTER (5));
#undef ADD
  g_test_add_func ("/intake/core/store/full-disk", test_full_disk);

  return g_test_run ();
}
