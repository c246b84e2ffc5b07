/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The bottom of the window's layers (tests/layering): toasts, the trace, the screen of a missing
 * store, the adaptive rows, the window's own words and dropping the page shown. Every other file
 * of the window calls these; these call none of them.
 */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <time.h>

#include "intake-interview-page.h"

#include "intake-window-private.h"

static void
toast_dismissed_cb (AdwToast *toast, IntakeWindow *self)
{
  g_ptr_array_remove (self->toasts, toast);
}

void
intake_window_add_toast (IntakeWindow *self, const char *message)
{
  AdwToast *toast;

  /* The newest message replaces the one on screen rather than waiting behind it: libadwaita
   * 1.2.2 crashed (in the hide animation of a toast) when a toast was added while another was
   * still shown. */
  _intake_window_dismiss_toasts (self);
  toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 6);
  g_ptr_array_add (self->toasts, g_object_ref (toast));
  g_signal_connect (toast, "dismissed", G_CALLBACK (toast_dismissed_cb), self);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
_intake_window_dismiss_toasts (IntakeWindow *self)
{
  g_autoptr (GPtrArray) toasts = g_steal_pointer (&self->toasts);

  self->toasts = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < toasts->len; i++)
    {
      g_signal_handlers_disconnect_by_func (toasts->pdata[i], toast_dismissed_cb, self);
      adw_toast_dismiss (toasts->pdata[i]);
    }
}

/* On dispose: the toasts still shown stay with the overlay, but no longer tell the window. */
void
_intake_window_free_toasts (IntakeWindow *self)
{
  if (self->toasts != NULL)
    for (guint i = 0; i < self->toasts->len; i++)
      g_signal_handlers_disconnect_by_func (self->toasts->pdata[i], toast_dismissed_cb, self);
  g_clear_pointer (&self->toasts, g_ptr_array_unref);
}

/*
 * Timing for the benchmarks and the demo's check, hidden from users: with INTAKE_TRACE set, one
 * line "intake-trace: EVENT MONOTONIC_US CPU_US" on standard output when the window's first
 * frame is painted ("first-frame"), when an unlock's session arrives ("unlocked") and when the
 * next frame after it, home with its lists filled, is painted ("home"); CPU_US is the main
 * thread's CPU time. INTAKE_TRACE=exit-after-first-frame or exit-after-home also quits there.
 * Nothing of the user's goes into these lines.
 */
void
_intake_window_trace (IntakeWindow *self, const char *event)
{
  const char *mode = g_getenv ("INTAKE_TRACE");
  g_autofree char *exit_event = NULL;
  struct timespec cpu = { 0 };

  if (!self->trace)
    return;
  /* The main thread's CPU time too: on a busy machine it says what the wall clock cannot. */
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &cpu);
  g_print ("intake-trace: %s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", event,
           g_get_monotonic_time (), (gint64) cpu.tv_sec * G_USEC_PER_SEC + cpu.tv_nsec / 1000);
  exit_event = g_strconcat ("exit-after-", event, NULL);
  if (g_strcmp0 (mode, exit_event) == 0)
    {
      GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
      if (app != NULL)
        g_application_quit (G_APPLICATION (app));
    }
}

void
_intake_window_show_missing (IntakeWindow *self, const char *why)
{
  g_autofree char *text = NULL;

  if (why != self->missing_why)
    {
      g_free (self->missing_why);
      self->missing_why = g_strdup (why);
    }
  adw_status_page_set_title (self->missing_page, _("This tablet is not set up yet"));
  if (why != NULL)
    {
      adw_status_page_set_title (self->missing_page, _("The tablet's data cannot be opened"));
      text = g_strdup_printf (_("%s\n\nData folder: %s"), why, self->data_dir);
    }
  else
    text = g_strdup_printf (_("There is no Field Intake data in %s.\n\nAn administrator sets the "
                              "tablet up once, from a terminal:\n\n"
                              "intakectl --data-dir %s init --admin NAME\n\n"
                              "then adds the workers (intakectl user add NAME --role worker) and "
                              "the forms (intakectl form import FILE), and starts Field Intake "
                              "again."),
                            self->data_dir, self->data_dir);
  adw_status_page_set_description (self->missing_page, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->missing_page),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
  _intake_stack_show (self->stack, "missing");
}

/* Every box marked "adaptive-row" below @widget: a row on a wide window, a column on a narrow
 * one. */
void
_intake_window_orient_rows (GtkWidget *widget, gboolean narrow)
{
  if (GTK_IS_BOX (widget) && gtk_widget_has_css_class (widget, "adaptive-row"))
    gtk_orientable_set_orientation (GTK_ORIENTABLE (widget), narrow ? GTK_ORIENTATION_VERTICAL
                                                                    : GTK_ORIENTATION_HORIZONTAL);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    _intake_window_orient_rows (child, narrow);
}

void
_intake_window_apply_narrow (IntakeWindow *self)
{
  if (self->narrow)
    gtk_widget_add_css_class (GTK_WIDGET (self), "narrow");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "narrow");
  /* The header's title keeps room for the user's name: Lock is its icon (and its name for a
   * screen reader) alone, and only Close stays of the window buttons, as on a phone. */
  adw_header_bar_set_decoration_layout (self->header_bar, self->narrow ? ":close" : NULL);
  adw_button_content_set_label (self->lock_content, self->narrow ? "" : _("Lock"));
  /* On a phone-sized window the user's name is the title: the program's name would be cut. */
  adw_window_title_set_title (self->window_title, self->narrow ? "" : _("Field Intake"));
  /* The screens' language, named for what it changes; in a narrow window by the last word of
   * its name ("Bahasa Indonesia": "Indonesia"), so that the title keeps its room. */
  {
    const char *name = _intake_ui_language_name (_intake_ui_language_current ());
    const char *last = strrchr (name, ' ');
    g_autofree char *text = g_strdup_printf (_("Screen: %s"),
                                             self->narrow && last != NULL ? last + 1 : name);
    gtk_label_set_label (self->screen_language_label, text);
  }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->lock_button), _("Lock"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->lock_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Lock"), -1);
  _intake_window_orient_rows (GTK_WIDGET (self), self->narrow);
}

/* The window's own words, which its template set once. */
void
_intake_window_retranslate (IntakeWindow *self)
{
  const char *title = _("Field Intake");

  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  _intake_window_apply_narrow (self);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->language_button), _("Language of the screens"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->language_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Language of the screens"),
                                  -1);
  gtk_label_set_label (self->language_heading, _("Language of the screens"));
  if (self->store == NULL)
    _intake_window_show_missing (self, self->missing_why);
}

/* The header's back button follows the page's "back-label": shown with those words as its
 * name, or hidden. */
void
_intake_window_back_label_cb (GObject *page, GParamSpec *pspec, IntakeWindow *self)
{
  g_autofree char *label = NULL;

  if (page != G_OBJECT (self->interview_page))
    return;
  g_object_get (page, "back-label", &label, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), label != NULL);
  if (label == NULL)
    return;
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->back_button), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->back_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

void
_intake_window_drop_content_page (IntakeWindow *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), FALSE);
  if (self->interview_page == NULL)
    return;
  /* What was typed in the last moment is queued before the page goes (its dispose writes
   * nothing); a lock then waits for the queue before it wipes the keys. */
  if (INTAKE_IS_INTERVIEW_PAGE (self->interview_page) && self->session != NULL
      && !intake_session_is_locked (self->session))
    intake_interview_page_save_typing (INTAKE_INTERVIEW_PAGE (self->interview_page));
  g_signal_handlers_disconnect_by_func (self->interview_page, _intake_window_back_label_cb, self);
  /* The stack holds the only reference: removing it destroys every answer widget. */
  gtk_stack_remove (self->stack, self->interview_page);
  self->interview_page = NULL;
}
