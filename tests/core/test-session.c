/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Users and their sessions: who may do what, wrong PINs and the lockout (also from many
 * processes at once), a swapped author key, and keys destroyed for good.
 * (Split out of test-store.c by unit, issue #14; the fixture is store-fixture.c.) */
#include "store-fixture.h"

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
  g_test_add ("/intake/core/session/" path, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("roles", test_roles, NULL);
  ADD ("wrong-pin-lockout", test_wrong_pin_lockout, NULL);
  ADD ("tamper-author-key", test_tamper_author_key, NULL);
  ADD ("forget-user-removal", test_forget_user_removal, NULL);
  ADD ("forget-lockout", test_forget_lockout, NULL);
  ADD ("forget-pin-change", test_forget_pin_change, NULL);
  ADD ("parallel-wrong-pins", test_parallel_wrong_pins, GINT_TO_POINTER (100));
  ADD ("parallel-wrong-pins-lockout", test_parallel_wrong_pins, GINT_TO_POINTER (5));
#undef ADD

  return g_test_run ();
}
