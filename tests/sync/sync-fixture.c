/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include "sync-fixture.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <sys/wait.h>
#include <string.h>

#include "intake-json.h"

static const char test_form[] =
  "{\"id\": \"sync-test\", \"version\": 1, \"title\": {\"en\": \"Sync test\"},"
  " \"default_language\": \"en\", \"languages\": [\"en\"], \"questions\": ["
  "  {\"type\": \"text\", \"name\": \"name\", \"required\": true, \"label\": {\"en\": \"Name\"}},"
  "  {\"type\": \"integer\", \"name\": \"n\", \"label\": {\"en\": \"N\"}},"
  "  {\"type\": \"select_multiple\", \"name\": \"tags\", \"label\": {\"en\": \"Tags\"},"
  "   \"choices\": [{\"name\": \"a\", \"label\": {\"en\": \"A\"}},"
  "                {\"name\": \"b\", \"label\": {\"en\": \"B\"}}]},"
  "  {\"type\": \"text\", \"name\": \"story\", \"label\": {\"en\": \"Story\"}}]}";

static char *
server_bin (void)
{
  const char *env = g_getenv ("INTAKE_SERVER");
  g_assert_nonnull (env);
  return g_strdup (env);
}

static void
rm_rf (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        rm_rf (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

char *
sync_fixture_new_token (SyncFixture *f, const char *device_name)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto (GStrv) words = NULL;
  int status;

  status = intake_test_run (f->server_bin, &out, &err, "--db", f->db_url, "device", "add",
                            device_name, NULL);
  if (status != 0)
    g_error ("device add failed: %s", err);
  words = g_strsplit_set (g_strstrip (out), " \n\t", -1);
  return g_strdup (words[g_strv_length (words) - 1]);
}

void
sync_fixture_enroll (SyncFixture *f, const char *url, const char *ca_file)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = sync_fixture_new_token (f, "tablet-1");

  if (!intake_sync_enroll (f->admin, url ? url : f->serve->base_url, token, NULL, ca_file,
                           &error))
    g_error ("enroll failed: %s", error->message);
}

void
sync_fixture_restart_server (SyncFixture *f, const char *tls_cert, const char *tls_key)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *listen = NULL;

  listen = g_strdup_printf ("127.0.0.1:%u", f->serve->port);
  intake_test_serve_stop (f->serve);
  f->serve = intake_test_serve_start (f->server_bin, f->db_url, listen, tls_cert, tls_key, &error);
  g_assert_no_error (error);
}

void
sync_fixture_setup (SyncFixture *f, gboolean enroll, const char *tls_cert, const char *tls_key)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSecret) pin = intake_secret_new_from_data (SYNC_ADMIN_PIN,
                                                              strlen (SYNC_ADMIN_PIN));
  g_autofree char *db_path = NULL;
  IntakeKdfParams kdf;
  int status;

  memset (f, 0, sizeof *f);
  f->tmp = g_dir_make_tmp ("intake-sync-XXXXXX", &error);
  g_assert_no_error (error);
  f->server_bin = server_bin ();
  db_path = g_build_filename (f->tmp, "server.db", NULL);
  f->db_url = g_strconcat ("sqlite:", db_path, NULL);
  f->org_key = g_build_filename (f->tmp, "org.key", NULL);
  status = intake_test_run (f->server_bin, NULL, NULL, "--db", f->db_url, "init",
                            "--secret-key-out", f->org_key, NULL);
  g_assert_cmpint (status, ==, 0);
  f->serve = intake_test_serve_start (f->server_bin, f->db_url, "127.0.0.1:0", tls_cert, tls_key,
                                      &error);
  g_assert_no_error (error);

  f->tablet_dir = g_build_filename (f->tmp, "tablet", NULL);
  intake_kdf_params_insecure_for_tests (&kdf);
  f->store = intake_store_create (f->tablet_dir, "admin", pin, &kdf, &error);
  g_assert_no_error (error);
  f->admin = intake_store_unlock (f->store, "admin", pin, &error);
  g_assert_no_error (error);
  g_assert_true (intake_session_set_policy (f->admin, INTAKE_POLICY_REVIEW_REQUIRED, "false",
                                            &error));
  g_assert_true (intake_session_import_form (f->admin, test_form, NULL, NULL, &error));
  g_assert_no_error (error);
  if (enroll)
    sync_fixture_enroll (f, NULL, NULL);
}

void
sync_fixture_teardown (SyncFixture *f)
{
  g_clear_object (&f->admin);
  g_clear_object (&f->store);
  if (f->serve)
    intake_test_serve_stop (f->serve);
  rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->server_bin);
  g_free (f->db_url);
  g_free (f->org_key);
  g_free (f->tablet_dir);
}

GHashTable *
sync_fixture_queue (SyncFixture *f, int n)
{
  GHashTable *expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (int i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonObject) answers = json_object_new ();
      g_autoptr (JsonArray) tags = json_array_new ();
      g_autofree char *name = g_strdup_printf ("person-%d-%08x", i, g_random_int ());
      g_autofree char *story = g_strdup_printf ("Line one of %d.\nLine \"two\" — ok.", i);
      char *id;

      json_object_set_string_member (answers, "name", name);
      json_object_set_int_member (answers, "n", i);
      json_array_add_string_element (tags, i % 2 ? "a" : "b");
      json_object_set_array_member (answers, "tags", json_array_ref (tags));
      json_object_set_string_member (answers, "story", story);
      id = intake_session_create_interview (f->admin, "sync-test", 1, answers, &error);
      g_assert_no_error (error);
      g_assert_true (intake_session_complete_interview (f->admin, id, &error));
      g_assert_no_error (error);
      {
        /* Every answer, as the data manager must see it. */
        g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), answers);
        g_hash_table_insert (expected, id, json_to_string (node, FALSE));
      }
    }
  return expected;
}

GHashTable *
sync_fixture_export (SyncFixture *f)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  GHashTable *by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) json_object_unref);
  JsonArray *arr;
  int status;

  status = intake_test_run (f->server_bin, &out, &err, "--db", f->db_url, "export",
                            "--secret-key", f->org_key, "--format", "json", NULL);
  if (status != 0)
    g_error ("export failed (%d): %s", status, err);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  arr = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonObject *plain = json_array_get_object_element (arr, i);
      JsonObject *iv = intake_json_get_object (plain, "interview");
      const char *id = intake_json_get_string (iv, "id");

      g_assert_nonnull (id);
      /* Exactly once: no interview twice on the server. */
      if (g_hash_table_contains (by_id, id))
        g_error ("interview %s is on the server twice", id);
      g_hash_table_insert (by_id, g_strdup (id), json_object_ref (iv));
    }
  return by_id;
}

void
sync_fixture_assert_delivered (SyncFixture *f, GHashTable *expected)
{
  g_autoptr (GHashTable) got = sync_fixture_export (f);
  g_autoptr (GError) error = NULL;
  GHashTableIter it;
  gpointer key, value;
  IntakeOutboxCounts counts;

  g_assert_cmpuint (g_hash_table_size (got), ==, g_hash_table_size (expected));
  g_hash_table_iter_init (&it, expected);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      JsonObject *iv = g_hash_table_lookup (got, key);
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (JsonNode) answers = NULL;
      if (iv == NULL)
        g_error ("interview %s did not reach the server", (char *) key);
      answers = json_node_init_object (json_node_alloc (), intake_json_get_object (iv, "answers"));
      g_assert_true (json_parser_load_from_data (parser, value, -1, NULL));
      if (!json_node_equal (answers, json_parser_get_root (parser)))
        {
          g_autofree char *have = json_to_string (answers, FALSE);
          g_error ("interview %s arrived with answers %s, not %s", (char *) key, have,
                   (char *) value);
        }
    }
  g_assert_true (intake_outbox_counts (f->store, &counts, &error));
  g_assert_cmpint (counts.pending, ==, 0);
  g_assert_cmpint (counts.needs_attention, ==, 0);
  g_assert_cmpint (counts.sent, ==, (int) g_hash_table_size (expected));
}

gboolean
sync_fixture_make_cert (const char *dir, const char *name, char **cert, char **key)
{
  g_autofree char *subject = g_strdup_printf ("/CN=%s", name);
  int status = 0;

  *cert = g_strdup_printf ("%s/%s.crt", dir, name);
  *key = g_strdup_printf ("%s/%s.key", dir, name);
  {
    const char *argv[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                           "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                           subject, "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", *key,
                           "-out", *cert, NULL };
    if (!g_spawn_sync (NULL, (char **) argv, NULL,
                       G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL
                           | G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, NULL, NULL, &status, NULL))
      return FALSE;
  }
  return g_spawn_check_wait_status (status, NULL);
}

/* ---- The fault proxy ---- */

static char *
read_line (FILE *out)
{
  char buf[512];

  if (fgets (buf, sizeof buf, out) == NULL)
    g_error ("the fault proxy stopped answering");
  return g_strstrip (g_strdup (buf));
}

Proxy *
proxy_start (guint16 upstream_port)
{
  Proxy *p = g_new0 (Proxy, 1);
  g_autofree char *upstream = g_strdup_printf ("127.0.0.1:%u", upstream_port);
  g_autofree char *line = NULL;
  g_autoptr (GError) error = NULL;
  const char *argv[] = { g_getenv ("INTAKE_FAULT_PROXY"), "--listen", "127.0.0.1:0",
                         "--upstream", upstream, NULL };
  int in_fd, out_fd;

  g_assert_nonnull (argv[0]);
  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                            &p->pid, &in_fd, &out_fd, NULL, &error);
  g_assert_no_error (error);
  p->in = fdopen (in_fd, "w");
  p->out = fdopen (out_fd, "r");
  line = read_line (p->out);
  g_assert_true (g_str_has_prefix (line, "listening on "));
  p->address = g_strdup (line + strlen ("listening on "));
  p->url = g_strdup_printf ("http://%s", p->address);
  return p;
}

void
proxy_cmd (Proxy *p, const char *command)
{
  g_autofree char *answer = NULL;

  fprintf (p->in, "%s\n", command);
  fflush (p->in);
  answer = read_line (p->out);
  if (g_strcmp0 (answer, "ok") != 0)
    g_error ("proxy command '%s' answered '%s'", command, answer);
}

void
proxy_stop (Proxy *p)
{
  int status;

  fprintf (p->in, "quit\n");
  fclose (p->in);
  fclose (p->out);
  waitpid (p->pid, &status, 0);
  g_spawn_close_pid (p->pid);
  g_free (p->url);
  g_free (p->address);
  g_free (p);
}

