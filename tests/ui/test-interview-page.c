/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The interview page on its own, in a window of 360 px over a real store (tests/core's
 * fixture): what its header does while answers are saved.
 */
#include "intake-interview-page-private.h"
#include "intake-review-page.h"
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

/* @widget in a window of its own, on screen, with what it started done. */
static GtkWindow *
show_in_window (GtkWidget *widget)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_child (window, widget);
  gtk_window_present (window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return window;
}

static void
close_window (GtkWindow *window)
{
  gtk_window_destroy (window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* A form whose words read answers: ${x} at the top level and inside a repeat's entries. */
#define NAMED_FORM                                                                               \
  "{\"id\": \"named\", \"version\": 1, \"title\": {\"en\": \"Named\"},"                     \
  " \"default_language\": \"en\", \"languages\": [\"en\"], \"questions\": ["                  \
  "{\"type\": \"text\", \"name\": \"first\", \"label\": {\"en\": \"First name\"}},"          \
  "{\"type\": \"integer\", \"name\": \"age\", \"label\": {\"en\": \"How old is ${first}?\"}},"\
  "{\"type\": \"repeat\", \"name\": \"kids\", \"label\": {\"en\": \"Children of ${first}\"},"\
  " \"children\": ["                                                                            \
  "  {\"type\": \"text\", \"name\": \"kid\", \"label\": {\"en\": \"Child's name\"}},"        \
  "  {\"type\": \"integer\", \"name\": \"kid_age\","                                          \
  "   \"label\": {\"en\": \"Age of ${kid}, child of ${first}\"}},"                              \
  "  {\"type\": \"calculate\", \"name\": \"kid_tag\", \"label\": {\"en\": \"Tag of ${kid}\"},"  \
  "   \"calculation\": \"concat(${kid}, '-', ${kid_age})\"}]},"                                \
  "{\"type\": \"calculate\", \"name\": \"greeting\", \"label\": {\"en\": \"Greeting for ${first}\"},"\
  " \"calculation\": \"concat('Hi ', ${first})\"},"                                              \
  "{\"type\": \"note\", \"name\": \"thanks\", \"label\": {\"en\": \"Thank you, ${first}\"}}]}"

static void
collect_rows (GtkWidget *widget, GString *out)
{
  if (ADW_IS_ACTION_ROW (widget))
    g_string_append_printf (out, "%s = %s\n",
                            adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)),
                            adw_action_row_get_subtitle (ADW_ACTION_ROW (widget)));
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    collect_rows (c, out);
}

/* The summary's list of answers words each question as its page does: ${x} filled in, at the
 * top level and inside each entry (it showed "${first}" before). */
static void
test_summary_labels (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) worker = NULL;
  g_autoptr (IntakeInterviewPlaces) places = intake_interview_places_new ();
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GString) rows = g_string_new (NULL);
  g_autofree char *id = NULL;
  IntakeInterviewPage *page;
  GtkWindow *window;

  ASSERT_OK (intake_session_import_form (f->admin, NAMED_FORM, NULL, NULL, &error));
  worker = unlock_as (f->store, "w1");
  g_assert_true (json_parser_load_from_data (
    parser, "{\"first\": \"Siti\", \"age\": 34, \"kids\": [{\"kid\": \"Budi\", \"kid_age\": 7},"
            " {\"kid\": \"Ani\", \"kid_age\": 4}]}", -1, &error));
  id = intake_session_create_interview (worker, "named", 1,
                                        json_node_get_object (json_parser_get_root (parser)),
                                        &error);
  g_assert_no_error (error);
  page = intake_interview_page_new_at (worker, places, id, NULL, &error);
  g_assert_no_error (error);
  window = show_in_window (GTK_WIDGET (page));
  collect_rows (GTK_WIDGET (page), rows);
  g_test_message ("%s", rows->str);
  g_assert_nonnull (strstr (rows->str, "How old is Siti? = 34\n"));
  g_assert_nonnull (strstr (rows->str, "Children of Siti = 1. Child's name: Budi; "
                                       "Age of Budi, child of Siti: 7\n"
                                       "2. Child's name: Ani; Age of Ani, child of Siti: 4\n"));
  g_assert_null (strstr (rows->str, "${"));
  close_window (window);

  /* The supervisor's review of it, completed, words them the same way. */
  ASSERT_OK (intake_session_complete_interview (worker, id, &error));
  {
    g_autoptr (IntakeSession) supervisor = unlock_as (f->store, "sup");
    IntakeReviewPage *review = intake_review_page_new (supervisor, &error);

    g_assert_no_error (error);
    intake_review_page_open (review, id, NULL);
    window = show_in_window (GTK_WIDGET (review));
    g_string_truncate (rows, 0);
    collect_rows (GTK_WIDGET (review), rows);
    g_test_message ("%s", rows->str);
    g_assert_nonnull (strstr (rows->str, "How old is Siti? = 34\n"));
    g_assert_nonnull (strstr (rows->str, "Children of Siti = "));
    g_assert_nonnull (strstr (rows->str, "Greeting for Siti = Hi Siti\n"));
    /* A calculation inside an entry, named by its entry, its words read there. */
    g_assert_nonnull (strstr (rows->str, "Children of Siti — entry 2 › Tag of Ani = Ani-4\n"));
    g_assert_null (strstr (rows->str, "${"));
    close_window (window);
  }
}

/* "Prefer not to say" is hidden on a note, and a click that still reaches it there (a screen
 * reader's or a test's, acting on what it read before the page changed) does nothing: it used
 * to save a declined answer for the note, which the store refused ("'thanks' is a note and
 * takes no answer", shown as a toast; seen in ui-adaptive), and to move on. */
static void
test_decline_hidden (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IntakeSession) worker = NULL;
  g_autoptr (IntakeInterviewPlaces) places = intake_interview_places_new ();
  g_autoptr (JsonObject) answers = json_object_new ();
  g_autofree char *id = NULL;
  IntakeInterviewPage *page;
  GtkWindow *window;

  ASSERT_OK (intake_session_import_form (f->admin, NAMED_FORM, NULL, NULL, &error));
  worker = unlock_as (f->store, "w1");
  json_object_set_string_member (answers, "first", "Siti");
  id = intake_session_create_interview (worker, "named", 1, answers, &error);
  g_assert_no_error (error);
  page = intake_interview_page_new_at (worker, places, id, "thanks", &error);
  g_assert_no_error (error);
  window = show_in_window (GTK_WIDGET (page));
  g_assert_cmpstr (page->current, ==, "thanks");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page->decline_template_button)));

  g_signal_emit_by_name (page->decline_template_button, "clicked");
  g_assert_cmpuint (page->saves_in_flight, ==, 0);
  g_assert_cmpstr (page->current, ==, "thanks");

  /* On a question it declines, as before. */
  _intake_interview_page_show_question (page, "age");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page->decline_template_button)));
  g_signal_emit_by_name (page->decline_template_button, "clicked");
  g_assert_cmpuint (page->saves_in_flight, ==, 1);
  g_assert_true (intake_answer_is_declined (_intake_interview_page_answer_of (page, "age")));
  while (page->saves_in_flight > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (page->save_failed);
  close_window (window);
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
  g_test_add ("/intake/ui/interview-page/summary-labels", Fixture, NULL, fixture_setup,
              test_summary_labels, fixture_teardown);
  g_test_add ("/intake/ui/interview-page/decline-hidden", Fixture, NULL, fixture_setup,
              test_decline_hidden, fixture_teardown);
  return g_test_run ();
}
