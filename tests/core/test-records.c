/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Interview records: the lifecycle, list filters, unknown ids and every kind of altered
 * record.
 * (Split out of test-store.c by unit, issue #14; the fixture is store-fixture.c.) */
#include "store-fixture.h"

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

/*
 * XLSForm's metadata questions are stamped where answers are saved: start and today when the
 * interview is made, end at every save, deviceid with this tablet's id and username with the
 * interviewer's name; a later save by another user keeps start, today and username.  No audit
 * entry comes of it.  (Before, nothing called intake_form_session_stamp_metadata () and none of
 * them was stored.)
 */
static void
test_metadata_stamped (Fixture *f, gconstpointer data)
{
  static const char doc[] =
    "{\"id\": \"meta\", \"version\": 1, \"title\": {\"en\": \"Meta\"},"
    " \"default_language\": \"en\", \"languages\": [\"en\"], \"questions\": ["
    " {\"type\": \"start\", \"name\": \"started\"}, {\"type\": \"end\", \"name\": \"ended\"},"
    " {\"type\": \"today\", \"name\": \"day\"}, {\"type\": \"deviceid\", \"name\": \"device\"},"
    " {\"type\": \"username\", \"name\": \"who\"},"
    " {\"type\": \"text\", \"name\": \"name\", \"label\": {\"en\": \"Name\"}}]}";
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1");
  g_autoptr (IntakeSession) sup = unlock_as (f->store, "sup");
  g_autoptr (IntakeInterview) made = NULL;
  g_autoptr (IntakeInterview) saved = NULL;
  g_autoptr (GPtrArray) actions = NULL;
  g_autofree char *id = NULL;
  g_autofree char *started = NULL, *day = NULL;
  const char *const expected[] = { "create", "edit", "edit", NULL };
  const char *device = intake_store_get_device_id (f->store);

  ASSERT_OK (intake_session_import_form (f->admin, doc, NULL, NULL, &error));
  id = intake_session_create_interview (w1, "meta", 1, NULL, &error);
  g_assert_no_error (error);
  made = open_ok (w1, id);
  started = g_strdup (answer_of (made, "started"));
  day = g_strdup (answer_of (made, "day"));
  g_assert_nonnull (started);
  g_assert_cmpuint (strlen (started), ==, 19);
  g_assert_true (g_str_has_prefix (started, day));
  g_assert_cmpstr (answer_of (made, "ended"), ==, started);
  g_assert_nonnull (device);
  g_assert_cmpstr (answer_of (made, "device"), ==, device);
  g_assert_cmpstr (answer_of (made, "who"), ==, intake_session_get_user_name (w1));

  set_string_answer (w1, id, "name", "Ayu");
  set_string_answer (sup, id, "name", "Ayu Lestari");
  saved = open_ok (sup, id);
  g_assert_cmpstr (answer_of (saved, "name"), ==, "Ayu Lestari");
  /* Fixed the first time; end is rewritten (to the time of the save, not asserted here). */
  g_assert_cmpstr (answer_of (saved, "started"), ==, started);
  g_assert_cmpstr (answer_of (saved, "day"), ==, day);
  g_assert_cmpstr (answer_of (saved, "who"), ==, intake_session_get_user_name (w1));
  g_assert_cmpuint (strlen (answer_of (saved, "ended")), ==, 19);
  g_assert_cmpstr (answer_of (saved, "ended"), >=, started);
  g_assert_cmpstr (answer_of (saved, "device"), ==, device);

  /* The stored values are what the engine reads, and the interview completes with them. */
  ASSERT_OK (intake_session_complete_interview (w1, id, &error));
  actions = audit_actions_for (f->admin, id);
  g_assert_cmpstr (actions->pdata[0], ==, expected[0]);
  g_assert_cmpstr (actions->pdata[1], ==, expected[1]);
  g_assert_cmpstr (actions->pdata[2], ==, expected[2]);
  g_assert_cmpstr (actions->pdata[3], ==, "complete");
  g_assert_null (actions->pdata[4]);

  /* A form without metadata questions is saved as before: nothing is added. */
  {
    g_autofree char *plain = new_interview (w1, "Budi");
    g_autoptr (IntakeInterview) iv = open_ok (w1, plain);
    JsonObject *answers = json_object_get_object_member (iv->content, "answers");

    g_assert_false (json_object_has_member (answers, "started"));
    g_assert_cmpstr (answer_of (iv, "name"), ==, "Budi");
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
  g_test_add ("/intake/core/records/" path, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("lifecycle-review", test_lifecycle_review, NULL);
  ADD ("lifecycle-no-review", test_lifecycle_no_review, NULL);
  ADD ("lifecycle-void", test_lifecycle_void, NULL);
  ADD ("metadata-stamped", test_metadata_stamped, NULL);
  ADD ("invalid-transitions", test_invalid_transitions, NULL);
  ADD ("list-filters", test_list_filters, NULL);
  ADD ("tamper-blob", test_tamper, GINT_TO_POINTER (TAMPER_BLOB));
  ADD ("tamper-nonce", test_tamper, GINT_TO_POINTER (TAMPER_NONCE));
  ADD ("tamper-record-key", test_tamper, GINT_TO_POINTER (TAMPER_RECORD_KEY));
  ADD ("tamper-moved-blob", test_tamper, GINT_TO_POINTER (TAMPER_MOVED));
  ADD ("tamper-replayed-revision", test_tamper, GINT_TO_POINTER (TAMPER_REPLAY));
  ADD ("unknown-id", test_unknown_id, NULL);
#undef ADD

  return g_test_run ();
}
