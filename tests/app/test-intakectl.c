/* SPDX-License-Identifier: GPL-3.0-or-later */
/* intakectl as a black box: the real binary (its path in $INTAKECTL), real files, real
 * processes. The sentinel test is issue #2's proof that no answer, note or reason leaves the
 * encrypted store in any form a casual look would find. */
#include "intake-config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#define ADMIN_PIN "admin-pin-0001"
#define SUP_PIN "sup-pin-0002"
#define W1_PIN "w1-pin-0003"
#define W2_PIN "w2-pin-0004"
#define FORM_ID "household"

typedef struct
{
  char *tmp;
  char *data_dir;
  char *child_tmpdir;
  char *inputs;
  /* Every output that must hold no sentinel (all commands but show and export): standard
   * output and error, and beside them the command lines that printed them. */
  GPtrArray *transcript;
  GPtrArray *command_lines;
  /* Variables (NAME, VALUE, …, NULL) set for every command while non-NULL. */
  const char *const *extra_env;
} Fixture;

typedef struct
{
  int status;
  char *out;
  char *err;
} Result;

static void
result_free (Result *r)
{
  g_free (r->out);
  g_free (r->err);
  g_free (r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Result, result_free)

/* ---- Helpers ---- */

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

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->tmp = g_dir_make_tmp ("intake-test-ctl-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->tmp, "data", NULL);
  f->child_tmpdir = g_build_filename (f->tmp, "child-tmp", NULL);
  f->inputs = g_build_filename (f->tmp, "inputs", NULL);
  g_assert_cmpint (g_mkdir (f->child_tmpdir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (f->inputs, 0700), ==, 0);
  f->transcript = g_ptr_array_new_with_free_func (g_free);
  f->command_lines = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->data_dir);
  g_free (f->child_tmpdir);
  g_free (f->inputs);
  g_ptr_array_unref (f->transcript);
  g_ptr_array_unref (f->command_lines);
}

static const char *
intakectl_path (void)
{
  const char *path = g_getenv ("INTAKECTL");

  g_assert_nonnull (path);
  return path;
}

static void
launcher_setup (Fixture *f, GSubprocessLauncher *launcher)
{
  /* A private $TMPDIR, so that anything the program writes there can be searched. */
  g_subprocess_launcher_setenv (launcher, "TMPDIR", f->child_tmpdir, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  for (guint i = 0; f->extra_env != NULL && f->extra_env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, f->extra_env[i], f->extra_env[i + 1], TRUE);
}

static char *
bytes_to_string (GBytes *bytes)
{
  gsize len = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &len) : NULL;

  return len > 0 ? g_strndup (data, len) : g_strdup ("");
}

/* Runs intakectl with INPUT on standard input. Unless the command may print content (show,
 * export), its output is added to the transcript to search. The data folder goes last, when
 * asked for: global options after the command are part of the contract. */
static Result *
ctl_run_strv (Fixture *f,
              gboolean may_print_content,
              gboolean with_data_dir,
              const char *input,
              const char *const *args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *stdin_path = g_build_filename (f->inputs, "stdin", NULL);
  g_autoptr (GBytes) out = NULL;
  g_autoptr (GBytes) err = NULL;
  Result *r = g_new0 (Result, 1);

  g_ptr_array_add (argv, (char *) intakectl_path ());
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  if (with_data_dir)
    {
      g_ptr_array_add (argv, (char *) "--data-dir");
      g_ptr_array_add (argv, f->data_dir);
    }
  g_ptr_array_add (argv, NULL);

  /* Standard input comes from a file, so that a program that exits without reading it (a
   * refusal before the PIN is asked for) does not race a pipe. */
  g_assert_true (g_file_set_contents (stdin_path, input ? input : "", -1, &error));
  g_assert_no_error (error);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_stdin_file_path (launcher, stdin_path);
  launcher_setup (f, launcher);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  r->out = bytes_to_string (out);
  r->err = bytes_to_string (err);
  g_assert_cmpuint (strlen (r->out), ==, g_bytes_get_size (out));
  if (g_subprocess_get_if_exited (proc))
    r->status = g_subprocess_get_exit_status (proc);
  else
    r->status = 128 + g_subprocess_get_term_sig (proc);
  {
    g_autofree char *line = g_strjoinv (" ", (char **) argv->pdata + 1);
    if (g_test_verbose ())
      g_test_message ("$ intakectl %s -> %d\n%s%s", line, r->status, r->out, r->err);
    if (!may_print_content)
      {
        g_ptr_array_add (f->transcript, g_strconcat (r->out, r->err, NULL));
        g_ptr_array_add (f->command_lines, g_steal_pointer (&line));
      }
  }
  return r;
}

static Result *
ctl_runv (Fixture *f, gboolean may_print_content, gboolean with_data_dir, const char *input,
          const char *first, va_list ap)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();

  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) arg);
  g_ptr_array_add (args, NULL);
  return ctl_run_strv (f, may_print_content, with_data_dir, input,
                       (const char *const *) args->pdata);
}

#define DEFINE_RUNNER(name, may_print_content, with_data_dir)                                    \
  static Result *name (Fixture *f, const char *input, const char *first, ...)                    \
      G_GNUC_NULL_TERMINATED;                                                                    \
  static Result *name (Fixture *f, const char *input, const char *first, ...)                    \
  {                                                                                              \
    va_list ap;                                                                                  \
    Result *r;                                                                                   \
                                                                                                 \
    va_start (ap, first);                                                                        \
    r = ctl_runv (f, may_print_content, with_data_dir, input, first, ap);                        \
    va_end (ap);                                                                                 \
    return r;                                                                                    \
  }

/* A command on the fixture's data folder. */
DEFINE_RUNNER (ctl_run, FALSE, TRUE)
/* show and export: their output holds content by design. */
DEFINE_RUNNER (ctl_run_content, TRUE, TRUE)
/* Exactly the arguments given. */
DEFINE_RUNNER (ctl_run_bare, FALSE, FALSE)

static void
assert_success (Result *r)
{
  if (r->status != 0)
    g_test_message ("stderr: %s", r->err);
  g_assert_cmpint (r->status, ==, 0);
}

/* Non-zero, and exactly one line on standard error that contains NEEDLE. */
static void
assert_one_line_failure (Result *r, const char *needle)
{
  const char *nl;

  g_test_message ("refused with: %s", r->err);
  g_assert_cmpint (r->status, !=, 0);
  g_assert_cmpstr (r->err, !=, "");
  nl = strchr (r->err, '\n');
  g_assert_nonnull (nl);
  g_assert_cmpstr (nl + 1, ==, "");
  g_assert_true (g_str_has_prefix (r->err, "intakectl"));
  if (needle != NULL && strstr (r->err, needle) == NULL)
    g_error ("expected '%s' in: %s", needle, r->err);
}

static char *
last_word (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  const char *space = strrchr (copy, ' ');

  return g_strdup (space ? space + 1 : copy);
}

static char *
write_input (Fixture *f, const char *name, const char *contents)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (f->inputs, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
  return path;
}

#define Q(type, name) "{\"type\": \"" type "\", \"name\": \"" name "\", \"label\": {\"en\": \"" name "\"}"
#define C(name) "{\"name\": \"" name "\", \"label\": {\"en\": \"" name "\"}}"
static const char form_document[] =
  "{\"id\": \"household\", \"version\": 1, \"title\": {\"en\": \"Household visit\"},\n"
  " \"default_language\": \"en\", \"languages\": [\"en\"],\n"
  " \"questions\": [\n"
  "  " Q ("text", "name") "},\n"
  "  " Q ("text", "alias") "},\n"
  "  " Q ("integer", "phone") "},\n"
  "  " Q ("decimal", "income") "},\n"
  "  " Q ("date", "birth_date") "},\n"
  "  " Q ("select_one", "village") ", \"choices\": [" C ("sukamaju") ", " C ("sukamakmur") "]},\n"
  "  " Q ("select_multiple", "needs") ", \"choices\": [" C ("food") ", " C ("shelter") ", "
  C ("legal") "]},\n"
  "  " Q ("text", "story") ", \"appearance\": \"multiline\"},\n"
  "  " Q ("repeat", "household") ", \"children\": [" Q ("text", "head") "}, " Q ("text", "member")
  "}, " Q ("integer", "member_age") "}]}\n"
  " ]}\n";
#undef Q
#undef C

/* init, an admin, a supervisor, two workers and one form. */
static void
setup_store (Fixture *f, const char *kdf_cost)
{
  g_autofree char *form = write_input (f, "form.json", form_document);
  g_autoptr (Result) init = NULL;
  const char *const users[][3] = {
    { "sup", "supervisor", ADMIN_PIN "\n" SUP_PIN "\n" },
    { "w1", "worker", ADMIN_PIN "\n" W1_PIN "\n" },
    { "w2", "worker", ADMIN_PIN "\n" W2_PIN "\n" },
  };

  init = ctl_run (f, ADMIN_PIN "\n", "init", "--admin", "admin", "--kdf-cost", kdf_cost,
                  "--pin-stdin", NULL);
  assert_success (init);
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      g_autoptr (Result) r = ctl_run (f, users[i][2], "user", "add", users[i][0], "--role",
                                      users[i][1], "--user", "admin", "--pin-stdin", NULL);
      assert_success (r);
    }
  {
    g_autoptr (Result) r = ctl_run (f, ADMIN_PIN "\n", "form", "import", form, "--user", "admin",
                                    "--pin-stdin", NULL);
    assert_success (r);
  }
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static guint
interview_count (Fixture *f)
{
  g_autoptr (Result) r = ctl_run (f, SUP_PIN "\n", "interview", "list", "--json", "--user", "sup",
                                  "--pin-stdin", NULL);
  g_autoptr (JsonNode) root = NULL;

  assert_success (r);
  root = parse_json (r->out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  return json_array_get_length (json_node_get_array (root));
}

static char *
import_interview (Fixture *f, const char *user, const char *pin, const char *path)
{
  g_autofree char *input = g_strdup_printf ("%s\n", pin);
  g_autoptr (Result) r = ctl_run (f, input, "interview", "import", path, "--user", user,
                                  "--pin-stdin", NULL);
  char *id;

  assert_success (r);
  id = last_word (r->out);
  g_assert_cmpuint (strlen (id), ==, 36);
  return id;
}

/* ---- Searching for sentinels ---- */

typedef struct
{
  const char *what;
  GBytes *bytes;
} Needle;

static void
needle_clear (Needle *n)
{
  g_clear_pointer (&n->bytes, g_bytes_unref);
}

static void
add_needle (GArray *needles, const char *what, const void *data, gsize len)
{
  Needle n = { what, g_bytes_new (data, len) };

  g_assert_cmpuint (len, >=, 6);
  g_array_append_val (needles, n);
}

static void
add_base64_needles (GArray *needles, const char *sentinel, gboolean url_safe)
{
  gsize len = strlen (sentinel);

  /* The sentinel may start at any of three positions within a base64 group. Keep only the
   * characters that depend on the sentinel's bytes alone: drop the ones mixed with the bytes
   * before it and after it. */
  for (gsize k = 0; k < 3; k++)
    {
      g_autofree guint8 *buf = g_malloc0 (k + len);
      g_autofree char *b64 = NULL;
      gsize start = (8 * k + 5) / 6;
      gsize end = 8 * (k + len) / 6;

      memcpy (buf + k, sentinel, len);
      b64 = g_base64_encode (buf, k + len);
      if (url_safe)
        {
          g_strdelimit (b64, "+", '-');
          g_strdelimit (b64, "/", '_');
        }
      add_needle (needles, url_safe ? "base64url" : "base64", b64 + start, end - start);
    }
}

static GArray *
needles_for (const char *sentinel)
{
  GArray *needles = g_array_new (FALSE, TRUE, sizeof (Needle));
  g_autofree gunichar2 *utf16 = NULL;
  g_autofree char *hex = NULL;
  glong units = 0;

  g_array_set_clear_func (needles, (GDestroyNotify) needle_clear);
  add_needle (needles, "text", sentinel, strlen (sentinel));
  add_base64_needles (needles, sentinel, FALSE);
  add_base64_needles (needles, sentinel, TRUE);

  utf16 = g_utf8_to_utf16 (sentinel, -1, NULL, &units, NULL);
  g_assert_nonnull (utf16);
  {
    g_autofree guint8 *le = g_malloc (units * 2);
    g_autofree guint8 *be = g_malloc (units * 2);
    for (glong i = 0; i < units; i++)
      {
        le[2 * i] = utf16[i] & 0xff;
        le[2 * i + 1] = utf16[i] >> 8;
        be[2 * i] = utf16[i] >> 8;
        be[2 * i + 1] = utf16[i] & 0xff;
      }
    add_needle (needles, "UTF-16LE", le, units * 2);
    add_needle (needles, "UTF-16BE", be, units * 2);
  }
  {
    GString *h = g_string_new (NULL);
    for (const char *p = sentinel; *p; p++)
      g_string_append_printf (h, "%02x", (guint8) *p);
    hex = g_string_free (h, FALSE);
    add_needle (needles, "hex", hex, strlen (hex));
    {
      g_autofree char *upper = g_ascii_strup (hex, -1);
      add_needle (needles, "HEX", upper, strlen (upper));
    }
  }
  return needles;
}

/* Returns the form in which a sentinel was found, or NULL. */
static const char *
find_sentinel (const char *sentinel, const void *haystack, gsize len)
{
  g_autoptr (GArray) needles = needles_for (sentinel);

  for (guint i = 0; i < needles->len; i++)
    {
      Needle *n = &g_array_index (needles, Needle, i);
      gsize nlen = 0;
      const void *ndata = g_bytes_get_data (n->bytes, &nlen);

      if (memmem (haystack, len, ndata, nlen) != NULL)
        return n->what;
    }
  return NULL;
}

static void
assert_no_sentinel_in (const char *const *sentinels, const char *where, const void *data,
                       gsize len)
{
  for (guint i = 0; sentinels[i]; i++)
    {
      const char *form = find_sentinel (sentinels[i], data, len);
      if (form != NULL)
        g_error ("sentinel '%s' found as %s in %s", sentinels[i], form, where);
    }
}

static void
scan_tree (const char *const *sentinels, const char *path, GPtrArray *seen)
{
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          scan_tree (sentinels, child, seen);
        }
    }
  else if (S_ISREG (st.st_mode))
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *contents = NULL;
      gsize len = 0;

      g_assert_true (g_file_get_contents (path, &contents, &len, &error));
      g_assert_no_error (error);
      assert_no_sentinel_in (sentinels, path, contents, len);
      if (seen)
        g_ptr_array_add (seen, g_path_get_basename (path));
    }
}

static gboolean
has_string (GPtrArray *names, const char *name)
{
  for (guint i = 0; i < names->len; i++)
    if (g_str_equal (names->pdata[i], name))
      return TRUE;
  return FALSE;
}

static char *
random_word (const char *prefix, guint letters)
{
  static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  GString *s = g_string_new (prefix);

  for (guint i = 0; i < letters; i++)
    g_string_append_c (s, alphabet[g_random_int_range (0, sizeof alphabet - 1)]);
  return g_string_free (s, FALSE);
}

static char *
random_digits (guint n)
{
  GString *s = g_string_new (NULL);

  g_string_append_c (s, '1' + g_random_int_range (0, 9));
  for (guint i = 1; i < n; i++)
    g_string_append_c (s, '0' + g_random_int_range (0, 10));
  return g_string_free (s, FALSE);
}

/* ---- The sentinel test ---- */

enum
{
  S_NAME,
  S_NON_ASCII,
  S_INTEGER,
  S_DECIMAL,
  S_DATE,
  S_STORY,
  S_NESTED_HEAD,
  S_NESTED_MEMBER,
  S_NOTE,
  S_REASON,
  N_SENTINELS
};

static void
test_sentinel (Fixture *f, gconstpointer data)
{
  char *s[N_SENTINELS + 1] = { NULL };
  g_autofree char *answers_json = NULL;
  g_autofree char *doc_a = NULL;
  g_autofree char *doc_b = NULL;
  g_autofree char *path_a = NULL;
  g_autofree char *path_b = NULL;
  g_autofree char *id_a = NULL;
  g_autofree char *id_b = NULL;
  g_autofree char *note = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *db_path = g_build_filename (f->data_dir, "intake.db", NULL);
  g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) shown = g_string_new (NULL);
  sqlite3 *holder = NULL;
  const char *const *all;

  /* Distinct random sentinels each run, one per answer type; none can occur by chance. */
  s[S_NAME] = random_word ("Nm", 14);
  s[S_NON_ASCII] = random_word ("Đặng Thị ", 10);
  s[S_INTEGER] = random_digits (10);
  s[S_DECIMAL] = g_strdup_printf ("%u.375", 1000000 + g_random_int_range (0, 8999999));
  s[S_DATE] = g_strdup_printf ("19%02d-%02d-%02d", g_random_int_range (10, 99),
                               g_random_int_range (1, 13), g_random_int_range (10, 29));
  /* The values of select questions are choice names, which the form itself (public, stored in
   * the clear) spells out: they are answered here but cannot serve as sentinels. Which choice was
   * picked stays inside the encrypted content like every other answer. */
  s[S_STORY] = random_word ("St", 14);
  s[S_NESTED_HEAD] = random_word ("Hd", 14);
  s[S_NESTED_MEMBER] = random_word ("Mb", 14);
  s[S_NOTE] = random_word ("Nt", 14);
  s[S_REASON] = random_word ("Rs", 14);
  all = (const char *const *) s;

  answers_json = g_strdup_printf (
      "{\"name\": \"Siti %s\", \"alias\": \"%s\", \"phone\": %s, \"income\": %s, "
      "\"birth_date\": \"%s\", \"village\": \"sukamaju\", \"needs\": [\"food\", \"legal\"], "
      "\"story\": \"Lives behind the %s market.\\nAsked us not to call before noon.\", "
      "\"household\": [{\"head\": \"%s\", \"member\": \"%s\", \"member_age\": 7}]}",
      s[S_NAME], s[S_NON_ASCII], s[S_INTEGER], s[S_DECIMAL], s[S_DATE], s[S_STORY],
      s[S_NESTED_HEAD], s[S_NESTED_MEMBER]);
  doc_a = g_strdup_printf ("{\"form_id\": \"household\", \"form_version\": 1, "
                           "\"state\": \"completed\", \"answers\": %s}",
                           answers_json);
  doc_b = g_strdup (doc_a);
  path_a = write_input (f, "a.json", doc_a);
  path_b = write_input (f, "b.json", doc_b);
  note = g_strdup_printf ("Please check the phone number with %s", s[S_NOTE]);
  reason = g_strdup_printf ("Duplicate of a paper form, see %s", s[S_REASON]);

  setup_store (f, "test");

  /* Hold a connection open so that the WAL and shared-memory files stay on disk with every
   * frame written during the run, to be searched too. */
  g_assert_cmpint (sqlite3_open_v2 (db_path, &holder, SQLITE_OPEN_READONLY, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (holder, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL),
                   ==, SQLITE_OK);

  id_a = import_interview (f, "w1", W1_PIN, path_a);
  {
    g_autoptr (Result) r = ctl_run_content (f, W1_PIN "\n", "interview", "show", id_a, "--json",
                                            "--user", "w1", "--pin-stdin", NULL);
    assert_success (r);
    g_string_append (shown, r->out);
  }
  {
    g_autoptr (Result) r = ctl_run_content (f, W1_PIN "\n", "interview", "show", id_a, "--user",
                                            "w1", "--pin-stdin", NULL);
    assert_success (r);
    g_string_append (shown, r->out);
  }
  {
    const char *const listings[][2] = {
      { "w1", W1_PIN "\n" }, { "sup", SUP_PIN "\n" }, { "admin", ADMIN_PIN "\n" }
    };
    for (guint i = 0; i < G_N_ELEMENTS (listings); i++)
      {
        g_autoptr (Result) r1 = ctl_run (f, listings[i][1], "interview", "list", "--user",
                                         listings[i][0], "--pin-stdin", NULL);
        g_autoptr (Result) r2 = ctl_run (f, listings[i][1], "interview", "list", "--json",
                                         "--user", listings[i][0], "--pin-stdin", NULL);
        assert_success (r1);
        assert_success (r2);
      }
  }
  {
    g_autoptr (Result) r1 = ctl_run (f, SUP_PIN "\n", "review", "list", "--user", "sup",
                                     "--pin-stdin", NULL);
    g_autoptr (Result) r2 = ctl_run (f, SUP_PIN "\n", "review", "list", "--json", "--user", "sup",
                                     "--pin-stdin", NULL);
    assert_success (r1);
    assert_success (r2);
    g_assert_nonnull (strstr (r2->out, id_a));
  }

  /* Returned with a note, which its author sees. */
  {
    g_autoptr (Result) r = ctl_run (f, SUP_PIN "\n", "review", "return", id_a, "--note", note,
                                    "--user", "sup", "--pin-stdin", NULL);
    assert_success (r);
  }
  {
    g_autoptr (Result) r = ctl_run_content (f, W1_PIN "\n", "interview", "show", id_a, "--json",
                                            "--user", "w1", "--pin-stdin", NULL);
    assert_success (r);
    g_assert_nonnull (strstr (r->out, s[S_NOTE]));
    g_assert_nonnull (strstr (r->out, "\"draft\""));
  }
  {
    g_autoptr (Result) r1 = ctl_run (f, W1_PIN "\n", "interview", "list", "--user", "w1",
                                     "--pin-stdin", NULL);
    g_autoptr (Result) r2 = ctl_run (f, W1_PIN "\n", "interview", "list", "--json", "--user",
                                     "w1", "--pin-stdin", NULL);
    assert_success (r1);
    assert_success (r2);
  }

  /* A second interview approved, the returned one voided. */
  id_b = import_interview (f, "w1", W1_PIN, path_b);
  {
    g_autoptr (Result) r = ctl_run (f, SUP_PIN "\n", "review", "approve", id_b, "--user", "sup",
                                    "--pin-stdin", NULL);
    assert_success (r);
  }
  {
    g_autoptr (Result) r = ctl_run (f, SUP_PIN "\n", "review", "void", id_a, "--reason", reason,
                                    "--user", "sup", "--pin-stdin", NULL);
    assert_success (r);
  }
  {
    g_autoptr (Result) r = ctl_run_content (f, SUP_PIN "\n", "interview", "export", "--user",
                                            "sup", "--pin-stdin", NULL);
    g_autoptr (JsonNode) root = NULL;
    assert_success (r);
    root = parse_json (r->out);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 2);
    g_string_append (shown, r->out);
  }

  /* Everything else a person might run. */
  {
    const char *const *cmds[] = {
      (const char *const[]){ "status", NULL },
      (const char *const[]){ "status", "--json", NULL },
      (const char *const[]){ "user", "list", NULL },
      (const char *const[]){ "user", "list", "--json", NULL },
      (const char *const[]){ "policy", "show", NULL },
      (const char *const[]){ "form", "list", NULL },
      (const char *const[]){ "audit", "--user", "admin", "--pin-stdin", NULL },
      (const char *const[]){ "audit", "--json", "--user", "admin", "--pin-stdin", NULL },
      (const char *const[]){ "verify", "--user", "sup", "--pin-stdin", NULL },
      (const char *const[]){ "verify", "--json", "--user", "admin", "--pin-stdin", NULL },
      (const char *const[]){ "verify", NULL },
    };
    for (guint i = 0; i < G_N_ELEMENTS (cmds); i++)
      {
        const char *const *c = cmds[i];
        gboolean admin = g_strv_contains (c, "admin");
        g_autoptr (Result) r = ctl_run_strv (f, FALSE, TRUE, admin ? ADMIN_PIN "\n" : SUP_PIN "\n",
                                             c);
        assert_success (r);
      }
  }

  /* The test can fail: every sentinel is in what show and export printed. */
  for (guint i = 0; i < N_SENTINELS; i++)
    if (strstr (shown->str, s[i]) == NULL)
      g_error ("sentinel %u '%s' is missing from show/export output:\n%s", i, s[i], shown->str);
  {
    g_autofree char *encoded = g_base64_encode ((const guint8 *) shown->str, shown->len);
    g_assert_nonnull (find_sentinel (s[S_NAME], encoded, strlen (encoded)));
  }

  /* Search the data folder while the WAL and shared memory are still there... */
  scan_tree (all, f->data_dir, seen);
  g_assert_true (has_string (seen, "intake.db"));
  g_assert_true (has_string (seen, "intake.db-wal"));
  g_assert_true (has_string (seen, "intake.db-shm"));
  g_assert_cmpint (sqlite3_close (holder), ==, SQLITE_OK);

  /* ...and once more after the last program has checkpointed them into the file. */
  {
    g_autoptr (Result) r = ctl_run (f, NULL, "verify", NULL);
    assert_success (r);
  }
  g_ptr_array_set_size (seen, 0);
  scan_tree (all, f->data_dir, seen);
  g_assert_true (has_string (seen, "intake.db"));
  g_assert_false (has_string (seen, "intake.db-wal"));

  scan_tree (all, f->child_tmpdir, NULL);
  for (guint i = 0; i < f->transcript->len; i++)
    {
      const char *output = f->transcript->pdata[i];
      g_autofree char *where = g_strdup_printf ("the output of 'intakectl %s'",
                                                (char *) f->command_lines->pdata[i]);
      assert_no_sentinel_in (all, where, output, strlen (output));
    }
  for (guint i = 0; i < N_SENTINELS; i++)
    g_free (s[i]);
}

/* ---- Malformed imports ---- */

static void
test_malformed_import (Fixture *f, gconstpointer data)
{
  const struct
  {
    const char *name;
    const char *contents;
    const char *named;
  } cases[] = {
    { "not-json.json", "{\"form_id\": \"household\", answers: oops", "cannot be read" },
    /* What json-glib alone took: refused with the construct and its place named. */
    { "comment.json", "{\"form_id\": \"household\",\n /* note */ \"answers\": {}}",
      "a comment at line 2, column 2" },
    { "single-quoted.json", "{\"form_id\": 'household'}", "a single-quoted string" },
    { "array.json", "[{\"form_id\": \"household\"}]", "JSON object" },
    { "answers-array.json", "{\"form_id\": \"household\", \"answers\": [1, 2]}", "\"answers\"" },
    { "answers-string.json", "{\"form_id\": \"household\", \"answers\": \"x\"}", "\"answers\"" },
    { "no-form.json", "{\"form_version\": 1, \"answers\": {}}", "form_id" },
    { "form-id-number.json", "{\"form_id\": 12, \"answers\": {}}", "form_id" },
    { "unknown-form.json", "{\"form_id\": \"no-such-form\", \"answers\": {}}", "no-such-form" },
    { "unknown-version.json", "{\"form_id\": \"household\", \"form_version\": 9}", "version 9" },
    { "bad-state.json", "{\"form_id\": \"household\", \"state\": \"approved\"}", "state" },
    { "empty-question.json", "{\"form_id\": \"household\", \"answers\": {\"\": 1}}", "question" },
    { "empty.json", "", NULL },
  };
  g_autofree char *missing = g_build_filename (f->inputs, "does-not-exist.json", NULL);

  setup_store (f, "test");
  g_assert_cmpuint (interview_count (f), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_input (f, cases[i].name, cases[i].contents);
      g_autoptr (Result) r = ctl_run (f, W1_PIN "\n", "interview", "import", path, "--user", "w1",
                                      "--pin-stdin", NULL);
      g_test_message ("case %s", cases[i].name);
      assert_one_line_failure (r, cases[i].named);
      g_assert_cmpint (r->status, ==, 1);
      g_assert_cmpstr (r->out, ==, "");
    }
  {
    g_autoptr (Result) r = ctl_run (f, W1_PIN "\n", "interview", "import", missing, "--user",
                                    "w1", "--pin-stdin", NULL);
    assert_one_line_failure (r, "does-not-exist.json");
  }
  /* Nothing was created, and the store is sound. */
  g_assert_cmpuint (interview_count (f), ==, 0);
  {
    g_autoptr (Result) r = ctl_run (f, SUP_PIN "\n", "verify", "--user", "sup", "--pin-stdin",
                                    NULL);
    assert_success (r);
  }
  /* A good import still works afterwards. */
  {
    g_autofree char *path = write_input (f, "good.json", "{\"form_id\": \"household\", "
                                                         "\"answers\": {\"name\": \"Rina\"}}");
    g_autofree char *id = import_interview (f, "w1", W1_PIN, path);
    g_autoptr (Result) r = ctl_run_content (f, W1_PIN "\n", "interview", "show", id, "--json",
                                            "--user", "w1", "--pin-stdin", NULL);
    assert_success (r);
    g_assert_nonnull (strstr (r->out, "Rina"));
    g_assert_cmpuint (interview_count (f), ==, 1);
  }
}

/* ---- Clear errors: unknown ids, other people's interviews, usage ---- */

static void
test_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_input (f, "iv.json", "{\"form_id\": \"household\", "
                                                     "\"answers\": {\"name\": \"Wulan\"}}");
  g_autofree char *id = NULL;
  const char *unknown = "0b0e7c52-6a57-4f43-9a43-2d8f1c6b7e11";

  setup_store (f, "test");
  id = import_interview (f, "w1", W1_PIN, path);
  {
    g_autoptr (Result) r = ctl_run (f, SUP_PIN "\n", "interview", "show", unknown, "--user",
                                    "sup", "--pin-stdin", NULL);
    assert_one_line_failure (r, unknown);
    g_assert_cmpstr (r->out, ==, "");
  }
  {
    g_autoptr (Result) r = ctl_run (f, SUP_PIN "\n", "review", "approve", unknown, "--user",
                                    "sup", "--pin-stdin", NULL);
    assert_one_line_failure (r, unknown);
  }
  /* Another worker is refused, and learns nothing of the content. */
  {
    g_autoptr (Result) r = ctl_run (f, W2_PIN "\n", "interview", "show", id, "--json", "--user",
                                    "w2", "--pin-stdin", NULL);
    assert_one_line_failure (r, "may not read");
    g_assert_cmpstr (r->out, ==, "");
    g_assert_null (strstr (r->err, "Wulan"));
  }
  /* A worker cannot approve; a draft cannot be approved. */
  {
    g_autoptr (Result) r = ctl_run (f, W1_PIN "\n", "review", "approve", id, "--user", "w1",
                                    "--pin-stdin", NULL);
    assert_one_line_failure (r, "may not");
  }
  {
    g_autoptr (Result) r = ctl_run (f, SUP_PIN "\n", "review", "approve", id, "--user", "sup",
                                    "--pin-stdin", NULL);
    assert_one_line_failure (r, "draft");
  }
  /* A wrong PIN says how many attempts are left. */
  {
    g_autoptr (Result) r = ctl_run (f, "wrong-pin\n", "interview", "list", "--user", "w1",
                                    "--pin-stdin", NULL);
    assert_one_line_failure (r, "attempts left");
  }
  /* No PIN on standard input. */
  {
    g_autoptr (Result) r = ctl_run (f, "", "interview", "list", "--user", "w1", "--pin-stdin",
                                    NULL);
    assert_one_line_failure (r, "standard input");
  }
  /* No store at all. */
  {
    g_autofree char *empty = g_build_filename (f->tmp, "nothing-here", NULL);
    g_autoptr (Result) r = ctl_run_bare (f, NULL, "status", "--data-dir", empty, NULL);
    assert_one_line_failure (r, "intakectl init");
  }
}

static void
test_help (Fixture *f, gconstpointer data)
{
  const char *const commands[][3] = {
    { "init", NULL, "--admin" },
    { "user", "add", "--role" },
    { "user", "list", NULL },
    { "user", "passwd", NULL },
    { "user", "remove", NULL },
    { "policy", "show", NULL },
    { "policy", "set", NULL },
    { "form", "list", NULL },
    { "form", "show", "--version" },
    { "form", "import", NULL },
    { "interview", "import", NULL },
    { "interview", "list", NULL },
    { "interview", "show", NULL },
    { "interview", "export", NULL },
    { "review", "list", NULL },
    { "review", "approve", NULL },
    { "review", "return", "--note" },
    { "review", "void", "--reason" },
    { "status", NULL, NULL },
    { "audit", NULL, NULL },
    { "verify", NULL, NULL },
    { "wipe", NULL, "--yes" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *name = commands[i][1]
                                  ? g_strdup_printf ("%s %s", commands[i][0], commands[i][1])
                                  : g_strdup (commands[i][0]);
      g_autoptr (Result) r = NULL;

      if (commands[i][1])
        r = ctl_run_bare (f, NULL, commands[i][0], commands[i][1], "--help", NULL);
      else
        r = ctl_run_bare (f, NULL, commands[i][0], "--help", NULL);
      g_test_message ("%s --help", name);
      g_assert_cmpint (r->status, ==, 0);
      g_assert_nonnull (strstr (r->out, name));
      g_assert_nonnull (strstr (r->out, "--data-dir"));
      g_assert_nonnull (strstr (r->out, "--pin-stdin"));
      if (commands[i][2])
        g_assert_nonnull (strstr (r->out, commands[i][2]));
    }

  /* The list of commands. */
  {
    g_autoptr (Result) r = ctl_run_bare (f, NULL, "--help", NULL);
    g_assert_cmpint (r->status, ==, 0);
    g_assert_nonnull (strstr (r->err, "interview import"));
  }
  /* Unknown commands are usage errors. */
  {
    g_autoptr (Result) r = ctl_run_bare (f, NULL, "frobnicate", NULL);
    g_assert_cmpint (r->status, ==, 2);
    g_assert_nonnull (strstr (r->err, "unknown command 'frobnicate'"));
  }
  {
    g_autoptr (Result) r = ctl_run_bare (f, NULL, "user", "frobnicate", NULL);
    g_assert_cmpint (r->status, ==, 2);
    g_assert_nonnull (strstr (r->err, "unknown command 'user frobnicate'"));
  }
  {
    g_autoptr (Result) r = ctl_run_bare (f, NULL, NULL, NULL);
    g_assert_cmpint (r->status, ==, 2);
  }
  /* So are unknown options and missing arguments. */
  {
    g_autoptr (Result) r = ctl_run_bare (f, NULL, "status", "--frobnicate", NULL);
    g_assert_cmpint (r->status, ==, 2);
  }
  {
    g_autoptr (Result) r = ctl_run_bare (f, NULL, "interview", "show", NULL);
    g_assert_cmpint (r->status, ==, 2);
  }
}

/* ---- Global options after the command ---- */

static void
test_global_options_after (Fixture *f, gconstpointer data)
{
  g_autoptr (Result) list = NULL;
  g_autoptr (Result) audit = NULL;
  g_autoptr (JsonNode) root = NULL;

  setup_store (f, "test");
  /* ctl_run puts --data-dir last; here --json comes after it too. */
  list = ctl_run_bare (f, NULL, "user", "list", "--data-dir", f->data_dir, "--json", NULL);
  assert_success (list);
  root = parse_json (list->out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 4);
  audit = ctl_run (f, ADMIN_PIN "\n", "audit", "--json", "--user", "admin", "--pin-stdin", NULL);
  assert_success (audit);
  g_clear_pointer (&root, json_node_unref);
  root = parse_json (audit->out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
}

/* ---- The failure counter survives kill -9 ---- */

static int
read_failed_unlocks (const char *db_path, const char *user)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int value = -1;

  if (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    goto out;
  if (sqlite3_prepare_v2 (db, "SELECT failed_unlocks FROM users WHERE name = ?", -1, &stmt, NULL)
      != SQLITE_OK)
    goto out;
  sqlite3_bind_text (stmt, 1, user, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int (stmt, 0);
out:
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static int
listed_failed_unlocks (Fixture *f, const char *user)
{
  g_autoptr (Result) r = ctl_run (f, NULL, "user", "list", "--json", NULL);
  g_autoptr (JsonNode) root = NULL;
  JsonArray *arr;

  assert_success (r);
  root = parse_json (r->out);
  arr = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonObject *u = json_array_get_object_element (arr, i);
      if (g_str_equal (json_object_get_string_member (u, "name"), user))
        return json_object_get_int_member (u, "failed_unlocks");
    }
  g_assert_not_reached ();
}

static void
test_lockout_survives_kill (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = g_build_filename (f->data_dir, "intake.db", NULL);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GPtrArray) argv = NULL;
  gint64 deadline;
  int seen = -1;

  /* A real Argon2id cost, so that the wrong PIN is still being checked when the count is. */
  {
    g_autoptr (Result) init = ctl_run (f, ADMIN_PIN "\n", "init", "--admin", "admin",
                                       "--kdf-cost", "3,64", "--pin-stdin", NULL);
    g_autoptr (Result) add = NULL;
    assert_success (init);
    add = ctl_run (f, ADMIN_PIN "\n" W1_PIN "\n", "user", "add", "w1", "--role", "worker",
                   "--user", "admin", "--pin-stdin", NULL);
    assert_success (add);
  }
  g_assert_cmpint (listed_failed_unlocks (f, "w1"), ==, 0);

  argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (char *) intakectl_path ());
  g_ptr_array_add (argv, (char *) "--user");
  g_ptr_array_add (argv, (char *) "w1");
  g_ptr_array_add (argv, (char *) "--pin-stdin");
  g_ptr_array_add (argv, (char *) "interview");
  g_ptr_array_add (argv, (char *) "list");
  g_ptr_array_add (argv, (char *) "--data-dir");
  g_ptr_array_add (argv, f->data_dir);
  g_ptr_array_add (argv, NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  launcher_setup (f, launcher);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  {
    GOutputStream *in = g_subprocess_get_stdin_pipe (proc);
    g_output_stream_write_all (in, "wrong-pin\n", 10, NULL, NULL, &error);
    g_assert_no_error (error);
    g_output_stream_close (in, NULL, &error);
    g_assert_no_error (error);
  }

  /* Watch the file, read-only, until the attempt is counted; then kill the program while it
   * is still deriving the key. */
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      seen = read_failed_unlocks (db_path, "w1");
      if (seen >= 1)
        break;
      g_usleep (1000);
    }
  g_assert_cmpint (seen, ==, 1);
  g_subprocess_force_exit (proc);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  /* It was still running: it died of the signal, not of the wrong PIN. */
  g_assert_true (g_subprocess_get_if_signaled (proc));
  g_assert_cmpint (g_subprocess_get_term_sig (proc), ==, SIGKILL);

  g_assert_cmpint (listed_failed_unlocks (f, "w1"), ==, 1);

  /* The right PIN resets the count. */
  {
    g_autoptr (Result) r = ctl_run (f, W1_PIN "\n", "interview", "list", "--user", "w1",
                                    "--pin-stdin", NULL);
    assert_success (r);
  }
  g_assert_cmpint (listed_failed_unlocks (f, "w1"), ==, 0);
}

/* ---- Lockout and reset, end to end ---- */

static void
test_lockout_and_reset (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_input (f, "iv.json", "{\"form_id\": \"household\", "
                                                     "\"answers\": {\"name\": \"Sari\"}}");
  g_autofree char *id = NULL;

  setup_store (f, "test");
  id = import_interview (f, "w1", W1_PIN, path);
  {
    g_autoptr (Result) r = ctl_run (f, ADMIN_PIN "\n", "policy", "set", "max_failed_unlocks", "2",
                                    "--user", "admin", "--pin-stdin", NULL);
    assert_success (r);
  }
  {
    g_autoptr (Result) r = ctl_run (f, "wrong-pin\n", "interview", "show", id, "--user", "w1",
                                    "--pin-stdin", NULL);
    assert_one_line_failure (r, "1 attempt left");
  }
  {
    g_autoptr (Result) r = ctl_run (f, "wrong-pin\n", "interview", "show", id, "--user", "w1",
                                    "--pin-stdin", NULL);
    assert_one_line_failure (r, "destroyed");
  }
  {
    g_autoptr (Result) r = ctl_run (f, W1_PIN "\n", "interview", "show", id, "--user", "w1",
                                    "--pin-stdin", NULL);
    assert_one_line_failure (r, "user passwd w1");
  }
  {
    g_autoptr (Result) r = ctl_run (f, NULL, "user", "list", "--json", NULL);
    g_autoptr (JsonNode) root = NULL;
    JsonArray *arr;
    gboolean found = FALSE;

    assert_success (r);
    root = parse_json (r->out);
    arr = json_node_get_array (root);
    for (guint i = 0; i < json_array_get_length (arr); i++)
      {
        JsonObject *u = json_array_get_object_element (arr, i);
        if (g_str_equal (json_object_get_string_member (u, "name"), "w1"))
          {
            g_assert_true (json_object_get_boolean_member (u, "locked_out"));
            found = TRUE;
          }
      }
    g_assert_true (found);
  }
  /* The supervisor still reads it; the admin gives w1 a new PIN; w1 reads it again. */
  {
    g_autoptr (Result) r = ctl_run_content (f, SUP_PIN "\n", "interview", "show", id, "--user",
                                            "sup", "--pin-stdin", NULL);
    assert_success (r);
    g_assert_nonnull (strstr (r->out, "Sari"));
  }
  {
    g_autoptr (Result) r = ctl_run (f, ADMIN_PIN "\nw1-new-pin-99\n", "user", "passwd", "w1",
                                    "--user", "admin", "--pin-stdin", NULL);
    assert_success (r);
  }
  {
    g_autoptr (Result) r = ctl_run_content (f, "w1-new-pin-99\n", "interview", "show", id,
                                            "--user", "w1", "--pin-stdin", NULL);
    assert_success (r);
    g_assert_nonnull (strstr (r->out, "Sari"));
  }
}

/* ---- Two programs importing at the same time ---- */

#define ROUNDS 15

static GSubprocess *
spawn_import (Fixture *f, const char *user, const char *pin, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autofree char *stdin_path = g_strdup_printf ("%s/stdin-%s", f->inputs, user);
  g_autofree char *input = g_strdup_printf ("%s\n", pin);
  GSubprocess *proc;

  g_assert_true (g_file_set_contents (stdin_path, input, -1, &error));
  g_assert_no_error (error);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_stdin_file_path (launcher, stdin_path);
  launcher_setup (f, launcher);
  proc = g_subprocess_launcher_spawn (launcher, &error, intakectl_path (), "interview", "import",
                                      path, "--user", user, "--pin-stdin", "--data-dir",
                                      f->data_dir, NULL);
  g_assert_no_error (error);
  return proc;
}

static void
test_concurrent_imports (Fixture *f, gconstpointer data)
{
  g_autofree char *path_1 = write_input (f, "w1.json", "{\"form_id\": \"household\", "
                                                       "\"state\": \"completed\", "
                                                       "\"answers\": {\"name\": \"one\"}}");
  g_autofree char *path_2 = write_input (f, "w2.json", "{\"form_id\": \"household\", "
                                                       "\"answers\": {\"name\": \"two\"}}");
  g_autoptr (GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint creates = 0;

  setup_store (f, "test");
  for (int round = 0; round < ROUNDS; round++)
    {
      g_autoptr (GSubprocess) p1 = spawn_import (f, "w1", W1_PIN, path_1);
      g_autoptr (GSubprocess) p2 = spawn_import (f, "w2", W2_PIN, path_2);
      GSubprocess *procs[] = { p1, p2 };

      for (guint i = 0; i < G_N_ELEMENTS (procs); i++)
        {
          g_autoptr (GError) error = NULL;
          g_autofree char *out = NULL;
          g_autofree char *err = NULL;

          g_subprocess_communicate_utf8 (procs[i], NULL, NULL, &out, &err, &error);
          g_assert_no_error (error);
          if (!g_subprocess_get_successful (procs[i]))
            g_error ("a concurrent import failed: %s", err);
          g_hash_table_add (ids, last_word (out));
        }
    }
  g_assert_cmpuint (g_hash_table_size (ids), ==, 2 * ROUNDS);
  g_assert_cmpuint (interview_count (f), ==, 2 * ROUNDS);
  {
    g_autoptr (Result) r = ctl_run (f, SUP_PIN "\n", "review", "list", "--json", "--user", "sup",
                                    "--pin-stdin", NULL);
    g_autoptr (JsonNode) root = NULL;
    assert_success (r);
    root = parse_json (r->out);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, ROUNDS);
  }
  {
    g_autoptr (Result) r = ctl_run (f, SUP_PIN "\n", "verify", "--json", "--user", "sup",
                                    "--pin-stdin", NULL);
    g_autoptr (JsonNode) root = NULL;
    JsonObject *o;
    assert_success (r);
    root = parse_json (r->out);
    o = json_node_get_object (root);
    g_assert_true (json_object_get_boolean_member (o, "ok"));
    g_assert_cmpint (json_object_get_int_member (o, "records_checked"), ==, 2 * ROUNDS);
  }
  /* The audit chain has every create, numbered without a gap. */
  {
    g_autoptr (Result) r = ctl_run (f, ADMIN_PIN "\n", "audit", "--json", "--user", "admin",
                                    "--pin-stdin", NULL);
    g_autoptr (JsonNode) root = NULL;
    JsonArray *arr;
    assert_success (r);
    root = parse_json (r->out);
    arr = json_node_get_array (root);
    for (guint i = 0; i < json_array_get_length (arr); i++)
      {
        JsonObject *e = json_array_get_object_element (arr, i);
        g_assert_cmpint (json_object_get_int_member (e, "seq"), ==, i + 1);
        if (g_str_equal (json_object_get_string_member (e, "action"), "create"))
          {
            g_assert_true (g_hash_table_contains (ids, json_object_get_string_member (e,
                                                                                   "subject")));
            creates++;
          }
      }
    g_assert_cmpuint (creates, ==, 2 * ROUNDS);
  }
}

/* ---- Loose permissions and wipe, through the program ---- */

static void
test_permissions_notice (Fixture *f, gconstpointer data)
{
  struct stat st;

  setup_store (f, "test");
  g_assert_cmpint (g_chmod (f->data_dir, 0750), ==, 0);
  {
    g_autoptr (Result) r = ctl_run (f, NULL, "status", NULL);
    g_auto (GStrv) lines = NULL;
    assert_success (r);
    lines = g_strsplit (r->err, "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 2);
    g_assert_true (g_str_has_prefix (lines[0], "intakectl: note: "));
    g_assert_nonnull (strstr (lines[0], "0750"));
    g_assert_nonnull (strstr (lines[0], "repaired to 0700"));
  }
  g_assert_cmpint (g_stat (f->data_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);
  {
    g_autoptr (Result) r = ctl_run (f, NULL, "status", NULL);
    assert_success (r);
    g_assert_cmpstr (r->err, ==, "");
  }
}

static void
test_wipe (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_input (f, "iv.json", "{\"form_id\": \"household\", "
                                                     "\"answers\": {\"name\": \"Tari\"}}");
  g_autofree char *db_path = g_build_filename (f->data_dir, "intake.db", NULL);
  g_autofree char *id = NULL;

  setup_store (f, "test");
  id = import_interview (f, "w1", W1_PIN, path);
  {
    g_autoptr (Result) r = ctl_run (f, ADMIN_PIN "\n", "wipe", "--user", "admin", "--pin-stdin",
                                    NULL);
    assert_one_line_failure (r, "--yes");
    g_assert_true (g_file_test (db_path, G_FILE_TEST_EXISTS));
  }
  {
    g_autoptr (Result) r = ctl_run (f, SUP_PIN "\n", "wipe", "--yes", "--user", "sup",
                                    "--pin-stdin", NULL);
    assert_one_line_failure (r, "admin");
    g_assert_true (g_file_test (db_path, G_FILE_TEST_EXISTS));
  }
  {
    g_autoptr (Result) r = ctl_run (f, ADMIN_PIN "\n", "wipe", "--yes", "--user", "admin",
                                    "--pin-stdin", NULL);
    g_autoptr (GDir) dir = NULL;
    const char *name;
    assert_success (r);
    dir = g_dir_open (f->data_dir, 0, NULL);
    g_assert_nonnull (dir);
    while ((name = g_dir_read_name (dir)) != NULL)
      g_assert_false (g_str_has_prefix (name, "intake.db"));
  }
  {
    g_autoptr (Result) r = ctl_run (f, SUP_PIN "\n", "interview", "show", id, "--user", "sup",
                                    "--pin-stdin", NULL);
    assert_one_line_failure (r, "intakectl init");
  }
}

/* enroll --file: a provisioning file that is not one is refused with what is wrong, before
 * the PIN is asked (the PIN given here is wrong: the file's problem is what is said). The real
 * server's files are enrolled from in tests/sync. */
static void
test_enroll_file_malformed (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *name;
    const char *contents;
    const char *needle;
  } cases[] = {
    { "empty.json", "", "it is empty" },
    { "garbage.json", "{\"format\": ", "not JSON" },
    { "comment.json", "{\"format\": \"intake-provisioning-v1\" // v1\n}", "a comment" },
    { "deep.json", "[[[[[[[[1]]]]]]]]", "nested deeper than 4 levels" },
    { "array.json", "[1, 2]", "one JSON object" },
    { "no-format.json", "{\"url\": \"https://a.example\", \"token\": \"x.y\"}",
      "\"format\" is missing" },
    { "other-format.json",
      "{\"format\": \"intake-provisioning-v9\", \"url\": \"https://a.example\", "
      "\"token\": \"x.y\"}",
      "\"intake-provisioning-v9\"" },
    { "no-url.json", "{\"format\": \"intake-provisioning-v1\", \"token\": \"x.y\"}",
      "no server address" },
    { "bad-url.json",
      "{\"format\": \"intake-provisioning-v1\", \"url\": \"ftp://a.example\", "
      "\"token\": \"x.y\"}",
      "ftp://a.example" },
    { "url-number.json",
      "{\"format\": \"intake-provisioning-v1\", \"url\": 443, \"token\": \"x.y\"}",
      "\"url\" must be text" },
    { "no-token.json",
      "{\"format\": \"intake-provisioning-v1\", \"url\": \"https://a.example\"}",
      "no enrollment token" },
    { "bad-pin.json",
      "{\"format\": \"intake-provisioning-v1\", \"url\": \"https://a.example\", "
      "\"token\": \"x.y\", \"pin_sha256\": \"abc\"}",
      "pin_sha256" },
    { "bad-ca.json",
      "{\"format\": \"intake-provisioning-v1\", \"url\": \"https://a.example\", "
      "\"token\": \"x.y\", \"ca\": \"not a certificate\"}",
      "PEM certificate" },
  };

  setup_store (f, "test");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_input (f, cases[i].name, cases[i].contents);
      g_autoptr (Result) r = ctl_run (f, "wrong-pin\n", "enroll", "--file", path, "--user",
                                      "admin", "--pin-stdin", NULL);

      assert_one_line_failure (r, cases[i].needle);
      g_assert_nonnull (strstr (r->err, cases[i].name));
    }
  {
    g_autofree char *missing = g_build_filename (f->inputs, "missing.json", NULL);
    g_autoptr (Result) r = ctl_run (f, ADMIN_PIN "\n", "enroll", "--file", missing, "--user",
                                    "admin", "--pin-stdin", NULL);
    assert_one_line_failure (r, "cannot be read");
  }
  {
    g_autofree char *path = write_input (f, "ok.json",
                                         "{\"format\": \"intake-provisioning-v1\", "
                                         "\"url\": \"https://a.example\", \"token\": \"x.y\"}");
    g_autoptr (Result) both = ctl_run (f, ADMIN_PIN "\n", "enroll", "https://a.example",
                                       "--file", path, "--user", "admin", "--pin-stdin", NULL);
    g_autoptr (Result) neither = ctl_run (f, ADMIN_PIN "\n", "enroll", "--user", "admin",
                                          "--pin-stdin", NULL);
    assert_one_line_failure (both, "either --file");
    g_assert_cmpint (both->status, ==, 2);
    assert_one_line_failure (neither, "--file FILE");
    g_assert_cmpint (neither->status, ==, 2);
  }
  {
    /* Nothing was enrolled, and no wrong PIN was counted against the admin. */
    g_autoptr (Result) r = ctl_run (f, NULL, "status", "--json", NULL);
    g_autoptr (Result) users = ctl_run (f, NULL, "user", "list", "--json", NULL);
    assert_success (r);
    g_assert_nonnull (strstr (r->out, "\"enrolled\" : false"));
    assert_success (users);
    g_assert_null (strstr (users->out, "\"failed_unlocks\" : 1"));
  }
}

/* The enrollment token never goes on the command line (ps, /proc, shell history): given there
 * it is refused before anything is asked; it is read from standard input, the line after the
 * PIN, or from --token-file; one that starts with '-' is a token like any other. No server runs
 * here: a token that reaches the enroll step is refused for its form, or fails to connect to a
 * closed loopback port; the real enrollment through standard input is in tests/sync. */
static void
test_enroll_token_not_on_command_line (Fixture *f, gconstpointer data)
{
  static const char url[] = "https://127.0.0.1:9";
  /* A well-formed token (SECRET.SERVER.ORG, 16 bytes in each fingerprint) that starts with '-'. */
#define FINGERPRINTS ".AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA"
  static const char dash_token[] = "-secret" FINGERPRINTS;

  setup_store (f, "test");
  {
    g_autoptr (Result) r = ctl_run (f, ADMIN_PIN "\n", "enroll", url, "abc" FINGERPRINTS,
                                    "--user", "admin", "--pin-stdin", NULL);
    assert_one_line_failure (r, "not taken on the command line");
    g_assert_nonnull (strstr (r->err, "--token-file"));
    g_assert_cmpint (r->status, ==, 2);
  }
  {
    /* The PIN first, then the token: each on its own line. */
    g_autoptr (Result) r = ctl_run (f, ADMIN_PIN "\n-not-a-token\n", "enroll", url, "--user",
                                    "admin", "--pin-stdin", NULL);
    assert_one_line_failure (r, "not an enrollment token");
    g_assert_cmpint (r->status, ==, 1);
  }
  {
    g_autoptr (Result) r = ctl_run (f, ADMIN_PIN "\n", "enroll", url, "--user", "admin",
                                    "--pin-stdin", NULL);
    assert_one_line_failure (r, "the enrollment token on line 2 of standard input");
  }
  {
    g_autoptr (Result) r = ctl_run (f, ADMIN_PIN "\n" "  -secret" FINGERPRINTS " \r\n",
                                    "enroll", url, "--user", "admin", "--pin-stdin", NULL);
    /* Past the token's checks, to the network: the server is not there. */
    assert_one_line_failure (r, "127.0.0.1");
    g_assert_null (strstr (r->err, "not an enrollment token"));
    g_assert_null (strstr (r->err, "Unknown option"));
    g_assert_cmpint (r->status, ==, 1);
  }
  {
    g_autofree char *path = write_input (f, "token.txt", dash_token);
    g_autofree char *bad = write_input (f, "bad-token.txt", "-not-a-token\nsecond line\n");
    g_autofree char *empty = write_input (f, "empty-token.txt", "\n");
    g_autoptr (Result) r = ctl_run (f, ADMIN_PIN "\n", "enroll", url, "--token-file", path,
                                    "--user", "admin", "--pin-stdin", NULL);
    g_autoptr (Result) rb = ctl_run (f, ADMIN_PIN "\n", "enroll", url, "--token-file", bad,
                                     "--user", "admin", "--pin-stdin", NULL);
    /* A token file is read before the PIN: the wrong PIN given here is never tried. */
    g_autoptr (Result) re = ctl_run (f, "wrong-pin\n", "enroll", url, "--token-file", empty,
                                     "--user", "admin", "--pin-stdin", NULL);
    assert_one_line_failure (r, "127.0.0.1");
    g_assert_null (strstr (r->err, "not an enrollment token"));
    assert_one_line_failure (rb, "not an enrollment token");
    assert_one_line_failure (re, "first line of");
  }
  {
    g_autoptr (Result) r = ctl_run (f, NULL, "status", "--json", NULL);
    g_autoptr (Result) users = ctl_run (f, NULL, "user", "list", "--json", NULL);
    assert_success (r);
    g_assert_nonnull (strstr (r->out, "\"enrolled\" : false"));
    assert_success (users);
    g_assert_null (strstr (users->out, "\"failed_unlocks\" : 1"));
  }
#undef FINGERPRINTS
}

/* ---- Freed memory ---- */

/* Decrypted answers in freed memory (issue #10): the commands that decrypt content run with a
 * probe (tests/app/intake-free-probe.c, in LD_PRELOAD) that counts the blocks handed back to the
 * C library while they still hold a free-text answer. The probe's free is the one the program's
 * own free hands each block to, so it sees each block after whatever wiping the program does. */
static gboolean
built_with_asan (void)
{
#if defined(__SANITIZE_ADDRESS__)
  return TRUE;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return TRUE;
#endif
#endif
  return FALSE;
}

static void
test_freed_memory (Fixture *f, gconstpointer data)
{
  const char *probe = g_getenv ("INTAKE_FREE_PROBE");
  g_autofree char *marker = random_word ("Fm", 20);
  g_autofree char *count_path = g_build_filename (f->tmp, "probe-count", NULL);
  g_autofree char *doc = NULL;
  g_autofree char *path = NULL;
  g_autofree char *id = NULL;
  const char *env[] = { "LD_PRELOAD", probe, "INTAKE_FREE_PROBE_MARKER", marker,
                        "INTAKE_FREE_PROBE_OUT", count_path, NULL };

  if (built_with_asan ())
    {
      g_test_skip ("AddressSanitizer owns malloc and free, and refuses a preloaded library");
      return;
    }
  g_assert_nonnull (probe);
  setup_store (f, "test");
  doc = g_strdup_printf ("{\"form_id\": \"" FORM_ID "\", \"form_version\": 1, \"state\": \"draft\", "
                         "\"answers\": {\"name\": \"Ani\", \"story\": \"They kept my passport %s "
                         "and I could not leave\"}}",
                         marker);
  path = write_input (f, "interview.json", doc);
  id = import_interview (f, "w1", W1_PIN, path);
  {
    const char *const commands[][6] = {
      { "interview", "show", id, NULL },
      { "interview", "show", id, "--json", NULL },
      { "interview", "export", "--json", NULL },
      { "interview", "list", NULL },
      { "interview", "list", NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
      {
        g_autoptr (GPtrArray) args = g_ptr_array_new ();
        g_autoptr (Result) r = NULL;
        g_autoptr (GError) error = NULL;
        g_autofree char *counts = NULL;
        g_autofree char *line = NULL;
        guint64 with_marker = 0;
        guint64 total = 0;

        for (guint k = 0; commands[i][k] != NULL; k++)
          g_ptr_array_add (args, (char *) commands[i][k]);
        g_ptr_array_add (args, (char *) "--user");
        /* The last command reads as the supervisor, through the review group's key. */
        g_ptr_array_add (args, (char *) (i == 4 ? "sup" : "w1"));
        g_ptr_array_add (args, (char *) "--pin-stdin");
        g_ptr_array_add (args, NULL);
        g_unlink (count_path);
        f->extra_env = env;
        r = ctl_run_strv (f, TRUE, TRUE, i == 4 ? SUP_PIN "\n" : W1_PIN "\n",
                          (const char *const *) args->pdata);
        f->extra_env = NULL;
        assert_success (r);
        if (i < 3)
          g_assert_nonnull (strstr (r->out, marker));
        g_file_get_contents (count_path, &counts, NULL, &error);
        g_assert_no_error (error);
        g_assert_cmpint (sscanf (counts, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &with_marker,
                                 &total),
                         ==, 2);
        line = g_strjoinv (" ", (char **) args->pdata);
        g_test_message ("intakectl %s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                        " freed blocks held the answer",
                        line, with_marker, total);
        /* The probe saw the program's frees, so that a zero below means something. */
        g_assert_cmpuint (total, >, 1000);
        g_assert_cmpuint (with_marker, ==, 0);
      }
  }
}

/* ---- XLSForm import (issue #12) ---- */

/* `form import` takes pyxform's Markdown shape as it takes JSON; a spreadsheet it cannot convert
 * is refused in one line naming the row and column; `interview show` prints computed values. */
static void
test_xlsform_import (Fixture *f, gconstpointer data)
{
  static const char md[] =
    "| survey |\n"
    "| | type      | name   | label::English (en) | calculation                          |\n"
    "| | integer   | age    | Age                 |                                      |\n"
    "| | calculate | minor  |                     | if(${age} < 18, 'yes', 'no')         |\n"
    "| | today     | day    |                     |                                      |\n"
    "| | start     | began  |                     |                                      |\n"
    "| | end       | ended  |                     |                                      |\n"
    "| | deviceid  | device |                     |                                      |\n"
    "| | username  | who    |                     |                                      |\n"
    "| settings |\n"
    "| | form_id | version |\n"
    "| | age_check | 2 |\n";
  static const char bad[] =
    "| survey |\n"
    "| | type    | name | label | relevant |\n"
    "| | integer | age  | Age   | ${age} >>> 2 |\n";
  g_autofree char *form = NULL, *broken = NULL, *interview = NULL, *id = NULL;
  g_autoptr (JsonNode) shown = NULL;
  JsonObject *computed;

  setup_store (f, "test");
  form = write_input (f, "age_check.md", md);
  broken = write_input (f, "broken.md", bad);
  {
    g_autoptr (Result) r = ctl_run (f, ADMIN_PIN "\n", "form", "import", form, "--user", "admin",
                                    "--pin-stdin", NULL);
    assert_success (r);
    g_assert_nonnull (strstr (r->out, "Imported form age_check version 2"));
  }
  {
    g_autoptr (Result) r = ctl_run (f, ADMIN_PIN "\n", "form", "import", broken, "--user",
                                    "admin", "--pin-stdin", NULL);
    assert_one_line_failure (r, "survey line 3, column relevant: ");
  }
  interview = write_input (f, "iv.json", "{\"form_id\": \"age_check\", \"form_version\": 2, "
                                         "\"answers\": {\"age\": 15, \"day\": \"2026-11-28\"}}");
  id = import_interview (f, "w1", W1_PIN, interview);
  {
    g_autoptr (Result) r = ctl_run_content (f, W1_PIN "\n", "interview", "show", id, "--json",
                                            "--user", "w1", "--pin-stdin", NULL);
    assert_success (r);
    shown = parse_json (r->out);
  }
  computed = json_object_get_object_member (json_node_get_object (shown), "computed");
  g_assert_nonnull (computed);
  g_assert_cmpstr (json_object_get_string_member (computed, "minor"), ==, "yes");
  g_assert_cmpstr (json_object_get_string_member (computed, "day"), ==, "2026-11-28");
  /* The metadata questions were stamped when the interview was saved (the date given above
   * stands: today is fixed the first time), with this tablet's id and the interviewer. */
  g_assert_cmpstr (json_object_get_string_member (computed, "who"), ==, "w1");
  g_assert_cmpuint (strlen (json_object_get_string_member (computed, "began")), ==, 19);
  g_assert_cmpuint (strlen (json_object_get_string_member (computed, "ended")), ==, 19);
  {
    g_autoptr (Result) r = ctl_run (f, NULL, "status", "--json", NULL);
    g_autoptr (JsonNode) status = NULL;

    assert_success (r);
    status = parse_json (r->out);
    g_assert_cmpstr (json_object_get_string_member (computed, "device"), ==,
                     json_object_get_string_member (json_node_get_object (status), "device_id"));
  }
  {
    /* A later save keeps when it began. */
    g_autofree char *began = g_strdup (json_object_get_string_member (computed, "began"));
    g_autoptr (Result) set = ctl_run (f, W1_PIN "\n", "interview", "set", id, "age", "16",
                                      "--user", "w1", "--pin-stdin", NULL);
    g_autoptr (Result) r = NULL;
    g_autoptr (JsonNode) again = NULL;
    JsonObject *now;

    assert_success (set);
    r = ctl_run_content (f, W1_PIN "\n", "interview", "show", id, "--json", "--user", "w1",
                         "--pin-stdin", NULL);
    assert_success (r);
    again = parse_json (r->out);
    now = json_object_get_object_member (json_node_get_object (again), "computed");
    g_assert_cmpstr (json_object_get_string_member (now, "began"), ==, began);
    g_assert_cmpstr (json_object_get_string_member (now, "ended"), >=, began);
  }
  {
    g_autoptr (Result) r = ctl_run_content (f, W1_PIN "\n", "interview", "show", id, "--user",
                                            "w1", "--pin-stdin", NULL);
    assert_success (r);
    g_assert_nonnull (strstr (r->out, "\nComputed:\n"));
    g_assert_nonnull (strstr (r->out, "\n  minor = yes\n"));
    g_assert_nonnull (strstr (r->out, "\n  day = 2026-11-28\n"));
    g_assert_nonnull (strstr (r->out, "\n  who = w1\n"));
  }
}

/* A repeat inside a repeat imports; `interview show` names the values computed inside entries,
 * inner ones too, by their path. */
static void
test_nested_repeat_show (Fixture *f, gconstpointer data)
{
  static const char md[] =
    "| survey |\n"
    "| | type         | name    | label::English (en) | calculation                  |\n"
    "| | begin repeat | boat    | Boat                |                              |\n"
    "| | text         | vessel  | Boat name           |                              |\n"
    "| | begin repeat | crew    | Crew member         |                              |\n"
    "| | integer      | age     | Age                 |                              |\n"
    "| | calculate    | tag     |                     | concat(${vessel}, '-', ${age}) |\n"
    "| | end repeat   |         |                     |                              |\n"
    "| | calculate    | n_crew  |                     | count(${crew})               |\n"
    "| | end repeat   |         |                     |                              |\n"
    "| | calculate    | all     |                     | count(${crew})               |\n"
    "| settings |\n"
    "| | form_id | version |\n"
    "| | boats | 1 |\n";
  g_autofree char *form = NULL, *interview = NULL, *id = NULL;
  g_autoptr (JsonNode) shown = NULL;
  JsonObject *computed;

  setup_store (f, "test");
  form = write_input (f, "boats.md", md);
  {
    g_autoptr (Result) r = ctl_run (f, ADMIN_PIN "\n", "form", "import", form, "--user", "admin",
                                    "--pin-stdin", NULL);
    assert_success (r);
  }
  interview = write_input (f, "iv.json",
                           "{\"form_id\": \"boats\", \"form_version\": 1, \"answers\": {\"boat\": ["
                           "{\"vessel\": \"Sri\", \"crew\": [{\"age\": 30}, {\"age\": 17}]},"
                           "{\"vessel\": \"Ayu\", \"crew\": [{\"age\": 44}]}]}}");
  id = import_interview (f, "w1", W1_PIN, interview);
  {
    g_autoptr (Result) r = ctl_run_content (f, W1_PIN "\n", "interview", "show", id, "--json",
                                            "--user", "w1", "--pin-stdin", NULL);
    assert_success (r);
    shown = parse_json (r->out);
  }
  computed = json_object_get_object_member (json_node_get_object (shown), "computed");
  g_assert_nonnull (computed);
  g_assert_cmpstr (json_object_get_string_member (computed, "all"), ==, "3");
  g_assert_cmpstr (json_object_get_string_member (computed, "boat[1]/n_crew"), ==, "2");
  g_assert_cmpstr (json_object_get_string_member (computed, "boat[2]/n_crew"), ==, "1");
  g_assert_cmpstr (json_object_get_string_member (computed, "boat[1]/crew[2]/tag"), ==, "Sri-17");
  g_assert_cmpstr (json_object_get_string_member (computed, "boat[2]/crew[1]/tag"), ==, "Ayu-44");
  {
    g_autoptr (Result) r = ctl_run_content (f, W1_PIN "\n", "interview", "show", id, "--user",
                                            "w1", "--pin-stdin", NULL);
    assert_success (r);
    g_assert_nonnull (strstr (r->out, "\n  boat[1]/crew[1]/tag = Sri-30\n"));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* A command that exits without reading its standard input must not kill the test. */
  signal (SIGPIPE, SIG_IGN);

#define ADD(path, func)                                                                          \
  g_test_add ("/intake/app/intakectl/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("sentinel", test_sentinel);
  ADD ("malformed-import", test_malformed_import);
  ADD ("errors", test_errors);
  ADD ("help", test_help);
  ADD ("global-options-after-command", test_global_options_after);
  ADD ("lockout-survives-kill", test_lockout_survives_kill);
  ADD ("lockout-and-reset", test_lockout_and_reset);
  ADD ("concurrent-imports", test_concurrent_imports);
  ADD ("permissions-notice", test_permissions_notice);
  ADD ("wipe", test_wipe);
  ADD ("enroll-file-malformed", test_enroll_file_malformed);
  ADD ("enroll-token-not-on-command-line", test_enroll_token_not_on_command_line);
  ADD ("freed-memory", test_freed_memory);
  ADD ("xlsform-import", test_xlsform_import);
  ADD ("nested-repeat-show", test_nested_repeat_show);
#undef ADD

  return g_test_run ();
}
