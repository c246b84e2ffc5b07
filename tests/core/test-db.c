/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The data file: damaged, truncated or foreign files, loose permissions, a full disk, a second
 * process writing at the same time, the audit chain, what a purge and a wipe leave behind.
 * (Split out of test-store.c by unit, issue #14; the fixture is store-fixture.c.) */
#include "store-fixture.h"

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

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  if (!intake_crypto_init (&error))
    g_error ("%s", error->message);

#define ADD(path, func, data)                                                                    \
  g_test_add ("/intake/core/db/" path, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("tamper-audit", test_tamper_audit, NULL);
  ADD ("truncated-file", test_truncated_file, NULL);
  ADD ("not-sqlite", test_not_sqlite, NULL);
  ADD ("interrupted-init", test_interrupted_init, NULL);
  ADD ("loose-permissions", test_loose_permissions, NULL);
  ADD ("foreign-owner", test_foreign_owner, NULL);
  ADD ("symlinked-data-file", test_symlinked_data_file, NULL);
  ADD ("wipe", test_wipe, NULL);
  ADD ("two-processes", test_two_processes, NULL);
  ADD ("forget-purge", test_forget_purge, NULL);
  ADD ("forget-after-power-loss", test_forget_after_power_loss, NULL);
  ADD ("wipe-overwrites-wal", test_wipe_overwrites_wal, NULL);
  g_test_add_func ("/intake/core/db/full-disk", test_full_disk);
#undef ADD

  return g_test_run ();
}
