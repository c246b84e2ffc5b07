/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Decrypted answers in freed memory (issue #10, item 6). Each case saves or opens an interview
 * whose answers hold random markers, frees everything, then reads every writable mapping of the
 * process (heap, anonymous mappings, GSlice's slabs, libraries' data) for the markers. Only the
 * main thread's stack is left out: a wiping free cannot reach it.
 *
 * The markers exist in plain form only where the code under test put them: the test keeps them
 * masked (each byte XORed with MASK) and unmasks them into a buffer it wipes itself. */
#include "intake-config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "intake-store.h"
#include "intake-wipe-free.h"

#define ADMIN_PIN "admin-pin-0001"
#define MASK 0xa5
#define MARKER_LEN 24
#define SCAN_CHUNK (1024 * 1024)

static const char form_doc[] =
  "{\"id\": \"household\", \"version\": 1, \"title\": {\"en\": \"Household visit\"},"
  " \"default_language\": \"en\", \"languages\": [\"en\"],"
  " \"questions\": ["
  "  {\"type\": \"integer\", \"name\": \"phone\", \"label\": {\"en\": \"Phone\"}},"
  "  {\"type\": \"text\", \"name\": \"story\", \"label\": {\"en\": \"Story\"},"
  "   \"appearance\": \"multiline\"},"
  "  {\"type\": \"text\", \"name\": \"after\", \"label\": {\"en\": \"After\"}}"
  " ]}";

/* Three masked needles: the free-text marker, the integer answer as decimal digits, and the
 * integer as the 64-bit value that JSON-GLib keeps in its nodes. */
typedef struct
{
  const char *what;
  guint8 masked[MARKER_LEN];
  gsize len;
} Needle;

typedef struct
{
  char *tmp;
  char *data_dir;
  Needle text;
  Needle digits;
  Needle binary;
  gboolean skip;
} Fixture;

#define ASSERT_OK(expr)                                                                          \
  G_STMT_START                                                                                   \
  {                                                                                              \
    gboolean ok_ = (expr);                                                                       \
    g_assert_no_error (error);                                                                   \
    g_assert_true (ok_);                                                                         \
  }                                                                                              \
  G_STMT_END

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

/* ---- Needles ---- */

static void
needle_set (Needle *n, const char *what, const guint8 *plain, gsize len)
{
  g_assert_cmpuint (len, <=, MARKER_LEN);
  n->what = what;
  n->len = len;
  for (gsize i = 0; i < len; i++)
    n->masked[i] = plain[i] ^ MASK;
}

/* The plain text of a needle, in a buffer the caller wipes with unmasked_free (). */
static char *
unmasked_dup (const Needle *n)
{
  char *plain = g_malloc0 (n->len + 1);

  for (gsize i = 0; i < n->len; i++)
    plain[i] = (char) (n->masked[i] ^ MASK);
  return plain;
}

static void
unmasked_free (char *plain)
{
  explicit_bzero (plain, strlen (plain));
  g_free (plain);
}

/* Fresh markers for each case: letters for the text, eleven digits for the number. Each value is
 * masked as soon as it is made, so the plain form never sits in the test's own memory. */
static void
make_needles (Fixture *f)
{
  guint8 buf[MARKER_LEN];
  char digits[MARKER_LEN];
  gint64 number = 0;
  int len;

  for (guint i = 0; i < MARKER_LEN; i++)
    buf[i] = (guint8) ('A' + g_random_int_range (0, 26));
  needle_set (&f->text, "free-text answer", buf, MARKER_LEN);
  number = 10000000000 + g_random_int_range (0, G_MAXINT32);
  len = g_snprintf (digits, sizeof digits, "%" G_GINT64_FORMAT, number);
  needle_set (&f->digits, "number as text", (const guint8 *) digits, (gsize) len);
  needle_set (&f->binary, "number as int64", (const guint8 *) &number, sizeof number);
  explicit_bzero (buf, sizeof buf);
  explicit_bzero (digits, sizeof digits);
  number = 0;
}

/* ---- Scanning the process's memory ---- */

/* The scan allocates nothing from the heap while it looks: an allocation could reuse a freed
 * block and overwrite the very copy the scan is looking for. Its buffers are a mapping of its
 * own, left out of the scan. */
#define MAPS_BYTES (512 * 1024)
#define MAX_REGIONS 4096
#define N_NEEDLES 3

typedef struct
{
  guint64 start;
  guint64 end;
  const char *name;
  guint found[N_NEEDLES];
} Region;

typedef struct
{
  char maps[MAPS_BYTES];
  Region regions[MAX_REGIONS];
  guint n_regions;
  guint8 chunk[SCAN_CHUNK + MARKER_LEN];
} Scan;

/* The writable private mappings, read from /proc/self/maps into the scan's own memory. */
static void
scan_read_maps (Scan *scan)
{
  gsize used = 0;
  ssize_t got;
  char *line;
  int fd = g_open ("/proc/self/maps", O_RDONLY | O_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  while ((got = read (fd, scan->maps + used, MAPS_BYTES - 1 - used)) > 0)
    used += (gsize) got;
  g_assert_cmpint (got, ==, 0);
  g_assert_cmpuint (used, <, MAPS_BYTES - 1);
  close (fd);
  scan->maps[used] = '\0';
  for (line = scan->maps; line != NULL && *line != '\0';)
    {
      char *next = strchr (line, '\n');
      Region *r = &scan->regions[scan->n_regions];
      char perms[8] = "";
      int name_at = 0;

      if (next != NULL)
        *next++ = '\0';
      if (sscanf (line, "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x %7s %*s %*s %*s %n",
                  &r->start, &r->end, perms, &name_at)
              >= 3
          && perms[0] == 'r' && perms[1] == 'w' && perms[3] == 'p')
        {
          r->name = name_at > 0 && line[name_at] != '\0' ? line + name_at : "anonymous";
          if (!g_str_equal (r->name, "[stack]") && !g_str_equal (r->name, "[vvar]")
              && !g_str_equal (r->name, "[vsyscall]")
              && r->start != (guint64) (guintptr) scan)
            {
              g_assert_cmpuint (scan->n_regions, <, MAX_REGIONS - 1);
              scan->n_regions++;
            }
        }
      line = next;
    }
}

static gboolean
matches (const guint8 *at, const Needle *n)
{
  for (gsize k = 1; k < n->len; k++)
    if ((at[k] ^ MASK) != n->masked[k])
      return FALSE;
  return TRUE;
}

static guint
count_in (const guint8 *buf, gsize len, gsize limit, const Needle *n)
{
  guint8 first = n->masked[0] ^ MASK;
  const guint8 *p = buf;
  const guint8 *end;
  guint found = 0;

  if (len < n->len)
    return 0;
  end = buf + len - n->len + 1;
  while (p < end && (p = memchr (p, first, (gsize) (end - p))) != NULL)
    {
      if ((gsize) (p - buf) < limit && matches (p, n))
        found++;
      p++;
    }
  return found;
}

/* Counts the needles' copies in each writable mapping. Memory is read through /proc/self/mem,
 * so that a mapping that changes meanwhile gives a short read, not a crash. */
static void
scan_memory (Scan *scan, const Needle *const *needles)
{
  int fd = g_open ("/proc/self/mem", O_RDONLY | O_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  for (guint i = 0; i < scan->n_regions; i++)
    {
      Region *r = &scan->regions[i];

      for (guint64 at = r->start; at < r->end; at += SCAN_CHUNK)
        {
          /* Each chunk overlaps the next by less than a needle, so that a copy across the
           * boundary is counted once, in the chunk where it starts. */
          gsize want = (gsize) MIN (r->end - at, (guint64) SCAN_CHUNK + MARKER_LEN);
          ssize_t got = pread (fd, scan->chunk, want, (off_t) at);

          if (got <= 0)
            continue;
          for (guint k = 0; k < N_NEEDLES; k++)
            r->found[k] += count_in (scan->chunk, (gsize) got, SCAN_CHUNK, needles[k]);
        }
    }
  close (fd);
}

/* Asserts that no needle is left anywhere; says where each copy was. */
static void
assert_no_copies (Fixture *f, const char *after)
{
  const Needle *const needles[N_NEEDLES] = { &f->text, &f->digits, &f->binary };
  Scan *scan = mmap (NULL, sizeof (Scan), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
  guint total = 0;

  g_assert_true (scan != MAP_FAILED);
  scan_read_maps (scan);
  scan_memory (scan, needles);
  for (guint k = 0; k < N_NEEDLES; k++)
    {
      g_autoptr (GString) where = g_string_new (NULL);
      guint n = 0;

      for (guint i = 0; i < scan->n_regions; i++)
        if (scan->regions[i].found[k] > 0)
          {
            g_string_append_printf (where, " %u in %s (%" G_GINT64_MODIFIER "x);",
                                    scan->regions[i].found[k], scan->regions[i].name,
                                    scan->regions[i].start);
            n += scan->regions[i].found[k];
          }
      g_test_message ("after %s: %u copies of the %s in memory:%s", after, n, needles[k]->what,
                      where->str);
      total += n;
    }
  explicit_bzero (scan->chunk, sizeof scan->chunk);
  munmap (scan, sizeof (Scan));
  g_assert_cmpuint (total, ==, 0);
}

/* ---- Fixture ---- */

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

static IntakeSession *
unlock_admin (IntakeStore *store)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSecret) secret = intake_secret_new_from_data (ADMIN_PIN, strlen (ADMIN_PIN));
  IntakeSession *session = intake_store_unlock (store, "admin", secret, &error);

  g_assert_no_error (error);
  g_assert_nonnull (session);
  return session;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  /* AddressSanitizer owns malloc and free, and keeps freed blocks, unwiped, in its quarantine;
   * the wiping free is not built there. Anywhere else it must be in place. */
  if (built_with_asan ())
    {
      g_test_skip ("AddressSanitizer owns the allocator in this build");
      f->skip = TRUE;
      return;
    }
    g_assert_true (intake_wipe_free_is_active ());

  f->tmp = g_dir_make_tmp ("intake-test-memory-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->tmp, "data", NULL);
  make_needles (f);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  if (f->tmp != NULL)
    rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->data_dir);
}

/* A store with one admin and the form; answers with the markers, saved as one interview is
 * made and then once more through autosave. Returns the interview's id; nothing else of it is
 * left allocated. */
static char *
save_interview (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSecret) secret = intake_secret_new_from_data (ADMIN_PIN, strlen (ADMIN_PIN));
  g_autoptr (IntakeStore) store = NULL;
  g_autoptr (IntakeSession) admin = NULL;
  IntakeKdfParams kdf;
  char *id;

  intake_kdf_params_insecure_for_tests (&kdf);
  store = intake_store_create (f->data_dir, "admin", secret, &kdf, &error);
  g_assert_no_error (error);
  admin = unlock_admin (store);
  ASSERT_OK (intake_session_import_form (admin, form_doc, NULL, NULL, &error));
  {
    g_autoptr (JsonObject) answers = json_object_new ();
    char *marker = unmasked_dup (&f->text);
    char *story = g_strconcat ("They kept my passport ", marker, " and I could not leave", NULL);
    char *digits = unmasked_dup (&f->digits);

    json_object_set_string_member (answers, "story", story);
    json_object_set_int_member (answers, "phone", g_ascii_strtoll (digits, NULL, 10));
    unmasked_free (digits);
    unmasked_free (story);
    unmasked_free (marker);
    id = intake_session_create_interview (admin, "household", 1, answers, &error);
    g_assert_no_error (error);
    g_assert_nonnull (id);
  }
  {
    g_autoptr (JsonNode) value = json_node_new (JSON_NODE_VALUE);
    char *marker = unmasked_dup (&f->text);

    json_node_set_string (value, marker);
    unmasked_free (marker);
    ASSERT_OK (intake_session_set_answer (admin, id, "after", value, &error));
  }
  return id;
}

/* ---- Cases ---- */

/* Creating an interview and saving an answer: the answer objects, the content tree, its JSON
 * text and the plaintext before encryption are all freed by the time the store is closed. */
static void
test_saved_answers_wiped (Fixture *f, gconstpointer data)
{
  g_autofree char *id = NULL;

  if (f->skip)
    return;
  id = save_interview (f);
  assert_no_copies (f, "saving");
}

/* What `intakectl interview show` and `export` do: open the interview (decrypt, parse, score),
 * turn it into a JSON tree and that into text, and list interviews with their summaries. */
static void
test_shown_interview_wiped (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr (IntakeStore) store = NULL;
  g_autoptr (IntakeSession) admin = NULL;

  if (f->skip)
    return;
  id = save_interview (f);
  store = intake_store_open (f->data_dir, &error);
  g_assert_no_error (error);
  admin = unlock_admin (store);
  {
    g_autoptr (IntakeInterview) iv = intake_session_open_interview (admin, id, &error);
    g_autoptr (JsonNode) node = NULL;
    g_autofree char *text = NULL;
    g_autofree char *marker = unmasked_dup (&f->text);

    g_assert_no_error (error);
    g_assert_nonnull (iv);
    node = intake_interview_to_json (iv, TRUE);
    text = json_to_string (node, TRUE);
    /* The marker is really in what was shown, so that its absence afterwards means something. */
    g_assert_nonnull (strstr (text, marker));
    explicit_bzero (marker, strlen (marker));
  }
  {
    g_autoptr (GPtrArray) list = intake_session_list_interviews (admin, INTAKE_LIST_ALL, 0, TRUE,
                                                                 &error);
    g_assert_no_error (error);
    g_assert_cmpuint (list->len, ==, 1);
  }
  g_clear_object (&admin);
  g_clear_object (&store);
  assert_no_copies (f, "showing");
}

/* Every way a block goes back to the allocator, with the marker in it: g_free, a realloc that
 * moves the block (glibc frees the old one internally) or shrinks it, GSlice (whose magazines
 * keep freed chunks without calling free), JSON-GLib's nodes and strings, and the C library's
 * own frees (a growing string stream). */
static void
test_allocator_routes_wipe (Fixture *f, gconstpointer data)
{
  char *marker;
  gsize len;

  if (f->skip)
    return;
  marker = unmasked_dup (&f->text);
  len = strlen (marker);
  {
    char *block = g_malloc (200);

    memcpy (block + 50, marker, len);
    g_free (block);
  }
  {
    char *block = g_malloc (100);
    /* A neighbour, so that growing cannot extend the block where it is. */
    char *fence = g_malloc (100);

    memcpy (block + 10, marker, len);
    block = g_realloc (block, 64 * 1024);
    g_assert_cmpmem (block + 10, len, marker, len);
    explicit_bzero (block, 64 * 1024);
    g_free (block);
    g_free (fence);
  }
  {
    char *block = g_malloc (4096);

    memcpy (block + 2048, marker, len);
    block = g_realloc (block, 64);
    explicit_bzero (block, 64);
    g_free (block);
  }
  {
    /* Past the two pointers that a freed chunk's magazine link overwrites. */
    char *block = g_slice_alloc (64);

    memcpy (block + 24, marker, len);
    g_slice_free1 (64, block);
  }
  {
    g_autoptr (JsonNode) node = json_node_new (JSON_NODE_VALUE);
    char *digits = unmasked_dup (&f->digits);

    json_node_set_string (node, marker);
    json_node_set_int (node, g_ascii_strtoll (digits, NULL, 10));
    unmasked_free (digits);
  }
  {
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream (&text, &size);

    g_assert_nonnull (stream);
    for (guint i = 0; i < 500; i++)
      fputs (marker, stream);
    g_assert_cmpint (fclose (stream), ==, 0);
    explicit_bzero (text, size);
    free (text);
  }
  unmasked_free (marker);
  assert_no_copies (f, "freeing");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!intake_crypto_init (NULL))
    return 1;
#define ADD(path, func)                                                                          \
  g_test_add ("/intake/core/memory/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("allocator-routes-wipe", test_allocator_routes_wipe);
  ADD ("saved-answers-wiped", test_saved_answers_wiped);
  ADD ("shown-interview-wiped", test_shown_interview_wiped);
#undef ADD
  return g_test_run ();
}
