/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "intake-admin-page-private.h"
#include "intake-ui-private.h"

/* The building blocks every Administration screen is made of, below the screens and the page:
 * the screens call these, never the page itself (tests/layering). */

/* ---- Building screens ---- */

void
_intake_admin_toast (IntakeAdminPage *self, const char *message)
{
  g_signal_emit_by_name (self, "toast", message);
}

void
_intake_admin_clear_content (IntakeAdminPage *self)
{
  GtkWidget *child;

  self->problem_label = NULL;
  self->name_entry = self->pin_entry = self->pin_again_entry = NULL;
  self->url_entry = self->token_entry = self->confirm_entry = NULL;
  memset (self->role_buttons, 0, sizeof self->role_buttons);
  self->wipe_button = NULL;
  self->value_label = self->value_words = NULL;
  self->on_button = NULL;
  /* Entries lose their text (GtkPasswordEntry's is in GTK's secure memory) as they go. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->content_box))) != NULL)
    gtk_box_remove (self->content_box, child);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroll), 0);
}

GtkWidget *
_intake_admin_add_label (IntakeAdminPage *self, const char *text, const char *css_class)
{
  return _intake_box_add_label (self->content_box, text, css_class);
}

GtkWidget *
_intake_admin_add_button (IntakeAdminPage *self, const char *label, const char *accessible,
                          const char *css_class, GCallback callback)
{
  GtkWidget *button = _intake_big_button (label, accessible, css_class);

  g_signal_connect_swapped (button, "clicked", callback, self);
  gtk_box_append (self->content_box, button);
  return button;
}

/* A large choice: a title and, below it, what it means in plain words. */
GtkWidget *
_intake_admin_make_choice (const char *title, const char *description, const char *accessible)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *t = gtk_label_new (title);

  gtk_label_set_wrap (GTK_LABEL (t), TRUE);
  gtk_label_set_xalign (GTK_LABEL (t), 0);
  gtk_widget_add_css_class (t, "choice-title");
  gtk_box_append (GTK_BOX (box), t);
  if (description != NULL)
    {
      GtkWidget *d = gtk_label_new (description);
      gtk_label_set_wrap (GTK_LABEL (d), TRUE);
      gtk_label_set_xalign (GTK_LABEL (d), 0);
      gtk_widget_add_css_class (d, "dim-label");
      gtk_box_append (GTK_BOX (box), d);
    }
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_add_css_class (button, "admin-choice");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible ? accessible : title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  description ? description : "", -1);
  return button;
}

GtkWidget *
_intake_admin_add_choice (IntakeAdminPage *self, const char *title, const char *description,
                          const char *accessible, GCallback callback)
{
  GtkWidget *button = _intake_admin_make_choice (title, description, accessible);

  g_signal_connect_swapped (button, "clicked", callback, self);
  gtk_box_append (self->content_box, button);
  return button;
}

void
_intake_admin_add_back (IntakeAdminPage *self, const char *label, GCallback callback)
{
  GtkWidget *button = _intake_big_button (label, NULL, "flat");

  /* A short label on one line; the button is as wide as it needs. */
  gtk_label_set_wrap (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), FALSE);
  gtk_widget_set_halign (button, GTK_ALIGN_START);
  g_signal_connect_swapped (button, "clicked", callback, self);
  gtk_box_append (self->content_box, button);
}

/* Where a refusal or failure is said, in the words the store or the server gave. */
void
_intake_admin_add_problem (IntakeAdminPage *self)
{
  self->problem_label = GTK_LABEL (_intake_admin_add_label (self, "", "problem"));
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), FALSE);
}

void
_intake_admin_show_problem (IntakeAdminPage *self, const char *text)
{
  if (self->problem_label == NULL)
    {
      _intake_admin_toast (self, text);
      return;
    }
  gtk_label_set_label (self->problem_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), TRUE);
}

GtkEditable *
_intake_admin_add_entry (IntakeAdminPage *self, const char *accessible, const char *placeholder,
                         gboolean secret)
{
  GtkWidget *entry;

  if (secret)
    {
      entry = gtk_password_entry_new ();
      gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
      if (placeholder != NULL)
        g_object_set (entry, "placeholder-text", placeholder, NULL);
    }
  else
    {
      entry = gtk_entry_new ();
      if (placeholder != NULL)
        gtk_entry_set_placeholder_text (GTK_ENTRY (entry), placeholder);
    }
  gtk_widget_add_css_class (entry, "big");
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
  _intake_admin_add_label (self, accessible, "heading");
  gtk_box_append (self->content_box, entry);
  return GTK_EDITABLE (entry);
}

/* Two buttons side by side: the decision and the way back. */
GtkWidget *
_intake_admin_add_decision (IntakeAdminPage *self, GtkWidget *cancel, GtkWidget *act)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  gtk_box_set_homogeneous (GTK_BOX (row), TRUE);
  gtk_box_append (GTK_BOX (row), cancel);
  gtk_box_append (GTK_BOX (row), act);
  gtk_box_append (self->content_box, row);
  return row;
}

const char *
_intake_admin_role_words (IntakeRole role)
{
  switch (role)
    {
    case INTAKE_ROLE_WORKER:
      return _("Worker");
    case INTAKE_ROLE_SUPERVISOR:
      return _("Supervisor");
    case INTAKE_ROLE_ADMIN:
      return _("Administrator");
    default:
      return "";
    }
}

void
_intake_admin_set_busy (IntakeAdminPage *self, const char *message)
{
  self->busy = message != NULL;
  /* The focus leaves an entry before it turns insensitive (GTK 4.8 warns otherwise). */
  if (self->busy)
    gtk_widget_grab_focus (GTK_WIDGET (self->busy_box));
  gtk_label_set_label (self->busy_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->busy_box), self->busy);
  gtk_spinner_set_spinning (self->spinner, self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->content_box), !self->busy);
}

/* The menu is the page's: a screen goes back to it through the page's own function, so that
 * the screens, which the menu names, do not name the page's file. */
void
_intake_admin_show_menu (IntakeAdminPage *self)
{
  self->show_menu (self);
}
