/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The interview page on its own, in a window of 360 px over a real store (tests/core's
 * fixture): what its header does while answers are saved.
 */
#include "intake-interview-page-private.h"
#include "store-fixture.h"

#include <glib/gi18n.h>

/* The page of a new draft of the fixture's form, shown in a 360 px window with the app's CSS. */
typedef struct
{
  Fixture store;
  IntakeSession *worker;
  IntakeInterviewPlaces *places;
  GtkWindow *window;
  IntakeInterviewPage *page;
} PageFixture;

static void
page_set_up (PageFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();

  fixture_setup (&f->store, data);
  f->worker = unlock_as (f->store.store, "w1");
  id = new_interview (f->worker, "Siti");
  f->places = intake_interview_places_new ();
  f->page = intake_interview_page_new (f->worker, f->places, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->page);
  gtk_css_provider_load_from_resource (css, "/org/fieldintake/Intake/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 360, 720);
  /* The app's window: its text size (window.intake in style.css). */
  gtk_widget_add_css_class (GTK_WIDGET (f->window), "intake");
  gtk_window_set_child (f->window, GTK_WIDGET (f->page));
  gtk_window_present (f->window);
}

static void
page_tear_down (PageFixture *f, gconstpointer data)
{
  gtk_window_destroy (f->window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->places);
  g_clear_object (&f->worker);
  fixture_teardown (&f->store, data);
}

/* Runs the main loop until @widget is laid out at its current size request and text. */
static void
wait_laid_out (GtkWidget *widget)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  int minimum = 0;

  do
    {
      g_main_context_iteration (NULL, FALSE);
      gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
    }
  while ((!gtk_widget_get_mapped (widget) || gtk_widget_get_width (widget) < minimum
          || gtk_widget_get_width (widget) == 0)
         && g_get_monotonic_time () < end);
  g_assert_true (gtk_widget_get_mapped (widget));
}

static int
minimum_width (GtkWidget *widget)
{
  int minimum = 0;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  return minimum;
}

/* "Saving…" comes and goes with every answer. The header keeps one width for it and "Saved",
 * so it never jumps, and the word just set is never narrower than it needs before the next
 * layout: at 360 px the window's own check caught "Saving…" two pixels narrower than its word
 * when a count of characters had set the width (its estimate is short for the bold font). */
static void
test_saved_width (PageFixture *f, gconstpointer data)
{
  GtkWidget *label = GTK_WIDGET (f->page->saved_label);
  int saved_minimum, saving_minimum, width;

  _intake_interview_page_set_saved (f->page, _("Saved"));
  wait_laid_out (label);
  saved_minimum = minimum_width (label);
  width = gtk_widget_get_width (label);

  /* A save starts: the text changes before any layout. */
  _intake_interview_page_set_saved (f->page, _("Saving…"));
  saving_minimum = minimum_width (label);
  g_test_message ("minimum width with Saved %d, with Saving… %d; laid out at %d",
                  saved_minimum, saving_minimum, width);
  g_assert_cmpint (saving_minimum, ==, saved_minimum);
  g_assert_cmpint (width, >=, saving_minimum);

  /* And back. */
  _intake_interview_page_set_saved (f->page, _("Saved"));
  g_assert_cmpint (minimum_width (label), ==, saving_minimum);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  if (!intake_crypto_init (&error))
    g_error ("%s", error->message);
  g_test_add ("/intake/ui/interview-page/saved-width", PageFixture, NULL, page_set_up,
              test_saved_width, page_tear_down);
  return g_test_run ();
}
