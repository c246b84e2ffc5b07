/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The window's main thread while the tablet sends: the longest stall of a main loop that ticks
 * every 10 ms (as a frame clock would) while a worker types one answer a second, during a
 * 1,000-interview sync drain to the real server, on a store whose flushes are slowed by 20 ms
 * (fsync-delay.c, preloaded). The answers are saved as the window saves them now, on the
 * session's queue (intake_session_set_answer_async ()), and, for comparison, as it saved them
 * before, on the main thread (intake_session_set_answer ()). Each figure is printed against the
 * same run without the drain. Nothing is asserted on time.
 */
#include "intake-config.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <glib/gstdio.h>

#include "sync-fixture.h"

#define INTERVIEWS 1000
#define TICK_MS 10
#define TYPE_EVERY_MS 1000
#define FSYNC_DELAY_MS 20
/* A drain takes a second or two here: each figure is the worst of this many runs. */
#define RUNS 3

typedef struct
{
  GMainLoop *loop;
  IntakeSession *session;
  char *interview_id;
  gboolean async;
  gint64 last_tick;
  gint64 worst_us;
  guint typed;
  guint saved;
  guint failed;
  gboolean ending;
} Run;

typedef struct
{
  char *tablet_dir;
  IntakeSyncReport report;
  GError *error;
  double seconds;
  Run *run;
} Drain;

static void (*fsync_delay_set) (int ms);

static gboolean
tick_cb (gpointer user_data)
{
  Run *run = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 late = now - run->last_tick - TICK_MS * 1000;

  if (run->last_tick != 0 && late > run->worst_us)
    run->worst_us = late;
  run->last_tick = now;
  return G_SOURCE_CONTINUE;
}

static void
saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Run *run = user_data;
  g_autoptr (GError) error = NULL;

  if (intake_session_set_answer_finish (INTAKE_SESSION (source), result, &error))
    run->saved++;
  else
    run->failed++;
  if (run->ending && run->saved + run->failed == run->typed)
    g_main_loop_quit (run->loop);
}

/* One answer, as a person types it: the text so far, saved as the window saves it. */
static gboolean
type_cb (gpointer user_data)
{
  Run *run = user_data;
  g_autofree char *text = g_strdup_printf ("typed %u", run->typed);
  g_autoptr (JsonNode) value = json_node_new (JSON_NODE_VALUE);
  g_autoptr (GError) error = NULL;

  json_node_set_string (value, text);
  run->typed++;
  if (run->async)
    intake_session_set_answer_async (run->session, run->interview_id, "story", value, NULL,
                                     saved_cb, run);
  else if (intake_session_set_answer (run->session, run->interview_id, "story", value, &error))
    run->saved++;
  else
    run->failed++;
  return G_SOURCE_CONTINUE;
}

/* The end of the run: once the answers typed are all saved. */
static gboolean
end_cb (gpointer user_data)
{
  Run *run = user_data;

  run->ending = TRUE;
  if (run->saved + run->failed == run->typed)
    g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
}

/* The sync engine's pass, on its own connection, as the window's engine runs it. */
static gpointer
drain_thread (gpointer data)
{
  Drain *d = data;
  g_autoptr (IntakeStore) store = intake_store_open (d->tablet_dir, &d->error);
  IntakeSyncOptions options;
  gint64 start = g_get_monotonic_time ();

  intake_sync_options_init (&options);
  if (store != NULL)
    intake_sync_pass (store, &options, NULL, &d->report, &d->error);
  d->seconds = (g_get_monotonic_time () - start) / 1e6;
  g_idle_add (end_cb, d->run);
  return NULL;
}

/* One run: ticking and typing for @seconds, or while a drain of INTERVIEWS runs when @drain.
 * Returns the worst lateness of a tick, in ms; *@drain_s is how long the drain took. */
static double
run_once (const char *cert, const char *key, gboolean async, gboolean drain, double seconds,
          double *drain_s)
{
  SyncFixture f;
  g_autoptr (GHashTable) expected = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) answers = json_object_new ();
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Run run = { 0 };
  Drain d = { 0 };
  GThread *thread = NULL;
  guint tick, type;

  sync_fixture_setup (&f, FALSE, cert, key);
  sync_fixture_enroll (&f, NULL, cert);
  if (drain)
    expected = sync_fixture_queue (&f, INTERVIEWS);
  json_object_set_string_member (answers, "name", "typist");
  run.interview_id = intake_session_create_interview (f.admin, "sync-test", 1, answers, &error);
  g_assert_no_error (error);
  run.loop = loop;
  run.session = f.admin;
  run.async = async;

  fsync_delay_set (FSYNC_DELAY_MS);
  tick = g_timeout_add (TICK_MS, tick_cb, &run);
  /* The first answer as the drain starts, then one a second. */
  type_cb (&run);
  type = g_timeout_add (TYPE_EVERY_MS, type_cb, &run);
  if (drain)
    {
      d.tablet_dir = f.tablet_dir;
      d.run = &run;
      thread = g_thread_new ("drain", drain_thread, &d);
    }
  else
    g_timeout_add ((guint) (seconds * 1000), end_cb, &run);
  g_main_loop_run (loop);
  g_source_remove (tick);
  g_source_remove (type);
  fsync_delay_set (0);
  if (thread != NULL)
    {
      g_thread_join (thread);
      if (d.error != NULL)
        g_error ("the drain failed: %s", d.error->message);
      if (d.report.outcome != INTAKE_SYNC_DONE)
        g_error ("the drain did not finish: %s", d.report.message);
      g_assert_cmpint (d.report.sent, ==, INTERVIEWS);
      sync_fixture_assert_delivered (&f, expected);
      intake_sync_report_clear (&d.report);
      *drain_s = d.seconds;
    }
  g_assert_cmpuint (run.failed, ==, 0);
  g_assert_cmpuint (run.saved, ==, run.typed);
  g_free (run.interview_id);
  sync_fixture_teardown (&f);
  return run.worst_us / 1000.0;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  double drain_async = 0, drain_sync = 0, unused = 0, seconds = 0;
  double async_drain = 0, async_alone = 0, sync_drain = 0, sync_alone = 0;

  fsync_delay_set = (void (*) (int)) dlsym (RTLD_DEFAULT, "intake_fsync_delay_set");
  if (fsync_delay_set == NULL)
    g_error ("run with LD_PRELOAD=libintake-fsync-delay.so (meson test --benchmark does)");
  if (!intake_crypto_init (&error))
    return 1;
  curl_global_init (CURL_GLOBAL_DEFAULT);
  dir = g_dir_make_tmp ("intake-bench-stall-XXXXXX", &error);
  g_assert_no_error (error);
  if (!sync_fixture_make_cert (dir, "server", &cert, &key))
    g_error ("could not make a certificate with openssl");

  /* Turn about, so that a slow spell of a shared machine falls on both ways of saving. */
  for (guint r = 0; r < RUNS; r++)
    {
      async_drain = MAX (async_drain, run_once (cert, key, TRUE, TRUE, 0, &seconds));
      drain_async = MAX (drain_async, seconds);
      async_alone = MAX (async_alone, run_once (cert, key, TRUE, FALSE, seconds, &unused));
      sync_drain = MAX (sync_drain, run_once (cert, key, FALSE, TRUE, 0, &seconds));
      drain_sync = MAX (drain_sync, seconds);
      sync_alone = MAX (sync_alone, run_once (cert, key, FALSE, FALSE, seconds, &unused));
    }

  g_print ("bench: ui-stall-before max_ms=%.1f (answers saved on the main thread, as the window "
           "did before: longest tick lateness, worst of %d runs, during drains of up to %.1f s; "
           "without the drain "
           "%.1f ms, ratio %.1f; target max_ms<=50)\n",
           sync_drain, RUNS, drain_sync, sync_alone, sync_drain / MAX (sync_alone, 1.0));
  g_print ("bench: ui-stall ratio=%.1f (answers on the session's queue, as the window saves "
           "them now: longest tick lateness, worst of %d runs, max_ms=%.1f during a drain of %d "
           "interviews (up to %.1f s) with %d ms added to each fsync, typing one answer a second; "
           "without the drain %.1f ms; target max_ms<=50)\n",
           async_drain / MAX (async_alone, 1.0), RUNS, async_drain, INTERVIEWS, drain_async,
           FSYNC_DELAY_MS, async_alone);
  g_unlink (cert);
  g_unlink (key);
  g_rmdir (dir);
  return 0;
}
