/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A geopoint from the tablet's location service: the real GeoClue 2 daemon (Debian's
 * geoclue-2.0), on a private system bus this test starts, reading a fixed position from an NMEA
 * socket this test serves. GeoClue reads its configuration from one fixed path only, so it runs
 * in a mount namespace of its own where the test's configuration is bound over that path, and
 * in a network namespace of its own, so that none of its other sources can reach any address.
 *
 * The cases run in order, over one daemon: no service at all, the service waiting for an agent
 * (what a kiosk without one gets), the window's agent registered, a fix, and the question view
 * that shows it with its accuracy and keeps the manual entry.
 */
#include "intake-config.h"

#include <adwaita.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "intake-form-session.h"
#include "intake-form.h"
#include "intake-location.h"
#include "intake-question-view.h"

/* The fixed position: Tanjung Priok, Jakarta's port, 12 m up, as a GPS receiver sends it. */
#define FIX_LATITUDE -6.105760
#define FIX_LONGITUDE 106.881275
#define NMEA_GGA "GPGGA,083000.00,0606.3456,S,10652.8765,E,1,08,8.0,12.0,M,0.0,M,,"

static struct
{
  char *dir;
  GSubprocess *bus;
  GSubprocess *geoclue;
  GSocketListener *nmea;
  GThread *nmea_thread;
  GCancellable *nmea_stop;
} harness;

/* "$GPGGA,…*hh\r\n": the checksum is the XOR of the characters between '$' and '*'. */
static char *
nmea_sentence (const char *body)
{
  guint8 sum = 0;

  for (const char *p = body; *p != '\0'; p++)
    sum ^= (guint8) *p;
  return g_strdup_printf ("$%s*%02X\r\n", body, sum);
}

/* A GPS receiver on a socket: to each reader, the same fix every 200 ms until the end. */
static gpointer
nmea_thread (gpointer data)
{
  g_autofree char *sentence = nmea_sentence (NMEA_GGA);

  for (;;)
    {
      g_autoptr (GSocketConnection) connection
          = g_socket_listener_accept (harness.nmea, NULL, harness.nmea_stop, NULL);
      GOutputStream *out;

      if (connection == NULL)
        return NULL;
      out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
      while (g_output_stream_write_all (out, sentence, strlen (sentence), NULL, harness.nmea_stop,
                                        NULL))
        g_usleep (200 * 1000);
      if (g_cancellable_is_cancelled (harness.nmea_stop))
        return NULL;
    }
}

/* The daemons end with this test, even when an assertion stops it before stop_all(). */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocess *
spawn (GSubprocessFlags flags, GError **error, const char *const *argv)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  /* The test's own fatal warnings are not theirs (GeoClue warns that no Avahi runs). */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  return g_subprocess_launcher_spawnv (launcher, argv, error);
}

static void
write_file (const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (harness.dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
}

static void
start_bus (void)
{
  g_autofree char *socket = g_build_filename (harness.dir, "system_bus", NULL);
  g_autofree char *config = g_strdup_printf (
      "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
      " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
      "<busconfig><type>system</type><listen>unix:path=%s</listen><auth>EXTERNAL</auth>\n"
      "<policy context='default'><allow user='*'/><allow own='*'/>\n"
      "<allow send_destination='*'/><allow receive_sender='*'/></policy></busconfig>\n",
      socket);
  g_autofree char *config_path = g_build_filename (harness.dir, "bus.conf", NULL);
  g_autofree char *arg = NULL;
  g_autofree char *address = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDataInputStream) out = NULL;

  write_file ("bus.conf", config);
  arg = g_strdup_printf ("--config-file=%s", config_path);
  harness.bus = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                       (const char *const[]){ "dbus-daemon", arg, "--nofork", "--print-address=1",
                                              NULL });
  g_assert_no_error (error);
  /* The daemon prints its address once it listens. */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (harness.bus));
  address = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (address);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", address, TRUE);
}

static void
start_nmea (void)
{
  g_autofree char *path = g_build_filename (harness.dir, "nmea.sock", NULL);
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr (GError) error = NULL;

  harness.nmea = g_socket_listener_new ();
  harness.nmea_stop = g_cancellable_new ();
  g_assert_true (g_socket_listener_add_address (harness.nmea, address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, &error));
  g_assert_no_error (error);
  harness.nmea_thread = g_thread_new ("nmea", nmea_thread, NULL);
}

static void
name_appeared_cb (GDBusConnection *connection, const char *name, const char *owner,
                  gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* GeoClue with this test's configuration: its NMEA socket as the only source, and this
 * program's desktop id as the one agent it accepts, as the kiosk package configures it. */
static void
start_geoclue (void)
{
  g_autofree char *etc = g_build_filename (harness.dir, "etc", NULL);
  g_autofree char *socket = g_build_filename (harness.dir, "nmea.sock", NULL);
  g_autofree char *config = g_strdup_printf ("[agent]\nwhitelist=%s\n"
                                             "[network-nmea]\nenable=true\nnmea-socket=%s\n"
                                             "[3g]\nenable=false\n[cdma]\nenable=false\n"
                                             "[modem-gps]\nenable=false\n[wifi]\nenable=false\n"
                                             "[compass]\nenable=false\n",
                                             INTAKE_LOCATION_DESKTOP_ID, socket);
  g_autofree char *config_path = g_build_filename (etc, "geoclue.conf", NULL);
  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (GError) error = NULL;
  gboolean appeared = FALSE;
  guint watch;

  if (harness.nmea == NULL)
    start_nmea ();
  g_assert_cmpint (g_mkdir_with_parents (etc, 0700), ==, 0);
  g_assert_true (g_file_set_contents (config_path, config, -1, &error));
  g_assert_no_error (error);
  harness.geoclue = spawn (
      G_SUBPROCESS_FLAGS_NONE, &error,
      (const char *const[]){ "unshare", "--mount", "--net", "--propagation", "private", "--", "sh",
                             "-c",
                             "mount --bind \"$1\" /etc/geoclue && exec /usr/libexec/geoclue -t 0",
                             "geoclue", etc, NULL });
  g_assert_no_error (error);
  bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  g_assert_no_error (error);
  watch = g_bus_watch_name_on_connection (bus, "org.freedesktop.GeoClue2",
                                          G_BUS_NAME_WATCHER_FLAGS_NONE, name_appeared_cb, NULL,
                                          &appeared, NULL);
  while (!appeared)
    {
      /* A daemon that could not start (no namespaces, no geoclue) fails here, not by hanging. */
      if (g_subprocess_get_identifier (harness.geoclue) == NULL)
        g_error ("geoclue (under unshare) exited with status %d before it took its bus name",
                 g_subprocess_get_status (harness.geoclue));
      g_main_context_iteration (NULL, TRUE);
    }
  g_bus_unwatch_name (watch);
}

static void
stop_geoclue (void)
{
  if (harness.geoclue == NULL)
    return;
  g_subprocess_send_signal (harness.geoclue, SIGTERM);
  g_subprocess_wait (harness.geoclue, NULL, NULL);
  g_clear_object (&harness.geoclue);
}

static void
stop_all (void)
{
  stop_geoclue ();
  if (harness.nmea_thread != NULL)
    {
      g_cancellable_cancel (harness.nmea_stop);
      g_socket_listener_close (harness.nmea);
      g_thread_join (harness.nmea_thread);
    }
  if (harness.bus != NULL)
    {
      g_subprocess_send_signal (harness.bus, SIGTERM);
      g_subprocess_wait (harness.bus, NULL, NULL);
    }
  g_clear_object (&harness.bus);
  g_clear_object (&harness.nmea);
  g_clear_object (&harness.nmea_stop);
  if (harness.dir != NULL)
    {
      const char *argv[] = { "rm", "-rf", harness.dir, NULL };
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                    NULL);
      g_clear_pointer (&harness.dir, g_free);
    }
}

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
store_result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ((Wait *) user_data)->result = g_object_ref (result);
}

static GAsyncResult *
wait_for (Wait *w)
{
  while (w->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return w->result;
}

static gboolean
find (guint timeout, IntakeLocationFix *fix, GError **error)
{
  Wait w = { NULL };
  gboolean ok;

  intake_location_find_async (timeout, NULL, store_result_cb, &w);
  ok = intake_location_find_finish (wait_for (&w), fix, error);
  g_object_unref (w.result);
  return ok;
}

static void
test_no_service (void)
{
  IntakeLocationFix fix;
  g_autoptr (GError) error = NULL;

  /* The private bus has no GeoClue yet, and starts nothing on demand. */
  g_assert_false (find (30, &fix, &error));
  g_assert_error (error, INTAKE_LOCATION_ERROR, INTAKE_LOCATION_ERROR_NO_SERVICE);
  g_assert_nonnull (strstr (error->message, "GeoClue"));
}

static void
test_no_agent (void)
{
  IntakeLocationFix fix;
  g_autoptr (GError) error = NULL;

  /* GeoClue 2.6 answers nobody until an agent for the user is there: it waits, and the request
   * ends as "no position" (a short wait here; the window waits 30 s). */
  start_geoclue ();
  g_assert_false (find (2, &fix, &error));
  g_assert_error (error, INTAKE_LOCATION_ERROR, INTAKE_LOCATION_ERROR_NO_FIX);
}

static void
test_agent (void)
{
  Wait w = { NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusConnection) other = NULL;
  g_autoptr (GDBusConnection) self = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  g_autoptr (GVariant) reply = NULL;
  gboolean authorized;
  guint32 level;

  intake_location_agent_register_async (NULL, store_result_cb, &w);
  g_assert_true (intake_location_agent_register_finish (wait_for (&w), &error));
  g_assert_no_error (error);
  g_object_unref (w.result);

  /* Asked from another connection, as GeoClue asks: this program only, never another. */
  other = g_dbus_connection_new_for_address_sync (
      g_getenv ("DBUS_SYSTEM_BUS_ADDRESS"),
      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
      NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      const char *asking = i == 0 ? INTAKE_LOCATION_DESKTOP_ID : "firefox";

      w.result = NULL;
      g_dbus_connection_call (other, g_dbus_connection_get_unique_name (self),
                              "/org/freedesktop/GeoClue2/Agent", "org.freedesktop.GeoClue2.Agent",
                              "AuthorizeApp", g_variant_new ("(su)", asking, 8),
                              G_VARIANT_TYPE ("(bu)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                              store_result_cb, &w);
      reply = g_dbus_connection_call_finish (other, wait_for (&w), &error);
      g_object_unref (w.result);
      g_assert_no_error (error);
      g_variant_get (reply, "(bu)", &authorized, &level);
      g_assert_cmpint (authorized, ==, i == 0);
      g_assert_cmpuint (level, ==, i == 0 ? 8 : 0);
      g_clear_pointer (&reply, g_variant_unref);
    }
}

static void
test_fix (void)
{
  IntakeLocationFix fix;
  g_autoptr (GError) error = NULL;

  g_assert_true (find (60, &fix, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (fix.latitude, FIX_LATITUDE, 1e-6);
  g_assert_cmpfloat_with_epsilon (fix.longitude, FIX_LONGITUDE, 1e-6);
  g_assert_cmpfloat_with_epsilon (fix.altitude, 12.0, 1e-6);
  /* GeoClue turns the receiver's horizontal dilution of precision into metres by its own table:
   * an HDOP from 5 to 10 is 50 m. */
  g_assert_cmpfloat_with_epsilon (fix.accuracy, 50.0, 1e-9);
}

static void
test_restart (void)
{
  IntakeLocationFix fix;
  g_autoptr (GError) error = NULL;

  /* GeoClue leaves after a minute without clients and forgets its agents; started again (as the
   * next client's request starts it on a tablet), it has the window as its agent again. */
  stop_geoclue ();
  start_geoclue ();
  g_assert_true (find (60, &fix, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (fix.latitude, FIX_LATITUDE, 1e-6);
}

/* The first descendant of @widget of @type for which @match (if any) holds. */
static GtkWidget *
find_widget (GtkWidget *widget, GType type, const char *text)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    {
      const char *shown = GTK_IS_BUTTON (widget)  ? gtk_button_get_label (GTK_BUTTON (widget))
                          : GTK_IS_LABEL (widget) ? gtk_label_get_text (GTK_LABEL (widget))
                                                  : NULL;
      if (text == NULL || (shown != NULL && g_str_has_prefix (shown, text)))
        return widget;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, type, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The entries of @widget, in order. */
static void
collect_entries (GtkWidget *widget, GPtrArray *found)
{
  if (GTK_IS_ENTRY (widget))
    g_ptr_array_add (found, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    collect_entries (c, found);
}

static GtkWidget *
entry_n (GtkWidget *view, guint n)
{
  g_autoptr (GPtrArray) found = g_ptr_array_new ();

  collect_entries (view, found);
  g_assert_cmpuint (found->len, >, n);
  return g_ptr_array_index (found, n);
}

typedef struct
{
  IntakeForm *form;
  IntakeFormSession *fs;
  GtkWidget *view;
} Page;

/* The geopoint question of the widget tests' form, as a page in @language. */
static void
page_open (Page *p, const char *language)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "question-view-form.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) answers = json_object_new ();

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  p->form = intake_form_new_from_data (text, -1, INTAKE_FORM_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  p->fs = intake_form_session_new (p->form, answers, language);
  p->view = g_object_ref_sink (intake_question_view_new (
      p->form, p->fs, intake_form_lookup_question (p->form, "met_at"), NULL, language, NULL,
      NULL));
}

static void
page_close (Page *p)
{
  g_clear_object (&p->view);
  g_clear_object (&p->fs);
  g_clear_object (&p->form);
}

/* The page in a window of a tablet's width, saved as a PNG in $INTAKE_SCREENSHOTS (if set) so
 * that the README shows what the person sees. */
static void
save_screenshot (GtkWidget *view, const char *name)
{
  const char *dir = g_getenv ("INTAKE_SCREENSHOTS");
  GtkWidget *window;
  g_autoptr (GdkPaintable) paintable = NULL;
  g_autoptr (GtkSnapshot) snapshot = NULL;
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int width, height;

  if (dir == NULL)
    return;
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 520);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  while (gtk_widget_get_width (view) == 0 || !gtk_widget_get_mapped (view))
    g_main_context_iteration (NULL, TRUE);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  gtk_window_set_child (GTK_WINDOW (window), NULL);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_view (void)
{
  Page page;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) answer = NULL;
  g_auto (GStrv) parts = NULL;
  GtkWidget *view, *button, *status, *lat, *lon;

  page_open (&page, "id");
  view = page.view;
  button = find_widget (view, GTK_TYPE_BUTTON, "Use this tablet");
  g_assert_nonnull (button);
  g_assert_true (intake_question_view_get_focus_widget (INTAKE_QUESTION_VIEW (view)) == button);
  status = find_widget (view, GTK_TYPE_LABEL, "Or type the position");
  g_assert_nonnull (status);
  lat = find_widget (view, GTK_TYPE_ENTRY, NULL);
  g_assert_nonnull (lat);

  g_signal_emit_by_name (button, "clicked");
  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (status)), ==,
                   "Looking for this tablet's position…");
  while (!gtk_widget_get_sensitive (button))
    g_main_context_iteration (NULL, TRUE);
  /* Shown with its accuracy, in Indonesian decimals; saved as ODK's four numbers. */
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (status)), ==,
                   "Position found, accurate to about 50 m.");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (lat)), ==, "-6,10576");
  g_assert_true (intake_question_view_dup_typed_answer (INTAKE_QUESTION_VIEW (view), &answer,
                                                        &error));
  g_assert_no_error (error);
  parts = g_strsplit (json_node_get_string (answer), " ", 0);
  g_assert_cmpuint (g_strv_length (parts), ==, 4);
  g_assert_cmpstr (parts[0], ==, "-6.10576");
  g_assert_cmpstr (parts[1], ==, "106.881275");
  g_assert_cmpstr (parts[2], ==, "12.0");
  g_assert_cmpstr (parts[3], ==, "50.0");
  save_screenshot (view, "geopoint-location.png");
  g_assert_true (intake_form_session_set_answer (page.fs, "met_at", answer, &error));
  g_assert_no_error (error);
  g_clear_pointer (&answer, json_node_unref);

  /* Typed over by hand, it is a position without the service's altitude and accuracy. */
  lon = entry_n (view, 1);
  gtk_editable_set_text (GTK_EDITABLE (lon), "106,9");
  g_assert_true (intake_question_view_dup_typed_answer (INTAKE_QUESTION_VIEW (view), &answer,
                                                        &error));
  g_assert_cmpstr (json_node_get_string (answer), ==, "-6.10576 106.9");
  page_close (&page);
}

static void
test_view_no_service (void)
{
  Page page;
  GtkWidget *view, *button, *status;

  page_open (&page, "en");
  view = page.view;
  button = find_widget (view, GTK_TYPE_BUTTON, "Use this tablet");
  status = find_widget (view, GTK_TYPE_LABEL, "Or type the position");
  g_signal_emit_by_name (button, "clicked");
  while (!gtk_widget_get_sensitive (button))
    g_main_context_iteration (NULL, TRUE);
  /* Why, in words, and the way on: the entries stay. */
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (status)), "GeoClue"));
  g_assert_true (g_str_has_suffix (gtk_label_get_text (GTK_LABEL (status)),
                                   "Type the position below, or try again."));
  g_assert_nonnull (find_widget (view, GTK_TYPE_ENTRY, NULL));
  /* A page closed while it looks: nothing is left waiting on it. */
  g_signal_emit_by_name (button, "clicked");
  page_close (&page);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  /* The private system bus first: its address goes into the environment before any thread. */
  harness.dir = g_dir_make_tmp ("intake-location-XXXXXX", &error);
  g_assert_no_error (error);
  start_bus ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/intake/ui/location/no-service", test_no_service);
  g_test_add_func ("/intake/ui/location/view-no-service", test_view_no_service);
  g_test_add_func ("/intake/ui/location/no-agent", test_no_agent);
  g_test_add_func ("/intake/ui/location/agent", test_agent);
  g_test_add_func ("/intake/ui/location/fix", test_fix);
  g_test_add_func ("/intake/ui/location/view", test_view);
  g_test_add_func ("/intake/ui/location/geoclue-restarts", test_restart);
  status = g_test_run ();
  stop_all ();
  return status;
}
