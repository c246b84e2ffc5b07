/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The entries of a repeat on the interview page: one opened from the repeat's list (at its
 * first step), one added (a top-level repeat's by the form session, with its dynamic defaults;
 * an inner one through the entries that hold it), one removed once the person has said yes, and
 * the list shown again (inside an entry, as that entry's step). Apart from the page because the
 * page only hands the repeat list's signals here; below it (see intake-interview-page-private.h),
 * this file shows a step through the pointer the page sets.
 */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "intake-interview-page-private.h"

/* The page's own steps, shown by the page above this file (tests/layering). */
static void
show_step (IntakeInterviewPage *self, const char *repeat, guint entry, const char *name)
{
  self->show_step (self, repeat, entry, name);
}

static void
show_question (IntakeInterviewPage *self, const char *name)
{
  show_step (self, NULL, 0, name);
}

static void open_entry (IntakeInterviewPage *self, const char *repeat, guint entry);

void
_intake_interview_page_entry_change_cb (IntakeRepeatList *list, guint entry,
                                        IntakeInterviewPage *self)
{
  g_autofree char *repeat = _intake_interview_page_list_path (self);

  open_entry (self, repeat, entry);
}

/* The form session adds the entry with its dynamic defaults evaluated (ODK's odk-new-repeat);
 * the new list is then saved as any answer is. */
void
_intake_interview_page_add_entry_cb (IntakeInterviewPage *self)
{
  g_autofree char *repeat = _intake_interview_page_list_path (self);
  g_autoptr (JsonNode) list = NULL;
  guint n;

  /* The form session makes the entry (inside its enclosing entries for an inner repeat) and
   * evaluates its dynamic defaults; the repeat's list as it is then is what is saved. */
  if (!intake_form_session_add_entry (self->fs, repeat, &n, NULL))
    return;
  list = _intake_interview_page_entries_with (self, repeat, -1, NULL, NULL, -1);
  if (!_intake_interview_page_store_entries (self, repeat, list))
    return;
  open_entry (self, repeat, n);
}

static void
remove_response_cb (AdwMessageDialog *dialog, const char *response, IntakeInterviewPage *self)
{
  guint entry = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "entry"));
  g_autofree char *repeat = g_strdup (g_object_get_data (G_OBJECT (dialog), "repeat"));
  g_autoptr (JsonNode) list = NULL;
  g_autofree char *shown = _intake_interview_page_list_path (self);

  self->dialog = NULL;
  if (g_strcmp0 (response, "remove") != 0 || g_strcmp0 (repeat, shown) != 0)
    return;
  list = _intake_interview_page_entries_with (self, repeat, -1, NULL, NULL, (gint) entry);
  if (!_intake_interview_page_store_entries (self, repeat, list))
    return;
  _intake_interview_page_toast (self, _("Entry removed"));
  _intake_interview_page_show_list (self, repeat);
}

/* Removing loses the entry's answers: asked first. */
void
_intake_interview_page_entry_remove_cb (IntakeRepeatList *list, guint entry,
                                        IntakeInterviewPage *self)
{
  g_autofree char *heading = g_strdup_printf (_("Remove entry %u?"), entry + 1);
  GtkWidget *dialog;

  if (self->dialog != NULL)
    gtk_window_destroy (self->dialog);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), heading,
                                   _("Its answers are deleted from this interview."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("Cancel"), "remove",
                                    _("Remove"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", GUINT_TO_POINTER (entry));
  g_object_set_data_full (G_OBJECT (dialog), "repeat", _intake_interview_page_list_path (self),
                          g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  self->dialog = GTK_WINDOW (dialog);
  /* The release of the key that opened the dialog goes to the dialog. */
  self->enter_held = FALSE;
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Shows the list of the repeat at @repeat (a path): a top-level repeat's page, or inside the
 * entry that holds it, the step that is that repeat. */
void
_intake_interview_page_show_list (IntakeInterviewPage *self, const char *repeat)
{
  g_autofree char *parent = NULL;
  g_autofree char *name = NULL;
  guint entry;

  if (_intake_interview_parent_entry (repeat, &parent, &entry, &name))
    show_step (self, parent, entry, name);
  else
    show_question (self, repeat);
}

/* The first step of an entry (its list when it has none). */
static void
open_entry (IntakeInterviewPage *self, const char *repeat, guint entry)
{
  g_auto (GStrv) steps = intake_form_session_dup_entry_visible (self->fs, repeat, entry);

  if (steps != NULL && steps[0] != NULL)
    show_step (self, repeat, entry, steps[0]);
  else
    _intake_interview_page_show_list (self, repeat);
}
