/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The session's queue (intake-session-queue.c): store work a window waits for, run in a worker
 * thread on its own connection to a real data file. Each _async call must give what its
 * synchronous twin gives, in the order of the calls; a lock waits for what is queued; errors
 * come back through the _finish calls. */
#include "intake-config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "intake-form.h"
#include "intake-store.h"

#define ADMIN_PIN "admin-pin-0001"
#define SUP_PIN "sup-pin-0002"
#define W1_PIN "w1-pin-0003"
#define FORM_ID "household"
#define FORM_DOC                                                                                 \
  "{\"id\": \"household\", \"version\": 1, \"title\": {\"en\": \"Household visit\"}, "         \
  "\"default_language\": \"en\", \"languages\": [\"en\"], \"questions\": ["                    \
  "{\"type\": \"text\", \"name\": \"name\", \"label\": {\"en\": \"Name\"}},"                   \
  "{\"type\": \"text\", \"name\": \"story\", \"label\": {\"en\": \"Story\"}},"                 \
  "{\"type\": \"text\", \"name\": \"village\", \"label\": {\"en\": \"Village\"}},"             \
  "{\"type\": \"integer\", \"name\": \"n\", \"label\": {\"en\": \"N\"}}]}"
#define FORM_DOC_2                                                                               \
  "{\"id\": \"second\", \"version\": 3, \"title\": {\"en\": \"Second\"}, "                     \
  "\"default_language\": \"en\", \"languages\": [\"en\"], \"questions\": ["                    \
  "{\"type\": \"text\", \"name\": \"a\", \"label\": {\"en\": \"A\"}}]}"

#define ASSERT_OK(expr)                                                                          \
  G_STMT_START                                                                                   \
  {                                                                                              \
    gboolean ok_ = (expr);                                                                       \
    g_assert_no_error (error);                                                                   \
    g_assert_true (ok_);                                                                         \
  }                                                                                              \
  G_STMT_END

typedef struct
{
  char *tmp;
  char *data_dir;
  IntakeStore *store;
  IntakeSession *admin;
} Fixture;

static IntakeSecret *
pin (const char *text)
{
  return intake_secret_new_from_data (text, strlen (text));
}

static IntakeSession *
unlock_as (IntakeStore *store, const char *user, const char *secret_text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSecret) secret = pin (secret_text);
  IntakeSession *session = intake_store_unlock (store, user, secret, &error);

  g_assert_no_error (error);
  g_assert_nonnull (session);
  return session;
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
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSecret) secret = pin (ADMIN_PIN);
  g_autoptr (IntakeSecret) sup = pin (SUP_PIN);
  g_autoptr (IntakeSecret) w1 = pin (W1_PIN);
  IntakeKdfParams kdf;

  f->tmp = g_dir_make_tmp ("intake-test-queue-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->tmp, "data", NULL);
  intake_kdf_params_insecure_for_tests (&kdf);
  f->store = intake_store_create (f->data_dir, "admin", secret, &kdf, &error);
  g_assert_no_error (error);
  f->admin = unlock_as (f->store, "admin", ADMIN_PIN);
  ASSERT_OK (intake_session_import_form (f->admin, FORM_DOC, NULL, NULL, &error));
  ASSERT_OK (intake_session_add_user (f->admin, "sup", INTAKE_ROLE_SUPERVISOR, sup, &error));
  ASSERT_OK (intake_session_add_user (f->admin, "w1", INTAKE_ROLE_WORKER, w1, &error));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->admin);
  g_clear_object (&f->store);
  rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->data_dir);
}

/* ---- Collecting results in the order the callbacks came ---- */

typedef struct
{
  gboolean ok;
  GError *error;
  guint index;
  char *text;
} Result;

typedef struct
{
  GArray *results; /* of Result */
  guint expected;
} Collector;

typedef gboolean (*FinishFunc) (IntakeSession *session, GAsyncResult *result, GError **error);

typedef struct
{
  Collector *collector;
  guint index;
  FinishFunc finish;
} Pending;

static void
collector_init (Collector *c)
{
  c->results = g_array_new (FALSE, TRUE, sizeof (Result));
  c->expected = 0;
}

static void
collector_clear (Collector *c)
{
  for (guint i = 0; i < c->results->len; i++)
    {
      Result *r = &g_array_index (c->results, Result, i);
      g_clear_error (&r->error);
      g_free (r->text);
    }
  g_array_unref (c->results);
}

static void
boolean_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pending *p = user_data;
  Result r = { 0 };

  r.index = p->index;
  r.ok = p->finish (INTAKE_SESSION (source), result, &r.error);
  g_array_append_val (p->collector->results, r);
  g_free (p);
}

static gpointer
pending_new (Collector *c, FinishFunc finish)
{
  Pending *p = g_new0 (Pending, 1);

  p->collector = c;
  p->index = c->expected++;
  p->finish = finish;
  return p;
}

static void
collector_wait (Collector *c)
{
  while (c->results->len < c->expected)
    g_main_context_iteration (NULL, TRUE);
}

static const Result *
result_at (Collector *c, guint i)
{
  return &g_array_index (c->results, Result, i);
}

/* ---- Helpers ---- */

static JsonNode *
string_node (const char *text)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, text);
  return node;
}

static IntakeInterview *
open_ok (IntakeSession *session, const char *id)
{
  g_autoptr (GError) error = NULL;
  IntakeInterview *iv = intake_session_open_interview (session, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (iv);
  return iv;
}

static char *
answers_text (IntakeSession *session, const char *id)
{
  g_autoptr (IntakeInterview) iv = open_ok (session, id);
  JsonObject *answers = json_object_get_object_member (iv->content, "answers");
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, answers);
  return json_to_string (node, FALSE);
}

static void
queue_set (Collector *c, IntakeSession *s, const char *id, const char *question, const char *v)
{
  g_autoptr (JsonNode) node = string_node (v);

  intake_session_set_answer_async (s, id, question, node, NULL, boolean_done_cb,
                                   pending_new (c, intake_session_set_answer_finish));
}

static void
create_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  char **id_out = user_data;
  g_autoptr (GError) error = NULL;

  *id_out = intake_session_create_interview_finish (INTAKE_SESSION (source), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*id_out);
}

static char *
create_async_wait (IntakeSession *session, JsonObject *answers)
{
  char *id = NULL;

  intake_session_create_interview_async (session, FORM_ID, 1, answers, NULL, create_done_cb, &id);
  while (id == NULL)
    g_main_context_iteration (NULL, TRUE);
  return id;
}

/* ---- Tests ---- */

#define N_SAVES 300

/* Many saves queued at once, on three questions in turn: every callback comes, in the order of
 * the calls, and the interview ends as the same calls made synchronously leave another one. */
static void
test_order_kept (Fixture *f, gconstpointer data)
{
  static const char *const questions[] = { "name", "story", "village" };
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1", W1_PIN);
  g_autofree char *async_id = create_async_wait (w1, NULL);
  g_autofree char *sync_id = intake_session_create_interview (w1, FORM_ID, 1, NULL, &error);
  g_autofree char *async_answers = NULL;
  g_autofree char *sync_answers = NULL;
  Collector c;

  g_assert_no_error (error);
  collector_init (&c);
  for (guint i = 0; i < N_SAVES; i++)
    {
      g_autofree char *v = g_strdup_printf ("value %03u", i);
      g_autoptr (JsonNode) node = string_node (v);
      const char *q = questions[i % G_N_ELEMENTS (questions)];

      queue_set (&c, w1, async_id, q, v);
      ASSERT_OK (intake_session_set_answer (w1, sync_id, q, node, &error));
    }
  collector_wait (&c);
  g_assert_cmpuint (c.results->len, ==, N_SAVES);
  for (guint i = 0; i < N_SAVES; i++)
    {
      g_assert_no_error (result_at (&c, i)->error);
      g_assert_true (result_at (&c, i)->ok);
      g_assert_cmpuint (result_at (&c, i)->index, ==, i);
    }

  async_answers = answers_text (w1, async_id);
  sync_answers = answers_text (w1, sync_id);
  g_assert_cmpstr (async_answers, ==, sync_answers);
  {
    g_autoptr (IntakeInterview) a = open_ok (w1, async_id);
    g_autoptr (IntakeInterview) s = open_ok (w1, sync_id);

    g_assert_cmpint (a->revision, ==, s->revision);
    g_assert_cmpint (a->state, ==, s->state);
  }
  g_assert_true (strstr (async_answers, "value 299") != NULL);
  collector_clear (&c);
}

/* Each transition through the queue leaves the interview as the synchronous call does. */
static void
test_lifecycle_equals_sync (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1", W1_PIN);
  g_autoptr (IntakeSession) sup = unlock_as (f->store, "sup", SUP_PIN);
  char *ids[2][3] = { { 0 } };
  Collector c;

  collector_init (&c);
  /* Three interviews each way: one approved, one returned, one voided. */
  for (guint way = 0; way < 2; way++)
    for (guint k = 0; k < 3; k++)
      {
        g_autoptr (JsonObject) answers = json_object_new ();

        json_object_set_string_member (answers, "name", "Lestari");
        if (way == 0)
          ids[way][k] = intake_session_create_interview (w1, FORM_ID, 1, answers, &error);
        else
          ids[way][k] = create_async_wait (w1, answers);
        g_assert_no_error (error);
      }
  for (guint k = 0; k < 3; k++)
    {
      ASSERT_OK (intake_session_complete_interview (w1, ids[0][k], &error));
      intake_session_complete_interview_async (
          w1, ids[1][k], NULL, boolean_done_cb,
          pending_new (&c, intake_session_complete_interview_finish));
    }
  collector_wait (&c);
  ASSERT_OK (intake_session_approve_interview (sup, ids[0][0], &error));
  ASSERT_OK (intake_session_return_interview (sup, ids[0][1], "Ask again", &error));
  ASSERT_OK (intake_session_void_interview (sup, ids[0][2], "Duplicate", &error));
  intake_session_approve_interview_async (sup, ids[1][0], NULL, boolean_done_cb,
                                          pending_new (&c,
                                                       intake_session_approve_interview_finish));
  intake_session_return_interview_async (sup, ids[1][1], "Ask again", NULL, boolean_done_cb,
                                         pending_new (&c, intake_session_return_interview_finish));
  intake_session_void_interview_async (sup, ids[1][2], "Duplicate", NULL, boolean_done_cb,
                                       pending_new (&c, intake_session_void_interview_finish));
  collector_wait (&c);
  for (guint i = 0; i < c.results->len; i++)
    {
      g_assert_no_error (result_at (&c, i)->error);
      g_assert_true (result_at (&c, i)->ok);
    }
  for (guint k = 0; k < 3; k++)
    {
      g_autoptr (IntakeInterview) s = open_ok (sup, ids[0][k]);
      g_autoptr (IntakeInterview) a = open_ok (sup, ids[1][k]);
      g_autofree char *st = answers_text (sup, ids[0][k]);
      g_autofree char *at = answers_text (sup, ids[1][k]);

      g_assert_cmpint (a->state, ==, s->state);
      g_assert_cmpint (a->is_void, ==, s->is_void);
      g_assert_cmpint (a->revision, ==, s->revision);
      g_assert_cmpint (a->submission_id == NULL, ==, s->submission_id == NULL);
      g_assert_cmpstr (at, ==, st);
    }
  for (guint way = 0; way < 2; way++)
    for (guint k = 0; k < 3; k++)
      g_free (ids[way][k]);
  collector_clear (&c);
}

/* A lock while saves are queued returns only after the last of them committed; the callbacks
 * still come, with success; work queued after the lock is refused. */
static void
test_lock_waits (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1", W1_PIN);
  g_autoptr (IntakeSession) again = NULL;
  g_autoptr (IntakeStore) other = NULL;
  g_autofree char *id = intake_session_create_interview (w1, FORM_ID, 1, NULL, &error);
  g_autofree char *answers = NULL;
  g_autofree char *last = NULL;
  Collector c;

  g_assert_no_error (error);
  collector_init (&c);
  for (guint i = 0; i < N_SAVES; i++)
    {
      g_autofree char *v = g_strdup_printf ("value %03u", i);
      queue_set (&c, w1, id, "story", v);
    }
  intake_session_lock (w1);
  g_assert_true (intake_session_is_locked (w1));

  /* Before any callback ran: a new connection sees the last save. */
  g_assert_cmpuint (c.results->len, ==, 0);
  other = intake_store_open (f->data_dir, &error);
  g_assert_no_error (error);
  again = unlock_as (other, "w1", W1_PIN);
  answers = answers_text (again, id);
  last = g_strdup_printf ("\"value %03u\"", N_SAVES - 1);
  g_assert_true (strstr (answers, last) != NULL);

  queue_set (&c, w1, id, "story", "after the lock");
  collector_wait (&c);
  for (guint i = 0; i < N_SAVES; i++)
    {
      g_assert_no_error (result_at (&c, i)->error);
      g_assert_cmpuint (result_at (&c, i)->index, ==, i);
    }
  g_assert_error (result_at (&c, N_SAVES)->error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED);
  g_assert_false (result_at (&c, N_SAVES)->ok);
  collector_clear (&c);
}

/* Errors come back through _finish, as the synchronous calls raise them, and a failed item does
 * not stop the ones after it. */
static void
test_errors (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) w1 = unlock_as (f->store, "w1", W1_PIN);
  g_autofree char *id = intake_session_create_interview (w1, FORM_ID, 1, NULL, &error);
  g_autoptr (GError) sync_unknown = NULL;
  g_autoptr (JsonNode) node = string_node ("x");
  Collector c;

  g_assert_no_error (error);
  collector_init (&c);
  g_assert_false (intake_session_set_answer (w1, "no-such-interview", "name", node, &sync_unknown));
  queue_set (&c, w1, "no-such-interview", "name", "x");
  queue_set (&c, w1, id, "", "an empty question name");
  intake_session_approve_interview_async (w1, id, NULL, boolean_done_cb,
                                          pending_new (&c,
                                                       intake_session_approve_interview_finish));
  queue_set (&c, w1, id, "name", "still saved");
  collector_wait (&c);
  g_assert_cmpuint (c.results->len, ==, 4);
  g_assert_false (result_at (&c, 0)->ok);
  g_assert_error (result_at (&c, 0)->error, sync_unknown->domain, sync_unknown->code);
  g_assert_cmpstr (result_at (&c, 0)->error->message, ==, sync_unknown->message);
  g_assert_error (result_at (&c, 1)->error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID);
  g_assert_error (result_at (&c, 2)->error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DENIED);
  g_assert_no_error (result_at (&c, 3)->error);
  g_assert_true (result_at (&c, 3)->ok);
  {
    g_autofree char *answers = answers_text (w1, id);
    g_assert_true (strstr (answers, "still saved") != NULL);
  }
  collector_clear (&c);
}

static void
unlock_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;
  g_autoptr (IntakeSession) session = NULL;

  session = intake_store_unlock_finish (INTAKE_STORE (source), result, &r->error);
  r->ok = session != NULL;
  if (session != NULL)
    {
      g_assert_true (intake_session_get_store (session) == INTAKE_STORE (source));
      r->text = g_strdup (intake_session_get_user_name (session));
    }
  r->index = 1;
}

static void
unlock_async_wait (IntakeStore *store, const char *user, const char *secret_text, Result *r)
{
  g_autoptr (IntakeSecret) secret = pin (secret_text);

  memset (r, 0, sizeof *r);
  intake_store_unlock_async (store, user, secret, NULL, unlock_done_cb, r);
  g_clear_pointer (&secret, intake_secret_free);
  while (r->index == 0)
    g_main_context_iteration (NULL, TRUE);
}

/* The unlock in a thread: a right PIN gives a session on the caller's store that works; a wrong
 * one gives the same error as the synchronous call, counted the same way. */
static void
test_unlock (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSecret) wrong = pin ("not-the-pin");
  g_autoptr (GError) sync_error = NULL;
  g_autoptr (GPtrArray) users = NULL;
  Result r;
  int failed = -1;

  g_assert_null (intake_store_unlock (f->store, "w1", wrong, &sync_error));
  g_assert_error (sync_error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_WRONG_SECRET);
  unlock_async_wait (f->store, "w1", "not-the-pin", &r);
  g_assert_false (r.ok);
  g_assert_error (r.error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_WRONG_SECRET);
  g_clear_error (&r.error);

  users = intake_store_list_users (f->store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < users->len; i++)
    {
      IntakeUserInfo *u = g_ptr_array_index (users, i);
      if (g_str_equal (u->name, "w1"))
        failed = u->failed_unlocks;
    }
  g_assert_cmpint (failed, ==, 2);

  unlock_async_wait (f->store, "w1", W1_PIN, &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpstr (r.text, ==, "w1");
  g_free (r.text);

  unlock_async_wait (f->store, "nobody", W1_PIN, &r);
  g_assert_false (r.ok);
  g_assert_error (r.error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_FOUND);
  g_clear_error (&r.error);
}

static void
import_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;
  int version = 0;
  gboolean known = FALSE;
  g_autofree char *form_id = NULL;

  r->ok = intake_session_import_form_finish (INTAKE_SESSION (source), result, &form_id, &version,
                                             &known, &r->error);
  if (r->ok)
    r->text = g_strdup_printf ("%s@%d%s", form_id, version, known ? " known" : "");
  r->index = 1;
}

static void
import_async_wait (IntakeSession *admin, const char *doc, Result *r)
{
  memset (r, 0, sizeof *r);
  intake_session_import_form_async (admin, doc, NULL, import_done_cb, r);
  while (r->index == 0)
    g_main_context_iteration (NULL, TRUE);
}

/* Administration's jobs: users, PINs, policies and forms through the queue. */
static void
test_admin_jobs (Fixture *f, gconstpointer data)
{
  g_autoptr (IntakeSecret) secret = pin ("w2-pin-0005");
  g_autoptr (IntakeSecret) changed = pin ("w2-pin-0006");
  g_autoptr (IntakeSession) w2 = NULL;
  Collector c;
  Result r;

  collector_init (&c);
  intake_session_add_user_async (f->admin, "w2", INTAKE_ROLE_WORKER, secret, NULL,
                                 boolean_done_cb,
                                 pending_new (&c, intake_session_add_user_finish));
  intake_session_add_user_async (f->admin, "w2", INTAKE_ROLE_WORKER, secret, NULL,
                                 boolean_done_cb,
                                 pending_new (&c, intake_session_add_user_finish));
  intake_session_change_secret_async (f->admin, "w2", changed, NULL, boolean_done_cb,
                                      pending_new (&c, intake_session_change_secret_finish));
  intake_session_set_policy_async (f->admin, INTAKE_POLICY_REVIEW_REQUIRED, "false", NULL,
                                   boolean_done_cb,
                                   pending_new (&c, intake_session_set_policy_finish));
  intake_session_set_policy_async (f->admin, "no_such_policy", "1", NULL, boolean_done_cb,
                                   pending_new (&c, intake_session_set_policy_finish));
  collector_wait (&c);
  g_assert_no_error (result_at (&c, 0)->error);
  g_assert_error (result_at (&c, 1)->error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_EXISTS);
  g_assert_no_error (result_at (&c, 2)->error);
  g_assert_no_error (result_at (&c, 3)->error);
  g_assert_nonnull (result_at (&c, 4)->error);
  g_assert_false (result_at (&c, 4)->ok);
  g_assert_cmpint (intake_store_get_policy_int (f->store, INTAKE_POLICY_REVIEW_REQUIRED), ==, 0);
  w2 = unlock_as (f->store, "w2", "w2-pin-0006");

  import_async_wait (f->admin, FORM_DOC_2, &r);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.text, ==, "second@3");
  g_free (r.text);
  import_async_wait (f->admin, FORM_DOC_2, &r);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.text, ==, "second@3 known");
  g_free (r.text);
  g_assert_cmpint (intake_store_get_latest_form_version (f->store, "second"), ==, 3);
  import_async_wait (f->admin, "{\"not\": \"a form\"}", &r);
  g_assert_false (r.ok);
  g_assert_nonnull (r.error);
  g_clear_error (&r.error);

  /* Removing a user through the queue: the user can no longer unlock. */
  intake_session_remove_user_async (f->admin, "w2", NULL, boolean_done_cb,
                                    pending_new (&c, intake_session_remove_user_finish));
  collector_wait (&c);
  g_assert_no_error (result_at (&c, 5)->error);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (IntakeSession) none = intake_store_unlock (f->store, "w2", changed, &error);
    g_assert_null (none);
    g_assert_nonnull (error);
  }
  collector_clear (&c);
}

static void
import_file_wait (IntakeSession *admin, const char *path, Result *r)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);

  memset (r, 0, sizeof *r);
  intake_session_import_form_file_async (admin, file, NULL, import_done_cb, r);
  while (r->index == 0)
    g_main_context_iteration (NULL, TRUE);
}

/* A form file read in the worker: installed as from its text; a file too large to be a form, or
 * one that is not text, is refused with the store's INVALID and nothing is installed. */
static void
test_import_file (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *good = g_build_filename (f->tmp, "second.json", NULL);
  g_autofree char *big = g_build_filename (f->tmp, "video.mp4", NULL);
  g_autofree char *binary = g_build_filename (f->tmp, "photo.jpg", NULL);
  static const char not_text[] = { '{', '\0', '}' };
  Result r;
  FILE *fp;

  g_assert_true (g_file_set_contents (good, FORM_DOC_2, -1, &error));
  g_assert_true (g_file_set_contents (binary, not_text, sizeof not_text, &error));
  fp = fopen (big, "w");
  g_assert_nonnull (fp);
  /* Sparse: the size is what matters, and the file is never read. */
  g_assert_cmpint (fseek (fp, INTAKE_FORM_MAX_BYTES + 1, SEEK_SET), ==, 0);
  g_assert_cmpint (fputc ('x', fp), ==, 'x');
  fclose (fp);

  import_file_wait (f->admin, big, &r);
  g_assert_false (r.ok);
  g_assert_error (r.error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID);
  g_clear_error (&r.error);
  import_file_wait (f->admin, binary, &r);
  g_assert_false (r.ok);
  g_assert_error (r.error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID);
  g_clear_error (&r.error);
  g_assert_cmpint (intake_store_get_latest_form_version (f->store, "second"), <=, 0);

  import_file_wait (f->admin, good, &r);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.text, ==, "second@3");
  g_free (r.text);
  g_assert_cmpint (intake_store_get_latest_form_version (f->store, "second"), ==, 3);
}

/* An XLSForm (pyxform's Markdown shape here) is converted in the worker, as Administration's
 * "Install a form from a file" needs (issue #12); a spreadsheet that cannot be converted is
 * refused with the converter's words (sheet, row, column), and nothing is installed. */
static void
test_import_xlsform_file (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *good = g_build_filename (f->tmp, "visit.md", NULL);
  g_autofree char *bad = g_build_filename (f->tmp, "broken.md", NULL);
  static const char good_md[] =
    "| survey |         |        |              |\n"
    "|        | type    | name   | label        |\n"
    "|        | text    | who    | Who is here? |\n"
    "|        | integer | count  | How many?    |\n"
    "| settings |       |        |              |\n"
    "|        | form_id | version |             |\n"
    "|        | visit   | 4       |             |\n";
  static const char bad_md[] =
    "| survey |         |        |              |          |\n"
    "|        | type    | name   | label        | relevant |\n"
    "|        | text    | who    | Who is here? | ${who >  |\n";
  Result r;

  g_assert_true (g_file_set_contents (good, good_md, -1, &error));
  g_assert_true (g_file_set_contents (bad, bad_md, -1, &error));

  import_file_wait (f->admin, bad, &r);
  g_assert_false (r.ok);
  g_assert_nonnull (r.error);
  g_test_message ("%s", r.error->message);
  g_assert_nonnull (strstr (r.error->message, "survey"));
  g_clear_error (&r.error);
  g_assert_cmpint (intake_store_get_latest_form_version (f->store, "visit"), <=, 0);

  import_file_wait (f->admin, good, &r);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.text, ==, "visit@4");
  g_free (r.text);
  g_assert_cmpint (intake_store_get_latest_form_version (f->store, "visit"), ==, 4);
}

static gboolean
count_work (IntakeSession *session, gpointer data, GCancellable *cancellable, GError **error)
{
  int *count = data;

  /* The worker's copy, not the caller's session, and not the main thread. */
  if (++*count == 2)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the second one fails");
      return FALSE;
    }
  return !intake_session_is_locked (session);
}

static void
test_run_any (Fixture *f, gconstpointer data)
{
  Collector c;
  int count = 0;

  collector_init (&c);
  for (guint i = 0; i < 3; i++)
    intake_session_run_async (f->admin, count_work, &count, NULL, NULL, boolean_done_cb,
                              pending_new (&c, intake_session_run_finish));
  collector_wait (&c);
  g_assert_cmpint (count, ==, 3);
  g_assert_true (result_at (&c, 0)->ok);
  g_assert_error (result_at (&c, 1)->error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_true (result_at (&c, 2)->ok);
  collector_clear (&c);
}

static void
wipe_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;

  r->ok = intake_store_wipe_finish (INTAKE_STORE (source), result, &r->error);
  r->index = 1;
}

/* The wipe in a thread, with the caller's reference dropped at once: the files are gone. */
static void
test_wipe (Fixture *f, gconstpointer data)
{
  g_autofree char *actor = g_strdup (intake_session_get_user_id (f->admin));
  g_autoptr (GDir) dir = NULL;
  const char *name;
  Result r = { 0 };

  intake_session_lock (f->admin);
  intake_store_wipe_async (f->store, actor, NULL, wipe_done_cb, &r);
  g_clear_object (&f->admin);
  g_clear_object (&f->store);
  while (r.index == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_false (intake_store_exists (f->data_dir));
  dir = g_dir_open (f->data_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_str_has_prefix (name, INTAKE_DB_FILE_NAME));
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  if (!intake_crypto_init (&error))
    g_error ("%s", error->message);

#define ADD(path, func)                                                                          \
  g_test_add ("/intake/core/session-queue/" path, Fixture, NULL, fixture_setup, func,           \
              fixture_teardown)
  ADD ("order-kept", test_order_kept);
  ADD ("lifecycle-equals-sync", test_lifecycle_equals_sync);
  ADD ("lock-waits", test_lock_waits);
  ADD ("errors", test_errors);
  ADD ("unlock", test_unlock);
  ADD ("admin-jobs", test_admin_jobs);
  ADD ("import-file", test_import_file);
  ADD ("import-xlsform-file", test_import_xlsform_file);
  ADD ("run-any", test_run_any);
  ADD ("wipe", test_wipe);
#undef ADD

  return g_test_run ();
}
