/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Administration, Rules: the tablet's policies, one decision a screen. */
#include "intake-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "intake-admin-page-private.h"


/* ---- Policies: the tablet's rules ---- */

typedef struct
{
  const char *key;
  /* Values offered by Less and More: a few sensible steps, not every number. */
  const int *steps;
  guint n_steps;
} PolicyInfo;

static const int lock_steps[] = { 1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240 };
static const int failed_steps[] = { 0, 3, 5, 10, 15, 20, 30, 50, 100 };
static const int keep_steps[] = { 0, 1, 2, 3, 7, 14, 30, 60, 90, 180, 365 };
static const int length_steps[] = { 4, 5, 6, 7, 8, 10, 12, 16, 20 };

static const PolicyInfo policies[] = {
  { INTAKE_POLICY_AUTO_LOCK_MINUTES, lock_steps, G_N_ELEMENTS (lock_steps) },
  { INTAKE_POLICY_REVIEW_REQUIRED, NULL, 0 },
  { INTAKE_POLICY_MAX_FAILED_UNLOCKS, failed_steps, G_N_ELEMENTS (failed_steps) },
  { INTAKE_POLICY_KEEP_SENT_DAYS, keep_steps, G_N_ELEMENTS (keep_steps) },
  { INTAKE_POLICY_MIN_SECRET_LENGTH, length_steps, G_N_ELEMENTS (length_steps) },
};

static const PolicyInfo *
policy_info (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (policies); i++)
    if (g_strcmp0 (policies[i].key, key) == 0)
      return &policies[i];
  return NULL;
}

static const char *
policy_title (const char *key)
{
  if (g_str_equal (key, INTAKE_POLICY_AUTO_LOCK_MINUTES))
    return _("Lock when not in use");
  if (g_str_equal (key, INTAKE_POLICY_REVIEW_REQUIRED))
    return _("Supervisor review");
  if (g_str_equal (key, INTAKE_POLICY_MAX_FAILED_UNLOCKS))
    return _("Wrong PINs allowed");
  if (g_str_equal (key, INTAKE_POLICY_KEEP_SENT_DAYS))
    return _("Keep sent interviews");
  return _("Shortest PIN");
}

static const char *
policy_question (const char *key)
{
  if (g_str_equal (key, INTAKE_POLICY_AUTO_LOCK_MINUTES))
    return _("After how long without a touch should the tablet lock itself?");
  if (g_str_equal (key, INTAKE_POLICY_REVIEW_REQUIRED))
    return _("Must a supervisor check each completed interview before it is sent?");
  if (g_str_equal (key, INTAKE_POLICY_MAX_FAILED_UNLOCKS))
    return _("How many wrong PINs in a row before that person’s keys are destroyed? Their "
             "interviews stay safe; an administrator then gives them a new PIN.");
  if (g_str_equal (key, INTAKE_POLICY_KEEP_SENT_DAYS))
    return _("How long should the tablet keep its own copy of an interview after the server "
             "has confirmed it?");
  return _("How many digits or letters must a new PIN have at least? Longer PINs are harder "
           "to guess if the tablet is stolen.");
}

/* The value in words, as the person will see it. */
static char *
policy_words (const char *key, int value)
{
  if (g_str_equal (key, INTAKE_POLICY_AUTO_LOCK_MINUTES))
    return g_strdup_printf (ngettext ("After %d minute", "After %d minutes", value), value);
  if (g_str_equal (key, INTAKE_POLICY_REVIEW_REQUIRED))
    return g_strdup (value ? _("On: a supervisor checks every interview")
                           : _("Off: completed interviews are sent without a check"));
  if (g_str_equal (key, INTAKE_POLICY_MAX_FAILED_UNLOCKS))
    return value == 0 ? g_strdup (_("No limit (not safe if a tablet is lost)"))
                      : g_strdup_printf (ngettext ("%d wrong PIN", "%d wrong PINs", value),
                                         value);
  if (g_str_equal (key, INTAKE_POLICY_KEEP_SENT_DAYS))
    return value == 0 ? g_strdup (_("Removed as soon as the server confirms"))
                      : g_strdup_printf (ngettext ("Kept %d day", "Kept %d days", value), value);
  return g_strdup_printf (ngettext ("At least %d character", "At least %d characters", value),
                          value);
}

static void
update_policy_value (IntakeAdminPage *self)
{
  g_autofree char *words = policy_words (self->subject, self->policy_value);
  g_autofree char *number = g_strdup_printf ("%d", self->policy_value);

  if (self->value_label != NULL)
    {
      gtk_label_set_label (self->value_label, number);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->value_label),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, words, -1);
    }
  if (self->value_words != NULL)
    gtk_label_set_label (self->value_words, words);
}

static void
policy_step (IntakeAdminPage *self, int direction)
{
  const PolicyInfo *info = policy_info (self->subject);

  if (info == NULL || info->steps == NULL)
    return;
  if (direction > 0)
    {
      for (guint i = 0; i < info->n_steps; i++)
        if (info->steps[i] > self->policy_value)
          {
            self->policy_value = info->steps[i];
            break;
          }
    }
  else
    {
      for (guint i = info->n_steps; i > 0; i--)
        if (info->steps[i - 1] < self->policy_value)
          {
            self->policy_value = info->steps[i - 1];
            break;
          }
    }
  update_policy_value (self);
}

static void
less_clicked_cb (IntakeAdminPage *self)
{
  policy_step (self, -1);
}

static void
more_clicked_cb (IntakeAdminPage *self)
{
  policy_step (self, 1);
}

static void
on_off_toggled_cb (GtkToggleButton *button, IntakeAdminPage *self)
{
  if (self->on_button == NULL)
    return;
  self->policy_value = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->on_button)) ? 1 : 0;
  update_policy_value (self);
}

typedef struct
{
  IntakeAdminPage *page;
  char *done;
} Saving;

static void
policy_saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Saving *saving = user_data;
  g_autoptr (IntakeAdminPage) self = saving->page;
  g_autofree char *done = saving->done;
  g_autoptr (GError) error = NULL;
  gboolean ok = intake_session_set_policy_finish (INTAKE_SESSION (source), result, &error);

  g_free (saving);
  /* Locked meanwhile: the page is empty and shows nothing more. */
  if (self->session == NULL)
    return;
  if (!ok)
    {
      _intake_admin_show_problem (self, error->message);
      return;
    }
  _intake_admin_toast (self, done);
  _intake_admin_show_policies (self);
}

static void
save_policy_clicked_cb (IntakeAdminPage *self)
{
  g_autofree char *value = NULL;
  g_autofree char *words = NULL;
  Saving *saving;

  if (g_str_equal (self->subject, INTAKE_POLICY_REVIEW_REQUIRED))
    value = g_strdup (self->policy_value ? "true" : "false");
  else
    value = g_strdup_printf ("%d", self->policy_value);
  words = policy_words (self->subject, self->policy_value);
  /* One short audited transaction, on the session's queue; the page is held until it is back. */
  saving = g_new0 (Saving, 1);
  saving->page = g_object_ref (self);
  saving->done = g_strdup_printf (_("Saved: %s — %s"), policy_title (self->subject), words);
  intake_session_set_policy_async (self->session, self->subject, value, NULL, policy_saved_cb,
                                   saving);
}

static GtkWidget *
make_on_off (const char *title, const char *accessible)
{
  GtkWidget *b = gtk_toggle_button_new_with_label (title);

  gtk_widget_add_css_class (b, "choice");
  gtk_label_set_wrap (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (b))), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (b), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
  return b;
}

static void
show_policy (IntakeAdminPage *self)
{
  const char *key = self->subject;
  IntakeStore *store = intake_session_get_store (self->session);
  GtkWidget *cancel, *act;
  g_autofree char *save_name = g_strdup_printf (_("Save %s"), policy_title (key));

  self->policy_value = intake_store_get_policy_int (store, key);
  _intake_admin_clear_content (self);
  _intake_admin_add_back (self, _("Back to the rules"), G_CALLBACK (_intake_admin_show_policies));
  _intake_admin_add_label (self, policy_title (key), "title-1");
  _intake_admin_add_label (self, policy_question (key), "title-4");
  _intake_admin_add_problem (self);
  if (g_str_equal (key, INTAKE_POLICY_REVIEW_REQUIRED))
    {
      GtkWidget *on = make_on_off (_("On: a supervisor checks every interview"),
                                   _("Review on"));
      GtkWidget *off = make_on_off (_("Off: completed interviews are sent without a check"),
                                    _("Review off"));

      gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (off), GTK_TOGGLE_BUTTON (on));
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->policy_value ? on : off), TRUE);
      self->on_button = on;
      g_signal_connect (on, "toggled", G_CALLBACK (on_off_toggled_cb), self);
      gtk_box_append (self->content_box, on);
      gtk_box_append (self->content_box, off);
    }
  else
    {
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *less = _intake_big_button ("−", _("Less"), NULL);
      GtkWidget *more = _intake_big_button ("+", _("More"), NULL);
      GtkWidget *value = gtk_label_new ("");

      gtk_widget_add_css_class (less, "numkey");
      gtk_widget_add_css_class (more, "numkey");
      gtk_widget_add_css_class (value, "value-big");
      gtk_widget_set_hexpand (value, TRUE);
      g_signal_connect_swapped (less, "clicked", G_CALLBACK (less_clicked_cb), self);
      g_signal_connect_swapped (more, "clicked", G_CALLBACK (more_clicked_cb), self);
      gtk_box_append (GTK_BOX (row), less);
      gtk_box_append (GTK_BOX (row), value);
      gtk_box_append (GTK_BOX (row), more);
      gtk_box_append (self->content_box, row);
      self->value_label = GTK_LABEL (value);
      self->value_words = GTK_LABEL (_intake_admin_add_label (self, "", "title-3"));
      gtk_label_set_xalign (self->value_words, 0.5);
    }
  update_policy_value (self);
  cancel = _intake_big_button (_("Cancel"), NULL, NULL);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (_intake_admin_show_policies), self);
  act = _intake_big_button (_("Save"), save_name, "suggested-action");
  g_signal_connect_swapped (act, "clicked", G_CALLBACK (save_policy_clicked_cb), self);
  _intake_admin_add_decision (self, cancel, act);
}

static void
policy_chosen_cb (GtkButton *button, IntakeAdminPage *self)
{
  g_free (self->subject);
  self->subject = g_strdup (g_object_get_data (G_OBJECT (button), "policy"));
  show_policy (self);
}

void
_intake_admin_show_policies (IntakeAdminPage *self)
{
  IntakeStore *store = intake_session_get_store (self->session);

  _intake_admin_clear_content (self);
  _intake_admin_add_back (self, _("Back to administration"), G_CALLBACK (_intake_admin_show_menu));
  _intake_admin_add_label (self, _("Tablet rules"), "title-1");
  _intake_admin_add_label (
      self, _("They apply to everyone who uses this tablet. Tap one to change it."), "dim-label");
  for (guint i = 0; i < G_N_ELEMENTS (policies); i++)
    {
      const char *key = policies[i].key;
      g_autofree char *words = policy_words (key, intake_store_get_policy_int (store, key));
      GtkWidget *b = _intake_admin_make_choice (policy_title (key), words, NULL);

      g_object_set_data (G_OBJECT (b), "policy", (gpointer) key);
      g_signal_connect (b, "clicked", G_CALLBACK (policy_chosen_cb), self);
      gtk_box_append (self->content_box, b);
    }
}
