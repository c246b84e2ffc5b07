/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Draining 1,000 queued interviews to the real server over loopback HTTPS: the sync engine
 * (batches on one kept-alive connection, gzip) against one request per interview on a new
 * connection, each measured in the same run, taking turns, three times each; the medians are
 * compared. Prints "bench: sync-drain ratio=R (…)". */
#include "intake-config.h"

#include <curl/curl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sync-fixture.h"

#define INTERVIEWS 1000
#define RUNS 3

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *values, guint n)
{
  qsort (values, n, sizeof *values, compare_doubles);
  return values[n / 2];
}

/* CPU seconds (user and system) used so far by this process, every thread. */
static double
self_cpu (void)
{
  struct rusage u;

  getrusage (RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/* The same for another process, from /proc (0 where that cannot be read). */
static double
process_cpu (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto (GStrv) fields = NULL;
  const char *after;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (after = strrchr (text, ')')) == NULL)
    return 0;
  /* After "pid (comm)": state is field 3; utime and stime are fields 14 and 15. */
  fields = g_strsplit (after + 2, " ", 14);
  if (g_strv_length (fields) < 14)
    return 0;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL))
         / sysconf (_SC_CLK_TCK);
}

/* Drains INTERVIEWS queued interviews; with latency_ms > 0, through the fault proxy adding that
 * much delay in each direction (TLS passes through it untouched). */
static double
drain (const char *cert,
       const char *key,
       const IntakeSyncOptions *options,
       int latency_ms,
       int *sent,
       double *cpu)
{
  SyncFixture f;
  g_autoptr (GHashTable) expected = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (IntakeSyncReport) report = { 0 };
  Proxy *proxy = NULL;
  gint64 start;
  double seconds, cpu0, server_cpu0, tablet_cpu, server_cpu;

  sync_fixture_setup (&f, FALSE, cert, key);
  if (latency_ms > 0)
    {
      g_autofree char *url = NULL;
      g_autofree char *command = g_strdup_printf ("latency %d", latency_ms);
      proxy = proxy_start (f.serve->port);
      url = g_strdup_printf ("https://%s", proxy->address);
      sync_fixture_enroll (&f, url, cert);
      proxy_cmd (proxy, command);
    }
  else
    sync_fixture_enroll (&f, NULL, cert);
  expected = sync_fixture_queue (&f, INTERVIEWS);
  if (g_getenv ("INTAKE_BENCH_PAUSE"))
    {
      /* Room to attach a profiler to the drain alone. */
      g_printerr ("draining\n");
      g_usleep (G_USEC_PER_SEC);
    }
  cpu0 = self_cpu ();
  server_cpu0 = process_cpu (f.serve->pid);
  start = g_get_monotonic_time ();
  if (!intake_sync_pass (f.store, options, NULL, &report, &error))
    g_error ("%s", error->message);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  /* What the drain cost in CPU, tablet and server together: on a shared machine this moves far
   * less than the wall-clock time. */
  tablet_cpu = self_cpu () - cpu0;
  server_cpu = process_cpu (f.serve->pid) - server_cpu0;
  *cpu = tablet_cpu + server_cpu;
  if (g_getenv ("INTAKE_BENCH_PAUSE"))
    {
      g_printerr ("drained tablet_cpu_s=%.3f server_cpu_s=%.3f\n", tablet_cpu, server_cpu);
      g_usleep (G_USEC_PER_SEC / 2);
    }
  *sent = report.sent;
  if (report.outcome != INTAKE_SYNC_DONE)
    g_error ("drain did not finish: %s", report.message);
  sync_fixture_assert_delivered (&f, expected);
  if (proxy)
    proxy_stop (proxy);
  sync_fixture_teardown (&f);
  return seconds;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  IntakeSyncOptions ours, naive, naive1, naive2;
  double t_ours, t_naive, t_naive1, t_naive2, t_rtt, c_ours, c_naive, c_naive1, c_naive2, c_rtt;
  double runs_ours[RUNS], runs_naive[RUNS], cpu_ours[RUNS], cpu_naive[RUNS];
  int sent_ours = 0, sent_naive = 0, sent_naive1 = 0, sent_naive2 = 0, sent_rtt = 0;

  if (!intake_crypto_init (&error))
    return 1;
  curl_global_init (CURL_GLOBAL_DEFAULT);
  dir = g_dir_make_tmp ("intake-bench-sync-XXXXXX", &error);
  g_assert_no_error (error);
  if (!sync_fixture_make_cert (dir, "server", &cert, &key))
    g_error ("could not make a certificate with openssl");

  intake_sync_options_init (&ours);
  intake_sync_options_init (&naive);
  naive.batch_count = 1;
  naive.gzip = FALSE;
  naive.reuse_connection = FALSE;
  /* The baseline: one request per interview, each on a new connection, one after another, as
   * a plain loop sends them: an envelope read, sent, its receipt checked and stored before the
   * next is read. The same requests through the engine's pipeline, two at a time, are measured
   * too and printed beside it: that part of the gain is the pipeline's, not the batches'. */
  naive.serial = TRUE;
  naive2 = naive;
  naive2.serial = FALSE;
  naive2.lanes = ours.lanes;
  naive1 = naive2;
  naive1.lanes = 1;

  if (argc > 1 && g_str_equal (argv[1], "--engine-only"))
    {
      /* For profiling the engine's drain alone. */
      t_ours = drain (cert, key, &ours, 0, &sent_ours, &c_ours);
      g_print ("engine_s=%.3f engine_cpu_s=%.3f\n", t_ours, c_ours);
      return 0;
    }
  /* Turn about, so that a slow spell of a shared machine falls on both. */
  for (guint r = 0; r < RUNS; r++)
    {
      runs_ours[r] = drain (cert, key, &ours, 0, &sent_ours, &cpu_ours[r]);
      g_assert_cmpint (sent_ours, ==, INTERVIEWS);
      runs_naive[r] = drain (cert, key, &naive, 0, &sent_naive, &cpu_naive[r]);
      g_assert_cmpint (sent_naive, ==, INTERVIEWS);
    }
  t_ours = median (runs_ours, RUNS);
  c_ours = median (cpu_ours, RUNS);
  t_naive = median (runs_naive, RUNS);
  c_naive = median (cpu_naive, RUNS);
  t_naive1 = drain (cert, key, &naive1, 0, &sent_naive1, &c_naive1);
  t_naive2 = drain (cert, key, &naive2, 0, &sent_naive2, &c_naive2);
  t_rtt = drain (cert, key, &ours, 100, &sent_rtt, &c_rtt);
  g_assert_cmpint (sent_rtt, ==, INTERVIEWS);
  g_assert_cmpint (sent_naive1, ==, INTERVIEWS);
  g_assert_cmpint (sent_naive2, ==, INTERVIEWS);
  g_print ("bench: sync-drain-rtt200 ratio=%.1f (%d interviews with 200 ms added round trip: "
           "seconds=%.2f target<=3; against engine_s=%.3f without the delay)\n",
           t_rtt / t_ours, INTERVIEWS, t_rtt, t_ours);
  g_print ("bench: sync-drain ratio=%.1f (%d interviews over loopback HTTPS, medians of %d runs "
           "each: engine_s=%.3f, "
           "one request per interview on a new connection in a plain loop_s=%.3f; "
           "target >= 20; the same requests pipelined, one connection_s=%.3f, ratio %.1f, "
           "two at a time_s=%.3f, ratio %.1f; CPU of tablet and server: "
           "engine_cpu_s=%.3f, one per connection_cpu_s=%.3f, ratio %.1f)\n",
           t_naive / t_ours, INTERVIEWS, RUNS, t_ours, t_naive, t_naive1, t_naive1 / t_ours,
           t_naive2, t_naive2 / t_ours, c_ours, c_naive, c_naive / c_ours);
  g_unlink (cert);
  g_unlink (key);
  g_rmdir (dir);
  return 0;
}
