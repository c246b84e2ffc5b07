/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The UI benchmarks' baseline window: the least a GTK 4 program does to show a window with a
 * line of text. Prints "intake-trace: first-frame MONOTONIC_US" when its first frame is painted,
 * as `intake` does under INTAKE_TRACE, then quits ("exit") or stays until SIGTERM ("stay"). */
#include <glib-unix.h>
#include <gtk/gtk.h>

static gboolean exit_after_first_frame;
static gboolean painted;

static void
after_paint_cb (GdkFrameClock *clock, GtkApplication *app)
{
  if (painted)
    return;
  painted = TRUE;
  g_print ("intake-trace: first-frame %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  if (exit_after_first_frame)
    g_application_quit (G_APPLICATION (app));
}

static void
realize_cb (GtkWidget *window, GtkApplication *app)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (after_paint_cb), app);
}

static gboolean
term_cb (gpointer app)
{
  g_application_quit (G_APPLICATION (app));
  return G_SOURCE_REMOVE;
}

static void
activate_cb (GtkApplication *app)
{
  GtkWidget *window = gtk_application_window_new (app);

  gtk_window_set_title (GTK_WINDOW (window), "Bare");
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_set_child (GTK_WINDOW (window), gtk_label_new ("A bare GTK window"));
  g_signal_connect_after (window, "realize", G_CALLBACK (realize_cb), app);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autoptr (GtkApplication) app = NULL;

  exit_after_first_frame = argc > 1 && g_str_equal (argv[1], "exit");
  app = gtk_application_new ("org.fieldintake.BareWindow", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);
  g_unix_signal_add (SIGTERM, term_cb, app);
  return g_application_run (G_APPLICATION (app), 1, argv);
}
